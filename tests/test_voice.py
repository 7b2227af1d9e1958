"""The LLM voice over a scripted local server: streamed phrasing, leak guard, fallbacks."""

from __future__ import annotations

import pytest

from interviewer.engine import Interview
from interviewer.judge import GroundedJudge
from interviewer.llm import LLM, ModelConfig
from interviewer.state import InterviewState
from interviewer.voice import LLMVoice, Rejected, TemplateVoice, checked_sentences, leaks
from tests.conftest import FakeJudge
from tests.fake_openai import FakeOpenAI, Reply


def voice_for(srv: FakeOpenAI) -> LLMVoice:
    cfg = ModelConfig("openai/voice", api_base=srv.api_base, api_key="x", max_retries=0, backoff_base=0.01)
    return LLMVoice(LLM(cfg), "Machine Learning Engineer", "mid")


def test_question_is_streamed_in_the_models_words(bank) -> None:
    q = bank.questions["mle-serving-01"]
    with FakeOpenAI([Reply("So tell me, how would you serve this model?")]) as srv:
        text = "".join(voice_for(srv).ask(q, "Serving and latency", 1, 3))
        prompt = srv.requests[0]["messages"][1]["content"]
    assert text.startswith("**Question 1 of 3 — Serving and latency.** So tell me")
    assert srv.requests[0]["stream"] is True and q.question.strip() in prompt
    assert q.reference_answer.strip()[:60] not in prompt  # the voice never sees the reference answer


def test_follow_up_that_leaks_a_key_point_falls_back_to_the_probe(bank) -> None:
    q = bank.questions["mle-serving-02"]
    point = q.key_points[0]
    with FakeOpenAI([Reply(f"Good. Did you consider this: {point.point}?")]) as srv:
        text = voice_for(srv).follow_up(q, "I'd add GPUs.", point, "passage")
        prompt = srv.requests[0]["messages"][1]["content"]
    assert text == TemplateVoice().follow_up(q, "", point, "") and point.probe in text
    assert "<candidate_answer>" in prompt and "never state it" in prompt


def test_good_follow_up_is_used(bank) -> None:
    q = bank.questions["mle-serving-02"]
    point = q.key_points[0]
    reply = "You mentioned adding GPUs. Before spending money, how would you find out where the time goes?"
    with FakeOpenAI([Reply(reply)]) as srv:
        assert voice_for(srv).follow_up(q, "I'd add GPUs.", point, "passage") == reply
    assert not leaks(reply, q)


def test_model_failure_falls_back_and_the_interview_continues(bank) -> None:
    state = InterviewState(loop="mle", level="mid", n_questions=2, id="voicefail")
    with FakeOpenAI([Reply(status=503)]) as srv:
        interview = Interview(state, bank, GroundedJudge(FakeJudge([4.8, 4.8]), None), voice_for(srv))
        first = [m.settle() for m in interview.start()]
        assert bank.questions[state.records[0].question_id].question.strip() in first[-1].text
        out = [m.settle() for m in interview.respond("A complete answer.")]
    assert [m.kind for m in out] == ["feedback", "ack", "question"]
    assert out[1].text == " (moving on)" and state.records[0].status == "scored"
    assert interview.voice.last_error and "voice" in interview.voice.last_error


def test_acknowledgement_and_transition_are_generated(bank) -> None:
    state = InterviewState(loop="llm", level="senior", n_questions=2, id="voiceack")
    replies = [
        Reply("First question, phrased?"),
        Reply("Thanks, the eval set idea is clear. On to agents."),
        Reply("Second question, phrased?"),
    ]
    with FakeOpenAI(replies) as srv:
        interview = Interview(state, bank, GroundedJudge(FakeJudge([4.9]), None), voice_for(srv))
        [m.settle() for m in interview.start()]
        out = [m.settle() for m in interview.respond("I would build an eval set first.")]
        ack_prompt = srv.requests[1]["messages"][1]["content"]
    assert out[1].kind == "ack" and "eval set idea" in out[1].text
    assert "I would build an eval set first." in ack_prompt and "<candidate_answer>" in ack_prompt


def test_sentences_are_released_only_after_the_check() -> None:
    pieces = iter(["You men", "tioned batching. The ans", "wer is int8 quantization. More."])
    seen: list[str] = []
    with pytest.raises(Rejected, match="int8"):
        for sentence in checked_sentences(pieces, lambda text: "int8" in text):
            seen.append(sentence)
    assert seen == ["You mentioned batching."]
    assert list(checked_sentences(iter(["One. Tw", "o"]), lambda _: False)) == ["One.", " Two"]


