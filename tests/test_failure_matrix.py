"""Failure matrix over a real HTTP endpoint on 127.0.0.1 (tests/fake_openai.py), beyond tests/test_llm.py.

New failure kinds: a body cut off on the wire, JSON content cut by the token limit, a reply far longer
than `max_tokens` allows, 429 without Retry-After (exponential backoff). Then, for every failure kind:
the LLM judge returns an `error` verdict with no score, the engine keeps the question open with the
answer saved, and `LLMVoice` falls back to the template wording so the interview goes on.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from interviewer.interview.engine import Interview
from interviewer.interview.state import InterviewState
from interviewer.interview.voice import LLMVoice
from interviewer.judge import GroundedJudge
from interviewer.judge.llm_judge import Judgement, LLMJudge
from interviewer.llm import LLM, ConnectionFailed, LLMError, ModelConfig, ProviderError, RateLimited
from tests.fake_openai import FakeOpenAI, Reply, completion_body

MSG = [{"role": "user", "content": "hi"}]
QID = "mle-serving-01"
ANSWER = "I would batch score the email nightly and serve the payment risk score online at checkout."
HUGE = " ".join(f"w{i}" for i in range(8000))  # ~47k chars, varied so litellm's repeat detector stays quiet


@dataclass
class CutBody(Reply):
    """A 200 whose body stops after `keep` of its bytes although Content-Length promised all of them."""

    keep: float = 0.5


class TimedRequests(list):
    """`FakeOpenAI.requests`, also noting when each request arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, item: dict) -> None:
        self.times.append(time.perf_counter())
        super().append(item)


class WireFake(FakeOpenAI):
    def __init__(self, replies: list[Reply] | None = None) -> None:
        super().__init__(replies)
        self.requests = TimedRequests()

    def _send(self, handler, request: dict, reply: Reply) -> None:  # noqa: ANN001
        if not isinstance(reply, CutBody):
            return super()._send(handler, request, reply)
        payload = json.dumps(completion_body(reply.text, request.get("model", "fake"))).encode()
        handler.send_response(200)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload[: int(len(payload) * reply.keep)])
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_RDWR)


def llm_for(api_base: str, **kw: object) -> LLM:
    cfg: dict = dict(model="openai/fake", api_base=api_base, api_key="sk-test", timeout=0.5, max_retries=1,
                     backoff_base=0.01, backoff_max=0.05)  # fmt: skip
    cfg.update(kw)
    return LLM(ModelConfig(**cfg))


def judgement_json(feedback: str = "Good.") -> str:
    return Judgement(
        key_points=[{"index": 1, "evidence": "batch score the email nightly", "status": "covered"}],
        criteria=[
            {"criterion": "accuracy", "reasoning": "ok", "score": 4},
            {"criterion": "depth", "reasoning": "thin", "score": 2},
        ],  # fmt: skip
        injection_attempt=False,
        feedback=feedback,
    ).model_dump_json()


# -- new failure kinds at the llm boundary --------------------------------------------------------


def test_body_cut_on_the_wire_is_an_error_not_a_text() -> None:
    with WireFake([CutBody("a perfectly fine reply")]) as srv, pytest.raises(LLMError) as info:
        llm_for(srv.api_base).complete(MSG)
    # Retried like a dropped connection. (Reported as ConnectionFailed, "could not connect ... is the
    # server running": misleading, the server answered 200 and then dropped the body; see the report.)
    assert isinstance(info.value, ConnectionFailed | ProviderError) and info.value.retryable
    assert "fake" in str(info.value) and "127.0.0.1" in str(info.value)
    assert len(srv.requests) == 2  # retried once, then reported


