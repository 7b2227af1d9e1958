"""Command-line wiring: `interview eval judge ...` and `interview eval interviewer ...`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from interviewer.config import Settings, get_settings


def add_commands(sub: Any) -> None:
    """Add the `judge` and `interviewer` subcommands to an argparse subparsers object (imports nothing heavy:
    path defaults live in `runner.JudgeEvalOptions`)."""
    p = sub.add_parser("judge", help="measure the judge against the gold grades, probes and (with --mohler-dir) Mohler")
    p.add_argument("--judge", choices=["offline", "llm"], default="offline")
    p.add_argument(
        "--model",
        help="litellm model for --judge llm (default INTERVIEW_JUDGE_MODEL); embedding model for --judge offline",
    )
    p.add_argument("--suite", choices=["gold", "mohler", "probes", "all"], default="all")
    p.add_argument("--split", choices=["dev", "test", "all"], default="all")
    p.add_argument("--out", type=Path, help="run folder (default evals/runs/<timestamp>-<judge>/)")
    p.add_argument("--concurrency", type=int, default=4, help="parallel judge calls (LLM judge)")
    p.add_argument("--repeats", type=int, default=1, help="judge each answer N times and report consistency")
    p.add_argument("--limit", type=int, help="at most N items per suite and split (cost control)")
    p.add_argument("--probe-questions", type=int, default=16, help="questions the probes are generated from")
    p.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")
    p.add_argument("--gold", type=Path, help="gold answers (default evals/gold/answers.jsonl)")
    p.add_argument("--second-grades", type=Path, help="default evals/gold/second_grades.jsonl")
    p.add_argument("--mohler-dir", type=Path, help="run the Mohler suite from this folder (never run without it)")
    p.add_argument("--thresholds", type=Path, help="default evals/thresholds.toml")
    p.add_argument("--baseline-dir", type=Path, help="default evals/baselines/")
    p.add_argument("--update-baseline", action="store_true", help="rewrite evals/baselines/<judge>.json")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_eval_judge)

    p = sub.add_parser("interviewer", help="scripted candidate personas through the real interview engine")
    p.add_argument("--loop", choices=["mle", "llm", "both"], default="both")
    p.add_argument("--questions", type=int, default=3, help="questions per interview")
    p.add_argument("--persona", action="append", help="run only these personas (repeatable)")
    p.add_argument("--out", type=Path, help="run folder (default evals/runs/<timestamp>-interviewer/)")
    p.add_argument("--model", help="litellm model for the interviewer's voice (default INTERVIEW_INTERVIEWER_MODEL)")
    p.set_defaults(func=cmd_eval_interviewer)

    from interviewer.evaluation.replies import add_command as add_replies

    add_replies(sub)


def add_eval_parser(subparsers: Any) -> argparse.ArgumentParser:
    """`interview eval {judge,interviewer}`: call with the `interview` CLI's subparsers object."""
    p = subparsers.add_parser("eval", help="the maintainers' eval suite: is the judge / interviewer better or worse?")
    add_commands(p.add_subparsers(dest="eval_command", required=True))
    return p


def _print_judge_summary(outcome: Any) -> None:
    from interviewer.evaluation.report import fmt

    results = outcome.results
    run = results["run"]
    print(
        f"judge eval: {run['judge']} ({run['model']}), {run['wall_s']:.1f} s, {run['calls']} calls "
        f"({run['cached_calls']} cached), cost ${run['cost_usd']:.4f}"
    )
    for suite, body in results["suites"].items():
        for split, b in body.get("splits", {}).items():
            keys = (
                "qwk",
                "exact",
                "within_one",
                "pearson",
                "spearman",
                "smd",
                "pass_adversarial",
                "pass_overall",
                "rmse_calibrated",
                "consistency",
                "spread_mean",
                "spread_max",
                "error_rate",
            )
            shown = ", ".join(f"{k} {fmt(b[k])}" for k in keys if k in b)
            print(f"  {suite}/{split} (n={b.get('n')}): {shown}")
            if b.get("bias"):
                print("    bias (judge - gold): " + ", ".join(f"{k} {v:+.2f}" for k, v in b["bias"].items()))
            if "pass" in b:
                print("    pass: " + ", ".join(f"{k} {fmt(v, 2)}" for k, v in b["pass"].items()))
        ab = body.get("grader_agreement", {}).get("a_vs_b")
        if ab:
            print(
                f"  {suite}/grader A vs blind grader B, both AI (n={body['grader_agreement']['n']}, an upper bound): "
                f"qwk {fmt(ab['qwk'])}, exact {fmt(ab['exact'])}, within_one {fmt(ab['within_one'])}"
            )
        for problem in body.get("problems") or []:
            print(f"  [data] {problem}")
    for line in results.get("targets", {}).get("report", []):
        print(f"  target {line}")
    if outcome.moved:
        print(f"moved against {results['baseline']['path']}:")
        print(f"  {'metric':<44} {'baseline':>9} {'now':>9} {'delta':>9}")
        for m in outcome.moved:
            print(f"  {m.key:<44} {fmt(m.baseline):>9} {fmt(m.now):>9} {fmt(m.delta, 4):>9}")
    elif results["baseline"].get("exists"):
        print(f"nothing moved against {results['baseline']['path']}")
    else:
        print(f"no baseline at {results['baseline']['path']} yet (write one with --update-baseline)")


