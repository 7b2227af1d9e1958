"""The maintainers' eval suite: one command tells whether the judge and the interviewer got better or worse.

    interview eval judge [--judge offline|llm] [--suite gold|mohler|probes|all] [--split dev|test|all] ...
    interview eval interviewer [--loop mle|llm|both]

(or `python -m interviewer.evaluation judge ...`). Modules, inspect_ai style: `datasets` and `probes`
(samples), `solver` (the judge under test), `scorers` and `metrics` (pass rules, agreement), `gates`
(thresholds and baseline), `report` (Markdown/HTML), `runner` (a judge run), `interviewer_eval` (personas).
See evals/README.md.
"""

from __future__ import annotations

from interviewer.evaluation.cli import add_eval_parser

__all__ = ["add_eval_parser"]
