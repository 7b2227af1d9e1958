"""Voice mode tests (interviewer/speech, interviewer/ui/voice_mode.py)."""
