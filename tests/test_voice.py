"""The LLM voice over a scripted local server: what reaches the candidate, what is refused, the fallbacks.

Each finding of the guard review (issue 20) has a regression test here, with the kind of reply a capable
model really writes.
"""

from __future__ import annotations

from interviewer.interview.engine import Interview
from interviewer.interview.state import InterviewState
from interviewer.interview.voice import LLMVoice, TemplateVoice
from interviewer.interview.voice_guards import asks, clean, drops_clause, leak
from interviewer.interview.voice_verdicts import verdict
from interviewer.judge import GroundedJudge
from interviewer.llm import LLM, ModelConfig
from tests.conftest import FakeJudge
from tests.fake_openai import FakeOpenAI, Reply


def voice_for(srv: FakeOpenAI) -> LLMVoice:
    cfg = ModelConfig("openai/voice", api_base=srv.api_base, api_key="x", max_retries=0, backoff_base=0.01)
    return LLMVoice(LLM(cfg), "Machine Learning Engineer", "mid")


def asked(bank, qid: str, reply: str) -> tuple[str, LLMVoice]:
    with FakeOpenAI([Reply(reply)]) as srv:
        voice = voice_for(srv)
        text = "".join(voice.ask(bank.questions[qid], "Stage", 1, 3))
    return text.split(".** ", 1)[1], voice


def test_question_is_asked_in_the_models_words(bank) -> None:
    q = bank.questions["mle-serving-01"]
    reply = "So tell me: for each of the two, would you serve from a batch job or an online endpoint, and why?"
    with FakeOpenAI([Reply(reply)]) as srv:
        text = "".join(voice_for(srv).ask(q, "Serving and latency", 1, 3))
        prompt = srv.requests[0]["messages"][1]["content"]
        system = srv.requests[0]["messages"][0]["content"]
    assert text == f"**Question 1 of 3 — Serving and latency.** {reply}"
    assert srv.requests[0]["stream"] is True and q.question.strip() in prompt
    assert q.reference_answer.strip()[:60] not in prompt  # the voice never sees the reference answer
    assert "Keep every part" in prompt and "only the words the candidate will hear" in system


def test_a_compound_question_split_into_two_sentences_keeps_both_halves(bank) -> None:
    reply = (
        "Your text classifier runs on CPUs at a p99 latency of 200 ms, but the product needs 50 ms, and a teammate "
        "has suggested quantization. How would you go about getting there? And how would you make sure you "
        "haven't broken the model along the way?"
    )
    text, voice = asked(bank, "mle-serving-02", reply)
    assert text == reply and voice.last_outcome.used_model_output and voice.last_outcome.reasons == []


def test_a_phrasing_that_drops_half_of_a_compound_question_gives_way_to_the_bank(bank) -> None:
    q = bank.questions["mle-serving-02"]
    reply = (
        "Your text classifier runs on CPUs at a p99 latency of 200 ms, but the product requires 50 ms. A teammate "
        "suggests quantization. How would you approach getting there?"
    )
    text, voice = asked(bank, "mle-serving-02", reply)
    assert text == q.question.strip() and not voice.last_outcome.used_model_output
    assert "leaves out part of the question" in voice.last_outcome.reasons
    assert asks(q.question) == 2 and drops_clause(reply, q.question)


def test_an_imperative_ask_is_not_followed_by_the_bank_question(bank) -> None:
    q = bank.questions["mle-training-01"]
    reply = (
        "Let's say you've written a PyTorch training loop for a new model and the loss is barely moving from its "
        "starting value. Walk me through how you'd debug it."
    )
    text, voice = asked(bank, "mle-training-01", reply)
    assert text == reply and q.question.strip() not in text and voice.last_error is None


def test_a_phrasing_that_asks_more_than_the_question_gives_way_to_the_bank(bank) -> None:
    q = bank.questions["mle-training-01"]
    reply = "The loss barely moves in your new PyTorch loop. How would you debug it? What tools would you use?"
    text, voice = asked(bank, "mle-training-01", reply)
    assert text == q.question.strip() and "asks more than the question" in voice.last_outcome.reasons


def test_a_phrasing_that_changes_a_number_or_adds_a_hint_gives_way_to_the_bank(bank) -> None:
    q = bank.questions["mle-fundamentals-01"]
    changed = q.question.replace("0.5%", "5%")
    text, voice = asked(bank, q.id, changed)
    assert text == q.question.strip() and "changes a number or fact" in voice.last_outcome.reasons
    hinted = q.question.replace("Is it a good model?", "Is it a good model? Think about a model that never flags.")
    text, voice = asked(bank, q.id, hinted)
    assert text == q.question.strip() and any("hint" in r for r in voice.last_outcome.reasons)


