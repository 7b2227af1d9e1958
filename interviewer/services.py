"""Wiring: build the heavy, shared pieces once from settings (the app caches them per process)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from interviewer.bank import QuestionBank, load_bank
from interviewer.config import Settings
from interviewer.embeddings import Embedder, get_embedder
from interviewer.engine import Interview
from interviewer.index import IndexReport, build_index, get_collection, open_client
from interviewer.judge import GroundedJudge
from interviewer.llm import LLM, Completion, model_config_from_settings
from interviewer.retrieval import Retriever
from interviewer.state import InterviewState, Usage
from interviewer.storage import Store, open_store
from interviewer.voice import LLMVoice, TemplateVoice


@dataclass
class Services:
    settings: Settings
    embedder: Embedder
    collection: Any
    retriever: Retriever
    bank: QuestionBank
    judge: GroundedJudge
    store: Store
    index_report: IndexReport | None = None
    coder: Any = None  # coding.grading.CodeRunner: set by the app (which knows its address) or the CLI

    def voice(self, state: InterviewState) -> TemplateVoice | LLMVoice:
        if self.settings.offline_interviewer:
            return TemplateVoice()

        def record(c: Completion) -> None:
            current = state.records[-1].question_id if state.records else None
            state.usage.append(
                Usage(
                    role="interviewer",
                    model=c.model,
                    latency_ms=round(c.latency_s * 1000, 1),
                    prompt_tokens=c.prompt_tokens,
                    completion_tokens=c.completion_tokens,
                    cost_usd=c.cost_usd,
                    question_id=current,
                )
            )

        llm = LLM(model_config_from_settings(self.settings, "interviewer"), on_usage=record)
        return LLMVoice(llm, self.bank.loops[state.loop].title, state.level)

    def interview(self, state: InterviewState) -> Interview:
        return Interview(
            state,
            self.bank,
            self.judge,
            self.voice(state),
            max_followups=self.settings.max_followups,
            max_answer_chars=self.settings.max_answer_chars,
            on_change=self.store.save,
            coder=self.coder,
        )

    def new_interview(
        self, loop: str, level: str, n_questions: int, feedback: str = "each", coding: bool = False
    ) -> Interview:
        state = InterviewState(
            loop=loop,
            level=level,
            n_questions=n_questions,
            feedback_mode=feedback,
            coding=coding,
            interviewer_model=self.settings.interviewer_model,
            judge_model=self.settings.judge_model,
        )
        return self.interview(state)

    def practice_again(self, question_id: str, level: str, retry_of: str | None = None) -> Interview:
        """A one-question interview on a question asked before; its score is stored beside the earlier ones."""
        question = self.bank.questions[question_id]
        interview = self.new_interview(question.loop, level, 1)
        interview.state.fixed_questions = [question_id]
        interview.state.retry_of = retry_of
        return interview

    def cited_passages(self, question_id: str) -> list:
        """The corpus passages a question cites (shown in the report, after the interview)."""
        question = self.bank.questions.get(question_id)
        if question is None:
            return []
        return [p for c in question.citations for p in self.judge.passages_for_citation(c.doc, c.section)]


def build_judge(settings: Settings, embedder: Embedder, retriever: Retriever | None) -> GroundedJudge:
    if settings.offline_judge:
        from interviewer.judge.offline import OfflineJudge
        from interviewer.judge.offline_scorer import OfflineScorer

        inner: Any = OfflineJudge(OfflineScorer(embedder=embedder))
    else:
        from interviewer.judge.llm_judge import LLMJudge

        inner = LLMJudge(
            LLM(model_config_from_settings(settings, "judge")), cache_dir=settings.data_dir / "judge-cache"
        )
    return GroundedJudge(inner, retriever)


def build_services(settings: Settings, *, index: bool = True, progress: bool = False) -> Services:
    """Load models, open Chroma and SQLite, and (re)index the corpus if anything changed."""
    embedder = get_embedder(settings.embedding_model)
    collection = get_collection(open_client(settings.chroma_dir, settings.chroma_url), embedder.name)
    report = build_index([settings.corpus_dir], collection, embedder, progress=progress) if index else None
    retriever = Retriever(collection, embedder)
    bank = load_bank(settings.bank_dir)
    return Services(
        settings=settings,
        embedder=embedder,
        collection=collection,
        retriever=retriever,
        bank=bank,
        judge=build_judge(settings, embedder, retriever),
        store=open_store(settings),
        index_report=report,
    )
