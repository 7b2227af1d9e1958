"""Retrieval quality on the labelled queries (evals/retrieval) against the real corpus, and bad search input.

Floors are the levels measured with the default model (see evals/retrieval/README.md) less a small margin, so a
retrieval regression fails here rather than going unnoticed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from statistics import median
from typing import Any

import pytest

from evals.retrieval.run import evaluate, load_queries, select

pytestmark = pytest.mark.slow
# model -> (split, mode) -> (MRR floor, recall@5 floor): the levels measured with the default model, truncated to two
# decimals (evals/retrieval/README.md). Re-measured on 2026-11-30 after the re-ranker was refitted on the grown corpus
# (35 documents, 324 chunks, 126 queries): dev hybrid 0.766/0.925, rerank 0.873/0.963 (0.809/0.912 with the weights
# of the 22-document corpus); test hybrid 0.733/0.957, rerank 0.767/0.978 (0.777/0.935 before: test MRR did not
# improve, recall@5 did); dev/facts rerank 0.937/1.0; test/facts rerank 0.829/1.0 (0.858/1.0 before).
FLOORS = {
    "all-MiniLM-L6-v2": {
        ("dev", "hybrid"): (0.76, 0.92),
        ("dev", "rerank"): (0.87, 0.96),
        ("test", "hybrid"): (0.73, 0.95),
        ("test", "rerank"): (0.76, 0.97),
        ("dev/facts", "rerank"): (0.93, 1.0),
        ("test/facts", "rerank"): (0.82, 1.0),
    }
}


@pytest.fixture(scope="module")
def queries():
    return load_queries()


@pytest.fixture(scope="module")
def result(services, queries) -> dict[str, Any]:
    return evaluate(services.retriever, queries)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower())) - {"a", "an", "the", "of", "and", "or", "in", "to", "for"}


def test_queries_are_labelled_paraphrases_covering_the_corpus(services, queries) -> None:
    retriever = services.retriever
    meta = dict(zip(retriever.ids, retriever.metas, strict=True))
    assert len(queries) >= 50 and len({q.id for q in queries}) == len(queries)
    assert {cid.split("#")[0] for q in queries for cid in q.relevant} == {m["doc_id"] for m in retriever.metas}
    overlaps = []
    for q in queries:
        assert q.role in (None, "mle", "llm"), q.id
        for cid in q.relevant:
            assert cid in meta, f"{q.id}: unknown chunk {cid}"
            assert q.role is None or meta[cid][f"role_{q.role}"], f"{q.id}: role filter hides {cid}"
            heading = meta[cid]["section"]
            assert heading.lower() not in q.query.lower(), f"{q.id} copies the heading {heading!r}"
        headings = set().union(*(_words(meta[cid]["section"]) for cid in q.relevant))
        overlaps.append(len(_words(q.query) & headings) / len(_words(q.query)))
    assert median(overlaps) <= 0.2  # paraphrased: most queries share no word with the answer's heading
    splits = [q.split for q in queries]
    assert 0.5 <= splits.count("dev") / len(splits) <= 0.7
    facts = [q for q in queries if q.group == "facts"]  # facts stated as a number or attributed to one source
    assert len(facts) >= 40 and {q.group for q in queries} == {None, "facts"}
    assert len(select(queries, "test/facts")) >= 15 and len(select(queries, "dev/facts")) >= 25


def test_the_default_search_is_the_mode_that_won_on_dev(services, result) -> None:
    """rerank was chosen on dev (MRR and recall@5 above plain RRF); the app and `interview search` use it."""
    from interviewer.config import Settings

    dev = result["splits"]["dev"]
    # Refitted on the grown corpus, rerank wins dev MRR and recall@5 again (with the old weights it missed one more
    # dev query at recall@5 than RRF).
    assert dev["rerank"]["mrr"] > dev["hybrid"]["mrr"]
    assert dev["rerank"]["recall@5"] >= dev["hybrid"]["recall@5"]
    assert Settings(_env_file=None).search_mode == "rerank" == services.retriever.mode


@pytest.mark.parametrize("split", ["dev", "test", "all"])
def test_hybrid_beats_bm25_and_dense_on_mrr(result, split: str) -> None:
    block = result["splits"][split]
    assert block["hybrid"]["mrr"] > block["bm25"]["mrr"], block
    assert block["hybrid"]["mrr"] > block["dense"]["mrr"], block


def test_recall_at_5_on_the_test_split_and_its_fact_paraphrases(result) -> None:
    assert result["splits"]["test"]["hybrid"]["recall@5"] >= 0.95, result["splits"]["test"]
    for mode in ("hybrid", "rerank"):
        assert result["splits"]["test/facts"][mode]["recall@5"] >= 0.95, result["splits"]["test/facts"]


def test_no_regression_below_measured_levels(services, result) -> None:
    floors = FLOORS.get(services.embedder.name)
    assert floors is not None, f"no measured floors for {services.embedder.name}: measure and add them"
    for (split, mode), (mrr, recall5) in floors.items():
        got = result["splits"][split][mode]
        assert got["mrr"] >= mrr and got["recall@5"] >= recall5, (split, mode, got)


@pytest.fixture
def cli_on_shared_index(services, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    """`interview ...` against the session's index of the real corpus."""
    from interviewer.cli import main
    from interviewer.config import get_settings

    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(shared_data_dir))
    get_settings.cache_clear()
    return main


