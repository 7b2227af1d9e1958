"""Voice mode on the real page: headless Chromium with a fake microphone that plays a WAV made by `interview speak`.
Record an answer, see the transcript, send it, get a score and the next question spoken."""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS, REPO
from tests.speech.conftest import wer
from tests.test_browser import CHROMIUM, streamlit_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WAIT = 180_000  # ms: a busy two-core machine transcribes and judges slowly
PLAYING = """a => new Promise((ok, fail) => {
    const t0 = Date.now();
    const check = () =>
        a.currentTime > 0.2 ? ok(true) : Date.now() - t0 > 30000 ? fail(new Error("silent")) : setTimeout(check, 200);
    check();
})"""
ANSWER = (
    "I would start with a time based split so nothing from the future leaks into training. Then a simple baseline, "
    "metrics that match the business goal, and a canary rollout with drift monitoring."
)


@pytest.fixture(scope="module")
def answer_wav(tmp_path_factory: pytest.TempPathFactory, speech_cache: Path) -> Path:
    path = tmp_path_factory.mktemp("mic") / "answer.wav"
    env = {**os.environ, "INTERVIEW_SPEECH_CACHE_DIR": str(speech_cache), "HF_HUB_OFFLINE": "1"}
    subprocess.run(
        [sys.executable, "-m", "interviewer", "speak", ANSWER, "--out", str(path)],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return path


@pytest.fixture(scope="module")
def voice_server(tmp_path_factory: pytest.TempPathFactory, shared_data_dir: Path, services, speech_cache: Path):  # noqa: ARG001
    extra = {
        "INTERVIEW_SPEECH_CACHE_DIR": str(speech_cache),
        "INTERVIEW_MAX_FOLLOWUPS": "0",  # the answer is scored at once and the next question follows
    }
    with streamlit_server(tmp_path_factory.mktemp("streamlit-voice"), shared_data_dir, extra) as url:
        yield url


def test_answer_by_voice_in_chromium_with_a_fake_microphone(voice_server: str, answer_wav: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with wave.open(str(answer_wav)) as w:
        seconds = w.getnframes() / w.getframerate()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={answer_wav}%noloop",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        context = browser.new_context(permissions=["microphone"], viewport={"width": 1280, "height": 1800})
        page = context.new_page()
        page.set_default_timeout(300_000)
        try:
            page.goto(voice_server)
            page.get_by_text("A quick mix").click()  # n questions across the loop (the default is a full loop)
            page.get_by_text("Voice mode").click()
            number = page.get_by_label("Number of questions")
            number.fill("2")
            number.press("Enter")
            page.get_by_role("button", name="Start interview").click()
            expect(page.get_by_text("Question 1 of 2")).to_be_visible(timeout=WAIT)
            question_audio = page.get_by_test_id("stAudio")
            expect(question_audio).to_be_attached(timeout=WAIT)
            first_src = question_audio.get_attribute("src")
            assert first_src and question_audio.get_attribute("autoplay") is not None
            question_audio.evaluate(PLAYING)  # autoplay: the question is heard without a click

            recorder = page.get_by_test_id("stAudioInput")
            recorder.get_by_role("button", name="Record").click()
            page.wait_for_timeout(int((seconds + 1.5) * 1000))
            recorder.get_by_role("button", name="Stop recording").click()

            transcript = page.get_by_role("textbox", name="Your answer as transcribed")
            expect(transcript).to_be_visible(timeout=WAIT)
            heard = transcript.input_value()
            # the whole answer, within ASR noise: a CPU-starved fake microphone once gave "the time base splits, oh,
            # nothing from the future..." (word error rate 0.2); quiet round trips measure 0.03
            assert wer([ANSWER], [heard]) <= 0.25 and "canary" in heard.lower(), heard
            page.get_by_role("button", name="Send answer").click()
            expect(page.get_by_text("Question 2 of 2")).to_be_visible(timeout=WAIT)
            expect(page.get_by_text("Score:").first).to_be_visible(timeout=WAIT)
            expect(page.get_by_text("Delivery of your last spoken answer")).to_be_visible(timeout=WAIT)
            next_audio = page.get_by_test_id("stAudio")
            expect(next_audio).to_be_attached(timeout=WAIT)
            assert next_audio.get_attribute("src") not in (None, first_src), "the next question has its own audio"
            next_audio.evaluate(PLAYING)
        finally:
            page.screenshot(path=str(ARTIFACTS / "browser-voice.png"), full_page=True)
            browser.close()
