"""Cold start as a user meets it (a benchmark, not a test): from the command to the first question.

- `interview practice`: a fresh process, timed until its first question is printed;
- `interview app`: a fresh server, timed until the first question is on the page in headless Chromium (the page
  is opened as soon as the server answers its health check; "A quick mix", then "Start interview").

Both use the index already built in the data directory (`interview index`), as a second launch does.

Usage: python scripts/bench_cold_start.py [--runs 3] [--repo DIR] [--no-app] [--json]
`--repo` times another checkout (e.g. an older commit in a git worktree) with this interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


def practice_seconds(repo: Path, env: dict[str, str]) -> float:
    command = [sys.executable, "-m", "interviewer", "practice", "--loop", "mle", "--level", "mid", "--questions", "2"]
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=repo, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    watchdog = threading.Timer(120, proc.kill)  # a hung start fails the run instead of the benchmark hanging
    watchdog.start()
    try:
        seen = ""
        while "Question 1 of" not in seen:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"practice ended before its first question: {seen[-500:]!r}")
            seen += line
        return time.perf_counter() - start
    finally:
        watchdog.cancel()
        proc.kill()
        proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_seconds(repo: Path, env: dict[str, str]) -> float:
    from playwright.sync_api import sync_playwright

    port = free_port()
    command = [sys.executable, "-m", "interviewer", "app", "--host", "127.0.0.1", "--port", str(port)]
    start = time.perf_counter()
    # Its own process group, stopped whole after each run: an older `interview app` ran Streamlit as a child
    # that outlived a terminated parent, and orphaned servers loading models slowed every later run.
    proc = subprocess.Popen(
        command, cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        url = f"http://127.0.0.1:{port}"
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                if time.perf_counter() - start > 120:
                    raise RuntimeError("the app did not answer its health check in 120 s") from None
                time.sleep(0.05)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.set_default_timeout(120_000)
            page.goto(url)
            page.get_by_text("A quick mix").click()
            page.get_by_role("button", name="Start interview").click()
            page.get_by_text("Question 1 of").first.wait_for()
            took = time.perf_counter() - start
            browser.close()
        return took
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        for _ in range(300):  # until the whole group is gone
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument("--no-app", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(args.repo)}
    load_before = os.getloadavg()
    practice = [practice_seconds(args.repo, env) for _ in range(args.runs)]
    app = [] if args.no_app else [app_seconds(args.repo, env) for _ in range(args.runs)]
    result = {
        "repo": str(args.repo),
        "practice_first_question_s_median": round(statistics.median(practice), 2),
        "practice_runs_s": [round(x, 2) for x in practice],
        "app_first_question_s_median": round(statistics.median(app), 2) if app else None,
        "app_runs_s": [round(x, 2) for x in app],
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
