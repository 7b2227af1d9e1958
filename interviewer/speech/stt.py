"""Speech to text: faster-whisper (whisper-base, int8, CPU) by default, a litellm transcription model when
`INTERVIEW_STT_MODEL` is set.

Local transcription keeps filler words: whisper drops most "um"/"uh" unless its prompt already contains some,
so the English prompt is a line of fillers (on the filler answers it kept 11 of 12 in piper speech, 4 of 12
without). Silero VAD (bundled with faster-whisper) skips silence, which also stops whisper from inventing text
for a silent recording (without VAD, whisper "heard" the filler prompt itself in 5 s of silence). The language is
detected first: an answer that is clearly not English is transcribed in its own language, with a note, and judged
as it stands.
"""

from __future__ import annotations

import os
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field

from interviewer.config import Settings
from interviewer.speech.audio import SAMPLE_RATE, Audio, decode, wav_bytes
from interviewer.speech.errors import SpeechError, SpeechUnavailable

FILLER_PROMPT = "Um, uh, so, like, you know, I mean, uh, um, basically."
ENGLISH_AT = 0.3  # whisper's P(English) below this: the answer is treated as another language
BEAM_SIZE = 1  # greedy + filler prompt: WER 0.016 on the dev answers (beam 5 + prompt: 0.032), and faster
# faster-whisper's batched pipeline: speech (found by VAD) in chunks of up to 30 s, decoded together, no temperature
# fallback. On 60 s answers it took 3.2-3.4 CPU-seconds where the sequential decoder took 3.9 and, when it fell back
# to higher temperatures, 13.5; dev WER 0.024 (sequential 0.032), the same fillers kept (8 of 9 on fillers_dev).
BATCH_SIZE = 2
LANGUAGES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "pl": "Polish", "ru": "Russian", "uk": "Ukrainian", "tr": "Turkish", "ar": "Arabic",
    "hi": "Hindi", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "sv": "Swedish", "la": "Latin",
}  # fmt: skip
NO_SPEECH = "No speech was detected in the recording: check the microphone and record again, or type your answer."


class Word(BaseModel):
    word: str = Field(description="The word as transcribed, with its punctuation.")
    start: float = Field(description="Start time in seconds from the start of the recording.")
    end: float = Field(description="End time in seconds.")


class Transcript(BaseModel):
    text: str = Field(description="The transcript ('' when no speech was found).")
    duration_s: float = Field(description="Length of the whole recording in seconds.")
    words: list[Word] = Field(default_factory=list, description="Word timestamps (empty if the engine gives none).")
    language: str = Field("en", description="Language the answer was transcribed in (ISO 639-1).")
    language_probability: float | None = Field(None, description="The detector's confidence in `language`.")
    engine: str = Field(description="Which model made the transcript.")
    notes: list[str] = Field(default_factory=list, description="What the candidate should know (cut, language).")
    seconds: float = Field(0.0, description="Wall time of the transcription.")


class Transcriber(Protocol):
    name: str

    def transcribe(self, audio: Audio) -> Transcript: ...


class LocalTranscriber:
    """faster-whisper on the verified whisper-base weights; one call at a time per process."""

    def __init__(self, cache_dir: Path | None = None, cpu_threads: int | None = None) -> None:
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        from interviewer.speech.models import whisper_model_dir

        threads = cpu_threads or min(os.cpu_count() or 2, 4)
        model_dir = str(whisper_model_dir(cache_dir))
        self.model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=threads)
        self.pipeline = BatchedInferencePipeline(self.model)
        self.name = "faster-whisper base (local)"
        self._lock = threading.Lock()

    def transcribe(self, audio: Audio) -> Transcript:
        with self._lock:
            language, probability, ranked = self.model.detect_language(audio.samples, vad_filter=True)
            english = dict(ranked).get("en", 0.0)
            if english >= ENGLISH_AT:
                language, probability = "en", english
            segments, _info = self.pipeline.transcribe(
                audio.samples,
                language=language,
                beam_size=BEAM_SIZE,
                word_timestamps=True,
                vad_filter=True,
                initial_prompt=FILLER_PROMPT if language == "en" else None,
                batch_size=BATCH_SIZE,
            )
            segments = list(segments)
        words = [
            Word(word=w.word.strip(), start=round(w.start, 2), end=round(w.end, 2))
            for s in segments
            for w in s.words or []
        ]
        text = " ".join(s.text.strip() for s in segments).strip()
        return Transcript(
            text=text,
            duration_s=audio.duration_s,
            words=[w for w in words if w.word],
            language=language,
            language_probability=round(float(probability), 3),
            engine=self.name,
        )


