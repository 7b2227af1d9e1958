"""Checks shared by both judges: injected text (see `injection`), and evidence that really is in
the answer.

The LLM judge may be fooled into quoting or crediting text the candidate never wrote. `quote_in_answer` lets it
downgrade such key points to `missed`, so a hallucinated quote earns nothing.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from interviewer.judge.injection import detect


def injection_sentences(text: str) -> list[str]:
    """The segments of `text` that address the grader or try to set the score (`injection.detect`)."""
    return [span.text for span in detect(text)]


def strip_injection(text: str) -> tuple[str, bool]:
    """The answer without its flagged segments, and whether there were any. Kept for the LLM judge's prompt;
    the candidate's stored answer is never changed, and the offline judge only gives flagged text no credit."""
    spans = detect(text)
    if not spans:
        return text, False
    kept, pos = [], 0
    for span in spans:
        kept.append(text[pos : span.start])
        pos = span.end
    kept.append(text[pos:])
    return " ".join(" ".join(kept).split()), True


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())


def quote_in_answer(quote: str, answer: str, threshold: float = 0.85) -> bool:
    """True when `quote` appears in `answer`, allowing small differences in punctuation and case."""
    q, a = _normalise(quote), _normalise(answer)
    if not q:
        return False
    if q in a:
        return True
    if len(q) > len(a) + 10:
        return False
    matcher = SequenceMatcher(None, a, q, autojunk=False)
    match = matcher.find_longest_match(0, len(a), 0, len(q))
    return match.size / len(q) >= threshold
