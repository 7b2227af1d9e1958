"""Full loops, single rounds and the per-kind flows through the engine, on the fixture bank with a scripted judge."""

from __future__ import annotations

import pytest

from interviewer.interview.engine import Interview
from interviewer.interview.policy import plan_interview, served_stages
from interviewer.interview.state import InterviewState
from interviewer.interview.voice import TemplateVoice
from interviewer.judge import GroundedJudge
from interviewer.judge.star import PROBES
from interviewer.knowledge.bank import load_bank
from tests.conftest import FakeJudge
from tests.fixture_bank import write_fixture_bank


@pytest.fixture(scope="module")
def fbank(tmp_path_factory: pytest.TempPathFactory):
    bank = load_bank(write_fixture_bank(tmp_path_factory.mktemp("loops") / "bank"))
    assert not bank.errors, bank.errors
    return bank


def make(bank, script, loop="mle", level="mid", mode="full", n=5, stage=None, max_followups=1, exercises=()):
    state = InterviewState(loop=loop, level=level, n_questions=n, mode=mode, round_stage=stage, id="loopseed")
    judge = FakeJudge(script)
    interview = Interview(
        state,
        bank,
        GroundedJudge(judge, None),
        TemplateVoice(),
        max_followups=max_followups,
        prefetch=False,
        exercises=exercises,
    )
    return interview, judge


def texts(messages) -> list[str]:
    return [m.settle().text for m in messages]


def test_full_loop_plans_the_stages_serving_the_level_in_order(fbank) -> None:
    assert plan_interview(fbank, "mle", "mid", "full", 0) == ["fundamentals", "stats", "system_design", "behavioral"]
    # junior: stats has no junior question, system_design does not serve junior
    assert plan_interview(fbank, "mle", "junior", "full", 0) == ["fundamentals", "behavioral"]
    assert plan_interview(fbank, "llm", "senior", "full", 0) == [
        "llm_internals",
        "prompting",
        "deep_dive",
        "behavioral",
    ]
    # a round: at most as many questions as the stage has at the level
    assert plan_interview(fbank, "mle", "junior", "round", 5, "fundamentals") == ["fundamentals"] * 2
    assert plan_interview(fbank, "mle", "junior", "round", 5, "system_design") == []


def test_stage_levels_are_honoured_even_when_a_question_is_tagged_for_the_level(fbank) -> None:
    design = fbank.questions["mle-system_design-01"]
    tagged = fbank.questions | {design.id: design.model_copy(update={"levels": ["junior", "mid", "senior"]})}
    bank = type(fbank)(loops=fbank.loops, questions=tagged)
    assert "junior" not in bank.loops["mle"].levels_of("system_design")
    assert "system_design" not in served_stages(bank, "mle", "junior")


def test_coding_is_planned_only_with_exercises(fbank) -> None:
    class Exercise:
        id, title, loops, levels, signature = "softmax", "Softmax", ["mle", "llm"], ["mid"], "softmax(x)"

    assert served_stages(fbank, "mle", "mid", [Exercise()])[0] == "coding"
    assert "coding" not in served_stages(fbank, "mle", "mid")
    # without the coding engine path, the engine leaves the coding stage out even if exercises exist
    interview, _ = make(fbank, [5.0] * 20, exercises=[Exercise()])
    interview.start()
    assert "coding" not in interview.state.stage_plan and interview.state.n_questions == 4


def test_a_full_mle_loop_runs_every_kind(fbank) -> None:
    interview, judge = make(fbank, lambda _a: 5.0)
    first = interview.start()
    assert [m.kind for m in first] == ["intro", "question"] and "4 question(s)" in first[0].text
    stages = []
    for _ in range(30):
        if interview.state.status == "finished":
            break
        record = interview.state.current
        stages.append(record.stage)
        answer = "n = 7.84 x 0.0997 / 0.000025, about 31,000 users per arm."
        if record.kind == "behavioral":
            answer = (
                "At my last company our team disagreed about batch versus streaming, and my task was the pipeline. "
                "I built both versions and I wrote a comparison. As a result we chose streaming, which caught 30% "
                "more fraud. Looking back, I would agree the criteria first."
            )
        interview.respond(answer)
    state = interview.state
    assert state.status == "finished" and [r.stage for r in state.records] == state.stage_plan
    assert [r.kind for r in state.records] == ["open", "numeric", "case", "behavioral"]
    assert all(r.status == "scored" and r.score == 5.0 for r in state.records)
    case = state.records[2]
    assert [p.status for p in case.phases] == ["scored"] * 3 and len(case.answers) == 3
    assert [p.name for p in case.verdict.parts] == ["requirements", "modelling", "serving"]
    phase_prompts = [m.text for m in state.messages if m.kind == "phase"]
    assert [t.split(":")[0] for t in phase_prompts] == ["**Part 1 of 3", "**Part 2 of 3", "**Part 3 of 3"]
    assert state.messages[-1].kind == "summary"


