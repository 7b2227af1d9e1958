"""Benchmark the coding sandbox: start-up overhead per run (p50/p95) for bubblewrap and the plain process,
and the time to grade every exercise's reference solution against its hidden tests (the path `Submit` runs).

    .venv/bin/python scripts/bench_coding.py [--runs 20] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from interviewer.coding.grading import CodeRunner  # noqa: E402
from interviewer.coding.sandbox import Choice, Limits, bwrap_status  # noqa: E402
from interviewer.coding.session import run_session  # noqa: E402
from interviewer.knowledge.coding_exercises import load_exercises  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def startup(backend: str, runs: int) -> list[float]:
    """Wall time of a run with no tests: sandbox + interpreter + numpy + harness, until it reports done."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        session = run_session(backend, "f", "def f():\n    pass\n", [], Limits(), 3.0)
        times.append(time.perf_counter() - began)
        assert session.ready and session.done, session
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="start-up runs per backend")
    parser.add_argument("--repeats", type=int, default=3, help="passes over all reference solutions")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    backends = ["bwrap", "process"] if bwrap_status()[0] else ["process"]
    for backend in backends:
        times = startup(backend, args.runs)
        print(
            f"start-up {backend:<7} n={len(times)}  p50 {percentile(times, 0.5) * 1000:.0f} ms  "
            f"p95 {percentile(times, 0.95) * 1000:.0f} ms  max {max(times) * 1000:.0f} ms"
        )
    exercises = load_exercises(REPO / "question_bank")
    runner = CodeRunner(Choice(backend=backends[0], isolated=backends[0] == "bwrap"))
    per_exercise: dict[str, list[float]] = {e: [] for e in exercises}
    totals = []
    for _ in range(args.repeats):
        began = time.perf_counter()
        for exercise in exercises.values():
            t = time.perf_counter()
            report = runner.run(exercise, exercise.reference_solution, "hidden")
            per_exercise[exercise.id].append(time.perf_counter() - t)
            assert report.status == "ok" and report.passed == report.total, (exercise.id, report.message)
        totals.append(time.perf_counter() - began)
    print(f"grading all {len(exercises)} reference solutions ({backends[0]}, hidden tests, all pass):")
    passes = [round(t, 2) for t in totals]
    print(f"  total: median {statistics.median(totals):.2f} s over {len(totals)} passes {passes}")
    for exercise_id, times in sorted(per_exercise.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"  {exercise_id:<20} median {statistics.median(times) * 1000:.0f} ms")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
