"""The real page: `streamlit run app.py` on a free loopback port, driven in Debian's headless Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS, REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ANSWER = (
    "I would use a time-based split to avoid leakage, a baseline first, metrics tied to the business goal, "
    "a canary rollout with drift monitoring, and the model registry so rollback is quick."
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(tmp_path: Path, data_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """`streamlit run app.py` on a free loopback port; yields its URL and stops it afterwards."""
    port = free_port()
    env = {**os.environ, "INTERVIEW_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **(extra_env or {})}
    log = (tmp_path / "streamlit.log").open("w")
    command = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"streamlit did not start: {(tmp_path / 'streamlit.log').read_text()[-2000:]}")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, shared_data_dir: Path, services):  # noqa: ARG001
    with streamlit_server(tmp_path_factory.mktemp("streamlit"), shared_data_dir) as url:
        yield url


def launch(pw):
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: bash scripts/system-deps.sh"
    return pw.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    )


def start_interview(page, server: str, n: int, loop: str | None = None) -> None:
    from playwright.sync_api import expect

    page.goto(server)
    if loop == "llm":
        page.get_by_label("Interview loop").click()
        page.get_by_role("option", name="LLM Engineer").click()
    page.get_by_text("A quick mix").click()  # n questions across the loop (the default is a full loop)
    number = page.get_by_label("Number of questions")
    number.fill(str(n))
    number.press("Enter")
    page.get_by_role("button", name="Start interview").click()
    expect(page.get_by_text(f"Question 1 of {n}")).to_be_visible()


def send_and_wait(page, text: str) -> None:
    """Send one answer and wait for the interviewer's reply (the candidate message plus at least one more)."""
    messages = page.get_by_test_id("stChatMessage")
    before = messages.count()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= n", arg=before + 2
    )
    page.wait_for_timeout(300)


def test_three_question_interview_in_chromium(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 1800})
        page.set_default_timeout(300_000)
        try:
            start_interview(page, server, 3)
            for _ in range(6):
                if page.get_by_text("Interview complete").count():
                    break
                send_and_wait(page, ANSWER)
            expect(page.get_by_text("Interview complete").first).to_be_visible()
            expect(page.get_by_text("Score:").first).to_be_visible()
            expect(page.get_by_text("time-based split to avoid leakage").first).to_be_visible()
            # the finished page: report, chart and downloads, and no answer box any more
            expect(page.get_by_role("button", name="New interview")).to_be_visible()
            expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible()
            expect(page.get_by_role("button", name="Download report (.md)")).to_be_visible()
            expect(page.get_by_text("Reference answer").first).to_be_visible()
            expect(page.get_by_test_id("stChatInput")).to_have_count(0)
            # avatars are Streamlit's bundled Material icons, which render without an emoji font
            n_messages = page.get_by_test_id("stChatMessage").count()
            assert n_messages >= 8
            expect(page.get_by_test_id("stChatMessageAvatarCustom")).to_have_count(n_messages)
        finally:
            page.screenshot(path=str(ARTIFACTS / "browser-interview.png"), full_page=True)
            browser.close()


