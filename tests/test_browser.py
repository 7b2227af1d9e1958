"""The real page: `streamlit run app.py` on a free loopback port, driven in Debian's headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
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


@pytest.fixture
def server(tmp_path: Path, shared_data_dir: Path, services):  # noqa: ARG001 - index built once
    port = free_port()
    env = {**os.environ, "INTERVIEW_DATA_DIR": str(shared_data_dir), "HF_HUB_OFFLINE": "1"}
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
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
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_three_question_interview_in_chromium(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is required: bash scripts/system-deps.sh"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 1800})
        page.set_default_timeout(120_000)
        try:
            page.goto(server)
            number = page.get_by_label("Number of questions")
            number.fill("3")
            number.press("Enter")
            page.get_by_role("button", name="Start interview").click()
            expect(page.get_by_text("Question 1 of 3")).to_be_visible()
            box = page.get_by_test_id("stChatInputTextArea")
            for _ in range(6):
                if page.get_by_text("Interview complete").count():
                    break
                box.fill(ANSWER)
                box.press("Enter")
                page.wait_for_timeout(500)
                page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
            expect(page.get_by_text("Interview complete")).to_be_visible()
            expect(page.get_by_text("Score:").first).to_be_visible()
            expect(page.get_by_text("time-based split to avoid leakage").first).to_be_visible()
        finally:
            page.screenshot(path=str(ARTIFACTS / "browser-interview.png"), full_page=True)
            browser.close()
