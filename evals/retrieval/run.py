"""Retrieval eval: recall@1, recall@5 and MRR@10 of bm25, dense, hybrid and hybrid+rerank on labelled queries.

Run from the repo root, either way:

    python evals/retrieval/run.py [--models all-MiniLM-L6-v2,all-mpnet-base-v2] [--split dev] [--json]
    python -m evals.retrieval.run ...

The queries in queries.jsonl carry the chunk ids that answer them. recall@k is the share of queries with at
least one relevant chunk in the top k (the "is a relevant chunk in the top k?" definition); MRR uses the rank
of the first relevant chunk within the top 10. Queries are split 60/40 into dev and test by a hash of their id,
so the split is fixed and nobody picks it: tune on dev, report test as the unbiased number. Queries with
"group": "facts" paraphrase facts stated as a number or attributed to one source; they are also scored on their own
("dev/facts", "test/facts").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from interviewer.config import REPO_ROOT
from interviewer.knowledge.retrieval import Retriever

QUERIES = Path(__file__).resolve().parent / "queries.jsonl"
MODES = ("bm25", "dense", "hybrid", "rerank")
DEPTH = 10  # results fetched per query; MRR is MRR@10
DEV_FRACTION = 0.6
DEFAULT_MODEL = "all-MiniLM-L6-v2"


@dataclass(frozen=True)
class Query:
    id: str
    query: str
    relevant: tuple[str, ...]
    role: str | None = None
    group: str | None = None  # "facts": paraphrases of facts stated as a number or attributed to one source

    @property
    def split(self) -> str:
        return split_of(self.id)


def _hash_rank(qid: str) -> float:
    return int(hashlib.sha256(qid.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def split_of(qid: str) -> str:
    """dev for ~60% of ids, test for the rest; decided by the id's hash alone."""
    return "dev" if _hash_rank(qid) < DEV_FRACTION else "test"


def load_queries(path: Path = QUERIES) -> list[Query]:
    queries = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not row.get("relevant"):
            raise ValueError(f"{path}:{n}: query {row.get('id')!r} has no relevant chunk ids")
        queries.append(Query(row["id"], row["query"], tuple(row["relevant"]), row.get("role"), row.get("group")))
    return queries


SPLITS = ("dev", "test", "all", "dev/facts", "test/facts")


def select(queries: list[Query], split: str) -> list[Query]:
    """The queries of a split: 'dev', 'test', 'all', or 'dev/facts' / 'test/facts' (one split, one group)."""
    name, _, group = split.partition("/")
    return [q for q in queries if name in ("all", q.split) and (not group or q.group == group)]


def first_relevant_rank(ranked: list[str], relevant: tuple[str, ...]) -> int | None:
    """1-based rank of the first relevant chunk id, or None when none was returned."""
    return next((i for i, cid in enumerate(ranked, 1) if cid in relevant), None)


def score(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "recall@1": sum(1 for r in ranks if r == 1) / n,
        "recall@5": sum(1 for r in ranks if r is not None and r <= 5) / n,
        "mrr": sum(1.0 / r for r in ranks if r is not None) / n,
    }


def evaluate(retriever: Retriever, queries: list[Query], modes: tuple[str, ...] = MODES) -> dict[str, Any]:
    """Per split ('dev', 'test', 'all') and mode: metrics, plus per-query ranks and the mean search time."""
    missing = sorted({cid for q in queries for cid in q.relevant} - set(retriever.ids))
    if missing:
        raise ValueError(f"labelled chunk ids not in the index (corpus or chunking changed?): {missing[:5]}")
    ranks: dict[str, dict[str, int | None]] = {mode: {} for mode in modes}
    seconds: dict[str, float] = {}
    for mode in modes:
        start = time.perf_counter()
        for q in queries:
            hits = retriever.search(q.query, k=DEPTH, role=q.role, mode=mode)  # type: ignore[arg-type]
            ranks[mode][q.id] = first_relevant_rank([h.chunk_id for h in hits], q.relevant)
        seconds[mode] = (time.perf_counter() - start) / max(len(queries), 1)
    result: dict[str, Any] = {"splits": {}, "ms_per_query": {m: round(s * 1000, 2) for m, s in seconds.items()}}
    for split in SPLITS:
        chosen = select(queries, split)
        if not chosen:
            continue
        result["splits"][split] = {"n": len(chosen)} | {
            mode: {k: round(v, 4) for k, v in score([ranks[mode][q.id] for q in chosen]).items()} for mode in modes
        }
    result["ranks"] = {q.id: {"split": q.split, "group": q.group} | {m: ranks[m][q.id] for m in modes} for q in queries}
    return result