def test_two_browser_sessions_keep_separate_interviews(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
        alice = browser.new_context().new_page()
        bob = browser.new_context().new_page()
        for page in (alice, bob):
            page.set_default_timeout(300_000)
        try:
            start_interview(alice, server, 2)
            start_interview(bob, server, 2, loop="llm")
            for page, text in ((alice, "Alice says canary rollouts"), (bob, "Bob says chunk by headings")):
                send_and_wait(page, f"{text} and more detail on the approach.")
                expect(page.get_by_text(text).first).to_be_visible()
            assert bob.get_by_text("Alice says").count() == 0 and alice.get_by_text("Bob says").count() == 0
            expect(alice.get_by_text("Machine Learning Engineer — mid")).to_be_visible()
            expect(bob.get_by_text("LLM Engineer — mid")).to_be_visible()
            alice.reload()  # a refresh keeps the candidate in their interview (its id is in the URL)
            expect(alice.get_by_text("Alice says canary rollouts").first).to_be_visible()
            expect(alice.get_by_test_id("stChatInput")).to_be_visible()
            alice.goto(server)  # a fresh visit offers the stored interview for resuming
            alice.get_by_role("button", name="Resume mle / mid").first.click()
            expect(alice.get_by_text("Alice says canary rollouts").first).to_be_visible()
        finally:
            alice.screenshot(path=str(ARTIFACTS / "browser-session-a.png"), full_page=True)
            browser.close()


def test_text_typed_into_the_last_chat_box_after_the_end_is_kept(server: str) -> None:
    """Streamlit keeps the previous run's chat box on screen until the next run draws: text sent from it once the
    interview has ended answers nothing, and used to vanish. It is shown back, ungraded, word for word.

    To hit that window every time, the server's messages to the page are held while the candidate ends the
    interview and types again, so the page still shows the box; then they are let through in order."""
    import re

    from playwright.sync_api import expect, sync_playwright
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    late = "One more thing: I would also <b>shadow</b> the new model first *before* the canary."
    # While "held" is a list, the server's messages wait in it. "runs" counts the script runs the server started
    # (its `new_session` message): a run has taken its input by then, so a message sent later is not folded into it.
    relay: dict = {"held": None, "route": None, "runs": 0}

    def route(ws) -> None:
        upstream = ws.connect_to_server()  # the page's own messages still go straight to the server
        relay["route"] = ws

        def to_page(message) -> None:
            if isinstance(message, bytes):
                msg = ForwardMsg()
                msg.ParseFromString(message)
                relay["runs"] += msg.WhichOneof("type") == "new_session"
            if relay["held"] is None:
                ws.send(message)
            else:
                relay["held"].append(message)

        upstream.on_message(to_page)

    def until_run(n: int) -> None:
        deadline = time.time() + 120
        while relay["runs"] < n:
            assert time.time() < deadline, f"the server started {relay['runs']} runs, not {n}"
            page.wait_for_timeout(50)  # lets the relay's callbacks run

    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 1800})
        page.set_default_timeout(300_000)
        page.route_web_socket(re.compile(r"/_stcore/stream"), route)
        try:
            start_interview(page, server, 2)
            send_and_wait(page, ANSWER)
            page.wait_for_function(
                "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"
                " === 'notRunning'"
            )
            box = page.get_by_test_id("stChatInputTextArea")
            relay["held"] = []
            runs = relay["runs"]
            box.fill("/end")
            box.press("Enter")
            until_run(runs + 1)  # the run that ends the interview has started
            box.fill(late)  # the same box: the page has not heard that the interview ended
            box.press("Enter")
            until_run(runs + 2)
            page.wait_for_timeout(1000)
            while relay["held"]:  # in order; anything arriving meanwhile joins the queue
                relay["route"].send(relay["held"].pop(0))
            relay["held"] = None
            expect(page.get_by_text("arrived after the interview had ended")).to_be_visible()
            expect(page.get_by_test_id("stCode").get_by_text(late)).to_be_visible()
            expect(page.get_by_test_id("stChatMessage").filter(has_text="shadow")).to_have_count(0)
            expect(page.get_by_test_id("stChatInput")).to_have_count(0)
        finally:
            page.screenshot(path=str(ARTIFACTS / "browser-late-input.png"), full_page=True)
            browser.close()


def test_the_answer_box_is_disabled_while_an_answer_is_judged(tmp_path: Path, shared_data_dir: Path) -> None:
    """Streamlit keeps only the last of two messages sent while a run is busy, so the box is drawn disabled while
    an answer is handled. The judge here is a scripted model on 127.0.0.1 that takes 4 s to reply."""
    from playwright.sync_api import expect, sync_playwright

    from tests.fake_openai import FakeOpenAI, Reply
    from tests.test_llm_judge import judgement

    verdict = judgement([("partial", "a time-based split to avoid leakage")], accuracy=3, depth=2)
    with FakeOpenAI([Reply(text=verdict, delay=4.0)]) as judge:
        env = {"INTERVIEW_JUDGE_MODEL": "openai/fake-judge", "INTERVIEW_JUDGE_API_BASE": judge.api_base}
        env["INTERVIEW_JUDGE_API_KEY"] = "x"
        with streamlit_server(tmp_path, shared_data_dir, env) as url, sync_playwright() as pw:
            browser = launch(pw)
            page = browser.new_page(viewport={"width": 1280, "height": 1800})
            page.set_default_timeout(120_000)
            try:
                start_interview(page, url, 2)
                messages = page.get_by_test_id("stChatMessage")
                before = messages.count()
                box = page.get_by_test_id("stChatInputTextArea")
                box.fill(ANSWER)
                box.press("Enter")
                expect(box).to_be_disabled(timeout=3_000)  # the judge is still working
                page.wait_for_function(  # the answer, then the reply
                    "n => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= n", arg=before + 2
                )
                expect(box).to_be_enabled(timeout=60_000)
                expect(page.get_by_test_id("stChatMessage").filter(has_text="time-based split")).to_have_count(1)
                assert any(r.get("max_tokens") != 1 for r in judge.requests), "the judge model was never asked"
            finally:
                page.screenshot(path=str(ARTIFACTS / "browser-busy-box.png"), full_page=True)
                browser.close()
