"""Grade the Mohler short-answer set exactly as `interview grade` does and report agreement with the humans.

    python evals/mohler/benchmark.py --data DIR [--json] [--judge offline|llm]

Every answer goes through `interviewer.judge.grading.grade_items` (the function behind `interview grade`): an item
with a question, a reference answer and no key points, judged by `interviewer.judge.build(settings)`. Prints
Pearson, Spearman and RMSE (after a linear calibration of our 1–5 score onto the 0–5 human scale, fitted on the
dev split only) for the dev split (assignments 1–6) and the test split (assignments 7–12), and the wall and CPU
time for all 2,442 answers including model load, with the machine's load average.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "mohler"  # used by fit_offline_judge.py only
DEV_ASSIGNMENTS = range(1, 7)


@dataclass
class Mohler:
    items: list[dict]  # question, answer, reference: OfflineScorer.assess_batch input
    scores: np.ndarray  # human average, 0–5
    qids: list[str]
    dev: np.ndarray  # bool mask: assignments 1–6

    def split(self, mask: np.ndarray) -> Mohler:
        idx = np.flatnonzero(mask)
        return Mohler([self.items[i] for i in idx], self.scores[idx], [self.qids[i] for i in idx], self.dev[idx])


def load(data_dir: Path) -> Mohler:
    with (data_dir / "questions.csv").open(newline="", encoding="utf-8") as f:
        questions = {row["id"]: row for row in csv.DictReader(f)}
    with (data_dir / "answers.csv").open(newline="", encoding="utf-8") as f:
        answers = list(csv.DictReader(f))
    items = [
        {"question": questions[a["id"]]["question"], "answer": a["answer"], "reference": questions[a["id"]]["answer"]}
        for a in answers
    ]
    dev = np.array([int(a["id"].split(".")[0]) in DEV_ASSIGNMENTS for a in answers])
    return Mohler(items, np.array([float(a["score"]) for a in answers]), [a["id"] for a in answers], dev)


def metrics(pred: np.ndarray, human: np.ndarray, calib: tuple[float, float]) -> dict[str, float]:
    from scipy.stats import pearsonr, spearmanr

    fitted = calib[0] * pred + calib[1]
    return {
        "n": int(len(pred)),
        "pearson": round(float(pearsonr(pred, human)[0]), 4),
        "spearman": round(float(spearmanr(pred, human)[0]), 4),
        "rmse": round(float(np.sqrt(np.mean((fitted - human) ** 2))), 4),
    }


def report(pred: np.ndarray, data: Mohler) -> dict[str, dict[str, float]]:
    """Metrics per split; the linear calibration (score -> 0–5) is fitted on dev only."""
    slope, intercept = np.polyfit(pred[data.dev], data.scores[data.dev], 1)
    out = {
        name: metrics(pred[m], data.scores[m], (slope, intercept))
        for name, m in (("dev", data.dev), ("test", ~data.dev))
    }
    out["calibration"] = {"slope": round(float(slope), 4), "intercept": round(float(intercept), 4)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="Mohler benchmark dir (questions.csv, answers.csv)")
    ap.add_argument("--judge", choices=["offline", "llm"], default="offline")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = ap.parse_args(argv)

    data = load(args.data)
    start, cpu_start = time.perf_counter(), time.process_time()
    sys.path.insert(0, str(REPO))
    from interviewer.config import get_settings
    from interviewer.judge.grading import grade_items

    items = [
        {"id": i, "question": it["question"], "reference_answer": it["reference"], "answer": it["answer"]}
        for i, it in enumerate(data.items)
    ]
    rows = grade_items(items, args.judge, get_settings())
    done = time.perf_counter()
    results = [type("R", (), {"score": r["score"] or 1.0, "flags": r["flags"]}) for r in rows]
    pred = np.array([r.score for r in results])
    out = report(pred, data)
    flags: dict[str, int] = {}
    for r in results:
        for f in r.flags:
            flags[f] = flags.get(f, 0) + 1
    out["flags"] = flags
    out["seconds"] = {
        "errors": sum(1 for r in rows if r["status"] != "ok"),
        "total": round(done - start, 2),
        "cpu": round(time.process_time() - cpu_start, 2),  # all threads; contention-independent
        "loadavg_1m_after": round(os.getloadavg()[0], 2),  # other processes share the 2 cores
    }
    out["judge"] = args.judge
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"Mohler, {len(pred)} answers through interview grade ({args.judge} judge)")
    print(f"{'split':6} {'n':>5} {'pearson':>8} {'spearman':>9} {'rmse':>6}")
    for name in ("dev", "test"):
        m = out[name]
        print(f"{name:6} {m['n']:5d} {m['pearson']:8.3f} {m['spearman']:9.3f} {m['rmse']:6.3f}")
    print(f"flags: {flags}")
    s = out["seconds"]
    print(
        f"wall time: {s['total']:.1f} s (model load included), {s['errors']} errors; CPU time {s['cpu']:.1f} s; "
        f"load average {s['loadavg_1m_after']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
