"""The interview engine and its policy, with a scripted judge: deterministic paths, commands, failures."""

from __future__ import annotations

from interviewer.interview.policy import pick_question, plan_stages, served_stages, target_difficulty
from interviewer.interview.state import InterviewState


def texts(messages) -> list[str]:
    return [m.settle().text for m in messages]


def kinds(messages) -> list[str]:
    return [m.kind for m in messages]


def test_plan_stages_spreads_and_cycles() -> None:
    stages = ["a", "b", "c", "d", "e", "f", "g"]
    assert plan_stages(stages, 3) == ["a", "d", "g"]
    assert plan_stages(stages, 1) == ["a"]
    assert plan_stages(stages, 9) == [*stages, "a", "b"]
    assert plan_stages(stages, 0) == []


def test_difficulty_adapts_to_scores() -> None:
    assert target_difficulty("mid", []) == 2
    assert target_difficulty("mid", [4.5, 4.2]) == 3
    assert target_difficulty("mid", [1.5, 2.0]) == 1
    assert target_difficulty("senior", [5, 5]) == 3  # clamped
    assert target_difficulty("junior", [1, 1]) == 1


def test_pick_question_matches_stage_level_and_never_repeats(bank) -> None:
    asked: set[str] = set()
    for _ in range(len(bank.for_stage("mle", "serving"))):
        q = pick_question(bank, "mle", "serving", "senior", asked, 3, "seed")
        assert q is not None and q.stage == "serving" and q.id not in asked
        asked.add(q.id)
    # the stage is exhausted: the policy falls back to another unasked mle question
    other = pick_question(bank, "mle", "serving", "senior", asked, 3, "seed")
    assert other is not None and other.loop == "mle" and other.id not in asked


def test_pick_question_is_deterministic_per_seed(bank) -> None:
    a = pick_question(bank, "llm", "retrieval", "mid", set(), 2, "s1")
    b = pick_question(bank, "llm", "retrieval", "mid", set(), 2, "s1")
    assert a is not None and a.id == b.id and "mid" in a.levels


def test_strong_answers_walk_straight_through(make_interview, bank) -> None:
    interview, judge = make_interview([5.0, 5.0, 5.0], n=3)
    first = interview.start()
    assert kinds(first) == ["intro", "question"]
    # STAR-shaped, so a behavioral question in the mix needs no probe for a missing part either
    thorough = (
        "The situation: our ranking model's latency doubled before launch, and my task was to fix it in a week. "
        "I profiled the service, moved feature joins offline and added batching. As a result p95 latency fell "
        "from 180 ms to 60 ms and we launched on time. I learned to profile before optimising."
    )
    for _ in range(3):
        interview.respond(thorough)
    state = interview.state
    assert state.status == "finished"
    assert [r.status for r in state.records] == ["scored"] * 3
    assert len({r.question_id for r in state.records}) == 3  # never repeated
    # a mix spreads its questions over the stages that serve the level, in the loop's order
    served = served_stages(bank, "mle", "mid")
    assert [r.stage for r in state.records] == plan_stages(served, 3)
    order = list(bank.loops["mle"].stages)
    assert [order.index(r.stage) for r in state.records] == sorted(order.index(r.stage) for r in state.records)
    assert state.messages[-1].kind == "summary" and "5.0" in state.messages[-1].text
    questions = [m for m in state.messages if m.kind == "question"]
    assert len(questions) == 3
    assert all(bank.questions[m.question_id].question.strip() in m.settle().text for m in questions)


def test_weak_answer_gets_one_follow_up_on_the_heaviest_missed_point(make_interview, bank) -> None:
    interview, judge = make_interview([2.0, 3.0, 5.0, 5.0], n=3, max_followups=1)
    interview.start()
    out = interview.respond("Partial answer.")
    assert kinds(out) == ["followup"]
    record = interview.state.records[0]
    question = bank.questions[record.question_id]
    missed = [kp for kp in question.key_points if kp.point not in [k.point for k in question.key_points[:1]]]
    probed = record.probed[0]
    assert probed == max(missed, key=lambda kp: kp.weight).point
    assert question.key_points[[kp.point for kp in question.key_points].index(probed)].probe in out[0].text
    out = interview.respond("More detail on the follow-up.")
    assert kinds(out)[:2] == ["feedback", "question"]  # limit reached: move on
    assert judge.calls[1] == "Partial answer.\n\nMore detail on the follow-up."  # judged on both answers
    assert record.status == "scored" and record.score == 3.0


