"""Interview state as plain pydantic data: serialisable to JSON, stored as it happens, resumable."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr

from interviewer.coding.record import CodeWork
from interviewer.judge.verdict import Verdict
from interviewer.knowledge.bank import Question
from interviewer.knowledge.citations import PassageRef
from interviewer.speech.delivery import Delivery

MessageKind = Literal[
    "intro", "question", "phase", "followup", "ack", "feedback", "notice", "error", "summary", "answer", "command"
]
Mode = Literal["mix", "full", "round"]


class Message(BaseModel):
    role: Literal["interviewer", "candidate", "system"]
    kind: MessageKind
    text: str = ""
    question_id: str | None = None
    verdict: Verdict | None = None
    passages: list[PassageRef] = Field(default_factory=list, description="Why this question: its grounding.")
    source: str | None = Field(
        None,
        description="Who worded an interviewer message: the model that answered (a fallback model when the "
        "configured one failed) or 'template'. None for other messages and interviews stored before it was kept.",
    )
    source_note: str = Field(
        "", description="Why the model's reply was not used as it came: the model error or the guard's reason."
    )
    ts: float = Field(default_factory=time.time)
    _pieces: Iterator[str] | None = PrivateAttr(default=None)
    _on_done: Callable[[Message], None] | None = PrivateAttr(default=None)

    def pieces(self) -> Iterator[str]:
        """Stream the text (from the model when one is streaming), filling `text` as it goes."""
        if self._pieces is None:
            yield self.text
            return
        parts: list[str] = []
        for piece in self._pieces:
            parts.append(piece)
            yield piece
        self.text = "".join(parts)
        self._pieces = None
        if self._on_done is not None:  # e.g. the engine records who worded the streamed text
            self._on_done(self)
            self._on_done = None

    def settle(self) -> Message:
        """Consume any pending stream so `text` is final (for callers that do not stream)."""
        for _ in self.pieces():
            pass
        return self

    @classmethod
    def streaming(
        cls, pieces: Iterator[str], on_done: Callable[[Message], None] | None = None, **fields: object
    ) -> Message:
        """A message whose text arrives as `pieces`; `on_done(message)` runs once all of it has arrived."""
        message = cls(**fields)
        message._pieces = pieces
        message._on_done = on_done
        return message


class Usage(BaseModel):
    """One model call: who made it, how long it took, what it cost (where the provider says)."""

    role: Literal["interviewer", "judge"]
    model: str
    latency_ms: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    question_id: str | None = None
    ts: float = Field(default_factory=time.time)

    @classmethod
    def of(cls, role: Literal["interviewer", "judge"], completion: Any, question_id: str | None = None) -> Usage:
        """The usage of one finished model call (an `llm.Completion`)."""
        return cls(
            role=role,
            model=completion.model,
            latency_ms=round(completion.latency_s * 1000, 1),
            prompt_tokens=completion.prompt_tokens,
            completion_tokens=completion.completion_tokens,
            cost_usd=completion.cost_usd,
            question_id=question_id,
        )


class Tailoring(BaseModel):
    posting: str = Field("", description="The job posting exactly as pasted or uploaded; private to the interview.")
    resume: str = Field("", description="The résumé text as read from the upload; private to the interview.")
    resume_name: str | None = Field(None, description="The uploaded file's name.")
    consent: bool = Field(False, description="The candidate agreed to send posting and résumé to the configured model.")
    skills: list[str] = Field(default_factory=list, description="Skill ids the posting asks for, strongest first.")
    reasons: dict[str, str] = Field(default_factory=dict, description="Question id -> why it was chosen.")
    sources: dict[str, str] = Field(default_factory=dict, description="Deep-dive question id -> the résumé line.")
    notices: list[str] = Field(default_factory=list, description="What could not be used, and why.")


class PhaseRecord(BaseModel):
    """One phase of a case question: its own answers, probes and verdicts."""

    id: str = Field(description="The phase id from the bank.")
    answers: list[str] = Field(default_factory=list)
    probed: list[str] = Field(default_factory=list, description="Key points of this phase already probed.")
    verdicts: list[Verdict] = Field(default_factory=list)
    status: Literal["unasked", "open", "scored", "skipped", "judge_error"] = "unasked"

    @property
    def verdict(self) -> Verdict | None:
        return self.verdicts[-1] if self.verdicts else None

    def combined_answer(self) -> str:
        return "\n\n".join(self.answers)


class QuestionRecord(BaseModel):
    question_id: str
    stage: str
    difficulty: int
    kind: str = Field("open", description="The question's kind: open, numeric, behavioral, case (or code).")
    phases: list[PhaseRecord] = Field(default_factory=list, description="A case's phases, in order.")
    answers: list[str] = Field(default_factory=list)
    probed: list[str] = Field(default_factory=list, description="Key points already probed by follow-ups.")
    verdicts: list[Verdict] = Field(default_factory=list)
    status: Literal["open", "scored", "skipped", "judge_error"] = "open"
    asked_at: float = Field(default_factory=time.time)
    code: CodeWork | None = Field(None, description="A coding question: the exercise, code runs and scores.")
    deliveries: list[Delivery] = Field(default_factory=list, description="Voice mode: delivery of spoken answers.")

    @property
    def verdict(self) -> Verdict | None:
        return self.verdicts[-1] if self.verdicts else None

    @property
    def score(self) -> float | None:
        if self.code is not None:  # correctness and the spoken explanation (coding/grading.final_score)
            return self.code.final if self.status == "scored" else None
        v = self.verdict
        return v.score if v is not None and v.ok and self.status == "scored" else None

    def combined_answer(self) -> str:
        return "\n\n".join(self.answers)

    @property
    def current_phase(self) -> tuple[int, PhaseRecord] | None:
        """The case phase being answered, with its index."""
        return next(((i, p) for i, p in enumerate(self.phases) if p.status in ("open", "judge_error")), None)


class InterviewState(BaseModel):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    loop: Literal["mle", "llm"]
    level: Literal["junior", "mid", "senior"]
    n_questions: int = Field(ge=1, le=20)
    feedback_mode: Literal["each", "end"] = "each"
    mode: Mode = Field("mix", description="full: the whole loop in order; round: one stage; mix: n across stages.")
    round_stage: str | None = Field(None, description="The stage practised in a one-round interview.")
    stage_plan: list[str] = Field(default_factory=list)
    records: list[QuestionRecord] = Field(default_factory=list)
    messages: list[Message] = Field(default_factory=list)
    status: Literal["active", "finished"] = "active"
    started_at: float = Field(default_factory=time.time)
    finished_at: float | None = None
    interviewer_model: str = "offline"
    judge_model: str = "offline"
    usage: list[Usage] = Field(default_factory=list, description="Latency, tokens and cost per model call.")
    fixed_questions: list[str] = Field(default_factory=list, description="Ask exactly these (practice again).")
    extra_questions: list[Question] = Field(
        default_factory=list, description="This interview's own questions (résumé deep dives, generated ones)."
    )
    tailoring: Tailoring | None = Field(None, description="The posting and résumé it was tailored to (owner only).")
    retry_of: str | None = Field(None, description="The session whose question is being practised again.")
    owner: str = Field("local", description="The user this interview belongs to; every storage query is scoped by it.")
    version: int = Field(0, description="Bumped on every save; a save from an older version is refused (two tabs).")
    coding: bool = Field(False, description="Include the coding round: one exercise run against hidden tests.")
    voice_mode: bool = Field(False, description="Questions are spoken and answers recorded (interviewer/speech).")

    @property
    def current(self) -> QuestionRecord | None:
        if self.records and self.records[-1].status in ("open", "judge_error"):
            return self.records[-1]
        return None

    @property
    def scores(self) -> list[float]:
        return [r.score for r in self.records if r.score is not None]

    @property
    def overall_score(self) -> float | None:
        scores = self.scores
        return round(sum(scores) / len(scores), 2) if scores else None

    def usage_totals(self) -> dict[str, float]:
        """Summed per session: calls, latency, tokens and known cost."""
        return {
            "calls": len(self.usage),
            "latency_ms": round(sum(u.latency_ms for u in self.usage), 1),
            "prompt_tokens": sum(u.prompt_tokens for u in self.usage),
            "completion_tokens": sum(u.completion_tokens for u in self.usage),
            "cost_usd": round(sum(u.cost_usd or 0.0 for u in self.usage), 6),
        }

    def stage_scores(self) -> dict[str, float]:
        by_stage: dict[str, list[float]] = {}
        for r in self.records:
            if r.score is not None:
                by_stage.setdefault(r.stage, []).append(r.score)
        return {stage: round(sum(v) / len(v), 2) for stage, v in by_stage.items()}
