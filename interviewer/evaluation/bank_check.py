"""`interview bank check`: the question bank validated as code, not trusted as data.

Fails on schema errors, duplicate ids, near-duplicate questions, citations that resolve to no indexed
chunk, too few questions (at least 5 per stage at each level it serves, coding counting exercises; at
least 60 per loop), missing per-level rubrics, a scenario in more than 20% of a loop, kind fields that
do not make sense, known-wrong claims (`question_bank/claim_rules.yaml`) in the bank or the corpus, and
rubric self-inconsistency with the offline judge through the per-kind grading (`bank_rules.py`).
"""

from __future__ import annotations

from typing import Any

from interviewer.evaluation.bank_rules import (
    MIN_PER_LEVEL,
    count_rules,
    kind_counts,
    kind_rules,
    level_counts,
    rubric_rules,
    scenario_rules,
    self_consistency,
)
from interviewer.interview.policy import CODING
from interviewer.knowledge.bank import FOREIGN_REFERENCE_MAX, KINDS, LEVELS, NEAR_DUPLICATE, OWN_REFERENCE_MIN
from interviewer.knowledge.claim_rules import load_rules, scan
from interviewer.knowledge.exercises import load_exercises

__all__ = ["FOREIGN_REFERENCE_MAX", "KINDS", "MIN_PER_LEVEL", "OWN_REFERENCE_MIN", "check_bank"]


def check_bank(services: Any, skip_judge: bool = False) -> dict[str, Any]:
    bank = services.bank
    settings = services.settings
    exercises = load_exercises(settings.bank_dir)
    errors: list[str] = list(bank.errors)
    warnings: list[str] = []
    if exercises.error:
        errors.append(exercises.error)
    questions = sorted(bank.questions.values(), key=lambda q: q.id)

    count_errors, count_warnings = count_rules(bank, exercises.items)
    errors += count_errors
    warnings += count_warnings
    errors += rubric_rules(questions)
    errors += scenario_rules(bank)
    errors += kind_rules(questions)

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

    errors += scan(load_rules(settings.bank_dir / "claim_rules.yaml"), bank, settings.corpus_dir)

    consistency: dict[str, Any] = {}
    if not skip_judge and questions:
        consistency_errors, consistency = self_consistency(questions, services)
        errors += consistency_errors

    stages = {loop: bank.stage_counts(loop) for loop in bank.loops}
    for loop in bank.loops:
        if CODING in stages[loop]:
            stages[loop][CODING] = len(exercises.serving(loop))
    return {
        "questions": bank.loop_counts(),
        "stages": stages,
        "levels": {loop: {lv: sum(bank.stage_counts(loop, lv).values()) for lv in LEVELS} for loop in bank.loops},
        "kinds": kind_counts(bank, exercises.items),
        "counts": level_counts(bank, exercises.items),
        "self_consistency": consistency,
        "warnings": warnings,
        "errors": errors,
    }
