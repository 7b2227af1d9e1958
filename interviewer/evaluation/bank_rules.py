"""The bank check's rules as pure functions over a `QuestionBank` (and the coding exercises), so each
can be tested on a small fixture bank. `self_consistency` grades through `judge/kinds.py`."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

from interviewer.interview.policy import CODING, serves
from interviewer.judge.answer_number import final_number
from interviewer.judge.kinds import KindGrader
from interviewer.judge.numbers import normalise
from interviewer.judge.star import analyse
from interviewer.knowledge.bank import FOREIGN_REFERENCE_MAX, KINDS, LEVELS, OWN_REFERENCE_MIN, Question, QuestionBank

MIN_PER_LEVEL = 5
MIN_PER_LOOP = 60
MAX_SCENARIO_SHARE = 0.20
OUTSIDE_TOLERANCE_MAX = 2.0


def supply(bank: QuestionBank, loop: str, stage: str, level: str, exercises: Sequence[Any]) -> int:
    if stage == CODING:
        return sum(1 for e in exercises if serves(e, loop, level))
    return len(bank.for_stage(loop, stage, level))


def level_counts(bank: QuestionBank, exercises: Sequence[Any]) -> dict[str, dict[str, dict[str, int]]]:
    """loop -> stage -> level -> questions (coding: exercises), for the levels each stage serves."""
    return {
        loop: {
            stage: {lv: supply(bank, loop, stage, lv, exercises) for lv in spec.levels_of(stage)}
            for stage in spec.stages
        }
        for loop, spec in bank.loops.items()
    }


def kind_counts(bank: QuestionBank, exercises: Sequence[Any]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for loop in bank.loops:
        counts = Counter(q.kind for q in bank.questions.values() if q.loop == loop)
        out[loop] = {kind: counts.get(kind, 0) for kind in KINDS}
        out[loop]["code"] = sum(1 for e in exercises if loop in getattr(e, "loops", ()))
    return out


def count_rules(bank: QuestionBank, exercises: Sequence[Any]) -> tuple[list[str], list[str]]:
    """At least 5 per stage at each level it serves and 60 per loop (exercises count); a question
    tagged with a level its stage does not serve is a warning (it is never asked at that level)."""
    errors, warnings = [], []
    for loop, stages in level_counts(bank, exercises).items():
        for stage, by_level in stages.items():
            for level, n in by_level.items():
                if n < MIN_PER_LEVEL:
                    what = "exercise(s)" if stage == CODING else "question(s)"
                    errors.append(f"{loop}/{stage}: {n} {what} at level {level}, needs at least {MIN_PER_LEVEL}")
        total = sum(1 for q in bank.questions.values() if q.loop == loop)
        total += sum(1 for e in exercises if loop in getattr(e, "loops", ()))
        if total < MIN_PER_LOOP:
            errors.append(f"{loop}: {total} questions (coding exercises included), needs at least {MIN_PER_LOOP}")
    for q in sorted(bank.questions.values(), key=lambda q: q.id):
        served = bank.loops[q.loop].levels_of(q.stage)
        extra = [lv for lv in q.levels if lv not in served]
        if extra:
            warnings.append(f"{q.id}: tagged {', '.join(extra)} but stage {q.stage} serves only {', '.join(served)}")
    return errors, warnings


def rubric_rules(questions: list[Question]) -> list[str]:
    """A question served at more than one level has anchors and a reference answer for each, and they differ."""
    errors = []
    for q in questions:
        if len(q.levels) < 2:
            continue
        missing = [lv for lv in q.levels if lv not in q.by_level]
        if missing:
            errors.append(f"{q.id}: serves {', '.join(q.levels)} but by_level lacks {', '.join(missing)}")
            continue
        references = [" ".join(q.by_level[lv].reference_answer.split()) for lv in q.levels]
        if len(set(references)) < len(references):
            errors.append(f"{q.id}: two levels share the same reference answer (a junior 5 and a senior 5 differ)")
    return errors


def scenario_rules(bank: QuestionBank) -> list[str]:
    errors = []
    for loop in bank.loops:
        questions = [q for q in bank.questions.values() if q.loop == loop]
        for scenario, n in Counter(q.scenario for q in questions if q.scenario).most_common():
            if n > MAX_SCENARIO_SHARE * len(questions):
                errors.append(
                    f"{loop}: scenario {scenario!r} is used by {n} of {len(questions)} questions "
                    f"(more than {MAX_SCENARIO_SHARE:.0%})"
                )
    return errors


def kind_rules(questions: list[Question]) -> list[str]:
    """Field sanity per kind, on every level's reference answer."""
    errors = []
    for q in questions:
        levels = [lv for lv in LEVELS if lv in q.levels]
        if q.kind != "numeric" and (q.answer is not None or q.unit or q.tolerance is not None):
            errors.append(f"{q.id}: answer/unit/tolerance are for numeric questions, this one is {q.kind}")
        if q.kind != "behavioral" and q.signal:
            errors.append(f"{q.id}: signal is for behavioral questions, this one is {q.kind}")
        if q.kind == "numeric":
            if q.tolerance is not None and q.answer is not None and q.tolerance >= abs(q.answer) > 0:
                errors.append(f"{q.id}: tolerance {q.tolerance:g} is not smaller than the answer {q.answer:g}")
            for lv in levels:
                best, convert, _ = final_number(q.reference_for(lv), q.unit or "", q.question)
                value = None if best is None else best.value * convert
                if value is None or abs(value - float(q.answer or 0)) > float(q.tolerance or 0):
                    said = "no number" if value is None else f"{value:g}"
                    errors.append(
                        f"{q.id}: the {lv} reference answer lands on {said}, not {q.answer:g} ± {q.tolerance:g} "
                        f"{q.unit} (state the final number with its unit)"
                    )
        if q.kind == "behavioral":
            for lv in levels:
                gaps = analyse(q.reference_for(lv)).gaps()
                if gaps:
                    errors.append(f"{q.id}: the {lv} reference answer lacks STAR part(s): {', '.join(gaps)}")
        if q.kind == "case":
            ids = [p.id for p in q.phases]
            if len(set(ids)) < len(ids):
                errors.append(f"{q.id}: duplicate phase ids {ids}")
            for p in q.phases:
                if p.prompt.count("?") > 1:
                    errors.append(f"{q.id}: phase {p.id} prompt asks {p.prompt.count('?')} questions; one per turn")
    return errors


