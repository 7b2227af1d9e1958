"""`interview bank check|list|show`: validate the bank, list its questions (and coding exercises), show one.

- `bank check [--json] [--skip-judge]`: every rule in `bank_check.py`; exit 1 on any error.
- `bank list [--json] [--loop L] [--stage S] [--kind K] [--level V]`: `[{"id", "loop", "stage", "kind", "levels"}]`,
  coding exercises included with kind "code" and stage "coding" (one row per loop they serve).
- `bank show ID [--json]`: the whole question (numeric: `answer`, `unit`, `tolerance`), or the exercise.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from interviewer.config import get_settings


def _order(bank: Any, q: Any) -> tuple[str, int, str]:
    return q.loop, list(bank.loops[q.loop].stages).index(q.stage), q.id


def _rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    from interviewer.interview.policy import CODING
    from interviewer.knowledge.bank import load_bank
    from interviewer.knowledge.exercises import load_exercises

    settings = get_settings()
    bank = load_bank(settings.bank_dir)
    rows = [
        {"id": q.id, "loop": q.loop, "stage": q.stage, "kind": q.kind, "levels": list(q.levels)}
        for q in sorted(bank.questions.values(), key=lambda q: _order(bank, q))
    ]
    for exercise in load_exercises(settings.bank_dir).items:
        for loop in getattr(exercise, "loops", []):
            rows.append(
                {"id": exercise.id, "loop": loop, "stage": CODING, "kind": "code", "levels": list(exercise.levels)}
            )
    keep = {"loop": args.loop, "stage": args.stage, "kind": args.kind}
    rows = [r for r in rows if all(v is None or r[k] == v for k, v in keep.items())]
    return [r for r in rows if args.level is None or args.level in r["levels"]]


def cmd_list(args: argparse.Namespace) -> int:
    rows = _rows(args)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        print(f"{r['id']:<28} {r['loop']:<4} {r['stage']:<18} {r['kind']:<11} {','.join(r['levels'])}")
    print(f"{len(rows)} question(s)")
    return 0


def _exercise_dict(exercise: Any) -> dict[str, Any]:
    from interviewer.knowledge.exercises import as_row

    dump = getattr(exercise, "model_dump", None)
    data = dump(mode="json") if callable(dump) else as_row(exercise)
    return {**data, "kind": "code", "stage": "coding"}


def cmd_show(args: argparse.Namespace) -> int:
    from interviewer.knowledge.bank import load_bank
    from interviewer.knowledge.exercises import load_exercises

    settings = get_settings()
    bank = load_bank(settings.bank_dir)
    question = bank.questions.get(args.id)
    if question is not None:
        data = question.model_dump(mode="json")
    else:
        exercise = next((e for e in load_exercises(settings.bank_dir).items if e.id == args.id), None)
        if exercise is None:
            print(f"error: no question or exercise {args.id!r}; see `interview bank list`", file=sys.stderr)
            return 2
        data = _exercise_dict(exercise)
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    for key, value in data.items():
        if value in (None, [], {}, ""):
            continue
        text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
        print(f"{key}: {text}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from interviewer.evaluation.bank_check import check_bank
    from interviewer.services import build_services

    result = check_bank(build_services(get_settings(), index=True), skip_judge=args.skip_judge)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"questions: {result['questions']}")
        for loop, stages in result["stages"].items():
            print(f"{loop}: " + ", ".join(f"{s}={n}" for s, n in stages.items()))
        for loop, kinds in result["kinds"].items():
            print(f"{loop} kinds: " + ", ".join(f"{k}={n}" for k, n in kinds.items()))
        for warning in result["warnings"]:
            print(f"warning: {warning}")
        for error in result["errors"]:
            print(f"error: {error}")
        print("OK" if not result["errors"] else f"{len(result['errors'])} problem(s)")
    return 1 if result["errors"] else 0


def cmd_bank(args: argparse.Namespace) -> int:
    if args.action == "show" and not args.id:
        print("error: bank show needs a question id", file=sys.stderr)
        return 2
    return {"check": cmd_check, "list": cmd_list, "show": cmd_show}[args.action](args)


def register(sub: argparse._SubParsersAction) -> None:
    from interviewer.knowledge.bank import KINDS, LEVELS

    p = sub.add_parser("bank", help="question bank tools: check, list, show")
    p.add_argument("action", choices=["check", "list", "show"])
    p.add_argument("id", nargs="?", help="bank show: the question (or exercise) id")
    p.add_argument("--json", action="store_true")
    p.add_argument("--skip-judge", action="store_true", help="check: skip the reference-answer self-consistency")
    p.add_argument("--loop", choices=["mle", "llm"], help="list: only this loop")
    p.add_argument("--stage", help="list: only this stage")
    p.add_argument("--kind", choices=[*KINDS, "code"], help="list: only this kind")
    p.add_argument("--level", choices=list(LEVELS), help="list: only questions serving this level")
    p.set_defaults(func=cmd_bank)
