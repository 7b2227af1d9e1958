"""Corpus reading, heading-aware chunking, incremental Chroma indexing and hybrid search."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.knowledge.corpus import chunk_document, read_document
from interviewer.knowledge.embeddings import get_embedder
from interviewer.knowledge.index import build_index, get_collection, open_client
from interviewer.knowledge.retrieval import MODES, QueryError, Retriever, rrf
from tests.sample_corpus import DOC_A


@pytest.fixture
def collection(tmp_path: Path):
    return get_collection(open_client(tmp_path / "chroma"), "all-MiniLM-L6-v2")


def test_chunks_keep_title_section_and_roles(corpus_dir: Path) -> None:
    doc = read_document(corpus_dir / "serving.md", corpus_dir)
    chunks = chunk_document(doc, source="serving.md")
    assert [c.section for c in chunks] == ["Quantization", "Batching"]
    assert chunks[0].chunk_id == "serving#quantization" and chunks[0].title == "Serving notes"
    assert chunks[0].roles == ["mle"] and "200 ms" in chunks[0].text


def test_long_sections_split_with_overlap(corpus_dir: Path) -> None:
    body = " ".join(f"Sentence number {i} talks about gradient checkpointing." for i in range(120))
    (corpus_dir / "long.md").write_text(f"# Long\n\n## Memory\n{body}\n")
    chunks = chunk_document(read_document(corpus_dir / "long.md", corpus_dir), "long.md", max_chars=800, overlap=150)
    assert len(chunks) > 5 and all(len(c.text) <= 800 for c in chunks)
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    tail = chunks[0].text.split(". ")[-1]
    assert tail.rstrip(".") in chunks[1].text  # overlap carries the last sentence over


def check_incremental_and_idempotent(corpus_dir: Path, collection) -> None:
    """Shared with test_chroma_server.py, which runs it against a `chroma run` server."""
    embedder = get_embedder()
    first = build_index([corpus_dir], collection, embedder, progress=False)
    assert (first.documents, first.chunks, first.added, first.updated, first.removed) == (2, 3, 3, 0, 0)
    again = build_index([corpus_dir], collection, embedder, progress=False)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3)
    (corpus_dir / "serving.md").write_text(DOC_A.replace("few milliseconds", "couple of milliseconds"))
    changed = build_index([corpus_dir], collection, embedder, progress=False)
    assert (changed.added, changed.updated, changed.removed) == (0, 1, 0)
    (corpus_dir / "retrieval.md").unlink()
    removed = build_index([corpus_dir], collection, embedder, progress=False)
    assert (removed.removed, removed.chunks) == (1, 2)
    assert collection.count() == 2
    assert "2 chunks" in removed.summary()


def test_incremental_and_idempotent(corpus_dir: Path, collection) -> None:
    check_incremental_and_idempotent(corpus_dir, collection)


def test_bad_files_are_skipped_with_reasons(corpus_dir: Path, collection) -> None:
    (corpus_dir / "empty.md").write_text("")
    (corpus_dir / "binary.txt").write_bytes(b"\x00\x01\x02binary")
    (corpus_dir / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    (corpus_dir / "huge.txt").write_text("x" * 2_100_000)
    (corpus_dir / "page.html").write_text("<html><h2>Drift</h2><p>Data drift is a change in inputs.</p></html>")
    report = build_index([corpus_dir], collection, get_embedder(), progress=False)
    reasons = "\n".join(report.skipped)
    for name, why in [("empty.md", "empty"), ("binary.txt", "binary"), ("latin1.txt", "UTF-8"), ("huge.txt", "large")]:
        assert f"{name}: skipped" in reasons and why in reasons
    assert report.documents == 3
    assert any(m["section"] == "Drift" for m in collection.get(include=["metadatas"])["metadatas"])


def check_search_modes_role_filter_and_bad_queries(corpus_dir: Path, collection) -> None:
    """Shared with test_chroma_server.py, which runs it against a `chroma run` server."""
    embedder = get_embedder()
    build_index([corpus_dir], collection, embedder, progress=False)
    retriever = Retriever(collection, embedder)
    assert len(retriever) == 3 and retriever.mode == "rerank"
    assert set(MODES) == {"rerank", "hybrid", "dense", "bm25"}
    for mode in MODES:
        hits = retriever.search("make inference faster with 8-bit weights", k=2, mode=mode)
        assert hits and hits[0].chunk_id == "serving#quantization", mode
    query = "how many milliseconds did the p99 drop"
    scores = {mode: [h.score for h in retriever.search(query, 3, None, mode)] for mode in MODES}
    assert [h.score for h in retriever.search(query, k=3)] == scores["rerank"] != scores["hybrid"]
    lexical = Retriever(collection, embedder, mode="bm25")  # the default mode is the constructor's
    assert [h.score for h in lexical.search(query, k=3)] == scores["bm25"]
    with pytest.raises(QueryError, match="search mode"):
        retriever.search("quantization", mode="fuzzy")  # type: ignore[arg-type]
    with pytest.raises(QueryError, match="search mode"):
        Retriever(collection, embedder, mode="fuzzy")  # type: ignore[arg-type]
    hits = retriever.search("keep customers' documents separate", k=3, role="llm")
    assert hits and all("llm" in h.roles for h in hits)
    assert retriever.search("keep customers' documents separate", k=3, role="mle")[0].doc_id == "serving"
    with pytest.raises(QueryError, match="empty"):
        retriever.search("   ")
    assert retriever.search("quantization " * 2000, k=1)  # truncated, not an error
    with pytest.raises(QueryError):
        retriever.search("x", role="cto")


def test_search_modes_role_filter_and_bad_queries(corpus_dir: Path, collection) -> None:
    check_search_modes_role_filter_and_bad_queries(corpus_dir, collection)


def test_rrf_rewards_agreement() -> None:
    fused = rrf([[(1, 0.9), (2, 0.8), (3, 0.1)], [(3, 9.0), (1, 5.0)]])
    assert [item for item, _ in fused][:2] == [1, 3]
