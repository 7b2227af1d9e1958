"""Checks shared by both judges: injection detection and evidence that really is in the answer.

The LLM judge may be fooled into quoting or crediting text the candidate never wrote, or text
that addresses the grader. `verify_evidence` downgrades such key points to `missed`, so neither a
hallucinated quote nor an injected instruction can earn credit.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

_INJECTION_PATTERNS = [
    r"\bignore (all |any |the )?(previous|prior|above|earlier) (instructions|rules|prompts?)\b",
    r"\b(disregard|forget|override) (all |any |the |your )?(previous |prior |above )?(instructions|rubric|rules)\b",
    r"\b(you are|act as|pretend to be) (now )?(a|an|the) (grader|judge|evaluator|assistant)\b",
    r"\b(give|award|assign|output|return|set|rate)\b[^.\n]{0,40}\b(score|grade|mark|rating)s?\b[^.\n]{0,30}\b(5|five|10|ten|full|max(imum)?|perfect)\b",
    r"\b(score|grade|rating)\s*[:=]\s*(5|10|five)\b",
    r"\b(5|five)\s*/\s*5\b",
    r"^\s*(system|assistant|developer)\s*:",
    r"</?(system|instructions?|rubric|answer|candidate_answer)>",
    r"\bnote to (the )?(grader|judge|evaluator|ai|model)\b",
    r"\b(dear|attention|hey) (grader|judge|evaluator|ai|model|llm)\b",
    r"\bthis answer (is|deserves) (perfect|excellent|a 5|full marks)\b",
]
INJECTION_RE = re.compile("|".join(f"(?:{p})" for p in _INJECTION_PATTERNS), re.I | re.M)
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.split(text) if s.strip()]


def injection_sentences(text: str) -> list[str]:
    """Sentences that address the grader or try to set the score."""
    return [s for s in sentences(text) if INJECTION_RE.search(s)]


def strip_injection(text: str) -> tuple[str, bool]:
    """The answer without grader-addressed sentences, and whether any were found."""
    bad = set(injection_sentences(text))
    if not bad:
        return text, False
    return " ".join(s for s in sentences(text) if s not in bad), True


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
