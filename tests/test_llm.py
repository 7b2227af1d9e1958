"""The llm boundary, through litellm: mock_response, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import socket
import time

import pytest
from pydantic import BaseModel

from interviewer import llm as llm_mod
from interviewer.llm import (
    LLM,
    AuthenticationError,
    BadResponse,
    ConfigurationError,
    ConnectionFailed,
    ModelConfig,
    ProviderError,
    RateLimited,
    StreamInterrupted,
    TimedOut,
)
from tests.fake_openai import FakeOpenAI, Reply

MSG = [{"role": "user", "content": "hi"}]


class Point(BaseModel):
    x: int
    label: str


def local(server: FakeOpenAI, **kw: object) -> LLM:
    cfg = dict(
        model="openai/fake",
        api_base=server.api_base,
        api_key="sk-test",
        timeout=5,
        max_retries=2,
        backoff_base=0.01,
        backoff_max=0.05,
    )
    cfg.update(kw)
    return LLM(ModelConfig(**cfg))


def test_mock_response_complete_and_stream() -> None:
    model = LLM(ModelConfig("openai/gpt-4o-mini", api_key="sk-test"))
    done = model.complete(MSG, mock_response="hello there")
    assert done.text == "hello there" and done.model == "openai/gpt-4o-mini"
    assert done.prompt_tokens > 0 and done.latency_s >= 0
    assert "".join(model.stream(MSG, mock_response="one two three")) == "one two three"


def test_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY"):
        LLM(ModelConfig("openai/gpt-4o-mini")).complete(MSG)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="ANTHROPIC_API_KEY"):
        LLM(ModelConfig("anthropic/claude-3-5-haiku-latest")).complete(MSG)


def test_structured_feeds_validation_error_back() -> None:
    with FakeOpenAI([Reply('{"x": "not a number"}'), Reply('Sure! ```json\n{"x": 3, "label": "a"}\n```')]) as srv:
        point, completion = local(srv).structured(MSG, Point)
    assert point == Point(x=3, label="a")
    retry_prompt = srv.requests[1]["messages"][-1]["content"]
    assert "not valid" in retry_prompt and "x" in retry_prompt  # the validation error was fed back
    assert completion.prompt_tokens == 11


def test_structured_gives_up_without_inventing() -> None:
    with FakeOpenAI([Reply("I think it is about a 4.")]) as srv, pytest.raises(BadResponse, match="no valid Point"):
        local(srv).structured(MSG, Point, attempts=3)
    assert len(srv.requests) == 3


def test_connection_refused_names_api_base() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}/v1"
    model = LLM(ModelConfig("openai/fake", api_base=base, api_key="x", max_retries=1, backoff_base=0.01))
    with pytest.raises(ConnectionFailed, match=f"127.0.0.1:{port}"):
        model.complete(MSG)


def test_rate_limit_retry_after_is_honoured() -> None:
    with FakeOpenAI([Reply(status=429, headers={"Retry-After": "0.2"}), Reply("fine")]) as srv:
        model = local(srv, backoff_max=1.0)
        start = time.perf_counter()
        done = model.complete(MSG)
    assert done.text == "fine" and done.attempts == 2
    assert time.perf_counter() - start >= 0.2


def test_rate_limit_exhausts_retries() -> None:
    with FakeOpenAI([Reply(status=429)]) as srv, pytest.raises(RateLimited, match="rate limited"):
        local(srv, max_retries=2).complete(MSG)
    assert len(srv.requests) == 3


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_retry_then_succeed(status: int) -> None:
    with FakeOpenAI([Reply(status=status), Reply("recovered")]) as srv:
        assert local(srv).complete(MSG).text == "recovered"
    assert len(srv.requests) == 2


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_are_not_retried(status: int) -> None:
    with FakeOpenAI([Reply(status=status)]) as srv, pytest.raises(AuthenticationError, match="credentials"):
        local(srv).complete(MSG)
    assert len(srv.requests) == 1


def test_timeout_is_retried_and_reported() -> None:
    with FakeOpenAI([Reply("slow", delay=1.5)]) as srv, pytest.raises(TimedOut, match="within 0.5s"):
        local(srv, timeout=0.5, max_retries=1).complete(MSG)
    assert len(srv.requests) == 2


def test_malformed_body_is_a_clear_error() -> None:
    with FakeOpenAI([Reply(raw=b'{"choices": [{"mess')]) as srv, pytest.raises(llm_mod.LLMError) as info:
        local(srv, max_retries=0).complete(MSG)
    assert isinstance(info.value, BadResponse | ProviderError)
    assert "fake" in str(info.value)


def test_stream_cut_mid_way_raises_after_partial_text() -> None:
    with FakeOpenAI([Reply("a b c d e f g h", stream_cut_after=3)]) as srv:
        pieces: list[str] = []
        with pytest.raises(StreamInterrupted, match="cut off"):
            for piece in local(srv).stream(MSG):
                pieces.append(piece)
    assert "".join(pieces) == "a b c"
    assert len(srv.requests) == 1  # nothing already shown is retried


def test_fallback_model_is_tried_after_primary_fails() -> None:
    with FakeOpenAI([Reply(status=503), Reply(status=503), Reply("from fallback")]) as srv:
        model = local(srv, max_retries=1, fallbacks=("openai/backup",))
        done = model.complete(MSG)
    assert done.text == "from fallback" and done.model == "openai/backup"
    assert [r["model"] for r in srv.requests] == ["fake", "fake", "backup"]


def test_no_other_module_imports_litellm() -> None:
    import re
    from pathlib import Path

    root = Path(llm_mod.__file__).parent.parent.parent  # interviewer/llm/__init__.py -> the repository
    sources = [*root.joinpath("interviewer").rglob("*.py"), root / "app.py"]
    importers = [p for p in sources if re.search(r"^\s*(import litellm|from litellm\b)", p.read_text(), re.M)]
    assert importers == [root / "interviewer" / "llm" / "provider.py"]


def test_usage_is_reported_and_long_replies_are_bounded() -> None:
    calls = []
    with FakeOpenAI([Reply(" ".join(f"w{i}" for i in range(5000)))]) as srv:
        cfg = ModelConfig("openai/fake", api_base=srv.api_base, api_key="x", max_tokens=50, max_retries=0)
        model = LLM(cfg, on_usage=calls.append)
        done = model.complete(MSG)
        streamed = "".join(model.stream(MSG))
    assert len(done.text) == 400 and done.extra["truncated"] is True
    assert len(streamed) == 400
    assert [c.prompt_tokens for c in calls] == [11, 0] and all(c.latency_s > 0 for c in calls)


def test_structured_reply_cut_by_the_token_limit_is_asked_again_with_more_room() -> None:
    cut = Reply('{"x": 3, "label": "a long expla', finish_reason="length")
    with FakeOpenAI([cut, Reply('{"x": 3, "label": "short"}')]) as srv:
        point, _ = local(srv, max_tokens=100).structured(MSG, Point)
    assert point == Point(x=3, label="short")
    assert [r["max_tokens"] for r in srv.requests] == [100, 200]
    retry = srv.requests[1]["messages"]
    assert "cut off at the output limit" in retry[-1]["content"]
    assert all("long expla" not in m["content"] for m in retry)  # the broken JSON is not fed back


def test_structured_never_asks_for_more_than_four_times_the_cap() -> None:
    cut = Reply('{"x": 3, "lab', finish_reason="length")
    with FakeOpenAI([cut]) as srv, pytest.raises(BadResponse, match="cut off at the 400-token output limit"):
        local(srv, max_tokens=100).structured(MSG, Point, attempts=4)
    assert [r["max_tokens"] for r in srv.requests] == [100, 200, 400, 400]


def test_a_stream_left_early_closes_its_connection_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Left to the garbage collector, the close can land inside httpcore's pool lock during the next
    request and hang it (seen with the LLM voice); the stream must close when the reader stops."""
    import openai._streaming

    closed: list[bool] = []
    original = openai._streaming.Stream.close
    monkeypatch.setattr(openai._streaming.Stream, "close", lambda self: (closed.append(True), original(self))[1])
    with FakeOpenAI([Reply("one. two. three. four.")]) as srv:
        model = local(srv)
        pieces = model.stream(MSG)
        assert next(pieces)
        pieces.close()  # the reader stops; `pieces` is still referenced, so only an explicit close counts
        assert closed == [True]
        assert model.complete(MSG).text  # and the next request goes through


