"""`interview code list|run`: the coding exercises from the command line (the contract other checks use)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SCORE_HELP = (
    "score is the correctness: tests passed / total, in [0, 1] (null when the code could not run, "
    "status sandbox_unavailable). In an interview the final 1-5 score also weighs the spoken explanation."
)


def _exercises():
    from interviewer.config import get_settings
    from interviewer.knowledge.coding_exercises import load_exercises

    return load_exercises(get_settings().bank_dir)


def cmd_list(args: argparse.Namespace) -> int:
    rows = [
        {"id": e.id, "title": e.title, "loops": e.loops, "levels": e.levels, "signature": e.signature}
        for e in _exercises().values()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            print(f"{row['id']:<20} {'/'.join(row['loops']):<8} {'/'.join(row['levels']):<18} {row['signature']}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from interviewer.coding.grading import CodeRunner
    from interviewer.config import get_settings

    exercises = _exercises()
    exercise = exercises.get(args.exercise)
    if exercise is None:
        print(f"error: unknown exercise {args.exercise!r}; see `interview code list`", file=sys.stderr)
        return 2
    try:
        code = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err).splitlines()[0]
        print(f"error: cannot read {args.file}: {reason}", file=sys.stderr)
        return 2
    runner = CodeRunner.for_address(get_settings().code_sandbox, None)
    report = runner.run(exercise, code, "examples" if args.examples_only else "hidden")
    if args.json:
        print(json.dumps(report.contract(), indent=2))
        return 0
    if runner.choice.note and report.status != "sandbox_unavailable":
        print(f"note: {runner.choice.note}")
    for test in report.tests:
        mark = "PASS" if test.status == "passed" else test.status.upper()
        print(f"{mark:<8} {test.name}" + (f" — {test.message}" if test.message else ""))
    score = "n/a" if report.score is None else f"{report.score:.3f}"
    print(f"{report.status}: {report.passed}/{report.total} passed, score {score}. {report.message}")
    return 0


def register(subparsers) -> None:
    """Add `interview code list|run` to the main parser."""
    code = subparsers.add_parser("code", help="coding exercises: list them, or grade a solution file")
    sub = code.add_subparsers(dest="code_command", required=True)
    p = sub.add_parser("list", help="list the coding exercises")
    p.add_argument("--json", action="store_true", help='print [{"id","title","loops","levels","signature"}]')
    p.set_defaults(func=cmd_list)
    p = sub.add_parser(
        "run",
        help="run a solution against an exercise's hidden tests (or its examples) in the sandbox",
        description="Exit status 0 whenever grading ran, even if tests failed; 2 for an unknown exercise or an "
        "unreadable file. Status: ok (every test ran), error, timeout, memory or sandbox_unavailable. " + SCORE_HELP,
    )
    p.add_argument("exercise", metavar="EXERCISE_ID")
    p.add_argument("--file", required=True, metavar="SOLUTION.py", help="the candidate's solution")
    p.add_argument("--examples-only", action="store_true", help="run only the visible examples")
    p.add_argument("--json", action="store_true", help="print one JSON object (" + SCORE_HELP + ")")
    p.set_defaults(func=cmd_run)
