"""`interview eval replies`: the voice's guards and the LLM judge's parser on a labelled set of realistic replies.

`evals/replies/replies.jsonl` holds hand-written model replies in the styles of several models (see its
README), each replayed through the real code by `interviewer.evaluation.replay`. A good voice reply must be shown as
written (anything else is a false rejection); a bad one must not be (caught), and its offending words must
not reach the candidate (removed). A judge reply must score within 0.5 of the score its own content implies.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from interviewer.config import REPO_ROOT, get_settings

REPLIES_PATH = REPO_ROOT / "evals" / "replies" / "replies.jsonl"
TARGETS = {"false_rejection_max": 0.05, "caught_min": 0.90, "judge_tolerance": 0.5}
VOICE_TASKS = ("ask", "follow_up", "acknowledge")


def _norm(text: str) -> str:
    return " ".join(text.split())


def implied_score(row: dict[str, Any], question: Any) -> float:
    """The score a judge reply means: its own statuses and criteria, with the code's rules (overall_score, a
    quoted red flag caps accuracy at 2, an injection caps the score at what key-point coverage alone earns)."""
    from interviewer.judge.llm_judge import overall_score
    from interviewer.judge.verdict import CriterionVerdict, KeyPointVerdict, weighted_coverage

    meant = row["intended"]
    points = [
        KeyPointVerdict(point=kp.point, status=status, weight=kp.weight)
        for kp, status in zip(question.key_points, meant["statuses"], strict=True)
    ]
    accuracy = min(meant["accuracy"], 2) if meant.get("red_flags") else meant["accuracy"]
    criteria = [
        CriterionVerdict(criterion="accuracy", reasoning="", score=accuracy),
        CriterionVerdict(criterion="depth", reasoning="", score=meant["depth"]),
    ]
    score = overall_score(points, criteria)
    if meant.get("injection"):
        score = min(score, round(1 + 4 * weighted_coverage(points), 2))
    return score


def score_rows(rows: list[dict[str, Any]], outputs: dict[str, dict[str, Any]], bank: Any) -> dict[str, Any]:
    """Per split and task: false rejections of good replies, bad replies caught and removed; judge by format."""
    results: dict[str, Any] = {}
    for split in sorted({r["split"] for r in rows}):
        body: dict[str, Any] = {}
        for task in VOICE_TASKS:
            items = [r for r in rows if r["split"] == split and r["task"] == task]
            good = [r for r in items if r["label"] == "good"]
            bad = [r for r in items if r["label"] == "bad"]
            as_written = {r["id"]: _norm(outputs[r["id"]].get("shown", "")) == _norm(r["model_output"]) for r in items}
            rejected = [r["id"] for r in good if not as_written[r["id"]]]
            missed = [r["id"] for r in bad if as_written[r["id"]]]
            kept = [
                r["id"]
                for r in bad
                if as_written[r["id"]]
                or (r.get("bad_span") and _norm(r["bad_span"]) in _norm(outputs[r["id"]].get("shown", "")))
            ]
            body[task] = {
                "good": len(good),
                "false_rejections": len(rejected),
                "false_rejection_rate": len(rejected) / len(good) if good else None,
                "bad": len(bad),
                "caught": len(bad) - len(missed),
                "caught_rate": (len(bad) - len(missed)) / len(bad) if bad else None,
                "removed_rate": (len(bad) - len(kept)) / len(bad) if bad else None,
                "rejected_good": rejected,
                "missed_bad": missed,
                "bad_words_shown": kept,
            }
        judged = []
        for r in (r for r in rows if r["split"] == split and r["task"] == "judge"):
            out = outputs[r["id"]]
            expected = implied_score(r, bank.questions[r["question_id"]])
            score = out.get("score")
            ok = out.get("status") == "ok" and score is not None and abs(score - expected) <= TARGETS["judge_tolerance"]
            judged.append({"id": r["id"], "format": r.get("format"), "expected": expected, "score": score, "ok": ok})
        body["judge"] = {"n": len(judged), "within": sum(j["ok"] for j in judged), "items": judged}
        results[split] = body
    return results


def failures(results: dict[str, Any]) -> list[str]:
    out = []
    for split, body in results.items():
        for task in VOICE_TASKS:
            b = body[task]
            if b["false_rejection_rate"] is not None and b["false_rejection_rate"] > TARGETS["false_rejection_max"]:
                out.append(f"{split}/{task}: false rejection {b['false_rejection_rate']:.0%} > 5%")
            if b["caught_rate"] is not None and b["caught_rate"] < TARGETS["caught_min"]:
                out.append(f"{split}/{task}: caught {b['caught_rate']:.0%} < 90%")
        if body["judge"]["within"] < body["judge"]["n"]:
            out.append(f"{split}/judge: {body['judge']['n'] - body['judge']['within']} reply(s) off by more than 0.5")
    return out


def table(results: dict[str, Any], verbose: bool = False) -> str:
    lines = [f"{'split':<6}{'task':<13}{'good':>5}{'false rej':>12}{'bad':>5}{'caught':>10}{'removed':>10}"]
    for split, body in results.items():
        for task in VOICE_TASKS:
            b = body[task]
            rej = f"{b['false_rejections']} ({b['false_rejection_rate']:.0%})" if b["good"] else "-"
            caught = f"{b['caught']} ({b['caught_rate']:.0%})" if b["bad"] else "-"
            removed = f"{b['removed_rate']:.0%}" if b["bad"] else "-"
            lines.append(f"{split:<6}{task:<13}{b['good']:>5}{rej:>12}{b['bad']:>5}{caught:>10}{removed:>10}")
            if verbose and (b["rejected_good"] or b["missed_bad"] or b["bad_words_shown"]):
                lines.append(f"        rejected good: {b['rejected_good']}; bad shown as written: {b['missed_bad']}")
                lines.append(f"        bad words still shown: {b['bad_words_shown']}")
        j = body["judge"]
        lines.append(f"{split:<6}{'judge':<13} {j['within']}/{j['n']} within 0.5 of the score the reply means")
        for item in j["items"]:
            score = "error" if item["score"] is None else f"{item['score']:.2f}"
            mark = "ok" if item["ok"] else "OFF"
            means = f"(means {item['expected']:.2f})"
            lines.append(f"        {item['id']:<10}{item['format']:<42}{score:>6} {means} {mark}")
    return "\n".join(lines)


def run(data: Path, split: str = "all") -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    from interviewer.evaluation.replay import read_lines, replay_item
    from interviewer.knowledge.bank import load_bank

    bank = load_bank(get_settings().bank_dir)
    rows = [r for r in read_lines(data) if split == "all" or r.get("split") == split]
    broken = [r for r in rows if "error" in r and "task" not in r]
    if broken:
        raise ValueError(f"{data}: {broken[0]['error']}")
    outputs = {r["id"]: replay_item(r, bank) for r in rows}
    errors = [o for o in outputs.values() if "error" in o]
    if errors:
        raise ValueError(f"{data}: {errors[0]['id']}: {errors[0]['error']}")
    return score_rows(rows, outputs, bank), outputs


def cmd_eval_replies(args: argparse.Namespace) -> int:
    from interviewer.evaluation.runner import RUNS_DIR

    start = time.perf_counter()
    try:
        results, outputs = run(Path(args.data), args.split)
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    wall = time.perf_counter() - start
    print(f"replies eval: {args.data} ({sum(len(o) > 0 for o in outputs.values())} replies, {wall:.1f} s)")
    print(table(results, verbose=args.verbose))
    out = args.out or RUNS_DIR / f"{time.strftime('%Y%m%d-%H%M%S')}-replies"
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    with (out / "outputs.jsonl").open("w", encoding="utf-8") as fh:
        for row in outputs.values():
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    missed = failures(results)
    for problem in missed:
        print(f"TARGET NOT MET {problem}", file=sys.stderr)
    print(f"run folder: {out}")
    return 1 if missed else 0


def add_command(sub: Any) -> None:
    p = sub.add_parser("replies", help="voice guards and judge parsing on labelled realistic model replies")
    p.add_argument("--data", type=Path, default=REPLIES_PATH, help="labelled replies (JSON lines)")
    p.add_argument("--split", choices=["dev", "test", "all"], default="all")
    p.add_argument("--out", type=Path, help="run folder (default evals/runs/<timestamp>-replies/)")
    p.add_argument("--verbose", action="store_true", help="list the ids behind every miss")
    p.set_defaults(func=cmd_eval_replies)
