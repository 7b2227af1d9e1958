"""What `make eval JUDGE=llm MODEL=...` adds to the judge summary: the LLM judge's per-kind bias against the gold
grades, its spread across samples, and the prompt it ran with; agreement, cost and time are in the main summary.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any


def per_kind_bias(items: list[dict[str, Any]]) -> dict[str, dict[str, tuple[float, int]]]:
    """split -> kind -> (mean judge score minus gold score, n), over gold items the judge scored."""
    diffs: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in items:
        if row.get("suite") == "gold" and row.get("score") is not None and row.get("human") is not None:
            diffs[row["split"]][row["kind"]].append(row["score"] - row["human"])
    return {
        split: {kind: (sum(d) / len(d), len(d)) for kind, d in sorted(kinds.items())}
        for split, kinds in sorted(diffs.items())
    }


def spread_summary(items: list[dict[str, Any]]) -> tuple[float, float, int] | None:
    spreads = [row["spread"] for row in items if row.get("spread") is not None]
    return (sum(spreads) / len(spreads), max(spreads), len(spreads)) if spreads else None


def llm_summary(run_dir: Path, results: dict[str, Any]) -> list[str]:
    path = run_dir / "items.jsonl"
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.is_file() else []
    from interviewer.judge.llm_judge import PROMPT_HASH

    run = results.get("run", {})
    lines = [
        f"LLM judge {run.get('model')} (prompt {PROMPT_HASH}): {run.get('calls')} calls, "
        f"{run.get('cached_calls')} cached, cost ${run.get('cost_usd', 0.0):.4f}, {run.get('wall_s', 0.0):.1f} s"
    ]
    for split, kinds in per_kind_bias(items).items():
        shown = ", ".join(f"{kind} {bias:+.2f} (n={n})" for kind, (bias, n) in kinds.items())
        lines.append(f"  gold/{split} mean bias by kind (judge - gold): {shown}")
    spread = spread_summary(items)
    if spread is None:
        lines.append("  spread across samples: one sample per answer (set INTERVIEW_JUDGE_SAMPLES=3 to measure it)")
    else:
        lines.append(f"  spread across samples: mean {spread[0]:.2f}, max {spread[1]:.2f} over {spread[2]} answers")
    return lines
