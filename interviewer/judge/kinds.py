"""Grading per question kind, computed in code on top of the judge's per-question verdict.

- open: the judge's verdict as it is.
- numeric: the candidate's number (`numbers.py`) is checked against the bank's answer within its absolute
  tolerance and combined with the judged explanation. Within tolerance: 3 + (E - 1) / 2, so the right number
  with no reasoning scores 3 and a 5 needs the full reasoning; outside tolerance or no number: at most 2,
  whatever the prose.
- behavioral: STAR structure (`star.py`) scales the judged content score, 1 + (E - 1) x (0.6 + 0.4 x STAR
  completeness), so structure never raises a score; no result caps it at 3, a result without a measure at 4,
  no action of the candidate's own at 3.5.
- case: each phase is judged as a question of its own (its prompt, its key points, the level's anchors);
  the overall score is the phase-weighted mean, a phase not answered counting 1.

Every judge call goes through `_judge_units` (one call site: the judge's per-question API), with the
question seen at the candidate's level (`Question.at_level`: that level's anchors and reference answer).
"""

from __future__ import annotations

import re
from typing import Protocol

from interviewer.judge.answer_number import NumberCheck, check_number
from interviewer.judge.guards import strip_injection
from interviewer.judge.numbers import fmt
from interviewer.judge.star import TITLES, WEIGHTS, StarReport, analyse
from interviewer.judge.verdict import CriterionVerdict, KeyPointVerdict, PartScore, Verdict
from interviewer.knowledge.bank import Question
from interviewer.text.rules import split_sentences

NO_CREDIT = {"empty", "gibberish", "off_topic"}
RESULT_CAP, UNMEASURED_CAP, NO_ACTION_CAP, TEAM_ONLY_CAP = 3.0, 4.0, 3.0, 3.5


class PerQuestionJudge(Protocol):
    def judge(self, question: Question, answer: str) -> Verdict: ...


_CONTENT = re.compile(r"[a-z][a-z0-9-]{3,}")


def _content(text: str) -> set[str]:
    return set(_CONTENT.findall(text.lower()))


def phase_reference(question: Question, index: int) -> str:
    """The reference for one phase: its own `reference_answer`, else the sentences of the (level's) case
    reference that share the most words with this phase's key points, else its key points."""
    phase = question.phases[index]
    if phase.reference_answer:
        return phase.reference_answer
    vocab = [_content(" ".join(kp.point for kp in p.key_points)) or {""} for p in question.phases]
    mine = []
    for sentence in split_sentences(question.reference_answer):
        words = _content(sentence)
        overlap = [len(words & v) / len(v) for v in vocab]
        if max(overlap) > 0 and overlap.index(max(overlap)) == index:
            mine.append(sentence)
    return " ".join(mine) if mine else phase.reference()


def phase_question(question: Question, index: int, level: str | None = None) -> Question:
    """Phase `index` of a case as a question of its own, graded at `level`."""
    q = question.at_level(level)
    phase = q.phases[index]
    return q.model_copy(
        update={
            "question": f"{q.question.strip()}\n\n{phase.title}: {phase.prompt.strip()}",
            "key_points": list(phase.key_points),
            "reference_answer": phase_reference(q, index),
            "kind": "open",
            "phases": [],
        }
    )


def _round(score: float) -> float:
    return round(max(1.0, min(5.0, score)), 2)


