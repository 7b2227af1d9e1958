"""Streamlit UI glue: setup, chat, report and history. All logic lives in the `interviewer` package."""

from __future__ import annotations

import logging
import time

import altair as alt
import streamlit as st

from interviewer.config import get_settings
from interviewer.interview.report import markdown_report
from interviewer.interview.state import Message
from interviewer.services import Services, build_services
from interviewer.storage.store import StaleSave, Store, export_json
from interviewer.tailoring.session import bank_with
from interviewer.text.escaping import for_markdown
from interviewer.ui import account, provenance, voice_mode
from interviewer.ui import coding as coding_ui
from interviewer.ui.setup import setup_screen
from interviewer.ui.tailoring import why_panel

st.set_page_config(
    page_title="Mock interview: ML & LLM engineer", page_icon=":material/record_voice_over:", layout="centered"
)
if st.get_option("runner.fastReruns"):  # two runs of one session would change one interview at once
    logging.getLogger("interviewer").warning("runner.fastReruns is on: set it to false (see .streamlit/config.toml)")


@st.cache_resource(show_spinner="Loading the embedding model and the corpus index…")
def services() -> Services:
    return build_services(get_settings(), index=True)


@st.cache_resource(show_spinner="Checking the configured models…")
def model_problems(_settings: object) -> list[str]:
    """Checked once per process: a bad key or an unreachable model server is said up front, in the sidebar."""
    from interviewer.llm.preflight import check_models

    return check_models(_settings)


def store(svc: Services) -> Store:
    """The database as the signed-in user sees it: only their own interviews."""
    return svc.store.scoped(st.session_state.identity.user)


def render(message: Message, stream: bool = False, answered: bool = True) -> None:
    """One chat message. `answered` is False for the question still open: its passages stay closed until then."""
    # Material icons ship with Streamlit's own font; emoji need a colour-emoji font the machine may lack.
    avatar = {
        "interviewer": ":material/record_voice_over:",
        "candidate": ":material/person:",
        "system": ":material/info:",
    }[message.role]
    role = "user" if message.role == "candidate" else "assistant"
    with st.chat_message(role, avatar=avatar):
        if message.kind == "error":
            st.error(message.text)
        elif message.kind == "notice":
            st.info(message.text)
        elif stream:
            st.write_stream(message.pieces())
        elif message.role == "candidate":
            st.markdown(for_markdown(message.text))  # shown exactly as typed: no links, images or HTML
        else:
            st.markdown(message.text)
        provenance.caption(message)
        if message.passages:
            with st.expander("Why this question"):
                if answered:
                    for p in message.passages:
                        st.caption(f"{p.title} § {p.section} [{p.chunk_id}]")
                        st.write(p.text)
                else:
                    sources = dict.fromkeys(f"{p.title} § {p.section}" for p in message.passages)
                    st.caption("Grounded in the corpus: " + "; ".join(sources))
                    st.caption("The passages open here once you have answered, so they cannot give the answer away.")
        if message.verdict is not None and message.verdict.meta is not None:
            meta = message.verdict.meta
            st.caption(f"Scored by the {meta.judge} judge" + (f" ({meta.model})" if meta.judge != "offline" else ""))
        if message.verdict is not None and message.verdict.ok and message.verdict.missed:
            with st.expander("Passages to study"):
                for missed in message.verdict.missed:
                    for p in missed.passages:
                        st.caption(f"{p.title} § {p.section} [{p.chunk_id}]")
                        st.write(p.text)


