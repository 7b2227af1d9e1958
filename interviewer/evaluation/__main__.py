"""`python -m interviewer.evaluation judge|interviewer ...` (the same commands as `interview eval ...`)."""

from __future__ import annotations

import argparse
import sys

from interviewer.evaluation.cli import add_commands


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m interviewer.evaluation", description=__doc__)
    add_commands(parser.add_subparsers(dest="eval_command", required=True))
    from interviewer.cli import run_command

    return run_command(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
