"""A discreet caption under an interviewer message: which model worded it, or that the templates stood in."""

from __future__ import annotations

import streamlit as st

from interviewer.interview.provenance import worded_by
from interviewer.interview.state import Message
from interviewer.text.escaping import for_markdown


def caption(message: Message) -> None:
    line = worded_by(message)
    if line is not None:  # the note can hold a provider's error text: shown as text, never as Markdown
        st.caption(for_markdown(line), help="Who wrote this turn: the interviewer model, or the built-in templates.")
