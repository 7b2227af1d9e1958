"""Retrieval speed: cold index build, incremental rerun, warm query latency, and growth to 10,000 chunks.

    python scripts/bench_retrieval.py [--model all-MiniLM-L6-v2] [--runs 3] [--growth-chunks 10000] [--json]

(a) Cold build: a new process per run (interpreter start, imports, model load) indexes the corpus into a fresh
    data dir; then the same process reruns the build with nothing changed (warm), and a second new process reruns
    it on the existing index (what `interview index` costs when nothing changed). Median of --runs runs.
(b) Query latency at k=5 with the model warm, over the eval queries: p50/p95 per mode, the query embedding alone,
    and the Chroma nearest-neighbour call alone.
(c) Growth: --growth-chunks synthetic chunks made by recombining corpus sentences (seeded, local), indexed with
    the warm model (chunks/s), then the same latencies over that index.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
QUERIES = REPO / "evals" / "retrieval" / "queries.jsonl"


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def child_build(data_dir: Path, model: str, corpus: Path) -> dict[str, Any]:
    """Runs in a fresh process: import, load the model, build (cold or incremental), rebuild with nothing changed."""
    start = time.perf_counter()
    from interviewer.knowledge.embeddings import get_embedder
    from interviewer.knowledge.index import build_index, get_collection, open_client

    imported = time.perf_counter()
    embedder = get_embedder(model)
    loaded = time.perf_counter()
    collection = get_collection(open_client(data_dir / "chroma"), embedder.name)
    first = build_index([corpus], collection, embedder, progress=False)
    again = build_index([corpus], collection, embedder, progress=False)
    return {
        "import_s": imported - start,
        "model_load_s": loaded - imported,
        "build_s": first.seconds,
        "added": first.added,
        "chunks": first.chunks,
        "rerun_warm_s": again.seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def _spawn_build(data_dir: Path, model: str, corpus: Path) -> dict[str, Any]:
    start = time.perf_counter()
    command = [sys.executable, __file__, "--child", str(data_dir), "--model", model, "--corpus", str(corpus)]
    proc = subprocess.run(command, capture_output=True, text=True, check=True, env=os.environ | {"HF_HUB_OFFLINE": "1"})
    return json.loads(proc.stdout.strip().splitlines()[-1]) | {"process_s": time.perf_counter() - start}


def bench_build(model: str, corpus: Path, runs: int) -> dict[str, Any]:
    cold, rerun = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
            cold.append(_spawn_build(Path(tmp), model, corpus))
            rerun.append(_spawn_build(Path(tmp), model, corpus))
    assert all(r["added"] == 0 for r in rerun), "the rerun re-embedded chunks"
    med = lambda rows, key: round(float(np.median([r[key] for r in rows])), 2)  # noqa: E731
    return {
        "chunks": cold[0]["chunks"],
        "cold_process_s": med(cold, "process_s"),
        "cold_model_load_s": med(cold, "model_load_s"),
        "cold_build_s": med(cold, "build_s"),
        "cold_chunks_per_s": round(cold[0]["chunks"] / med(cold, "build_s"), 1),
        "rerun_same_process_s": med(cold, "rerun_warm_s"),
        "rerun_new_process_s": med(rerun, "process_s"),
        "rerun_new_process_build_s": med(rerun, "build_s"),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in cold + rerun),
        "runs": runs,
    }


def _time_each(fn: Callable[[str], Any], items: list[str]) -> list[float]:
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - start) * 1000)
    return times


def bench_queries(retriever: Any, queries: list[str], repeats: int = 3, k: int = 5) -> dict[str, dict[str, float]]:
    """p50/p95 in ms per query for each mode, the embedding alone, the Chroma query alone and the rerank stage alone."""
    from interviewer.knowledge.rerank import FirstStage
    from interviewer.knowledge.retrieval import FUSION_DEPTH, rrf

    retriever.search(queries[0], k=k)  # warm caches and lazy initialisation
    vectors = {q: retriever.embedder.encode([q])[0].tolist() for q in queries}
    first = {q: retriever.first_stage(q, FUSION_DEPTH) for q in queries}
    fused = {q: rrf([dense, lexical[:FUSION_DEPTH]]) for q, (dense, lexical) in first.items()}
    evidence = {q: FirstStage(dict(dense), dict(lexical)) for q, (dense, lexical) in first.items()}
    n = min(k, len(retriever))
    measured = {
        "embed query": lambda q: retriever.embedder.encode([q]),
        "chroma knn only": lambda q: retriever.collection.query(query_embeddings=[vectors[q]], n_results=n),
        "dense (embed+knn)": lambda q: retriever.search(q, k=k, mode="dense"),
        "bm25": lambda q: retriever.search(q, k=k, mode="bm25"),
        "hybrid": lambda q: retriever.search(q, k=k, mode="hybrid"),
        "rerank stage only": lambda q: retriever.reranker.rerank(q, fused[q], evidence[q]),
        "hybrid+rerank (default)": lambda q: retriever.search(q, k=k, mode="rerank"),
    }
    out = {}
    for name, fn in measured.items():
        times = [t for _ in range(repeats) for t in _time_each(fn, queries)]
        p50, p95 = np.percentile(times, [50, 95])
        out[name] = {"p50_ms": round(float(p50), 2), "p95_ms": round(float(p95), 2), "n": len(times)}
    return out


def synthetic_corpus(source: Path, target: Path, n_chunks: int, per_doc: int = 50, seed: int = 0) -> int:
    """Markdown docs of one-chunk sections, each ~1,200 chars of corpus sentences drawn at random."""
    from interviewer.knowledge.corpus import SKIP_NAMES

    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(source.glob("*.md")) if p.name not in SKIP_NAMES)
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", re.sub(r"[#*|`-]+", " ", text)) if 40 < len(s) < 400]
    rng = random.Random(seed)
    target.mkdir(parents=True, exist_ok=True)
    made = 0
    for d in range(0, n_chunks, per_doc):
        sections = []
        for s in range(min(per_doc, n_chunks - d)):
            body: list[str] = []
            while sum(map(len, body)) < 1200:
                body.append(rng.choice(sentences))
            sections.append(f"## Synthetic section {d + s}\n{' '.join(body)}\n")
            made += 1
        (target / f"synthetic-{d // per_doc:04d}.md").write_text(
            f"# Synthetic {d // per_doc}\n\n" + "\n".join(sections)
        )
    return made


def bench_growth(model: str, n_chunks: int, queries: list[str], work: Path, repeats: int = 3) -> dict[str, Any]:
    from interviewer.knowledge.embeddings import get_embedder
    from interviewer.knowledge.index import build_index, get_collection, open_client
    from interviewer.knowledge.retrieval import Retriever

    made = synthetic_corpus(CORPUS, work / "corpus", n_chunks)
    embedder = get_embedder(model)
    collection = get_collection(open_client(work / "chroma"), embedder.name)
    report = build_index([work / "corpus"], collection, embedder, progress=False)
    start = time.perf_counter()
    retriever = Retriever(collection, embedder)
    load_s = time.perf_counter() - start
    return {
        "chunks": made,
        "build_s": round(report.seconds, 1),
        "chunks_per_s": round(report.chunks / report.seconds, 1),
        "retriever_load_s": round(load_s, 2),  # collection read + BM25 and rerank indexes built in memory
        "latency": bench_queries(retriever, queries, repeats=repeats),
        "peak_rss_mb": peak_rss_mb(),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from interviewer.knowledge.embeddings import get_embedder
    from interviewer.knowledge.index import build_index, get_collection, open_client
    from interviewer.knowledge.retrieval import Retriever

    queries = [json.loads(line)["query"] for line in QUERIES.read_text().splitlines() if line.strip()]
    result: dict[str, Any] = {
        "model": args.model,
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "load_avg_start": os.getloadavg()},
    }
    if not args.skip_build:
        result["build"] = bench_build(args.model, args.corpus, args.runs)
    with tempfile.TemporaryDirectory(prefix="bench-query-") as tmp:
        embedder = get_embedder(args.model)
        collection = get_collection(open_client(Path(tmp) / "chroma"), embedder.name)
        build_index([args.corpus], collection, embedder, progress=False)
        result["query"] = {
            "chunks": collection.count(),
            "latency": bench_queries(Retriever(collection, embedder), queries, repeats=args.repeats),
        }
        if args.growth_chunks:
            result["growth"] = bench_growth(args.model, args.growth_chunks, queries, Path(tmp) / "growth", args.repeats)
    result["machine"]["load_avg_end"] = os.getloadavg()
    result["peak_rss_mb"] = peak_rss_mb()
    return result


BUILD_KEYS = (
    "cold_process_s",
    "cold_model_load_s",
    "cold_build_s",
    "cold_chunks_per_s",
    "rerun_same_process_s",
    "rerun_new_process_s",
    "rerun_new_process_build_s",
    "peak_rss_mb",
)


def print_table(r: dict[str, Any]) -> None:
    m = r["machine"]
    load = f"load avg start {m['load_avg_start'][0]:.1f}, end {m['load_avg_end'][0]:.1f}"
    print(f"model {r['model']} | {m['cores']} cores | {load}")
    b = r.get("build")
    if b:
        print(f"\n(a) corpus build, {b['chunks']} chunks, median of {b['runs']}")
        for key in BUILD_KEYS:
            print(f"  {key:<28} {b[key]:>9}")
    sections = [(f"(b) query latency, k=5, {r['query']['chunks']} chunks", r["query"]["latency"])]
    if "growth" in r:
        g = r["growth"]
        print(
            f"\n(c) growth: {g['chunks']} synthetic chunks built in {g['build_s']} s = {g['chunks_per_s']} chunks/s; "
            f"retriever load {g['retriever_load_s']} s; peak RSS {g['peak_rss_mb']} MB"
        )
        sections.append((f"(c) query latency, k=5, {g['chunks']} chunks", g["latency"]))
    for title, latency in sections:
        print(f"\n{title}\n  {'':<24} {'p50 ms':>8} {'p95 ms':>8}")
        for name, row in latency.items():
            print(f"  {name:<24} {row['p50_ms']:>8} {row['p95_ms']:>8}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--growth-chunks", type=int, default=10_000, help="0 skips the growth part")
    parser.add_argument("--skip-build", action="store_true", help="skip (a), the cold and incremental build runs")
    parser.add_argument("--repeats", type=int, default=3, help="passes over the eval queries for the latencies")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child_build(args.child, args.model, args.corpus)))
        return 0
    result = run(args)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
