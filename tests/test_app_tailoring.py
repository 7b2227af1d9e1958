"""The setup screen's tailoring inputs, driven with AppTest: preview with reasons, then a tailored interview."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_tailoring import POSTINGS

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, shared_data_dir: Path, services) -> AppTest:  # noqa: ARG001
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(shared_data_dir))
    return AppTest.from_file(APP, default_timeout=240).run()


def _settle(at: AppTest) -> None:
    """Let the judge's rubric warm-up finish (and fail the test if it raised)."""
    preparing = at.session_state.interview.preparing
    if preparing is not None:
        preparing.result()


def test_pasted_posting_previews_reasons_and_starts_a_tailored_interview(app: AppTest) -> None:
    app.selectbox(key="setup_loop").set_value("llm")
    app.radio(key="setup_mode").set_value("mix").run()  # the default mode is a full loop
    app.number_input(key="setup_n").set_value(3)
    at = app.text_area(key="tailor_jd").set_value(POSTINGS["llm-agents"].text).run()
    assert not at.exception
    shown = " ".join(md.value for md in at.markdown)
    assert "Questions chosen, and why" in shown and "the posting asks for agents and tool use" in shown
    consent = [c for c in at.checkbox if c.key == "tailor_consent"]
    assert not consent  # offline: no consent box, nothing is sent anywhere
    at.button(key="start").click()
    at = at.run()
    assert not at.exception
    state = at.session_state.interview.state
    assert state.tailoring is not None and state.tailoring.posting == POSTINGS["llm-agents"].text
    assert len(state.fixed_questions) == 3 and state.records[0].question_id == state.fixed_questions[0]
    assert any(e.label.startswith("Why these questions") for e in at.expander)
    _settle(at)


def test_without_a_posting_the_interview_is_untailored(app: AppTest) -> None:
    app.button(key="start").click()
    at = app.run()
    assert not at.exception and at.session_state.interview.state.tailoring is None
    _settle(at)
