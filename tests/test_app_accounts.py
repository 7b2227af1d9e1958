"""The app as one of many users sees it: own sessions only, the interview id in the URL, markup shown as typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from interviewer.interview.state import InterviewState
from interviewer.storage.store import Store

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, shared_data_dir: Path, services) -> AppTest:  # noqa: ARG001
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(shared_data_dir))
    return AppTest.from_file(APP, default_timeout=180)


def start(at: AppTest) -> AppTest:
    at.run()
    at.radio(key="setup_mode").set_value("mix").run()
    at.number_input(key="setup_n").set_value(2)
    at.button(key="start").click()
    return at.run()


def test_candidate_markup_renders_as_typed_not_as_links_or_images(app: AppTest) -> None:
    at = start(app)
    typed = "if latency<p99 and cost>budget then ![pixel](http://198.51.100.7/p.png) [click](http://198.51.100.7)"
    at.chat_input(key="answer").set_value(typed).run()
    assert not at.exception
    shown = [md.value for msg in at.chat_message for md in msg.markdown if "latency" in md.value]
    assert shown, "the answer is not shown"
    assert all("](" not in value for value in shown)  # no live Markdown link or image survives
    assert at.session_state.interview.state.records[0].answers[0] == typed  # stored exactly as typed


def test_refresh_keeps_the_interview_and_a_foreign_id_is_not_found(app: AppTest, shared_data_dir: Path) -> None:
    at = start(app)
    session_id = at.session_state.interview.state.id
    assert at.query_params["session"] == session_id

    refreshed = AppTest.from_file(APP, default_timeout=180)
    refreshed.query_params["session"] = session_id
    refreshed.run()
    assert not refreshed.exception
    assert refreshed.session_state.interview.state.id == session_id
    assert refreshed.chat_input  # back in the open interview, not on the setup screen

    other = InterviewState(loop="mle", level="mid", n_questions=1, owner="someone-else")
    Store(shared_data_dir / "interview.sqlite3").scoped("someone-else").save(other)
    probe = AppTest.from_file(APP, default_timeout=180)
    probe.query_params["session"] = other.id
    probe.run()
    assert any("not found" in w.value for w in probe.warning)
    assert "interview" not in probe.session_state
