"""The interview engine: pure Python, no UI. It turns candidate input into interviewer messages.

Flow per question: ask -> answer -> judge -> (follow up on a missed key point | feedback + next).
A case question runs phase by phase: each phase opens with its prompt, is judged on its own key points
and followed up on its own missed point; the case is scored per phase and overall when the last phase
closes. Grading per kind (numeric, behavioral, case) is `judge/kinds.py`, at the candidate's level.
A judge failure keeps the question open with the answer saved (`/retry` or `/skip`); it never
invents a score. Every state change is handed to `on_change` so storage can save it at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, wait
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from interviewer.coding import flow
from interviewer.coding.record import CodeWork
from interviewer.interview.case_flow import CaseFlow
from interviewer.interview.inputs import COMMANDS, clean_answer, parse_command
from interviewer.interview.policy import (
    CODING,
    follow_up_point,
    pick_exercise,
    pick_question,
    plan_interview,
    plan_with_coding,
    served_stages,
    target_difficulty,
)
from interviewer.interview.report import explain_verdict, summary_text, verdict_text
from interviewer.interview.state import InterviewState, Message, PhaseRecord, QuestionRecord, Usage
from interviewer.judge import GroundedJudge
from interviewer.judge.kinds import KindGrader
from interviewer.judge.verdict import Verdict
from interviewer.knowledge.bank import Question, QuestionBank
from interviewer.knowledge.coding_exercises import CODING_STAGE

if TYPE_CHECKING:
    from interviewer.knowledge.citations import Citer


PREPARE_WAIT_S = 20.0  # the longest an answer waits for its question's warm-up before judging without it


class Interview(CaseFlow):
    # The coding round (interviewer.coding) is part of this engine: exercises are planned for the `coding` stage.
    coding_round = True

    def __init__(
        self,
        state: InterviewState,
        bank: QuestionBank,
        judge: GroundedJudge,
        voice: object,
        *,
        max_followups: int = 1,
        max_answer_chars: int = 4000,
        on_change: Callable[[InterviewState], None] | None = None,
        prefetch: bool = True,
        exercises: Sequence[Any] = (),
        coder: object | None = None,
        citer: Citer | None = None,
    ) -> None:
        self.state = state
        # A tailored interview's own questions (résumé deep dives) join the shared bank for this interview only.
        extra = {q.id: q for q in state.extra_questions}
        self.bank = replace(bank, questions={**bank.questions, **extra}) if extra else bank
        self.judge = judge
        self.voice = voice
        self.max_followups = max_followups
        self.max_answer_chars = max_answer_chars
        self.on_change = on_change or (lambda _state: None)
        self.prefetch = prefetch
        self.coder = coder  # a coding.grading.CodeRunner; None where code may not run
        self.citer = citer  # "why this question" passages; none without a corpus index
        self.preparing: Future[None] | None = None  # the judge's warm-up for the open question
        self.grader = KindGrader(judge)
        # The exercises the plan may draw on: those given, else the bank's own (question_bank/coding/).
        bank_exercises = list(getattr(bank, "exercises", {}).values())
        self.exercises = (list(exercises) or bank_exercises) if self.coding_round else []

    # -- helpers -------------------------------------------------------------------------------
    def _say(self, kind: str, text: str, **fields: object) -> Message:
        message = Message(
            role="interviewer" if kind not in ("notice", "error") else "system", kind=kind, text=text, **fields
        )
        self.state.messages.append(message)
        return message

    def _voiced(self) -> dict[str, str | None]:
        """Who worded the voice's last reply: the model that answered, or 'template' with the reason."""
        source = getattr(self.voice, "source", None)
        if source is None:
            return {"source": None}
        who, note = source()
        return {"source": who, "source_note": note}

    def _attribute(self, message: Message) -> None:
        """Called once a streamed message has fully arrived: the voice knows then who worded it."""
        voiced = self._voiced()
        message.source, message.source_note = voiced["source"], voiced.get("source_note") or ""

    def question(self, record: QuestionRecord) -> Question:
        if record.code is not None:  # the spoken part of a coding question, graded like any answer
            return self.bank.exercises[record.code.exercise_id].as_question(self.state.loop)
        return self.bank.questions[record.question_id]

    def _prepare(self, question: Question) -> None:
        """The judge does its answer-independent work (on its own threads) while the candidate types."""
        if self.prefetch:
            self.preparing = self.judge.prepare(question)

    def _await_prepared(self) -> None:
        """An instant answer waits for the warm-up rather than redo its work. A failed warm-up is not raised
        here, and a slow one is not waited on past PREPARE_WAIT_S (the warm-ups of every session share one pool):
        judging the answer does the same work again and reports any error itself."""
        if self.preparing is not None:
            wait([self.preparing], timeout=PREPARE_WAIT_S)

    def _stage_title(self, stage: str) -> str:
        return self.bank.loops[self.state.loop].stages.get(stage, stage)

    def _save(self) -> None:
        self.on_change(self.state)

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> list[Message]:
        """Greet and ask the first question (idempotent: a resumed interview is not restarted)."""
        if self.state.messages:
            return []
        loop = self.bank.loops[self.state.loop]
        if self.state.fixed_questions:
            self.state.n_questions = len(self.state.fixed_questions)
            self.state.stage_plan = [self.bank.questions[q].stage for q in self.state.fixed_questions]
        else:
            s = self.state
            # The coding round is in the plan when the candidate asked for it (the setup's checkbox) or picked it
            # as the round to practise; a mix then gets exactly one, at its place in the loop.
            exercises = self.exercises if (s.coding or s.round_stage == CODING) else []
            if s.mode == "mix" and exercises:
                served = served_stages(self.bank, s.loop, s.level, exercises)
                plan = plan_with_coding(served, s.n_questions, CODING_STAGE, True)
            else:
                plan = plan_interview(self.bank, s.loop, s.level, s.mode, s.n_questions, s.round_stage, exercises)
            s.stage_plan = plan
            if plan:
                s.n_questions = len(plan)
        intro = self.voice.intro(loop.title, self.state.level, self.state.n_questions)
        out = [self._say("intro", intro, source="template")]
        if not self.state.stage_plan:
            where = f"the {self._stage_title(self.state.round_stage)} round" if self.state.round_stage else "this loop"
            out.append(self._say("notice", f"The question bank has no questions for {where} at this level."))
            out += self._finish()
        else:
            out += self._next_question()
        self._save()
        return out

    def _next_question(self) -> list[Message]:
        done = len(self.state.records)
        if done >= min(self.state.n_questions, len(self.state.stage_plan)):
            return self._finish()
        stage = self.state.stage_plan[done]
        asked = {r.question_id for r in self.state.records}
        difficulty = target_difficulty(self.state.level, self.state.scores)
        if stage == CODING_STAGE and not self.state.fixed_questions:
            state = self.state
            exercise = pick_exercise(self.bank.exercises, state.loop, state.level, asked, difficulty, state.id)
            if exercise is not None:
                return self._ask_exercise(exercise, done)
        if self.state.fixed_questions:
            q = self.bank.questions.get(self.state.fixed_questions[done])
        else:
            prefer = "case" if self.state.mode == "full" else None
            s = self.state
            q = pick_question(self.bank, s.loop, stage, s.level, asked, difficulty, s.id, prefer_kind=prefer)
        if q is None:
            return [self._say("notice", "The question bank has no more questions for this loop.")] + self._finish()
        record = QuestionRecord(question_id=q.id, stage=q.stage, difficulty=q.difficulty, kind=q.kind)
        if q.kind == "case":
            record.phases = [PhaseRecord(id=p.id) for p in q.phases]
            record.phases[0].status = "open"
        self.state.records.append(record)
        passages = self.citer.for_question(q, limit=2) if self.citer is not None else []
        self._prepare(self.graded(record))
        pieces = self.voice.ask(q, self._stage_title(q.stage), done + 1, self.state.n_questions)
        message = Message.streaming(
            pieces, self._attribute, role="interviewer", kind="question", question_id=q.id, passages=passages
        )
        self.state.messages.append(message)
        if q.kind == "case":
            return [message, self._phase_message(q, 0)]
        if q.kind == "numeric":  # the number is read from the answer: say how it will be read
            note = f'Show your reasoning, then finish with your number in {q.unit} (e.g. "so about ... {q.unit}").'
            return [message, self._say("notice", note, question_id=q.id)]
        return [message]

    def _ask_exercise(self, exercise, done: int) -> list[Message]:
        code = CodeWork(exercise_id=exercise.id, draft=exercise.starter)
        record = QuestionRecord(question_id=exercise.id, stage=CODING_STAGE, difficulty=exercise.difficulty, code=code)
        self.state.records.append(record)
        self._prepare(self.question(record))
        text = flow.ask_text(exercise, self._stage_title(CODING_STAGE), done + 1, self.state.n_questions)
        return [self._say("question", text, question_id=exercise.id, source="template")]

    def save_code(self, code: str) -> None:
        """Keep the editor's content (exactly as typed) so a refresh loses nothing."""
        record = self.state.current
        if record is not None and record.code is not None and record.code.draft != code:
            record.code.draft = code
            self._save()

    def run_code(self, code: str, which: str) -> list[Message]:
        """'Run examples' (which="examples", unlimited) or 'Submit' (which="hidden") for the open coding question.
        The code is kept exactly as typed; a sandbox failure is shown and never counted as a submission."""
        record = self.state.current
        if self.state.status == "finished" or record is None or record.code is None:
            return [self._say("notice", "There is no open coding question right now.")]
        work = record.code
        work.draft = code
        if which == "hidden" and not work.can_submit:
            self._save()
            return [self._say("notice", "You have used your submissions for this question: explain it in the chat.")]
        if self.coder is None:
            self._save()
            return [self._say("error", "Code cannot run in this session (no sandbox). Your code is saved.")]
        report = self.coder.run(self.bank.exercises[work.exercise_id], code, which)
        work.runs.append(report)
        out: list[Message] = []
        if report.status == "sandbox_unavailable":
            note = f"{report.message} Your code is saved; nothing was counted."
            out.append(self._say("error", note, question_id=record.question_id))
        elif which == "hidden":
            text = flow.after_submit(work, self.bank.exercises[work.exercise_id], report)
            out.append(self._say("followup", text, question_id=record.question_id, source="template"))
        self._save()
        return out

    def _finish(self) -> list[Message]:
        self.state.status = "finished"
        self.state.finished_at = time.time()
        out: list[Message] = []
        if self.state.feedback_mode == "end":
            for record in self.state.records:
                if record.code is not None and record.status == "scored":
                    out.append(self._say("feedback", flow.feedback_text(record.code, record.verdict)))
                elif record.verdict is not None and record.status == "scored":
                    out.append(
                        self._say(
                            "feedback",
                            verdict_text(record.verdict),
                            question_id=record.question_id,
                            verdict=record.verdict,
                        )
                    )
        out.append(self._say("summary", summary_text(self.state, self.bank)))
        return out

    # -- input ---------------------------------------------------------------------------------
    def respond(self, raw: str) -> list[Message]:
        """Handle one line from the candidate: a command or an answer."""
        if self.state.status == "finished":
            return [self._say("notice", "This interview has finished. Start a new one to practise again.")]
        command = parse_command(raw)
        if command:
            self.state.messages.append(Message(role="candidate", kind="command", text=raw.strip()))
            out = self._command(command)
        else:
            out = self._answer(raw)
        self._save()
        return out

    def _command(self, command: str) -> list[Message]:
        record = self.state.current
        if command == "/help":
            return [self._say("notice", "Commands: " + "; ".join(f"{c} — {d}" for c, d in COMMANDS.items()))]
        if command == "/end":
            if record is not None and record.phases:
                self._settle_case(record)
            elif record is not None and record.code is not None and record.code.submissions:
                record.status = "scored"  # submitted code counts; a missing explanation scores as 1
                flow.score(record.code, record.verdict)
            elif record is not None and not record.answers:
                record.status = "skipped"
            elif record is not None and record.status == "open" and record.verdicts and record.verdict.ok:
                record.status = "scored"
            return self._finish()
        if command == "/why":
            if self.state.feedback_mode == "end" and self.state.status != "finished":
                return [self._say("notice", "Scores are shown at the end of this interview: /why works then.")]
            judged = [p.verdict for p in record.phases if p.verdict is not None] if record is not None else []
            if judged:  # inside a case: the latest phase's score
                return [self._say("feedback", explain_verdict(judged[-1]), question_id=record.question_id)]
            last = next((r for r in reversed(self.state.records) if r.verdict is not None), None)
            if last is None:
                return [self._say("notice", "Nothing has been scored yet: /why explains the last score.")]
            return [self._say("feedback", explain_verdict(last.verdict), question_id=last.question_id)]
        if record is None:
            return [self._say("notice", "There is no open question right now.")]
        if command == "/repeat":
            last_prompt = next(m for m in reversed(self.state.messages) if m.kind in ("question", "followup", "phase"))
            return [self._say(last_prompt.kind, last_prompt.text, question_id=record.question_id)]
        if command == "/skip":
            current = record.current_phase
            if current is not None:  # a case moves on to its next part; an answered part keeps its score
                index, phase = current
                phase.status = "scored" if phase.verdict is not None and phase.verdict.ok else "skipped"
                record.status = "open"
                return [self._say("ack", "Skipped this part.")] + self._next_phase_or_close(record, index)
            # A skipped question keeps any answers given, but is not scored.
            record.status = "skipped"
            return [self._say("ack", "Skipped.")] + self._next_question()
        if command == "/retry":
            if record.status != "judge_error" or not record.answers:
                return [self._say("notice", "/retry re-scores an answer after a judge failure; there is none.")]
            return self._judge(record)
        return []

    def _answer(self, raw: str) -> list[Message]:
        record = self.state.current
        if record is None:
            return [self._say("notice", "There is no open question right now.")]
        if record.status == "judge_error":
            return [
                self._say(
                    "notice",
                    "Your last answer is saved but not scored yet: send /retry to score it again, or /skip to move on.",
                )
            ]
        cleaned = clean_answer(raw, self.max_answer_chars)
        if cleaned.empty:
            return [self._say("notice", "I didn't get an answer. Type your answer, or /skip to move on.")]
        self.state.messages.append(
            Message(role="candidate", kind="answer", text=cleaned.text, question_id=record.question_id)
        )
        if record.code is not None and not record.code.submissions:
            note = "Submit your code first (the Submit button under the editor), then explain it here."
            return [self._say("notice", note + " Your message is kept in the transcript.")]
        record.answers.append(cleaned.text)
        if record.current_phase is not None:
            record.current_phase[1].answers.append(cleaned.text)
        out = [self._say("notice", n) for n in cleaned.notices]
        self._save()  # the answer is stored before the judge runs, so a judge crash loses nothing
        return out + self._judge(record)

    def _judge(self, record: QuestionRecord) -> list[Message]:
        self._await_prepared()
        question, graded = self.question(record), self.graded(record)
        current = record.current_phase
        if current is not None:
            index, phase = current
            answer = phase.combined_answer()
            verdict = self.grader.grade_phase(question, index, answer, self.state.level)
            phase.verdicts.append(verdict)
            probed = phase.probed
        else:
            answer = record.combined_answer()
            verdict = self.grader.grade(question, answer, self.state.level)
            record.verdicts.append(verdict)
            probed = record.probed
        if verdict.meta is not None and verdict.meta.judge == "llm" and not verdict.meta.cached:
            self.state.usage.append(
                Usage(
                    role="judge",
                    model=verdict.meta.model,
                    latency_ms=verdict.meta.latency_ms,
                    cost_usd=verdict.meta.cost_usd,
                    question_id=record.question_id,
                )
            )
        if not verdict.ok:
            record.status = "judge_error"
            if current is not None:
                current[1].status = "judge_error"
            return [
                self._say(
                    "error",
                    f"{verdict.error} Your answer is saved. Send /retry to score it again, or /skip to move on.",
                    question_id=record.question_id,
                )
            ]
        record.status = "open"
        if current is not None:
            current[1].status = "open"
        point = follow_up_point(graded, verdict, probed, len(probed), self.max_followups)
        if point is not None:
            probed.append(point.point)
            passage = next((m.passages[0].text for m in verdict.missed if m.point == point.point and m.passages), "")
            text = self.voice.follow_up(graded, answer, point, passage)
            return [self._say("followup", text, question_id=record.question_id, **self._voiced())]
        if current is not None:
            current[1].status = "scored"
            return self._next_phase_or_close(record, current[0])
        record.status = "scored"
        return self._after_scored(record, verdict)

    def _after_scored(self, record: QuestionRecord, verdict: Verdict) -> list[Message]:
        question = self.question(record)
        out: list[Message] = []
        if record.code is not None:
            flow.score(record.code, verdict)
        if self.state.feedback_mode == "each":
            text = flow.feedback_text(record.code, verdict) if record.code is not None else verdict_text(verdict)
            out.append(self._say("feedback", text, question_id=record.question_id, verdict=verdict))
        done = len(self.state.records)
        upcoming = min(self.state.n_questions, len(self.state.stage_plan))
        next_stage = self._stage_title(self.state.stage_plan[done]) if done < upcoming else None
        ack = self.voice.acknowledge(question, record.combined_answer(), next_stage)
        if ack is not None:
            message = Message.streaming(
                ack, self._attribute, role="interviewer", kind="ack", question_id=record.question_id
            )
            self.state.messages.append(message)
            out.append(message)
        return out + self._next_question()
