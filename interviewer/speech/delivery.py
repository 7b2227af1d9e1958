"""Delivery feedback from a transcript's words and timestamps: pace, fillers, long pauses, length, and whether
the answer led with its point.

Definitions (so numbers mean the same everywhere):
- words per minute: words spoken / the time from the first word's start to the last word's end (silence before
  the first word and after the last does not slow the pace); the whole duration when there are no timestamps;
- fillers: um/uh/er/hmm always; "like", "you know", "I mean", "actually" only when set off by a comma (as
  whisper writes a discourse marker: "it's, like, slow" counts, "models like BERT" does not); "basically" and
  "literally" always;
- a long pause: more than 2 s between the end of one word and the start of the next;
- expected length: the question's reference answer, in words; under 40 % of it is short, over 175 % is long;
- led with its point: the first key point the judge found (its quoted evidence) starts in the first 25 % of
  the answer or in its first two sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Any, Literal

from pydantic import BaseModel, Field

from interviewer.text.rules import split_sentences

FILLER_KEYS = ("um", "uh", "er", "hmm", "like", "you know", "i mean", "basically", "actually", "literally")
PAUSE_S = 2.0
PACE = (110, 170)  # comfortable interview pace, words per minute
FILLERS_PER_MINUTE_OK = 4.0
SHORT, LONG = 0.4, 1.75
_SOUNDS = [
    ("um", re.compile(r"^u+m+$|^m+$")),
    ("uh", re.compile(r"^u+h+$|^a+h+$")),
    ("er", re.compile(r"^e+r+m*$")),
    ("hmm", re.compile(r"^h+m+$|^m+-?hm+$")),
]
_WORD = re.compile(r"[\w']+(?:-[\w']+)*")


class Delivery(BaseModel):
    """How one spoken answer was delivered (voice mode); definitions above."""

    answer_index: int = Field(0, description="Which of the record's answers this was spoken for.")
    duration_s: float = Field(description="Length of the recording in seconds.")
    speaking_s: float = Field(0.0, description="First word's start to last word's end, in seconds.")
    words: int = Field(0, description="Words spoken.")
    words_per_minute: float = Field(0.0, description="Words over the speaking time.")
    filler_words: dict[str, int] = Field(default_factory=dict, description="Count per filler (um, uh, like...).")
    fillers_per_minute: float = Field(0.0, description="All fillers over the speaking time.")
    pauses_over_2s: int = Field(0, description="Gaps of more than 2 s between words.")
    longest_pause_s: float = Field(0.0, description="The longest gap between words.")
    expected_words: int | None = Field(None, description="Words in the question's reference answer.")
    length: Literal["short", "about right", "long"] | None = Field(None, description="Against the expected length.")
    led_with_point: bool | None = Field(None, description="The first key point came in the opening.")
    language: str = Field("en", description="Language the answer was transcribed in.")
    engine: str = Field("", description="Speech-to-text model.")
    edited: bool = Field(False, description="The candidate edited the transcript before sending it.")


def _bare(token: str) -> str:
    return re.sub(r"[^\w' -]", "", token.lower()).strip()


def count_fillers(tokens: Sequence[str]) -> dict[str, int]:
    """Filler counts over transcript tokens that keep their punctuation (`"like,"`)."""
    counts = dict.fromkeys(FILLER_KEYS, 0)
    bare = [_bare(t) for t in tokens]
    for i, word in enumerate(bare):
        raw = tokens[i].strip()
        comma_after = raw.endswith((",", "...", "—", "-"))
        stop_after = raw.endswith((",", ".", "?", "!", "...", "—"))
        for key, pattern in _SOUNDS:
            if pattern.match(word):
                counts[key] += 1
                break
        else:
            if word in ("basically", "literally") or (word in ("like", "actually") and comma_after):
                counts[word] += 1
            elif word == "know" and i and bare[i - 1] == "you" and stop_after:
                counts["you know"] += 1
            elif word == "mean" and i and bare[i - 1] == "i" and comma_after:
                counts["i mean"] += 1
    return counts


def tokens_of(text: str) -> list[str]:
    return [t for t in text.split() if _WORD.search(t)]


def pauses(words: Sequence[Any], threshold: float = PAUSE_S) -> list[float]:
    """Lengths of the gaps between consecutive words longer than `threshold` seconds."""
    gaps = [float(b.start) - float(a.end) for a, b in zip(words, words[1:], strict=False)]
    return [round(g, 2) for g in gaps if g > threshold]


def measure(text: str, words: Sequence[Any], duration_s: float) -> dict[str, Any]:
    """The numbers `interview transcribe --json` prints: pace, fillers and long pauses."""
    tokens = [w.word for w in words] if words else tokens_of(text)
    n = len(tokens_of(" ".join(tokens)))
    span = float(words[-1].end) - float(words[0].start) if words else duration_s
    long_pauses = pauses(words) if words else []
    fillers = count_fillers(tokens)
    minutes = span / 60 if span > 0 else 0.0
    return {
        "words": n,
        "speaking_s": round(span, 2),
        "words_per_minute": round(n / minutes, 1) if minutes else 0.0,
        "filler_words": fillers,
        "fillers_per_minute": round(sum(fillers.values()) / minutes, 2) if minutes else 0.0,
        "pauses_over_2s": len(long_pauses),
        "longest_pause_s": max(long_pauses, default=0.0),
    }


def led_with_point(answer: str, evidence: Sequence[str]) -> bool | None:
    """Whether the earliest quoted key point starts in the opening of the answer (None: nothing to locate)."""
    text = " ".join(answer.split()).lower()
    starts = [pos for quote in evidence if quote.strip() and (pos := _find(" ".join(quote.split()).lower(), text)) >= 0]
    if not text or not starts:
        return None
    sentences = split_sentences(text, newlines="none", strip=False)
    opening = len(" ".join(sentences[:2])) if len(sentences) > 2 else len(text)
    return min(starts) <= max(opening, int(0.25 * len(text)))


def _find(quote: str, text: str) -> int:
    pos = text.find(quote)
    if pos >= 0:
        return pos
    match = SequenceMatcher(None, text, quote, autojunk=False).find_longest_match(0, len(text), 0, len(quote))
    return match.a if match.size >= max(12, 0.6 * len(quote)) else -1


def assess(
    text: str,
    words: Sequence[Any],
    duration_s: float,
    *,
    reference_answer: str | None = None,
    evidence: Sequence[str] | None = None,
    engine: str = "",
    language: str = "en",
    edited: bool = False,
    answer_index: int = 0,
) -> Delivery:
    """Delivery of one spoken answer; `evidence` is the judge's quotes for the key points it found covered."""
    numbers = measure(text, words, duration_s)
    expected = len(reference_answer.split()) if reference_answer else None
    length = None
    if expected:
        ratio = numbers["words"] / expected
        length = "short" if ratio < SHORT else "long" if ratio > LONG else "about right"
    return Delivery(
        duration_s=round(duration_s, 2),
        expected_words=expected,
        length=length,
        led_with_point=led_with_point(text, evidence) if evidence is not None else None,
        engine=engine,
        language=language,
        edited=edited,
        answer_index=answer_index,
        **numbers,
    )


