"""Hybrid retrieval over the corpus: dense (Chroma) + BM25 (bm25s), fused by reciprocal rank fusion (RRF), then
re-ranked with the two sides' scores and lexical and numeric evidence (interviewer/knowledge/rerank.py).

Every stage stays selectable so they can be compared (see evals/retrieval/README.md): `rerank` (the default, best
on the dev queries), `hybrid` (RRF alone, with the usual k=60, untuned), `dense` and `bm25`.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Literal

import bm25s
import numpy as np

from interviewer.knowledge.embeddings import Embedder
from interviewer.knowledge.rerank import FirstStage, LexicalReranker
from interviewer.text.rules import new_stemmer

Mode = Literal["rerank", "hybrid", "dense", "bm25"]
MODES: tuple[Mode, ...] = ("rerank", "hybrid", "dense", "bm25")
MAX_QUERY_CHARS = 2000
RRF_K = 60  # the constant from Cormack et al. (2009); every k from 10 to 60 is within 0.01 MRR on dev
FUSION_DEPTH = 50  # candidates taken from each side; fixed, so the top 5 do not depend on the k asked for
RERANK_WARM_LIMIT = 2000  # up to this many chunks the re-ranker analyses all of them at load; beyond, on first use


class QueryError(ValueError):
    """The query cannot be searched (for example, it is empty)."""


@dataclass
class Passage:
    chunk_id: str
    text: str
    title: str
    section: str
    source: str
    doc_id: str
    roles: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def cite(self) -> str:
        return f"{self.title} § {self.section}"


class LockedStemmer:
    """PyStemmer's English stemmer behind a lock: its stemmer "has internal state, so must not be called
    concurrently", and one retriever serves every session of the app."""

    def __init__(self) -> None:
        self._stemmer = new_stemmer()
        self._lock = threading.Lock()

    def stemWord(self, word: str) -> str:  # noqa: N802 - PyStemmer's names, which bm25s looks for
        with self._lock:
            return self._stemmer.stemWord(word)

    def stemWords(self, words: list[str]) -> list[str]:  # noqa: N802
        with self._lock:
            return self._stemmer.stemWords(words)