# Stages whose good answers legitimately share content (a project story told in a behavioral round and in a
# deep-dive; the arithmetic of latency and cost in the internals and serving rounds): an answer from one is not an
# off-topic answer to the other, so the off-topic check never pairs them.
RELATED_STAGES = (
    frozenset({"behavioral", "deep_dive", "production_story"}),
    frozenset({"latency_cost", "llm_internals", "serving"}),
)


# A walk-through of a whole shipped system touches every topic of its loop: its answer is never used as an
# off-topic answer to another question (its own questions are still checked against other stages' answers).
WHOLE_SYSTEM_STAGES = frozenset({"deep_dive", "production_story"})
FOREIGN_PARTNERS = 2


def _related(a: str, b: str) -> bool:
    return a == b or any(a in group and b in group for group in RELATED_STAGES)


def _foreign(questions: list[Question], i: int, k: int = FOREIGN_PARTNERS) -> list[Question]:
    """Deterministic 'off-topic' partners: the first k questions, stepping by 7 after i, from unrelated stages.
    Two stages can share a sub-topic (measuring a classifier per class is part of a prompting question and of a
    retrieval-evaluation one), so a question fails the check only when every partner's answer scores too high."""
    n, out = len(questions), []
    for step in range(1, n):
        other = questions[(i + step * 7) % n]
        if other.stage not in WHOLE_SYSTEM_STAGES and not _related(other.stage, questions[i].stage):
            out.append(other)
            if len(out) == k:
                break
    return out


