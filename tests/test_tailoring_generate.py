"""Generated questions (a model configured, consent given), with litellm mock_response: only whole,
self-consistent, grounded questions in the bank's schema survive."""

from __future__ import annotations

import json

from interviewer.llm import LLM, ModelConfig
from interviewer.tailoring.generate import generate_questions
from interviewer.tailoring.plan import plan_interview
from tests.test_tailoring import POSTINGS

MODEL = LLM(ModelConfig("openai/gpt-4o-mini", api_key="sk-test", max_retries=0))


def _draft(bank, **changes):
    base = bank.questions["llm-retrieval-02"]
    draft = {
        "stage": base.stage,
        "question": "Ledgerly's assistant answers from policy PDFs whose fee tables get split across chunks, so "
        "customers are quoted the wrong fee. What would you change in ingestion, and how would you prove it helped?",
        "key_points": [kp.model_dump() for kp in base.key_points],
        "anchors": {str(k): v for k, v in base.anchors_for("mid").items()},
        "reference_answer": base.reference_for("mid"),
        "citations": [c.model_dump() for c in base.citations],
        "tags": ["chunking", "tables"],
        "red_flags": [],
    }
    draft.update(changes)
    return draft


def test_only_valid_grounded_self_consistent_questions_are_kept(services) -> None:
    bank = services.bank
    posting = POSTINGS["llm-rag"].text
    plan = plan_interview(bank, "llm", "mid", posting, 4, services.embedder)
    good = _draft(bank)
    bad_weights = _draft(bank, key_points=[{**kp, "weight": 0.9} for kp in good["key_points"]])
    bad_citation = _draft(bank, citations=[{"doc": "no-such-doc", "section": "Nowhere"}])
    inconsistent = _draft(bank, reference_answer="I would simply use a bigger model and hope it works out fine. " * 2)
    bad_stage = _draft(bank, stage="astrology")
    kept, notices = generate_questions(
        services, "llm", "mid", posting, plan, 2, llm=MODEL, mock_response=json.dumps(good)
    )
    assert [q.question for q in kept] == [good["question"]], notices  # the second, identical draft is a duplicate
    assert kept[0].id.startswith("llm-retrieval-8") and kept[0].id not in bank.questions
    assert kept[0].levels == ["mid"] and kept[0].rubric_version
    assert notices == ["1 generated question(s) dropped: question 2: a near-duplicate of a bank or generated question"]
    for draft, reason in [
        (bad_weights, "not in the bank's schema"),
        (bad_citation, "resolves to no indexed chunk"),
        (inconsistent, "reference answer scores"),
        (bad_stage, "unknown stage"),
    ]:
        kept, notices = generate_questions(
            services, "llm", "mid", posting, plan, 1, llm=MODEL, mock_response=json.dumps(draft)
        )
        assert kept == [] and len(notices) == 1 and reason in notices[0], notices


def test_a_model_failure_is_a_notice_not_a_half_question(services) -> None:
    plan = plan_interview(services.bank, "llm", "mid", "RAG", 2, services.embedder)
    kept, notices = generate_questions(services, "llm", "mid", "RAG", plan, 2, llm=MODEL, mock_response="not json")
    assert kept == [] and notices and "2 question(s) could not be generated" in notices[0]
