"""When the configured judge model fails and a fallback answers, the verdict says so, and the disk cache never
serves the fallback's verdict later as the configured model's (a real OpenAI-compatible server on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.judge.llm_judge import LLMJudge
from interviewer.llm import LLM, ModelConfig
from tests.fake_openai import FakeOpenAI, Reply
from tests.test_llm_judge import ANSWER, judgement


def make_judge(srv: FakeOpenAI, cache: Path | None, samples: int = 1) -> LLMJudge:
    cfg = ModelConfig("openai/primary", api_base=srv.api_base, api_key="x", max_retries=0, fallbacks=("openai/backup",))
    return LLMJudge(LLM(cfg), cache_dir=cache, samples=samples)


@pytest.fixture
def question(bank):
    return bank.questions["mle-serving-02"]


def test_a_fallbacks_verdict_names_the_fallback_and_is_not_served_as_the_primarys(question, tmp_path: Path) -> None:
    n = len(question.key_points)
    by_backup = judgement([("covered", "dynamic batching")] * n, accuracy=5, depth=5)
    by_primary = judgement([("partial", "dynamic batching")] * n, accuracy=3, depth=3)
    cache = tmp_path / "cache"
    with FakeOpenAI([Reply(status=503), Reply(by_backup), Reply(by_primary)]) as srv:
        fallback = make_judge(srv, cache).judge(question, ANSWER)  # primary 503, the backup answers
        later = make_judge(srv, cache).judge(question, ANSWER)  # primary is back: asked, not the backup's cache
        again = make_judge(srv, cache).judge(question, ANSWER)  # now the primary's own verdict is cached
    assert [r["model"] for r in srv.requests] == ["primary", "backup", "primary"]
    assert fallback.ok and fallback.meta.model == "openai/backup" and not fallback.meta.cached
    assert later.ok and later.meta.model == "openai/primary" and not later.meta.cached
    assert later.score < fallback.score  # the primary's own judgement, not the backup's
    assert again.meta.cached and again.meta.model == "openai/primary" and again.score == later.score


def test_the_fallbacks_cached_verdict_still_names_the_fallback(question, tmp_path: Path) -> None:
    """A verdict is cached under the model that answered: a judge configured with that model gets it, named."""
    n = len(question.key_points)
    with FakeOpenAI([Reply(status=503), Reply(judgement([("covered", "dynamic batching")] * n))]) as srv:
        first = make_judge(srv, tmp_path / "cache").judge(question, ANSWER)
        cfg = ModelConfig("openai/backup", api_base=srv.api_base, api_key="x", max_retries=0)
        served = LLMJudge(LLM(cfg), cache_dir=tmp_path / "cache").judge(question, ANSWER)
    assert len(srv.requests) == 2  # served from the cache, no third request
    assert served.meta.cached and served.meta.model == "openai/backup" and served.score == first.score


def test_samples_from_two_models_name_both_and_are_not_cached(question, tmp_path: Path) -> None:
    n = len(question.key_points)
    reply = judgement([("covered", "dynamic batching")] * n)
    with FakeOpenAI([Reply(reply), Reply(status=503), Reply(reply), Reply(reply), Reply(reply)]) as srv:
        mixed = make_judge(srv, tmp_path / "cache", samples=2).judge(question, ANSWER)
        rerun = make_judge(srv, tmp_path / "cache", samples=2).judge(question, ANSWER)
    assert [r["model"] for r in srv.requests] == ["primary", "primary", "backup", "primary", "primary"]
    assert mixed.meta.model == "openai/primary, openai/backup" and not mixed.meta.cached
    assert rerun.meta.model == "openai/primary" and not rerun.meta.cached
