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
            st.toast("This interview changed in another tab: loaded the newer version and sent your input there.")
    raise RuntimeError("Your answer could not be saved because the interview keeps changing in another tab.")
