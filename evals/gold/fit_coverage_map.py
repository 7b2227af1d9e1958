"""Fit the offline judge's map from weighted key-point coverage to the 1-5 score, on the gold DEV split only.

    python evals/gold/fit_coverage_map.py [--params FILE] [--dry-run]

Every dev answer is judged through the public judge surface (`interviewer.judge.build(...).judge_many`, the
path users run) with the current parameters; its weighted coverage is read from the verdict (graded credit per
key point, `KeyPointVerdict.strength`). Answers the guards score 1 by rule (empty, gibberish, off-topic) are left
out: their score does not come from this map. An isotonic regression (scikit-learn) from coverage to the gold
grade is fitted on the rest, pinned at coverage 0 -> 1 and 1 -> 5 by two anchor points whose weight is chosen by
leave-one-question-out cross-validation (quadratic weighted kappa) on dev. The test split is never read.
Writes `coverage_to_score` (the breakpoints) into interviewer/data/offline_judge_params.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import cohen_kappa_score

REPO = Path(__file__).resolve().parents[2]
ANCHOR_WEIGHTS = [3.0, 10.0, 30.0]
GUARDED = {"empty", "gibberish", "off_topic"}


def _labels(x: np.ndarray) -> np.ndarray:
    return np.clip(np.floor(x + 0.5), 1, 5).astype(int)


def fit(cov: np.ndarray, gold: np.ndarray, anchor: float) -> IsotonicRegression:
    x = np.concatenate([cov, [0.0, 1.0]])
    y = np.concatenate([gold, [1.0, 5.0]])
    w = np.concatenate([np.ones(len(cov)), [anchor, anchor]])
    return IsotonicRegression(y_min=1.0, y_max=5.0, out_of_bounds="clip").fit(x, y, sample_weight=w)


def cv_qwk(cov: np.ndarray, gold: np.ndarray, groups: np.ndarray, anchor: float) -> tuple[float, np.ndarray]:
    """Leave one question out: each question's answers are scored by a map fitted on the other questions."""
    pred = np.zeros(len(cov))
    for g in np.unique(groups):
        held = groups == g
        pred[held] = fit(cov[~held], gold[~held], anchor).predict(cov[held])
    return float(cohen_kappa_score(_labels(gold), _labels(pred), weights="quadratic")), pred


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--params", type=Path, default=REPO / "interviewer" / "data" / "offline_judge_params.json")
    ap.add_argument("--dry-run", action="store_true", help="print the fit, write nothing")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from interviewer.config import get_settings
    from interviewer.judge import build
    from interviewer.knowledge.bank import load_bank

    settings = get_settings().model_copy(update={"judge_model": "offline"})
    bank = load_bank(settings.bank_dir)
    rows = [json.loads(line) for line in (REPO / "evals" / "gold" / "answers.jsonl").read_text().splitlines() if line]
    dev = [r for r in rows if r["split"] == "dev" and r["question_id"] in bank.questions]
    del rows  # nothing below may look at the test split
    verdicts = build(settings).judge_many([(bank.questions[r["question_id"]], r["answer"]) for r in dev])
    keep = [(r, v) for r, v in zip(dev, verdicts, strict=True) if v.ok and not GUARDED & set(v.flags)]
    cov = np.array([sum(p.weight * (p.strength or 0.0) for p in v.key_points) for _, v in keep])
    cov /= np.array([sum(p.weight for p in v.key_points) or 1.0 for _, v in keep])
    gold = np.array([float(r["score"]) for r, _ in keep])
    groups = np.array([r["question_id"] for r, _ in keep])
    kinds = np.array([r["kind"] for r, _ in keep])

    scores = {a: cv_qwk(cov, gold, groups, a) for a in ANCHOR_WEIGHTS}
    anchor = max(scores, key=lambda a: scores[a][0])
    model = fit(cov, gold, anchor)
    pred = scores[anchor][1]
    bias = {str(k): round(float(np.mean(pred[kinds == k] - gold[kinds == k])), 3) for k in sorted(set(kinds))}
    curve = {
        "x": [round(float(v), 4) for v in model.X_thresholds_],
        "y": [round(float(v), 4) for v in model.y_thresholds_],
        "note": f"isotonic fit on {len(keep)} gold dev answers (guarded ones left out), anchor weight {anchor:g}; "
        f"leave-one-question-out QWK by anchor weight: "
        + ", ".join(f"{a:g}: {scores[a][0]:.3f}" for a in ANCHOR_WEIGHTS)
        + f"; cross-validated bias per kind: {bias}",
    }
    print(json.dumps(curve, indent=1))
    if not args.dry_run:
        params = json.loads(args.params.read_text())
        params["coverage_to_score"] = curve
        args.params.write_text(json.dumps(params, indent=2) + "\n")
        print(f"wrote {args.params}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
