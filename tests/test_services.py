"""Wiring: a resumed interview keeps the models it started with."""

from __future__ import annotations

from interviewer.interview.state import InterviewState
from interviewer.interview.voice import LLMVoice, TemplateVoice


def test_resumed_session_is_judged_by_the_models_it_started_with(services) -> None:
    assert services.settings.offline_judge and services.settings.offline_interviewer
    started_with_models = InterviewState(
        loop="llm", level="mid", n_questions=1, interviewer_model="openai/x", judge_model="openai/judge-x"
    )
    interview = services.interview(started_with_models)
    assert isinstance(interview.voice, LLMVoice) and interview.voice.llm.cfg.model == "openai/x"
    assert type(interview.judge.inner).__name__ == "LLMJudge"
    assert interview.judge.inner.llm.cfg.model == "openai/judge-x"
    assert services.interview(started_with_models).judge is interview.judge  # built once per model

    offline = services.interview(InterviewState(loop="llm", level="mid", n_questions=1))
    assert isinstance(offline.voice, TemplateVoice) and offline.judge is services.judge
