"""Voice mode in the Streamlit app: the question is spoken (autoplay, replayable, text still shown), the answer is
recorded with `st.audio_input`, transcribed, shown for editing, and sent; delivery is shown per answer and over
sessions in History.

A recording is written to `<data_dir>/recordings/<session>/` as soon as it arrives and deleted only once its answer
is sent (or the candidate discards it), so a failed transcription or a page reload loses nothing. Every failure is
shown with the way forward: transcribe again, or type the answer in the chat box, which always stays available.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import altair as alt
import streamlit as st

from interviewer.config import Settings, get_settings
from interviewer.interview.state import InterviewState
from interviewer.speech.delivery import feedback, measure
from interviewer.speech.stt import remote_model

_warm_lock = threading.Lock()
_warming: set[tuple] = set()


def setup_toggle(settings: Settings) -> bool:
    where = (
        f"speech goes to {settings.stt_model}"
        if remote_model(settings.stt_model)
        else "speech is processed on this machine"
    )
    return st.toggle(
        "Voice mode: the interviewer speaks, you answer with your microphone",
        key="setup_voice",
        help=f"Questions are read aloud; you record each answer, check the transcript, then send it ({where}).",
    )


@st.cache_data(max_entries=256, show_spinner=False)
def _spoken(text: str, tts_model: str | None, tts_voice: str, _settings: Settings) -> tuple[bytes, list[str]]:
    from interviewer.speech.tts import speak

    speech = speak(text, _settings)
    return speech.wav, speech.notes


def _warm_transcriber(settings: Settings) -> None:
    """Load the speech-to-text model while the candidate listens, so the first answer does not wait for it."""
    key = (settings.stt_model, settings.speech_cache_dir)
    with _warm_lock:
        if key in _warming or remote_model(settings.stt_model):
            return
        _warming.add(key)
    from interviewer.speech.stt import get_transcriber

    def warm() -> None:
        try:
            get_transcriber(settings)
        except Exception:  # noqa: BLE001 - the failure is reported when an answer is transcribed
            _warming.discard(key)

    threading.Thread(target=warm, name="warm-stt").start()


def speak_question(state: InterviewState, autoplay: bool) -> None:
    """The open question (or follow-up) read aloud; autoplay only when it was just asked."""
    settings = get_settings()
    _warm_transcriber(settings)
    prompt = next((m for m in reversed(state.messages) if m.kind in ("question", "followup")), None)
    if prompt is None or not prompt.text.strip() or state.status != "active":
        return
    try:
        wav, notes = _spoken(prompt.text, settings.tts_model, settings.tts_voice, settings)
    except Exception as err:  # noqa: BLE001 - SpeechError, LLMError: shown, and the text is there to read
        st.warning(f"The question could not be spoken: {err} It is shown above; answer by voice or in writing.")
        return
    for note in notes:
        st.caption(note)
    st.caption(":material/volume_up: The question, read aloud (play it again here):")
    st.audio(wav, format="audio/wav", autoplay=autoplay)


def _recordings(settings: Settings, session_id: str) -> Path:
    return settings.data_dir / "recordings" / session_id


def _transcribe(settings: Settings, path: Path, digest: str) -> dict[str, Any]:
    from interviewer.speech.stt import transcribe

    try:
        with st.spinner("Transcribing your answer…"):
            return {"digest": digest, "path": path, "transcript": transcribe(path, settings), "error": None}
    except Exception as err:  # noqa: BLE001 - NotAudio, SpeechError, LLMError and the unexpected: all shown
        message = str(err) if type(err).__module__.startswith("interviewer") else f"{type(err).__name__}: {err}"
        return {"digest": digest, "path": path, "transcript": None, "error": f"Transcription failed: {message}"}


def _forget(slot_files: list[Path], *keys: str) -> None:
    for path in slot_files:
        path.unlink(missing_ok=True)
    for key in keys:
        st.session_state.pop(key, None)


def answer_panel(interview: Any) -> None:
    """Record, check and send a spoken answer to the open question."""
    from interviewer.interview.spoken_turn import send_spoken_answer

    settings = get_settings()
    state = interview.state
    record = state.current
    if record is None or record.status == "judge_error":
        return
    slot = f"{len(state.records)}-{len(record.answers)}"
    take_key, result_key = f"voice_take_{state.id}_{slot}", f"voice_result_{state.id}_{slot}"
    folder = _recordings(settings, state.id)
    kept = sorted(folder.glob(f"{slot}-*.wav")) if folder.is_dir() else []
    recording = st.audio_input(
        "Record your answer; stop to see the transcript",
        key=f"voice_rec_{state.id}_{slot}_{st.session_state.get(take_key, 0)}",
    )
    if recording is not None:
        data = recording.getvalue()
        digest = hashlib.sha256(data).hexdigest()[:16]
        current = st.session_state.get(result_key)
        if current is None or current["digest"] != digest:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{slot}-{digest}.wav"
            path.write_bytes(data)  # kept until the answer is sent
            st.session_state[result_key] = _transcribe(settings, path, digest)
    elif kept and result_key not in st.session_state:
        st.info("A recording of yours for this question was not sent yet.")
        st.audio(kept[-1].read_bytes(), format="audio/wav")
        if st.button("Transcribe it", key=f"voice_kept_{state.id}_{slot}"):
            st.session_state[result_key] = _transcribe(settings, kept[-1], kept[-1].stem.split("-")[-1])
            st.rerun()
    result = st.session_state.get(result_key)
    if result is None:
        st.caption("Or type your answer in the box at the bottom.")
        return
    if result["error"]:
        st.error(f"{result['error']} Your recording is kept: transcribe it again, or type your answer below.")
        if Path(result["path"]).is_file():
            st.audio(Path(result["path"]).read_bytes(), format="audio/wav")
            if st.button("Transcribe again", key=f"voice_again_{state.id}_{slot}"):
                st.session_state[result_key] = _transcribe(settings, Path(result["path"]), result["digest"])
                st.rerun()
        return
    transcript = result["transcript"]
    for note in transcript.notes:
        st.info(note)
    if not transcript.text:
        st.caption("Record again, or type your answer below.")
        return
    text = st.text_area(
        "Your answer as transcribed: correct any misheard word, then send it",
        value=transcript.text,
        key=f"voice_text_{state.id}_{slot}_{result['digest']}",
        height=160,
    )
    numbers = measure(transcript.text, transcript.words, transcript.duration_s)
    c1, c2, c3 = st.columns(3)
    c1.metric("Pace", f"{numbers['words_per_minute']:.0f} wpm")
    c2.metric("Filler words", sum(numbers["filler_words"].values()))
    c3.metric("Pauses over 2 s", numbers["pauses_over_2s"])
    send, again = st.columns(2)
    if send.button("Send answer", type="primary", key=f"voice_send_{state.id}_{slot}"):
        if not text.strip():
            st.warning("The transcript is empty: record again, or type your answer below.")
            return
        pending = send_spoken_answer(interview, text, transcript)
        _forget([*kept, Path(result["path"])], result_key)
        st.session_state.pending = pending
        st.rerun()
    if again.button("Discard and record again", key=f"voice_discard_{state.id}_{slot}"):
        _forget([*kept, Path(result["path"])], result_key)
        st.session_state[take_key] = st.session_state.get(take_key, 0) + 1
        st.rerun()


def delivery_panel(state: InterviewState) -> None:
    """Delivery of the latest spoken answer: the numbers and what to work on."""
    spoken = [(r, d) for r in state.records for d in r.deliveries]
    if not spoken:
        return
    _, latest = spoken[-1]
    with st.expander("Delivery of your last spoken answer", expanded=True):
        c1, c2, c3, c4 = st.columns(4)
        c1.metric("Pace", f"{latest.words_per_minute:.0f} wpm")
        c2.metric("Fillers / min", f"{latest.fillers_per_minute:.1f}")
        c3.metric("Pauses over 2 s", latest.pauses_over_2s)
        c4.metric("Length", latest.length or f"{latest.words} words")
        for line in feedback(latest):
            st.markdown(f"- {line}")


def history_chart(store: Any) -> None:
    """Pace and fillers per session across voice interviews."""
    rows = store.delivery_history()
    if not rows:
        return
    st.subheader("Delivery in voice interviews")
    values = [
        {"when": r["started_at"] * 1000, "metric": name, "value": r[key]}
        for r in rows
        for key, name in (("words_per_minute", "words per minute"), ("fillers_per_minute", "fillers per minute"))
    ]
    base = alt.Chart(alt.Data(values=values)).mark_line(point=True)
    chart = (
        base.encode(x=alt.X("when:T", title="session"), y=alt.Y("value:Q", title=None), color="metric:N")
        .facet(row=alt.Row("metric:N", title=None))
        .resolve_scale(y="independent")
    )
    st.altair_chart(chart, key="delivery_chart")
