"""Second-stage re-ranking of hybrid candidates: first-stage scores plus lexical and numeric evidence (no model, nothing
downloaded).

No cross-encoder ships inside a PyPI package that loads offline (see evals/retrieval/README.md), so the re-ranker
re-scores the top candidates of the RRF fusion with a linear score over cheap signals:

- **dense**: the candidate's cosine similarity to the query, and **dense rank**: 1 / (1 + its rank in the dense list).
  RRF keeps only ranks, so a chunk that the embedding puts first by a wide margin but BM25 misses (a paraphrase with
  no shared words) loses to chunks that are middling on both sides; the raw cosine keeps that margin.
- **lexical**: the candidate's BM25 score as a share of the best BM25 score for the query.
- **answer sentence**: the best single sentence's share of the query's IDF-weighted content words. A fact stated in
  one sentence of a long chunk is diluted in the chunk's embedding and BM25 score; here it counts in full.
- **quantity answer**: when the query asks for a quantity ("how many days", "what percentage", "how many times
  faster", "how much memory"), whether the chunk states a number with a matching unit.
- **length**: ln of the chunk's length in characters; short tails of a split section carry less of an answer.

The weights were fitted on the dev queries only, by logistic regression over the candidates (relevant or not), and
checked by leave-one-query-out and 5-fold cross-validation inside dev; see evals/retrieval/README.md. A chunk is
analysed once, when it is first a candidate (or all at once by `warm()`), and cached.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

_TOKEN = re.compile(r"\$?\d[\d,]*(?:\.\d+)?(?:%|x\b)?|[a-z]+(?:-[a-z]+)*|%|×|[.!?;:](?=\s|$)|\n")
_BREAK = frozenset(".!?;:\n")
_STOP = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between both
    but by can could did do does doing down during each few for from further had has have having how i if in into is
    it its itself just me more most my myself no nor not now of off on once only or other our out over own same she
    should so some such than that the their them then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours get got really actually
    roughly typically usually much many way ways kind thing things""".split()
)
_NUMBER_WORDS = frozenset(
    """one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty hundred
    thousand million billion half couple dozen""".split()
)
# Unit words that, within three tokens after a number, make the chunk answer a question of that kind.
_UNIT_WORDS: dict[str, frozenset[str]] = {
    "share": frozenset({"percent", "%"}),
    "factor": frozenset({"times", "x", "×"}),
    "time": frozenset(
        """ms millisecond milliseconds second seconds minute minutes hour hours day days week weeks month months
        quarter quarters year years""".split()
    ),
    "memory": frozenset({"gb", "mb", "tb", "byte", "bytes", "gigabyte", "gigabytes"}),
    "rate": frozenset({"request", "requests", "queries", "calls", "rps", "qps"}),
}
_UNIT_KIND = {word: kind for kind, words in _UNIT_WORDS.items() for word in words}
_SHARE_WORDS = frozenset({"half", "majority", "three-quarters", "third"})
# Query cues: which kinds of quantity the question asks for.
_CUES: dict[str, re.Pattern[str]] = {
    "share": re.compile(r"\b(percent|percentage|fraction|share|proportion|what part)\b"),
    "factor": re.compile(r"\bhow many times\b|\b(multiple|speed-?up|factor|fold)\b|\btimes (faster|quicker|slower)\b"),
    "time": re.compile(
        r"\bhow (long|quickly|fast|soon)\b|\bwithin how\b|\bmilliseconds\b|"
        r"\bhow many (ms|milliseconds|seconds|minutes|hours|days|weeks|months|quarters|years)\b"
    ),
    "money": re.compile(r"\b(salary|salaries|pay|paid|earn|earns|compensation|comp|base|cost|costs|price)\b|\$"),
    "memory": re.compile(r"\b(bytes?|gb|gigabytes?|memory|vram)\b"),
    "rate": re.compile(r"\b(requests?|queries|calls) per (second|minute)\b|\bper (minute|second)\b|\bthroughput\b"),
}
_HOW_MANY = re.compile(r"\bhow many ([a-z]+)")
_NOT_COUNTED = frozenset("ms milliseconds seconds minutes hours days weeks months years times".split())


