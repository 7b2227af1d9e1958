"""Gates: flatten results to `suite.split.metric` keys, check them against evals/thresholds.toml, and compare
with the checked-in baseline evals/baselines/<judge>.json.

thresholds.toml has two sections per judge:
- `[<judge>.targets.<suite>.<split>]`: what the product promises. Reported as met / NOT MET; never an exit code.
- `[<judge>.pins.<suite>.<split>]`: regression pins. A run that crosses one exits 1. A pin may never sit below
  the measured value by more than that metric's 95% CI half-width (stored in the baseline; a test checks it).
A number is a minimum, `{ max = x }` a maximum, `{ min = a, max = b }` both. Pass rates sit in `.pass` tables,
per-kind bias in `.bias` tables.
"""

from __future__ import annotations

import json
import math
import time
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from interviewer.config import REPO_ROOT

THRESHOLDS_PATH = REPO_ROOT / "evals" / "thresholds.toml"
BASELINE_DIR = REPO_ROOT / "evals" / "baselines"
SKIP = {"confusion", "ci", "kinds"}
MOVED_AT = 0.005  # smaller changes are not reported as moved


class Bound(BaseModel):
    key: str = Field(description="Flat metric key, e.g. gold.test.qwk.")
    min: float | None = Field(None, description="Fail when the metric is below this.")
    max: float | None = Field(None, description="Fail when the metric is above this.")


class Moved(BaseModel):
    key: str = Field(description="Flat metric key.")
    baseline: float | None = Field(description="Value in the checked-in baseline (None: new metric).")
    now: float | None = Field(description="Value in this run (None: metric gone).")

    @property
    def delta(self) -> float | None:
        return None if self.baseline is None or self.now is None else self.now - self.baseline


def _flat(prefix: str, value: Any, out: dict[str, float]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in SKIP:
                _flat(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int | float) and value is not None:
        out[prefix] = float(value)


def flatten(results: dict) -> dict[str, float]:
    """Scalar metrics of every suite as `suite.split.metric` (pass rates as `suite.split.pass.kind`)."""
    out: dict[str, float] = {}
    for suite, body in results.get("suites", {}).items():
        for split, block in body.get("splits", {}).items():
            _flat(f"{suite}.{split}", block, out)
        if (body.get("grader_agreement") or {}).get("n"):
            _flat(f"{suite}.double_graded", body["grader_agreement"], out)
    return out


def half_widths(results: dict) -> dict[str, float]:
    """95% CI half-width per flat metric key: bootstrap intervals where the results carry one, a Wilson
    interval for pass rates (n items per kind)."""
    from scipy.stats import binomtest

    out: dict[str, float] = {}
    for suite, body in results.get("suites", {}).items():
        for split, block in body.get("splits", {}).items():
            for metric, (lo, hi) in (block.get("ci") or {}).items():
                if lo is not None and hi is not None:
                    out[f"{suite}.{split}.{metric}"] = (hi - lo) / 2
            rates = [(f"pass.{k}", v["passed"], v["n"]) for k, v in (block.get("kinds") or {}).items()]
            if block.get("n_adversarial"):
                rates.append(("pass_adversarial", block["passed_adversarial"], block["n_adversarial"]))
            if "pass_overall" in block and block.get("kinds"):
                kinds = block["kinds"].values()
                rates.append(("pass_overall", sum(v["passed"] for v in kinds), sum(v["n"] for v in kinds)))
            for key, k, n in rates:
                ci = binomtest(int(k), int(n)).proportion_ci(0.95, method="wilson")
                out[f"{suite}.{split}.{key}"] = (ci.high - ci.low) / 2
    return out


def load_bounds(judge: str, path: Path = THRESHOLDS_PATH, section: str = "pins") -> list[Bound]:
    """The `pins` (or `targets`) of one judge."""
    if not path.is_file():
        return []
    table = tomllib.loads(path.read_text(encoding="utf-8")).get(judge, {}).get(section, {})
    bounds: list[Bound] = []

    def walk(prefix: str, node: dict) -> None:
        for k, v in node.items():
            key = f"{prefix}.{k}" if prefix else k
            if isinstance(v, dict) and set(v) <= {"min", "max"}:
                bounds.append(Bound(key=key, min=v.get("min"), max=v.get("max")))
            elif isinstance(v, dict):
                walk(key, v)
            else:
                bounds.append(Bound(key=key, min=float(v)))

    walk("", table)
    return bounds


def check_thresholds(flat: dict[str, float], bounds: list[Bound], suites: set[str]) -> list[str]:
    """Failures, one line each, for the bounds of the suites and splits that were run."""
    ran = {".".join(k.split(".")[:2]) for k in flat}
    failures = []
    for b in bounds:
        suite_split = ".".join(b.key.split(".")[:2])
        if b.key.split(".")[0] not in suites or suite_split not in ran:
            continue
        value = flat.get(b.key)
        if value is None or math.isnan(value):
            failures.append(f"{b.key}: missing from the results (threshold {b.min if b.min is not None else b.max})")
        elif b.min is not None and value < b.min:
            failures.append(f"{b.key}: {value:.4f} is below the minimum {b.min:g}")
        elif b.max is not None and value > b.max:
            failures.append(f"{b.key}: {value:.4f} is above the maximum {b.max:g}")
    return failures


def baseline_path(judge: str, directory: Path = BASELINE_DIR) -> Path:
    return directory / f"{judge}.json"


def load_baseline(judge: str, directory: Path = BASELINE_DIR) -> dict[str, float]:
    path = baseline_path(judge, directory)
    return json.loads(path.read_text(encoding="utf-8")).get("metrics", {}) if path.is_file() else {}


def compare(flat: dict[str, float], baseline: dict[str, float], suites: set[str]) -> list[Moved]:
    """Metrics that moved by at least MOVED_AT, appeared or disappeared (only for suites that ran; nothing
    without a baseline)."""
    if not baseline:
        return []
    ran = {".".join(k.split(".")[:2]) for k in flat}
    moved = []
    for key in sorted(set(flat) | set(baseline)):
        if ".".join(key.split(".")[:2]) not in ran or key.split(".")[0] not in suites:
            continue
        old, new = baseline.get(key), flat.get(key)
        if old is None or new is None or abs(new - old) >= MOVED_AT:
            moved.append(Moved(key=key, baseline=old, now=new))
    return moved


def write_baseline(
    judge: str, model: str, flat: dict[str, float], directory: Path = BASELINE_DIR, widths: dict | None = None
) -> Path:
    """Replace the baseline's metrics for the suite/splits of this run, keeping the others."""
    path = baseline_path(judge, directory)
    previous = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    ran = {".".join(k.split(".")[:2]) for k in flat}
    kept = {k: v for k, v in previous.get("metrics", {}).items() if ".".join(k.split(".")[:2]) not in ran}
    kept_w = {k: v for k, v in previous.get("half_widths", {}).items() if ".".join(k.split(".")[:2]) not in ran}
    body = {
        "judge": judge,
        "model": model,
        "updated": time.strftime("%Y-%m-%d %H:%M:%S"),
        "metrics": dict(sorted({**kept, **{k: round(v, 4) for k, v in flat.items()}}.items())),
        "half_widths": dict(sorted({**kept_w, **{k: round(v, 4) for k, v in (widths or {}).items()}}.items())),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    return path
