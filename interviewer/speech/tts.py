"""Text to speech: piper with the verified en_US-joe-medium voice by default, Debian's espeak-ng when piper cannot
run (said out loud in a note, never silently), a litellm speech model when `INTERVIEW_TTS_MODEL` is set.

Every engine's output is returned as 16-bit PCM mono WAV bytes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from interviewer.config import Settings
from interviewer.speech.errors import SpeechError, SpeechUnavailable

MAX_CHARS = 5000
LENGTH_SCALE = 1.15  # joe-medium reads at about 200 words/min; 15 % slower is a calm interviewer's pace


@dataclass
class Speech:
    wav: bytes  # 16-bit PCM mono WAV
    engine: str
    seconds: float = 0.0  # wall time of the synthesis
    first_audio_s: float = 0.0  # wall time until the first sentence's audio was ready
    notes: list[str] = field(default_factory=list)


class Speaker(Protocol):
    name: str

    def synthesize(self, text: str) -> Speech: ...


def speakable(text: str) -> str:
    """What a voice should read: Markdown markup and links reduced to their words, whitespace collapsed."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"`{1,3}([^`]*)`{1,3}", r"\1", text)
    text = re.sub(r"(^|\s)#{1,6}\s", r"\1", text)
    text = re.sub(r"[*_~>|]+", " ", text)
    text = text.replace("—", ", ").replace("–", ", ")
    return " ".join(text.split())


class PiperSpeaker:
    name = "piper en_US-joe-medium (local)"

    def __init__(self, cache_dir: Path | None = None) -> None:
        from piper import PiperVoice

        from interviewer.speech.models import piper_voice_paths

        model, config = piper_voice_paths(cache_dir)
        self.voice = PiperVoice.load(model, config)
        self.sample_rate = self.voice.config.sample_rate
        self._lock = threading.Lock()

    def chunks(self, text: str) -> Iterator[np.ndarray]:
        """int16 audio one sentence at a time (the first is ready long before the whole text)."""
        from piper import SynthesisConfig

        with self._lock:
            for chunk in self.voice.synthesize(text, SynthesisConfig(length_scale=LENGTH_SCALE)):
                yield chunk.audio_int16_array

    def synthesize(self, text: str) -> Speech:
        from interviewer.speech.audio import wav_bytes

        started = time.perf_counter()
        first, parts = 0.0, []
        for part in self.chunks(text):
            first = first or time.perf_counter() - started
            parts.append(part)
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
        seconds = time.perf_counter() - started
        return Speech(wav_bytes(samples, self.sample_rate), self.name, round(seconds, 3), round(first, 3))


class EspeakSpeaker:
    name = "espeak-ng (fallback voice)"

    def __init__(self) -> None:
        self.binary = shutil.which("espeak-ng")
        if self.binary is None:
            raise SpeechUnavailable(
                "espeak-ng is not installed (Debian package espeak-ng; see scripts/system-deps.sh)."
            )

    def synthesize(self, text: str) -> Speech:
        from interviewer.speech.audio import to_pcm16_wav

        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "speech.wav"
            # the text goes in on stdin, so nothing in it can be read as an option
            result = subprocess.run(
                [self.binary, "-v", "en-us", "-s", "165", "--stdin", "-w", str(out)],
                input=text.encode(),
                capture_output=True,
                timeout=120,
                check=False,
            )
            if result.returncode != 0 or not out.is_file():
                raise SpeechUnavailable(f"espeak-ng failed: {result.stderr.decode(errors='replace')[:200].strip()}")
            wav = to_pcm16_wav(out.read_bytes())
        seconds = round(time.perf_counter() - started, 3)
        return Speech(wav, self.name, seconds, seconds)


class RemoteSpeaker:
    """A litellm speech model (e.g. openai/tts-1) through `interviewer.llm`."""

    def __init__(self, settings: Settings) -> None:
        from interviewer.llm import LLM, model_config_from_settings

        self.llm = LLM(model_config_from_settings(settings, "tts"))
        self.voice = settings.tts_voice
        self.name = self.llm.name

    def synthesize(self, text: str) -> Speech:
        from interviewer.speech.audio import to_pcm16_wav

        started = time.perf_counter()
        wav = to_pcm16_wav(self.llm.speak(text, self.voice))
        seconds = round(time.perf_counter() - started, 3)
        return Speech(wav, self.name, seconds, seconds)


_LOAD = threading.Lock()


@lru_cache(maxsize=4)
def _local(cache_dir: Path | None) -> tuple[Speaker, tuple[str, ...]]:
    try:
        return PiperSpeaker(cache_dir), ()
    except (SpeechError, ImportError, RuntimeError, OSError, ValueError) as err:
        reason = str(err) or type(err).__name__
        try:
            fallback = EspeakSpeaker()
        except SpeechUnavailable as missing:
            raise SpeechUnavailable(f"no voice: piper failed ({reason}) and {missing}") from err
        return fallback, (f"The piper voice is unavailable ({reason}); the espeak-ng voice speaks instead.",)


def get_speaker(settings: Settings) -> tuple[Speaker, list[str]]:
    """The engine the settings name, and notes to show (e.g. that the fallback voice is in use)."""
    from interviewer.speech.stt import remote_model

    if remote_model(settings.tts_model):
        return RemoteSpeaker(settings), []
    with _LOAD:  # two sessions starting together load the voice once
        speaker, notes = _local(settings.speech_cache_dir)
    return speaker, list(notes)


def speak(text: str, settings: Settings) -> Speech:
    """Speak `text` (Markdown is read as plain words). Raises SpeechError or the llm module's errors."""
    words = speakable(text)
    if not words:
        raise SpeechError("there is no text to speak.")
    speaker, notes = get_speaker(settings)
    if len(words) > MAX_CHARS:
        words = words[:MAX_CHARS].rsplit(" ", 1)[0]
        notes.append(f"The text is longer than {MAX_CHARS:,} characters; only the first {len(words):,} are spoken.")
    speech = speaker.synthesize(words)
    speech.notes = notes + speech.notes
    return speech
