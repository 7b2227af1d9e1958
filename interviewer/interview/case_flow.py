"""The case part of the interview engine: a case question runs phase by phase.

Each phase opens with its prompt, is judged on its own key points at the candidate's level and followed up
on its own missed point; when the last phase closes (or the candidate skips or ends), the case is scored
per phase and overall (`judge/kinds.case_verdict`: phase-weighted, a phase not answered earns no credit).
A mixin of `engine.Interview`, which provides `_say`, `question`, `_prepare`, `_after_scored` and `_next_question`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from interviewer.interview.state import Message, QuestionRecord
from interviewer.judge.kinds import case_verdict, phase_question
from interviewer.judge.verdict import Verdict
from interviewer.knowledge.bank import Question

if TYPE_CHECKING:
    from interviewer.interview.state import InterviewState


class CaseFlow:
    state: InterviewState

    def graded(self, record: QuestionRecord) -> Question:
        """The question as the judge sees it now: at the candidate's level; a case's current phase."""
        question = self.question(record)
        current = record.current_phase
        if question.kind == "case" and current is not None:
            return phase_question(question, current[0], self.state.level)
        return question.at_level(self.state.level)

    def _phase_message(self, question: Question, index: int) -> Message:
        phase = question.phases[index]
        text = f"**Part {index + 1} of {len(question.phases)}: {phase.title}.** {phase.prompt.strip()}"
        return self._say("phase", text, question_id=question.id, source="template")

    def _open_phase(self, record: QuestionRecord, index: int) -> list[Message]:
        question = self.question(record)
        record.phases[index].status = "open"
        self._prepare(self.graded(record))
        return [self._phase_message(question, index)]

    def _settle_case(self, record: QuestionRecord) -> Verdict | None:
        """Close a case: the overall verdict from its phases (a phase not answered earns no credit)."""
        question = self.question(record)
        for phase in record.phases:
            if phase.status in ("open", "judge_error"):
                phase.status = "scored" if phase.verdict is not None and phase.verdict.ok else "skipped"
        verdicts = [p.verdict if p.status == "scored" else None for p in record.phases]
        if all(v is None for v in verdicts):
            record.status = "skipped"
            return None
        overall = case_verdict(question, verdicts)
        record.verdicts.append(overall)
        record.status = "scored"
        return overall

    def _next_phase_or_close(self, record: QuestionRecord, index: int) -> list[Message]:
        if index + 1 < len(record.phases):
            return self._open_phase(record, index + 1)
        overall = self._settle_case(record)
        if overall is None:
            return [self._say("ack", "Skipped.")] + self._next_question()
        return self._after_scored(record, overall)
