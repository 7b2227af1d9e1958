"""`make eval JUDGE=llm MODEL=...`: the LLM judge through the eval suite prints agreement, per-kind bias, the
spread across samples, cost and time (a scripted model on 127.0.0.1 stands in for a real one)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from interviewer.config import Settings
from interviewer.evaluation.cli import cmd_eval_judge
from tests.fake_openai import FakeOpenAI, Reply


def verdict(accuracy: int) -> str:
    return json.dumps(
        {
            "analysis": "a",
            "key_points": [{"index": 1, "evidence": "", "status": "missed"}],
            "criteria": [
                {"criterion": "accuracy", "reasoning": "r", "score": accuracy},
                {"criterion": "depth", "reasoning": "r", "score": 2},
            ],
            "injection_attempt": False,
            "feedback": "f",
        }
    )


def test_llm_judge_eval_prints_agreement_bias_spread_cost_and_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeOpenAI([Reply(verdict(1)), Reply(verdict(3))] * 3) as srv:  # samples of one answer differ
        settings = Settings(
            _env_file=None,
            data_dir=tmp_path,
            judge_model="openai/fake-judge",
            api_base=srv.api_base,
            api_key="x",
            max_retries=0,
            judge_samples=2,
        )
        args = argparse.Namespace(
            judge="llm", suite="gold", split="dev", limit=3, repeats=1, out=tmp_path / "run", resamples=100,
            baseline_dir=tmp_path, thresholds=tmp_path / "none.toml", concurrency=1, quiet=False,
        )  # fmt: skip
        cmd_eval_judge(args, settings)
        assert len(srv.requests) == 6  # 3 answers x 2 samples
    out = capsys.readouterr().out
    assert "gold/dev (n=3): qwk" in out and "cost $" in out and " s, " in out
    assert "LLM judge openai/fake-judge (prompt " in out and "    bias (judge - gold): " in out
    assert "spread across samples: mean" in out and "over 3 answers" in out
    items = [json.loads(line) for line in (tmp_path / "run" / "items.jsonl").read_text().splitlines()]
    assert all(item["spread"] is not None and item["spread"] > 0 for item in items)
