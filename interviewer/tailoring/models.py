"""What a tailored interview stores about its posting and résumé (inside the owner's InterviewState only)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Tailoring(BaseModel):
    posting: str = Field("", description="The job posting exactly as pasted or uploaded; private to the interview.")
    resume: str = Field("", description="The résumé text as read from the upload; private to the interview.")
    resume_name: str | None = Field(None, description="The uploaded file's name.")
    consent: bool = Field(False, description="The candidate agreed to send posting and résumé to the configured model.")
    skills: list[str] = Field(default_factory=list, description="Skill ids the posting asks for, strongest first.")
    reasons: dict[str, str] = Field(default_factory=dict, description="Question id -> why it was chosen.")
    sources: dict[str, str] = Field(default_factory=dict, description="Deep-dive question id -> the résumé line.")
    notices: list[str] = Field(default_factory=list, description="What could not be used, and why.")
