"""Wiring: build the heavy, shared pieces once from settings (the app caches them per process)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from interviewer.config import Settings
from interviewer.interview.engine import Interview
from interviewer.interview.state import InterviewState, Usage
from interviewer.interview.voice import LLMVoice, TemplateVoice
from interviewer.judge import GroundedJudge, build
from interviewer.knowledge.bank import QuestionBank, load_bank
from interviewer.knowledge.citations import Citer, PassageRef
from interviewer.knowledge.embeddings import Embedder, get_embedder
from interviewer.knowledge.exercises import Exercises, load_exercises
from interviewer.knowledge.index import IndexReport, build_index, get_collection, open_client
from interviewer.knowledge.retrieval import Retriever
from interviewer.llm import LLM, Completion, model_config_from_settings
from interviewer.storage.store import Store, open_store


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
    citer: Citer | None = None  # citations over `retriever`, shared by every judge and interview of the process
    _judges: dict[str, GroundedJudge] = field(default_factory=dict, repr=False)
    _judges_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _exercises_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def settings_for(self, state: InterviewState) -> Settings:
        """The settings an interview runs under: the models it started with, not whatever is configured now."""
        return self.settings.model_copy(
            update={"interviewer_model": state.interviewer_model, "judge_model": state.judge_model}
        )

    def judge_for(self, state: InterviewState) -> GroundedJudge:
        """The judge of the model this interview started with (built once per model, shared across sessions)."""
        if state.judge_model == self.settings.judge_model:
            return self.judge
        with self._judges_lock:
            if state.judge_model not in self._judges:
                settings = self.settings_for(state)
                self._judges[state.judge_model] = build(
                    settings, embedder=self.embedder, retriever=self.retriever, citer=self.citer
                )
            return self._judges[state.judge_model]

    _exercises: Exercises | None = None
    coder: Any = None  # coding.grading.CodeRunner: set by the app (which knows its address) or the CLI

    def voice(self, state: InterviewState) -> TemplateVoice | LLMVoice:
        settings = self.settings_for(state)
        if settings.offline_interviewer:
            return TemplateVoice()

        def record(c: Completion) -> None:
            current = state.records[-1].question_id if state.records else None
            state.usage.append(Usage.of("interviewer", c, question_id=current))

        from interviewer.llm.recording import recorder_for

        cfg = model_config_from_settings(settings, "interviewer")
        llm = LLM(cfg, on_usage=record, on_exchange=recorder_for(settings))
        return LLMVoice(llm, self.bank.loops[state.loop].title, state.level)

    @property
    def exercises(self) -> Exercises:
        """The coding round's exercises (none until the coding package is installed), loaded once."""
        with self._exercises_lock:  # shared by every session: loaded once even when two ask at the same moment
            if self._exercises is None:
                self._exercises = load_exercises(self.settings.bank_dir)
            return self._exercises

    def interview(self, state: InterviewState) -> Interview:
        return Interview(
            state,
            self.bank,
            self.judge_for(state),
            self.voice(state),
            max_followups=self.settings.max_followups,
            max_answer_chars=self.settings.max_answer_chars,
            on_change=self.store.scoped(state.owner).save,
            exercises=self.exercises.items,
            coder=self.coder,
            citer=self.citer,
        )

    def new_interview(
        self,
        loop: str,
        level: str,
        n_questions: int,
        feedback: str = "each",
        mode: str = "mix",
        stage: str | None = None,
        owner: str = "local",
        coding: bool = False,
    ) -> Interview:
        """mode: full (every stage serving the level, in order), round (n questions of `stage`), mix;
        `coding` puts the coding round in the plan."""
        state = InterviewState(
            owner=owner,
            loop=loop,
            level=level,
            n_questions=n_questions,
            feedback_mode=feedback,
            mode=mode,
            round_stage=stage if mode == "round" else None,
            coding=coding,
            interviewer_model=self.settings.interviewer_model,
            judge_model=self.settings.judge_model,
        )
        return self.interview(state)

    def practice_again(
        self, question_id: str, level: str, retry_of: str | None = None, owner: str = "local"
    ) -> Interview:
        """A one-question interview on a question asked before; its score is stored beside the earlier ones."""
        question = self.bank.questions[question_id]
        interview = self.new_interview(question.loop, level, 1, owner=owner)
        interview.state.fixed_questions = [question_id]
        interview.state.retry_of = retry_of
        return interview

    def cited_passages(self, question_id: str) -> list[PassageRef]:
        """The corpus passages a question cites (shown in the report, after the interview)."""
        question = self.bank.questions.get(question_id)
        if question is None or self.citer is None:
            return []
        return self.citer.for_question(question)


def build_services(settings: Settings, *, index: bool = True, progress: bool = False) -> Services:
    """Load models, open Chroma and SQLite, and (re)index the corpus if anything changed."""
    embedder = get_embedder(settings.embedding_model)
    collection = get_collection(open_client(settings.chroma_dir, settings.chroma_url), embedder.name)
    # A fresh install has no index yet: build it even where the caller only wanted to search.
    needed = index or collection.count() == 0
    report = build_index([settings.corpus_dir], collection, embedder, progress=progress) if needed else None
    retriever = Retriever(collection, embedder, mode=settings.search_mode)
    bank = load_bank(settings.bank_dir)
    citer = Citer(retriever)
    return Services(
        settings=settings,
        embedder=embedder,
        collection=collection,
        retriever=retriever,
        bank=bank,
        judge=build(settings, embedder=embedder, retriever=retriever, citer=citer),
        store=open_store(settings),
        index_report=report,
        citer=citer,
    )
