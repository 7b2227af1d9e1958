"""What `make eval JUDGE=llm MODEL=...` adds to the judge summary: the LLM judge's spread across samples and the
prompt it ran with; agreement, per-kind bias, cost and time are in the main summary (the same for every judge).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def spread_summary(items: list[dict[str, Any]]) -> tuple[float, float, int] | None:
    """Mean and max spread over the answers the model sampled (a cache hit repeats an earlier answer's spread)."""
    spreads = [row["spread"] for row in items if row.get("spread") is not None and not row.get("cached")]
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
    spread = spread_summary(items)
    if spread is None:
        lines.append("  spread across samples: one sample per answer (set INTERVIEW_JUDGE_SAMPLES=3 to measure it)")
    else:
        lines.append(f"  spread across samples: mean {spread[0]:.2f}, max {spread[1]:.2f} over {spread[2]} answers")
    return lines
