"""Quantities in text: "31k", "3.1e4", "about 30 thousand", "28-32k", "$3k", "140 GiB", "800 ms".

`parse_quantities(normalise(text))` finds every number with its scale, its unit (bytes, time, money,
percent, FLOPs, ratios; anything else is a count) and its range partner; spelled-out numbers are turned
into digits with `text2num` first. Which of them is the answer is `answer_number.py`'s business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from text_to_num import alpha2digit

SCALES = {
    "k": 1e3,
    "K": 1e3,
    "thousand": 1e3,
    "M": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "B": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "T": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
}
# unit word (lower case) -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    **{u: ("bytes", f) for u, f in {"byte": 1, "bytes": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12}.items()},
    **{u: ("bytes", f) for u, f in {"pb": 1e15, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}.items()},
    **{u: ("seconds", 1e-9) for u in ("ns", "nanosecond", "nanoseconds")},
    **{u: ("seconds", 1e-6) for u in ("us", "µs", "microsecond", "microseconds")},
    **{u: ("seconds", 1e-3) for u in ("ms", "millisecond", "milliseconds", "msec")},
    **{u: ("seconds", 1.0) for u in ("s", "sec", "secs", "second", "seconds")},
    **{u: ("seconds", 60.0) for u in ("min", "mins", "minute", "minutes")},
    **{u: ("seconds", 3600.0) for u in ("h", "hr", "hrs", "hour", "hours")},
    **{u: ("seconds", 86400.0) for u in ("day", "days")},
    **{u: ("seconds", 604800.0) for u in ("week", "weeks")},
    **{u: ("percent", 1.0) for u in ("%", "percent", "pct", "pp", "percentage")},
    **{u: ("usd", 1.0) for u in ("$", "usd", "dollar", "dollars")},
    **{u: ("ratio", 1.0) for u in ("x", "×", "times", "fold")},
    **{u: ("flop", f) for u, f in {"flop": 1, "flops": 1, "gflop": 1e9, "gflops": 1e9, "tflop": 1e12}.items()},
    **{u: ("flop", f) for u, f in {"tflops": 1e12, "pflop": 1e15, "pflops": 1e15, "eflop": 1e18}.items()},
}
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
MENTION_RE = re.compile(
    r"(?<![\w.])(?<![A-Za-z]-)(?P<cur>\$\s?)?(?P<num>" + _NUM + r")"
    r"(?P<exp>\s?[eE][+-]?\d+|\s?(?:[x×*·]|times)\s?10\s?(?:\^|\*\*)\s?[+-]?\d+|\s?[x×*·]\s?10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)?"
    r"(?P<scale>\s?(?:thousand|million|billion|trillion|mn|bn|tn)\b|(?:[kKMBT])(?![A-Za-z]))?"
)
_UNIT_TOKEN = re.compile(r"\s?(%|×|µs|[A-Za-z]+)")
_CUE = re.compile(
    r"(≈|~|=|\b(so|therefore|thus|hence|answer|result|total|comes? to|roughly|about|around|approximately|"
    r"estimate|land(s|ed)? (at|on)|gives?|get|got|comes? out|works? out|need(s|ed)?|i'?d say|bottom line|"
    r"call it|that'?s)\b"
    r"(\s+(is|are|of|be|would be|at|about|roughly|around))*)\W*$",
    re.I,
)
_TOTALISH = {"total", "overall", "combined", "both", "altogether", "sum"}
_WORD = re.compile(r"[a-z]+")
_SYNONYMS = {"tok": "token", "req": "request", "qps": "query", "rps": "request", "sec": "second", "s": "second"}
_STOP = {"per", "of", "the", "a", "an", "in", "each", "for", "to", "and"}


@dataclass
class Quantity:
    value: float  # in the mention's own unit (scaled); the midpoint of a range
    low: float
    high: float
    dim: str | None  # physical dimension of its unit, or None for a count
    factor: float  # multiply by this to get the dimension's base unit
    text: str  # the words as written
    start: int
    end: int
    tail: str = ""  # the words after it (unit words for counts)
    cue: bool = False
    is_range: bool = False
    scale: float = 1.0  # the multiplier written with it ("k", "e4", "million"), 1.0 if none


def fmt(x: float | None) -> str:
    if x is None:
        return "?"
    if x != 0 and (abs(x) >= 1e7 or abs(x) < 1e-3):
        return f"{x:.3g}"
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def normalise(text: str, threshold: int = 3) -> str:
    """Digits for spelled-out numbers ("thirty thousand" -> "30000"), scale words kept with their digits."""
    text = re.sub(r"\bhalf a (thousand|million|billion)\b", r"0.5 \1", text, flags=re.I)
    text = re.sub(r"\ba (thousand|million|billion)\b", r"1 \1", text, flags=re.I)
    text = re.sub(r"(\d)\s+(thousand|million|billion|trillion)\b", lambda m: m[1] + SUFFIX[m[2].lower()], text)
    text = alpha2digit(text, "en", threshold=threshold)  # isolated small numbers ("one of") stay words
    # text2num writes "one point two million" as "1.2 1000000": join the two back into one number
    return re.sub(r"(\d+(?:\.\d+)?) (1000|1000000|1000000000)\b", lambda m: f"{float(m[1]) * int(m[2]):g}", text)


SUFFIX = {"thousand": "k", "million": "M", "billion": "B", "trillion": "T"}


def _unit_of(word: str) -> tuple[str, float] | None:
    return UNITS.get(word.lower()) if word not in ("B", "T", "M", "K") else None


def _stem(word: str) -> str:
    """A unit word's singular, abbreviations spelled out. Not `interviewer.text.rules.stem`: Snowball keeps an acronym's
    plural ("gpus"), so "8 GPUs" would not match "per GPU"."""
    word = _SYNONYMS.get(word, word)
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def unit_words(unit: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(unit.lower().replace("/", " per ")) if w not in _STOP}


_YEAR_BEFORE = re.compile(r"\b(in|since|by|until|year|of|from|early|late|mid)\s*$", re.I)


def parse_quantities(text: str) -> list[Quantity]:
    """Every number in `text` (already normalised) with its scale, unit and range partner merged."""
    found: list[Quantity] = []
    for m in MENTION_RE.finditer(text):
        raw = float(m["num"].replace(",", ""))
        value = raw
        if m["exp"]:
            power = re.search(r"(?:[eE]|10\s?(?:\^|\*\*)?)\s?([+-]?\d+)\s*$", m["exp"].translate(_SUPERSCRIPT))
            value *= 10 ** int(power[1]) if power else 1
        scale = (m["scale"] or "").strip()
        if scale:
            value *= SCALES.get(scale, SCALES.get(scale.lower(), 1.0))
        end = m.end()
        dim, factor = ("usd", 1.0) if m["cur"] else (None, 1.0)
        token = _UNIT_TOKEN.match(text, end)
        if not m["cur"] and token and _unit_of(token[1]):
            dim, factor = _unit_of(token[1])  # type: ignore[misc]
            end = token.end()
        before = text[max(0, m.start() - 40) : m.start()]
        plain = not (m["exp"] or scale or dim or "," in m["num"] or "." in m["num"])
        if plain and 1950 <= raw <= 2099 and _YEAR_BEFORE.search(before):
            continue  # "in 2024" is a date, not an estimate
        found.append(
            Quantity(
                value=value,
                low=value,
                high=value,
                dim=dim,
                factor=factor,
                text=text[m.start() : end].strip(),
                start=m.start(),
                end=end,
                tail=re.split(r"[\d$]", text[end : end + 40], maxsplit=1)[0],  # its own words, not the next number's
                cue=bool(_CUE.search(before)),
                scale=value / raw if raw and (m["exp"] or scale) else 1.0,
            )
        )
    return _merge_ranges(text, found)


_RANGE_GAP = re.compile(r"^\s*(?:-|–|—|to|~)\s*$")
_AND_GAP = re.compile(r"^\s*and\s*$")
_PLUS_MINUS = re.compile(r"^\s*(?:±|\+/-|\+-)\s*$")


def _merge_ranges(text: str, qs: list[Quantity]) -> list[Quantity]:
    """ "28-32k", "between 28 and 32 thousand", "30k ± 2k" become one range; "from 800 ms to 300 ms" does not."""
    out: list[Quantity] = []
    i = 0
    while i < len(qs):
        a, b = qs[i], (qs[i + 1] if i + 1 < len(qs) else None)
        gap = text[a.end : b.start] if b is not None else ""
        lead = text[max(0, a.start - 12) : a.start].lower()
        ranged = bool(_RANGE_GAP.match(gap)) and "from" not in lead
        ranged = ranged or (bool(_AND_GAP.match(gap)) and "between" in lead)
        plus_minus = bool(_PLUS_MINUS.match(gap))
        if b is None or not (ranged or plus_minus):
            out.append(a)
            i += 1
            continue
        if a.dim is None and b.dim is not None:
            a = replace(a, dim=b.dim, factor=b.factor)
        if a.scale == 1.0 and b.scale > 1.0 and a.value * b.scale <= b.value * 1.0001 and not plus_minus:
            a = replace(a, value=a.value * b.scale, scale=b.scale)  # "28-32k": the scale is written once
        if plus_minus and b.scale == 1.0 and a.scale > 1.0:
            b = replace(b, value=b.value * a.scale)
        low, high = (a.value - b.value, a.value + b.value) if plus_minus else sorted((a.value, b.value))
        out.append(
            replace(
                b,
                value=(low + high) / 2,
                low=low,
                high=high,
                dim=b.dim or a.dim,
                factor=b.factor if b.dim else a.factor,
                text=text[a.start : b.end].strip(),
                start=a.start,
                cue=a.cue or b.cue,
                is_range=True,
            )
        )
        i += 2
    return out
