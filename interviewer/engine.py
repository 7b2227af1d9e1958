"""The interview engine: pure Python, no UI. It turns candidate input into interviewer messages.

Flow per question: ask -> answer -> judge -> (follow up on a missed key point | feedback + next).
A judge failure keeps the question open with the answer saved (`/retry` or `/skip`); it never
invents a score. Every state change is handed to `on_change` so storage can save it at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace

from interviewer.bank import Question, QuestionBank
from interviewer.inputs import COMMANDS, clean_answer, parse_command
from interviewer.judge import GroundedJudge
from interviewer.policy import follow_up_point, pick_question, plan_stages, target_difficulty
from interviewer.report import explain_verdict, summary_text, verdict_text
from interviewer.state import InterviewState, Message, QuestionRecord, Usage


class Interview:
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
        self.warming: threading.Thread | None = None

    # -- helpers -------------------------------------------------------------------------------
    def _say(self, kind: str, text: str, **fields: object) -> Message:
        message = Message(
            role="interviewer" if kind not in ("notice", "error") else "system", kind=kind, text=text, **fields
        )
        self.state.messages.append(message)
        return message

    def question(self, record: QuestionRecord) -> Question:
        return self.bank.questions[record.question_id]

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
            self.state.stage_plan = plan_stages(list(loop.stages), self.state.n_questions)
        out = [self._say("intro", self.voice.intro(loop.title, self.state.level, self.state.n_questions))]
        out += self._next_question()
        self._save()
        return out

    def _next_question(self) -> list[Message]:
        done = len(self.state.records)
        if done >= self.state.n_questions:
            return self._finish()
        stage = self.state.stage_plan[done]
        asked = {r.question_id for r in self.state.records}
        difficulty = target_difficulty(self.state.level, self.state.scores)
        if self.state.fixed_questions:
            q = self.bank.questions.get(self.state.fixed_questions[done])
        else:
            q = pick_question(self.bank, self.state.loop, stage, self.state.level, asked, difficulty, self.state.id)
        if q is None:
            return [self._say("notice", "The question bank has no more questions for this loop.")] + self._finish()
        self.state.records.append(QuestionRecord(question_id=q.id, stage=q.stage, difficulty=q.difficulty))
        passages = [p for c in q.citations[:2] for p in self.judge.passages_for_citation(c.doc, c.section)]
        # The rubric side is encoded while the candidate types. Not a daemon: torch aborts the process if
        # the interpreter exits in the middle of a forward pass, so exit waits the fraction of a second.
        if self.prefetch and hasattr(self.judge, "warm"):
            self.warming = threading.Thread(target=self.judge.warm, args=(q,), name=f"warm-{q.id}")
            self.warming.start()
        pieces = self.voice.ask(q, self._stage_title(q.stage), done + 1, self.state.n_questions)
        message = Message.streaming(pieces, role="interviewer", kind="question", question_id=q.id, passages=passages)
        self.state.messages.append(message)
        return [message]

    def _finish(self) -> list[Message]:
        self.state.status = "finished"
        self.state.finished_at = time.time()
        out: list[Message] = []
        if self.state.feedback_mode == "end":
            for record in self.state.records:
                if record.verdict is not None and record.status == "scored":
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
            if record is not None and not record.answers:
                record.status = "skipped"
            elif record is not None and record.status == "open" and record.verdicts and record.verdict.ok:
                record.status = "scored"
            return self._finish()
        if command == "/why":
            if self.state.feedback_mode == "end" and self.state.status != "finished":
                return [self._say("notice", "Scores are shown at the end of this interview: /why works then.")]
            last = next((r for r in reversed(self.state.records) if r.verdict is not None), None)
            if last is None:
                return [self._say("notice", "Nothing has been scored yet: /why explains the last score.")]
            return [self._say("feedback", explain_verdict(last.verdict), question_id=last.question_id)]
        if record is None:
            return [self._say("notice", "There is no open question right now.")]
        if command == "/repeat":
            last_prompt = next(m for m in reversed(self.state.messages) if m.kind in ("question", "followup"))
            return [self._say(last_prompt.kind, last_prompt.text, question_id=record.question_id)]
        if command == "/skip":
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
        record.answers.append(cleaned.text)
        out = [self._say("notice", n) for n in cleaned.notices]
        self._save()  # the answer is stored before the judge runs, so a judge crash loses nothing
        return out + self._judge(record)

    def _judge(self, record: QuestionRecord) -> list[Message]:
        if self.warming is not None:  # an instant answer waits for the warm-up rather than redo its work
            self.warming.join()
        question = self.question(record)
        verdict = self.judge.judge(question, record.combined_answer())
        record.verdicts.append(verdict)
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
            return [
                self._say(
                    "error",
                    f"{verdict.error} Your answer is saved. Send /retry to score it again, or /skip to move on.",
                    question_id=record.question_id,
                )
            ]
        record.status = "open"
        point = follow_up_point(question, verdict, record.probed, len(record.probed), self.max_followups)
        if point is not None:
            record.probed.append(point.point)
            passage = next((m.passages[0].text for m in verdict.missed if m.point == point.point and m.passages), "")
            text = self.voice.follow_up(question, record.combined_answer(), point, passage)
            return [self._say("followup", text, question_id=record.question_id)]
        record.status = "scored"
        out: list[Message] = []
        if self.state.feedback_mode == "each":
            out.append(self._say("feedback", verdict_text(verdict), question_id=record.question_id, verdict=verdict))
        done = len(self.state.records)
        next_stage = self._stage_title(self.state.stage_plan[done]) if done < self.state.n_questions else None
        ack = self.voice.acknowledge(question, record.combined_answer(), next_stage)
        if ack is not None:
            message = Message.streaming(ack, role="interviewer", kind="ack", question_id=record.question_id)
            self.state.messages.append(message)
            out.append(message)
        return out + self._next_question()
