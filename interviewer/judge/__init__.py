"""The rubric judge: an offline judge (default) or an LLM judge, behind one small protocol.

`GroundedJudge` wraps either one and adds what both need: the missed points with the corpus
passages that cover them, so feedback always cites the source material.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from interviewer.bank import Question
from interviewer.judge.verdict import MissedPoint, PassageRef, Verdict
from interviewer.retrieval import Passage, Retriever


class Judge(Protocol):
    kind: str

    def judge(self, question: Question, answer: str) -> Verdict: ...


def passage_ref(p: Passage, max_chars: int = 600) -> PassageRef:
    text = p.text if len(p.text) <= max_chars else p.text[:max_chars].rsplit(" ", 1)[0] + " …"
    return PassageRef(chunk_id=p.chunk_id, title=p.title, section=p.section, text=text)


class GroundedJudge:
    """Judge + retrieval: every missed or partial key point gets the passage that covers it."""

    def __init__(self, inner: Judge, retriever: Retriever | None) -> None:
        self.inner = inner
        self.retriever = retriever
        self.kind = inner.kind
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

    def judge(self, question: Question, answer: str) -> Verdict:
        verdict = self.inner.judge(question, answer)
        if verdict.ok:
            verdict.missed = self.missed_points(question, verdict)
        return verdict

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
        todo = [p for p in dict.fromkeys(points) if f"kp:{p}" not in self._vectors]
        if todo:
            for point, vector in zip(todo, self.retriever.embedder.encode(todo), strict=True):
                self._vectors[f"kp:{point}"] = vector
        return np.stack([self._vectors[f"kp:{p}"] for p in points])

    def _chunk_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored chunk embeddings from Chroma (cached): citing a passage costs no model call."""
        todo = [cid for cid in ids if cid not in self._vectors]
        if todo:
            got = self.retriever.collection.get(ids=todo, include=["embeddings"])
            for cid, vector in zip(got["ids"], got["embeddings"], strict=True):
                self._vectors[cid] = np.asarray(vector, dtype=np.float32)
        return {cid: self._vectors[cid] for cid in ids if cid in self._vectors}

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
        if k == 1 and key in self._passages:  # the corpus does not change during a session
            return list(self._passages[key])
        found = self._find_passages(question, point, vector, k)
        if k == 1:
            self._passages[key] = found
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