def feedback(d: Delivery) -> list[str]:
    """Plain-language delivery notes, most useful first."""
    notes: list[str] = []
    if d.words == 0:
        return ["No speech to assess."]
    low, high = PACE
    if d.words_per_minute > high:
        notes.append(f"Pace {d.words_per_minute:.0f} words/min is fast (aim for {low}-{high}): slow down and pause.")
    elif d.words_per_minute < low:
        notes.append(f"Pace {d.words_per_minute:.0f} words/min is slow (aim for {low}-{high}).")
    else:
        notes.append(f"Pace {d.words_per_minute:.0f} words/min is comfortable.")
    used = {k: v for k, v in d.filler_words.items() if v}
    if d.fillers_per_minute > FILLERS_PER_MINUTE_OK:
        top = ", ".join(f'"{k}" ×{v}' for k, v in sorted(used.items(), key=lambda kv: -kv[1])[:3])
        notes.append(f"{d.fillers_per_minute:.1f} filler words per minute ({top}): a silent pause works better.")
    elif used:
        notes.append(f"Few filler words ({sum(used.values())}).")
    if d.pauses_over_2s:
        notes.append(f"{d.pauses_over_2s} pause(s) over 2 s (longest {d.longest_pause_s:.1f} s).")
    if d.length == "short":
        notes.append(f"Short: {d.words} words where a full answer is about {d.expected_words}.")
    elif d.length == "long":
        notes.append(f"Long: {d.words} words where about {d.expected_words} cover it; lead with the point, then stop.")
    if d.led_with_point is False:
        notes.append("The answer did not lead with its point: say the main idea in the first sentence.")
    elif d.led_with_point:
        notes.append("Led with the point.")
    return notes


def summary_line(d: Delivery) -> str:
    """One line for reports: the numbers."""
    led = {True: "led with the point", False: "did not lead with the point", None: ""}[d.led_with_point]
    parts = [
        f"{d.duration_s:.0f} s",
        f"{d.words_per_minute:.0f} words/min",
        f"{sum(d.filler_words.values())} filler(s)",
        f"{d.pauses_over_2s} pause(s) > 2 s",
        f"length {d.length}" if d.length else "",
        led,
    ]
    return " · ".join(p for p in parts if p)