def test_an_acknowledgement_that_grades_the_answer_is_not_shown(bank) -> None:
    state = InterviewState(loop="llm", level="senior", n_questions=2, id="voicegrade")
    replies = [
        Reply("First question, phrased?"),
        Reply("That's exactly right, a strong answer. On to agents."),
        Reply("Second question, phrased?"),
    ]
    with FakeOpenAI(replies) as srv:
        interview = Interview(state, bank, GroundedJudge(FakeJudge([4.9]), None), voice_for(srv))
        [m.settle() for m in interview.start()]
        out = [m.settle() for m in interview.respond("I would build an eval set first.")]
    assert out[1].kind == "ack" and out[1].text == " (moving on)"
    assert "exactly right" not in " ".join(m.text for m in out)
    assert "judged the answer" in (interview.voice.last_error or "")


def test_a_question_phrasing_that_gives_away_the_answer_falls_back_to_the_bank(bank) -> None:
    q = bank.questions["mle-serving-02"]
    giveaway = f"Here is a hint: {q.key_points[0].point} So, what would you do?"
    with FakeOpenAI([Reply(giveaway)]) as srv:
        voice = voice_for(srv)
        text = "".join(voice.ask(q, "Serving and latency", 2, 3))
    assert q.key_points[0].point not in text and text.endswith(q.question.strip())
    assert "gave away" in (voice.last_error or "")


def test_a_stream_cut_after_a_checked_sentence_keeps_it_and_shows_the_question(bank) -> None:
    q = bank.questions["mle-serving-01"]
    with FakeOpenAI([Reply("Let us talk about serving. How would you make this faster", stream_cut_after=7)]) as srv:
        voice = voice_for(srv)
        text = "".join(voice.ask(q, "Serving and latency", 1, 3))
    assert "Let us talk about serving." in text and "How would you" not in text
    assert "cut off" in text and text.endswith(q.question.strip()) and voice.last_error


def test_a_phrasing_that_asks_several_questions_stops_at_the_first(bank) -> None:
    q = bank.questions["mle-serving-01"]
    assert q.question.count("?") <= 1
    rambling = "How would you serve it? What hardware? What batch size? And what about caching?"
    with FakeOpenAI([Reply(rambling)]) as srv:
        voice = voice_for(srv)
        text = "".join(voice.ask(q, "Serving and latency", 1, 3))
    assert text.endswith("How would you serve it?") and text.count("?") == 1  # it stops at its first question
    assert "What hardware?" not in text and "stops at its first question" in (voice.last_error or "")
    preamble = "Let us talk about serving. How would you serve it? What hardware?"
    with FakeOpenAI([Reply(preamble)]) as srv:
        text = "".join(voice_for(srv).ask(q, "Serving and latency", 1, 3))
    assert text.endswith("How would you serve it?") and text.count("?") == 1


def test_an_acknowledgement_that_asks_a_question_is_cut_before_it(bank) -> None:
    q = bank.questions["llm-evals-02"]
    reply = "Thanks, the eval set is a good start. Could you say more about labels? Moving on."
    with FakeOpenAI([Reply(reply)]) as srv:
        voice = voice_for(srv)
        ack = "".join(voice.acknowledge(q, "I would build an eval set first.", "Agents"))
    assert ack == "Thanks, the eval set is a good start." and "?" not in ack


def test_a_follow_up_with_a_string_of_questions_falls_back_to_the_probe(bank) -> None:
    q = bank.questions["mle-serving-02"]
    point = q.key_points[0]
    reply = "You said GPUs. Why? How many? Which ones? At what cost?"
    with FakeOpenAI([Reply(reply)]) as srv:
        text = voice_for(srv).follow_up(q, "I'd add GPUs.", point, "passage")
    assert text == TemplateVoice().follow_up(q, "", point, "")


def test_a_phrasing_cut_before_its_question_is_followed_by_the_bank_wording(bank) -> None:
    q = bank.questions["mle-serving-01"]
    with FakeOpenAI([Reply("The team has two models to serve and a tight budget. The loss only moves")]) as srv:
        voice = voice_for(srv)
        text = "".join(voice.ask(q, "Serving and latency", 1, 3))
    assert "two models to serve" in text and text.endswith(q.question.strip())
    assert "ended without asking" in (voice.last_error or "")


def test_echoed_prompt_tags_are_never_shown(bank) -> None:
    q = bank.questions["mle-serving-01"]
    with FakeOpenAI([Reply("<question>\nA product team wants two things.")]) as srv:
        voice = voice_for(srv)
        ack = "".join(voice.acknowledge(q, "an answer", None))
    assert ack == " (moving on)"


def test_a_rejected_reply_closes_its_source_at_once() -> None:
    closed: list[bool] = []

    def source():
        try:
            yield "A giveaway sentence. "
            yield "More text."
        finally:
            closed.append(True)

    pieces = source()  # kept referenced: only an explicit close can close it now
    with pytest.raises(Rejected):
        list(checked_sentences(pieces, lambda _text: True))
    assert closed == [True]
