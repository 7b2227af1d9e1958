"""Benchmark tailoring (a benchmark, not a test): does the plan ask what the posting asks for?

For each labelled posting in tests/data/tailoring/postings.yaml (labels written before the planner ran),
the share of chosen questions whose stage or topic matches the posting's labels, for the tailored plan and
for the engine's untailored path on the same loop and level (mean over 5 session seeds). Target: tailored
share >= 0.7 overall, and above untailored on every posting. Also the plan latency (warm, median).

Usage: python scripts/bench_tailoring.py [--questions 6] [--json] [--postings FILE]
Re-run after the bank changes: it reads whatever question_bank/ holds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from interviewer.knowledge.bank import load_bank  # noqa: E402
from interviewer.knowledge.embeddings import get_embedder  # noqa: E402
from interviewer.tailoring.measure import load_postings, match_share, untailored_share  # noqa: E402
from interviewer.tailoring.plan import plan_interview  # noqa: E402

TARGET = 0.7


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=6)
    parser.add_argument("--postings", default=str(REPO / "tests/data/tailoring/postings.yaml"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    bank = load_bank(REPO / "question_bank")
    embedder = get_embedder()
    rows, timings = [], []
    for posting in load_postings(Path(args.postings)):
        plan_interview(bank, posting.loop, posting.level, posting.text, args.questions, embedder)  # warm caches
        started = time.perf_counter()
        plan = plan_interview(bank, posting.loop, posting.level, posting.text, args.questions, embedder)
        timings.append(time.perf_counter() - started)
        chosen = [bank.questions[q.id] for q in plan.questions]
        rows.append(
            {
                "posting": posting.id,
                "loop": posting.loop,
                "n": len(chosen),
                "tailored": round(match_share(chosen, posting), 3),
                "untailored": round(untailored_share(bank, posting, args.questions), 3),
                "misses": [
                    q.id for q in chosen if not (q.stage in posting.stages or set(q.tags) & set(posting.topics))
                ],
            }
        )
    summary = {
        "questions_in_bank": len(bank.questions),
        "tailored": round(statistics.mean(r["tailored"] for r in rows), 3),
        "untailored": round(statistics.mean(r["untailored"] for r in rows), 3),
        "by_loop": {
            loop: {
                "tailored": round(statistics.mean(r["tailored"] for r in rows if r["loop"] == loop), 3),
                "untailored": round(statistics.mean(r["untailored"] for r in rows if r["loop"] == loop), 3),
            }
            for loop in sorted({r["loop"] for r in rows})
        },
        "tailored_beats_untailored": sum(r["tailored"] > r["untailored"] for r in rows),
        "postings": len(rows),
        "plan_ms_p50": round(statistics.median(timings) * 1000, 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "target_met": statistics.mean(r["tailored"] for r in rows) >= TARGET,
    }
    if args.json:
        print(json.dumps({"summary": summary, "postings": rows}, indent=2))
    else:
        for r in rows:
            print(
                f"{r['posting']:<20} tailored {r['tailored']:.2f} untailored {r['untailored']:.2f} misses {r['misses']}"
            )
        print(json.dumps(summary, indent=2))
    return 0 if summary["target_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
