"""Record and replay: the JSON-lines contract, and a recorded session replayed to exactly what the app showed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.cli import main
from interviewer.config import Settings
from interviewer.evaluation.replay import replay_item
from interviewer.interview.voice import LLMVoice
from interviewer.judge.llm_judge import LLMJudge
from interviewer.llm import LLM, ModelConfig
from interviewer.llm.recording import ReplayLLM, recorder_for
from tests.fake_openai import FakeOpenAI, Reply

COMPOUND = (
    "Your classifier is at 200 ms p99 on CPUs and needs 50 ms; a teammate suggests quantization. How would you get "
    "there? And how would you make sure you haven't broken the model?"
)
JUDGEMENT = {
    "key_points": [{"index": 1, "evidence": "I'd profile ... the forward pass", "status": "covered"}],
    "red_flags": [],
    "criteria": [
        {"criterion": "accuracy", "reasoning": "right", "score": 4},
        {"criterion": "depth", "reasoning": "thin", "score": 3},
    ],
    "injection_attempt": False,
    "feedback": "Profile first, then quantize.",
}
ANSWER = "I'd profile where the time goes first, because quantization only speeds up the forward pass."


def run_cli(capsys: pytest.CaptureFixture[str], rows: list[dict | str], tmp_path: Path) -> list[dict]:
    data = tmp_path / "in.jsonl"
    data.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    assert main(["replay", "--data", str(data), "--json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_the_replay_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path, bank) -> None:
    rows = [
        {"id": "a", "task": "ask", "question_id": "mle-serving-02", "model_output": COMPOUND},
        {
            "id": "f",
            "task": "follow_up",
            "question_id": "mle-serving-02",
            "answer": "I'd use INT8.",
            "key_point": 1,
            "model_output": "Great answer! Have you profiled the request end to end before optimizing?",
        },  # fmt: skip
        {
            "id": "k",
            "task": "acknowledge",
            "question_id": "mle-serving-02",
            "answer": "I'd use INT8.",
            "next_stage": "MLOps",
            "model_output": "Thanks for walking me through INT8. Moving on to MLOps.",
        },  # fmt: skip
        {
            "id": "j",
            "task": "judge",
            "question_id": "mle-serving-02",
            "answer": ANSWER,
            "model_output": "Reasoning first.\n```json\n" + json.dumps(JUDGEMENT) + "\n```",
        },  # fmt: skip
        "not json",
        {"id": "u", "task": "ask", "question_id": "no-such-question-01", "model_output": "Hi?"},
    ]
    out = run_cli(capsys, rows, tmp_path)
    assert [set(o) for o in out[:4]] == [{"id", "shown", "used_model_output", "reasons"}] * 3 + [
        {"id", "status", "score", "flags"}
    ]
    ask, follow, ack, judged = out[:4]
    assert ask == {"id": "a", "shown": COMPOUND, "used_model_output": True, "reasons": []}
    probe = bank.questions["mle-serving-02"].key_points[0].probe
    assert follow["shown"] == f"Let me follow up on that. {probe}" and not follow["used_model_output"]
    assert any("grades" in r for r in follow["reasons"])
    assert ack["shown"] == rows[2]["model_output"] and ack["used_model_output"]
    assert judged["status"] == "ok" and judged["score"] is not None and judged["flags"] == []
    assert out[4]["id"] is None and "not JSON" in out[4]["error"]
    assert out[5] == {"id": "u", "error": "unknown question_id 'no-such-question-01'"}


def test_replay_streams_the_reply_in_pieces() -> None:
    pieces = list(ReplayLLM("How would you debug it? Walk me through it.").stream([{"role": "user", "content": "x"}]))
    assert len(pieces) > 5 and "".join(pieces) == "How would you debug it? Walk me through it."


def test_a_recorded_session_replays_to_what_the_app_showed(tmp_path: Path, bank) -> None:
    path = tmp_path / "rec.jsonl"
    recorder = recorder_for(Settings(_env_file=None, record=path))
    q = bank.questions["mle-serving-02"]
    replies = [
        Reply(COMPOUND),
        Reply("You'd use INT8. How do you know the forward pass is where the 200 ms goes?"),
        Reply("Thanks. Let's move on to MLOps."),
        Reply("```json\n" + json.dumps(JUDGEMENT) + "\n```"),
    ]
    with FakeOpenAI(replies) as srv:
        cfg = ModelConfig("openai/live", api_base=srv.api_base, api_key="x", max_retries=0)
        voice = LLMVoice(LLM(cfg, on_exchange=recorder), "Machine Learning Engineer", "mid")
        live = [
            "".join(voice.ask(q, "Serving and latency", 1, 1)).split(".** ", 1)[1],
            voice.follow_up(q, "I'd use INT8.", q.key_points[0], ""),
            "".join(voice.acknowledge(q, "I'd use INT8.", "MLOps")),
        ]
        verdict = LLMJudge(LLM(cfg, on_exchange=recorder)).judge(q, ANSWER)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [r["task"] for r in rows] == ["ask", "follow_up", "acknowledge", "judge"]
    assert rows[1]["key_point"] == 1 and rows[1]["answer"] == "I'd use INT8." and rows[2]["next_stage"] == "MLOps"
    assert all(r["model"] == "openai/live" and len(r["prompt_hash"]) == 12 and r["complete"] for r in rows)
    replayed = [replay_item(r, bank) for r in rows]
    assert [r["shown"] for r in replayed[:3]] == live
    assert replayed[3] == {"id": rows[3]["id"], "status": "ok", "score": verdict.score, "flags": verdict.flags}


def test_the_record_setting_reaches_the_apps_voice(tmp_path: Path, bank, monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.interview.state import InterviewState
    from interviewer.services import Services

    with FakeOpenAI([Reply(COMPOUND)]) as srv:
        settings = Settings(
            _env_file=None,
            interviewer_model="openai/live",
            api_base=srv.api_base,
            api_key="x",
            record=tmp_path / "r.jsonl",
        )
        services = Services(settings, None, None, None, bank, None, None)  # type: ignore[arg-type]
        state = InterviewState(loop="mle", level="mid", n_questions=1, interviewer_model="openai/live")
        voice = services.voice(state)  # an interview runs under the models it started with
        "".join(voice.ask(bank.questions["mle-serving-02"], "Serving", 1, 1))
    row = json.loads((tmp_path / "r.jsonl").read_text(encoding="utf-8"))
    assert row["task"] == "ask" and row["question_id"] == "mle-serving-02" and row["model_output"] == COMPOUND
    monkeypatch.setenv("INTERVIEW_RECORD", str(tmp_path / "x.jsonl"))
    assert main(["record", "--out", str(tmp_path / "x.jsonl")]) == 2  # both models offline: nothing to record


def test_an_empty_recorded_reply_is_replayed_as_empty_never_sent_to_a_provider(bank) -> None:
    row = {"id": "e", "task": "ask", "question_id": "mle-serving-02", "model_output": ""}
    out = replay_item(row, bank)
    assert out["shown"] == bank.questions["mle-serving-02"].question.strip()
    assert out["used_model_output"] is False and out["reasons"] == ["the reply had no text"]
    judged = replay_item({**row, "task": "judge", "answer": "x"}, bank)
    assert judged["status"] == "error" and judged["score"] is None