class RerankWeights(BaseModel):
    """How much each signal adds to a candidate's score. Fitted on the dev queries (evals/retrieval/README.md)."""

    depth: int = Field(30, ge=1, le=200, description="How many fused candidates are re-scored.")
    dense: float = Field(1.0, ge=0, description="Weight of the candidate's cosine similarity to the query.")
    dense_rank: float = Field(0.11, ge=0, description="Weight of 1 / (1 + the candidate's 0-based dense rank).")
    lexical: float = Field(0.24, ge=0, description="Weight of the candidate's BM25 score over the query's best.")
    sentence: float = Field(0.6, ge=0, description="Weight of the best answer sentence's share of query words.")
    quantity: float = Field(0.14, ge=0, description="Weight of 'the chunk states a number in the asked-for unit'.")
    length: float = Field(0.046, ge=0, description="Weight of ln(chunk characters), the length clamped to 100-2000.")


@dataclass(frozen=True)
class FirstStage:
    """What the first stage measured for one query: text index -> score, each best first."""

    dense: Mapping[int, float] = field(default_factory=dict)  # cosine similarity of the dense list
    lexical: Mapping[int, float] = field(default_factory=dict)  # BM25 score (every positive one, or the top ones)


@dataclass(frozen=True)
class QuerySignals:
    terms: dict[str, float]  # stemmed content word -> idf
    units: tuple[str, ...]  # kinds of quantity the query asks for
    counted: str | None  # stem of the noun after "how many", e.g. "user"


@dataclass(frozen=True)
class ChunkSignals:
    sentences: tuple[frozenset[str], ...]  # stemmed content words of each sentence
    units: frozenset[str]  # kinds of quantity the chunk states with a number
    counted: frozenset[str]  # stems of the words that follow a number ("17 days" -> "day")


@functools.lru_cache(maxsize=100_000)
def _is_number(token: str) -> bool:
    return token[0].isdigit() or token.startswith("$") or any(p in _NUMBER_WORDS for p in token.split("-"))


@functools.lru_cache(maxsize=100_000)
def _own_units(token: str) -> frozenset[str]:
    """Kinds of quantity a token states by itself: '40%', '3x', 'threefold', '$115k', 'half'."""
    kinds = set()
    if token in _SHARE_WORDS or token.endswith("%"):
        kinds.add("share")
    if token.endswith("fold") or (token[0].isdigit() and token.endswith("x")):
        kinds.add("factor")
    if token.startswith("$") and len(token) > 1:
        kinds.add("money")
    return frozenset(kinds)


