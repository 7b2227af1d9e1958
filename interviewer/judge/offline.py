"""The offline judge: deterministic, CPU-only verdicts from `OfflineScorer` evidence.

Key-point statuses come from evidence strength; the score is the scorer's calibrated 1..5.
Feedback is written from templates, so nothing here needs a network or an API key.

A question tagged `reference-only` (an `interview grade` item that came with a reference answer and no key
points) is scored from its reference alone: its "key points" are only the reference's sentences.
"""

from __future__ import annotations

import time

from interviewer.judge.offline_scorer import OfflineAssessment, OfflineScorer
from interviewer.judge.verdict import CriterionVerdict, JudgeMeta, KeyPointVerdict, Verdict
from interviewer.knowledge.bank import Question

NO_CREDIT = {"empty", "gibberish", "off_topic"}
REFERENCE_ONLY = "reference-only"  # Question tag: grade against the reference answer, there is no rubric
COVERED_AT = 0.62
PARTIAL_AT = 0.45

FLAG_FEEDBACK = {
    "empty": "There was no answer to score.",
    "gibberish": "The answer did not read as words, so it earned no credit.",
    "off_topic": "The answer did not address the question that was asked.",
    "padded": "Repeated or filler text earned no extra credit: say each point once, concretely.",
    "injection": "Text addressed to the grader was ignored; it never earns credit.",
    "contradiction": "A figure in the answer disagrees with what a key point expects: check the arithmetic.",
}


def status_for(strength: float) -> str:
    if strength >= COVERED_AT:
        return "covered"
    return "partial" if strength >= PARTIAL_AT else "missed"


def feedback_for(score: float, points: list[KeyPointVerdict], flags: list[str]) -> str:
    lines = [FLAG_FEEDBACK[f] for f in flags if f in FLAG_FEEDBACK]
    covered = [p for p in points if p.status == "covered"]
    partial = [p for p in points if p.status == "partial"]
    if covered:
        lines.append(f"You covered {len(covered)} of {len(points)} key points.")
    if partial:
        lines.append(f"{len(partial)} point(s) were touched on but need more substance or specifics.")
    if score >= 4.5:
        lines.append("Strong answer: complete and specific.")
    elif score >= 3.5:
        lines.append("Good answer; tighten it with the missing specifics below.")
    elif score >= 2.5:
        lines.append("A partial answer: study the missed points and the passages cited for them.")
    elif not flags:
        lines.append("Most of what the rubric looks for was missing; see the points and passages below.")
    return " ".join(lines)


class OfflineJudge:
    kind = "offline"

    def __init__(self, scorer: OfflineScorer | None = None) -> None:
        self.scorer = scorer or OfflineScorer()

    @property
    def model_name(self) -> str:
        embedder = getattr(self.scorer, "embedder", None)
        return getattr(embedder, "name", "offline")

    def warm(self, question: Question) -> None:
        self.scorer.warm(question.question, question.reference_answer, [kp.point for kp in question.key_points])

    def judge(self, question: Question, answer: str) -> Verdict:
        return self.judge_many([(question, answer)])[0]

    def judge_many(self, items: list[tuple[Question, str]]) -> list[Verdict]:
        """One batched pass (each text encoded once): thousands of answers in seconds, the same verdicts as
        judging them one at a time."""
        start = time.perf_counter()
        batch = []
        for question, answer in items:
            keyed = REFERENCE_ONLY not in question.tags
            batch.append(
                {
                    "question": question.question,
                    "answer": answer,
                    "reference": question.reference_answer,
                    "key_points": [kp.point for kp in question.key_points] if keyed else None,
                    "weights": [kp.weight for kp in question.key_points] if keyed else None,
                }
            )
        try:
            assessments = self.scorer.assess_batch(batch)
        except Exception as err:  # noqa: BLE001 - a failed judge must say so, never guess
            return [Verdict.failed(f"The offline judge failed: {type(err).__name__}: {err}") for _ in items]
        per_item = (time.perf_counter() - start) * 1000 / max(1, len(items))
        return [self.to_verdict(q, a, per_item) for (q, _), a in zip(items, assessments, strict=True)]

    def to_verdict(self, question: Question, assessment: OfflineAssessment, latency_ms: float) -> Verdict:
        blocked = bool(NO_CREDIT & set(assessment.flags))
        points = [
            KeyPointVerdict(
                point=kp.point,
                status="missed" if blocked else status_for(strength),
                evidence=evidence if strength >= PARTIAL_AT else "",
                weight=kp.weight,
                strength=round(float(strength), 3),
            )
            for kp, strength, evidence in zip(
                question.key_points, assessment.coverage, assessment.evidence, strict=False
            )
        ]
        score = round(float(assessment.score), 2)
        criteria = [
            CriterionVerdict(
                criterion="coverage",
                reasoning="Weighted key-point evidence from embedding similarity; "
                f"flags: {', '.join(assessment.flags) or 'none'}.",
                score=max(1, min(5, round(score))),
            )
        ]
        return Verdict(
            status="ok",
            score=score,
            key_points=points,
            criteria=criteria,
            feedback=feedback_for(score, points, assessment.flags),
            flags=list(assessment.flags),
            meta=JudgeMeta(
                judge="offline",
                model=self.model_name,
                rubric_version=question.rubric_version,
                latency_ms=round(latency_ms, 2),
            ),
        )