def build_retriever(model: str, data_dir: Path, corpus: Path) -> tuple[Retriever, dict[str, float]]:
    """Index the corpus (incrementally) into data_dir with the given embedding model."""
    from interviewer.knowledge.embeddings import get_embedder
    from interviewer.knowledge.index import build_index, get_collection, open_client

    start = time.perf_counter()
    embedder = get_embedder(model)
    loaded = time.perf_counter()
    collection = get_collection(open_client(data_dir / "chroma"), embedder.name)
    report = build_index([corpus], collection, embedder, progress=False)
    timing = {"model_load_s": round(loaded - start, 2), "index_s": round(report.seconds, 2), "chunks": report.chunks}
    return Retriever(collection, embedder), timing


def format_table(results: dict[str, dict[str, Any]], splits: list[str]) -> str:
    lines = [f"{'model':<20} {'split':<10} {'n':>3} {'mode':<7} {'R@1':>6} {'R@5':>6} {'MRR':>6}"]
    for model, res in results.items():
        for split in splits:
            block = res["splits"][split]
            for mode in MODES:
                if mode in block:
                    m = block[mode]
                    lines.append(
                        f"{model:<20} {split:<10} {block['n']:>3} {mode:<7} "
                        f"{m['recall@1']:>6.3f} {m['recall@5']:>6.3f} {m['mrr']:>6.3f}"
                    )
    return "\n".join(lines)


def misses(result: dict[str, Any], queries: list[Query], split: str, mode: str = "rerank") -> list[str]:
    """Queries of the split whose first relevant chunk is not ranked first, worst first (for error analysis)."""
    rows = [(result["ranks"][q.id][mode], q) for q in select(queries, split)]
    bad = [(r, q) for r, q in rows if r != 1]
    bad.sort(key=lambda pair: -(pair[0] or 99))
    return [f"  rank {r if r else '>10':>3}  {q.id}: {q.query}" for r, q in bad]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default=DEFAULT_MODEL, help="comma-separated bundled embedding models")
    parser.add_argument("--split", choices=["dev", "test", "all", "both"], default="both", help="what to print")
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--corpus", type=Path, default=REPO_ROOT / "corpus")
    parser.add_argument("--data-dir", type=Path, help="reuse an index here (default: a fresh temp dir)")
    parser.add_argument("--misses", action="store_true", help="list queries the default mode does not rank first")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args(argv)

    queries = load_queries(args.queries)
    splits = list(SPLITS) if args.split == "both" else [s for s in SPLITS if s.split("/")[0] == args.split]
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="retrieval-eval-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        for model in [m.strip() for m in args.models.split(",") if m.strip()]:
            retriever, timing = build_retriever(model, data_dir, args.corpus)
            results[model] = evaluate(retriever, queries) | {"timing": timing}
    if args.json:
        shown = {m: r | {"splits": {s: r["splits"][s] for s in splits}} for m, r in results.items()}
        if args.split in ("dev", "test"):
            for r in shown.values():
                r["ranks"] = {qid: v for qid, v in r["ranks"].items() if v["split"] == args.split}
        print(json.dumps(shown, indent=2))
        return 0
    print(format_table(results, splits))
    for model, res in results.items():
        print(f"{model}: {res['timing']}; search ms/query {res['ms_per_query']}")
        if args.misses:
            for split in splits:
                print(f"rerank not at rank 1 ({split}):", *misses(res, queries, split), sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
