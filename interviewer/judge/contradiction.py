"""Wrong claims in the right vocabulary: the offline judge's contradiction guards.

Token-level evidence credits an answer for using a key point's words, also when it uses them to say the
opposite ("monitoring per segment is not needed") or to state a different number ("7B in bf16 is 14 GB, it fits"
against "about 16 bytes per parameter, roughly 112 GB"). Two rules, both general and deterministic, keep such
text from earning credit; the scorer also charges what it would have earned (`contradiction_penalty`), as graders
pull an answer down for a wrong claim even when other points are right:

- **Dismissal** (`negation_mask`, `polar_recall`): a word of the answer inside a clause that dismisses what it
  names ("you do not need to record X", "X doesn't matter", "X is irrelevant", "no need for X", "X is obsolete")
  is no evidence for a key-point word, unless the key point's own clause is negative too ("accuracy is
  meaningless here" agrees with "accuracy is useless here"). A plain prohibition ("never fit the scaler on the
  test set") is not a dismissal: it usually states the point. Partial answers that agree lose nothing.
- **Conflicting quantities** (`quantity_conflict`): when a key point states quantities in bytes, money or FLOPs
  (results of arithmetic) and the answer states quantities in the same unit that it did not copy from the
  question, none of which is within a factor of 1.5 of the key point's, the answer's arithmetic reached
  another result: that point is contradicted, not covered.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from interviewer.judge.numbers import Quantity, parse_quantities

# A clause that dismisses something: "you do not need to record X", "X doesn't matter", "X is irrelevant",
# "no need for X", "X is basically obsolete", "X won't do much". General English, matched on the clause's words.
DISMISSAL = re.compile(
    r"\b(?:(?:do|does|did|would|will|should)\s*(?:not|n't)\s+(?:really\s+)?(?:need|matter|help|bother|care)"
    r"|(?:don|doesn|didn|won|wouldn|shouldn)'t\s+(?:really\s+)?(?:need|matter|help|bother|care|do much)"
    r"|won't\s+do\s+much|will\s+not\s+do\s+much|needn't|no\s+need|no\s+point|not\s+worth"
    r"|(?:is|are|was|were|'s|'re)\s+(?:not|n't)\s+(?:really\s+)?"
    r"(?:needed|necessary|required|important|an option|useful)"
    r"|(?:isn|aren|wasn|weren)'t\s+(?:really\s+)?(?:needed|necessary|required|important|an option|useful)"
    r"|irrelevant|unnecessary|pointless|useless|obsolete|overkill|a waste of|not\s+(?:really\s+)?an option)\b",
    re.I,
)
# Any negative wording, for the key point's side: a point that is itself negative ("accuracy is meaningless here",
# "says nothing about calibration") may be agreed with by a dismissal ("accuracy is useless here").
NEGATIVE = re.compile(
    r"\b(?:not|no|never|nothing|none|nor|neither|cannot|without|rather than|instead of|meaningless|misleading|"
    r"worthless|fails?|wrong|bad|avoid|unreliable|unsafe)\b|n't\b",
    re.I,
)
BOUNDARIES = frozenset(
    {",", ";", ":", ".", "!", "?", "(", ")", "[", "]", "—", "–", "[CLS]", "[SEP]", "<s>", "</s>"}
    | {"but", "because", "so", "although", "though", "whereas", "while", "yet", "which", "since", "however"}
    | {"if", "unless", "when", "whenever", "otherwise"}
)
STRICT_DIMS = frozenset(
    {"bytes", "usd", "flop"}
)  # results of arithmetic; times, counts and percents are often examples
TOLERANCE = 1.5


def _words(pieces: list[str]) -> str:
    """The clause's text from word pieces: continuations glued, contractions ("doesn ' t") rejoined."""
    text = " ".join(pieces).replace(" ##", "").replace("##", "")
    return re.sub(r"\s*'\s*", "'", text)


def negation_mask(pieces: list[str], broad: bool = False) -> np.ndarray:
    """True for each word piece of a clause that dismisses what it names (`DISMISSAL`), up to the clause breaks;
    with `broad`, of a clause with any negative wording (`NEGATIVE`, for the key point's side)."""
    rule = re.compile(f"{DISMISSAL.pattern}|{NEGATIVE.pattern}", re.I) if broad else DISMISSAL
    mask = np.zeros(len(pieces), dtype=bool)
    start = 0
    for end in [*(i for i, p in enumerate(pieces) if p.lower() in BOUNDARIES), len(pieces)]:
        if end > start and rule.search(_words(pieces[start:end])):
            mask[start:end] = True
        start = end + 1
    return mask


def polar_recall(
    src_toks: np.ndarray,
    w_src: np.ndarray,
    neg_src: np.ndarray,
    tgt_toks: np.ndarray,
    neg_tgt: np.ndarray,
    hit_at: float,
    slope: float,
) -> float:
    """`offline_features.recall` with the hit logistic, where a source word that is asserted earns nothing from
    its best match when that match sits in a negated clause of the target."""
    if not len(tgt_toks) or w_src.sum() <= 0:
        return 0.0
    sims = src_toks @ tgt_toks.T
    best_idx = sims.argmax(axis=1)
    best = sims[np.arange(len(best_idx)), best_idx]
    hit = 1.0 / (1.0 + np.exp(-slope * (best - hit_at)))
    denied = neg_tgt[best_idx] & ~neg_src & (best >= hit_at)  # only real matches are evidence to withdraw
    return float((hit * ~denied) @ w_src / w_src.sum())


@lru_cache(maxsize=4096)
def _strict(text: str) -> tuple[Quantity, ...]:
    try:
        found = parse_quantities(text)  # figures written with digits: "a few thousand dollars" states none
    except Exception:  # noqa: BLE001 - a parse failure means no usable quantities, never a crash
        return ()
    return tuple(q for q in found if q.dim in STRICT_DIMS)


def _base(q: Quantity) -> tuple[float, float]:
    return q.low * q.factor, q.high * q.factor


def _close(a: Quantity, b: Quantity, tolerance: float = TOLERANCE) -> bool:
    (alo, ahi), (blo, bhi) = _base(a), _base(b)
    if alo <= bhi and blo <= ahi:  # overlapping ranges
        return True
    x, y = (alo + ahi) / 2, (blo + bhi) / 2
    if x <= 0 or y <= 0:
        return x == y
    return max(x, y) / min(x, y) <= tolerance


def quantity_conflict(point: str, answer: str, question: str) -> bool:
    """True when the answer states quantities in a unit the key point quantifies, beyond what the question gave,
    and none of them agrees with any of the key point's."""
    given = _strict(question)
    stated = [q for q in _strict(answer) if not any(_close(q, g, 1.01) for g in given)]
    if not stated:
        return False
    expected = [q for q in _strict(point) if not any(_close(q, g, 1.01) for g in given)]
    for dim in {q.dim for q in expected}:
        mine = [q for q in stated if q.dim == dim]
        theirs = [q for q in expected if q.dim == dim]
        if mine and not any(_close(m, t) for m in mine for t in theirs):
            return True
    return False
