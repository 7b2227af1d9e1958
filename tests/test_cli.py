"""The terminal mode and CLI, as real subprocesses with piped standard input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def run_cli(
    args: list[str], data_dir: Path, stdin: str = "", timeout: int = 240, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "INTERVIEW_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "interviewer", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=timeout,
    )


@pytest.mark.slow
def test_practice_with_piped_answers_then_history_and_export(shared_data_dir: Path, services) -> None:  # noqa: ARG001
    answers = "\n".join(
        [
            "We used a time-based split to avoid leakage and shipped behind a canary with drift monitoring.",
            "/skip",
            "",
            "/why",
            "/end",
        ]
    )
    done = run_cli(["practice", "--loop", "mle", "--level", "junior", "--questions", "3"], shared_data_dir, answers)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Question 1 of 3" in out and "Interview complete" in out
    assert "Score:" in out or "Let me follow up" in out
    assert "I didn't get an answer" in out and "Skipped." in out
    session_id = out.rsplit("[session ", 1)[1].split()[0]

    history = run_cli(["history", "--json"], shared_data_dir)
    rows = json.loads(history.stdout)
    row = next(r for r in rows if r["id"] == session_id)
    assert {"id", "started_at", "loop", "level", "status", "overall_score"} <= row.keys()
    assert row["status"] == "finished" and row["loop"] == "mle" and row["level"] == "junior"

    md = run_cli(["export", session_id, "--format", "md"], shared_data_dir)
    assert md.returncode == 0 and "# Machine Learning Engineer mock interview" in md.stdout
    assert "Reference answer" in md.stdout
    data = json.loads(run_cli(["export", session_id, "--format", "json"], shared_data_dir).stdout)
    assert data["id"] == session_id and data["records"][0]["answers"]


def test_end_of_input_ends_the_interview(shared_data_dir: Path, services) -> None:  # noqa: ARG001
    done = run_cli(["practice", "--loop", "llm", "--questions", "2"], shared_data_dir, "")
    assert done.returncode == 0 and "Interview complete" in done.stdout and "No answer was scored" in done.stdout


def test_module_and_console_script_agree(shared_data_dir: Path) -> None:
    via_module = run_cli(["--help"], shared_data_dir)
    script = Path(sys.executable).with_name("interview")
    via_script = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert via_module.returncode == 0 and via_script.returncode == 0
    assert "practice" in via_module.stdout and via_module.stdout == via_script.stdout


def test_export_unknown_session_is_a_clear_error(tmp_path: Path) -> None:
    done = run_cli(["export", "nope"], tmp_path)
    assert done.returncode == 2 and "session 'nope' not found" in done.stderr


@pytest.mark.slow
def test_killed_mid_interview_loses_nothing_and_resumes(shared_data_dir: Path, services) -> None:  # noqa: ARG001
    """A real process killed with SIGKILL after an answer: the stored turn survives; --resume continues."""
    import signal
    import time

    from interviewer.storage.store import Store

    env = {**os.environ, "INTERVIEW_DATA_DIR": str(shared_data_dir), "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "interviewer", "practice", "--loop", "llm", "--questions", "3"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )
    answer = "I would chunk by headings, filter on metadata and evaluate recall on labeled queries."
    proc.stdin.write(answer + "\n")
    proc.stdin.flush()
    seen = ""
    deadline = time.time() + 180
    while time.time() < deadline and not any(k in seen for k in ("Score:", "Let me follow up", "Question 2 of 3")):
        seen += proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert any(k in seen for k in ("Score:", "Let me follow up", "Question 2 of 3")), seen
    store = Store(shared_data_dir / "interview.sqlite3")
    state = next(
        s for s in (store.load(r["id"]) for r in store.list()) if s and s.records and s.records[0].answers == [answer]
    )
    assert state.status == "active" and state.records[0].verdicts
    resumed = run_cli(["practice", "--resume", state.id], shared_data_dir, "/end\n")
    assert resumed.returncode == 0 and f"resuming session {state.id}" in resumed.stdout
    final = Store(shared_data_dir / "interview.sqlite3").load(state.id)
    assert final.status == "finished" and final.records[0].answers == [answer]


def test_search_json_and_batch_queries_with_bad_lines(shared_data_dir: Path, services, tmp_path: Path) -> None:  # noqa: ARG001
    one = run_cli(["search", "how do I make inference cheaper", "--k", "3", "--role", "mle", "--json"], shared_data_dir)
    assert one.returncode == 0, one.stderr
    hits = json.loads(one.stdout)
    assert len(hits) == 3 and hits[0]["score"] >= hits[-1]["score"]
    assert {"chunk_id", "text", "title", "source", "score"} <= set(hits[0]) and all("mle" in h["roles"] for h in hits)
    empty = run_cli(["search", "   "], shared_data_dir)
    assert empty.returncode == 2 and "query is empty" in empty.stderr

    batch = tmp_path / "queries.jsonl"
    batch.write_text(
        "\n".join(
            [
                json.dumps({"id": "q1", "query": "what does a feature store do", "role": "mle"}),
                "{not json",
                json.dumps({"id": "q3", "query": ""}),
                json.dumps({"id": "q4", "query": "chunking " * 1500}),
                json.dumps({"id": "q5", "text": "no query field"}),
            ]
        )
        + "\n"
    )
    done = run_cli(["search", "--queries", str(batch), "--k", "2", "--json"], shared_data_dir)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["q1", None, "q3", "q4", "q5"]
    assert len(rows[0]["results"]) == 2 and "error" not in rows[0]
    assert "not JSON" in rows[1]["error"] and "empty" in rows[2]["error"]
    assert len(rows[3]["results"]) == 2  # a 13,500-character query is truncated, not refused
    assert "'query'" in rows[4]["error"]


def test_user_option_scopes_practice_history_export_and_delete(shared_data_dir: Path, services) -> None:  # noqa: ARG001
    alice = run_cli(["--user", "alice", "practice", "--loop", "llm", "--questions", "1"], shared_data_dir, "/end\n")
    assert alice.returncode == 0, alice.stderr
    alice_id = alice.stdout.rsplit("[session ", 1)[1].split()[0]
    bob = run_cli(["practice", "--user", "bob", "--loop", "mle", "--questions", "1"], shared_data_dir, "/end\n")
    bob_id = bob.stdout.rsplit("[session ", 1)[1].split()[0]

    mine = json.loads(run_cli(["history", "--json", "--user", "alice"], shared_data_dir).stdout)
    assert [r["id"] for r in mine] == [alice_id]
    env_scoped = run_cli(["history", "--json"], shared_data_dir, env={"INTERVIEW_USER": "bob"})
    assert [r["id"] for r in json.loads(env_scoped.stdout)] == [bob_id]

    stolen = run_cli(["--user", "alice", "export", bob_id, "--format", "json"], shared_data_dir)
    assert stolen.returncode != 0 and "not found" in stolen.stderr and "Traceback" not in stolen.stderr
    assert stolen.stdout == ""

    assert run_cli(["--user", "alice", "delete", bob_id], shared_data_dir).returncode != 0
    gone = run_cli(["--user", "alice", "delete", "--all"], shared_data_dir)
    assert gone.returncode == 0 and "deleted 1 session" in gone.stdout
    assert json.loads(run_cli(["--user", "alice", "history", "--json"], shared_data_dir).stdout) == []
    assert [r["id"] for r in json.loads(run_cli(["--user", "bob", "history", "--json"], shared_data_dir).stdout)] == [
        bob_id
    ]


def test_the_app_runs_one_script_run_per_session_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streamlit's fast reruns start a new run while the previous one is still judging or saving the same
    interview; the app turns them off both in the clone's config and in `interview app`."""
    import argparse
    import tomllib

    from interviewer import cli

    calls: list[list[str]] = []
    monkeypatch.setattr(cli.os, "execv", lambda _path, command: calls.append(command))
    monkeypatch.setattr(cli.subprocess, "call", lambda command: calls.append(command) or 0)
    assert cli.cmd_app(argparse.Namespace(host="127.0.0.1", port=8999)) == 0
    flag = calls[0].index("--runner.fastReruns")
    assert calls[0][flag + 1] == "false"
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["fastReruns"] is False


@pytest.mark.slow
def test_stopping_interview_app_stops_the_server(tmp_path: Path) -> None:
    """A supervisor's SIGTERM to `interview app` must stop the Streamlit server: it used to run it as a child
    process, which kept serving (and loading models) after its parent was gone."""
    import signal
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "INTERVIEW_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "interviewer", "app", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    health = f"http://127.0.0.1:{port}/_stcore/health"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if urllib.request.urlopen(health, timeout=1).status == 200:
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "the app did not start"
                time.sleep(0.2)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        time.sleep(1)
        with pytest.raises(OSError):
            urllib.request.urlopen(health, timeout=2)
    finally:
        proc.kill()
        subprocess.run(["pkill", "-f", "--", f"--server.port {port}"], check=False)
