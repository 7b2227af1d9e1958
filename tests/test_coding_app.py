"""The coding round in the Streamlit app, driven with AppTest: editor, Run examples, Submit, explanation, report."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, shared_data_dir: Path, services) -> AppTest:  # noqa: ARG001
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(shared_data_dir))
    return AppTest.from_file(APP, default_timeout=180).run()


def start_coding(at: AppTest, loop: str = "mle", n: int = 1) -> AppTest:
    at.selectbox(key="setup_loop").set_value(loop)
    at.radio(key="setup_mode").set_value("mix").run()  # the default mode is a full loop
    at.number_input(key="setup_n").set_value(n)
    at.checkbox(key="setup_coding").check()
    at.button(key="start").click()
    return at.run()


def editor(at: AppTest):
    return next(t for t in at.text_area if str(t.key).startswith("code_editor_"))


def test_coding_round_from_setup_to_report(app: AppTest) -> None:
    assert not app.exception
    assert any("Coding (ML code, run against hidden tests)" in c.value for c in app.caption)
    at = start_coding(app)
    assert not at.exception
    record = at.session_state["interview"].state.current
    exercise = at.session_state["interview"].bank.exercises[record.code.exercise_id]
    chat = " ".join(md.value for msg in at.chat_message for md in msg.markdown)
    assert "Question 1 of 1" in chat and exercise.signature in chat
    assert editor(at).value == exercise.starter  # the stub is in the editor
    assert at.button(key="code_submit").disabled is False
    # Run examples with the stub: the results table shows failures, nothing is said in the chat
    messages = len(at.chat_message)
    at.button(key="code_run").click().run()
    table = at.dataframe[0].value
    assert list(table["result"]) == ["error"] * len(exercise.examples)
    assert len(at.chat_message) == messages
    # write the solution, run the examples, then submit
    editor(at).set_value(exercise.reference_solution).run()
    at.button(key="code_run").click().run()
    assert list(at.dataframe[0].value["result"]) == ["passed"] * len(exercise.examples)
    at.button(key="code_submit").click().run()
    assert not at.exception
    chat = [" ".join(md.value for md in msg.markdown) for msg in at.chat_message]
    assert any(f"passed {len(exercise.hidden)} of {len(exercise.hidden)} hidden tests" in t for t in chat)
    assert any(exercise.probes[0] in t for t in chat)
    assert at.button(key="code_submit").disabled is True  # one submission, and it passed
    for _ in range(3):
        if not at.chat_input:
            break
        at.chat_input(key="answer").set_value(exercise.reference_explanation).run()
    chat = [" ".join(md.value for md in msg.markdown) for msg in at.chat_message]
    assert any("Score:" in t and "hidden tests" in t for t in chat), chat
    assert any("Interview complete" in t for t in chat)
    report = " ".join(md.value for md in at.markdown)
    assert "Reference solution" in report and "Final score" in report
    assert not [t for t in at.text_area if str(t.key).startswith("code_editor_")]  # the editor has closed


def test_setup_without_the_coding_round_asks_no_exercise(app: AppTest) -> None:
    app.radio(key="setup_mode").set_value("mix").run()  # the default mode is a full loop
    app.number_input(key="setup_n").set_value(2)
    app.button(key="start").click()
    at = app.run()
    state = at.session_state["interview"].state
    assert not state.coding and "coding" not in state.stage_plan
    assert not [t for t in at.text_area if str(t.key).startswith("code_editor_")]


def _setup_script(backend: str | None) -> None:
    import streamlit as st

    from interviewer.coding.grading import CodeRunner
    from interviewer.coding.sandbox import Choice
    from interviewer.config import REPO_ROOT
    from interviewer.knowledge.bank import load_bank
    from interviewer.ui import coding as coding_ui

    notes = {None: "Code cannot run on this server: install bubblewrap.", "process": "Not isolated (process)."}
    coder = CodeRunner(Choice(backend=backend, isolated=False, note=notes[backend]))
    st.session_state.include = coding_ui.setup_toggle(load_bank(REPO_ROOT / "question_bank"), coder, "mle", "mid")


def test_the_coding_round_cannot_be_chosen_where_code_may_not_run() -> None:
    refused = AppTest.from_function(_setup_script, args=(None,), default_timeout=60).run()
    assert refused.checkbox(key="setup_coding").disabled
    assert "install bubblewrap" in refused.warning[0].value
    assert refused.session_state.include is False
    local = AppTest.from_function(_setup_script, args=("process",), default_timeout=60).run()
    assert not local.checkbox(key="setup_coding").disabled
    assert any("Not isolated" in c.value for c in local.caption)
    local.checkbox(key="setup_coding").check().run()
    assert local.session_state.include is True