class Retriever:
    """Searches one Chroma collection; the BM25 side is built from the same collection's texts."""

    def __init__(self, collection: Any, embedder: Embedder, mode: Mode = "rerank") -> None:
        if mode not in MODES:
            raise QueryError(f"Unknown search mode {mode!r}: use one of {', '.join(MODES)}.")
        self.collection = collection
        self.embedder = embedder
        self.mode: Mode = mode
        self._stemmer = LockedStemmer()
        self._lock = threading.Lock()
        self._load()

    def _load(self) -> None:
        data = self.collection.get(include=["documents", "metadatas"])
        self.ids: list[str] = list(data["ids"])
        self.texts: list[str] = list(data["documents"] or [])
        self.metas: list[dict[str, Any]] = [m or {} for m in data["metadatas"] or []]
        self._pos = {cid: i for i, cid in enumerate(self.ids)}
        self.bm25 = bm25s.BM25()
        df: dict[str, int] = {}
        if self.ids:
            # Title and heading words count for BM25 too, as they do for the dense side.
            texts = [
                f"{m.get('title', '')} {m.get('section', '')} {t}" for m, t in zip(self.metas, self.texts, strict=True)
            ]
            tokens = self._tokenize(texts)
            self.bm25.index(tokens, show_progress=False)
            df = document_frequencies(tokens)
        self.reranker = LexicalReranker(self.texts, self._stemmer.stemWord, df=df)
        if len(self.ids) <= RERANK_WARM_LIMIT:  # a small corpus is analysed up front (~0.3 ms a chunk)
            self.reranker.warm()

    def refresh(self) -> None:
        with self._lock:
            self._load()

    def __len__(self) -> int:
        return len(self.ids)

    def _tokenize(self, texts: list[str]) -> Any:
        return bm25s.tokenize(texts, stopwords="en", stemmer=self._stemmer, show_progress=False)

    @staticmethod
    def clean_query(query: str) -> str:
        query = " ".join((query or "").split())
        if not query:
            raise QueryError("The query is empty: type a few words to search for.")
        return query[:MAX_QUERY_CHARS]

    def _allowed(self, i: int, role: str | None) -> bool:
        return role is None or bool(self.metas[i].get(f"role_{role}"))

    def dense(self, query: str, k: int, role: str | None = None) -> list[tuple[int, float]]:
        if not self.ids:
            return []
        vector = self.embedder.encode([query])[0].tolist()
        where = {f"role_{role}": True} if role else None
        result = self.collection.query(
            query_embeddings=[vector], n_results=min(k, len(self.ids)), where=where, include=["distances"]
        )
        return [
            (self._pos[cid], 1.0 - float(dist))
            for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)
            if cid in self._pos
        ]

    def lexical(self, query: str, k: int, role: str | None = None) -> list[tuple[int, float]]:
        if not self.ids:
            return []
        tokens = self._tokenize([query])
        if not tokens.ids or not tokens.ids[0]:
            return []
        docs, scores = self.bm25.retrieve(tokens, k=len(self.ids), show_progress=False)
        hits = [(int(d), float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
        return [(i, s) for i, s in hits if self._allowed(i, role)][:k]

    def search(self, query: str, k: int = 5, role: str | None = None, mode: Mode | None = None) -> list[Passage]:
        """Best first, in `mode` (default: this retriever's). Raises QueryError on an empty query or unknown role
        or mode; long queries are truncated."""
        query = self.clean_query(query)
        mode = mode or self.mode
        if role not in (None, "mle", "llm"):
            raise QueryError(f"Unknown role {role!r}: use mle or llm.")
        if mode not in MODES:
            raise QueryError(f"Unknown search mode {mode!r}: use one of {', '.join(MODES)}.")
        if mode == "dense":
            ranked = self.dense(query, k, role)
        elif mode == "bm25":
            ranked = self.lexical(query, k, role)
        else:
            dense, lexical = self.first_stage(query, max(k, FUSION_DEPTH), role)
            ranked = rrf([dense, lexical[: max(k, FUSION_DEPTH)]])
            if mode == "rerank":
                ranked = self.reranker.rerank(query, ranked, FirstStage(dict(dense), dict(lexical)))
        return [self._passage(i, score) for i, score in ranked[:k]]

    def first_stage(
        self, query: str, depth: int, role: str | None = None
    ) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
        """The dense top `depth` and every chunk BM25 scores above 0 (the re-ranker reads their scores), best first."""
        return self.dense(query, depth, role), self.lexical(query, len(self.ids), role)

    def _passage(self, i: int, score: float) -> Passage:
        meta = self.metas[i]
        return Passage(
            chunk_id=self.ids[i],
            text=self.texts[i],
            title=str(meta.get("title", "")),
            section=str(meta.get("section", "")),
            source=str(meta.get("source", "")),
            doc_id=str(meta.get("doc_id", "")),
            roles=str(meta.get("roles", "")),
            score=round(score, 6),
        )

    def embed(self, texts: list[str]) -> np.ndarray:
        """Texts embedded with the model the index was built with (one row per text)."""
        return np.asarray(self.embedder.encode(texts), dtype=np.float32)

    def stored_vectors(self, chunk_ids: list[str]) -> dict[str, np.ndarray]:
        """The index's stored embeddings of these chunks (ids it does not hold are left out): no model call."""
        if not chunk_ids:
            return {}
        got = self.collection.get(ids=list(dict.fromkeys(chunk_ids)), include=["embeddings"])
        return {
            cid: np.asarray(vector, dtype=np.float32) for cid, vector in zip(got["ids"], got["embeddings"], strict=True)
        }

    def chunks_for(self, doc_id: str, section: str | None = None) -> list[Passage]:
        """Passages of one document (and section): how bank citations resolve to chunk ids."""
        return [
            self._passage(i, 1.0)
            for i, meta in enumerate(self.metas)
            if meta.get("doc_id") == doc_id and (section is None or meta.get("section") == section)
        ]


def document_frequencies(tokens: Any) -> dict[str, int]:
    """Documents per token of a bm25s `Tokenized` corpus (the re-ranker's IDF shares the BM25 index's counts)."""
    words = {i: w for w, i in tokens.vocab.items()}
    counts: Counter[int] = Counter(t for ids in tokens.ids for t in set(ids))
    return {words[i]: n for i, n in counts.items()}


def rrf(rankings: list[list[tuple[int, float]]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of several best-first rankings of the same items: sum of 1 / (k + rank).

    Ties (equal fused score) go to the smaller item index, so results are deterministic.
    """
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (item, _) in enumerate(ranking):
            fused[item] = fused.get(item, 0.0) + 1.0 / (k + rank + 1)
    return sorted(fused.items(), key=lambda pair: (-pair[1], pair[0]))
