"""The solver: the judge under test, run over samples through the public judge surface.

Every sample is judged with `interviewer.judge.build(settings).judge_many`, the call `interview grade` and
the app make, so the suite measures what users get. The offline judge scores a whole suite in one batch. With
`--repeats N` each answer is judged N times: for the LLM judge through a second disk cache (so a re-run is free
yet the repeat is an independent call), for the offline judge in other batches (reverse order, 16 at a time),
which checks that a score does not depend on what else was in the batch.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from interviewer.config import Settings
from interviewer.evaluation.datasets import Sample
from interviewer.judge.verdict import Verdict

REPEAT_BATCH = 16


class JudgeUnavailable(RuntimeError):
    """The requested judge cannot run here (e.g. no model configured); the message says what to set."""


class Judged(BaseModel):
    id: str = Field(description="Sample id.")
    status: str = Field(description="ok or error (first pass).")
    score: float | None = Field(None, description="First-pass score; None on error.")
    repeat_scores: list[float | None] = Field(default_factory=list, description="Scores of the repeat passes.")
    error: str | None = Field(None, description="Why the first pass failed.")
    flags: list[str] = Field(default_factory=list, description="Judge flags (first pass).")
    cost_usd: float | None = Field(None, description="Provider cost of uncached calls, where known.")
    cached: int = Field(0, description="How many of this sample's calls were served from a cache.")
    calls: int = Field(0, description="Judge calls made for this sample.")
    latency_ms: float = Field(0.0, description="First-pass judge latency.")
    spread: float | None = Field(None, description="LLM judge with n samples: highest minus lowest sample score.")

    @property
    def consistent(self) -> bool:
        return all(r == self.score for r in self.repeat_scores)


def build_eval_judge(judge_kind: str, settings: Settings, model: str | None = None, concurrency: int = 4) -> tuple:
    """(judge, repeat_judge, model name), both from `interviewer.judge.build` without retrieval."""
    from interviewer.judge import build

    if judge_kind == "llm":
        settings = settings.model_copy(update={"judge_model": model}) if model else settings
        if settings.offline_judge:
            raise JudgeUnavailable(
                "--judge llm needs a model: set INTERVIEW_JUDGE_MODEL to a litellm model string "
                "(e.g. openai/gpt-4o-mini, ollama/llama3.1) or pass --model; it is 'offline' now."
            )
        judge = build(settings, concurrency=concurrency)
        repeat = copy.copy(judge)
        repeat.inner = copy.copy(judge.inner)
        if getattr(judge.inner, "cache", None) is not None:
            import diskcache

            repeat.inner.cache = diskcache.Cache(str(Path(settings.data_dir) / "judge-cache-repeat"))
        return judge, repeat, settings.judge_model
    update = {"judge_model": "offline", **({"embedding_model": model} if model else {})}
    judge = build(settings.model_copy(update=update))
    return judge, judge, judge.model_name


class JudgeSolver:
    def __init__(self, judge: Any, repeat_judge: Any | None = None, *, concurrency: int = 4, repeats: int = 1) -> None:
        self.judge = judge
        self.repeat_judge = repeat_judge or judge
        self.concurrency = max(1, concurrency)
        self.repeats = max(1, repeats)
        self.wall_s = 0.0

    @staticmethod
    def _many(judge: Any, samples: list[Sample]) -> list[Verdict]:
        items = [(s.question, s.answer) for s in samples]
        if hasattr(judge, "judge_many"):
            try:
                return judge.judge_many(items)
            except Exception as err:  # noqa: BLE001 - a crashing judge is a measured failure, not a crashed run
                return [Verdict.failed(f"judge_many raised {type(err).__name__}: {err}") for _ in samples]
        out = []
        for item in items:  # a bare judge (tests inject one): one answer at a time
            try:
                out.append(judge.judge(*item))
            except Exception as err:  # noqa: BLE001
                out.append(Verdict.failed(f"judge raised {type(err).__name__}: {err}"))
        return out

    def _pass(self, judge: Any, samples: list[Sample], repeat: int = 0) -> list[Verdict]:
        if repeat and getattr(judge, "kind", "") == "offline":
            # Same inputs, other batches (reversed, 16 at a time): a deterministic judge must not care.
            order = list(range(len(samples)))[::-1]
            verdicts: dict[int, Verdict] = {}
            for start in range(0, len(order), REPEAT_BATCH):
                chunk = order[start : start + REPEAT_BATCH]
                verdicts.update(zip(chunk, self._many(judge, [samples[i] for i in chunk]), strict=True))
            return [verdicts[i] for i in range(len(samples))]
        return self._many(judge, samples)

    def solve(self, samples: list[Sample]) -> dict[str, Judged]:
        start = time.perf_counter()
        passes = [self._pass(self.judge, samples)]
        for r in range(1, self.repeats):
            passes.append(self._pass(self.repeat_judge, samples, repeat=r))
        self.wall_s += time.perf_counter() - start
        out: dict[str, Judged] = {}
        for i, sample in enumerate(samples):
            verdicts = [p[i] for p in passes]
            first = verdicts[0]
            costs = [v.meta.cost_usd for v in verdicts if v.meta and not v.meta.cached and v.meta.cost_usd is not None]
            out[sample.id] = Judged(
                id=sample.id,
                status=first.status,
                score=first.score,
                repeat_scores=[v.score for v in verdicts[1:]],
                error=first.error,
                flags=list(first.flags),
                cost_usd=sum(costs) if costs else None,
                cached=sum(1 for v in verdicts if v.meta and v.meta.cached),
                calls=len(verdicts),
                latency_ms=first.meta.latency_ms if first.meta else 0.0,
                spread=first.meta.spread if first.meta else None,
            )
        return out
