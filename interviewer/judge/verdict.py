"""The judge's verdict on one answer. A verdict with status `error` never carries a score."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from interviewer.knowledge.citations import PassageRef

Coverage = Literal["covered", "partial", "missed"]
COVERAGE_CREDIT: dict[str, float] = {"covered": 1.0, "partial": 0.5, "missed": 0.0}


class KeyPointVerdict(BaseModel):
    point: str = Field(description="The rubric key point being checked.")
    status: Coverage = Field(description="Whether the answer covers the point fully, partly, or not at all.")
    evidence: str = Field("", description="A verbatim quote from the answer that supports the status ('' if none).")
    weight: float = Field(1.0, description="The key point's share of the question's credit.")
    strength: float | None = Field(None, description="Offline judge only: evidence strength in [0, 1].")


class CriterionVerdict(BaseModel):
    criterion: str = Field(description="Rubric criterion name, e.g. coverage, accuracy, depth.")
    reasoning: str = Field(description="Why the score was given, written before the score.")
    score: int = Field(ge=1, le=5, description="Criterion score on 1..5.")


class MissedPoint(BaseModel):
    point: str = Field(description="A key point the answer missed or only partly covered.")
    probe: str = Field("", description="The follow-up that invites the point without giving it away.")
    passages: list[PassageRef] = Field(default_factory=list, description="Corpus passages that cover the point.")


class PartScore(BaseModel):
    """One scored part of an answer beyond its key points: a case phase, the numeric answer, a STAR part."""

    name: str = Field(description="Part id: a case phase id, 'number', or 'star:<part>'.")
    title: str = Field(description="Human title of the part.")
    score: float | None = Field(None, ge=1, le=5, description="1..5, or None when the part was not answered.")
    weight: float = Field(1.0, ge=0, description="Relative weight in the overall score (case phases).")
    detail: str = Field("", description="What was found, in words the candidate can act on.")


class JudgeMeta(BaseModel):
    judge: Literal["offline", "llm"] = Field(description="Which judge produced the verdict.")
    model: str = Field(
        description="Embedding model (offline) or the litellm model string that answered (llm): a fallback model "
        "when the configured one failed."
    )
    rubric_version: str = Field("", description="Hash of the question's rubric.")
    prompt_hash: str = Field("", description="Hash of the judge prompt template (llm judge).")
    latency_ms: float = Field(0.0, description="Wall time of the judgement.")
    cost_usd: float | None = Field(None, description="Provider cost where litellm knows it.")
    cached: bool = Field(False, description="Served from the judge cache.")
    served_model: str | None = Field(None, description="The model version the provider says answered (llm judge).")
    examples: list[str] = Field(default_factory=list, description="Ids of the graded examples in the prompt.")
    samples: list[float] = Field(default_factory=list, description="Score of each sample when judged n times.")
    spread: float | None = Field(None, description="Highest minus lowest sample score (n > 1).")


class Verdict(BaseModel):
    status: Literal["ok", "error"] = Field(description="ok, or error when no trustworthy score could be made.")
    error: str | None = Field(None, description="Why judging failed (status error only).")
    score: float | None = Field(None, ge=1, le=5, description="Overall 1..5, computed in code; None on error.")
    key_points: list[KeyPointVerdict] = Field(default_factory=list, description="Per key point coverage.")
    criteria: list[CriterionVerdict] = Field(default_factory=list, description="Per rubric criterion.")
    feedback: str = Field("", description="Feedback for the candidate.")
    missed: list[MissedPoint] = Field(default_factory=list, description="Missed points with passages to study.")
    flags: list[str] = Field(default_factory=list, description="empty, gibberish, off_topic, padded, injection...")
    red_flags: list[str] = Field(
        default_factory=list, description="The rubric's known wrong claims that the answer asserts (quoted)."
    )
    meta: JudgeMeta | None = Field(None, description="Who judged, with which rubric and prompt, how fast.")
    kind: str = Field("open", description="The question kind the verdict was computed for (open, numeric, ...).")
    parts: list[PartScore] = Field(
        default_factory=list, description="Per-part scores: case phases, the numeric answer, STAR structure."
    )

    @model_validator(mode="after")
    def _no_score_on_error(self) -> Verdict:
        if self.status == "error" and self.score is not None:
            raise ValueError("an error verdict must not carry a score")
        if self.status == "ok" and self.score is None:
            raise ValueError("an ok verdict needs a score")
        return self

    @classmethod
    def failed(cls, reason: str, meta: JudgeMeta | None = None) -> Verdict:
        return cls(status="error", error=reason, meta=meta)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def weighted_coverage(points: list[KeyPointVerdict]) -> float:
    """Share of rubric credit earned, in [0, 1]."""
    total = sum(p.weight for p in points) or 1.0
    return sum(p.weight * COVERAGE_CREDIT[p.status] for p in points) / total