def chat_screen(svc: Services) -> None:
    interview = st.session_state.interview
    state = interview.state
    st.title(f"{svc.bank.loops[state.loop].title} — {state.level}")
    why_panel(state)
    pending = st.session_state.get("pending", [])
    pending_ids = {id(m) for m in pending}
    open_id = state.current.question_id if state.status == "active" and state.current else None
    for message in state.messages:
        answered = message.kind != "question" or message.question_id != open_id
        render(message, stream=id(message) in pending_ids, answered=answered)
    if state.voice_mode:
        voice_mode.speak_question(state, autoplay=bool(pending))
        voice_mode.delivery_panel(state)
    if pending:
        try:
            store(svc).save(state)  # streamed text is final now
        except StaleSave:
            newer = store(svc).load(state.id)
            if newer is not None:
                st.session_state.interview = svc.interview(newer)
                st.toast("This interview changed in another tab: showing the newer version.")
                st.rerun()
        st.session_state.pending = []
    ran = coding_ui.panel(interview)  # the editor, only while a coding question is open
    if ran:
        st.session_state.pending = ran
        st.rerun()
    if state.status == "active":
        if failed := st.session_state.pop("respond_error", None):
            st.error(f"{failed[0]} Your input is kept here:")
            st.code(failed[1], language=None)
        cols = st.columns(3)
        command = None
        if cols[0].button("Skip question", key="btn_skip"):
            command = "/skip"
        if state.current is not None and state.current.status == "judge_error":
            if cols[1].button("Retry scoring", key="btn_retry", type="primary"):
                command = "/retry"
        elif state.feedback_mode == "each" and cols[1].button("Why that score?", key="btn_why"):
            command = "/why"  # with feedback at the end, scores stay hidden until then
        if cols[2].button("End interview", key="btn_end"):
            command = "/end"
        # A message sent from the box is read before the box is drawn, so the box is drawn disabled while it is
        # handled: Streamlit keeps only the last of two messages sent while a run is busy (a slow LLM judge).
        sent = st.session_state.get("answer")
        text = command or (sent if isinstance(sent, str) else None)
        st.chat_input("Your answer (or /skip, /repeat, /why, /end)", key="answer", disabled=text is not None)
        if state.voice_mode and text is None:
            voice_mode.answer_panel(interview)
        if text is not None:
            try:
                st.session_state.pending = account.respond(svc, store(svc), text)
            except RuntimeError as err:  # shown on the next run, which draws the box enabled again
                st.session_state.respond_error = (str(err), text)
            st.rerun()
    else:
        account.show_unsent("answer")
        report_section(svc)


def report_section(svc: Services) -> None:
    state = st.session_state.interview.state
    st.divider()
    stage_scores = state.stage_scores()
    if stage_scores:
        st.subheader("Scores by stage")
        names = svc.bank.loops[state.loop].stages
        st.bar_chart({names.get(s, s): v for s, v in stage_scores.items()}, y_label="score (1-5)")
    if state.fixed_questions:
        attempts = store(svc).attempts(state.fixed_questions[0])
        if len(attempts) > 1:
            st.subheader("Your attempts at this question")
            first, last = attempts[0]["score"], attempts[-1]["score"]
            st.metric("Latest score", f"{last:.1f}", delta=f"{last - first:+.1f} since the first attempt")
            st.line_chart([a["score"] for a in attempts], y_label="score", x_label="attempt")
    report = markdown_report(state, st.session_state.interview.bank, svc.cited_passages)
    with st.expander("Full report: answers, key points, reference answers, passages to read", expanded=True):
        st.markdown(report)
    st.subheader("Practice again")
    for record in state.records:
        q = svc.bank.questions.get(record.question_id)
        score = f"{record.score:.1f}" if record.score is not None else record.status
        if q is not None and st.button(f"Retry ({score}): {q.question[:90]}…", key=f"again_{record.question_id}"):
            again = svc.practice_again(
                record.question_id, state.level, retry_of=state.id, owner=st.session_state.identity.user
            )
            st.session_state.interview = again
            st.session_state.pending = again.start()
            st.rerun()
    c1, c2, c3 = st.columns(3)
    c1.download_button("Download report (.md)", report, f"interview-{state.id}.md", key="dl_md")
    c2.download_button("Download data (.json)", export_json(state), f"interview-{state.id}.json", key="dl_json")
    if c3.button("New interview", key="new"):
        del st.session_state["interview"]
        account.remember_in_url(None)
        st.rerun()


