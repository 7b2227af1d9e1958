"""Fixtures and helpers for the voice tests: audio made by our own `speak`, re-encoded with PyAV, and a WER that
ignores case, punctuation and hyphens."""

from __future__ import annotations

import io
import re
from pathlib import Path

import av
import numpy as np
import pytest
import yaml

from tests.conftest import REPO

ROUNDTRIP = yaml.safe_load((REPO / "evals" / "speech" / "roundtrip.yaml").read_text())
CONTAINERS = {
    "mp3": ("mp3", "libmp3lame"),
    "m4a": ("ipod", "aac"),
    "ogg": ("ogg", "libopus"),
    "webm": ("webm", "libopus"),
}


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " ")).split())


def wer(references: list[str], hypotheses: list[str]) -> float:
    import jiwer

    return jiwer.wer([normalise(r) for r in references], [normalise(h) for h in hypotheses])


def pcm(wav: bytes) -> tuple[np.ndarray, int]:
    import wave

    with wave.open(io.BytesIO(wav)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16), w.getframerate()


def encode(wav: bytes, fmt: str, path: Path) -> Path:
    """Re-encode a WAV into MP3, M4A (AAC), OGG (Opus) or WebM (Opus) with PyAV's bundled FFmpeg."""
    container_format, codec = CONTAINERS[fmt]
    samples, rate = pcm(wav)
    out_rate = 48_000 if codec == "libopus" else rate
    with av.open(str(path), "w", format=container_format) as out:
        stream = out.add_stream(codec, rate=out_rate)
        stream.layout = "mono"
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=out_rate)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = rate
        for converted in resampler.resample(frame) + resampler.resample(None):
            for packet in stream.encode(converted):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def with_silence(wav_a: bytes, seconds: float, wav_b: bytes | None = None) -> bytes:
    """`wav_a`, then `seconds` of silence, then `wav_b` (same rate), as one 16-bit WAV."""
    from interviewer.speech.audio import wav_bytes

    a, rate = pcm(wav_a)
    parts = [a, np.zeros(int(seconds * rate), dtype=np.int16)]
    if wav_b is not None:
        parts.append(pcm(wav_b)[0])
    return wav_bytes(np.concatenate(parts), rate)


@pytest.fixture(scope="session")
def speech_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh model cache for the session: the first use assembles and verifies model.bin there."""
    return tmp_path_factory.mktemp("speech-cache")


@pytest.fixture
def speech_settings(monkeypatch: pytest.MonkeyPatch, speech_cache: Path, tmp_path: Path):
    """Settings (and environment, for the CLI and the app) that use the session's model cache."""
    from interviewer.config import Settings, get_settings

    monkeypatch.setenv("INTERVIEW_SPEECH_CACHE_DIR", str(speech_cache))
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    return Settings(_env_file=None, speech_cache_dir=speech_cache, data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def spoken(tmp_path_factory: pytest.TempPathFactory, speech_cache: Path):
    """`spoken(text)` -> WAV bytes from the local piper voice (memoised for the session)."""
    from interviewer.config import Settings
    from interviewer.speech.tts import speak

    settings = Settings(_env_file=None, speech_cache_dir=speech_cache)
    memo: dict[str, bytes] = {}

    def make(text: str) -> bytes:
        if text not in memo:
            memo[text] = speak(text, settings).wav
        return memo[text]

    return make