@pytest.mark.parametrize("argv", [["search", ""], ["search", "   \n\t "], ["search"]])
def test_cli_search_rejects_an_empty_query(cli_on_shared_index, capsys, argv: list[str]) -> None:
    assert cli_on_shared_index(argv) == 2
    out, err = capsys.readouterr()
    assert "error: The query is empty" in err and "Traceback" not in err and not out


def test_cli_search_truncates_a_10000_character_query(cli_on_shared_index, capsys) -> None:
    query = ("How would you notice that input data drifted after the model went live? " * 200)[:10_000]
    assert cli_on_shared_index(["search", query, "--k", "3", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 3 and hits[0]["doc_id"] in {"mlops-vocabulary", "model-deployment-and-monitoring"}


def test_cli_search_modes_keep_the_json_contract(cli_on_shared_index, capsys) -> None:
    query = "How many days does an average IT vacancy take to fill?"
    keys = {"chunk_id", "text", "title", "section", "source", "doc_id", "roles", "score"}
    runs = {}
    for mode in (None, "rerank", "hybrid", "dense", "bm25"):
        argv = ["search", query, "--k", "3", "--json"] + (["--mode", mode] if mode else [])
        assert cli_on_shared_index(argv) == 0, mode
        hits = json.loads(capsys.readouterr().out)
        assert len(hits) == 3 and all(set(h) == keys for h in hits), mode
        runs[mode] = [(h["chunk_id"], h["score"]) for h in hits]
    assert runs[None] == runs["rerank"] != runs["hybrid"]  # the default is the re-ranked search
    with pytest.raises(SystemExit) as exited:  # argparse rejects an unknown mode with its usage message
        cli_on_shared_index(["search", query, "--mode", "fuzzy"])
    assert exited.value.code == 2 and "invalid choice: 'fuzzy'" in capsys.readouterr().err


def test_cli_search_queries_file_reports_bad_rows_and_goes_on(cli_on_shared_index, capsys, tmp_path: Path) -> None:
    rows = [{"id": "empty", "query": "  "}, {"id": "long", "query": "rollback plan " * 1000, "role": "mle"}]
    path = tmp_path / "queries.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert cli_on_shared_index(["search", "--queries", str(path), "--k", "2"]) == 0
    empty, long = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert empty["results"] == [] and "empty" in empty["error"]
    assert len(long["results"]) == 2 and "error" not in long
