"""One spoken turn through the engine: the (edited) transcript is the answer; delivery is measured and stored.

UI-free, so the app, tests and benchmarks share it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from interviewer.interview.state import Message
from interviewer.speech.delivery import assess

if TYPE_CHECKING:
    from interviewer.interview.engine import Interview
    from interviewer.speech.stt import Transcript


def reference_words(interview: Interview, question_id: str) -> str | None:
    """The question's reference answer at this level (the expected length of a full answer)."""
    question = interview.bank.questions.get(question_id)
    if question is None:
        return None
    by_level = getattr(question, "reference_for", None)
    return by_level(interview.state.level) if callable(by_level) else question.reference_answer


def send_spoken_answer(interview: Interview, text: str, transcript: Transcript) -> list[Message]:
    """Answer the open question with `text` (the transcript as the candidate left it) and store its delivery.

    The transcript's notes (another language, a cut recording) are kept in the conversation as notices."""
    state = interview.state
    record = state.current
    for note in transcript.notes:
        state.messages.append(
            Message(role="system", kind="notice", text=note, question_id=record.question_id if record else None)
        )
    index = len(record.answers) if record is not None else 0
    out = interview.respond(text)
    if record is None or len(record.answers) != index + 1:
        return out  # not taken as an answer (e.g. a judge error was pending): nothing to measure
    verdict = record.verdict
    evidence = (
        [kp.evidence for kp in verdict.key_points if kp.status != "missed" and kp.evidence]
        if verdict is not None and verdict.ok
        else None
    )
    record.deliveries.append(
        assess(
            text,
            transcript.words,
            transcript.duration_s,
            reference_answer=reference_words(interview, record.question_id),
            evidence=evidence,
            engine=transcript.engine,
            language=transcript.language,
            edited=" ".join(text.split()) != " ".join(transcript.text.split()),
            answer_index=index,
        )
    )
    interview.on_change(state)
    return out