def test_truncated_json_body_with_status_200_is_retried_then_reported() -> None:
    body = json.dumps(completion_body("hello there")).encode()
    with WireFake([Reply(raw=body[: len(body) // 2])]) as srv, pytest.raises(ProviderError, match="malformed|failed"):
        llm_for(srv.api_base, max_retries=2).complete(MSG)
    assert len(srv.requests) == 3


def test_json_content_cut_by_the_token_limit_never_becomes_a_verdict(bank) -> None:
    cut = judgement_json()[:60]  # what a model stopped by max_tokens returns: valid HTTP, half an object
    with WireFake([Reply(cut)]) as srv:
        verdict = LLMJudge(llm_for(srv.api_base)).judge(bank.questions[QID], ANSWER)
    assert verdict.status == "error" and verdict.score is None and "Judgement" in (verdict.error or "")
    assert len(srv.requests) == 3  # structured() asked three times, feeding the problem back
    assert "not valid" in srv.requests[1]["messages"][-1]["content"]


def test_429_without_retry_after_backs_off_exponentially() -> None:
    with WireFake([Reply(status=429)]) as srv, pytest.raises(RateLimited) as info:
        llm_for(srv.api_base, max_retries=3, backoff_base=0.2, backoff_max=5.0).complete(MSG)
    assert info.value.retry_after is None and "asked to wait" not in str(info.value)
    t = srv.requests.times
    gaps = [b - a for a, b in zip(t, t[1:], strict=False)]
    assert len(gaps) == 3  # 1 + max_retries requests
    for gap, wait in zip(gaps, [0.2, 0.4, 0.8], strict=True):  # base * 2**(attempt-1); slack for a busy machine
        assert wait <= gap < wait + 0.6, gaps


def test_local_server_needs_no_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A local OpenAI-compatible server (llama.cpp, vLLM, Ollama /v1) checks no key: INTERVIEW_API_BASE is enough."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with WireFake([Reply("hello")]) as srv:
        assert llm_for(srv.api_base, api_key=None).complete(MSG).text == "hello"


# -- a reply far longer than asked: what is bounded, what is not ----------------------------------


def test_oversized_reply_follow_up_is_bounded_by_the_voice(bank) -> None:
    question = bank.questions[QID]
    with WireFake([Reply(HUGE)]) as srv:
        voice = LLMVoice(llm_for(srv.api_base, timeout=5), "ML engineer", "mid")
        text = voice.follow_up(question, ANSWER, question.key_points[2], "passage")
    assert srv.requests[0]["max_tokens"] == 200  # asked for little...
    assert text == voice.fallback.follow_up(question, ANSWER, question.key_points[2], "passage")  # ...got the template


def test_oversized_non_json_reply_makes_an_error_verdict_with_a_short_message(bank) -> None:
    with WireFake([Reply(HUGE)]) as srv:
        verdict = LLMJudge(llm_for(srv.api_base, timeout=5)).judge(bank.questions[QID], ANSWER)
    assert verdict.status == "error" and verdict.score is None
    assert len(verdict.error or "") < 1000  # the error shown is bounded (llm.structured cuts it to 300)
    assert all(len(m["content"]) < 10_000 for m in srv.requests[-1]["messages"])  # the echo is cut to 4000


def test_oversized_reply_is_cut_to_the_bound_by_complete() -> None:
    with WireFake([Reply(HUGE)]) as srv:
        model = llm_for(srv.api_base, timeout=5, max_tokens=50)
        done = model.complete(MSG)
    assert srv.requests[0]["max_tokens"] == 50
    assert done.text == HUGE[: model.max_chars] and model.max_chars == 400 and done.extra["truncated"] is True


def test_oversized_stream_is_bounded(bank) -> None:
    with WireFake([Reply(HUGE)]) as srv:
        voice = LLMVoice(llm_for(srv.api_base, timeout=5, max_tokens=100), "ML engineer", "mid")
        pieces = list(voice.ask(bank.questions[QID], "Serving", 1, 3))
    body, question = "".join(pieces[1:]), bank.questions[QID].question.strip()
    # everything after the header is cut at max_tokens * 8 chars; it asked nothing, so the bank's question follows
    assert body == HUGE[:800].strip() + "\n\n" + question


def test_oversized_judge_feedback_cannot_make_a_verdict(bank) -> None:
    with WireFake([Reply(judgement_json(feedback=HUGE))]) as srv:
        verdict = LLMJudge(llm_for(srv.api_base, timeout=5)).judge(bank.questions[QID], ANSWER)
    # the reply is cut at the bound, so it is no longer valid JSON: an error, not a 47k-char feedback
    assert verdict.status == "error" and verdict.score is None and len(verdict.error or "") < 1000


# -- every failure kind, end to end: judge, engine, voice -----------------------------------------


@dataclass(frozen=True)
class Failure:
    replies: tuple[Reply, ...] = ()
    refused: bool = False
    voice_falls_back: bool = True  # False where the reply is text, just not what the judge needs


def closed_port_base() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


FAILURES = {
    "connection-refused": Failure(refused=True),
    "timeout": Failure((Reply("slow", delay=1.0),)),
    "401": Failure((Reply(status=401),)),
    "403": Failure((Reply(status=403),)),
    "429-retry-after": Failure((Reply(status=429, headers={"Retry-After": "0.01"}),)),
    "429": Failure((Reply(status=429),)),
    "500": Failure((Reply(status=500),)),
    "503": Failure((Reply(status=503),)),
    "malformed-body": Failure((Reply(raw=b'{"choices": [{"mess'),)),
    "body-cut-on-wire": Failure((CutBody("fine words"),)),
    "empty-reply": Failure((Reply(""),)),
    "json-cut-by-token-limit": Failure((Reply(judgement_json()[:60]),), voice_falls_back=False),
    "not-json": Failure((Reply("I would give this answer a 4 out of 5."),), voice_falls_back=False),
    "oversized": Failure((Reply(HUGE),), voice_falls_back=False),
    "stream-cut": Failure((Reply("a b c d e f g", stream_cut_after=2),), voice_falls_back=False),
}
# A stream that ends without one piece of text (an empty reply, or a 200 whose body is not SSE) must
# still show the question: LLMVoice.ask falls back to the bank's wording.
VOICE_CASES = list(FAILURES)


@contextlib.contextmanager
def failing_endpoint(kind: str) -> Iterator[tuple[WireFake, str]]:
    failure = FAILURES[kind]
    with WireFake(list(failure.replies) or None) as srv:
        yield srv, closed_port_base() if failure.refused else srv.api_base


def failing_interview(bank, api_base: str) -> tuple[Interview, list[dict]]:  # noqa: ANN001
    llm = llm_for(api_base, timeout=0.3)
    saved: list[dict] = []
    state = InterviewState(loop="mle", level="mid", n_questions=2, id="fixedseed", interviewer_model="openai/fake")
    interview = Interview(
        state, bank, GroundedJudge(LLMJudge(llm), None), LLMVoice(llm, "ML engineer", "mid"),
        on_change=lambda s: saved.append(json.loads(s.model_dump_json())),
    )  # fmt: skip
    return interview, saved


@pytest.mark.parametrize("kind", list(FAILURES))
def test_judge_and_engine_survive_every_failure(kind: str, bank) -> None:
    with failing_endpoint(kind) as (_srv, api_base):
        interview, saved = failing_interview(bank, api_base)
        first = [m.settle() for m in interview.start()]
        state = interview.state
        record = state.records[0]
        bound = 200 + interview.voice.llm.max_chars + len(interview.question(state.records[0]).question)
        assert first[-1].kind == "question" and len(first[-1].text) <= bound  # header + cut reply + bank question

        out = interview.respond(ANSWER)

        # the judge: an error verdict, never a score
        verdict = record.verdict
        assert verdict is not None and verdict.status == "error" and verdict.score is None and verdict.error
        assert verdict.meta is not None and verdict.meta.judge == "llm" and len(verdict.error) < 1000
        # the engine: question still open, the answer kept in memory and in storage, the error shown
        assert state.current is record and record.status == "judge_error" and record.answers == [ANSWER]
        assert out[-1].kind == "error" and "answer is saved" in out[-1].text
        assert any(s["records"][0]["answers"] == [ANSWER] and not s["records"][0]["verdicts"] for s in saved)
        assert saved[-1]["records"][0]["status"] == "judge_error" and saved[-1]["records"][0]["answers"] == [ANSWER]
        assert state.scores == [] and state.overall_score is None
        # and the interview goes on
        nudged = interview.respond("another answer")
        assert nudged[-1].kind == "notice" and record.answers == [ANSWER]
        moved = [m.settle() for m in interview.respond("/skip")]
        assert record.status == "skipped" and record.answers == [ANSWER]
        assert moved[-1].kind == "question" and state.status == "active" and len(state.records) == 2


@pytest.mark.parametrize("kind", VOICE_CASES)
def test_voice_falls_back_to_the_template_on_every_failure(kind: str, bank) -> None:
    question = bank.questions[QID]
    point = question.key_points[0]
    with failing_endpoint(kind) as (_srv, api_base):
        voice = LLMVoice(llm_for(api_base, timeout=0.3), "ML engineer", "mid")
        asked = "".join(voice.ask(question, "Serving", 1, 2))
        probe = voice.follow_up(question, ANSWER, point, "passage")
    template_ask = "".join(voice.fallback.ask(question, "Serving", 1, 2))
    template_probe = voice.fallback.follow_up(question, ANSWER, point, "passage")
    assert 0 < len(probe) <= 800  # a follow-up is always short, whatever the server sends
    if FAILURES[kind].voice_falls_back:
        assert asked == template_ask and probe == template_probe and voice.last_error
    elif kind == "stream-cut":
        # the cut came mid-sentence: the unchecked fragment is never shown, the bank's question is
        assert asked == template_ask and "a b" not in asked and voice.last_error
    else:
        assert asked.startswith(template_ask[: template_ask.index("**", 2) + 2])  # the model's own words


def test_judge_recovers_on_retry_after_the_server_does(bank) -> None:
    with WireFake([Reply(status=503)]) as srv:
        interview, _saved = failing_interview(bank, srv.api_base)
        [m.settle() for m in interview.start()]
        interview.respond(ANSWER)
        record = interview.state.records[0]
        assert record.status == "judge_error"
        srv.replies[:] = [Reply(judgement_json())]
        [m.settle() for m in interview.respond("/retry")]
    verdict = record.verdict
    assert verdict is not None and verdict.ok and verdict.score is not None
    assert record.answers == [ANSWER] and [v.status for v in record.verdicts] == ["error", "ok"]
    evidence = [kp.evidence for kp in verdict.key_points if kp.status != "missed"]
    assert evidence and all(e in ANSWER for e in evidence)
