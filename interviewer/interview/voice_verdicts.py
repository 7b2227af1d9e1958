"""Praise or criticism of an answer, in the many ways models put it: before the feedback the judge scores the
answer and the interviewer does not ("great answer", "thorough", "that makes sense", "you nailed it", "you
missed", "you could have", "3/5"). Describing what was said ("Thanks for walking me through ...") is fine."""

from __future__ import annotations

import re

_PRAISE = (
    r"great|good|excellent|solid|strong|nice|thorough|detailed|thoughtful|comprehensive|clear|insightful|impressive|"
    r"fantastic|perfect|brilliant|wonderful|outstanding|superb|terrific|reasonable|decent|fair|weak|vague|"
    r"incomplete|shallow|superficial|well[- ](?:thought[- ]out|structured|reasoned|explained)"
)
_JUDGING = (
    r"great|good|excellent|solid|strong|nice|thorough|thoughtful|comprehensive|insightful|impressive|fantastic|"
    r"perfect|brilliant|wonderful|outstanding|reasonable|decent|weak|vague|incomplete|shallow"
)
_ABOUT = (
    r"answer|response|explanation|point|points|job|work|effort|start|plan|approach|instincts?|overview|summary|"
    r"thinking|breakdown|reasoning|idea|take|walk-?through|understanding|grasp|analysis|insights?|coverage|call|"
    r"question|thought|thoughts|framing|instinct|choice|decision|option|solution|direction|example|story|details?|"
    r"focus|observation|catch|foundation|first step"
)
_VERDICT = re.compile(
    rf"\b(?:{_PRAISE})\s+(?:{_ABOUT})\b"
    r"|\b(?:is an?|was an?|(?:that|this|it)(?:'s| is| was)|(?:sounds|seems|looks) like(?: an?)?)"
    rf"\s+(?:really |very |pretty |quite )?(?:{_JUDGING})\b"
    r"|\bfair enough\b"
    r"|^\W*(?:great|excellent|perfect|nice|good|awesome|fantastic|wonderful|brilliant|impressive|exactly|absolutely|"
    r"correct|right|spot on|well done|nicely done|love (?:it|that)|i like (?:it|that))\b[^.!?\n]{0,40}(?:[!.—–]|$)"
    r"|\byou(?:'ve| have)?\s+(?:really\s+)?(?:nailed|aced|got it right|"
    r"did (?:really |very |so )?(?:well|great|a great job)|demonstrated|showed a|clearly (?:know|understand)|"
    r"missed|forgot|overlooked|left out|didn'?t (?:mention|cover|"
    r"address|consider|talk about)|did not (?:mention|cover|address|consider)|could(?:'ve| have)|should(?:'ve| have)|"
    r"might(?:'ve| have) (?:also )?(?:mentioned|talked|covered|considered))"
    r"|\byou covered\b[^.!?\n]{0,60}\bwell\b"
    r"|\b(?:mostly|almost) there\b|\bon the right track\b|\bspot on\b|\bwell done\b|\bnicely done\b|\bexactly right\b"
    r"|\b(?:that'?s|that is|this is|you'?re|you are|it'?s)\s+(?:exactly |absolutely |quite |entirely |not )?"
    r"(?:right|correct|incorrect|wrong|the right (?:answer|approach|idea|call))\b|\bnot quite\b"
    r"|\bis the (?:way to go|right (?:answer|approach|call))\b|\bmakes (?:a lot of |perfect |total )?sense\b(?! to)"
    r"|\b\d(?:\.\d)?\s*/\s*(?:5|10)\b|\b\d+\s+out of\s+(?:5|10)\b|\byou scored\b"
    r"|\bi'?d (?:give|rate|score) (?:that|it|this)\b",
    re.I | re.M,
)


def verdict(text: str) -> str | None:
    """The words that grade the answer, or None."""
    m = _VERDICT.search(text)
    return m.group(0).strip() if m else None
