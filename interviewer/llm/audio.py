"""Speech for voice mode: litellm's transcription and speech APIs, with the same retries and errors as chat."""

from __future__ import annotations

from typing import Any

from interviewer.llm.client import Client
from interviewer.llm.errors import BadResponse
from interviewer.llm.provider import litellm, preflight, translate_error


class SpeechClient(Client):
    """`Client` plus `transcribe` (speech to text) and `speak` (text to speech)."""

    def _speech_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"model": self.cfg.model, "timeout": self.cfg.timeout, "max_retries": 0}
        if self.cfg.api_base:
            kwargs["api_base"] = self.cfg.api_base
        if self.cfg.api_key:
            kwargs["api_key"] = self.cfg.api_key
        elif self.cfg.api_base and self.cfg.model.startswith("openai/"):
            kwargs["api_key"] = "no-key-needed"
        return kwargs

    def transcribe(
        self, audio: bytes, filename: str = "answer.wav", *, prompt: str | None = None, language: str | None = None
    ) -> dict[str, Any]:
        """Speech to text: {"text", "language", "duration", "words": [{"word", "start", "end"}]}.

        Word timestamps are requested (verbose_json); a provider that has none returns `words: []`."""
        cfg = self.cfg
        preflight(cfg)
        for attempt in self._retrying():
            with attempt:
                try:
                    response = litellm.transcription(
                        file=(filename, audio),
                        response_format="verbose_json",
                        timestamp_granularities=["word"],
                        prompt=prompt,
                        language=language,
                        **self._speech_kwargs(),
                    )
                    text = response.text
                    words = [
                        {"word": str(_get(w, "word")), "start": float(_get(w, "start")), "end": float(_get(w, "end"))}
                        for w in (getattr(response, "words", None) or [])
                    ]
                except Exception as exc:  # noqa: BLE001 - translated below
                    raise translate_error(exc, cfg) from exc
                if not isinstance(text, str):
                    raise BadResponse(f"{cfg.model}: the transcription response had no text.")
                duration = getattr(response, "duration", None)
                return {
                    "text": text,
                    "language": getattr(response, "language", None),
                    "duration": float(duration) if duration is not None else None,
                    "words": words,
                }
        raise AssertionError("unreachable")

    def speak(self, text: str, voice: str = "alloy") -> bytes:
        """Text to speech: the audio bytes the provider returns (WAV is requested; some send MP3)."""
        cfg = self.cfg
        preflight(cfg)
        for attempt in self._retrying():
            with attempt:
                try:
                    response = litellm.speech(input=text, voice=voice, response_format="wav", **self._speech_kwargs())
                    data = response.content
                except Exception as exc:  # noqa: BLE001 - translated below
                    raise translate_error(exc, cfg) from exc
                if not data:
                    raise BadResponse(f"{cfg.model}: the speech response was empty.")
                return bytes(data)
        raise AssertionError("unreachable")


def _get(item: Any, key: str) -> Any:
    return item[key] if isinstance(item, dict) else getattr(item, key)
