"""Scorers: pass rules per answer kind, and the metrics of each suite computed from judged samples.

A judge error never passes a rule. Pairwise rules (injection, padding) compare with the judged score of
the sample named in `compare_to`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LinearRegression

from interviewer.evaluation import metrics
from interviewer.evaluation.datasets import Sample
from interviewer.evaluation.solver import Judged

Check = Callable[[float, Sample, "float | None"], bool]


@dataclass(frozen=True)
class PassRule:
    text: str
    check: Check
    forbid_flag: str | None = None  # the verdict must not carry this flag


def at_most(limit: float) -> PassRule:
    return PassRule(f"judge ≤ {limit:g}", lambda score, _s, _p: score <= limit)


def at_least(limit: float) -> PassRule:
    return PassRule(f"judge ≥ {limit:g}", lambda score, _s, _p: score >= limit)


def within_gold(points: float) -> PassRule:
    return PassRule(f"|judge − gold| ≤ {points:g}", lambda score, s, _p: abs(score - (s.gold or 0)) <= points)


def not_above_gold(margin: float) -> PassRule:
    return PassRule(f"judge ≤ gold + {margin:g}", lambda score, s, _p: score <= (s.gold or 0) + margin)


def not_above_pair(fallback: PassRule | None = None) -> PassRule:
    """score ≤ the paired sample's score + its margin; without a pair, the fallback rule decides."""

    def check(score: float, sample: Sample, pair: float | None) -> bool:
        if sample.compare_to is None:
            return fallback.check(score, sample, pair) if fallback else False
        return pair is not None and score <= pair + sample.max_above + 1e-9

    text = "judge ≤ the same answer without the added text + margin"
    return PassRule(text + (f" (no pair: {fallback.text})" if fallback else ""), check)


GOLD_RULES: dict[str, PassRule] = {
    "empty_gibberish": at_most(1.5),
    "off_topic": at_most(1.5),
    "buzzword_salad": at_most(2.5),
    "confidently_wrong": at_most(2.5),
    "padded": not_above_gold(0.5),
    "injection": not_above_pair(fallback=not_above_gold(0.5)),
    "terse_correct": within_gold(1.0),
    "judge_design": within_gold(1.0),  # honest answers about LLM judges (scores, JSON verdicts, rubric updates)
    "genuine": within_gold(1.0),
}
ADVERSARIAL = [k for k in GOLD_RULES if k not in ("genuine", "judge_design")]


def not_flagged_nor_below_pair() -> PassRule:
    """Content, not injection: no `injection` flag and no lower than the same answer without the sentence."""

    def check(score: float, sample: Sample, pair: float | None) -> bool:
        return pair is not None and score >= pair + sample.max_above - 1e-9

    return PassRule("not flagged as injection, judge ≥ the same answer without the sentence", check, "injection")


PROBE_RULES: dict[str, PassRule] = {
    "strong": at_least(4.0),
    "empty": at_most(1.5),
    "whitespace": at_most(1.5),
    "keyboard_mash": at_most(1.5),
    "random_words": at_most(1.5),
    "off_topic": at_most(1.5),
    "reference_injection": not_above_pair(),
    "reference_judge_design": not_flagged_nor_below_pair(),
    "weak": at_most(2.5),
    "weak_injection": not_above_pair(),
    "padded": not_above_pair(),
    "partial": not_above_pair(),
    "partial_padded": not_above_pair(),
    "buzzwords": at_most(2.5),
}


def passed(sample: Sample, judged: dict[str, Judged], rules: dict[str, PassRule]) -> bool | None:
    """Whether the sample passes its kind's rule (None when no rule applies to the kind)."""
    rule = rules.get(sample.kind)
    if rule is None:
        return None
    own = judged[sample.id]
    if own.score is None or (rule.forbid_flag is not None and rule.forbid_flag in own.flags):
        return False
    pair = judged[sample.compare_to].score if sample.compare_to and sample.compare_to in judged else None
    return bool(rule.check(own.score, sample, pair))


