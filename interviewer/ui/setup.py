"""The setup screen: which loop, which level, and what to practise: a full loop, one round, or a quick mix."""

from __future__ import annotations

from typing import Any

import streamlit as st

from interviewer.interview.engine import Interview
from interviewer.interview.policy import CODING, served_stages, stage_supply
from interviewer.knowledge.bank import LEVELS, QuestionBank
from interviewer.tailoring.session import start_tailored
from interviewer.ui import coding as coding_ui
from interviewer.ui import voice_mode
from interviewer.ui.tailoring import tailoring_inputs

MODES = {
    "full": "A full loop",
    "round": "Practise one round",
    "mix": "A quick mix",
}
# Rough minutes per question, by kind (a case: per phase), for the full-loop estimate.
MINUTES = {"open": 6, "numeric": 8, "behavioral": 7, "case": 5, "code": 25}


def estimate_minutes(bank: QuestionBank, loop: str, level: str, stages: list[str]) -> int:
    """About how long a full loop takes: a stage with a case at this level is asked as a case."""
    total = 0
    for stage in stages:
        if stage == CODING:
            total += MINUTES["code"]
            continue
        questions = bank.for_stage(loop, stage, level)
        cases = [q for q in questions if q.kind == "case"]
        if cases:
            total += MINUTES["case"] * max(len(q.phases) for q in cases)
        else:
            kinds = [q.kind for q in questions]
            total += MINUTES[max(set(kinds), key=kinds.count)] if kinds else 0
    return total


def setup_screen(svc: Any) -> None:
    settings = svc.settings
    bank: QuestionBank = svc.bank
    st.title("Mock interview practice")
    st.caption("ML engineer and LLM engineer loops, scored against a rubric grounded in a role corpus.")
    loop = st.selectbox("Interview loop", ["mle", "llm"], format_func=lambda x: bank.loops[x].title, key="setup_loop")
    level = st.selectbox("Level", list(LEVELS), index=1, key="setup_level")
    mode = st.radio("What to practise", list(MODES), format_func=MODES.get, key="setup_mode", horizontal=True)
    exercises = svc.exercises.items if Interview.coding_round else []
    stages = served_stages(bank, loop, level, exercises)
    titles = bank.loops[loop].stages
    stage = None
    if mode == "full":
        n = max(1, len(stages))
        minutes = estimate_minutes(bank, loop, level, stages)
        st.caption(
            f"{len(stages)} rounds in the order a real loop runs them, one question each "
            f"(about {minutes} minutes): " + " → ".join(titles[s] for s in stages)
        )
        left_out = [titles[s] for s in titles if s not in stages]
        if left_out:
            st.caption(f"Not in a {level} loop here (not at this level, or no questions yet): " + ", ".join(left_out))
    elif mode == "round":
        if not stages:
            st.warning("No round has questions at this level.")
            return
        stage = st.selectbox(
            "Round",
            stages,
            format_func=lambda s: f"{titles[s]} ({stage_supply(bank, loop, s, level, exercises)})",
            key="setup_stage",
        )
        most = max(1, stage_supply(bank, loop, stage, level, exercises))
        n = st.number_input("Number of questions", 1, most, min(most, settings.default_questions), key="setup_round_n")
    else:
        n = st.number_input("Number of questions", 1, 20, settings.default_questions, key="setup_n")
    feedback = st.radio(
        "Feedback",
        ["each", "end"],
        index=["each", "end"].index(settings.feedback),
        key="setup_feedback",
        horizontal=True,
        format_func=lambda x: "after each answer" if x == "each" else "only at the end",
    )
    coding = coding_ui.setup_toggle(bank, svc.coder, loop, level) if mode != "round" else stage == CODING
    voice = voice_mode.setup_toggle(settings)
    counts = bank.stage_counts(loop, level)
    st.caption("Questions per stage at this level: " + ", ".join(f"{titles[s]} ({c})" for s, c in counts.items() if c))
    tailored = tailoring_inputs(svc, loop, level, int(n))
    if st.button("Start interview", key="start", type="primary", disabled=not stages):
        user = st.session_state.identity.user
        if tailored is not None:  # a job posting (and résumé) picks the questions
            interview = start_tailored(svc, loop, level, int(n), feedback, user, **tailored.kwargs())
        else:
            interview = svc.new_interview(
                loop, level, int(n), feedback, mode=mode, stage=stage, owner=user, coding=coding
            )
        interview.state.voice_mode = voice
        st.session_state.interview = interview
        st.session_state.pending = interview.start()
        st.rerun()
    store = svc.store.scoped(st.session_state.identity.user)  # only this user's interviews
    unfinished = [r for r in store.list(20) if r["status"] == "active"]
    if unfinished:
        st.subheader("Resume an unfinished interview")
        for row in unfinished[:5]:
            if st.button(f"Resume {row['loop']} / {row['level']} ({row['id']})", key=f"resume_{row['id']}"):
                state = store.load(row["id"])
                if state is not None:
                    st.session_state.interview = svc.interview(state)
                    st.session_state.pending = []
                    st.rerun()
