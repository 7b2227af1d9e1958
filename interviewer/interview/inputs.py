"""Candidate input: commands, and answers kept as typed, bounded, with a notice for every change.

Answers are untrusted data. Nothing here interprets them or rewrites markup: `a<b`, `Dict<String, int>`
and `&lt;img&gt;` stay exactly as typed, and each boundary escapes them itself (`interviewer.text.escaping`).
Only what no one types is removed (NUL and control characters), and an over-long answer is cut for
scoring with a notice.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

COMMANDS = {
    "/skip": "skip this question",
    "/repeat": "repeat the last question",
    "/why": "explain the last score from its evidence",
    "/retry": "score the last answer again after a judge failure",
    "/end": "end the interview and see the summary",
    "/help": "list the commands",
}


@dataclass
class CleanAnswer:
    text: str
    notices: list[str] = field(default_factory=list)
    original_chars: int = 0

    @property
    def empty(self) -> bool:
        return not self.text.strip()


def parse_command(raw: str) -> str | None:
    """The command word if the input is one of ours (`/skip`, ...), else None."""
    word = raw.strip().split(maxsplit=1)[0].lower() if raw.strip() else ""
    return word if word in COMMANDS else None


def clean_answer(raw: str | bytes, max_chars: int) -> CleanAnswer:
    notices: list[str] = []
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
        notices.append("Your answer contained bytes that are not text; they were replaced.")
    original = len(raw)
    text = raw.replace("\x00", "")
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\t\r")
    if controls:
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\n\t\r")
        notices.append(f"{controls} control character(s) were removed from your answer.")
    if "\ufffd" in text and not notices:
        notices.append("Some characters in your answer could not be read and were replaced.")
    text = text.strip()
    if len(text) > max_chars:
        cut = text[:max_chars].rsplit(" ", 1)[0]
        notices.append(
            f"Your answer was {len(text):,} characters; only the first {len(cut):,} were scored "
            f"(limit {max_chars:,}). Interview answers land better when they are concise."
        )
        text = cut
    if text and not any(ch.isascii() and ch.isalpha() for ch in text):
        notices.append("This interview is conducted in English; answers in other languages may not be scored fairly.")
    return CleanAnswer(text=text, notices=notices, original_chars=original)
