"""Citations (interviewer/knowledge/citations.py): a missed key point cites the question's own sections when one
is close enough, ranked by closeness, else a search; "why this question" comes from the citer; its caches hold up
when many sessions' threads ask at once."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from interviewer.knowledge.bank import Citation, KeyPoint, Question
from interviewer.knowledge.citations import MIN_CITED_SIMILARITY, Citer, passage_ref
from interviewer.knowledge.retrieval import Passage


def _passage(chunk_id: str) -> Passage:
    doc, section = chunk_id.split("#")[0], chunk_id.split("#")[1].rsplit("-", 1)[0]
    return Passage(chunk_id, f"text of {chunk_id}", doc.title(), section, f"{doc}.md", doc, "mle", 1.0)


class FakeRetriever:
    """Chunks with fixed 2-d vectors; key points embed to given vectors; a search always finds `other#found-1`."""

    CHUNKS = {"doc#cited-1": [0.6, 0.8], "doc#cited-2": [1.0, 0.0], "other#found-1": [0.0, 1.0]}

    def __init__(self, points: dict[str, list[float]]) -> None:
        self.points = points
        self.embedded: list[str] = []
        self.fetched: list[str] = []
        self.searches: list[tuple[str, str | None]] = []
        self._log = threading.Lock()

    def __len__(self) -> int:
        return len(self.CHUNKS)

    def chunks_for(self, doc: str, section: str | None = None) -> list[Passage]:
        return [_passage(c) for c in self.CHUNKS if c.startswith(f"{doc}#{section}-")]

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._log:
            self.embedded += texts
        return np.array([self.points[t] for t in texts], dtype=np.float32)

    def stored_vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        with self._log:
            self.fetched += ids
        return {c: np.array(self.CHUNKS[c], dtype=np.float32) for c in ids if c in self.CHUNKS}

    def search(self, query: str, k: int = 5, role: str | None = None) -> list[Passage]:
        with self._log:
            self.searches.append((query, role))
        return [_passage("other#found-1")][:k]


def _question(bank, qid: str, points: list[str], cites: list[tuple[str, str]]) -> Question:
    base = bank.questions["mle-serving-01"]
    key_points = [KeyPoint(point=p, weight=1 / len(points), probe=f"probe {p}") for p in points]
    citations = [Citation(doc=d, section=s) for d, s in cites]
    return base.model_copy(update={"id": qid, "key_points": key_points, "citations": citations})


def test_a_point_cites_the_closest_passage_of_the_questions_own_section(bank) -> None:
    retriever = FakeRetriever({"close to chunk two": [1.0, 0.0], "far from both": [0.0, -1.0]})
    citer = Citer(retriever)  # type: ignore[arg-type]
    q = _question(bank, "mle-serving-90", ["close to chunk two", "far from both"], [("doc", "cited")])
    got = citer.for_points(q, ["close to chunk two", "far from both"])
    assert [p.chunk_id for p in got["close to chunk two"]] == ["doc#cited-2"]  # 1.0 beats 0.6: closeness, not order
    assert max(-0.8, 0.0) < MIN_CITED_SIMILARITY
    assert [p.chunk_id for p in got["far from both"]] == ["other#found-1"]  # no cited passage is close: a search
    assert retriever.searches == [("far from both", q.loop)]


def test_a_question_without_citations_cites_a_search_in_its_loop(bank) -> None:
    retriever = FakeRetriever({"close to chunk two": [1.0, 0.0]})
    q = _question(bank, "mle-serving-91", ["close to chunk two"], [])
    got = Citer(retriever).for_points(q, ["close to chunk two"])  # type: ignore[arg-type]
    assert [p.chunk_id for p in got["close to chunk two"]] == ["other#found-1"]
    assert retriever.searches == [("close to chunk two", "mle")]


def test_prepare_looks_everything_up_once_so_a_verdict_costs_no_model_call(bank) -> None:
    retriever = FakeRetriever({"close to chunk two": [1.0, 0.0], "far from both": [0.0, -1.0]})
    citer = Citer(retriever)  # type: ignore[arg-type]
    q = _question(bank, "mle-serving-92", ["close to chunk two", "far from both"], [("doc", "cited")])
    citer.prepare(q)
    calls = (list(retriever.embedded), list(retriever.fetched), list(retriever.searches))
    assert sorted(calls[0]) == ["close to chunk two", "far from both"]
    again = citer.for_points(q, ["far from both", "close to chunk two", "far from both"])
    assert (retriever.embedded, retriever.fetched, retriever.searches) == calls  # all from the cache
    assert [p.chunk_id for v in again.values() for p in v] == ["other#found-1", "doc#cited-2"]


def test_why_this_question_comes_from_the_citer_in_the_engine_and_the_report(bank) -> None:
    from interviewer.config import Settings
    from interviewer.interview.engine import Interview
    from interviewer.interview.state import InterviewState
    from interviewer.interview.voice import TemplateVoice
    from interviewer.judge import GroundedJudge
    from interviewer.services import Services
    from tests.conftest import FakeJudge

    citer = Citer(FakeRetriever({}))  # type: ignore[arg-type]
    q = _question(bank, "mle-serving-93", ["close to chunk two"], [("doc", "cited"), ("other", "found")])
    assert [p.chunk_id for p in citer.for_question(q)] == ["doc#cited-1", "other#found-1"]  # first of each section
    assert [p.chunk_id for p in citer.for_question(q, limit=1)] == ["doc#cited-1"]

    cited = next(q for q in bank.questions.values() if q.citations and q.loop == "mle")
    state = InterviewState(loop="mle", level="mid", n_questions=1, id="citeseed", fixed_questions=[cited.id])
    calls: list[tuple[str, int | None]] = []

    def for_question(question: Question, limit: int | None = None) -> list:
        calls.append((question.id, limit))
        return [passage_ref(_passage("doc#cited-1"))]

    citer.for_question = for_question  # type: ignore[method-assign]
    interview = Interview(state, bank, GroundedJudge(FakeJudge([4.0]), None), TemplateVoice(), citer=citer)
    question = next(m for m in interview.start() if m.kind == "question")
    assert calls == [(cited.id, 2)] and [p.chunk_id for p in question.passages] == ["doc#cited-1"]

    def services(citer: Citer | None) -> Services:  # only what the report's citations need
        return Services(Settings(_env_file=None), None, None, None, bank, None, None, citer=citer)  # type: ignore[arg-type]

    assert [p.chunk_id for p in services(citer).cited_passages(cited.id)] == ["doc#cited-1"]
    assert calls[-1] == (cited.id, None)  # the report shows every cited section
    assert services(None).cited_passages(cited.id) == []


def test_one_citer_gives_eight_threads_the_sequential_citations(bank, fast_switching) -> None:
    rng = random.Random(18)
    vectors = {f"key point number {i}": [rng.uniform(-1, 1), rng.uniform(-1, 1)] for i in range(12)}
    questions = [
        _question(bank, f"mle-serving-{60 + n}", rng.sample(sorted(vectors), 4), [("doc", "cited")] if n % 2 else [])
        for n in range(6)
    ]
    expected = {q.id: Citer(FakeRetriever(vectors)).for_points(q, [k.point for k in q.key_points]) for q in questions}

    retriever = FakeRetriever(vectors)
    citer = Citer(retriever)  # type: ignore[arg-type]
    jobs = [(q, kind) for q in questions for kind in ("points", "prepare", "some") for _ in range(4)]
    rng.shuffle(jobs)

    def run(job: tuple[Question, str]) -> tuple[str, dict]:
        q, kind = job
        points = [k.point for k in q.key_points]
        if kind == "prepare":
            citer.prepare(q)
        return q.id, citer.for_points(q, points[:2] if kind == "some" else points)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run, jobs))
    for qid, got in results:
        assert {p: [r.chunk_id for r in v] for p, v in got.items()} == {
            p: [r.chunk_id for r in v] for p, v in expected[qid].items() if p in got
        }
    # Every (question, point) is stored once, and what is stored is what the threads were given.
    assert len(citer._passages) == sum(len(q.key_points) for q in questions)
    assert set(retriever.embedded) <= set(vectors) and len(citer._points) == len(set(retriever.embedded))


def test_a_real_index_cites_the_questions_section_over_a_search(bank, corpus_dir: Path, tmp_path: Path) -> None:
    from interviewer.knowledge.embeddings import get_embedder
    from interviewer.knowledge.index import build_index, get_collection, open_client
    from interviewer.knowledge.retrieval import Retriever

    embedder = get_embedder()
    collection = get_collection(open_client(tmp_path / "chroma"), embedder.name)
    build_index([corpus_dir], collection, embedder, progress=False)
    citer = Citer(Retriever(collection, embedder))
    point = "Dynamic batching groups requests arriving within milliseconds to raise GPU throughput."
    llm_question = _question(bank, "llm-serving-01", [point], [("serving", "Batching")]).model_copy(
        update={"loop": "llm"}
    )
    # The batching notes are for the MLE loop only: a search in the LLM loop could not find them; the citation does.
    assert citer.retriever.search(point, k=1, role="llm")[0].section != "Batching"
    assert [p.section for p in citer.for_points(llm_question, [point])[point]] == ["Batching"]
    # A point none of the cited sections covers is searched for instead.
    tenant = "Filter chunks by tenant before ranking so no customer sees another's contract."
    far = _question(bank, "llm-serving-02", [tenant], [("serving", "Quantization")]).model_copy(update={"loop": "llm"})
    assert [p.section for p in citer.for_points(far, [tenant])[tenant]] == ["Metadata filtering"]
