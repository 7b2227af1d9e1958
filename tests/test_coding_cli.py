"""`interview code list|run`: the exact JSON contract, exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.cli import main
from tests.conftest import REPO

RUN_KEYS = {"exercise", "status", "passed", "total", "score", "message", "tests"}


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "code", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) >= 16
    assert all(set(row) == {"id", "title", "loops", "levels", "signature"} for row in rows)
    by_id = {row["id"]: row for row in rows}
    assert by_id["softmax"]["signature"] == "softmax(x, axis=-1)"
    assert by_id["ndcg_at_k"]["signature"] == "ndcg_at_k(relevances, k) -> float"


def test_run_json_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from interviewer.knowledge.coding_exercises import load_exercises

    exercise = load_exercises(REPO / "question_bank")["roc_auc"]
    good = tmp_path / "good.py"
    good.write_text(exercise.reference_solution)
    code, out, _ = cli(capsys, "code", "run", "roc_auc", "--file", str(good), "--json")
    report = json.loads(out)
    assert code == 0 and set(report) == RUN_KEYS
    assert report["exercise"] == "roc_auc" and report["status"] == "ok" and report["score"] == 1.0
    assert report["passed"] == report["total"] == len(exercise.hidden)
    assert all(set(t) == {"name", "status", "message"} for t in report["tests"])
    code, out, _ = cli(capsys, "code", "run", "roc_auc", "--file", str(good), "--examples-only", "--json")
    assert code == 0 and json.loads(out)["total"] == len(exercise.examples)
    # a failing solution still exits 0: grading ran
    bad = tmp_path / "bad.py"
    bad.write_text("def roc_auc(y_true, scores):\n    return 0.5\n")
    code, out, _ = cli(capsys, "code", "run", "roc_auc", "--file", str(bad), "--json")
    report = json.loads(out)
    assert code == 0 and report["status"] == "ok" and 0 < report["passed"] < report["total"]
    assert report["score"] == round(report["passed"] / report["total"], 3)
    broken = tmp_path / "broken.py"
    broken.write_text("def roc_auc(:\n")
    code, out, _ = cli(capsys, "code", "run", "roc_auc", "--file", str(broken), "--json")
    assert code == 0 and json.loads(out)["status"] == "error" and "SyntaxError" in json.loads(out)["message"]


def test_bad_input_is_one_line_and_non_zero(tmp_path: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    solution = tmp_path / "s.py"
    solution.write_text("def f(): pass\n")
    cases = [
        ["code", "run", "no_such_exercise", "--file", str(solution), "--json"],
        ["code", "run", "softmax", "--file", str(tmp_path / "missing.py"), "--json"],
    ]
    (tmp_path / "latin1.py").write_bytes(b"caf\xe9 = 1\n")
    cases.append(["code", "run", "softmax", "--file", str(tmp_path / "latin1.py")])
    for args in cases:
        done = subprocess.run(
            [sys.executable, "-m", "interviewer", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode != 0 and done.stdout == ""
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
        assert done.stderr.startswith("error: ")


def test_forced_bwrap_without_bubblewrap(capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.coding import sandbox

    monkeypatch.setenv("INTERVIEW_CODE_SANDBOX", "bwrap")
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    sandbox.bwrap_status.cache_clear()
    solution = tmp_path / "s.py"
    solution.write_text("def softmax(x, axis=-1):\n    return x\n")
    try:
        code, out, _ = cli(capsys, "code", "run", "softmax", "--file", str(solution), "--json")
    finally:
        sandbox.bwrap_status.cache_clear()
    report = json.loads(out)
    assert code == 0 and report["status"] == "sandbox_unavailable" and report["score"] is None
    assert "bubblewrap" in report["message"] and report["passed"] == 0