def test_a_meta_preamble_and_wrapping_quotes_are_removed(bank) -> None:
    q = bank.questions["mle-training-01"]
    question = "You've written a PyTorch training loop and the loss barely moves from its start. How do you debug it?"
    for reply in (f'Here\'s the question rephrased:\n\n"{question}"', f"Sure! Here's how I'd ask it:\n\n{question}"):
        text, voice = asked(bank, q.id, reply)
        assert text == question and voice.last_outcome.used_model_output and voice.last_outcome.reasons
    text, _ = asked(bank, q.id, f"{question}\n\n(I've kept the original meaning while making it more conversational.)")
    assert text == question
    assert clean(f"Interviewer: {question}\n\nCandidate:")[0] == question


def test_a_giveaway_phrasing_falls_back_to_the_bank(bank) -> None:
    q = bank.questions["mle-serving-02"]
    giveaway = f"Here is a hint: {q.key_points[0].point} So, what would you do?"
    text, voice = asked(bank, q.id, giveaway)
    assert text == q.question.strip() and not voice.last_outcome.used_model_output and voice.last_error


def test_a_phrasing_cut_before_its_question_is_followed_by_the_bank_wording(bank) -> None:
    q = bank.questions["mle-serving-01"]
    cut = "A product team wants two things. One is a recommendation email, the other a risk score at"
    text, voice = asked(bank, q.id, cut)
    assert text.startswith("A product team wants two things.") and text.endswith(q.question.strip())
    assert "ended without asking" in (voice.last_error or "")


def test_nothing_is_shown_before_the_whole_reply_is_checked(bank) -> None:
    q = bank.questions["mle-serving-01"]
    with FakeOpenAI([Reply("Let us talk about serving. How would you make this faster", stream_cut_after=7)]) as srv:
        voice = voice_for(srv)
        text = "".join(voice.ask(q, "Serving and latency", 1, 3))
    assert text == f"**Question 1 of 3 — Serving and latency.** {q.question.strip()}"
    assert "Let us talk" not in text and voice.last_error and not voice.last_outcome.used_model_output


def test_echoed_prompt_tags_are_never_shown(bank) -> None:
    q = bank.questions["mle-serving-01"]
    with FakeOpenAI([Reply("<question>\nA product team wants two things.")]) as srv:
        voice = voice_for(srv)
        ack = "".join(voice.acknowledge(q, "an answer", None))
    assert ack == TemplateVoice().transition(None)


# -- follow-ups ---------------------------------------------------------------------------------------------------
def test_the_follow_up_prompt_carries_the_probe_never_the_missed_point(bank) -> None:
    q = bank.questions["mle-serving-02"]
    point = q.key_points[3]
    reply = "You said you'd check accuracy after quantizing. Beyond that number, how would you compare the two models?"
    with FakeOpenAI([Reply(reply)]) as srv:
        text = voice_for(srv).follow_up(q, "I'd quantize and check accuracy.", point, "PASSAGE about per-slice F1")
        prompt = srv.requests[0]["messages"][1]["content"]
    assert text == reply and point.probe in prompt and "<candidate_answer>" in prompt
    assert point.point not in prompt and "PASSAGE" not in prompt and "per-slice" not in prompt


def test_a_paraphrased_giveaway_falls_back_to_the_probe(bank) -> None:
    q = bank.questions["mle-serving-02"]
    point = q.key_points[3]
    reply = "How would you compare per-slice F1 and the prediction agreement rate between the INT8 and FP32 models?"
    with FakeOpenAI([Reply(reply)]) as srv:
        voice = voice_for(srv)
        text = voice.follow_up(q, "I'd use dynamic INT8 quantization and check accuracy.", point, "")
    assert text == TemplateVoice().follow_up(q, "", point, "") and not voice.last_outcome.used_model_output


def test_a_follow_up_may_restate_what_the_candidate_said(bank) -> None:
    q = bank.questions["mle-mlops-01"]
    answer = "A registry stores model versions with their metrics and lineage. To roll back you point the production alias at the previous version."  # noqa: E501
    reply = (
        "You said rollback is just pointing the production alias at the previous version. Suppose the new model "
        "added two features and the pipeline dropped an old one. What could stop that rollback from working?"
    )
    assert leak(reply, q, q.question, bank_dir_of(bank)) is not None  # the candidate's words look like a leak...
    with FakeOpenAI([Reply(reply)]) as srv:
        assert voice_for(srv).follow_up(q, answer, q.key_points[4], "") == reply  # ...but they are theirs


def test_a_follow_up_that_names_the_point_or_grades_falls_back_to_the_probe(bank) -> None:
    q = bank.questions["mle-serving-04"]
    point = q.key_points[3]
    answer = "Each call gets a timeout and we fall back to a rules-based score."
    for reply in (
        "Have you thought about adding a circuit breaker and load shedding so it stops waiting on the feature store?",
        "Great answer! What stops thousands of requests from piling retries onto the struggling feature store?",
        "You said timeouts. Why? How many? Which ones? At what cost?",
    ):
        with FakeOpenAI([Reply(reply)]) as srv:
            assert voice_for(srv).follow_up(q, answer, point, "") == TemplateVoice().follow_up(q, "", point, "")


