"""Checks shared by both judges: injection detection and evidence that really is in the answer.

The LLM judge may be fooled into quoting or crediting text the candidate never wrote, or text
that addresses the grader. `verify_evidence` downgrades such key points to `missed`, so neither a
hallucinated quote nor an injected instruction can earn credit.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

# Each pattern must address the grader or demand a score for *this* answer: answers about LLM judges
# ("the judge should return a score from 1 to 5") are content, not injection.
_THIS = r"(\b(this|my) (answer|response|submission)\b|\bme\b|\bthe above\b)"
_GRADER = r"(grader|grading model|evaluator|judge|assessor|scorer|marker|examiner|reviewer|ai|model|llm)"
_INJECTION_PATTERNS = [
    # instructions to drop the rules: "ignore previous instructions", "disregard your scoring rubric"
    r"\b(ignore|disregard|forget|override) (all |any |the |your |my |these |previous |prior |above |earlier "
    r"|preceding |scoring |grading |evaluation |system |original )+(instructions|rubric|rules|guidelines|prompts?)\b",
    r"\b(ignore|disregard|forget) (all |any |the |your )?"
    r"(previous|prior|above|earlier|preceding|rubric|grading|system)\b",
    r"\b(you are|act as|pretend to be) (now )?(a|an|the) (grader|judge|evaluator|assistant)\b",
    # addressing whoever grades
    r"\bnote to (the )?" + _GRADER + r"\b",
    r"\b(dear|hey|hello|attention) (the |an |a |my |any )?" + _GRADER + r"\b",
    r"(^|[\s<!\-\[(])(grader|evaluator|judge|assessor)\s*:",
    r"\bto (the|an|a|any) " + _GRADER + r"\b[^.\n]{0,30}"
    r"\b(evaluating|grading|scoring|reading|reviewing|marking|assessing|checking)\b",
    r"\b(as|to) (the|an|a|my) (grader|grading model|evaluator|assessor|scorer|marker)\b[^.\n]{0,60}"
    r"\b(you|must|should|shall|give|award|assign|rate|score)\b",
    r"\b(assistant|system|grader|grading) instructions?\s*:",
    r"^\s*(system|assistant|developer)\s*:",
    r"</?(system|instructions?|rubric|answer|candidate_answer)>",
    r"<\|?(im_start|system|endoftext)\|?>|\[/?INST\]|###\s*(instruction|system)",
    # demands for a score for *this* answer
    r"\b(give|award|assign|output|return|set|rate)\b[^.\n]{0,25}"
    + _THIS
    + r"[^.\n]{0,40}\b(5|five|10|ten|full|max(imum)?|perfect)\b",
    r"\b(give|award|assign|output|return|rate|grade|mark|score)\b[^.\n]{0,25}\b(this|my|me|it)\b[^.\n]{0,40}"
    r"(\b\d+\s*/\s*\d+|\b\d+\s+out\s+of\s+\d+|\bfull (marks|credit|points|score)|\bperfect\b|"
    r"\b(maximum|max|top|highest) (score|grade|marks?|rating)|\b100\s*%)",
    r"\b(grader|grading|evaluator|judge|assessor|scorer|marker|examiner)s?\b[^.\n]{0,80}"
    r"\b(must|should|shall|needs? to|has to|will|output|give|assign|award|rate|score|return)\b"
    r"[^.\n]{0,40}\b(this|my) (answer|response|submission|candidate)\b",
    r"\b(this|my) (answer|response|submission)\b[^.\n]{0,40}\b(deserves?|should|must|receives?|gets?)\b"
    r"[^.\n]{0,30}\b(grade|score|marks?|rating|points|excellent|perfect)\b",
    r"\bthis answer (is|deserves) (perfect|excellent|a 5|full marks)\b",
    r"\b(please )?(make sure|ensure)\b[^.\n]{0,40}\b(grade|score|marks|rating)\b",
    r"\b(score|grade|rating)\s*[:=]\s*\d+(?![.,]\d)",
    r"\"score\"\s*:\s*\d",
    r"\b(5|five)\s*/\s*5\b",
    r"\bgive (it |this |me )?a [45]\b",
    r"\brubric update\b|\bupdated (evaluation|grading) guidelines\b|\bany score below\b",
    r"(^|[.!?:;]\s*)(please )?(do not|don'?t|never) (re-?grade|re-?mark|(re-?score|re-?evaluate) (this|my|it))\b",
    r"\b(do not|don'?t|never) (lower|change|adjust|override|reduce|dock) (this|my) (score|grade|rating|marks?)\b",
    r"\b(automatically|must|should) (receive|get)s? (a )?(score|grade) of \d",
]
INJECTION_RE = re.compile("|".join(f"(?:{p})" for p in _INJECTION_PATTERNS), re.I | re.M)
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.split(text) if s.strip()]


_QUOTE = re.compile(r"[\"“”'‘’]")


_MENTION = re.compile(
    r"\b(like|such as|e\.g\.|for example|example|telling|tells?|says?|saying|typ(e|es|ed|ing)|"
    r"writ(e|es|ing)|asks?|asking|to|of)\W*$",
    re.I,
)
_DEMANDS_SCORE = re.compile(r"\b(score|grade|marks?|rating|points|credit)\b|\b\d+\s*/\s*\d+", re.I)


def is_mention(sentence: str, start: int) -> bool:
    """True when an attack phrase is described (quoted, or after 'like', 'telling the model to', ...)
    rather than aimed at the grader, and the sentence asks for no score."""
    before = sentence[max(0, start - 40) : start]
    quoted = bool(_QUOTE.search(sentence[max(0, start - 2) : start + 1]))
    described = bool(
        _MENTION.search(re.sub(r"\b(the|a|an|model|llm|ai|bot|chatbot|assistant)\b\W*$", "", before.strip()) + " ")
    ) or bool(_MENTION.search(before))
    return (quoted or described) and not _DEMANDS_SCORE.search(sentence)


def injection_sentences(text: str) -> list[str]:
    """Sentences that address the grader or try to set the score. An attack that is described
    ('users type "ignore all previous instructions"') is content, not an instruction."""
    found = []
    for sentence in sentences(text):
        match = INJECTION_RE.search(sentence)
        if match and not is_mention(sentence, match.start()):
            found.append(sentence)
    return found


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
