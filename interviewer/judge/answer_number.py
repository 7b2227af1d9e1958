"""The number a numeric answer lands on, and whether it is right.

`final_number(text, unit, question)` ranks the answer's quantities (`numbers.py`): a compatible unit first
(its words for counts such as "users per arm", its dimension for GB, ms, $ ...; an incompatible dimension is
never the answer), then numbers not merely restated from the question, then statements over hypotheticals
("if traffic doubled it would be 50 GB"), then the unit's words and a concluding cue ("so", "≈", "in total",
"the answer is", "rounded up to"), then a softer cue ("about", "="), then the last. A number with neither the
unit nor a cue is a step of the working unless it is the only number. `check_number` compares it with the
bank's answer under an ABSOLUTE tolerance in the question's unit; a range counts when its midpoint does and it
is no wider than twice the tolerance. The interviewer asks for the final number with its unit, so an answer
that ends on a what-if figure without saying "so"/"in total"/"≈" before its answer can be misread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interviewer.judge.numbers import (
    _TOTALISH,
    _WORD,
    SCALES,
    Quantity,
    _stem,
    _unit_of,
    fmt,
    normalise,
    parse_quantities,
    unit_words,
)

_SENTENCE_END = re.compile(r"[.!?;](?=\s)|\n")
_IF = re.compile(r"\b(if|suppose|imagine|unless|had we|were we)\b|^\W*(without|instead|alternatively)\b", re.I)
_WOULD = re.compile(r"\b(would|could|might)\b", re.I)
_STRONG = re.compile(
    r"≈|\b(so|therefore|thus|hence|total|altogether|together|in all|combined|overall|answer|comes? to|"
    r"rounded( up| down)? to|final|"
    r"land(s|ed)? (at|on)|bottom line)\b",
    re.I,
)


@dataclass
class NumberCheck:
    """What the answer's number is and whether it is right. `value` is in the question's unit."""

    found: bool
    within: bool = False
    value: float | None = None
    low: float | None = None
    high: float | None = None
    text: str = ""
    expected: float | None = None
    tolerance: float | None = None
    unit: str = ""
    candidates: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if not self.found:
            return f"No final number in {self.unit} was found in the answer."
        said = f'you said "{self.text}"'
        if self.low is not None and self.high is not None and self.low != self.high:
            said += f" ({fmt(self.low)} to {fmt(self.high)} {self.unit})"
        elif self.value is not None:
            said += f" ({fmt(self.value)} {self.unit})"
        verdict = "within tolerance" if self.within else "outside tolerance"
        return f"{said}; expected {fmt(self.expected)} ± {fmt(self.tolerance)} {self.unit}: {verdict}."


def _question_unit(unit: str) -> tuple[str | None, float, float]:
    """(dimension, factor to its base unit, scale of a count unit such as "million parameters")."""
    words = re.findall(r"%|\$|[A-Za-z]+", unit)
    if words and _unit_of(words[0]):
        dim, factor = _unit_of(words[0])  # type: ignore[misc]
        return dim, factor, 1.0
    if words and words[0] in SCALES:
        return None, 1.0, SCALES[words[0]]
    return None, 1.0, 1.0


def _sentence(text: str, at: int) -> str:
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, at)]
    begin = starts[-1] if starts else 0
    end = _SENTENCE_END.search(text, at)
    return text[begin : end.start() if end else len(text)]


def final_number(text: str, unit: str, question: str = "") -> tuple[Quantity | None, float, list[Quantity]]:
    """The quantity the answer lands on, its value converted to `unit`'s scale, and every quantity found."""
    qdim, qfactor, qscale = _question_unit(unit)
    given = {(q.dim, round(q.value, 6)) for q in parse_quantities(normalise(question))} if question else set()
    wanted = unit_words(unit) - ({w for w in unit_words(unit) if _unit_of(w)} if qdim else set())
    per_unit = bool(re.search(r"\bper\b|/", unit))
    scored: list[tuple[tuple[float, ...], Quantity]] = []
    text = normalise(text)
    quantities = parse_quantities(text)
    for q in quantities:
        if q.dim is not None and q.dim != qdim:
            continue  # "80 ms" is not an answer in GB
        words = _WORD.findall(q.tail.lower())[:5]
        tail = {_stem(w) for w in words}
        match = float(len(wanted & tail))
        if per_unit:  # "users per arm": a total is another quantity
            match -= 0.5 * len((_TOTALISH - wanted) & tail)
        elif words[:1] == ["per"] or q.tail.lstrip().startswith("/"):  # "GB": "0.5 MB per token" is a rate
            match -= 0.5
        sentence = _sentence(text, q.start)
        hypothetical = 2 if _IF.search(sentence) else (1 if _WOULD.search(sentence) else 0)
        restated = int((q.dim, round(q.value, 6)) in given)
        strong = bool(_STRONG.search(text[max(0, q.start - 50) : q.start].split(";")[-1]))
        compatible = int(qdim is not None and q.dim == qdim)
        scored.append(((compatible, -restated, -hypothetical, match + 1.5 * strong, int(q.cue), q.start), q))
    # A number with neither the unit nor a concluding cue is a step of the working ("z values 1.96 and 0.84"),
    # not the answer, unless it is the only number given ("31,000").
    answers = [s for s in scored if s[0][0] or s[0][3] > 0 or s[0][4]] or (scored if len(scored) == 1 else [])
    if not answers:
        return None, 0.0, quantities
    best = max(answers, key=lambda s: s[0])[1]
    if best.dim is not None and qdim is not None:
        convert = best.factor / qfactor
    else:  # "201M" for "million parameters" is 201; a bare 201 is taken as written in the unit
        convert = 1.0 / qscale if best.scale > 1.0 else 1.0
    return best, convert, quantities


def check_number(text: str, expected: float, tolerance: float, unit: str, question: str = "") -> NumberCheck:
    best, convert, quantities = final_number(text, unit, question)
    candidates = [q.text for q in quantities]
    if best is None:
        return NumberCheck(found=False, expected=expected, tolerance=tolerance, unit=unit, candidates=candidates)
    value, low, high = best.value * convert, best.low * convert, best.high * convert
    return NumberCheck(
        found=True,
        within=within(value, low, high, expected, tolerance),
        value=value,
        low=low,
        high=high,
        text=best.text,
        expected=expected,
        tolerance=tolerance,
        unit=unit,
        candidates=candidates,
    )


def within(value: float, low: float, high: float, expected: float, tolerance: float) -> bool:
    """A point within ± tolerance is right; so is a range whose midpoint is and that is no wider than 2 x tolerance."""
    slack = tolerance * (1 + 1e-9)
    return abs(value - expected) <= slack and (high - low) <= 2 * slack
