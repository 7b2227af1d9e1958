"""The rubric judge: one public surface for every caller.

    judge = build(settings)                        # offline (default) or LLM, from the settings
    judge.judge(question, answer) -> Verdict       # one answer (the engine, the app)
    judge.judge_many([(question, answer), ...])    # many answers (interview grade, the evals, bank check)

The app, `interview grade`, the eval suite, the bank's self-consistency check and the Mohler benchmark all go
through `build(...).judge_many` / `.judge`, so a number measured by the evals is the number users get.
`GroundedJudge` wraps the offline or the LLM judge and adds the missed points with the corpus passages that
cover them, so feedback always cites the source material. A per-question entry point takes a `Question`, so
other question kinds can wrap it.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from interviewer.judge.verdict import MissedPoint, PassageRef, Verdict
from interviewer.knowledge.bank import Question
from interviewer.knowledge.retrieval import Passage, Retriever

if TYPE_CHECKING:
    from interviewer.config import Settings

JudgeItem = tuple[Question, str]  # (question with its rubric, the candidate's answer exactly as given)


class Judge(Protocol):
    kind: str

    def judge(self, question: Question, answer: str) -> Verdict: ...


def build(
    settings: Settings, *, embedder: Any = None, retriever: Retriever | None = None, concurrency: int = 4
) -> GroundedJudge:
    """The judge the settings name: offline when `judge_model` is "offline", else the LLM judge (cached on disk).
    `embedder` defaults to the settings' embedding model (offline judge only)."""
    if settings.offline_judge:
        from interviewer.judge.offline import OfflineJudge
        from interviewer.judge.offline_scorer import OfflineScorer
        from interviewer.knowledge.embeddings import get_embedder

        inner: Any = OfflineJudge(OfflineScorer(embedder=embedder or get_embedder(settings.embedding_model)))
    else:
        from interviewer.judge.llm_judge import LLMJudge
        from interviewer.llm import LLM, model_config_from_settings
        from interviewer.llm.recording import recorder_for

        llm = LLM(model_config_from_settings(settings, "judge"), on_exchange=recorder_for(settings))
        inner = LLMJudge(llm, cache_dir=settings.data_dir / "judge-cache", samples=settings.judge_samples)
    return GroundedJudge(inner, retriever, concurrency=concurrency)


def passage_ref(p: Passage, max_chars: int = 600) -> PassageRef:
    text = p.text if len(p.text) <= max_chars else p.text[:max_chars].rsplit(" ", 1)[0] + " …"
    return PassageRef(chunk_id=p.chunk_id, title=p.title, section=p.section, text=text)


