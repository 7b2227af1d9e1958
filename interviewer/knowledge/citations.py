"""Citations: the corpus passages behind a question ("why this question") and behind each key point it asks for.

    citer = Citer(retriever)                      # one per process, shared by every session (thread-safe)
    citer.for_question(question, limit=2)         # the first passage of each section the question cites
    citer.for_points(question, ["point", ...])    # {point: [the passage that covers it]}
    citer.prepare(question)                       # look up every key point's passage now (while the candidate types)

A key point's passage is taken from the question's own cited sections when one of them is close enough to the
point (ranked by closeness of the stored chunk embeddings), else from a search of the corpus in the question's
loop. The corpus does not change during a session, so both the vectors and the passages found are cached.
"""

from __future__ import annotations

import threading

import numpy as np
from pydantic import BaseModel, Field

from interviewer.knowledge.bank import Question
from interviewer.knowledge.retrieval import Passage, Retriever

MIN_CITED_SIMILARITY = 0.35  # below this, a search of the whole corpus finds a closer passage than the citations
MAX_PASSAGE_CHARS = 600


class PassageRef(BaseModel):
    """A corpus passage as a verdict or a message cites it."""

    chunk_id: str = Field(description="Corpus chunk id.")
    title: str = Field(description="Document title.")
    section: str = Field(description="Section heading.")
    text: str = Field("", description="The passage text (possibly shortened).")


def passage_ref(p: Passage, max_chars: int = MAX_PASSAGE_CHARS) -> PassageRef:
    """A passage as a verdict or a message shows it: its text cut at a word boundary after `max_chars`."""
    text = p.text if len(p.text) <= max_chars else p.text[:max_chars].rsplit(" ", 1)[0] + " …"
    return PassageRef(chunk_id=p.chunk_id, title=p.title, section=p.section, text=text)


class Citer:
    """Looks up and caches citations over one retriever. Every cache is read and written under `_lock`, which is
    never held across a model call or a search, so sessions on other threads are not kept waiting."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever
        self._lock = threading.Lock()
        self._points: dict[str, np.ndarray] = {}  # key point text -> its embedding
        self._chunks: dict[str, np.ndarray] = {}  # chunk id -> its stored embedding
        self._passages: dict[tuple[str, str], list[PassageRef]] = {}  # (question id, key point) -> citation

    def for_citation(self, doc: str, section: str) -> list[PassageRef]:
        """The first passage of a cited corpus section (none when the index lacks it)."""
        return [passage_ref(p) for p in self.retriever.chunks_for(doc, section)[:1]]

    def for_question(self, question: Question, limit: int | None = None) -> list[PassageRef]:
        """The "why this question" passages: the first passage of each of its (first `limit`) cited sections."""
        return [p for c in question.citations[:limit] for p in self.for_citation(c.doc, c.section)]

    def for_points(self, question: Question, points: list[str]) -> dict[str, list[PassageRef]]:
        """For each key point of `question`, the passage that covers it (an empty list when the index is empty)."""
        if not len(self.retriever):
            return {point: [] for point in points}
        with self._lock:
            found = {p: self._passages[(question.id, p)] for p in points if (question.id, p) in self._passages}
        todo = [p for p in dict.fromkeys(points) if p not in found]
        if todo:
            for point, vector in zip(todo, self._point_vectors(todo), strict=True):
                passages = self._find(question, point, vector)
                with self._lock:  # two threads may find the same point at once: the first one stored wins
                    found[point] = self._passages.setdefault((question.id, point), passages)
        return {point: list(found[point]) for point in points}

    def prepare(self, question: Question) -> None:
        """Look up the passages of all of `question`'s key points now, so a verdict later finds them cached."""
        if question.key_points:
            self.for_points(question, [kp.point for kp in question.key_points])

    def _point_vectors(self, points: list[str]) -> np.ndarray:
        """Key-point embeddings, cached: the rubric does not change between turns."""
        with self._lock:
            known = {p: self._points[p] for p in points if p in self._points}
        todo = [p for p in dict.fromkeys(points) if p not in known]
        if todo:
            fresh = dict(zip(todo, self.retriever.embed(todo), strict=True))
            known.update(fresh)
            with self._lock:
                self._points.update(fresh)
        return np.stack([known[p] for p in points])

    def _chunk_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored chunk embeddings (cached): ranking a question's cited passages costs no model call."""
        with self._lock:
            known = {cid: self._chunks[cid] for cid in ids if cid in self._chunks}
        todo = [cid for cid in dict.fromkeys(ids) if cid not in known]
        if todo:
            fresh = self.retriever.stored_vectors(todo)
            known.update(fresh)
            with self._lock:
                self._chunks.update(fresh)
        return {cid: known[cid] for cid in ids if cid in known}

    def _find(self, question: Question, point: str, vector: np.ndarray) -> list[PassageRef]:
        cited = [p for c in question.citations for p in self.retriever.chunks_for(c.doc, c.section)]
        if cited:
            # Prefer the question's own citations; rank them by closeness to the point.
            stored = self._chunk_vectors([p.chunk_id for p in cited])
            sims = {p.chunk_id: float(vector @ stored[p.chunk_id]) for p in cited if p.chunk_id in stored}
            best = sorted(cited, key=lambda p: -sims.get(p.chunk_id, -1.0))
            if sims.get(best[0].chunk_id, -1.0) >= MIN_CITED_SIMILARITY:
                return [passage_ref(best[0])]
        return [passage_ref(p) for p in self.retriever.search(point, k=1, role=question.loop)]
