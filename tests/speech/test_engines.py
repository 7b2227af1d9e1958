"""Voice engines offline: pinned weights, decoding every format, delivery measures, and the CLI contract."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.speech.conftest import encode, with_silence

ANSWER = "I would use a time based split so that no information from the future leaks into training."


# -- weights ---------------------------------------------------------------------------------------------------
def test_model_bin_is_assembled_once_verified_and_repaired(speech_cache: Path) -> None:
    from interviewer.speech import models

    target = models.whisper_model_dir(speech_cache)
    model = target / "model.bin"
    assert models.sha256_file(model) == models.WHISPER_FILES["model.bin"]
    assert not str(target).startswith(str(Path(models.__file__).parents[2] / ".venv"))
    stamp = model.stat().st_mtime_ns
    assert models.whisper_model_dir(speech_cache) == target and model.stat().st_mtime_ns == stamp  # not rebuilt
    with model.open("ab") as fh:  # damage the cached copy: it is rebuilt from the packages, never loaded
        fh.write(b"tampered")
    models.whisper_model_dir(speech_cache)
    assert models.sha256_file(model) == models.WHISPER_FILES["model.bin"]


def test_weights_that_differ_from_the_pinned_hash_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from interviewer.speech import models
    from interviewer.speech.errors import WeightsMismatch

    monkeypatch.setitem(models.WHISPER_FILES, "model.bin", "0" * 64)
    with pytest.raises(WeightsMismatch, match="refusing to load"):
        models.whisper_model_dir(tmp_path)
    assert not list(tmp_path.rglob("model.bin*")), "a rejected model.bin must not stay in the cache"
    monkeypatch.setitem(models.PIPER_FILES, "en_US-joe-medium.onnx", "1" * 64)
    with pytest.raises(WeightsMismatch, match="en_US-joe-medium.onnx has sha256 58afce03"):
        models.piper_voice_paths(tmp_path)


def test_a_refused_piper_voice_falls_back_to_espeak_with_a_note(
    monkeypatch: pytest.MonkeyPatch, speech_settings
) -> None:
    from interviewer.speech import models, tts

    monkeypatch.setitem(models.PIPER_FILES, "en_US-joe-medium.onnx", "1" * 64)
    tts._local.cache_clear()
    try:
        speech = tts.speak("Tell me about a model you shipped.", speech_settings)
    finally:
        tts._local.cache_clear()
    assert speech.engine.startswith("espeak-ng")
    assert any("piper voice is unavailable" in n and "sha256" in n for n in speech.notes)
    with wave.open(io.BytesIO(speech.wav)) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1 and w.getnframes() > 8000


# -- decoding ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["mp3", "m4a", "ogg", "webm"])
def test_every_container_decodes_to_the_same_length(fmt: str, spoken, tmp_path: Path) -> None:
    from interviewer.speech.audio import decode

    wav = spoken(ANSWER)
    reference = decode(wav).duration_s
    decoded = decode(encode(wav, fmt, tmp_path / f"answer.{fmt}"))
    assert abs(decoded.duration_s - reference) < 0.2 and not decoded.silent


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"name,score\nann,3\n" * 200, "not audio"),
        (bytes(range(256)) * 200, "not audio"),
    ],
)
def test_what_is_not_audio_is_refused_in_one_line(content: bytes, message: str, tmp_path: Path) -> None:
    from interviewer.speech.audio import decode
    from interviewer.speech.errors import NotAudio

    path = tmp_path / "answer.wav"
    path.write_bytes(content)
    for source in (path, content):
        if source == b"":
            with pytest.raises(NotAudio, match="empty"):
                decode(source)
            continue
        with pytest.raises(NotAudio, match=message) as err:
            decode(source)
        assert "\n" not in str(err.value)


def test_a_long_recording_is_cut_at_the_limit_and_says_so(spoken) -> None:
    from interviewer.speech.audio import decode

    ten_minutes = with_silence(spoken(ANSWER), 600)
    audio = decode(ten_minutes, max_seconds=300)
    assert audio.truncated and audio.used_s == 300 and audio.duration_s > 600


# -- delivery ----------------------------------------------------------------------------------------------------
def test_fillers_are_counted_only_where_they_are_fillers() -> None:
    from interviewer.speech.delivery import count_fillers, tokens_of

    text = (
        "Um, I think, uh, the model is, like, slow. Umm, you know, it is basically a cache. Models like BERT "
        "would like more data, and do you know why? I mean, actually, I mean the encoder."
    )
    counts = count_fillers(tokens_of(text))
    assert counts["um"] == 2 and counts["uh"] == 1 and counts["like"] == 1
    assert counts["you know"] == 1 and counts["basically"] == 1 and counts["i mean"] == 1 and counts["actually"] == 1


def test_pace_pauses_length_and_leading_with_the_point() -> None:
    from interviewer.speech.delivery import assess, feedback, led_with_point
    from interviewer.speech.stt import Word

    words = [Word(word=w, start=i * 0.5, end=i * 0.5 + 0.4) for i, w in enumerate("one two three four".split())]
    words += [Word(word="five.", start=5.0, end=5.4)]  # 3.1 s after "four"
    d = assess("one two three four five.", words, 8.0, reference_answer=" ".join(["w"] * 100), evidence=[])
    assert d.words == 5 and d.speaking_s == 5.4 and d.words_per_minute == pytest.approx(5 / 5.4 * 60, abs=0.1)
    assert d.pauses_over_2s == 1 and d.longest_pause_s == 3.1 and d.length == "short"
    assert any("pause" in line for line in feedback(d))
    answer = "Use a time based split. It avoids leakage. Then a baseline. Then metrics. Then a canary rollout."
    assert led_with_point(answer, ["time based split"]) is True
    assert led_with_point(answer, ["a canary rollout"]) is False
    assert led_with_point(answer, []) is None


def test_delivery_history_charts_spoken_sessions_only(tmp_path: Path) -> None:
    from interviewer.interview.state import InterviewState, QuestionRecord
    from interviewer.speech.delivery import assess
    from interviewer.storage.store import Store

    store = Store(tmp_path / "db.sqlite3")
    typed = InterviewState(loop="mle", level="mid", n_questions=1)
    typed.records.append(QuestionRecord(question_id="mle-x-01", stage="s", difficulty=2, answers=["typed"]))
    voiced = InterviewState(loop="mle", level="mid", n_questions=1, voice_mode=True)
    record = QuestionRecord(question_id="mle-x-02", stage="s", difficulty=2, answers=["um so yes"])
    record.deliveries.append(assess("Um, so yes.", [], 2.0))
    voiced.records.append(record)
    store.save(typed)
    store.save(voiced)
    rows = store.delivery_history()
    assert len(rows) == 1 and rows[0]["answers"] == 1 and rows[0]["fillers_per_minute"] == 30.0
    assert store.load(voiced.id).records[0].deliveries[0].filler_words["um"] == 1


# -- the CLI contract --------------------------------------------------------------------------------------------
def test_speak_writes_16_bit_pcm_wav(speech_settings, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:  # noqa: ARG001
    from interviewer.cli import main

    out = tmp_path / "q.wav"
    assert main(["speak", "**Question 1 of 3.** How would you split the data?", "--out", str(out)]) == 0
    with wave.open(str(out)) as w:
        assert w.getsampwidth() == 2 and w.getcomptype() == "NONE" and w.getnframes() / w.getframerate() > 1.5
    assert main(["speak", "  ", "--out", str(tmp_path / "none.wav")]) == 2
    assert "no text to speak" in capsys.readouterr().err


def test_transcribe_json_has_exactly_the_contract_keys(
    speech_settings,  # noqa: ARG001
    spoken,
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
) -> None:
    from interviewer.cli import main

    path = tmp_path / "answer.mp3"
    encode(with_silence(spoken("Um, I would split by time."), 2.6, spoken("Uh, then a baseline.")), "mp3", path)
    capsys.readouterr()
    assert main(["transcribe", str(path), "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert list(data) == ["text", "duration_s", "words_per_minute", "filler_words", "pauses_over_2s", "words"]
    assert "split by time" in data["text"].lower() and data["duration_s"] > 4
    assert data["filler_words"]["um"] + data["filler_words"]["uh"] >= 1
    assert data["pauses_over_2s"] == 1 and 60 < data["words_per_minute"] < 400
    assert all(list(w) == ["word", "start", "end"] and w["end"] >= w["start"] for w in data["words"])
    assert out.count("\n") == 1


def test_transcribe_silence_gives_empty_text_and_a_message(
    speech_settings,  # noqa: ARG001
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
) -> None:
    import numpy as np

    from interviewer.cli import main
    from interviewer.speech.audio import wav_bytes

    path = tmp_path / "silence.wav"
    path.write_bytes(wav_bytes(np.zeros(16000 * 4, dtype=np.float32), 16000))
    assert main(["transcribe", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["text"] == "" and "No speech was detected" in captured.err


def test_transcribe_a_file_that_is_not_audio_exits_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.ogg"
    path.write_text("this is a text file, not a recording\n" * 20)
    result = subprocess.run(
        [sys.executable, "-m", "interviewer", "transcribe", str(path), "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"},
    )
    assert result.returncode == 2 and result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("error:") and "not audio" in lines[-1] and "Traceback" not in result.stderr


def test_non_english_answer_is_transcribed_in_its_language_with_a_note(speech_settings, tmp_path: Path) -> None:
    from interviewer.speech.stt import transcribe

    path = tmp_path / "de.wav"
    text = "Ich würde mit den Daten anfangen und dann ein einfaches Modell trainieren."
    subprocess.run(["espeak-ng", "-v", "de", "-w", str(path), text], check=True, timeout=60)
    result = transcribe(path, speech_settings)
    assert result.language == "de" and "Daten" in result.text
    assert any("German" in n and "not English" in n for n in result.notes)