def outside_tolerance(q: Question, level: str | None) -> str | None:
    """The level's reference answer with its final number moved well outside the tolerance."""
    text = normalise(q.reference_for(level))
    best, convert, _ = final_number(text, q.unit or "", q.question)
    if best is None or not convert:
        return None
    expected, tol = float(q.answer or 0), float(q.tolerance or 0)
    wrong = (expected + 3 * tol + 0.5 * abs(expected)) / convert
    unit = re.sub(r"^[$\s]*[\d.,]+(\s?[eE][+-]?\d+)?\s?(k|K|M|B|T|thousand|million|billion)?", "", best.text)
    if best.is_range:
        unit = best.text.split()[-1] if best.dim else ""
    prefix = "$" if best.text.startswith("$") else ""
    return f"{text[: best.start]}{prefix}{wrong:.6g}{' ' + unit.strip() if unit.strip() else ''}{text[best.end :]}"


def self_consistency(questions: list[Question], services: Any) -> tuple[list[str], dict[str, Any]]:
    """Per kind, through the same grading the interview uses (offline judge): each level's reference
    answer scores >= 4.5, another stage's reference (at the top level) <= 2, and for numeric questions each
    level's reference with its number moved outside the tolerance <= 2."""
    from interviewer.judge import build

    judge = build(services.settings.model_copy(update={"judge_model": "offline"}), embedder=services.embedder)
    items: list[tuple[Question, str, str | None]] = []
    labels: list[tuple[str, Question, str, Question | None]] = []
    for i, q in enumerate(questions):
        levels = [lv for lv in LEVELS if lv in q.levels]
        for other in _foreign(questions, i):  # off-topic is not a matter of level: checked at the top level
            items.append((q, other.reference_for(other.levels[-1]), levels[-1]))
            labels.append(("foreign", q, levels[-1], other))
        for level in levels:
            items.append((q, q.reference_for(level), level))
            labels.append(("own", q, level, None))
            if q.kind == "numeric":
                wrong = outside_tolerance(q, level)
                if wrong is not None:
                    items.append((q, wrong, level))
                    labels.append(("outside", q, level, None))
    verdicts = KindGrader(judge).grade_many(items)
    errors: list[str] = []
    stats: dict[str, dict[str, Any]] = {}
    foreign: dict[str, list[tuple[float, Question, str]]] = {}
    for (what, q, level, other), verdict in zip(labels, verdicts, strict=True):
        kind = stats.setdefault(q.kind, {"questions": set(), "reference_min": None, "off_topic_max": None})
        kind["questions"].add(q.id)
        if not verdict.ok:
            errors.append(f"{q.id} ({level}): the judge failed on the {what} check: {verdict.error}")
            continue
        score = float(verdict.score or 0)
        if what == "own":
            kind["reference_min"] = min(score, kind["reference_min"] if kind["reference_min"] is not None else 5.0)
            if score < OWN_REFERENCE_MIN:
                errors.append(f"{q.id}: its {level} reference answer scores {score:.2f} < {OWN_REFERENCE_MIN}")
        elif what == "foreign":
            foreign.setdefault(q.id, []).append((score, other, level))
        else:
            kind["outside_tolerance_max"] = max(score, kind.get("outside_tolerance_max") or 0.0)
            if score > OUTSIDE_TOLERANCE_MAX:
                errors.append(
                    f"{q.id}: its {level} reference with the number outside tolerance scores {score:.2f} > "
                    f"{OUTSIDE_TOLERANCE_MAX}"
                )
    for qid, scored in foreign.items():
        score, other, level = min(scored, key=lambda t: t[0])
        kind = stats[next(q.kind for q in questions if q.id == qid)]
        kind["off_topic_max"] = max(score, kind["off_topic_max"] or 0.0)
        if score > FOREIGN_REFERENCE_MAX:
            errors.append(
                f"{qid}: the reference answer of {other.id} scores {score:.2f} > {FOREIGN_REFERENCE_MAX} "
                f"as an off-topic answer at {level} (the lowest of {len(scored)} other stages' answers)"
            )
    summary = {k: {**v, "questions": len(v["questions"])} for k, v in sorted(stats.items())}
    return errors, summary
