"""The rubric judge: an offline judge (default) or an LLM judge, behind one small protocol.

`GroundedJudge` wraps either one and adds what both need: the missed points with the corpus
passages that cover them, so feedback always cites the source material.
"""

from __future__ import annotations

from typing import Protocol

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

    def judge(self, question: Question, answer: str) -> Verdict:
        verdict = self.inner.judge(question, answer)
        if verdict.ok:
            verdict.missed = self.missed_points(question, verdict)
        return verdict

    def missed_points(self, question: Question, verdict: Verdict) -> list[MissedPoint]:
        probes = {kp.point: kp.probe for kp in question.key_points}
        missed = []
        for kp in verdict.key_points:
            if kp.status == "covered":
                continue
            missed.append(
                MissedPoint(
                    point=kp.point, probe=probes.get(kp.point, ""), passages=self.passages_for(question, kp.point)
                )
            )
        return missed

    def passages_for_citation(self, doc: str, section: str) -> list[PassageRef]:
        """The first passage of a cited corpus section ("why this question")."""
        if self.retriever is None:
            return []
        return [passage_ref(p) for p in self.retriever.chunks_for(doc, section)[:1]]

    def passages_for(self, question: Question, point: str, k: int = 1) -> list[PassageRef]:
        if self.retriever is None or not len(self.retriever):
            return []
        cited = [p for c in question.citations for p in self.retriever.chunks_for(c.doc, c.section)]
        if cited:
            # Prefer the question's own citations; rank them by closeness to the missed point.
            vectors = self.retriever.embedder.encode([point, *[p.text for p in cited]])
            best = sorted(range(len(cited)), key=lambda i: -float(vectors[0] @ vectors[i + 1]))
            if float(vectors[0] @ vectors[best[0] + 1]) >= 0.35:
                return [passage_ref(cited[i]) for i in best[:k]]
        return [passage_ref(p) for p in self.retriever.search(point, k=k, role=question.loop)]
