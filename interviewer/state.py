"""Interview state as plain pydantic data: serialisable to JSON, stored as it happens, resumable."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, Field, PrivateAttr

from interviewer.bank import Question
from interviewer.judge.verdict import PassageRef, Verdict
from interviewer.tailoring.models import Tailoring

MessageKind = Literal[
    "intro", "question", "followup", "ack", "feedback", "notice", "error", "summary", "answer", "command"
]


class Message(BaseModel):
    role: Literal["interviewer", "candidate", "system"]
    kind: MessageKind
    text: str = ""
    question_id: str | None = None
    verdict: Verdict | None = None
    passages: list[PassageRef] = Field(default_factory=list, description="Why this question: its grounding.")
    ts: float = Field(default_factory=time.time)
    _pieces: Iterator[str] | None = PrivateAttr(default=None)

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

    def settle(self) -> Message:
        """Consume any pending stream so `text` is final (for callers that do not stream)."""
        for _ in self.pieces():
            pass
        return self

    @classmethod
    def streaming(cls, pieces: Iterator[str], **fields: object) -> Message:
        message = cls(**fields)
        message._pieces = pieces
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


class QuestionRecord(BaseModel):
    question_id: str
    stage: str
    difficulty: int
    answers: list[str] = Field(default_factory=list)
    probed: list[str] = Field(default_factory=list, description="Key points already probed by follow-ups.")
    verdicts: list[Verdict] = Field(default_factory=list)
    status: Literal["open", "scored", "skipped", "judge_error"] = "open"
    asked_at: float = Field(default_factory=time.time)

    @property
    def verdict(self) -> Verdict | None:
        return self.verdicts[-1] if self.verdicts else None

    @property
    def score(self) -> float | None:
        v = self.verdict
        return v.score if v is not None and v.ok and self.status == "scored" else None

    def combined_answer(self) -> str:
        return "\n\n".join(self.answers)


class InterviewState(BaseModel):
    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12])
    loop: Literal["mle", "llm"]
    level: Literal["junior", "mid", "senior"]
    n_questions: int = Field(ge=1, le=20)
    feedback_mode: Literal["each", "end"] = "each"
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
