"""The report states what the models cost when a model was used, and says nothing of it offline."""

from __future__ import annotations

from interviewer.interview.report import markdown_report
from interviewer.interview.state import InterviewState, Usage


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


def test_markdown_export_shows_candidate_markup_literally(bank) -> None:
    from interviewer.interview.state import QuestionRecord
    from interviewer.judge.verdict import JudgeMeta, KeyPointVerdict, Verdict

    typed = "if latency<p99 and cost>budget then\n&lt;img src=x onerror=alert(1)&gt; ![t](http://198.51.100.7/p.png)"
    state = InterviewState(loop="mle", level="mid", n_questions=1, status="finished")
    verdict = Verdict(
        status="ok",
        score=3.0,
        feedback="ok",
        meta=JudgeMeta(judge="offline", model="m"),
        key_points=[KeyPointVerdict(point="p", status="covered", evidence="![t](http://198.51.100.7/p.png)")],
    )
    state.records.append(
        QuestionRecord(question_id="mle-serving-01", stage="serving", difficulty=2, answers=[typed], verdicts=[verdict])
    )
    text = markdown_report(state, bank)
    assert "<img" not in text and "](http" not in text and "&lt;img" not in text.replace("\\&lt\\;img", "")
    assert "latency\\<p99" in text and "cost\\>budget" in text  # escaped, so it renders as typed

    import markdown_it  # the CommonMark renderer streamlit's docs and most viewers agree with

    rendered = markdown_it.MarkdownIt().render(text)
    assert "<img" not in rendered and 'href="http' not in rendered
    assert "latency&lt;p99 and cost&gt;budget" in rendered and "&amp;lt;img src=x" in rendered