class RemoteTranscriber:
    """A litellm transcription model (e.g. openai/whisper-1) through `interviewer.llm`."""

    def __init__(self, settings: Settings) -> None:
        from interviewer.llm import LLM, model_config_from_settings

        self.llm = LLM(model_config_from_settings(settings, "stt"))
        self.name = self.llm.name

    def transcribe(self, audio: Audio) -> Transcript:
        reply = self.llm.transcribe(wav_bytes(audio.samples, SAMPLE_RATE), "answer.wav", prompt=FILLER_PROMPT)
        language = _language_code(reply.get("language"))
        return Transcript(
            text=reply["text"].strip(),
            duration_s=audio.duration_s,
            words=[Word(**w) for w in reply["words"]],
            language=language,
            engine=self.name,
        )


def _language_code(name: str | None) -> str:
    """OpenAI's verbose_json names the language ('english'); other servers send a code."""
    if not name:
        return "en"
    lowered = name.strip().lower()
    by_name = {v.lower(): k for k, v in LANGUAGES.items()}
    return by_name.get(lowered, lowered[:8])


def remote_model(name: str | None) -> str | None:
    """The configured litellm model, or None for the local engine ('', 'local' and 'offline' mean local)."""
    return name if name and name.strip().lower() not in ("local", "offline") else None


_LOAD = threading.Lock()


@lru_cache(maxsize=4)
def _local(cache_dir: Path | None) -> LocalTranscriber:
    return LocalTranscriber(cache_dir)


def get_transcriber(settings: Settings) -> Transcriber:
    """The engine the settings name; local models are loaded once per process."""
    if remote_model(settings.stt_model):
        return RemoteTranscriber(settings)
    with _LOAD:  # the warm-up thread and a first answer load the model once
        return _local(settings.speech_cache_dir)


def transcribe(source: bytes | str | Path, settings: Settings, transcriber: Transcriber | None = None) -> Transcript:
    """Decode `source` (bytes or a path), transcribe at most `max_recording_seconds` of it, and add notes.

    Raises `NotAudio` for input that is not audio, `SpeechUnavailable` when no engine can run, and the llm
    module's errors for a remote model."""
    limit = settings.max_recording_seconds
    audio = decode(source, max_seconds=limit)
    notes: list[str] = []
    if audio.truncated:
        notes.append(
            f"The recording is {_clock(audio.duration_s)} long; only the first {_clock(limit)} were transcribed "
            f"(the limit, INTERVIEW_MAX_RECORDING_SECONDS). Spoken answers land best under three minutes."
        )
    engine = transcriber or get_transcriber(settings)
    started = time.perf_counter()
    if audio.silent:
        result = Transcript(text="", duration_s=audio.duration_s, engine=engine.name)
    else:
        try:
            result = engine.transcribe(audio)
        except SpeechError:
            raise
        except (RuntimeError, ValueError, OSError) as err:  # CTranslate2 / onnxruntime failures
            raise SpeechUnavailable(f"transcription failed ({type(err).__name__}: {str(err)[:160]}).") from err
    result.seconds = round(time.perf_counter() - started, 3)
    if not result.text:
        notes.append(NO_SPEECH)
    elif result.language != "en":
        name = LANGUAGES.get(result.language, result.language)
        notes.append(
            f"This answer sounds like {name}, not English; it was transcribed as spoken and judged as it stands. "
            "The interview is in English, so the score may not do it justice."
        )
    result.notes = notes + result.notes
    return result


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
