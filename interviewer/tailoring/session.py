"""Start a tailored interview: plan from the posting, deep dives from the résumé, optional generated questions.

The engine asks `state.fixed_questions` in order; résumé deep dives and generated questions live in
`state.extra_questions` (the owner's stored interview only, never the shared bank) and are graded like any
bank question. Nothing leaves the machine unless a model is configured and the candidate consented.
"""

from __future__ import annotations

import re
from dataclasses import replace

from interviewer.interview.engine import Interview
from interviewer.interview.state import Tailoring, Usage
from interviewer.knowledge.bank import Question, QuestionBank
from interviewer.tailoring.plan import Plan, plan_interview
from interviewer.tailoring.resume import DeepDive, claim_text, deep_dive_questions, pick_claims

MAX_DEEP_DIVES = 2  # résumé questions added to an interview, on top of the planned bank questions
_MD_ACTIVE = re.compile(r"([\\`*_\[\]<>#|~$])")


def bank_with(bank: QuestionBank, extra: list[Question]) -> QuestionBank:
    """The shared bank plus one interview's own questions (a shallow copy: the shared bank is untouched)."""
    if not extra:
        return bank
    return replace(bank, questions={**bank.questions, **{q.id: q for q in extra}})


def uses_a_model(settings) -> bool:
    return not (settings.offline_interviewer and settings.offline_judge)


def _safe_for_markdown(question: Question, line: str) -> Question:
    """The résumé quote inside a question renders literally in the app (no links, images, maths or HTML)."""
    return question.model_copy(update={"question": question.question.replace(line, _MD_ACTIVE.sub(r"\\\1", line))})


def build_plan(svc, loop: str, level: str, posting: str, resume: str, n: int) -> tuple[Plan, list[DeepDive]]:
    plan = plan_interview(svc.bank, loop, level, posting, n, svc.embedder)
    dives = pick_claims(resume, posting, svc.embedder) if resume.strip() else []
    return plan, dives


def start_tailored(
    svc,
    loop: str,
    level: str,
    n: int,
    feedback: str,
    owner: str,
    posting: str,
    resume: str = "",
    resume_name: str | None = None,
    consent: bool = False,
    notices: list[str] | None = None,
    generate: int = 0,
) -> Interview:
    """A new interview tailored to the posting (and résumé); falls back to an untailored one on an empty posting."""
    notices = list(notices or [])
    interview = svc.new_interview(loop, level, n, feedback, owner=owner)
    if not posting.strip() and not resume.strip():
        return interview
    plan, dives = build_plan(svc, loop, level, posting, resume, n)
    reasons = {q.id: q.reason for q in plan.questions}
    extra: list[Question] = []
    sources: dict[str, str] = {}
    if dives and uses_a_model(svc.settings) and not consent:
        notices.append(
            "Résumé deep dives were left out: a model is configured and you did not agree to send your résumé to it."
        )
    elif dives:
        chosen = dives[:MAX_DEEP_DIVES]
        for q, dive in zip(deep_dive_questions(svc.bank, loop, level, chosen), chosen, strict=False):
            extra.append(_safe_for_markdown(q, claim_text(dive.source_line)))
            reasons[q.id] = f"your résumé says: {dive.source_line}"
            sources[q.id] = dive.source_line
    if generate > 0 and consent and not svc.settings.offline_interviewer:
        from interviewer.tailoring.generate import generate_questions

        def record(c) -> None:
            interview.state.usage.append(Usage.of("interviewer", c))

        made, problems = generate_questions(svc, loop, level, posting, plan, generate, on_usage=record)
        notices += problems
        for q in made:
            extra.append(q)
            reasons[q.id] = "written for this posting by the configured model"
    order = list(svc.bank.loops[loop].stages)
    ids = [q.id for q in plan.questions] + [q.id for q in extra]
    stage_of = {**{q.id: q.stage for q in plan.questions}, **{q.id: q.stage for q in extra}}
    ids.sort(key=lambda i: order.index(stage_of[i]) if stage_of[i] in order else len(order))
    state = interview.state
    if ids:
        state.fixed_questions = ids
        state.extra_questions = extra
        state.n_questions = len(ids)
        interview.bank = bank_with(svc.bank, extra)
    else:
        notices.append("Nothing in the posting matched the question bank: this interview is not tailored.")
    state.tailoring = Tailoring(
        posting=posting,
        resume=resume,
        resume_name=resume_name,
        consent=consent,
        skills=[s.id for s in plan.skills],
        reasons=reasons,
        sources=sources,
        notices=notices,
    )
    return interview
