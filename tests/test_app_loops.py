"""The app's setup modes with AppTest: a full loop of each loop, start to finish, and one round, on the fixture
bank (every kind: open, numeric, behavioral, case) with the real offline judge."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from interviewer.knowledge.bank import load_bank
from tests.fixture_bank import write_fixture_bank

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def fixture_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shared_data_dir: Path, services):  # noqa: ARG001
    root = write_fixture_bank(tmp_path / "bank")
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(shared_data_dir))
    monkeypatch.setenv("INTERVIEW_BANK_DIR", str(root))
    st.cache_resource.clear()  # the app's services are cached per process: build them on this bank
    at = AppTest.from_file(APP, default_timeout=300).run()
    yield at, load_bank(root)
    st.cache_resource.clear()


def chat_texts(at: AppTest) -> list[str]:
    return [" ".join(md.value for md in msg.markdown) for msg in at.chat_message]


def answer_for(at: AppTest, bank) -> str:
    """The level's reference answer of the open question: a strong candidate, so the loop runs straight through."""
    state = at.session_state["interview"].state
    return bank.questions[state.current.question_id].reference_for(state.level)


@pytest.mark.parametrize(
    ("loop", "level", "stages", "kinds", "case_parts"),
    [
        (
            "mle",
            "mid",
            ["ML fundamentals", "Statistics", "ML system design", "Behavioral"],
            ["open", "numeric", "case", "behavioral"],
            "Part 3 of 3: Serving",
        ),
        (
            "llm",
            "senior",
            ["LLM internals", "Prompting", "Project deep-dive", "Behavioral"],
            ["numeric", "open", "case", "behavioral"],
            "Part 3 of 3: Failures",
        ),
    ],
)
def test_a_full_loop_in_the_app(fixture_app, loop: str, level: str, stages, kinds, case_parts: str) -> None:
    at, bank = fixture_app
    at.selectbox(key="setup_loop").set_value(loop)
    at.selectbox(key="setup_level").set_value(level).run()
    assert at.radio(key="setup_mode").value == "full"  # a full loop is the default
    plan = " ".join(c.value for c in at.caption)
    assert "4 rounds in the order a real loop runs them" in plan and "minutes" in plan
    assert "Coding" in plan  # not offered: no coding round on this branch's fixture
    at.button(key="start").click().run()
    assert not at.exception
    for _ in range(30):
        if not at.chat_input:
            break
        at.chat_input(key="answer").set_value(answer_for(at, bank)).run()
        assert not at.exception
    texts = chat_texts(at)
    asked = [m.groups() for t in texts for m in re.finditer(r"Question (\d) of 4 — ([^.*]+)", t)]
    assert [int(n) for n, _ in asked] == [1, 2, 3, 4]
    assert all(title.startswith(stage) for stage, (_, title) in zip(stages, asked, strict=True)), asked
    assert any("Part 1 of 3" in t for t in texts) and any(case_parts in t for t in texts)
    assert any("Interview complete" in t for t in texts)
    state = at.session_state["interview"].state
    assert state.mode == "full" and [r.kind for r in state.records] == kinds
    assert all(r.status == "scored" for r in state.records), [(r.question_id, r.status) for r in state.records]
    report = next(e for e in at.expander if e.label.startswith("Full report"))
    body = " ".join(md.value for md in report.markdown)
    assert "### Part 1:" in body and "**Expected:**" in body and "Reference answer" in body
    assert at.get("vega_lite_chart")


def test_practise_one_round_in_the_app(fixture_app) -> None:
    at, bank = fixture_app
    at.selectbox(key="setup_level").set_value("junior")
    at.radio(key="setup_mode").set_value("round").run()
    stage_box = at.selectbox(key="setup_stage")
    assert stage_box.options == ["ML fundamentals and evaluation (2)", "Behavioral (1)"]
    stage_box.set_value("fundamentals").run()
    at.number_input(key="setup_round_n").set_value(2)
    at.button(key="start").click().run()
    assert any("Question 1 of 2 — ML fundamentals" in t for t in chat_texts(at))
    for _ in range(6):
        if not at.chat_input:
            break
        at.chat_input(key="answer").set_value(answer_for(at, bank)).run()
    state = at.session_state["interview"].state
    assert state.status == "finished" and [r.stage for r in state.records] == ["fundamentals", "fundamentals"]