def numeric_verdict(question: Question, answer: str, inner: Verdict) -> tuple[Verdict, NumberCheck]:
    text, _ = strip_injection(answer)
    check = check_number(
        text, float(question.answer or 0), float(question.tolerance or 0), question.unit or "", question.question
    )
    explained = inner.score or 1.0
    if check.within:
        score = 3.0 + 0.5 * (explained - 1.0)
        note = "Your number is right." + (
            " A 5 also needs the reasoning that gets there, step by step." if explained < 4.5 else ""
        )
    else:
        score = min(2.0, 1.0 + 0.25 * (explained - 1.0))
        note = "Without a final number the question is not answered." if not check.found else "Your number is off."
    shown = f'You said "{check.text}".' if check.found else "No final number was found."
    flags = [f for f in inner.flags if not (check.within and f in NO_CREDIT)]  # a right bare number is an answer
    if not check.within:
        flags.append("number_off" if check.found else "no_number")
    verdict = inner.model_copy(
        update={
            "score": _round(score),
            "kind": "numeric",
            "flags": flags,
            "criteria": [
                *inner.criteria,
                CriterionVerdict(
                    criterion="numeric answer",
                    reasoning=f"{shown} It is {'within' if check.within else 'outside'} the tolerance."
                    if check.found
                    else shown,
                    score=5 if check.within else 1,
                ),
            ],
            "parts": [PartScore(name="number", title="The number", score=5.0 if check.within else 1.0, detail=shown)],
            "feedback": f"{note} {check.describe()} {inner.feedback}".strip(),
        }
    )
    return verdict, check


def behavioral_verdict(question: Question, answer: str, inner: Verdict) -> tuple[Verdict, StarReport]:
    text, _ = strip_injection(answer)
    star = analyse(text)
    content = inner.score or 1.0
    score = 1.0 + (content - 1.0) * (0.6 + 0.4 * star.completeness)
    caps = []
    if not star.result:
        caps.append((RESULT_CAP, "no result"))
    elif not star.measurable:
        caps.append((UNMEASURED_CAP, "a result with no measure"))
    if not star.actions:
        caps.append((TEAM_ONLY_CAP if star.team_actions else NO_ACTION_CAP, "no action of your own"))
    for cap, _why in caps:
        score = min(score, cap)
    parts = [
        PartScore(
            name=f"star:{p}",
            title=TITLES[p],
            score=1.0 + 4.0 * star.credit(p),
            weight=WEIGHTS[p],
            detail=star.evidence.get(p, "")[:200],
        )
        for p in WEIGHTS
    ]
    marks = {1.0: "✓", 0.5: "~", 0.0: "✗"}
    present = ", ".join(f"{TITLES[p].lower()} {marks.get(star.credit(p), '~')}" for p in WEIGHTS)
    gaps = [TITLES[p].lower() for p in star.gaps()]
    note = f"STAR structure: missing or thin: {', '.join(gaps)}." if gaps else "STAR structure: complete."
    if caps:
        note += " Capped for " + " and ".join(why for _, why in caps) + "."
    verdict = inner.model_copy(
        update={
            "score": _round(score),
            "kind": "behavioral",
            "criteria": [
                *inner.criteria,
                CriterionVerdict(criterion="STAR structure", reasoning=present, score=round(1 + 4 * star.completeness)),
            ],
            "parts": parts,
            "feedback": f"{note} {inner.feedback}".strip(),
        }
    )
    return verdict, star


