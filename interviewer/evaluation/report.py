"""Reports of a judge eval run: Markdown, and self-contained HTML (inline CSS only: no JavaScript, no CDN).

Both render the same blocks: run facts, gates (threshold failures, what moved against the baseline), per-split
metrics with 95% intervals, per-kind pass rates (CSS bars in HTML), confusion matrices (a coloured table).
"""

from __future__ import annotations

import html
from typing import Any

Table = tuple[list[str], list[list[str]]]


def fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def with_ci(block: dict, name: str) -> str:
    low, high = (block.get("ci") or {}).get(name) or (None, None)
    ci = f" [{fmt(low)}, {fmt(high)}]" if low is not None and high is not None else ""
    return fmt(block.get(name)) + ci


def run_table(results: dict) -> Table:
    run = results["run"]
    rows = [
        ["judge", f"{run['judge']} ({run['model']})"],
        ["started", run["started"]],
        ["commit", run.get("commit") or "—"],
        ["suites", ", ".join(run["suites"]) + f" (split {run['split']})"],
        ["wall time", f"{run['wall_s']:.1f} s (judging {run['judge_wall_s']:.1f} s)"],
        ["judge calls", f"{run['calls']} ({run['cached_calls']} cached), concurrency {run['concurrency']}"],
        ["cost", f"${run['cost_usd']:.4f} (uncached calls with a known price)"],
    ]
    return ["", ""], rows


def moved_table(results: dict) -> Table:
    rows = [[m["key"], fmt(m["baseline"]), fmt(m["now"]), fmt(m["delta"], 4)] for m in results["baseline"]["moved"]]
    return ["metric", "baseline", "now", "delta"], rows


def gold_split_table(splits: dict) -> Table:
    names = list(splits)
    lines = [
        ("items / errors", lambda b: f"{b['n']} / {b['errors']}"),
        ("QWK [95% CI]", lambda b: with_ci(b, "qwk")),
        ("exact [95% CI]", lambda b: with_ci(b, "exact")),
        ("within one", lambda b: fmt(b.get("within_one"))),
        ("mean absolute error", lambda b: fmt(b.get("mae"))),
        ("Pearson [95% CI]", lambda b: with_ci(b, "pearson")),
        ("Spearman", lambda b: fmt(b.get("spearman"))),
        ("leniency (SMD judge − gold)", lambda b: fmt(b.get("smd"))),
        ("mean judge / gold", lambda b: f"{fmt(b.get('mean_judge'), 2)} / {fmt(b.get('mean_gold'), 2)}"),
        (
            "mean bias per kind (judge − gold)",
            lambda b: ", ".join(f"{k} {v:+.2f}" for k, v in (b.get("bias") or {}).items()),
        ),
        ("LLM sample spread mean / max", lambda b: f"{fmt(b.get('spread_mean'))} / {fmt(b.get('spread_max'))}"),
        ("consistency (same score twice)", lambda b: fmt(b.get("consistency"))),
        ("largest repeat difference", lambda b: fmt(b.get("repeat_max_delta"))),
        ("error rate", lambda b: fmt(b.get("error_rate"))),
        ("adversarial pass rate", lambda b: fmt(b.get("pass_adversarial"))),
        ("genuine only: n", lambda b: fmt(b.get("genuine", {}).get("n"))),
        (
            "genuine only: QWK / exact / within one",
            lambda b: " / ".join(fmt(b.get("genuine", {}).get(k)) for k in ("qwk", "exact", "within_one")),
        ),
        (
            "genuine only: Pearson / SMD",
            lambda b: " / ".join(fmt(b.get("genuine", {}).get(k)) for k in ("pearson", "smd")),
        ),
    ]
    return ["metric", *names], [[label, *[fn(splits[n]) for n in names]] for label, fn in lines]


def mohler_table(splits: dict) -> Table:
    names = list(splits)
    lines = [
        ("items / errors", lambda b: f"{b['n']} / {b['errors']}"),
        ("Pearson [95% CI]", lambda b: with_ci(b, "pearson")),
        ("Spearman", lambda b: fmt(b.get("spearman"))),
        ("RMSE after dev calibration", lambda b: fmt(b.get("rmse_calibrated"))),
        ("consistency", lambda b: fmt(b.get("consistency"))),
        ("error rate", lambda b: fmt(b.get("error_rate"))),
    ]
    return ["metric", *names], [[label, *[fn(splits[n]) for n in names]] for label, fn in lines]


def kinds_table(kinds: dict) -> Table:
    rows = [
        [k, v["rule"], str(v["n"]), fmt(v["rate"]), fmt(v.get("mean_judge"), 2), fmt(v.get("mean_gold"), 2)]
        for k, v in kinds.items()
    ]
    return ["kind", "pass rule", "n", "pass rate", "mean judge", "mean gold"], rows


def graders_table(block: dict, splits: dict) -> Table:
    hh = block.get("a_vs_b", {})
    judge = {name: b.get("judge_vs_a", {}) for name, b in splits.items() if b.get("judge_vs_a", {}).get("n")}
    head = ["metric", f"grader A vs B (n={block['n']})"] + [f"judge vs A, {k} (n={v['n']})" for k, v in judge.items()]
    rows = [
        [m, with_ci(hh, m) if m == "qwk" else fmt(hh.get(m)), *[fmt(v.get(m)) for v in judge.values()]]
        for m in ("qwk", "exact", "within_one", "pearson")
    ]
    return head, rows