class LexicalReranker:
    """Re-scores candidates by sentence-level word coverage and numeric evidence."""

    def __init__(
        self,
        texts: Sequence[str],
        stem: Callable[[str], str],
        weights: RerankWeights | None = None,
        df: Mapping[str, int] | None = None,
    ) -> None:
        """`df`: documents per stemmed word (the BM25 index's counts); computed from `texts` when not given."""
        self.weights = weights or RerankWeights()
        self._texts = texts
        self._stem = functools.lru_cache(maxsize=200_000)(stem)
        self._words = functools.lru_cache(maxsize=200_000)(self._token_words)
        self._cache: dict[int, ChunkSignals] = {}  # shared by every session's searches: written under `_lock`
        self._lock = threading.Lock()
        if df is None:
            counts: dict[str, int] = {}
            for i in range(len(texts)):
                for word in set().union(*self.chunk(i).sentences):
                    counts[word] = counts.get(word, 0) + 1
            df = counts
        n = max(len(texts), 1)
        self._idf = {w: math.log(1 + (n - d + 0.5) / (d + 0.5)) for w, d in df.items()}
        self._default_idf = math.log(1 + (n + 0.5) / 0.5)

    def _token_words(self, token: str) -> tuple[str, ...]:
        """A token's content words: stems of a (hyphenated) word, or a number without its $, % or x."""
        if token[0].isalpha():
            return tuple(self._stem(p) for p in token.split("-") if len(p) > 1 and p not in _STOP)
        if token[0].isdigit() or token.startswith("$"):
            return (token.strip("$%x"),)
        return ()

    def _content(self, tokens: Iterable[str]) -> frozenset[str]:
        return frozenset(w for token in tokens for w in self._words(token))

    def chunk(self, i: int) -> ChunkSignals:
        """Sentences and numeric facts of text i, analysed once."""
        with self._lock:
            cached = self._cache.get(i)
        if cached is not None:
            return cached
        tokens = _TOKEN.findall(self._texts[i].lower())
        sentences: list[frozenset[str]] = []
        current: set[str] = set()
        units: set[str] = set()
        counted: set[str] = set()
        for pos, token in enumerate(tokens):
            if token in _BREAK:
                if current:
                    sentences.append(frozenset(current))
                    current = set()
                continue
            current.update(self._words(token))
            own = _own_units(token)
            if own:
                units.update(own)
            if token == "hour" and pos and tokens[pos - 1] in ("an", "one"):
                units.add("time")
            if not _is_number(token):
                continue
            for after in tokens[pos + 1 : pos + 4]:
                if after in _BREAK:
                    break
                kind = _UNIT_KIND.get(after)
                if kind:
                    units.add(kind)
                if after[0].isalpha():
                    counted.add(self._stem(after))
        if current:
            sentences.append(frozenset(current))
        signals = ChunkSignals(tuple(sentences), frozenset(units), frozenset(counted))
        with self._lock:  # analysed outside the lock; a text two threads analysed at once keeps the first result
            return self._cache.setdefault(i, signals)

    def warm(self) -> None:
        """Analyse every text now rather than when it is first a candidate."""
        for i in range(len(self._texts)):
            self.chunk(i)

    def signals(self, query: str) -> QuerySignals:
        lowered = query.lower()
        terms = {w: self._idf.get(w, self._default_idf) for w in self._content(_TOKEN.findall(lowered))}
        counted = _HOW_MANY.search(lowered)
        noun = counted.group(1) if counted else None
        return QuerySignals(
            terms=terms,
            units=tuple(kind for kind, cue in _CUES.items() if cue.search(lowered)),
            counted=self._stem(noun) if noun and noun not in _NOT_COUNTED else None,
        )

    def features(self, q: QuerySignals, i: int) -> tuple[float, float]:
        """Text i's (best sentence's share of the query's idf, 1.0 if it states a number in an asked-for unit)."""
        c = self.chunk(i)
        total = sum(q.terms.values())
        best = max((sum(v for w, v in q.terms.items() if w in s) for s in c.sentences), default=0.0)
        asked = bool(c.units.intersection(q.units)) or (q.counted is not None and q.counted in c.counted)
        return (best / total if total else 0.0), float(asked)

    def rerank(self, query: str, ranked: list[tuple[int, float]], first: FirstStage) -> list[tuple[int, float]]:
        """Re-score the first `depth` of a best-first (index, score) fused list with the first stage's scores and the
        text signals; the rest keep their order below them."""
        w = self.weights
        head, tail = ranked[: w.depth], ranked[w.depth :]
        if not head:
            return ranked
        q = self.signals(query)
        dense_rank = {i: n for n, i in enumerate(first.dense)}
        # A candidate outside the dense list scores at most its last cosine (and BM25 likewise: 0 when absent).
        dense_floor = min(first.dense.values(), default=0.0)
        best_lexical = max(first.lexical.values(), default=0.0) or 1.0
        scored = []
        for i, _ in head:
            sentence, quantity = self.features(q, i)
            rank = dense_rank.get(i)
            score = (
                w.dense * first.dense.get(i, dense_floor)
                + w.dense_rank * (1.0 / (1 + rank) if rank is not None else 0.0)
                + w.lexical * first.lexical.get(i, 0.0) / best_lexical
                + w.sentence * sentence
                + w.quantity * quantity
                + w.length * math.log(min(max(len(self._texts[i]), 100), 2000))
            )
            scored.append((i, score))
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        # The unscored tail keeps its fused order, strictly below every re-scored candidate.
        floor, top = scored[-1][1], (tail[0][1] if tail else 0.0) or 1.0
        return scored + [(i, floor - 1.0 + 0.5 * score / top) for i, score in tail]
