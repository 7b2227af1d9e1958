"""The solver: the judge under test, run over samples (each judged `repeats` times for consistency).

The offline judge is run batched (the scorer's `assess_batch`): the first pass in one batch, the repeat pass
in reverse order 16 at a time, so consistency measures whether a score depends on what else was in the batch.
Other judges run per answer on a bounded thread pool. For the LLM judge the first pass uses the judge's disk
cache and the repeat pass a separate cache, so re-running the suite costs nothing yet consistency still
compares two independent model calls.
"""

from __future__ import annotations

import copy
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from tqdm import tqdm

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


def build_eval_judge(judge_kind: str, settings: Settings, model: str | None = None) -> tuple[Any, Any, str]:
    """(judge, repeat_judge, model name) without retrieval: scoring never needs the corpus index."""
    from interviewer.embeddings import get_embedder
    from interviewer.services import build_judge

    if judge_kind == "llm":
        settings = settings.model_copy(update={"judge_model": model}) if model else settings
        if settings.offline_judge:
            raise JudgeUnavailable(
                "--judge llm needs a model: set INTERVIEW_JUDGE_MODEL to a litellm model string "
                "(e.g. openai/gpt-4o-mini, ollama/llama3.1) or pass --model; it is 'offline' now."
            )
        judge = build_judge(settings, embedder=None, retriever=None).inner  # type: ignore[arg-type]
        repeat = copy.copy(judge)
        if judge.cache is not None:
            import diskcache

            repeat.cache = diskcache.Cache(str(Path(settings.data_dir) / "judge-cache-repeat"))
        return judge, repeat, settings.judge_model
    update = {"judge_model": "offline", **({"embedding_model": model} if model else {})}
    settings = settings.model_copy(update=update)
    judge = build_judge(settings, get_embedder(settings.embedding_model), retriever=None).inner
    return judge, judge, getattr(judge, "model_name", settings.embedding_model)


class JudgeSolver:
    def __init__(self, judge: Any, repeat_judge: Any | None = None, *, concurrency: int = 4, repeats: int = 2) -> None:
        self.judge = judge
        self.repeat_judge = repeat_judge or judge
        self.concurrency = max(1, concurrency)
        self.repeats = max(1, repeats)
        self.wall_s = 0.0

    def _batched(self, judge: Any) -> bool:
        return getattr(judge, "kind", "") == "offline" and hasattr(getattr(judge, "scorer", None), "assess_batch")

    def _pass(self, judge: Any, samples: list[Sample], label: str, repeat: int = 0) -> list[Verdict]:
        if self._batched(judge) and repeat:
            # Same inputs, other batches (reversed, 16 at a time): a deterministic judge must not care.
            order = list(range(len(samples)))[::-1]
            verdicts: dict[int, Verdict] = {}
            for start in range(0, len(order), REPEAT_BATCH):
                chunk = order[start : start + REPEAT_BATCH]
                verdicts.update(zip(chunk, self._offline_batch(judge, [samples[i] for i in chunk]), strict=True))
            return [verdicts[i] for i in range(len(samples))]
        if self._batched(judge):
            return self._offline_batch(judge, samples)
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            jobs = pool.map(lambda s: self._one(judge, s), samples)
            return list(tqdm(jobs, total=len(samples), desc=label, unit="answer", disable=None, leave=False))

    @staticmethod
    def _one(judge: Any, sample: Sample) -> Verdict:
        try:
            return judge.judge(sample.question, sample.answer)
        except Exception as err:  # noqa: BLE001 - a crashing judge is a measured failure, not a crashed run
            return Verdict.failed(f"judge raised {type(err).__name__}: {err}")

    @staticmethod
    def _offline_batch(judge: Any, samples: list[Sample]) -> list[Verdict]:
        batch = [
            {
                "question": s.question.question,
                "answer": s.answer,
                "reference": s.question.reference_answer,
                "key_points": None if s.reference_only else [kp.point for kp in s.question.key_points],
                "weights": None if s.reference_only else [kp.weight for kp in s.question.key_points],
            }
            for s in samples
        ]
        start = time.perf_counter()
        try:
            assessments = judge.scorer.assess_batch(batch)
        except Exception as err:  # noqa: BLE001
            return [Verdict.failed(f"assess_batch raised {type(err).__name__}: {err}") for _ in samples]
        per_item = (time.perf_counter() - start) * 1000 / max(1, len(samples))
        return [judge.to_verdict(s.question, a, per_item) for s, a in zip(samples, assessments, strict=True)]

    def solve(self, samples: list[Sample]) -> dict[str, Judged]:
        start = time.perf_counter()
        passes = [self._pass(self.judge, samples, "judging")]
        for r in range(1, self.repeats):
            passes.append(self._pass(self.repeat_judge, samples, f"repeat {r}", repeat=r))
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