def cmd_eval_judge(args: argparse.Namespace, settings: Settings | None = None, judge: Any = None) -> int:
    from interviewer.evaluation.runner import JudgeEvalOptions, run_judge_eval
    from interviewer.evaluation.solver import JudgeUnavailable

    fields = JudgeEvalOptions.model_fields
    options = JudgeEvalOptions(**{k: v for k, v in vars(args).items() if k in fields and v is not None})
    try:
        outcome = run_judge_eval(options, settings or get_settings(), judge=judge)
    except JudgeUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if not options.quiet:
        _print_judge_summary(outcome)
        if options.judge == "llm":
            from interviewer.evaluation.llm_summary import llm_summary

            print("\n".join(llm_summary(outcome.run_dir, outcome.results)))
    if options.update_baseline:
        print(f"baseline updated: {outcome.results['baseline'].get('updated')}")
    for failure in outcome.failures:
        print(f"THRESHOLD FAILED {failure}", file=sys.stderr)
    print(f"run folder: {outcome.run_dir}")
    return outcome.exit_code


def interviewer_voice(settings: Settings, loop: str) -> Any:
    """The configured voice for one loop, as `Services.voice` builds it."""
    from interviewer.interview.voice import LLMVoice, TemplateVoice

    if settings.offline_interviewer:
        return TemplateVoice()
    from interviewer.knowledge.bank import load_bank
    from interviewer.llm import LLM, model_config_from_settings

    title = load_bank(settings.bank_dir).loops[loop].title
    return LLMVoice(LLM(model_config_from_settings(settings, "interviewer")), title, "mid")


def interviewer_parts(settings: Settings, loop: str) -> tuple[Any, Any]:
    """The configured judge (no retrieval) and voice for one loop."""
    from interviewer.judge import build

    return build(settings), interviewer_voice(settings, loop)


def run_interviewer_eval(
    loops: list[str], settings: Settings, *, n_questions: int = 3, personas: list[str] | None = None, parts: Any = None
) -> list[Any]:
    """Every persona through every loop. `parts(loop) -> (judge, voice)` overrides the configured ones."""
    from interviewer.evaluation.interviewer_eval import PERSONAS, run_persona
    from interviewer.knowledge.bank import load_bank

    bank = load_bank(settings.bank_dir)
    chosen = [p for p in PERSONAS if not personas or p.name in personas]
    runs = []
    for loop in loops:
        judge, voice = parts(loop) if parts else interviewer_parts(settings, loop)
        for persona in chosen:
            runs.append(
                run_persona(
                    persona,
                    loop,
                    bank,
                    judge,
                    voice,
                    n_questions=n_questions,
                    max_followups=settings.max_followups,
                    max_answer_chars=settings.max_answer_chars,
                )
            )
    return runs


SHORT = {
    "one_question_per_turn": "1q/turn",
    "no_leak": "no_leak",
    "followups_target_missed": "probe_missed",
    "on_topic": "on_loop",
    "skip_respected": "/skip",
    "end_respected": "/end",
    "terminates": "ends",
    "judge_ok": "judge_ok",
}


def interviewer_table(runs: list[Any]) -> str:
    names = list(runs[0].checks) if runs else []
    mark = {True: "ok", False: "FAIL", None: "-"}
    head = f"{'loop':<5}{'persona':<11}" + "".join(f"{SHORT.get(n, n)[:12]:>13}" for n in names)
    head += f"{'turns':>7}{'mean':>6}"
    lines = [head]
    for r in runs:
        scores = [s for s in r.scores if s is not None]
        mean = f"{sum(scores) / len(scores):.1f}" if scores else "-"
        lines.append(
            f"{r.loop:<5}{r.persona:<11}"
            + "".join(f"{mark[r.checks[n]]:>13}" for n in names)
            + f"{r.turns:>7}{mean:>6}"
        )
    return "\n".join(lines)


def cmd_eval_interviewer(args: argparse.Namespace, settings: Settings | None = None, parts: Any = None) -> int:
    from interviewer.evaluation.runner import RUNS_DIR

    settings = settings or get_settings()
    if getattr(args, "model", None):
        settings = settings.model_copy(update={"interviewer_model": args.model})
    loops = ["mle", "llm"] if args.loop == "both" else [args.loop]
    start = time.perf_counter()
    runs = run_interviewer_eval(loops, settings, n_questions=args.questions, personas=args.persona, parts=parts)
    wall = time.perf_counter() - start
    table = interviewer_table(runs)
    print(f"interviewer eval: voice={settings.interviewer_model} judge={settings.judge_model}, {wall:.1f} s")
    print(table)
    failed = [r for r in runs if not r.passed]
    for r in failed:
        for problem in r.problems:
            print(f"FAILED {r.loop}/{r.persona}: {problem}", file=sys.stderr)
    out = args.out or RUNS_DIR / f"{time.strftime('%Y%m%d-%H%M%S')}-interviewer"
    out.mkdir(parents=True, exist_ok=True)
    body = {
        "interviewer_model": settings.interviewer_model,
        "judge_model": settings.judge_model,
        "wall_s": round(wall, 2),
        "passed": not failed,
        "runs": [r.model_dump() for r in runs],
    }
    (out / "interviewer.json").write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    legend = "\n".join(f"- `{SHORT[k]}`: {k.replace('_', ' ')}" for k in SHORT)
    problems = "\n".join(f"- {r.loop}/{r.persona}: {p}" for r in runs for p in r.problems) or "none"
    (out / "interviewer.md").write_text(
        f"# Interviewer eval\n\n```\n{table}\n```\n\n{legend}\n\n## Problems\n\n{problems}\n", encoding="utf-8"
    )
    print(f"run folder: {out}")
    return 1 if failed else 0
