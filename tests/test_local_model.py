"""The local-model path over the wire: llama.cpp's OpenAI-compatible server with SmolLM2-135M (GGUF).

Everything goes through `interviewer.llm.LLM` and litellm as `openai/smollm2` + api_base, exactly as the
app does when INTERVIEW_INTERVIEWER_MODEL / INTERVIEW_API_BASE point at a local server. The model is far
too weak to interview or judge well, so these tests check the plumbing and the guarantees (no made-up
score, the interview goes on), never the quality. Needs `scripts/local-model.sh install`; without it the
tests fail (they are not skipped): CI installs it.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator

import pytest

from interviewer.interview.engine import Interview
from interviewer.interview.state import InterviewState
from interviewer.interview.voice import LLMVoice, TemplateVoice
from interviewer.interview.voice_guards import asks
from interviewer.judge import GroundedJudge
from interviewer.judge.guards import quote_in_answer
from interviewer.judge.llm_judge import LLMJudge, overall_score
from interviewer.llm import LLM, BadResponse, Completion, ModelConfig, model_config_from_settings
from tests.conftest import FakeJudge
from tests.local_model import ALIAS, LocalModelMissing, LocalServer, find_gguf, require_llama_cpp

pytestmark = [pytest.mark.local, pytest.mark.slow]

MODEL = f"openai/{ALIAS}"
QID = "mle-serving-01"
ANSWER = (
    "For the marketing email I would use batch inference: a nightly job scores every user and writes the top "
    "items to a key-value store. The card payment risk score needs online inference at checkout, because the "
    "amount and merchant only exist at request time, with a latency budget of tens of milliseconds."
)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    missing = None
    try:
        require_llama_cpp()
        find_gguf()
    except LocalModelMissing as err:
        missing = str(err)
    if missing:  # fail, not skip: CI installs them
        pytest.fail(f"The local-model tests need llama.cpp and the bundled model: {missing}", pytrace=False)
    with LocalServer() as srv:
        yield srv


def llm(server: LocalServer, **kw: object) -> LLM:
    cfg: dict = dict(model=MODEL, api_base=server.api_base, api_key="local", timeout=60, max_retries=0,
                     max_tokens=32)  # fmt: skip
    cfg.update(kw)
    return LLM(ModelConfig(**cfg))


def test_chat_completion_through_settings(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from interviewer.config import get_settings

    monkeypatch.setenv("INTERVIEW_INTERVIEWER_MODEL", MODEL)
    monkeypatch.setenv("INTERVIEW_API_BASE", server.api_base)
    monkeypatch.setenv("INTERVIEW_API_KEY", "local")
    monkeypatch.setenv("INTERVIEW_MAX_OUTPUT_TOKENS", "16")
    get_settings.cache_clear()
    model = LLM(model_config_from_settings(get_settings(), "interviewer"))
    done = model.complete([{"role": "user", "content": "Name one colour."}])
    assert done.text.strip() and done.model == MODEL
    assert 0 < done.completion_tokens <= 16 and done.prompt_tokens > 0
    assert done.extra["finish_reason"] in ("stop", "length") and done.latency_s > 0


def test_stream_arrives_in_pieces(server: LocalServer) -> None:
    usage: list[Completion] = []
    model = LLM(llm(server).cfg, on_usage=usage.append)
    pieces = list(model.stream([{"role": "user", "content": "Count from one to ten."}], max_tokens=24))
    assert len(pieces) > 3 and "".join(pieces).strip()
    assert len(usage) == 1 and usage[0].latency_s > 0


def offline_or_scripted_judge() -> object:
    """The real offline judge when it is there (it needs only the bundled embedder), else a scripted one."""
    if importlib.util.find_spec("interviewer.judge.offline_scorer") is None:
        return FakeJudge([2.0, 5.0])
    from interviewer.judge.offline import OfflineJudge
    from interviewer.judge.offline_scorer import OfflineScorer

    return OfflineJudge(OfflineScorer())


def test_interview_turn_with_the_llm_voice(server: LocalServer, bank) -> None:
    voice = LLMVoice(llm(server, max_tokens=48), "ML engineer", "mid")
    state = InterviewState(loop="mle", level="mid", n_questions=2, id="fixedseed", interviewer_model=MODEL)
    state.fixed_questions = [QID, "mle-training-01"]
    interview = Interview(state, bank, GroundedJudge(offline_or_scripted_judge(), None), voice, max_followups=1)
    asked = [m.settle() for m in interview.start()][-1]
    assert asked.kind == "question" and asked.text.startswith("**Question 1 of 2")
    # the real model was asked; its phrasing is shown (cut at 48 tokens, perhaps followed by the bank's wording)
    # or, when the guards refuse it (a 135M model often drops a clause or changes a number), the bank's question
    # is, and the outcome says why: plumbing, not quality
    outcome, question = voice.last_outcome, bank.questions[QID].question.strip()
    assert outcome is not None and (outcome.used_model_output or (outcome.reasons and asked.text.endswith(question)))
    assert asks(asked.text.split(".** ", 1)[1]) >= 1

    out = [m.settle() for m in interview.respond(ANSWER)]
    if out[-1].kind == "followup":  # asked by the real model (or the template if it leaked or rambled)
        assert 0 < len(out[-1].text) <= 800
        out = [m.settle() for m in interview.respond("And the features are fetched at request time.")]
    kinds = [m.kind for m in out]
    assert "feedback" in kinds and kinds[-1] == "question" and all(m.text.strip() for m in out)
    record = state.records[0]
    assert record.status == "scored" and record.verdict is not None and record.verdict.ok
    assert record.answers[0] == ANSWER and len(state.records) == 2
    # whatever a 135M model says, the turn keeps the rules: the acknowledgement asks and echoes nothing,
    # and the next question is asked (the model's phrasing, or the bank's wording after it)
    acks = [m.text for m in out if m.kind == "ack"]
    assert all("?" not in a and "<question>" not in a for a in acks)
    assert out[-1].kind == "question" and asks(out[-1].text.split(".** ", 1)[1]) >= 1  # a question or "Walk me..."


def test_llm_judge_never_makes_up_a_score(server: LocalServer, bank) -> None:
    question = bank.questions[QID]
    verdict = LLMJudge(llm(server, max_tokens=96)).judge(question, ANSWER)
    if verdict.status == "error":
        assert verdict.score is None and verdict.error and "could not score" in verdict.error
        return
    # A verdict: every credited key point quotes the answer, and the score is computed from the parts.
    assert verdict.score is not None and 1 <= verdict.score <= 5
    for kp in verdict.key_points:
        assert kp.status == "missed" or (kp.evidence and quote_in_answer(kp.evidence, ANSWER)), kp
    expected = overall_score(verdict.key_points, verdict.criteria)
    assert verdict.score == expected or ("injection" in verdict.flags and verdict.score <= expected)


def test_interview_goes_on_when_the_llm_judge_errors(server: LocalServer, bank) -> None:
    # 8 tokens cannot hold a Judgement: the real server cuts the JSON, every attempt fails validation.
    # Same question and answer as the test above, so llama.cpp's prefix cache spares the prompt (~850 tokens).
    judge = GroundedJudge(LLMJudge(llm(server, max_tokens=8)), None)
    saved: list[dict] = []
    state = InterviewState(loop="mle", level="mid", n_questions=2, id="fixedseed", judge_model=MODEL)
    state.fixed_questions = [QID, "mle-training-01"]
    interview = Interview(state, bank, judge, TemplateVoice(),
                          on_change=lambda s: saved.append(json.loads(s.model_dump_json())))  # fmt: skip
    [m.settle() for m in interview.start()]
    out = interview.respond(ANSWER)
    record = state.records[0]
    assert record.verdict is not None and record.verdict.status == "error" and record.verdict.score is None
    assert "could not score" in (record.verdict.error or "")
    assert record.status == "judge_error" and record.answers == [ANSWER] and state.current is record
    assert out[-1].kind == "error" and "answer is saved" in out[-1].text
    assert saved[-1]["records"][0]["answers"] == [ANSWER] and state.scores == []
    moved = [m.settle() for m in interview.respond("/skip")]
    assert moved[-1].kind == "question" and record.status == "skipped" and len(state.records) == 2
    assert state.records[1].question_id == "mle-training-01" and state.status == "active"


def test_prompt_over_the_context_window_is_a_clear_error(server: LocalServer) -> None:
    with pytest.raises(BadResponse, match="context window"):
        llm(server).complete([{"role": "user", "content": "word " * 3000}])  # > n_ctx 2048
