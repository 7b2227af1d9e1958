"""The report states what the models cost when a model was used, and says nothing of it offline."""

from __future__ import annotations

from interviewer.report import markdown_report
from interviewer.state import InterviewState, Usage


def test_usage_shown_only_when_a_model_was_called(bank) -> None:
    state = InterviewState(loop="llm", level="mid", n_questions=1)
    assert "Model usage" not in markdown_report(state, bank)
    state.usage += [
        Usage(
            role="judge",
            model="openai/gpt-4o-mini",
            latency_ms=800,
            prompt_tokens=1200,
            completion_tokens=300,
            cost_usd=0.0004,
        ),
        Usage(
            role="interviewer",
            model="openai/gpt-4o-mini",
            latency_ms=500,
            prompt_tokens=800,
            completion_tokens=60,
            cost_usd=0.0002,
        ),
    ]
    text = markdown_report(state, bank)
    assert "2 call(s)" in text and "2,000 prompt + 360 completion tokens" in text and "$0.0006" in text
    assert "judge: openai/gpt-4o-mini" in text and "interviewer: openai/gpt-4o-mini" in text
