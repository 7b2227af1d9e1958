"""Speech errors: each `str(err)` is one line a user can act on (the CLI prints it, the app shows it)."""

from __future__ import annotations


class SpeechError(Exception):
    """Base class for everything that can go wrong turning audio into text or text into audio."""


class NotAudio(SpeechError):
    """The input could not be decoded as audio (not a sound file, corrupt, or empty)."""


class SpeechUnavailable(SpeechError):
    """A speech engine cannot run here: weights missing, a package or espeak-ng not installed."""


class WeightsMismatch(SpeechUnavailable):
    """Model weights on disk differ from the pinned sha256: they are refused, never loaded."""
