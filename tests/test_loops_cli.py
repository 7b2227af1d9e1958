"""CLI contracts for the real loops: bank check/list/show JSON, grade by question_id, practice --full-loop/--round."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from interviewer.cli import main
from tests.conftest import REPO
from tests.fixture_bank import write_fixture_bank

ROW_KEYS = {"id", "loop", "stage", "kind", "levels"}


@pytest.fixture
def fixture_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write_fixture_bank(tmp_path / "bank")
    monkeypatch.setenv("INTERVIEW_BANK_DIR", str(root))
    return root


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, object]:
    code = main(args)
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def test_bank_list_json_rows(fixture_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, rows = run_json(["bank", "list", "--json"], capsys)
    assert code == 0 and all(set(r) == ROW_KEYS for r in rows)
    assert len(rows) == 9 and len({r["id"] for r in rows}) == 9
    stats = next(r for r in rows if r["id"] == "mle-stats-01")
    assert stats == {
        "id": "mle-stats-01",
        "loop": "mle",
        "stage": "stats",
        "kind": "numeric",
        "levels": ["mid", "senior"],
    }
    assert [r["stage"] for r in rows if r["loop"] == "mle"] == [
        "fundamentals",
        "fundamentals",
        "stats",
        "system_design",
        "behavioral",
    ]
    code, numeric = run_json(["bank", "list", "--json", "--kind", "numeric", "--level", "senior"], capsys)
    assert {r["id"] for r in numeric} == {"mle-stats-01", "llm-llm_internals-01"}


def test_bank_list_includes_coding_exercises(fixture_env: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.knowledge import exercises

    softmax = SimpleNamespace(
        id="softmax", title="Softmax", loops=["mle", "llm"], levels=["junior", "mid"], signature="softmax(x, axis=-1)"
    )
    monkeypatch.setattr(exercises, "load_exercises", lambda _d: exercises.Exercises(items=[softmax], available=True))
    code, rows = run_json(["bank", "list", "--json", "--kind", "code"], capsys)
    assert code == 0 and rows == [
        {"id": "softmax", "loop": "mle", "stage": "coding", "kind": "code", "levels": ["junior", "mid"]},
        {"id": "softmax", "loop": "llm", "stage": "coding", "kind": "code", "levels": ["junior", "mid"]},
    ]
    code, shown = run_json(["bank", "show", "softmax", "--json"], capsys)
    assert code == 0 and shown["signature"] == "softmax(x, axis=-1)" and shown["kind"] == "code"


def test_bank_show_json_is_the_whole_question(fixture_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, q = run_json(["bank", "show", "mle-stats-01", "--json"], capsys)
    assert code == 0 and q["kind"] == "numeric"
    assert (q["answer"], q["unit"], q["tolerance"]) == (31000, "users per arm", 3000)
    assert set(q["by_level"]) == {"mid", "senior"} and q["key_points"] and q["question"]
    code, case = run_json(["bank", "show", "llm-deep_dive-01", "--json"], capsys)
    assert [p["id"] for p in case["phases"]] == ["overview", "evaluation", "failures"]
    assert main(["bank", "show", "no-such-01", "--json"]) == 2
    assert "no question or exercise 'no-such-01'" in capsys.readouterr().err


@pytest.mark.slow
def test_bank_check_json_on_a_fixture_bank(
    fixture_env: Path, services, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(services.settings.data_dir))
    code, result = run_json(["bank", "check", "--json"], capsys)
    assert code == 1  # the fixture is far below 5 questions per stage and level
    assert result["kinds"] == {
        "mle": {"open": 2, "numeric": 1, "behavioral": 1, "case": 1, "code": 0},
        "llm": {"open": 1, "numeric": 1, "behavioral": 1, "case": 1, "code": 0},
    }
    assert {"questions", "stages", "levels", "errors", "warnings", "counts", "self_consistency"} <= set(result)
    assert result["counts"]["mle"]["system_design"] == {"mid": 1, "senior": 1}
    errors = result["errors"]
    assert "mle/stats: 1 question(s) at level mid, needs at least 5" in errors
    # the fixture's rubrics are self-consistent for every kind
    assert not [e for e in errors if "scores" in e or "reference answer lands" in e or "STAR" in e], errors
    sc = result["self_consistency"]
    assert set(sc) == {"open", "numeric", "behavioral", "case"}
    assert all(v["reference_min"] >= 4.5 and v["off_topic_max"] <= 2.0 for v in sc.values())
    assert sc["numeric"]["outside_tolerance_max"] <= 2.0


def test_grade_by_question_id(fixture_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stats_ref = (
        "n = 7.84 x 0.0997 / 0.000025 with z 1.96 and 0.84 and variance terms 0.0475 + 0.052: "
        "about 31,000 users per arm."
    )
    lines = [
        {"id": "right", "question_id": "mle-stats-01", "answer": stats_ref},
        {"id": "bare", "question_id": "mle-stats-01", "answer": "31,000 users per arm"},
        {"id": "off", "question_id": "mle-stats-01", "answer": stats_ref.replace("31,000", "52,000")},
        {
            "id": "case",
            "question_id": "llm-deep_dive-01",
            "answer": "I built a search assistant for support agents.",
            "level": "junior",
        },
        {"id": "phases", "question_id": "llm-deep_dive-01", "phase_answers": {"overview": "A support assistant."}},
        {"id": "unknown", "question_id": "nope-nope-01", "answer": "x"},
        {"id": "level", "question_id": "mle-stats-01", "answer": "31k", "level": "junior"},
        {"id": "adhoc", "question": "What is 2 + 2?", "answer": "Four.", "reference_answer": "Two plus two is four."},
    ]
    data, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    data.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    assert main(["grade", "--data", str(data), "--out", str(out)]) == 0
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert list(rows) == [x["id"] for x in lines]
    right, bare, off = rows["right"], rows["bare"], rows["off"]
    assert right["status"] == "ok" and right["kind"] == "numeric" and right["level"] == "senior"
    assert right["numeric"] == {
        "given": 31000.0,
        "text": "31,000",
        "within": True,
        "answer": 31000.0,
        "unit": "users per arm",
        "tolerance": 3000.0,
    }
    assert right["score"] > bare["score"] >= 3.0 and bare["score"] <= 3.5
    assert off["score"] <= 2.0 and off["numeric"]["within"] is False
    assert [p["id"] for p in rows["case"]["phases"]] == ["overview", "evaluation", "failures"]
    assert rows["case"]["level"] == "junior" and rows["case"]["status"] == "ok"
    assert [p["score"] for p in rows["phases"]["phases"]][1:] == [None, None]
    assert rows["unknown"]["status"] == "error" and "no question 'nope-nope-01'" in rows["unknown"]["verdict"]["error"]
    assert rows["level"]["status"] == "error" and "not asked at level 'junior'" in rows["level"]["verdict"]["error"]
    assert rows["adhoc"]["status"] == "ok" and "kind" not in rows["adhoc"]


def test_practice_round_validates_the_stage(fixture_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["practice", "--loop", "mle", "--round", "nosuch"]) == 2
    assert "mle has no stage 'nosuch'" in capsys.readouterr().err


@pytest.mark.slow
def test_practice_full_loop_in_the_terminal(fixture_env: Path, shared_data_dir: Path, services) -> None:  # noqa: ARG001
    env = {
        **os.environ,
        "INTERVIEW_DATA_DIR": str(shared_data_dir),
        "INTERVIEW_BANK_DIR": str(fixture_env),
        "HF_HUB_OFFLINE": "1",
    }
    answers = "\n".join(["/skip", "/skip", "/skip", "/skip", "/skip", "/skip", "/skip", "/skip"]) + "\n"
    done = subprocess.run(
        [sys.executable, "-m", "interviewer", "practice", "--loop", "llm", "--level", "senior", "--full-loop"],
        input=answers, capture_output=True, text=True, cwd=REPO, env=env, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Question 1 of 4 — LLM internals" in out and "Question 3 of 4 — Project deep-dive" in out
    assert "Part 1 of 3: The system." in out and "Part 3 of 3: Failures and trade-offs." in out
    assert "Interview complete" in out