def test_follow_up_never_reveals_rubric_or_reference(make_interview, bank) -> None:
    interview, _ = make_interview([1.5] * 20, n=3, max_followups=2)
    interview.start()
    for _ in range(9):
        if interview.state.status == "finished":
            break
        interview.respond("Something vague.")
    for message in interview.state.messages:
        if message.role != "interviewer" or message.kind == "feedback":
            continue
        for record in interview.state.records:
            q = bank.questions[record.question_id]
            assert q.reference_answer.strip()[:80] not in message.text
            assert all(kp.point not in message.text for kp in q.key_points)


def test_commands_skip_repeat_why_end(make_interview) -> None:
    interview, judge = make_interview([4.8, 4.8], n=3)
    interview.start()
    first_q = interview.state.messages[-1].settle().text
    assert texts(interview.respond("/repeat")) == [first_q]
    out = interview.respond("/skip")
    assert kinds(out) == ["ack", "question"] and interview.state.records[0].status == "skipped"
    assert "Nothing has been scored" in texts(interview.respond("/why"))[0]
    interview.respond("A good answer.")
    why = texts(interview.respond("/why"))[0]
    assert why.startswith("Why 4.8/5")
    out = interview.respond("/end")
    assert interview.state.status == "finished" and out[-1].kind == "summary"
    assert len(judge.calls) == 1
    assert kinds(interview.respond("more text")) == ["notice"]


def test_empty_and_huge_answers(make_interview) -> None:
    interview, judge = make_interview([4.0, 4.0, 4.0], n=2)
    interview.start()
    out = interview.respond("   \n  ")
    assert kinds(out) == ["notice"] and "/skip" in out[0].text and judge.calls == []
    out = interview.respond("word " * 400)
    assert "only the first" in out[0].text
    assert len(judge.calls[0]) <= 500


def test_markup_is_kept_as_typed_and_control_characters_noted(make_interview) -> None:
    interview, judge = make_interview([4.6, 4.6], n=2)
    interview.start()
    out = interview.respond("<script>alert(1)</script><b>Batching</b> raises throughput\x00\x07")
    notes = " ".join(m.text for m in out if m.kind == "notice")
    assert "control character" in notes and "HTML" not in notes
    assert judge.calls[0] == "<script>alert(1)</script><b>Batching</b> raises throughput"


def test_judge_failure_keeps_state_and_retry_scores(make_interview) -> None:
    saved: list[str] = []
    interview, judge = make_interview(["The model timed out.", 4.7, 4.7, 4.7], n=2, saved=saved)
    interview.start()
    out = interview.respond("My real answer.")
    assert kinds(out) == ["error"] and "timed out" in out[0].text and "saved" in out[0].text
    record = interview.state.records[0]
    assert record.status == "judge_error" and record.score is None and record.answers == ["My real answer."]
    assert all(v.score is None for v in record.verdicts)
    assert InterviewState.model_validate_json(saved[-1]).records[0].answers == ["My real answer."]
    assert kinds(interview.respond("another answer")) == ["notice"]  # nothing lost, nothing double-counted
    out = interview.respond("/retry")
    assert kinds(out)[:2] == ["feedback", "question"] and record.score == 4.7
    assert judge.calls == ["My real answer.", "My real answer."]


def test_feedback_at_end_only(make_interview) -> None:
    interview, _ = make_interview([4.6, 3.0, 4.6], n=2, feedback="end", max_followups=0)
    interview.start()
    out = interview.respond("answer one")
    assert "feedback" not in kinds(out)
    out = interview.respond("answer two")
    assert kinds(out) == ["feedback", "feedback", "summary"]


def test_every_change_is_saved(make_interview) -> None:
    saved: list[str] = []
    interview, _ = make_interview([4.6, 4.6], n=2, saved=saved)
    interview.start()
    interview.respond("an answer")
    restored = InterviewState.model_validate_json(saved[-1])
    assert restored.records[0].answers == ["an answer"] and restored.records[0].status == "scored"
    assert len(restored.messages) == len(interview.state.messages)
