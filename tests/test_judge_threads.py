"""Many candidates, one process: the shared judge gives every thread the verdict it would give alone.

The Streamlit app serves every browser session from threads of one process, all sharing one `GroundedJudge`
(offline judge, embedder, retriever). Eight threads here judge, prepare and batch-judge the same pairs at once, with
the token cache shrunk so entries are evicted while other threads read them and the interpreter switching threads
every microsecond (so check-then-act races show up); every verdict must equal the one a fresh judge computes
sequentially.
"""

from __future__ import annotations

import random
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from interviewer.config import Settings
from interviewer.judge import GroundedJudge, build
from interviewer.judge.offline_features import Encoded, TokenEncoder
from interviewer.judge.verdict import Verdict
from interviewer.knowledge.bank import Question
from interviewer.knowledge.embeddings import get_embedder
from interviewer.knowledge.index import build_index, get_collection, open_client
from interviewer.knowledge.retrieval import Retriever

REPO = Path(__file__).resolve().parent.parent
THREADS = 8
QUESTIONS = 4


def _questions(bank) -> list[Question]:
    pool = sorted(
        (q for q in bank.questions.values() if q.key_points and q.reference_answer and q.citations),
        key=lambda q: q.id,
    )
    return pool[:: max(1, len(pool) // QUESTIONS)][:QUESTIONS]


def _pairs(questions: list[Question]) -> list[tuple[Question, str]]:
    """Strong, partial, off-topic, long (several encoder chunks), empty and gibberish answers."""
    pairs = []
    for i, q in enumerate(questions):
        other = questions[(i + 1) % len(questions)]
        pairs += [
            (q, q.reference_answer),
            (q, q.reference_answer.split(". ")[0]),
            (q, other.reference_answer),
            (q, " ".join([q.reference_answer, other.reference_answer] * 2)),
            (q, ""),
            (q, "asdfgh qwrtpl zxcvbn mnbvcx"),
        ]
    return pairs


@pytest.fixture(scope="module")
def setup(bank, tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Retriever, list[Question]]:
    """A small real index: the corpus documents the chosen questions cite (so citations resolve, as in the app)."""
    questions = _questions(bank)
    root = tmp_path_factory.mktemp("threads")
    corpus = root / "corpus"
    corpus.mkdir()
    for doc in {c.doc for q in questions for c in q.citations}:
        shutil.copy(REPO / "corpus" / f"{doc}.md", corpus / f"{doc}.md")
    settings = Settings(_env_file=None, data_dir=root / "data", judge_model="offline")
    embedder = get_embedder(settings.embedding_model)
    collection = get_collection(open_client(root / "chroma"), embedder.name)
    build_index([corpus], collection, embedder, progress=False)
    return settings, Retriever(collection, embedder), questions


def _fresh(settings: Settings, retriever: Retriever) -> GroundedJudge:
    """A judge as the app's `Services` builds it (shared embedder and retriever), with empty caches of its own."""
    return build(settings, embedder=retriever.embedder, retriever=retriever)


def _comparable(v: Verdict) -> dict:
    return v.model_dump(exclude={"meta": {"latency_ms"}})


def test_eight_threads_get_the_sequential_verdicts(setup, fast_switching) -> None:
    settings, retriever, questions = setup
    pairs = _pairs(questions)
    expected = [_comparable(_fresh(settings, retriever).judge(q, a)) for q, a in pairs]
    assert all(e["status"] == "ok" for e in expected)
    assert any(e["missed"] and e["missed"][0]["passages"] for e in expected)  # citations were looked up

    judge = _fresh(settings, retriever)
    judge.inner.scorer.enc.CACHE_SIZE = 6  # evict constantly: other threads are reading what gets dropped
    jobs = [(i, kind) for i in range(len(pairs)) for kind in ("judge", "prepare", "many")]
    random.Random(16).shuffle(jobs)

    def run(job: tuple[int, str]) -> list[tuple[int, dict]]:
        i, kind = job
        question, answer = pairs[i]
        if kind == "prepare":  # the engine prepares the next question while another session is being judged
            judge.prepare(question).result()
        if kind == "many":  # a batch, as `interview grade` and the evals send
            j = (i * 7 + 3) % len(pairs)
            return [(k, _comparable(v)) for k, v in zip((i, j), judge.judge_many([pairs[i], pairs[j]]), strict=True)]
        return [(i, _comparable(judge.judge(question, answer)))]

    with ThreadPoolExecutor(THREADS) as pool:
        results = [r for batch in pool.map(run, jobs) for r in batch]  # re-raises the first exception of a thread

    assert len(results) == len(pairs) * 4
    for i, got in results:
        assert got == expected[i], f"pair {i}: {got.get('error') or got.get('score')} != {expected[i]['score']}"


class _CountingEmbedder:
    """A plain `.encode` embedder (one pseudo-token per text): cheap, so the cache itself is what is hammered."""

    def encode(self, texts: list[str]):
        import numpy as np

        return np.array([[len(t), t.count("a") + 1.0] for t in texts], dtype=np.float32)


def test_token_cache_survives_eviction_from_eight_threads(fast_switching) -> None:
    enc = TokenEncoder(_CountingEmbedder())
    enc.CACHE_SIZE = 3
    texts = [f"text {i} " + "a" * i for i in range(12)]

    def run(seed: int) -> list[dict[str, Encoded]]:
        rng = random.Random(seed)
        return [enc.encode(rng.sample(texts, 4)) for _ in range(300)]

    with ThreadPoolExecutor(THREADS) as pool:
        batches = [b for out in pool.map(run, range(THREADS * 4)) for b in out]
    for got in batches:
        for text, e in got.items():
            assert e.vec.tolist() == [len(text), text.count("a") + 1.0]
    assert len(enc._cache) <= enc.CACHE_SIZE
