"""Spoken interviews: the interviewer speaks (piper, espeak-ng or a litellm speech model), the candidate answers by
voice (faster-whisper or a litellm transcription model), and delivery is measured from word timestamps.

Importing this package is cheap: the speech engines load on first use (`stt.get_transcriber`, `tts.get_speaker`).
"""

from interviewer.speech.errors import NotAudio, SpeechError, SpeechUnavailable, WeightsMismatch

__all__ = ["NotAudio", "SpeechError", "SpeechUnavailable", "WeightsMismatch"]