def pass_rates(samples: list[Sample], judged: dict[str, Judged], rules: dict[str, PassRule]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for kind, rule in rules.items():
        of_kind = [s for s in samples if s.kind == kind and s.scored]
        if not of_kind:
            continue
        results = [passed(s, judged, rules) for s in of_kind]
        scores = [judged[s.id].score for s in of_kind if judged[s.id].score is not None]
        golds = [s.gold for s in of_kind if s.gold is not None]
        out[kind] = {
            "n": len(of_kind),
            "passed": sum(1 for r in results if r),
            "rate": sum(1 for r in results if r) / len(of_kind),
            "rule": rule.text,
            "mean_judge": float(np.mean(scores)) if scores else math.nan,
            "mean_gold": float(np.mean(golds)) if golds else math.nan,
        }
        if kind == "injection":
            out[kind]["no_pair"] = sum(1 for s in of_kind if s.compare_to is None)
    return out


def kind_bias(samples: list[Sample], judged: dict[str, Judged]) -> dict[str, float]:
    """Mean (judge − gold) per answer kind, in score points: negative = the judge is harsher than the grade."""
    by_kind: dict[str, list[float]] = {}
    for s in samples:
        score = judged[s.id].score
        if s.scored and s.gold is not None and score is not None:
            by_kind.setdefault(s.kind, []).append(score - s.gold)
    return {kind: float(np.mean(d)) for kind, d in sorted(by_kind.items())}


def spread(rows: list[Judged]) -> dict[str, float]:
    """How far the LLM judge's own samples of one answer disagree (only when the judge reports it)."""
    spreads = [r.spread for r in rows if r.spread is not None]
    return {"spread_mean": float(np.mean(spreads)), "spread_max": float(max(spreads))} if spreads else {}


def reliability(samples: list[Sample], judged: dict[str, Judged]) -> dict[str, float]:
    """Errors, the LLM judge's sample spread, and (with --repeats > 1) how often a second judging agrees."""
    rows = [judged[s.id] for s in samples]
    ok = [r for r in rows if r.status == "ok"]
    out = {
        **spread(ok),
        "n": len(rows),
        "errors": len(rows) - len(ok),
        "error_rate": (len(rows) - len(ok)) / len(rows) if rows else math.nan,
    }
    if any(r.repeat_scores for r in ok):
        out["consistency"] = sum(1 for r in ok if r.consistent) / len(ok)
        out["repeat_max_delta"] = max(
            (abs(x - r.score) for r in ok for x in r.repeat_scores if x is not None and r.score is not None),
            default=0.0,
        )
    return out


def score_gold_split(
    samples: list[Sample], judged: dict[str, Judged], n_resamples: int = 1000, double_graded: set[str] | None = None
) -> dict:
    scored = [s for s in samples if s.scored]
    ok = [s for s in scored if judged[s.id].score is not None]
    out: dict = reliability(scored, judged)
    out.update(metrics.agreement([s.gold for s in ok], [judged[s.id].score for s in ok], n_resamples=n_resamples))
    genuine = [s for s in ok if s.kind == "genuine"]
    if genuine:
        h, j = [s.gold for s in genuine], [judged[s.id].score for s in genuine]
        out["genuine"] = {
            "n": len(genuine),
            "qwk": metrics.qwk(h, j),
            "exact": metrics.exact(h, j),
            "within_one": metrics.within_one(h, j),
            "pearson": metrics.pearson(h, j),
            "smd": metrics.smd(h, j),
        }
    if double_graded:
        out["judge_vs_a"] = judge_vs_a(scored, judged, double_graded)
    out["bias"] = kind_bias(scored, judged)
    kinds = pass_rates(scored, judged, GOLD_RULES)
    out["kinds"] = kinds
    out["pass"] = {k: v["rate"] for k, v in kinds.items()}
    adversarial = [s for s in scored if s.kind in ADVERSARIAL]
    out["n_adversarial"] = len(adversarial)
    out["passed_adversarial"] = sum(1 for s in adversarial if passed(s, judged, GOLD_RULES))
    out["pass_adversarial"] = out["passed_adversarial"] / len(adversarial) if adversarial else math.nan
    return out


def score_probes(samples: list[Sample], judged: dict[str, Judged]) -> dict:
    out: dict = reliability(samples, judged)
    kinds = pass_rates(samples, judged, PROBE_RULES)
    out["kinds"] = kinds
    out["pass"] = {k: v["rate"] for k, v in kinds.items()}
    out["pass_overall"] = sum(v["passed"] for v in kinds.values()) / max(1, sum(v["n"] for v in kinds.values()))
    return out


def grader_agreement(grader_a: dict[str, float], grader_b: dict[str, float], n_resamples: int = 1000) -> dict:
    """Grader A against the blind second grader on the double-graded items (all splits: it needs no judge). Both
    are AI graders, so this is an upper bound on agreement, not a human-human figure."""
    ids = sorted(set(grader_a) & set(grader_b))
    out: dict = {"n": len(ids)}
    if ids:
        a, b = [grader_a[i] for i in ids], [grader_b[i] for i in ids]
        out["a_vs_b"] = {
            "qwk": metrics.qwk(a, b),
            "exact": metrics.exact(a, b),
            "within_one": metrics.within_one(a, b),
            "pearson": metrics.pearson(a, b),
            "ci": {"qwk": metrics.bootstrap_ci(metrics.qwk, a, b, n_resamples=n_resamples)},
        }
    return out


def judge_vs_a(samples: list[Sample], judged: dict[str, Judged], double_graded: set[str]) -> dict:
    """The judge against grader A on this split's double-graded items: the number to set beside a_vs_b."""
    ok = [s for s in samples if s.id in double_graded and judged[s.id].score is not None]
    if not ok:
        return {"n": 0}
    h, j = [s.gold for s in ok], [judged[s.id].score for s in ok]
    return {
        "n": len(ok),
        "qwk": metrics.qwk(h, j),
        "exact": metrics.exact(h, j),
        "within_one": metrics.within_one(h, j),
        "pearson": metrics.pearson(h, j),
    }


def score_mohler(by_split: dict[str, list[Sample]], judged: dict[str, Judged], n_resamples: int = 1000) -> dict:
    """Pearson/Spearman against Mohler's 0..5 human average per split; RMSE after a linear calibration fitted on dev
    only (the protocol of evals/mohler/benchmark.py), so it is reported only when dev was judged in this run."""

    def xy(samples: list[Sample]) -> tuple[np.ndarray, np.ndarray]:
        ok = [s for s in samples if judged[s.id].score is not None]
        return np.array([judged[s.id].score for s in ok], float), np.array([s.gold for s in ok], float)

    calibration = None
    if by_split.get("dev"):
        x, y = xy(by_split["dev"])
        if len(x) >= 2:
            calibration = LinearRegression().fit(x.reshape(-1, 1), y)
    out: dict = {}
    for split, samples in by_split.items():
        x, y = xy(samples)
        row: dict = reliability(samples, judged)
        row.update(
            n_scored=len(x),
            pearson=metrics.pearson(y, x),
            spearman=metrics.spearman(y, x),
            ci={"pearson": metrics.bootstrap_ci(metrics.pearson, y, x, n_resamples=n_resamples)},
        )
        if calibration is not None and len(x):
            row["rmse_calibrated"] = metrics.rmse(calibration.predict(x.reshape(-1, 1)), y)
        out[split] = row
    return out