def test_stream_tries_the_fallback_model_before_any_text() -> None:
    with FakeOpenAI([Reply(status=503), Reply(status=503), Reply("streamed by the fallback")]) as srv:
        usage: list = []
        model = local(srv, max_retries=1, fallbacks=("openai/backup",))
        model.on_usage = usage.append
        text = "".join(model.stream(MSG))
    assert text == "streamed by the fallback"
    assert [r["model"] for r in srv.requests] == ["fake", "fake", "backup"]
    assert usage and usage[-1].model == "openai/backup"  # usage names the model that answered


def test_api_key_never_appears_in_a_repr() -> None:
    cfg = ModelConfig(model="openai/x", api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(cfg) and "sk-very-secret" not in str(LLM(cfg).cfg)


def test_interviewer_and_judge_have_their_own_servers_and_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.config import Settings
    from interviewer.llm import model_config_from_settings

    monkeypatch.setenv("INTERVIEW_API_BASE", "http://127.0.0.1:9000/v1")
    monkeypatch.setenv("INTERVIEW_API_KEY", "shared-key")
    monkeypatch.setenv("INTERVIEW_JUDGE_API_BASE", "http://127.0.0.1:9001/v1")
    monkeypatch.setenv("INTERVIEW_JUDGE_API_KEY", "judge-key")
    s = Settings()
    interviewer, judge = model_config_from_settings(s, "interviewer"), model_config_from_settings(s, "judge")
    assert interviewer.api_base == "http://127.0.0.1:9000/v1" and interviewer.api_key == "shared-key"
    assert judge.api_base == "http://127.0.0.1:9001/v1" and judge.api_key == "judge-key"


def test_the_offline_product_never_imports_litellm() -> None:
    """litellm takes seconds to import: building the app's services and starting an offline interview must not."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from interviewer.knowledge.bank import load_bank\n"
        "from interviewer.config import Settings\n"
        "import interviewer.services, interviewer.interview.engine, interviewer.interview.voice, interviewer.judge\n"
        "load_bank(Settings(_env_file=None).bank_dir)\n"
        "print('litellm' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[-1] == "False"
    assert llm_mod.litellm.completion is not None  # and it loads on first use
