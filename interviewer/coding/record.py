"""What a coding question keeps in the interview state: every run of the candidate's code and the scores."""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, Field

RunStatus = Literal["ok", "error", "timeout", "memory", "sandbox_unavailable"]
TestStatus = Literal["passed", "failed", "error", "timeout", "memory", "skipped"]


class TestResult(BaseModel):
    name: str = Field(description="The test's name.")
    status: TestStatus = Field(description="passed | failed (wrong answer) | error | timeout | memory | skipped")
    message: str = Field("", description="What went wrong; hidden tests never show their inputs or expected values.")
    hidden: bool = Field(False, description="A hidden test (Submit) rather than a visible example.")
    why: str = Field("", description="What the test checks (from the exercise).")


class RunReport(BaseModel):
    exercise: str
    kind: Literal["examples", "submit"] = Field(description="Visible examples, or the hidden tests.")
    status: RunStatus
    passed: int = 0
    total: int = 0
    score: float | None = Field(None, description="Correctness: passed / total in [0, 1]; null when nothing ran.")
    message: str = ""
    tests: list[TestResult] = Field(default_factory=list)
    backend: str | None = Field(None, description="bwrap or process; None when code could not run.")
    isolated: bool = False
    output: str = Field("", description="What the code printed (capped).")
    code: str = Field("", description="The code exactly as it was run.")
    seconds: float = 0.0
    ts: float = Field(default_factory=time.time)

    def contract(self) -> dict[str, Any]:
        """The `interview code run --json` object: exactly these keys."""
        return {
            "exercise": self.exercise,
            "status": self.status,
            "passed": self.passed,
            "total": self.total,
            "score": self.score,
            "message": self.message,
            "tests": [{"name": t.name, "status": t.status, "message": t.message} for t in self.tests],
        }

    def failing(self) -> list[TestResult]:
        return [t for t in self.tests if t.status != "passed"]


class CodeWork(BaseModel):
    """The coding part of a question record: the exercise, the draft, every run, and how it was scored."""

    exercise_id: str
    draft: str = Field("", description="The editor's content as last saved (the candidate's code, exactly).")
    runs: list[RunReport] = Field(default_factory=list, description="Every 'Run examples' and 'Submit', in order.")
    allowed: int = Field(1, description="Submissions allowed so far: one, plus one after a failing-case follow-up.")
    hinted: bool = Field(False, description="The interviewer has named a failing hidden case.")
    probed: bool = Field(False, description="The interviewer has asked the complexity/scaling follow-up.")
    correctness: float | None = Field(None, description="0-1 from the hidden tests (see grading.correctness).")
    final: float | None = Field(None, description="The 1-5 score: correctness plus the spoken explanation.")

    @property
    def submissions(self) -> list[RunReport]:
        """Graded submissions (a sandbox failure is not a submission)."""
        return [r for r in self.runs if r.kind == "submit" and r.score is not None]

    @property
    def can_submit(self) -> bool:
        return len(self.submissions) < self.allowed

    @property
    def last_submission(self) -> RunReport | None:
        return self.submissions[-1] if self.submissions else None
