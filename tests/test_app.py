"""The Streamlit app driven with AppTest: setup, a whole interview, commands, report, history."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
STRONG = (
    "I would start from the data: a time-based split so no future information leaks, and I would check "
    "label quality and class balance. Then a simple baseline, offline metrics that match the business goal, "
    "and a rollout behind a canary with monitoring for drift and a registry entry so rollback is one step."
)


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, shared_data_dir: Path, services) -> AppTest:  # noqa: ARG001
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(shared_data_dir))
    at = AppTest.from_file(APP, default_timeout=180)
    return at.run()


def chat_texts(at: AppTest) -> list[str]:
    return [" ".join(md.value for md in msg.markdown) for msg in at.chat_message]


def start(at: AppTest, loop: str = "mle", level: str = "mid", n: int = 3, feedback: str = "each") -> AppTest:
    """A quick mix of n questions (the setup's third mode; the default is a full loop)."""
    at.selectbox(key="setup_loop").set_value(loop)
    at.selectbox(key="setup_level").set_value(level)
    at.radio(key="setup_mode").set_value("mix").run()
    at.number_input(key="setup_n").set_value(n)
    at.radio(key="setup_feedback").set_value(feedback)
    at.button(key="start").click()
    return at.run()


def test_setup_screen_shows_offline_notice_and_stage_counts(app: AppTest) -> None:
    assert not app.exception
    assert any("Offline mode" in info.value for info in app.sidebar.info)
    captions = " ".join(c.value for c in app.caption)
    assert "Questions per stage at this level" in captions and "Serving and latency" in captions
    app.selectbox(key="setup_loop").set_value("llm").run()
    assert "Retrieval and RAG" in " ".join(c.value for c in app.caption)


def test_whole_interview_in_the_browser_app(app: AppTest) -> None:
    at = start(app, n=3)
    assert not at.exception
    texts = chat_texts(at)
    assert "Welcome" in texts[0] and "Question 1 of 3" in texts[1]
    for _ in range(8):
        if not at.chat_input:
            break
        at.chat_input(key="answer").set_value(STRONG).run()
        assert not at.exception
    texts = chat_texts(at)
    assert any("Score:" in t for t in texts), texts
    assert any("Interview complete" in t for t in texts)
    assert any(b.label == "Download report (.md)" for b in at.get("download_button"))
    assert at.get("vega_lite_chart"), "the per-stage score chart is missing"
    assert any(s.value == "Scores by stage" for s in at.subheader)
    assert any(b.key and b.key.startswith("again_") for b in at.button)  # practice again is offered


def test_commands_and_empty_answer(app: AppTest) -> None:
    at = start(app, loop="llm", level="senior", n=2)
    at.chat_input(key="answer").set_value("   ").run()
    assert any("didn't get an answer" in i.value for i in at.info)
    at.button(key="btn_skip").click().run()
    assert any("Question 2 of 2" in t for t in chat_texts(at))
    at.button(key="btn_end").click().run()
    assert any("Interview complete" in t for t in chat_texts(at))
    assert not at.chat_input


def test_history_lists_finished_interviews(app: AppTest) -> None:
    at = start(app, n=1)
    at.chat_input(key="answer").set_value(STRONG).run()
    if at.chat_input:  # a follow-up was asked
        at.chat_input(key="answer").set_value("/end").run()
    at.sidebar.radio(key="nav").set_value("History").run()
    assert not at.exception
    assert at.dataframe and at.selectbox(key="history_pick").options


def test_practice_again_shows_the_change_in_score(app: AppTest) -> None:
    at = start(app, n=1)
    at.chat_input(key="answer").set_value("I am not sure.").run()
    if at.chat_input:
        at.chat_input(key="answer").set_value("/end").run()
    again = next(b for b in at.button if b.key and b.key.startswith("again_"))
    again.click().run()
    assert any("Question 1 of 1" in t for t in chat_texts(at))
    at.chat_input(key="answer").set_value(STRONG).run()
    if at.chat_input:
        at.chat_input(key="answer").set_value("/end").run()
    assert any(s.value == "Your attempts at this question" for s in at.subheader)
    assert at.metric and "since the first attempt" in str(at.metric[0].delta)


def test_why_this_question_keeps_passages_closed_until_the_question_is_answered(app: AppTest) -> None:
    at = start(app, n=2)
    why = [e for e in at.expander if e.label == "Why this question"]
    assert len(why) == 1
    assert any("Grounded in the corpus" in c.value for c in why[0].caption)
    assert not why[0].markdown, "passage text is shown while the question is open"
    for _ in range(6):
        if any("Question 2 of 2" in t for t in chat_texts(at)):
            break
        at.chat_input(key="answer").set_value(STRONG).run()
    assert any("Question 2 of 2" in t for t in chat_texts(at))
    first, second = [e for e in at.expander if e.label == "Why this question"]
    assert first.markdown and len(first.markdown[0].value) > 100, "the answered question's passages did not open"
    assert not second.markdown and any("Grounded in the corpus" in c.value for c in second.caption)
