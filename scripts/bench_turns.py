"""Benchmark the offline interview path (a benchmark, not a test).

Measures, on the current machine:
- time to the first question, cold (fresh process: imports, model load, index check) and warm;
- offline turn latency (judge + next question) p50/p95 over N turns, with the candidate's thinking time
  before each answer (default 2 s, not counted: the judge prepares the rubric side meanwhile) and with none;
- peak RSS (VmHWM) of a real `streamlit run app.py` process while a browser runs an interview.

Usage: python scripts/bench_turns.py [--turns 20] [--runs 3] [--think 2] [--no-app] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

COLD = """
import time, sys
t0 = time.perf_counter()
from interviewer.config import get_settings
from interviewer.services import build_services
svc = build_services(get_settings())
interview = svc.new_interview("mle", "mid", 5)
[m.settle() for m in interview.start()]
print(time.perf_counter() - t0)
"""


def cold_first_question(runs: int) -> list[float]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return [
        float(subprocess.check_output([sys.executable, "-c", COLD], cwd=REPO, env=env, text=True).split()[-1])
        for _ in range(runs)
    ]


def turn_latencies(turns: int, think: float) -> tuple[list[float], list[float]]:
    from interviewer.config import get_settings
    from interviewer.services import build_services

    svc = build_services(get_settings())
    warm, latencies = [], []
    answers = [q.reference_answer for q in list(svc.bank.questions.values())[::3]]
    answers += ["I am not sure, maybe add more GPUs and monitor it.", "We used a canary rollout and a registry."]
    i = 0
    while len(latencies) < turns:
        t0 = time.perf_counter()
        interview = svc.new_interview(["mle", "llm"][i % 2], "mid", 6)
        [m.settle() for m in interview.start()]
        warm.append(time.perf_counter() - t0)
        while interview.state.status == "active" and len(latencies) < turns:
            answer = answers[i % len(answers)]
            i += 1
            time.sleep(think)  # the candidate reads and types; not counted
            t0 = time.perf_counter()
            [m.settle() for m in interview.respond(answer)]
            latencies.append(time.perf_counter() - t0)
    return warm, latencies


def app_peak_rss() -> float | None:
    """Peak RSS in MiB of the streamlit process after a 3-question interview in headless Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            page = browser.new_page()
            page.set_default_timeout(180_000)
            page.goto(url)
            page.get_by_label("Number of questions").fill("3")
            page.get_by_label("Number of questions").press("Enter")
            page.get_by_role("button", name="Start interview").click()
            page.get_by_text("Question 1 of 3").wait_for()
            box = page.get_by_test_id("stChatInputTextArea")
            for _ in range(6):
                if page.get_by_text("Interview complete").count():
                    break
                box.fill("A time-based split, a baseline, canary rollout, drift monitoring and a model registry.")
                box.press("Enter")
                page.wait_for_timeout(1500)
            browser.close()
        status = Path(f"/proc/{proc.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) / 1024
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--think", type=float, default=2.0, help="seconds before each answer (not counted)")
    parser.add_argument("--no-app", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("INTERVIEW_DATA_DIR", tempfile.mkdtemp(prefix="bench-"))
    subprocess.run(
        [sys.executable, "-m", "interviewer", "index", "--quiet"], cwd=REPO, check=True, stdout=subprocess.DEVNULL
    )
    cold = cold_first_question(args.runs)
    warm, turns = turn_latencies(args.turns, args.think)
    _, rushed = turn_latencies(args.turns, 0.0)
    ms, rushed_ms = np.array(turns) * 1000, np.array(rushed) * 1000
    result = {
        "machine": f"{os.cpu_count()} cores",
        "first_question_cold_s_median": round(statistics.median(cold), 2),
        "first_question_cold_s_runs": [round(c, 2) for c in cold],
        "first_question_warm_ms_median": round(statistics.median(warm) * 1000, 1),
        "turn_ms_p50": round(float(np.percentile(ms, 50)), 1),
        "turn_ms_p95": round(float(np.percentile(ms, 95)), 1),
        "think_s": args.think,
        "turn_ms_p50_no_think": round(float(np.percentile(rushed_ms, 50)), 1),
        "turn_ms_p95_no_think": round(float(np.percentile(rushed_ms, 95)), 1),
        "turns": len(turns),
        "app_peak_rss_mib": None if args.no_app else app_peak_rss(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:34} {value}")


if __name__ == "__main__":
    main()
