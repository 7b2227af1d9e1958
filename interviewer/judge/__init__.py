"""The rubric judge: one public surface for every caller.

    judge = build(settings)                        # offline (default) or LLM, from the settings
    judge.judge(question, answer) -> Verdict       # one answer (the engine, the app)
    judge.judge_many([(question, answer), ...])    # many answers (interview grade, the evals, bank check)
    judge.prepare(question) -> Future              # the answer-independent work, started while the candidate types

The app, `interview grade`, the eval suite, the bank's self-consistency check and the Mohler benchmark all go
through `build(...).judge_many` / `.judge`, so a number measured by the evals is the number users get.
`GroundedJudge` wraps the offline or the LLM judge and adds the missed points with the corpus passages that
cover them (looked up by a `citations.Citer`), so feedback always cites the source material. A per-question
entry point takes a `Question`, so other question kinds can wrap it.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from interviewer.judge.verdict import MissedPoint, Verdict
from interviewer.knowledge.bank import Question

if TYPE_CHECKING:
    from interviewer.config import Settings
    from interviewer.knowledge.citations import Citer
    from interviewer.knowledge.retrieval import Retriever

JudgeItem = tuple[Question, str]  # (question with its rubric, the candidate's answer exactly as given)


class Judge(Protocol):
    kind: str

    def judge(self, question: Question, answer: str) -> Verdict: ...


def build(
    settings: Settings,
    *,
    embedder: Any = None,
    retriever: Retriever | None = None,
    citer: Citer | None = None,
    concurrency: int = 4,
) -> GroundedJudge:
    """The judge the settings name: offline when `judge_model` is "offline", else the LLM judge (cached on disk).
    `embedder` defaults to the settings' embedding model (offline judge only). Missed points cite the corpus
    through `citer`, or a new `Citer` over `retriever` (pass the app's shared citer to share its caches)."""
    if settings.offline_judge:
        from interviewer.judge.offline import OfflineJudge
        from interviewer.judge.offline_scorer import OfflineScorer
        from interviewer.knowledge.embeddings import get_embedder

        inner: Any = OfflineJudge(OfflineScorer(embedder=embedder or get_embedder(settings.embedding_model)))
    else:
        from interviewer.judge.llm_judge import LLMJudge
        from interviewer.llm import LLM, model_config_from_settings
        from interviewer.llm.recording import recorder_for

        llm = LLM(model_config_from_settings(settings, "judge"), on_exchange=recorder_for(settings))
        inner = LLMJudge(llm, cache_dir=settings.data_dir / "judge-cache", samples=settings.judge_samples)
    if citer is None and retriever is not None:
        from interviewer.knowledge.citations import Citer

        citer = Citer(retriever)
    return GroundedJudge(inner, citer, concurrency=concurrency)


class GroundedJudge:
    """Judge + citations: every missed or partial key point gets the passage that covers it (from `citer`).

    One judge serves every session of the app from many threads: it keeps no per-answer state, and its
    citer's caches are thread-safe."""

    def __init__(self, inner: Judge, citer: Citer | None = None, concurrency: int = 4) -> None:
        self.inner = inner
        self.citer = citer
        self.kind = inner.kind
        self.concurrency = max(1, concurrency)
        # Warm-ups run here, not on threads the caller starts. The workers are not daemons: at interpreter exit
        # concurrent.futures finishes the queued warm-ups and joins them (torch aborts a process that exits in
        # the middle of a forward pass).
        self._prepare_pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="judge-prepare")

    @property
    def model_name(self) -> str:
        return str(getattr(self.inner, "model_name", None) or getattr(getattr(self.inner, "llm", None), "name", "?"))

    def prepare(self, question: Question) -> Future[None]:
        """Start the answer-independent work for `question` (the inner judge's warm-up, the key points' citations)
        in the background and return its future. Purely an optimisation: an exception is kept in the future and
        never raised by judging (the judge call itself reports any real error)."""
        if not hasattr(self.inner, "warm") and self.citer is None:
            done: Future[None] = Future()
            done.set_result(None)
            return done
        return self._prepare_pool.submit(self._prepare, question)

    def _prepare(self, question: Question) -> None:
        if hasattr(self.inner, "warm"):
            self.inner.warm(question)
        if self.citer is not None:
            self.citer.prepare(question)

    def judge(self, question: Question, answer: str) -> Verdict:
        return self.judge_many([(question, answer)])[0]

    def judge_many(self, items: list[JudgeItem]) -> list[Verdict]:
        """Verdicts in input order. The offline judge scores the whole batch in one pass; other judges run per
        answer on `concurrency` threads. A judge that raises yields an error verdict, never a made-up score."""
        if hasattr(self.inner, "judge_many"):
            verdicts = self.inner.judge_many(items)
        elif len(items) == 1:
            verdicts = [self._one(items[0])]
        else:
            with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
                verdicts = list(pool.map(self._one, items))
        for (question, _), verdict in zip(items, verdicts, strict=True):
            if verdict.ok:
                verdict.missed = self.missed_points(question, verdict)
        return verdicts

    def _one(self, item: JudgeItem) -> Verdict:
        try:
            return self.inner.judge(*item)
        except Exception as err:  # noqa: BLE001 - a crashing judge is reported as such
            return Verdict.failed(f"The judge raised {type(err).__name__}: {err}")

    def missed_points(self, question: Question, verdict: Verdict) -> list[MissedPoint]:
        """The points the verdict did not find covered, each with its follow-up probe and the passage covering it."""
        probes = {kp.point: kp.probe for kp in question.key_points}
        missed = [kp.point for kp in verdict.key_points if kp.status != "covered"]
        passages = self.citer.for_points(question, missed) if self.citer is not None and missed else {}
        return [MissedPoint(point=p, probe=probes.get(p, ""), passages=passages.get(p, [])) for p in missed]
