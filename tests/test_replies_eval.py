"""The labelled replies set (evals/replies) and `interview eval replies` on its dev split."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from interviewer.evaluation.replay import ReplayItem
from interviewer.evaluation.replies import REPLIES_PATH, cmd_eval_replies


def test_the_labelled_set_is_well_formed(bank) -> None:
    rows = [json.loads(line) for line in REPLIES_PATH.read_text(encoding="utf-8").splitlines()]
    assert len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        ReplayItem.model_validate(r)  # every line is valid replay input
        assert r["question_id"] in bank.questions and r["split"] in ("dev", "test"), r["id"]
        if r["task"] == "judge":
            assert len(r["intended"]["statuses"]) == len(bank.questions[r["question_id"]].key_points), r["id"]
        else:
            assert r["label"] in ("good", "bad") and r["style"], r["id"]
            assert not r.get("bad_span") or r["bad_span"] in r["model_output"], r["id"]
    voice = Counter((r["task"], r["label"]) for r in rows if r["task"] != "judge")
    assert sum(voice.values()) >= 60 and all(voice[(t, "bad")] >= 10 for t in ("ask", "follow_up", "acknowledge"))
    assert len({r["style"] for r in rows}) >= 3 and len({r["format"] for r in rows if r["task"] == "judge"}) >= 10


def test_the_guards_meet_their_targets_on_the_dev_split(tmp_path: Path, capsys) -> None:
    args = argparse.Namespace(data=REPLIES_PATH, split="dev", out=tmp_path, verbose=True)
    code = cmd_eval_replies(args)
    out = capsys.readouterr().out
    assert code == 0, out
    results = json.loads((tmp_path / "results.json").read_text())
    for task in ("ask", "follow_up", "acknowledge"):
        assert results["dev"][task]["false_rejection_rate"] <= 0.05 and results["dev"][task]["caught_rate"] >= 0.9
    assert results["dev"]["judge"]["within"] == results["dev"]["judge"]["n"]
