"""Agreement metrics between a judge and reference grades (the gold set's or Mohler's), from sklearn and scipy.

Scores on the 1..5 scale are compared as rounded integers for kappa, exact/within-one agreement and the
confusion matrix (half rounds up: 2.5 -> 3), and as raw values for correlations and leniency.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats
from sklearn.metrics import cohen_kappa_score, confusion_matrix, mean_absolute_error

LABELS = [1, 2, 3, 4, 5]
Statistic = Callable[[np.ndarray, np.ndarray], float]


def to_labels(scores: Sequence[float] | np.ndarray) -> np.ndarray:
    """1..5 integers: half rounds up (np.rint would round 2.5 down to 2), clipped to the scale."""
    return np.clip(np.floor(np.asarray(scores, dtype=float) + 0.5), 1, 5).astype(int)


def _quiet(fn: Callable[[], float]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant inputs: the statistic is undefined and comes back nan
        try:
            value = float(fn())
        except ValueError:
            return math.nan
    return value


def qwk(human: Sequence[float] | np.ndarray, judge: Sequence[float] | np.ndarray) -> float:
    """Quadratic weighted Cohen's kappa on rounded 1..5 labels (1 = perfect, 0 = chance)."""
    return _quiet(lambda: cohen_kappa_score(to_labels(human), to_labels(judge), labels=LABELS, weights="quadratic"))


def exact(human: Sequence[float] | np.ndarray, judge: Sequence[float] | np.ndarray) -> float:
    """Share of items where the rounded scores are equal."""
    return float(np.mean(to_labels(human) == to_labels(judge))) if len(human) else math.nan


def within_one(human: Sequence[float] | np.ndarray, judge: Sequence[float] | np.ndarray) -> float:
    """Share of items where the rounded scores differ by at most one point."""
    return float(np.mean(np.abs(to_labels(human) - to_labels(judge)) <= 1)) if len(human) else math.nan


def pearson(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    return _quiet(lambda: stats.pearsonr(np.asarray(x, float), np.asarray(y, float)).statistic)


def spearman(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    return _quiet(lambda: stats.spearmanr(np.asarray(x, float), np.asarray(y, float)).statistic)


def smd(human: Sequence[float] | np.ndarray, judge: Sequence[float] | np.ndarray) -> float:
    """Standardized mean difference judge - human over the pooled SD (Williamson et al. 2012).

    Positive means the judge is more lenient than the humans; |SMD| > 0.15 is the usual flag in
    automated-scoring practice."""
    h, j = np.asarray(human, float), np.asarray(judge, float)
    if len(h) < 2:
        return math.nan
    pooled = math.sqrt((np.var(h, ddof=1) + np.var(j, ddof=1)) / 2)
    return float((j.mean() - h.mean()) / pooled) if pooled > 0 else math.nan


def confusion(human: Sequence[float] | np.ndarray, judge: Sequence[float] | np.ndarray) -> list[list[int]]:
    """5x5 counts: rows are the human score 1..5, columns the judge score 1..5."""
    return confusion_matrix(to_labels(human), to_labels(judge), labels=LABELS).tolist()


def rmse(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> float:
    a, b = np.asarray(x, float), np.asarray(y, float)
    return float(np.sqrt(np.mean((a - b) ** 2))) if len(a) else math.nan


def bootstrap_ci(
    statistic: Statistic,
    human: Sequence[float] | np.ndarray,
    judge: Sequence[float] | np.ndarray,
    n_resamples: int = 1000,
    seed: int = 20240531,
    level: float = 0.95,
) -> tuple[float, float]:
    """Paired percentile bootstrap interval (scipy.stats.bootstrap) of `statistic(human, judge)`."""
    h, j = np.asarray(human, float), np.asarray(judge, float)
    if len(h) < 5:
        return (math.nan, math.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = stats.bootstrap(
            (h, j),
            statistic,
            paired=True,
            vectorized=False,
            n_resamples=n_resamples,
            confidence_level=level,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
    low, high = result.confidence_interval
    return (float(low), float(high))


def agreement(
    human: Sequence[float] | np.ndarray, judge: Sequence[float] | np.ndarray, *, n_resamples: int = 1000
) -> dict[str, object]:
    """Every agreement metric for one split, with bootstrap 95% intervals for QWK, Pearson and exact."""
    h, j = np.asarray(human, float), np.asarray(judge, float)
    out: dict[str, object] = {
        "n_scored": len(h),
        "qwk": qwk(h, j),
        "exact": exact(h, j),
        "within_one": within_one(h, j),
        "mae": float(mean_absolute_error(h, j)) if len(h) else math.nan,
        "pearson": pearson(h, j),
        "spearman": spearman(h, j),
        "smd": smd(h, j),
        "abs_smd": abs(smd(h, j)),
        "mean_gold": float(h.mean()) if len(h) else math.nan,
        "mean_judge": float(j.mean()) if len(j) else math.nan,
        "confusion": confusion(h, j) if len(h) else [[0] * 5 for _ in range(5)],
    }
    out["ci"] = {
        name: bootstrap_ci(fn, h, j, n_resamples=n_resamples)
        for name, fn in (
            ("qwk", qwk),
            ("pearson", pearson),
            ("spearman", spearman),
            ("exact", exact),
            ("within_one", within_one),
            ("mae", lambda a, b: float(mean_absolute_error(a, b))),
        )
    }
    return out


def clean(value: object) -> object:
    """JSON-safe: nan/inf become None, numpy scalars become Python numbers, recursively."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    return value