def session_label(svc: Services, row: dict) -> str:
    """A session as a person recognises it: when, which loop and level, how it went."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(row["started_at"]))
    score = f"{row['overall_score']:.1f}/5" if row["overall_score"] is not None else row["status"]
    return f"{when} · {svc.bank.loops[row['loop']].title} · {row['level']} · {score}"


def history_screen(svc: Services) -> None:
    st.title("History")
    rows = store(svc).list()
    if not rows:
        st.info("No interviews yet.")
        return
    progress = store(svc).stage_history()
    if progress:
        st.subheader("Progress by stage")
        chart = (
            alt.Chart(alt.Data(values=[{**p, "when": p["started_at"] * 1000} for p in progress]))
            .mark_line(point=True)
            .encode(
                x=alt.X("when:T", title="session"),
                y=alt.Y("score:Q", scale=alt.Scale(domain=[1, 5])),
                color="stage:N",
                strokeDash="loop:N",
            )
        )
        st.altair_chart(chart, key="progress_chart")
    voice_mode.history_chart(svc.store)
    table = [
        {
            "started": time.strftime("%Y-%m-%d %H:%M", time.localtime(r["started_at"])),
            "loop": r["loop"],
            "level": r["level"],
            "status": r["status"],
            "score": r["overall_score"],
            "id": r["id"],
        }
        for r in rows
    ]
    st.dataframe(table, key="history_table", hide_index=True)
    labels = {r["id"]: session_label(svc, r) for r in rows}
    choice = st.selectbox("Open a session", list(labels), format_func=labels.get, key="history_pick")
    state = store(svc).load(choice) if choice else None
    if state is not None:
        if state.status == "active" and st.button("Resume this interview", key="history_resume"):
            st.session_state.interview = svc.interview(state)
            st.session_state.pending = []
            st.session_state.nav_target = "Interview"
            st.rerun()
        st.markdown(markdown_report(state, bank_with(svc.bank, state.extra_questions), svc.cited_passages))
        if st.button("Delete this session", key="history_delete"):
            store(svc).delete(choice)
            st.rerun()
    with st.expander("Delete all history"):
        sure = st.checkbox("Yes, delete every stored interview", key="history_confirm_all")
        if st.button("Delete all", key="history_delete_all", disabled=not sure):
            store(svc).delete()
            st.rerun()


def stats_screen(svc: Services) -> None:
    st.title("Statistics (all users)")
    st.caption("Counts and mean scores only: no answers, no names.")
    stats = svc.store.aggregate()
    st.metric("Users", stats["users"])
    st.write({"sessions by status": stats["sessions"]})
    st.dataframe([{"stage": k, **v} for k, v in sorted(stats["stages"].items())], hide_index=True, key="stats_table")


def main() -> None:
    svc = services()
    settings = svc.settings
    st.session_state.identity = account.identity(settings)
    account.restore_from_url(svc, store(svc))
    if svc.coder is None:  # where candidates' code may run depends on this server's address
        svc.coder = coding_ui.runner(settings)
    if "nav_target" in st.session_state:  # a button asked to switch views before the radio is drawn
        st.session_state.nav = st.session_state.pop("nav_target")
    with st.sidebar:
        views = ["Interview", "History"] + (["Statistics"] if st.session_state.identity.is_admin else [])
        view = st.radio("View", views, key="nav")
        if st.session_state.identity.source != "local":
            st.caption(f"Signed in as {st.session_state.identity.user}")
        interviewer = "templates (offline)" if settings.offline_interviewer else settings.interviewer_model
        judge = "offline judge" if settings.offline_judge else settings.judge_model
        if settings.offline_interviewer and settings.offline_judge:
            st.info(
                "Offline mode: template interviewer and the offline judge. To use a model, set e.g. "
                "`INTERVIEW_INTERVIEWER_MODEL=openai/gpt-4o-mini` and `INTERVIEW_JUDGE_MODEL=openai/gpt-4o-mini` "
                "(with `OPENAI_API_KEY`), or `ollama/llama3.1`. See the README."
            )
        else:
            st.caption(f"Interviewer: {interviewer} · judge: {judge}")
        for problem in model_problems(settings):
            st.error(problem)
        if store(svc).recovered_from:
            st.warning(store(svc).recovered_from)
    if view == "History":
        history_screen(svc)
    elif view == "Statistics":
        stats_screen(svc)
    elif "interview" in st.session_state:
        account.remember_in_url(st.session_state.interview)
        chat_screen(svc)
    else:
        account.remember_in_url(None)
        setup_screen(svc)


main()
