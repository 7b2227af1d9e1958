"""Start-up check of the configured models: a wrong key or a dead server is said once, with what to do."""

from __future__ import annotations

import socket

import pytest

from interviewer.config import Settings
from interviewer.llm.preflight import check_models
from tests.fake_openai import FakeOpenAI, Reply


def test_offline_needs_no_check() -> None:
    assert check_models(Settings(_env_file=None)) == []


def test_working_server_passes_and_bad_key_or_dead_server_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeOpenAI([Reply("OK")]) as srv:
        monkeypatch.setenv("INTERVIEW_INTERVIEWER_MODEL", "openai/fake")
        monkeypatch.setenv("INTERVIEW_API_BASE", srv.api_base)
        assert check_models(Settings()) == []
        assert srv.requests and srv.requests[0]["max_tokens"] == 1
    with FakeOpenAI([Reply(status=401)]) as srv:
        monkeypatch.setenv("INTERVIEW_API_BASE", srv.api_base)
        (problem,) = check_models(Settings())
        assert "interviewer model openai/fake is not working" in problem and "bank's wording" in problem
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    monkeypatch.setenv("INTERVIEW_JUDGE_MODEL", "openai/fake-judge")
    monkeypatch.setenv("INTERVIEW_JUDGE_API_BASE", f"http://127.0.0.1:{port}/v1")
    problems = check_models(Settings(), timeout=3)
    assert any("judge model openai/fake-judge" in p and "cannot be scored" in p for p in problems)
