"""litellm transcription and speech through interviewer/llm/, against a scripted OpenAI-compatible server on
127.0.0.1: word timestamps come through, audio is returned as 16-bit WAV, and failures are our own errors."""

from __future__ import annotations

import io
import json
import threading
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.speech.conftest import encode

VERBOSE = {
    "task": "transcribe",
    "language": "english",
    "duration": 3.2,
    "text": "Um, I would split by time.",
    "words": [
        {"word": "Um,", "start": 0.0, "end": 0.3},
        {"word": "I", "start": 0.5, "end": 0.6},
        {"word": "would", "start": 0.6, "end": 0.8},
        {"word": "split", "start": 0.8, "end": 1.1},
        {"word": "by", "start": 1.1, "end": 1.2},
        {"word": "time.", "start": 3.5, "end": 3.9},
    ],
}


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"


class FakeSpeechServer:
    def __init__(self, replies: list[Reply]) -> None:
        self.replies = replies
        self.requests: list[tuple[str, bytes]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                server.requests.append((self.path, body))
                reply = server.replies.pop(0) if len(server.replies) > 1 else server.replies[0]
                self.send_response(reply.status)
                self.send_header("content-type", reply.content_type)
                self.send_header("content-length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake() -> Iterator[list]:
    servers: list[FakeSpeechServer] = []

    def start(*replies: Reply) -> FakeSpeechServer:
        servers.append(FakeSpeechServer(list(replies)))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def settings_for(server: FakeSpeechServer, **extra):
    from interviewer.config import Settings

    return Settings(
        _env_file=None,
        stt_model="openai/whisper-1",
        tts_model="openai/tts-1",
        api_base=server.url,
        max_retries=1,
        request_timeout=10,
        **extra,
    )


def test_remote_transcription_keeps_word_timestamps(fake, spoken) -> None:
    from interviewer.speech.delivery import measure
    from interviewer.speech.stt import transcribe

    server = fake(Reply(body=json.dumps(VERBOSE).encode()))
    result = transcribe(spoken("I would split by time."), settings_for(server))
    assert result.text == VERBOSE["text"] and result.engine == "openai/whisper-1" and result.language == "en"
    assert [w.word for w in result.words][:2] == ["Um,", "I"]
    numbers = measure(result.text, result.words, result.duration_s)
    assert numbers["filler_words"]["um"] == 1 and numbers["pauses_over_2s"] == 1
    path, body = server.requests[0]
    assert path.endswith("/audio/transcriptions")
    assert b'name="timestamp_granularities[]"' in body and b"verbose_json" in body and b"RIFF" in body


def test_remote_speech_comes_back_as_16_bit_wav_even_when_the_server_sends_mp3(fake, spoken, tmp_path) -> None:
    from interviewer.speech.tts import speak

    mp3 = encode(spoken("Tell me about a model you shipped."), "mp3", tmp_path / "q.mp3").read_bytes()
    server = fake(Reply(body=mp3, content_type="audio/mpeg"))
    speech = speak("Tell me about a **model** you shipped.", settings_for(server, tts_voice="nova"))
    with wave.open(io.BytesIO(speech.wav)) as w:
        assert w.getsampwidth() == 2 and w.getnframes() / w.getframerate() > 1.0
    request = json.loads(server.requests[0][1])
    assert request["input"] == "Tell me about a model you shipped." and request["voice"] == "nova"
    assert server.requests[0][0].endswith("/audio/speech")


def test_remote_failures_are_our_errors_and_retried_only_when_transient(fake, spoken) -> None:
    from interviewer.llm import AuthenticationError, ProviderError
    from interviewer.speech.stt import transcribe
    from interviewer.speech.tts import speak

    error = json.dumps({"error": {"message": "boom", "type": "server_error"}}).encode()
    server = fake(Reply(status=500, body=error), Reply(body=json.dumps(VERBOSE).encode()))
    assert transcribe(spoken("I would split by time."), settings_for(server)).text  # one retry, then success
    assert len(server.requests) == 2

    server = fake(Reply(status=401, body=json.dumps({"error": {"message": "bad key"}}).encode()))
    with pytest.raises(AuthenticationError, match="rejected the credentials"):
        speak("Hello there.", settings_for(server))
    assert len(server.requests) == 1  # a bad key is not retried

    server = fake(Reply(status=503, body=error))
    with pytest.raises(ProviderError):
        transcribe(spoken("I would split by time."), settings_for(server))
    assert len(server.requests) == 2


def test_a_missing_key_is_reported_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.config import Settings
    from interviewer.llm import ConfigurationError
    from interviewer.speech.tts import speak

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        speak("Hello there.", Settings(_env_file=None, tts_model="openai/tts-1"))
