"""Load benchmark of the hosted topology: N simulated candidates through whole interviews at once.

2 Streamlit replicas behind nginx (sticky per user) share PostgreSQL and a Chroma server; each candidate
is a headless Chromium context on the real page. Reports turn latency (send -> the interviewer's reply on
screen) p50/p95, errors, and whether every answer sent is stored exactly once under its owner.
Loopback only, bounded: each candidate runs one interview of --questions questions.

    python scripts/bench_scaleout.py [--users 20] [--replicas 2] [--questions 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.topology import Topology, drive, replicas_by_user, stored_answers  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    users = [f"load{i:02d}@example.org" for i in range(args.users)]
    with tempfile.TemporaryDirectory() as tmp, Topology(Path(tmp), replicas=args.replicas) as topo:
        started = time.perf_counter()
        runs = drive(topo.url, users, args.questions)
        wall = time.perf_counter() - started
        stored = stored_answers(topo.database_url)
        sticky = replicas_by_user(topo.work)
    turns = sorted(t for r in runs for t in r.turn_seconds)
    sent = sum(len(r.sent) for r in runs)
    exact = sum(1 for r in runs if sorted(stored.get(r.user, [])) == sorted(r.sent))
    result = {
        "users": args.users,
        "replicas": args.replicas,
        "questions_each": args.questions,
        "wall_s": round(wall, 1),
        "turns": len(turns),
        "turn_p50_s": round(statistics.median(turns), 2) if turns else None,
        "turn_p95_s": round(turns[int(0.95 * (len(turns) - 1))], 2) if turns else None,
        "errors": [f"{r.user}: {r.error}" for r in runs if r.error],
        "answers_sent": sent,
        "answers_stored": sum(len(v) for v in stored.values()),
        "users_stored_exactly_once": exact,
        "users_on_one_replica": sum(1 for u in users if len(sticky.get(u, ())) == 1),
        "replicas_used": len(set().union(*sticky.values())) if sticky else 0,
        "load_average_after": os.getloadavg()[0],
    }
    print(json.dumps(result, indent=2 if not args.json else None))
    return 0 if not result["errors"] and exact == args.users else 1


if __name__ == "__main__":
    raise SystemExit(main())