class GroundedJudge:
    """Judge + retrieval: every missed or partial key point gets the passage that covers it."""

    def __init__(self, inner: Judge, retriever: Retriever | None, concurrency: int = 4) -> None:
        self.inner = inner
        self.retriever = retriever
        self.kind = inner.kind
        self.concurrency = max(1, concurrency)
        # Shared by every session of the app (one judge per process, called from many threads): both caches are
        # read and written under `_lock`, which is never held across a model call or a search.
        self._lock = threading.Lock()
        self._vectors: dict[str, np.ndarray] = {}
        self._passages: dict[tuple[str, str], list[PassageRef]] = {}  # (question id, key point) -> citations

    def warm(self, question: Question) -> None:
        """Do the answer-independent work for `question` now (the engine calls this in the background
        while the candidate types). Purely an optimisation: a failure here is left to the judge call."""
        try:
            if hasattr(self.inner, "warm"):
                self.inner.warm(question)
            if self.retriever is not None and len(self.retriever) and question.key_points:
                points = [kp.point for kp in question.key_points]
                for point, vector in zip(points, self._point_vectors(points), strict=True):
                    self.passages_for(question, point, vector)
        except Exception:  # noqa: BLE001, S110 - the real judge call reports any error
            pass

    @property
    def model_name(self) -> str:
        return str(getattr(self.inner, "model_name", None) or getattr(getattr(self.inner, "llm", None), "name", "?"))

    def judge(self, question: Question, answer: str) -> Verdict:
        return self.judge_many([(question, answer)])[0]

    def judge_many(self, items: list[JudgeItem]) -> list[Verdict]:
        """Verdicts in input order. The offline judge scores the whole batch in one pass; other judges run per
        answer on `concurrency` threads. A judge that raises yields an error verdict, never a made-up score."""
        if hasattr(self.inner, "judge_many"):
            verdicts = self.inner.judge_many(items)
        elif len(items) == 1:
            verdicts = [self._one(items[0])]
        else:
            with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
                verdicts = list(pool.map(self._one, items))
        for (question, _), verdict in zip(items, verdicts, strict=True):
            if verdict.ok:
                verdict.missed = self.missed_points(question, verdict)
        return verdicts

    def _one(self, item: JudgeItem) -> Verdict:
        try:
            return self.inner.judge(*item)
        except Exception as err:  # noqa: BLE001 - a crashing judge is reported as such
            return Verdict.failed(f"The judge raised {type(err).__name__}: {err}")

    def missed_points(self, question: Question, verdict: Verdict) -> list[MissedPoint]:
        probes = {kp.point: kp.probe for kp in question.key_points}
        missed = [kp.point for kp in verdict.key_points if kp.status != "covered"]
        if not missed:
            return []
        vectors = self._point_vectors(missed) if self.retriever is not None and len(self.retriever) else None
        return [
            MissedPoint(
                point=point,
                probe=probes.get(point, ""),
                passages=self.passages_for(question, point, None if vectors is None else vectors[i]),
            )
            for i, point in enumerate(missed)
        ]

    def _point_vectors(self, points: list[str]) -> np.ndarray:
        """Key-point embeddings, cached: the rubric does not change between turns."""
        with self._lock:
            known = {p: self._vectors[f"kp:{p}"] for p in points if f"kp:{p}" in self._vectors}
        todo = [p for p in dict.fromkeys(points) if p not in known]
        if todo:
            fresh = dict(zip(todo, self.retriever.embedder.encode(todo), strict=True))
            known.update(fresh)
            with self._lock:
                self._vectors.update({f"kp:{p}": v for p, v in fresh.items()})
        return np.stack([known[p] for p in points])

    def _chunk_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored chunk embeddings from Chroma (cached): citing a passage costs no model call."""
        with self._lock:
            known = {cid: self._vectors[cid] for cid in ids if cid in self._vectors}
        todo = [cid for cid in dict.fromkeys(ids) if cid not in known]
        if todo:
            got = self.retriever.collection.get(ids=todo, include=["embeddings"])
            fresh = {
                cid: np.asarray(vector, dtype=np.float32)
                for cid, vector in zip(got["ids"], got["embeddings"], strict=True)
            }
            known.update(fresh)
            with self._lock:
                self._vectors.update(fresh)
        return {cid: known[cid] for cid in ids if cid in known}

    def passages_for_citation(self, doc: str, section: str) -> list[PassageRef]:
        """The first passage of a cited corpus section ("why this question")."""
        if self.retriever is None:
            return []
        return [passage_ref(p) for p in self.retriever.chunks_for(doc, section)[:1]]

    def passages_for(
        self, question: Question, point: str, vector: np.ndarray | None = None, k: int = 1
    ) -> list[PassageRef]:
        if self.retriever is None or not len(self.retriever):
            return []
        key = (question.id, point)
        if k == 1:  # the corpus does not change during a session
            with self._lock:
                cached = self._passages.get(key)
            if cached is not None:
                return list(cached)
        found = self._find_passages(question, point, vector, k)
        if k == 1:
            with self._lock:
                found = self._passages.setdefault(key, found)
        return list(found)

    def _find_passages(self, question: Question, point: str, vector: np.ndarray | None, k: int) -> list[PassageRef]:
        cited = [p for c in question.citations for p in self.retriever.chunks_for(c.doc, c.section)]
        if cited:
            # Prefer the question's own citations; rank them by closeness to the missed point.
            vector = self.retriever.embedder.encode([point])[0] if vector is None else vector
            stored = self._chunk_vectors([p.chunk_id for p in cited])
            sims = {p.chunk_id: float(vector @ stored[p.chunk_id]) for p in cited if p.chunk_id in stored}
            best = sorted(cited, key=lambda p: -sims.get(p.chunk_id, -1.0))
            if best and sims.get(best[0].chunk_id, -1.0) >= 0.35:
                return [passage_ref(p) for p in best[:k]]
        return [passage_ref(p) for p in self.retriever.search(point, k=k, role=question.loop)]
