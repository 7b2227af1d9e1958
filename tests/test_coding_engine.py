"""The coding stage in the engine: planning, run/submit, the follow-ups, the explanation and the final score."""

from __future__ import annotations

import pytest

from interviewer.coding.grading import CodeRunner, correctness, final_score
from interviewer.coding.sandbox import Choice, choose
from interviewer.interview.engine import Interview
from interviewer.interview.policy import plan_with_coding
from interviewer.interview.report import markdown_report, summary_text
from interviewer.interview.state import InterviewState
from interviewer.interview.voice import TemplateVoice
from interviewer.judge import GroundedJudge
from tests.conftest import FakeJudge


@pytest.fixture(scope="module")
def coder() -> CodeRunner:
    choice = choose("auto", None)
    assert choice.backend == "bwrap", choice.note
    return CodeRunner(choice)


def make(bank, coder, script, *, n=1, loop="mle", level="mid", feedback="each", saved=None) -> Interview:
    state = InterviewState(loop=loop, level=level, n_questions=n, feedback_mode=feedback, id="codeseed", coding=True)
    on_change = (lambda s: saved.append(s.model_dump_json())) if saved is not None else None
    judge = GroundedJudge(FakeJudge(script), None)
    return Interview(state, bank, judge, TemplateVoice(), max_followups=1, on_change=on_change, coder=coder)


def test_plan_puts_one_coding_round_in_loop_order() -> None:
    stages = ["production_story", "coding", "fundamentals", "data", "training"]
    assert plan_with_coding(stages, 3, "coding", include=False) == ["production_story", "data", "training"]
    assert plan_with_coding(stages, 3, "coding", include=True) == ["production_story", "coding", "training"]
    assert plan_with_coding(stages, 1, "coding", include=True) == ["coding"]
    plan = plan_with_coding(stages, 9, "coding", include=True)
    assert plan.count("coding") == 1 and len(plan) == 9


def test_final_score_formula() -> None:
    assert final_score(1.0, 5.0) == 5.0 and final_score(0.0, None) == 1.0
    assert final_score(1.0, None) == 3.8 and final_score(0.5, 3.0) == 3.0
    assert correctness([]) is None


def test_a_whole_coding_question(bank, coder) -> None:
    saved: list[str] = []
    interview = make(bank, coder, [3.0, 4.0], saved=saved)
    first = [m.settle() for m in interview.start()]
    record = interview.state.current
    assert record is not None and record.code is not None and record.stage == "coding"
    exercise = bank.exercises[record.code.exercise_id]
    assert "mle" in exercise.loops and "mid" in exercise.levels
    assert first[-1].kind == "question" and exercise.signature in first[-1].text
    assert record.code.draft == exercise.starter
    # chat before any submission is kept, but the interviewer asks for a submission first
    out = interview.respond("I think I would vectorise it.")
    assert [m.kind for m in out] == ["notice"] and "Submit your code first" in out[0].text
    assert any(m.text == "I think I would vectorise it." for m in interview.state.messages)
    assert record.answers == []
    # examples: unlimited, no chat messages
    assert interview.run_code(exercise.starter, "examples") == []
    assert interview.run_code(exercise.reference_solution, "examples") == []
    assert [r.passed == r.total for r in record.code.runs] == [False, True]
    # a stub submission: the follow-up names a failing hidden case and allows one more submission
    out = interview.run_code(exercise.starter, "hidden")
    assert [m.kind for m in out] == ["followup"] and "One case that fails" in out[0].text
    assert record.code.allowed == 2 and record.code.can_submit
    # the fixed submission: the complexity probe
    out = interview.run_code(exercise.reference_solution, "hidden")
    assert exercise.probes[0] in out[0].text and not record.code.can_submit
    assert [m.kind for m in interview.run_code("x", "hidden")] == ["notice"]  # no third submission
    out = [m.settle() for m in interview.respond("It is linear time: one pass to shift, one to sum.")]
    assert [m.kind for m in out] == ["followup"]  # a missed key point of the explanation is probed
    out = [m.settle() for m in interview.respond("The max is taken per row with keepdims, so batches work.")]
    assert record.status == "scored" and interview.state.status == "finished"
    # correctness: the best submission, the second worth 10% less; explanation 4/5
    assert record.code.correctness == 0.9
    assert record.code.final == record.score == final_score(0.9, 4.0) == 4.4
    feedback = next(m for m in out if m.kind == "feedback")
    assert "4.4 / 5" in feedback.text and "explanation 4.0/5" in feedback.text
    assert "Coding" in summary_text(interview.state, bank)
    report = markdown_report(interview.state, bank)
    assert "Reference solution" in report and exercise.reference_solution.strip().splitlines()[-1] in report
    assert "✓" in report and "Final score" in report
    assert saved and '"runs"' in saved[-1]  # every run is stored as it happens


def test_end_after_submitting_scores_without_an_explanation(bank, coder) -> None:
    interview = make(bank, coder, [])
    interview.start()
    record = interview.state.current
    exercise = bank.exercises[record.code.exercise_id]
    interview.run_code(exercise.reference_solution, "hidden")
    interview.respond("/end")
    assert record.status == "scored" and record.code.final == final_score(1.0, None) == 3.8


def test_end_before_submitting_skips(bank, coder) -> None:
    interview = make(bank, coder, [])
    interview.start()
    interview.respond("/end")
    assert interview.state.records[0].status == "skipped" and interview.state.overall_score is None


def test_a_sandbox_failure_is_shown_and_not_counted(bank) -> None:
    refused = CodeRunner(Choice(backend=None, isolated=False, note="Code cannot run on this server: install it."))
    interview = make(bank, refused, [])
    interview.start()
    record = interview.state.current
    out = interview.run_code("def f(): pass", "hidden")
    assert [m.kind for m in out] == ["error"] and "install it" in out[0].text and "nothing was counted" in out[0].text
    assert record.code.submissions == [] and record.code.can_submit and record.code.draft == "def f(): pass"


def test_code_in_a_longer_interview_and_prose_still_works(bank, coder) -> None:
    interview = make(bank, coder, [2.0, 5.0, 5.0, 5.0], n=3, loop="llm", level="senior")
    interview.start()
    stages = interview.state.stage_plan
    # a real LLM loop opens with coding (loops.yaml lists stages in the order a loop runs them)
    assert stages.count("coding") == 1 and stages[0] == "coding" and "coding" not in stages[1:]
    record = interview.state.current
    assert record.code is not None and "llm" in bank.exercises[record.code.exercise_id].loops
    interview.run_code("def broken(:\n", "hidden")  # a syntax error is a graded (zero) submission
    assert record.code.last_submission.status == "error"
    interview.respond("My idea was to sort and scan once, but I ran out of time.")
    interview.respond("More detail on the follow-up point.")
    assert record.status == "scored" and record.code.correctness == 0.0
    assert interview.state.current is not None and interview.state.current.code is None
