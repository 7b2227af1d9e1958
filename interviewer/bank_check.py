"""`interview bank check`: the question bank validated as code, not trusted as data.

Fails on schema errors, duplicate ids, near-duplicate questions, citations that resolve to no
indexed chunk, and rubric self-inconsistency (own reference answer < 4.5, or another question's
reference answer > 2, with the offline judge).
"""

from __future__ import annotations

from typing import Any

from interviewer.bank import LEVELS

NEAR_DUPLICATE = 0.92
OWN_REFERENCE_MIN = 4.5
FOREIGN_REFERENCE_MAX = 2.0


def _foreign(questions: list, i: int) -> Any:
    """A deterministic 'off-topic' partner: the first question, after i, from another stage."""
    n = len(questions)
    for step in range(1, n):
        other = questions[(i + step * 7) % n]
        if other.stage != questions[i].stage:
            return other
    return None


def check_bank(services: Any, skip_judge: bool = False) -> dict[str, Any]:
    bank = services.bank
    errors: list[str] = list(bank.errors)
    questions = sorted(bank.questions.values(), key=lambda q: q.id)

    for loop in bank.loops:
        for stage, count in bank.stage_counts(loop).items():
            if stage == "coding":  # served by coding exercises, not prose questions
                missing = [lv for lv in LEVELS if not bank.exercises_for(loop, lv)]
                errors += [f"{loop}/coding: no exercise for level {lv}" for lv in missing]
                continue
            if count == 0:
                errors.append(f"{loop}/{stage}: no questions")
            for level in LEVELS:
                if not bank.for_stage(loop, stage, level) and count:
                    errors.append(f"{loop}/{stage}: no question for level {level}")

    if questions:
        vectors = services.embedder.encode([q.question for q in questions])
        sims = vectors @ vectors.T
        for i in range(len(questions)):
            for j in range(i + 1, len(questions)):
                if sims[i, j] > NEAR_DUPLICATE:
                    errors.append(
                        f"{questions[i].id} and {questions[j].id} are near-duplicates (similarity {sims[i, j]:.2f})"
                    )

    for q in questions:
        for c in q.citations:
            if not services.retriever.chunks_for(c.doc, c.section):
                errors.append(f"{q.id}: citation {c.doc} § {c.section!r} matches no indexed chunk")

    if not skip_judge and questions:
        errors += _self_consistency(questions, services)

    return {
        "questions": bank.loop_counts(),
        "stages": {loop: bank.stage_counts(loop) for loop in bank.loops},
        "levels": {loop: {lv: sum(bank.stage_counts(loop, lv).values()) for lv in LEVELS} for loop in bank.loops},
        "errors": errors,
    }


def _self_consistency(questions: list, services: Any) -> list[str]:
    from interviewer.judge.offline_scorer import OfflineScorer

    scorer = getattr(services.judge.inner, "scorer", None) or OfflineScorer(embedder=services.embedder)
    items, partners = [], []
    for i, q in enumerate(questions):
        base = {
            "question": q.question,
            "reference": q.reference_answer,
            "key_points": [kp.point for kp in q.key_points],
            "weights": [kp.weight for kp in q.key_points],
        }
        items.append({**base, "answer": q.reference_answer})
        other = _foreign(questions, i)
        partners.append(other)
        items.append({**base, "answer": other.reference_answer if other else ""})
    results = scorer.assess_batch(items)
    errors = []
    for i, q in enumerate(questions):
        own, foreign = results[2 * i], results[2 * i + 1]
        if own.score < OWN_REFERENCE_MIN:
            errors.append(f"{q.id}: its reference answer scores {own.score:.2f} < {OWN_REFERENCE_MIN} (offline judge)")
        if partners[i] is not None and foreign.score > FOREIGN_REFERENCE_MAX:
            errors.append(
                f"{q.id}: the reference answer of {partners[i].id} scores {foreign.score:.2f} > "
                f"{FOREIGN_REFERENCE_MAX} as an off-topic answer"
            )
    return errors
