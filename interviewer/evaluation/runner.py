"""`interview eval judge`: run the suites, score them, gate on thresholds, compare with the baseline, and
write a run folder (results.json, items.jsonl, report.md, report.html)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from interviewer.config import REPO_ROOT, Settings
from interviewer.evaluation import gates, scorers
from interviewer.evaluation.datasets import (
    GOLD_PATH,
    SECOND_GRADES_PATH,
    Sample,
    gold_scores,
    load_gold,
    load_mohler,
    load_second_grades,
    subsample,
)
from interviewer.evaluation.metrics import clean
from interviewer.evaluation.probes import load_probes
from interviewer.evaluation.scorers import GOLD_RULES, PROBE_RULES, passed
from interviewer.evaluation.solver import Judged, JudgeSolver, build_eval_judge
from interviewer.knowledge.bank import load_bank

RUNS_DIR = REPO_ROOT / "evals" / "runs"
SUITES = ("gold", "probes", "mohler")
ITEM_FIELDS = {"status", "score", "repeat_scores", "error", "flags", "cached", "spread"}


class JudgeEvalOptions(BaseModel):
    judge: Literal["offline", "llm"] = Field("offline", description="Which judge to evaluate.")
    model: str | None = Field(None, description="litellm model (llm) or embedding model (offline) override.")
    suite: Literal["gold", "mohler", "probes", "all"] = Field("all", description="Suites to run.")
    split: Literal["dev", "test", "all"] = Field("all", description="Gold/Mohler split(s) to run.")
    out: Path | None = Field(None, description="Run folder; default evals/runs/<timestamp>-<judge>/.")
    concurrency: int = Field(4, ge=1, description="Parallel judge calls (LLM judge).")
    repeats: int = Field(1, ge=1, le=5, description="Times each answer is judged (consistency; not needed offline).")
    limit: int | None = Field(None, ge=1, description="At most this many items per suite and split.")
    probe_questions: int = Field(16, ge=1, description="Questions the probes are generated from.")
    resamples: int = Field(1000, ge=100, description="Bootstrap resamples for the 95% intervals.")
    gold: Path = Field(GOLD_PATH, description="Gold answers (JSON lines).")
    second_grades: Path = Field(SECOND_GRADES_PATH, description="Blind second grades (JSON lines).")
    mohler_dir: Path | None = Field(
        None, description="Folder with the Mohler questions.csv and answers.csv; Mohler runs only when it is given."
    )
    thresholds: Path = Field(gates.THRESHOLDS_PATH, description="Minimum/maximum per metric.")
    baseline_dir: Path = Field(gates.BASELINE_DIR, description="Folder of <judge>.json baselines.")
    update_baseline: bool = Field(False, description="Rewrite the baseline with this run's metrics.")
    quiet: bool = Field(False, description="Print only failures and the run folder.")


class EvalOutcome(BaseModel):
    results: dict = Field(description="Everything written to results.json.")
    failures: list[str] = Field(description="Threshold failures (empty = pass).")
    moved: list[gates.Moved] = Field(description="Metrics that moved against the baseline.")
    run_dir: Path = Field(description="Where the run was written.")

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True)
        return out.stdout.strip()
    except OSError:
        return ""


def _suites(options: JudgeEvalOptions) -> list[str]:
    """The suites to run. Mohler only with --mohler-dir, so `make eval` gives the same result on every machine."""
    if options.suite == "mohler" and options.mohler_dir is None:
        raise FileNotFoundError("--suite mohler needs --mohler-dir DIR (the folder with questions.csv, answers.csv)")
    if options.suite != "all":
        return [options.suite]
    return ["gold", "probes", *(["mohler"] if options.mohler_dir is not None else [])]


def _item_rows(samples: list[Sample], judged: dict[str, Judged], rules: dict) -> list[dict[str, Any]]:
    return [
        {
            "id": s.id,
            "suite": s.suite,
            "split": s.split,
            "kind": s.kind,
            "question_id": s.question_id,
            "gold": s.gold,
            "pass": passed(s, judged, rules),
            "compare_to": s.compare_to,
            **judged[s.id].model_dump(include=ITEM_FIELDS),
        }
        for s in samples
    ]


def run_suite(name: str, options: JudgeEvalOptions, solver: JudgeSolver, bank: Any) -> tuple[dict, list[dict]]:
    splits = {"dev", "test"} if options.split == "all" else {options.split}
    start = time.perf_counter()
    body: dict[str, Any] = {"problems": []}
    if name == "gold":
        samples, body["problems"] = load_gold(bank, splits, options.gold)
        samples = subsample(samples, options.limit)
        judged = solver.solve(samples)
        second = load_second_grades(options.second_grades)
        body["splits"] = {
            split: scorers.score_gold_split(
                [s for s in samples if s.split == split], judged, options.resamples, set(second)
            )
            for split in sorted({s.split for s in samples})
        }
        body["grader_agreement"] = scorers.grader_agreement(gold_scores(options.gold), second, options.resamples)
        rules = GOLD_RULES
    elif name == "probes":
        samples = load_probes(bank, options.probe_questions)
        judged = solver.solve(samples)
        body["splits"] = {"all": scorers.score_probes(samples, judged)}
        body["questions"] = sorted({s.question_id for s in samples})
        rules = PROBE_RULES
    else:
        samples = subsample(load_mohler(splits, options.mohler_dir), options.limit)  # type: ignore[arg-type]
        judged = solver.solve(samples)
        by_split = {split: [s for s in samples if s.split == split] for split in sorted({s.split for s in samples})}
        body["splits"] = scorers.score_mohler(by_split, judged, options.resamples)
        rules = {}
    body["wall_s"] = round(time.perf_counter() - start, 2)
    body["calls"] = sum(j.calls for j in judged.values())
    body["cached_calls"] = sum(j.cached for j in judged.values())
    body["cost_usd"] = sum(j.cost_usd or 0.0 for j in judged.values())
    return body, _item_rows(samples, judged, rules)


def run_judge_eval(options: JudgeEvalOptions, settings: Settings, judge: Any | None = None) -> EvalOutcome:
    """Run the chosen suites with the chosen judge (or an injected one, for tests) and write the run folder."""
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    suites = _suites(options)
    if judge is None:
        judge, repeat_judge, model = build_eval_judge(options.judge, settings, options.model, options.concurrency)
    else:
        repeat_judge, model = judge, getattr(judge, "model_name", getattr(judge, "kind", "injected"))
    solver = JudgeSolver(judge, repeat_judge, concurrency=options.concurrency, repeats=options.repeats)
    bank = load_bank(settings.bank_dir)
    start = time.perf_counter()
    results: dict[str, Any] = {"suites": {}}
    items: list[dict] = []
    for name in suites:
        body, rows = run_suite(name, options, solver, bank)
        results["suites"][name] = body
        items += rows
    wall = time.perf_counter() - start
    costs = [b["cost_usd"] for b in results["suites"].values()]
    results["run"] = {
        "judge": options.judge,
        "model": model,
        "started": started,
        "wall_s": round(wall, 2),
        "judge_wall_s": round(solver.wall_s, 2),
        "cost_usd": round(sum(costs), 6),
        "calls": sum(b["calls"] for b in results["suites"].values()),
        "cached_calls": sum(b["cached_calls"] for b in results["suites"].values()),
        "suites": suites,
        "split": options.split,
        "repeats": options.repeats,
        "concurrency": options.concurrency,
        "limit": options.limit,
        "commit": _git_commit(),
    }
    flat = gates.flatten(clean(results))  # type: ignore[arg-type]
    failures = gates.check_thresholds(flat, gates.load_bounds(options.judge, options.thresholds), set(suites))
    targets = gates.load_bounds(options.judge, options.thresholds, "targets")
    missed = gates.check_thresholds(flat, targets, set(suites))
    checked = [
        b for b in targets if b.key.split(".")[0] in suites and ".".join(b.key.split(".")[:2]) in flat_splits(flat)
    ]
    results["targets"] = {
        "missed": missed,
        "report": [f"NOT MET {m}" for m in missed] + [f"met: {len(checked) - len(missed)} of {len(checked)}"],
    }
    moved = gates.compare(flat, gates.load_baseline(options.judge, options.baseline_dir), set(suites))
    results["thresholds"] = {"path": str(options.thresholds), "failures": failures}
    results["baseline"] = {
        "path": str(gates.baseline_path(options.judge, options.baseline_dir)),
        "exists": gates.baseline_path(options.judge, options.baseline_dir).is_file(),
        "moved": [m.model_dump() | {"delta": m.delta} for m in moved],
    }
    if options.update_baseline:
        widths = gates.half_widths(clean(results))  # type: ignore[arg-type]
        results["baseline"]["updated"] = str(
            gates.write_baseline(options.judge, model, flat, options.baseline_dir, widths)
        )
    run_dir = options.out or RUNS_DIR / f"{time.strftime('%Y%m%d-%H%M%S')}-{options.judge}"
    write_run(run_dir, clean(results), items)  # type: ignore[arg-type]
    return EvalOutcome(results=clean(results), failures=failures, moved=moved, run_dir=run_dir)  # type: ignore[arg-type]


def flat_splits(flat: dict[str, float]) -> set[str]:
    return {".".join(k.split(".")[:2]) for k in flat}


def write_run(run_dir: Path, results: dict, items: list[dict]) -> None:
    from interviewer.evaluation.report import judge_report_html, judge_report_md

    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    with (run_dir / "items.jsonl").open("w", encoding="utf-8") as fh:
        for row in items:
            fh.write(json.dumps(clean(row)) + "\n")
    (run_dir / "report.md").write_text(judge_report_md(results), encoding="utf-8")
    (run_dir / "report.html").write_text(judge_report_html(results), encoding="utf-8")