def test_case_moves_phase_by_phase_with_its_own_follow_up(fbank) -> None:
    # phase 1: weak then better (a follow-up on phase 1's point), phase 2 strong, phase 3 weak twice
    interview, judge = make(fbank, [2.0, 4.0, 5.0, 1.5, 2.0], mode="round", stage="system_design", n=1)
    out = interview.start()
    assert [m.kind for m in out] == ["intro", "question", "phase"]
    design = fbank.questions["mle-system_design-01"]
    assert design.phases[0].prompt in out[-1].text
    out = interview.respond("I would ask what to optimise.")
    assert [m.kind for m in out] == ["followup"]
    phase_one_probes = [kp.probe for kp in design.phases[0].key_points]
    assert any(p in out[0].text for p in phase_one_probes)
    out = interview.respond("Clicks and purchases, offline NDCG and an online A/B test.")
    assert [m.kind for m in out] == ["phase"] and design.phases[1].prompt in out[0].text
    # the judge saw each phase's own answer, the follow-up joined to its phase
    assert (
        judge.calls[1] == "I would ask what to optimise.\n\nClicks and purchases, offline NDCG and an online A/B test."
    )
    interview.respond("Two stages: retrieval then a ranker.")
    interview.respond("Not sure.")
    out = interview.respond("Still not sure.")
    record = interview.state.records[0]
    assert record.status == "scored" and interview.state.status == "finished"
    assert [p.verdict.score for p in record.phases] == [4.0, 5.0, 2.0]
    assert record.score == pytest.approx((4.0 + 5.0 + 2.0) / 3, abs=0.01)
    feedback = next(m for m in interview.state.messages if m.kind == "feedback")
    assert "Requirements and metrics: 4.0" in feedback.text and "Weakest phase" in feedback.text


def test_case_skip_and_end_score_unanswered_phases_as_no_credit(fbank) -> None:
    interview, _ = make(fbank, [5.0, 5.0], mode="round", stage="system_design", n=1)
    interview.start()
    out = interview.respond("/skip")
    assert [m.kind for m in out] == ["ack", "phase"] and "Part 2 of 3" in out[1].text
    interview.respond("Two stages, retrieval and a ranker, labels from clicks.")
    assert interview.state.records[0].current_phase[0] == 2
    why = texts(interview.respond("/why"))[0]
    assert why.startswith("Why 5.0/5")  # the phase just scored
    interview.respond("/end")
    record = interview.state.records[0]
    assert [p.status for p in record.phases] == ["skipped", "scored", "skipped"]
    assert record.status == "scored" and record.score == pytest.approx((1 + 5 + 1) / 3, abs=0.01)


def test_case_judge_failure_keeps_the_phase_open_and_retry_scores_it(fbank) -> None:
    interview, judge = make(fbank, ["The model timed out.", 5.0, 5.0, 5.0], mode="round", stage="system_design", n=1)
    interview.start()
    out = interview.respond("Optimise purchases within 100 ms.")
    assert [m.kind for m in out] == ["error"] and interview.state.records[0].phases[0].status == "judge_error"
    assert [m.kind for m in interview.respond("/retry")] == ["phase"]
    assert judge.calls == ["Optimise purchases within 100 ms."] * 2
    assert interview.state.records[0].phases[0].verdict.score == 5.0


def test_numeric_without_a_number_is_asked_for_it(fbank) -> None:
    interview, judge = make(fbank, [4.0, 4.0], mode="round", stage="stats", n=1)
    interview.start()
    out = interview.respond("I would use the two-proportion formula with z values 1.96 and 0.84.")
    assert [m.kind for m in out] == ["followup"] and "what number do you land on, in users per arm" in out[0].text
    interview.respond("That gives about 31,000 users per arm.")
    record = interview.state.records[0]
    assert record.status == "scored" and record.score == pytest.approx(3.0 + 0.5 * 3.0)


def test_behavioral_probe_pushes_for_a_measurable_result(fbank) -> None:
    interview, _ = make(fbank, [4.0, 4.0], mode="round", stage="behavioral", n=1)
    interview.start()
    out = interview.respond(
        "At my last job a teammate and I disagreed about batch versus streaming. My task was the pipeline. "
        "I built both versions and I wrote a comparison, and we picked streaming."
    )
    assert [m.kind for m in out] == ["followup"] and PROBES["result"] in out[0].text
    record = interview.state.records[0]
    assert record.verdicts[0].score <= 3.0  # no result: capped
    interview.respond(
        "As a result streaming caught 30% more fraud in the first hour. Looking back, I'd agree criteria first."
    )
    assert record.status == "scored" and record.score == 4.0


def test_a_round_asks_n_questions_from_one_stage(fbank) -> None:
    interview, _ = make(fbank, [5.0] * 5, mode="round", stage="fundamentals", level="junior", n=5)
    interview.start()
    assert interview.state.n_questions == 2  # all the stage has at this level
    interview.respond("An answer.")
    interview.respond("Another answer.")
    assert interview.state.status == "finished"
    assert {r.stage for r in interview.state.records} == {"fundamentals"}


def test_a_round_with_no_questions_says_so(fbank) -> None:
    interview, _ = make(fbank, [], mode="round", stage="stats", level="junior", n=3)
    out = interview.start()
    assert [m.kind for m in out] == ["intro", "notice", "summary"] and "no questions" in out[1].text


@pytest.mark.slow
@pytest.mark.parametrize("loop", ["mle", "llm"], ids=["mle_loop", "llm_loop"])  # a bare "llm" id reads as the marker
def test_interviewer_eval_personas_pass_on_every_kind(fbank, services, loop: str) -> None:
    """The scripted personas of `interview eval interviewer` through a loop with every kind, offline judge."""
    from interviewer.evaluation.interviewer_eval import PERSONAS, run_persona

    judge = GroundedJudge(services.judge.inner, None)
    for persona in [p for p in PERSONAS if p.name in ("strong", "weak", "silent", "injection")]:
        run = run_persona(persona, loop, fbank, judge, TemplateVoice(), n_questions=4)
        assert run.passed, (persona.name, run.problems)
        if persona.name == "strong":  # open, numeric, case and behavioral all scored from their references
            assert len(run.scores) == 4 and all(s is not None and s >= 4.5 for s in run.scores), run.scores