def blocks(results: dict) -> list[tuple[str, str, Any]]:
    """(heading, type, payload) in report order; type is table, bars, confusion or text."""
    out: list[tuple[str, str, Any]] = [("Run", "table", run_table(results))]
    failures = results["thresholds"]["failures"]
    out.append(("Regression pins", "text", "\n".join(f"FAIL {f}" for f in failures) or "All pins hold."))
    targets = (results.get("targets") or {}).get("report")
    if targets:
        out.append(("Targets (what the product promises)", "text", "\n".join(targets)))
    base = results["baseline"]
    if base["moved"]:
        out.append(("Moved against the baseline", "table", moved_table(results)))
    else:
        note = f"Nothing moved against {base['path']}." if base.get("exists") else f"No baseline at {base['path']}."
        out.append(("Moved against the baseline", "text", note))
    for suite, body in results["suites"].items():
        splits = body.get("splits", {})
        for p in body.get("problems") or []:
            out.append((f"{suite}: data problem", "text", p))
        if suite == "gold":
            out.append(
                (
                    "Gold: agreement with the gold grades (written and graded by AI graders)",
                    "table",
                    gold_split_table(splits),
                )
            )
            if body.get("grader_agreement", {}).get("n"):
                hh = graders_table(body["grader_agreement"], splits)
                out.append(
                    (
                        "Gold: grader A vs the blind second grader, both AI (an upper bound, not human–human)",
                        "table",
                        hh,
                    )
                )
            for split, b in splits.items():
                out.append((f"Gold {split}: pass rate per kind", "bars", b["kinds"]))
                out.append((f"Gold {split}: confusion (rows gold, columns judge)", "confusion", b["confusion"]))
        elif suite == "probes":
            b = splits["all"]
            out.append((f"Probes ({len(body.get('questions', []))} questions): pass rate per kind", "bars", b["kinds"]))
            out.append(
                (
                    "Probes: reliability",
                    "text",
                    f"overall pass {fmt(b['pass_overall'])}, consistency "
                    f"{fmt(b.get('consistency'))}, error rate {fmt(b['error_rate'])}",
                )
            )
        elif suite == "mohler":
            out.append(("Mohler benchmark (human 0–5 average)", "table", mohler_table(splits)))
    return out


def _md_table(table: Table) -> str:
    head, rows = table
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def judge_report_md(results: dict) -> str:
    out = [f"# Judge eval — {results['run']['judge']} ({results['run']['model']})", ""]
    for heading, kind, payload in blocks(results):
        out += [f"## {heading}", ""]
        if kind == "table":
            out.append(_md_table(payload) if payload[1] else "_nothing_")
        elif kind == "bars":
            out.append(_md_table(kinds_table(payload)))
        elif kind == "confusion":
            rows = [[str(i + 1), *map(str, r)] for i, r in enumerate(payload)]
            out.append(_md_table((["reference \\ judge", *"12345"], rows)))
        else:
            out.append("```\n" + payload + "\n```" if payload.startswith("FAIL") else payload)
        out.append("")
    return "\n".join(out)


CSS = """body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:980px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f3f3f3}.cm td{text-align:center;min-width:2.6em}.bar{background:#eee;width:260px;height:14px}
.bar div{height:14px}.fail{color:#b00020;font-weight:600}.ok{color:#1b5e20}"""


def _h(text: Any) -> str:
    return html.escape(str(text))


def _html_table(table: Table) -> str:
    head, rows = table
    th = "".join(f"<th>{_h(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{_h(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{body}</table>" if rows else "<p><em>nothing</em></p>"


def _bars(kinds: dict) -> str:
    rows = []
    for kind, v in kinds.items():
        rate = v["rate"] or 0.0
        colour = "#2e7d32" if rate >= 0.9 else "#f9a825" if rate >= 0.7 else "#c62828"
        bar = f'<div class="bar"><div style="width:{rate * 100:.1f}%;background:{colour}"></div></div>'
        rows.append(
            f"<tr><td>{_h(kind)}</td><td>{bar}</td><td>{_h(fmt(rate))}</td><td>{v['passed']}/{v['n']}</td>"
            f"<td>{_h(v['rule'])}</td><td>{_h(fmt(v.get('mean_judge'), 2))}</td></tr>"
        )
    head = "<tr><th>kind</th><th>pass rate</th><th></th><th>passed</th><th>rule</th><th>mean judge</th></tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _confusion(matrix: list[list[int]]) -> str:
    peak = max((c for r in matrix for c in r), default=0) or 1
    head = "<tr><th>reference \\ judge</th>" + "".join(f"<th>{i}</th>" for i in range(1, 6)) + "</tr>"
    rows = []
    for i, row in enumerate(matrix):
        cells = []
        for j, count in enumerate(row):
            alpha = 0.08 + 0.85 * count / peak if count else 0.0
            hue = "46,125,50" if i == j else "198,40,40" if abs(i - j) > 1 else "249,168,37"
            cells.append(f'<td style="background:rgba({hue},{alpha:.2f})">{count}</td>')
        rows.append(f"<tr><th>{i + 1}</th>{''.join(cells)}</tr>")
    return f'<table class="cm">{head}{"".join(rows)}</table>'


def judge_report_html(results: dict) -> str:
    title = f"Judge eval — {results['run']['judge']} ({results['run']['model']})"
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{_h(title)}</title><style>{CSS}</style>"
        f"</head><body><h1>{_h(title)}</h1>"
    ]
    for heading, kind, payload in blocks(results):
        parts.append(f"<h2>{_h(heading)}</h2>")
        if kind == "table":
            parts.append(_html_table(payload))
        elif kind == "bars":
            parts.append(_bars(payload))
        elif kind == "confusion":
            parts.append(_confusion(payload))
        else:
            css = "fail" if payload.startswith("FAIL") else "ok"
            parts.append(f'<pre class="{css}">{_h(payload)}</pre>')
    parts.append("</body></html>\n")
    return "".join(parts)
