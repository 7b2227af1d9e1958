"""Words for verdicts and summaries, shared by the app, the terminal and exports (Markdown)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from interviewer.interview.provenance import report_line
from interviewer.judge.numbers import fmt
from interviewer.judge.verdict import Verdict
from interviewer.speech.delivery import summary_line as delivery_line
from interviewer.text.escaping import for_markdown, for_markdown_quote

if TYPE_CHECKING:
    from interviewer.interview.state import InterviewState, QuestionRecord
    from interviewer.knowledge.bank import Question, QuestionBank

MARK = {"covered": "✓", "partial": "~", "missed": "✗"}


def verdict_text(verdict: Verdict) -> str:
    """Score, feedback and the passages to study: what the candidate sees after a question."""
    if not verdict.ok:
        return f"Not scored: {verdict.error}"
    lines = [f"**Score: {verdict.score:.1f} / 5** — {verdict.feedback}"]
    if verdict.kind == "case":
        for part in verdict.parts:
            score = f"{part.score:.1f}" if part.score is not None else "not answered"
            lines.append(f"- {part.title}: {score}")
    for missed in verdict.missed:
        for p in missed.passages[:1]:
            lines.append(f"- To study: *{p.title} § {p.section}* [{p.chunk_id}]")
    for claim in verdict.red_flags:
        lines.append(f"- Wrong claim to revisit: {claim}")
    if "injection" in verdict.flags:
        lines.append("- Note: text addressed to the grader was ignored.")
    return "\n".join(dict.fromkeys(lines))


def explain_verdict(verdict: Verdict) -> str:
    """`/why`: the last score explained from its evidence."""
    if not verdict.ok:
        return f"The last answer was not scored: {verdict.error}"
    lines = [f"Why {verdict.score:.1f}/5 ({verdict.meta.judge if verdict.meta else 'judge'} judge):"]
    for kp in verdict.key_points:
        quote = f' — you said: "{for_markdown(kp.evidence[:160])}"' if kp.evidence else ""
        lines.append(f"- {MARK[kp.status]} {kp.status}{quote}")
    for c in verdict.criteria:
        lines.append(f"- {c.criterion}: {c.score}/5 — {c.reasoning}")
    for claim in verdict.red_flags:
        lines.append(f"- ✗ wrong claim (caps accuracy at 2): {for_markdown(claim)}")
    if verdict.flags:
        lines.append(f"- flags: {', '.join(verdict.flags)}")
    return "\n".join(lines)


def summary_text(state: InterviewState, bank: QuestionBank) -> str:
    scored = [r for r in state.records if r.score is not None]
    skipped = sum(1 for r in state.records if r.status == "skipped")
    unscored = sum(1 for r in state.records if r.status == "judge_error")
    lines = ["**Interview complete.**"]
    if state.overall_score is not None:
        lines.append(f"Overall: **{state.overall_score:.1f} / 5** over {len(scored)} scored question(s).")
    else:
        lines.append("No answer was scored.")
    stages = bank.loops[state.loop].stages
    for stage, score in state.stage_scores().items():
        lines.append(f"- {stages.get(stage, stage)}: {score:.1f}")
    lines.append("")  # ends the list: what follows is not part of the last stage's line
    if skipped:
        lines.append(f"Skipped: {skipped}.")
    if unscored:
        lines.append(f"Not scored because the judge failed: {unscored} (answers are saved).")
    weakest = min(scored, key=lambda r: r.score or 0, default=None)
    if weakest is not None and (weakest.score or 5) < 4:
        lines.append(f"Focus next on: {stages.get(weakest.stage, weakest.stage)}.")
    return "\n".join(lines)


def usage_text(state: InterviewState) -> str:
    """Tokens and cost of the model calls this interview made (shown only when a model was used)."""
    t = state.usage_totals()
    cost = f"${t['cost_usd']:.4f}" if t["cost_usd"] else "no cost reported (local or free model)"
    models = ", ".join(sorted({f"{u.role}: {u.model}" for u in state.usage}))
    return (
        f"*Model usage:* {t['calls']} call(s) ({models}), {t['prompt_tokens']:,} prompt + "
        f"{t['completion_tokens']:,} completion tokens, {cost}."
    )


def markdown_report(state: InterviewState, bank: QuestionBank, cited: Callable[[str], list] | None = None) -> str:
    """The full report after the interview: answers, scores, key points, reference answers, passages.

    Reference answers and cited passages appear only once the interview has finished."""
    title = bank.loops[state.loop].title
    out = [f"# {title} mock interview — {state.level}", "", summary_text(state, bank), ""]
    if state.usage:
        out += [usage_text(state), ""]
    for i, record in enumerate(state.records, 1):
        if record.code is not None:  # a coding question: code, tests, explanation, then the reference solution
            from interviewer.coding.flow import code_section

            finished = state.status == "finished"
            out += code_section(i, record, bank.exercises.get(record.code.exercise_id), finished)
            continue
        q = bank.questions.get(record.question_id)
        out += [f"## {i}. {q.question.strip() if q else record.question_id}", ""]
        kind = f" · *kind:* {record.kind}" if record.kind != "open" else ""
        out += [f"*Stage:* {record.stage}{kind} · *status:* {record.status}", ""]
        if voiced := report_line(state, record.question_id):
            out += ["*Interviewer:* " + for_markdown(voiced), ""]
        if q is not None and record.phases:
            out += _phases(q, record)
        else:
            for n, answer in enumerate(record.answers):
                out += [for_markdown_quote(answer), ""]
                out += [f"*Delivery (spoken):* {delivery_line(d)}\n" for d in record.deliveries if d.answer_index == n]
        v = record.verdict
        if v is not None:
            out += [verdict_text(v), ""]
            for kp in v.key_points:
                out.append(f"- {MARK[kp.status]} {kp.point}")
            out.append("")
        if q is not None and state.status == "finished":
            if q.kind == "numeric":
                out += [f"**Expected:** {fmt(q.answer)} {q.unit} (± {fmt(q.tolerance)})", ""]
            out += ["**Reference answer:** " + q.reference_for(state.level).strip(), ""]
            for p in cited(q.id) if cited else []:
                out += [
                    f"**Read:** *{p.title} § {p.section}* [{p.chunk_id}]",
                    "",
                    "> " + p.text.replace("\n", "\n> "),
                    "",
                ]
    return "\n".join(out)


def _phases(question: Question, record: QuestionRecord) -> list[str]:
    """A case's answers, part by part, with each part's score."""
    out: list[str] = []
    titles = {p.id: p.title for p in question.phases}
    for n, phase in enumerate(record.phases, 1):
        verdict = phase.verdict
        score = f" — {verdict.score:.1f} / 5" if verdict is not None and verdict.ok and phase.status == "scored" else ""
        out += [f"### Part {n}: {titles.get(phase.id, phase.id)}{score}", ""]
        if phase.status in ("unasked", "skipped") and not phase.answers:
            out += ["*Not answered.*", ""]
        for answer in phase.answers:
            out += [for_markdown_quote(answer), ""]
    return out
