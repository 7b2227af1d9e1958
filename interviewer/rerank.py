"""Second-stage re-ranking of hybrid candidates with lexical and numeric evidence (no model, nothing downloaded).

No cross-encoder ships inside a PyPI package that loads offline (see evals/retrieval/README.md), so the re-ranker
scores the top candidates of the RRF fusion with three cheap signals computed on the candidate texts:

- **answer sentence**: the best single sentence's share of the query's IDF-weighted content words. A fact stated in
  one sentence of a long chunk is diluted in the chunk's embedding and BM25 score; here it counts in full.
- **quantity answer**: when the query asks for a quantity ("how many days", "what percentage", "how many times
  faster", "how much memory"), whether the chunk states a number with a matching unit.

The new score is the fused score (scaled to the best candidate) plus the weighted signals. Depth and weights were
chosen on the dev queries only (a third signal, query numbers found in the chunk, added nothing on dev and was
dropped); see evals/retrieval/README.md.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+|\s+-\s+|\s+\*\*")
_WORD = re.compile(r"[a-z0-9][a-z0-9'+.-]*[a-z0-9%]|[a-z0-9%$]")
_STOP = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between both
    but by can could did do does doing down during each few for from further had has have having how i if in into is
    it its itself just me more most my myself no nor not now of off on once only or other our out over own same she
    should so some such than that the their them then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours get got really actually
    roughly about typically usually much many way ways kind thing things""".split()
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|"
    "hundred|thousand|million|billion|half|a couple of|a few|several"
)
_NUM = rf"(?:\$?\d[\d,]*(?:\.\d+)?\s?[kKmMbB]?|\b(?:{_NUMBER_WORDS})\b)"
# Query cue -> what a chunk must contain to answer it (a number and a unit of that kind).
_UNITS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "share": (
        re.compile(r"\b(percent|percentage|fraction|share|proportion|what part)\b"),
        re.compile(rf"{_NUM}\s?(%|percent)|\b(half|a third|a quarter|three-quarters|majority)\b", re.I),
    ),
    "factor": (
        re.compile(r"\bhow many times\b|\b(multiple|speed-?up|factor|fold)\b|\btimes (faster|quicker|slower)\b"),
        re.compile(rf"{_NUM}\s?(x|×)\b|{_NUM}\s?(to {_NUM}\s?)?times\b|\b\w+fold\b", re.I),
    ),
    "time": (
        re.compile(
            r"\bhow (long|quickly|fast|soon)\b|\bwithin how\b|\bhow many "
            r"(ms|milliseconds|seconds|minutes|hours|days|weeks|months|quarters|years)\b|\bmilliseconds\b"
        ),
        re.compile(
            rf"{_NUM}\s?(to {_NUM}\s?)?(-\s?)?(ms|milliseconds?|seconds?|minutes?|hours?|days?|weeks?|months?|"
            r"quarters?|years?)\b|\b(an|one|half an) hour\b",
            re.I,
        ),
    ),
    "money": (
        re.compile(r"\b(salary|salaries|pay|paid|earn|earns|compensation|comp|base|cost|costs|price|\$)\b"),
        re.compile(r"\$\s?\d"),
    ),
    "memory": (
        re.compile(r"\b(bytes?|gb|gigabytes?|memory|vram)\b"),
        re.compile(rf"{_NUM}\s?(gb|mb|tb|bytes?|gigabytes?)\b", re.I),
    ),
    "rate": (
        re.compile(r"\b(requests?|queries|calls) per (second|minute)\b|\bper minute\b|\bper second\b|\bthroughput\b"),
        re.compile(rf"{_NUM}\s+(requests?|queries|calls)\b|{_NUM}\s?(rps|qps)\b", re.I),
    ),
}
_HOW_MANY = re.compile(r"\bhow many ([a-z]+)")
_NOT_COUNTED = frozenset("ms milliseconds seconds minutes hours days weeks months years times".split())


class RerankWeights(BaseModel):
    """How much each signal adds to the fused score (scaled so the best candidate's is 1)."""

    depth: int = Field(20, ge=1, le=200, description="How many fused candidates are re-scored.")
    sentence: float = Field(0.2, ge=0, description="Weight of the best answer sentence's share of query words.")
    quantity: float = Field(0.2, ge=0, description="Weight of 'the chunk states a number in the asked-for unit'.")


@dataclass(frozen=True)
class QuerySignals:
    terms: dict[str, float]  # stemmed content word -> idf
    units: tuple[str, ...]  # unit kinds the query asks for
    counted: str | None  # stem of the noun after "how many", e.g. "user"


class LexicalReranker:
    """Re-scores candidates by sentence-level word coverage and numeric evidence; texts are indexed once."""

    def __init__(self, texts: Sequence[str], stem: Callable[[str], str], weights: RerankWeights | None = None) -> None:
        self.weights = weights or RerankWeights()
        self._stem = functools.lru_cache(maxsize=200_000)(stem)
        self._sentences: list[list[frozenset[str]]] = []
        self._lower: list[str] = []
        df: dict[str, int] = {}
        for text in texts:
            sentences = [frozenset(self._words(s)) for s in _SENTENCE.split(text) if s.strip()]
            self._sentences.append(sentences)
            self._lower.append(text.lower())
            for word in set().union(*sentences) if sentences else ():
                df[word] = df.get(word, 0) + 1
        n = max(len(texts), 1)
        self._idf = {w: math.log(1 + (n - d + 0.5) / (d + 0.5)) for w, d in df.items()}
        self._default_idf = math.log(1 + (n + 0.5) / 0.5)

    def _words(self, text: str) -> list[str]:
        return [self._stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP]

    def signals(self, query: str) -> QuerySignals:
        lowered = query.lower()
        terms = {w: self._idf.get(w, self._default_idf) for w in self._words(query)}
        units = tuple(kind for kind, (cue, _) in _UNITS.items() if cue.search(lowered))
        counted = _HOW_MANY.search(lowered)
        noun = counted.group(1) if counted else None
        return QuerySignals(
            terms=terms, units=units, counted=self._stem(noun) if noun and noun not in _NOT_COUNTED else None
        )

    def features(self, q: QuerySignals, i: int) -> tuple[float, float]:
        """Text i's (best sentence's share of the query's idf, 1.0 if it states a number in an asked-for unit)."""
        total = sum(q.terms.values())
        best = max((sum(v for w, v in q.terms.items() if w in s) for s in self._sentences[i]), default=0.0)
        sentence = best / total if total else 0.0
        text = self._lower[i]
        quantity = 0.0
        if q.units and any(_UNITS[kind][1].search(text) for kind in q.units):
            quantity = 1.0
        if q.counted and re.search(rf"{_NUM}\s+(?:\w+\s+){{0,2}}{re.escape(q.counted)}", text, re.I):
            quantity = 1.0
        return sentence, quantity

    def rerank(self, query: str, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
        """Re-score the first `depth` of a best-first (index, score) list; the rest keep their order below them."""
        w = self.weights
        head, tail = ranked[: w.depth], ranked[w.depth :]
        if not head:
            return ranked
        q = self.signals(query)
        top = head[0][1] or 1.0
        scored = []
        for i, score in head:
            sentence, quantity = self.features(q, i)
            new = score / top + w.sentence * sentence + w.quantity * quantity
            scored.append((i, new))
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        # Signals only add, so every re-scored candidate stays above the unscored tail.
        return scored + [(i, score / top) for i, score in tail]
