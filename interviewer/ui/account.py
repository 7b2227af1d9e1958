"""The signed-in user of a browser session, their own store, and their interview in the URL.

Identity rules live in `interviewer.storage.identity`; this module only reads Streamlit's request context.
"""

from __future__ import annotations

import uuid
from typing import Any

import streamlit as st

from interviewer.interview.engine import Interview
from interviewer.storage.identity import AuthRequired, Identity, resolve_identity, startup_problem
from interviewer.storage.store import StaleSave, Store

URL_KEY = "session"


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises its own not-found error
        return False


def identity(settings: Any) -> Identity:
    """The user of this browser session; stops the page with what to do when there is none."""
    bind = st.get_option("server.address")
    oidc = _oidc_configured()
    problem = startup_problem(settings, bind, oidc)
    if problem:
        st.error(problem)
        st.stop()
    anonymous = st.session_state.setdefault("anonymous_id", uuid.uuid4().hex[:12])
    try:
        return resolve_identity(
            settings,
            bind_address=bind,
            user_info=st.user.to_dict() if oidc else None,
            oidc_configured=oidc,
            headers=dict(st.context.headers),
            client_ip=st.context.ip_address or "127.0.0.1",  # Streamlit reports loopback clients as None
            anonymous_id=anonymous,
        )
    except AuthRequired as err:
        st.warning(str(err))
        if oidc:
            st.button("Log in", on_click=st.login, key="login", type="primary")
        st.stop()
        raise  # not reached: st.stop() ends the script run


def restore_from_url(svc: Any, store: Store) -> None:
    """A refresh keeps the candidate in their interview: the session id in the URL, checked against the owner."""
    wanted = st.query_params.get(URL_KEY)
    if not wanted or wanted == st.session_state.get("url_session"):
        return  # nothing asked, or the id this page itself put there
    st.session_state.url_session = wanted
    state = store.load(wanted)
    if state is None:
        st.query_params.pop(URL_KEY, None)
        st.warning("That interview was not found among yours.")
        return
    st.session_state.interview = svc.interview(state)
    st.session_state.pending = []


def remember_in_url(interview: Interview | None) -> None:
    session_id = interview.state.id if interview is not None else None
    st.session_state.url_session = session_id
    if session_id is None:
        st.query_params.pop(URL_KEY, None)
    elif st.query_params.get(URL_KEY) != session_id:
        st.query_params[URL_KEY] = session_id


def respond(svc: Any, store: Store, text: str) -> list:
    """Send the candidate's input; if another tab moved the interview on, replay it on the newer state.

    Nothing the candidate typed is lost: a refused (stale) save reloads the stored interview and sends the
    same input again, at most three times, then says so."""
    interview: Interview = st.session_state.interview
    for _ in range(3):
        try:
            return interview.respond(text)
        except StaleSave:
            newer = store.load(interview.state.id)
            if newer is None:
                break
            interview = svc.interview(newer)
            st.session_state.interview = interview
            if interview.state.status == "finished":  # ended in another tab: nothing to send it to
                keep_unsent(interview.state.id, text)
                return []
            st.toast("This interview changed in another tab: loaded the newer version and sent your input there.")
    raise RuntimeError("Your answer could not be saved because the interview keeps changing in another tab.")


def keep_unsent(interview_id: str, text: str) -> None:
    """Keep text that reached a finished interview, to show it back (`show_unsent`) instead of dropping it."""
    if text.strip() and not text.lstrip().startswith("/"):  # a command to a finished interview has nothing to keep
        st.session_state.setdefault("unsent", {}).setdefault(interview_id, []).append(text)


def show_unsent(chat_key: str) -> None:
    """On a finished interview's page: the text that reached it after it ended, word for word, marked as not graded.

    Two ways get there: the interview was ended in another tab, or the candidate typed into the chat box that
    Streamlit keeps on screen until the run that ends the interview has drawn (that run has no box, so the text
    arrives as `chat_key`'s value in the next run, with no widget to read it)."""
    interview: Interview = st.session_state.interview
    text = st.session_state.get(chat_key)
    if isinstance(text, str):
        keep_unsent(interview.state.id, text)
    for unsent in st.session_state.get("unsent", {}).get(interview.state.id, []):
        st.warning("This arrived after the interview had ended, so it was not sent or graded. Your text is kept here:")
        st.code(unsent, language=None)
