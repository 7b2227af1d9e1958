"""The question bank as code: `interview bank check` passes, and each of its checks can fail."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from interviewer.cli import main
from interviewer.evaluation.bank_check import check_bank
from interviewer.knowledge.bank import Question, load_bank

REPO = Path(__file__).resolve().parent.parent


def test_checked_in_bank_is_valid(services) -> None:
    result = check_bank(services)
    assert result["errors"] == []
    assert result["questions"]["mle"] >= 30 and result["questions"]["llm"] >= 30
    assert len(result["stages"]["mle"]) >= 6 and len(result["stages"]["llm"]) >= 6
    assert all(n >= 3 for loop in result["stages"].values() for n in loop.values())


def test_bank_check_json_cli(services, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(services.settings.data_dir))
    # The contract of the command; the judged self-consistency of the same bank is test_checked_in_bank_is_valid's.
    assert main(["bank", "check", "--json", "--skip-judge"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["errors"] == [] and set(out) >= {"questions", "stages", "errors"}


def _write_bank(tmp_path: Path, mutate) -> Path:
    import shutil

    import yaml

    root = tmp_path / "bank"
    shutil.copytree(REPO / "question_bank", root)
    path = root / "mle" / "serving.yaml"
    data = yaml.safe_load(path.read_text())
    mutate(data["questions"])
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return root


def test_schema_errors_duplicates_and_key_point_counts(tmp_path: Path) -> None:
    def mutate(qs: list) -> None:
        qs[0]["key_points"] = qs[0]["key_points"][:2]
        qs.append(copy.deepcopy(qs[1]))
        qs[2]["anchors"].pop(3)

    bank = load_bank(_write_bank(tmp_path, mutate))
    text = "\n".join(bank.errors)
    assert "3 to 6 key points" in text and "duplicate id" in text and "anchors must have keys 1..5" in text


def test_near_duplicates_citations_and_self_consistency_fail(services, tmp_path: Path) -> None:
    def mutate(qs: list) -> None:
        twin = copy.deepcopy(qs[1])
        twin["id"] = "mle-serving-99"
        twin["question"] = qs[1]["question"].rstrip("?. ") + ", please."
        qs.append(twin)
        qs[0]["citations"] = [{"doc": "no-such-doc", "section": "Nowhere"}]
        qs[2]["reference_answer"] = "I would use a different approach entirely, focusing on unrelated concerns " * 2

    broken = copy.copy(services)
    broken.bank = load_bank(_write_bank(tmp_path, mutate))
    errors = "\n".join(check_bank(broken)["errors"])
    assert "mle-serving-99" in errors and "near-duplicates" in errors
    assert "no-such-doc" in errors
    assert re.search(r"mle-serving-03: its (junior|mid|senior) reference answer scores", errors)


def test_rubric_version_changes_with_the_rubric(bank) -> None:
    q: Question = bank.questions["mle-serving-01"]
    changed = q.model_copy(update={"reference_answer": q.reference_answer + " Also measure p99."})
    assert changed.rubric_version != q.rubric_version
