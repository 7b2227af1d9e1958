"""Text rules shared across the package: sentences, stop words, stems and markup.

One splitter (`split_sentences`) whose options say where a caller's sentences genuinely differ (a posting's
"; " joins clauses, a voice reply's `?"` ends a sentence, a corpus chunk keeps single line breaks), one stop-word
list (scikit-learn's English list, `stop_words()`, which callers extend with their own domain words), one
stemmer (Snowball English through PyStemmer, `stem`) and one markup stripper (`strip_markup`).
"""

from __future__ import annotations

import html
import re
import threading
from functools import cache, lru_cache
from typing import Literal

import Stemmer

Newlines = Literal["line", "paragraph", "block", "none"]
# where a line break ends a sentence: every break, a blank line, a blank line or a line starting a list/table/heading
_NEWLINES: dict[str, str] = {
    "line": r"\n+",
    "paragraph": r"\n\s*\n",
    "block": r"\n\s*\n|\n(?=\s*[-*|#])",
    "none": "",
}


@lru_cache(maxsize=32)
def _splitter(ends: str, closers: str, starts: str, newlines: Newlines, bullets: bool) -> re.Pattern[str]:
    after = f"[{re.escape(closers)}]*" if closers else ""
    ahead = f"(?=[{starts}])" if starts else ""
    parts = [rf"(?<=[{re.escape(ends)}]){after}\s+{ahead}", _NEWLINES[newlines]]
    if bullets:
        parts.append(r"\s+(?=[-*•]\s)")  # an inline bullet: "... - next point"
    return re.compile("|".join(p for p in parts if p))


def split_sentences(
    text: str,
    *,
    ends: str = ".!?",
    closers: str = "",
    starts: str = "",
    newlines: Newlines = "line",
    bullets: bool = False,
    strip: bool = True,
) -> list[str]:
    """The non-blank sentences of `text`: cut after `ends` plus whitespace, and at line breaks as `newlines` says.

    `closers`: characters that may stand between the end mark and the space (`?" Then`); they go with the cut.
    `starts`: a regex character class the next sentence must begin with ("A-Z": "e.g. the" is not a cut).
    `bullets`: an inline " - " or " * " bullet starts a sentence. `strip`: trim each sentence's whitespace.
    """
    pattern = _splitter(ends, closers, starts, newlines, bullets)
    return [s.strip() if strip else s for s in pattern.split(text) if s and s.strip()]


@cache
def stop_words() -> frozenset[str]:
    """scikit-learn's English stop words (imported on first use: scikit-learn takes a second to load)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


_local = threading.local()  # a PyStemmer stemmer keeps state between calls: one per thread


def new_stemmer() -> Stemmer.Stemmer:
    """A Snowball English stemmer object of one's own (for libraries that take one, e.g. bm25s); not thread-safe."""
    return Stemmer.Stemmer("english")


def _stemmer() -> Stemmer.Stemmer:
    found = getattr(_local, "stemmer", None)
    if found is None:
        found = _local.stemmer = new_stemmer()
    return found


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball English stem of one lower-case word ("tokens" -> "token", "leakage" -> "leakag")."""
    return _stemmer().stemWord(word)


_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]{0,300}>")


def strip_markup(text: str) -> str:
    """Text without HTML: scripts, styles and tags removed (each leaves a space), entities unescaped.

    For scoring and matching only; candidate answers are stored and shown exactly as typed."""
    return html.unescape(_TAG.sub(" ", _SCRIPT.sub(" ", text)))
