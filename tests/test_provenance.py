"""Which interviewer worded each turn: the model that answered (a fallback model when the configured one failed)
or the templates, with the reason on that very turn; kept in the stored state and shown in the report."""

from __future__ import annotations

import json

from interviewer.interview.engine import Interview
from interviewer.interview.provenance import worded_by
from interviewer.interview.report import markdown_report
from interviewer.interview.state import InterviewState, Message
from interviewer.interview.voice import LLMVoice, TemplateVoice
from interviewer.judge import GroundedJudge
from interviewer.llm import LLM, ModelConfig
from interviewer.text.escaping import for_markdown
from tests.conftest import FakeJudge
from tests.fake_openai import FakeOpenAI, Reply

QID = "mle-serving-01"
PHRASING = "So tell me: for each of the two, would you serve from a batch job or an online endpoint, and why?"


def voice_for(srv: FakeOpenAI, fallbacks: tuple[str, ...] = ()) -> LLMVoice:
    cfg = ModelConfig("openai/voice", api_base=srv.api_base, api_key="x", max_retries=0, fallbacks=fallbacks)
    return LLMVoice(LLM(cfg), "Machine Learning Engineer", "mid")


def interview(bank, voice) -> Interview:
    state = InterviewState(loop="mle", level="mid", n_questions=1, id="provenance", fixed_questions=[QID])
    return Interview(state, bank, GroundedJudge(FakeJudge([2.0, 4.8]), None), voice, max_followups=1)


def test_each_turn_names_who_worded_it_and_a_model_failure_shows_on_that_turn(bank) -> None:
    # primary fails, the backup phrases the question; then both fail for the follow-up and the acknowledgement
    with FakeOpenAI([Reply(status=503), Reply(PHRASING), Reply(status=503)]) as srv:
        it = interview(bank, voice_for(srv, fallbacks=("openai/backup",)))
        intro, question = [m.settle() for m in it.start()]
        followup = [m.settle() for m in it.respond("Batch for the catalogue, online for fraud.")][-1]
        after = [m.settle() for m in it.respond("Online scoring needs a low-latency feature store.")]
    assert [r["model"] for r in srv.requests[:2]] == ["voice", "backup"]
    assert PHRASING in question.text and (question.source, question.source_note) == ("openai/backup", "")
    assert worded_by(question) == "Worded by openai/backup"
    assert intro.source == "template" and worded_by(intro) is None  # a plain template turn needs no caption
    assert followup.kind == "followup" and followup.source == "template" and "503" in followup.source_note
    assert worded_by(followup).startswith("Template wording: the model's reply was not used (")
    feedback, ack = [m for m in after if m.kind in ("feedback", "ack")]
    assert ack.source == "template" and ack.source_note and feedback.source is None  # feedback: the judge's

    stored = InterviewState.model_validate_json(it.state.model_dump_json())
    assert [m.source for m in stored.messages] == [m.source for m in it.state.messages]
    report = markdown_report(it.state, bank)
    line = next(x for x in report.splitlines() if x.startswith("*Interviewer:*"))
    assert all(
        for_markdown(part) in line for part in ("question: openai/backup", "followup: template (", "ack: template (")
    )


def test_the_configured_model_is_named_when_it_answers(bank) -> None:
    with FakeOpenAI([Reply(PHRASING)]) as srv:
        _, question = [m.settle() for m in interview(bank, voice_for(srv)).start()]
    assert question.source == "openai/voice" and question.source_note == ""


def test_a_reply_the_guards_refuse_is_template_wording_with_the_reason(bank) -> None:
    giveaway = "Would you use batch or online serving? Hint: a strong answer mentions feature freshness."
    with FakeOpenAI([Reply(giveaway)]) as srv:
        _, question = [m.settle() for m in interview(bank, voice_for(srv)).start()]
    assert bank.questions[QID].question.strip() in question.text
    assert question.source == "template" and question.source_note


def test_the_template_voice_and_old_stored_interviews() -> None:
    it_state = InterviewState(loop="mle", level="mid", n_questions=1)
    assert TemplateVoice().source() == ("template", "")
    old = json.loads(it_state.model_dump_json())
    old["messages"] = [{"role": "interviewer", "kind": "question", "text": "Q?"}]  # stored before sources existed
    message = InterviewState.model_validate(old).messages[0]
    assert message.source is None and message.source_note == "" and worded_by(message) is None
    note = Message(role="interviewer", kind="ack", text="x", source="template", source_note="**boom** <b>")
    assert worded_by(note) == "Template wording: the model's reply was not used (**boom** <b>)"