def case_verdict(question: Question, phase_verdicts: list[Verdict | None]) -> Verdict:
    """The overall verdict of a case from its phases' verdicts (None: not answered, scores 1)."""
    failed = [v for v in phase_verdicts if v is not None and not v.ok]
    if failed:
        return Verdict.failed(failed[0].error or "A phase could not be judged.", failed[0].meta)
    if all(v is None for v in phase_verdicts):
        return Verdict.failed("No phase of the case was answered.")
    parts, points, flags, red_flags = [], [], [], []
    total = sum(p.weight for p in question.phases) or 1.0
    overall = 0.0
    for phase, verdict in zip(question.phases, phase_verdicts, strict=True):
        score = verdict.score if verdict is not None and verdict.score is not None else 1.0
        overall += phase.weight / total * score
        parts.append(
            PartScore(
                name=phase.id,
                title=phase.title,
                score=None if verdict is None else score,
                weight=phase.weight,
                detail="not answered" if verdict is None else verdict.feedback[:300],
            )
        )
        if verdict is None:
            points += [KeyPointVerdict(point=kp.point, status="missed", weight=kp.weight) for kp in phase.key_points]
        else:
            share = phase.weight / total
            points += [kp.model_copy(update={"weight": kp.weight * share}) for kp in verdict.key_points]
            flags += verdict.flags
            red_flags += verdict.red_flags
    answered = [p for p in parts if p.score is not None]
    weakest = min(answered, key=lambda p: p.score or 0.0)
    lines = ", ".join(f"{p.title} {fmt(p.score) if p.score is not None else '—'}" for p in parts)
    feedback = f"Phase scores: {lines}."
    if len(answered) < len(parts):
        feedback += f" {len(parts) - len(answered)} phase(s) were not answered and earn no credit."
    if weakest.score is not None and weakest.score < 4:
        feedback += f" Weakest phase: {weakest.title}."
    first = next(v for v in phase_verdicts if v is not None)
    missed = [m for v in phase_verdicts if v is not None for m in v.missed]
    return Verdict(
        status="ok",
        score=_round(overall),
        key_points=points,
        criteria=[
            CriterionVerdict(criterion=f"phase: {p.title}", reasoning=p.detail or "—", score=round(p.score or 1))
            for p in parts
        ],
        feedback=feedback,
        missed=missed,
        flags=list(dict.fromkeys(flags)),
        red_flags=list(dict.fromkeys(red_flags)),
        meta=first.meta,
        kind="case",
        parts=parts,
    )


def finish(question: Question, answer: str, inner: Verdict) -> Verdict:
    """The kind's verdict from the judge's verdict on one answer (open, numeric, behavioral)."""
    if not inner.ok:
        return inner
    if question.kind == "numeric":
        return numeric_verdict(question, answer, inner)[0]
    if question.kind == "behavioral":
        return behavioral_verdict(question, answer, inner)[0]
    return inner.model_copy(update={"kind": question.kind})


class KindGrader:
    """Kind-aware grading over any judge with a per-question `judge(question, answer)` call."""

    def __init__(self, judge: PerQuestionJudge) -> None:
        self.judge = judge

    def grade(self, question: Question, answer: str, level: str | None = None) -> Verdict:
        return self.grade_many([(question, answer, level)])[0]

    def grade_phase(self, question: Question, index: int, answer: str, level: str | None = None) -> Verdict:
        """One phase of a case, as the engine asks it (the phase verdict, not the overall)."""
        return self._judge_units([(phase_question(question, index, level), answer)])[0]

    def grade_many(self, items: list[tuple[Question, str | dict[str, str], str | None]]) -> list[Verdict]:
        """Grade (question, answer, level) items; a case's answer is one text for every phase, or a
        {phase id: text} mapping. Judge calls are batched where the judge can batch."""
        units: list[tuple[Question, str]] = []
        for question, answer, level in items:
            if question.kind == "case":
                for i, phase in enumerate(question.phases):
                    text = answer.get(phase.id, "") if isinstance(answer, dict) else answer
                    units.append((phase_question(question, i, level), text))
            else:
                units.append((question.at_level(level), answer if isinstance(answer, str) else ""))
        verdicts = iter(self._judge_units(units))
        out = []
        for question, answer, _level in items:
            if question.kind == "case":
                phases: list[Verdict | None] = []
                for phase in question.phases:
                    verdict = next(verdicts)
                    given = answer.get(phase.id, "") if isinstance(answer, dict) else answer
                    phases.append(verdict if given.strip() else None)
                out.append(case_verdict(question, phases))
            else:
                out.append(finish(question, answer if isinstance(answer, str) else "", next(verdicts)))
        return out

    def _judge_units(self, units: list[tuple[Question, str]]) -> list[Verdict]:
        """The judge's verdicts on (question, answer) pairs, through the public judge surface (one batched pass
        for the offline judge)."""
        if hasattr(self.judge, "judge_many"):
            return self.judge.judge_many(units)
        return [self.judge.judge(q, a) for q, a in units]