# -- acknowledgements ---------------------------------------------------------------------------------------------
def acknowledged(bank, reply: str, answer: str = "I rolled back within 15 minutes.", stage: str | None = "Data"):
    q = bank.questions["mle-production_story-03"]
    with FakeOpenAI([Reply(reply)]) as srv:
        voice = voice_for(srv)
        pieces = voice.acknowledge(q, answer, stage)
        first = next(pieces)
        assert len(srv.requests) == 1  # the first piece came only after the whole reply was read
        text = first + "".join(pieces)
        prompt = srv.requests[0]["messages"][1]["content"]
    return text, voice, prompt


def test_acknowledgement_and_transition_are_generated(bank) -> None:
    reply = "Thanks for explaining how you worked out when something was wrong upstream. Let's move on to data."
    text, voice, prompt = acknowledged(bank, reply)
    assert text == reply and voice.last_outcome.used_model_output
    assert "I rolled back within 15 minutes." in prompt and "<candidate_answer>" in prompt
    assert "Ask no question" in prompt


def test_an_acknowledgement_that_grades_in_any_words_is_not_shown(bank) -> None:
    for reply in (
        "Great answer, you nailed the rollback story. Let's move on to data.",
        "Mostly there, but you missed the communication piece. Moving on to data.",
        "Thanks for your detailed response on the rollback. Let's move on to data.",
        "Thanks! I'd give that about a 3/5. Let's move on to data.",
        "That's exactly right. Let's move on to data.",
    ):
        text, voice, _ = acknowledged(bank, reply)
        assert text == TemplateVoice().transition("Data"), reply
        assert any("grades the answer" in r for r in voice.last_outcome.reasons), reply
    assert verdict("Thanks for explaining what was wrong upstream.") is None


def test_an_acknowledgement_is_released_only_once_it_is_whole(bank) -> None:
    text, _, _ = acknowledged(bank, "Thanks for the rollback story. You could have mentioned the postmortem. Onward.")
    assert "Thanks for the rollback story" not in text and text == TemplateVoice().transition("Data")


def test_an_acknowledgement_that_asks_or_teaches_is_not_shown(bank) -> None:
    for reply in (
        "Thanks, the rollback is clear. Could you say more about alerts? Moving on.",
        "Thanks. To be clear, the key is a blameless postmortem with new alerts. Moving on to data.",
    ):
        text, _, _ = acknowledged(bank, reply)
        assert text == TemplateVoice().transition("Data") and "?" not in text


def test_model_failure_falls_back_and_the_interview_continues(bank) -> None:
    state = InterviewState(loop="mle", level="mid", n_questions=2, id="voicefail")
    with FakeOpenAI([Reply(status=503)]) as srv:
        interview = Interview(state, bank, GroundedJudge(FakeJudge([4.8, 4.8]), None), voice_for(srv))
        first = [m.settle() for m in interview.start()]
        assert bank.questions[state.records[0].question_id].question.strip() in first[-1].text
        out = [m.settle() for m in interview.respond("A complete answer.")]
    assert [m.kind for m in out] == ["feedback", "ack", "question"]
    assert out[1].text.startswith("Thanks. Let's move on to") and state.records[0].status == "scored"
    assert interview.voice.last_error and "voice" in interview.voice.last_error


def bank_dir_of(bank) -> object:  # noqa: ARG001 - the voice measures word rarity on the repository's bank
    from interviewer.interview.voice import BANK_DIR

    return BANK_DIR


def test_a_question_that_coordinates_two_verbs_may_be_asked_as_two_clauses(bank) -> None:
    q = bank.questions["llm-agents-02"]  # "How do you diagnose this and stop it from happening?"
    reply = (
        "Your support agent occasionally gets stuck: in one trace it called the same knowledge-base search tool 30 "
        "times with slightly different queries and spent about $4 on a single ticket. How would you diagnose "
        "what's going on, and how would you stop it from happening?"
    )
    text, voice = asked(bank, q.id, reply)
    assert text == reply and voice.last_outcome.reasons == []
    extra = reply.replace("from happening?", "from happening? And which vendor would you switch to?")
    assert asked(bank, q.id, extra)[0] == q.question.strip()


def test_a_scenario_introduced_with_a_colon_is_not_a_preamble(bank) -> None:
    q = bank.questions["mle-fundamentals-05"]
    reply = (
        "Here's a tabular prediction problem: about two million rows and 200 mixed numeric and categorical "
        "features. Would you start with gradient-boosted trees or a neural network? I'd like to hear you defend "
        "your choice."
    )
    assert asked(bank, q.id, reply)[0] == reply
