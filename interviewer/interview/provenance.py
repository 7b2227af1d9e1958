"""Who worded each interviewer turn (the model that answered, or the templates) in words for the chat and report.

The engine records it on every interviewer message (`Message.source`, `Message.source_note`); a turn where the
model's reply was not used (a model error, or a guard rejecting it) says so on that very turn.
"""

from __future__ import annotations

from interviewer.interview.state import InterviewState, Message

TEMPLATE = "template"


def worded_by(message: Message) -> str | None:
    """'Worded by openai/x' / 'Template wording — the model's reply was not used: ...'; None when there is nothing
    to say (not an interviewer message, an interview stored before sources were kept, or a plain template turn)."""
    if message.role != "interviewer" or message.source is None:
        return None
    if message.source == TEMPLATE:
        if not message.source_note:
            return None
        return f"Template wording: the model's reply was not used ({message.source_note})"
    note = f" ({message.source_note})" if message.source_note else ""
    return f"Worded by {message.source}{note}"


def report_line(state: InterviewState, question_id: str) -> str | None:
    """For the report: who worded each interviewer turn of a question (plain text), when a model was involved."""
    turns = [m for m in state.messages if m.question_id == question_id and m.role == "interviewer" and m.source]
    if not any(m.source != TEMPLATE or m.source_note for m in turns):
        return None
    parts = []
    for m in turns:
        who = m.source if m.source != TEMPLATE else "template" + (f" ({m.source_note})" if m.source_note else "")
        parts.append(f"{m.kind}: {who}")
    return "; ".join(parts)
