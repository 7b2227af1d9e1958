"""Tailoring to a posting and a résumé: the plan, the CLI contract, the tailored interview, privacy."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from statistics import mean

import pytest

from interviewer.knowledge.bank import QuestionBank
from interviewer.tailoring.measure import load_postings, match_share, untailored_share
from interviewer.tailoring.plan import candidates, plan_interview
from interviewer.tailoring.resume import pick_claims
from interviewer.tailoring.session import start_tailored
from interviewer.tailoring.skills import load_vocabulary
from tests.conftest import REPO
from tests.test_cli import run_cli

DATA = REPO / "tests" / "data" / "tailoring"
POSTINGS = {p.id: p for p in load_postings(DATA / "postings.yaml")}
RESUME = (DATA / "resume.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def embedder():
    from interviewer.knowledge.embeddings import get_embedder

    return get_embedder()


def test_plan_picks_what_the_posting_asks_for_with_checkable_reasons(bank, embedder) -> None:
    posting = POSTINGS["llm-rag"]
    plan = plan_interview(bank, "llm", "mid", posting.text, 5, embedder)
    assert [s.id for s in plan.skills][:2] == ["rag", "retrieval_evaluation"]
    assert len(plan.questions) == 5 and len({q.id for q in plan.questions}) == 5
    retrieval = [q for q in plan.questions if q.stage == "retrieval"]
    assert retrieval and "retrieval-augmented generation" in retrieval[0].reason
    for q in plan.questions:
        assert bank.questions[q.id].stage == q.stage and "mid" in bank.questions[q.id].levels
        assert q.reason.startswith(("the posting asks for", "core stage", "rounds out the loop"))
        if q.reason.startswith("the posting asks for"):  # the quoted evidence is the posting's own words
            quoted = q.reason.split('("', 1)[1].rstrip('")').rstrip("…")
            assert quoted in posting.text
    order = list(bank.loops["llm"].stages)
    assert [order.index(q.stage) for q in plan.questions] == sorted(order.index(q.stage) for q in plan.questions)


def test_a_narrow_posting_still_covers_a_core_stage(bank, embedder) -> None:
    posting = "Senior AI engineer. You will build LLM agents with tool calling, planning, memory and MCP tools."
    plan = plan_interview(bank, "llm", "senior", posting, 6, embedder)
    assert any(q.stage == "agents" for q in plan.questions)
    core = set(load_vocabulary().core["llm"]) - {"agents"}  # the loop's core stages (skills.yaml)
    assert any(q.reason.startswith("core stage") or q.stage in core for q in plan.questions)
    assert len({q.stage for q in plan.questions}) >= 2


def test_plan_uses_whatever_the_bank_holds(bank, embedder) -> None:
    """Stages with no question at the level are skipped; no id or count is assumed."""
    small = QuestionBank(
        loops=bank.loops,
        questions={k: q for k, q in bank.questions.items() if q.stage in ("agents", "prompting")},
    )
    plan = plan_interview(small, "llm", "senior", POSTINGS["llm-rag"].text, 20, embedder)
    assert {q.stage for q in plan.questions} <= {"agents", "prompting"}
    assert len(plan.questions) == len(candidates(small, "llm", "senior"))
    junior = plan_interview(bank, "llm", "junior", POSTINGS["llm-agents"].text, 6, embedder)
    for q in junior.questions:  # agents serves mid and senior only (loops.yaml stage_levels)
        assert "junior" in bank.questions[q.id].levels and "junior" in bank.loops["llm"].levels_of(q.stage)
    blank = plan_interview(bank, "mle", "mid", "", 4, embedder)  # an empty posting still plans a varied loop
    assert len(blank.questions) == 4 and len({q.stage for q in blank.questions}) == 4 and not blank.skills


def test_resume_claims_become_deep_dives_quoting_the_line(embedder) -> None:
    dives = pick_claims(RESUME, POSTINGS["mle-recsys"].text, embedder)
    lines = [d.source_line for d in dives]
    assert any("p95 serving latency by 40%" in line for line in lines)
    assert "Wrote documentation." not in lines and "Mentored 3 engineers." not in lines
    for d in dives:
        assert d.source_line in RESUME and "How did you measure" in d.prompt or "Walk me through" in d.prompt


@pytest.mark.slow
def test_cli_plan_contract(shared_data_dir: Path, services, bank) -> None:  # noqa: ARG001
    jd = DATA / "jd-agents.txt"
    jd.write_text(POSTINGS["llm-agents"].text, encoding="utf-8")
    try:
        args = ["plan", "--loop", "llm", "--level", "senior", "--jd", str(jd), "--resume", str(DATA / "resume.md")]
        done = run_cli([*args, "--questions", "4", "--json"], shared_data_dir)
    finally:
        jd.unlink()
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert {"skills", "questions", "deep_dive"} <= set(out)
    assert "agents" in out["skills"] and all(isinstance(s, str) for s in out["skills"])
    assert len(out["questions"]) == 4
    for q in out["questions"]:
        assert set(q) == {"id", "stage", "reason"} and bank.questions[q["id"]].stage == q["stage"] and q["reason"]
    assert out["deep_dive"] and all(set(d) == {"prompt", "source_line"} for d in out["deep_dive"])
    assert all(d["source_line"] in RESUME for d in out["deep_dive"])
    bad = run_cli(
        ["plan", "--loop", "llm", "--level", "mid", "--jd", str(DATA / "missing.txt"), "--json"], shared_data_dir
    )
    assert bad.returncode == 2 and "Cannot open" in bad.stderr


@pytest.mark.slow
def test_practice_with_jd_runs_the_tailored_interview(shared_data_dir: Path, services) -> None:  # noqa: ARG001
    jd = DATA / "jd-rag.txt"
    jd.write_text(POSTINGS["llm-rag"].text, encoding="utf-8")
    try:
        args = ["practice", "--loop", "llm", "--level", "mid", "--questions", "2", "--jd", str(jd)]
        done = run_cli(
            [*args, "--resume", str(DATA / "resume.md")], shared_data_dir, stdin="/skip\n/skip\n/skip\n/end\n"
        )
    finally:
        jd.unlink()
    assert done.returncode == 0, done.stderr
    assert "[tailored] why these questions:" in done.stdout and "the posting asks for" in done.stdout
    assert "your résumé says:" in done.stdout and "You write:" in done.stdout


def test_tailored_interview_asks_and_grades_the_deep_dive_and_stays_private(services) -> None:
    interview = start_tailored(
        services, "mle", "senior", 3, "each", owner="dana", posting=POSTINGS["mle-recsys"].text, resume=RESUME
    )
    state = interview.state
    assert state.tailoring is not None and state.tailoring.resume == RESUME and "ranking" in state.tailoring.skills
    deep = [q.id for q in state.extra_questions]
    assert deep and set(deep) <= set(state.fixed_questions) and state.n_questions == len(state.fixed_questions)
    assert all(qid not in services.bank.questions for qid in deep)  # never added to the shared bank
    assert all(state.tailoring.reasons[qid] for qid in state.fixed_questions)
    interview.start()
    while state.status == "active":
        record = state.current
        if record is not None and record.question_id in deep:
            interview.respond("We measured p95 from server logs over two weeks against a holdout, canary first.")
            if state.current is record:
                interview.respond("/skip")
        else:
            interview.respond("/skip")
    graded = [r for r in state.records if r.question_id in deep]
    assert graded and graded[0].verdicts and graded[0].verdicts[0].ok
    store = services.store.scoped("dana")
    stored = store.load(state.id)
    assert stored is not None and stored.tailoring.resume == RESUME and stored.extra_questions
    assert services.store.scoped("someone-else").load(state.id) is None
    resumed = services.interview(stored)  # a reloaded interview still knows its own questions
    assert all(q in resumed.bank.questions for q in deep)
    store.delete(state.id)
    assert store.load(state.id) is None


def test_resume_quotes_render_literally_in_the_app(services) -> None:
    resume = "- Reduced p95 latency by 40% for [our app](http://evil.example) with $5k of *GPU* credits\n"
    interview = start_tailored(services, "llm", "mid", 2, "each", owner="dana", posting="RAG engineer", resume=resume)
    (deep,) = interview.state.extra_questions
    assert r"\[our app\](http://evil.example)" in deep.question and r"\$5k of \*GPU\*" in deep.question
    assert interview.state.tailoring.sources[deep.id] == resume[2:].strip()  # the source line is kept exactly


def test_resume_is_not_sent_to_a_model_without_consent(services) -> None:
    with_model = dataclasses.replace(
        services, settings=services.settings.model_copy(update={"judge_model": "openai/gpt-4o-mini"})
    )
    posting = POSTINGS["mle-recsys"].text
    interview = start_tailored(with_model, "mle", "senior", 3, "each", owner="dana", posting=posting, resume=RESUME)
    assert interview.state.extra_questions == []
    assert any("did not agree" in n for n in interview.state.tailoring.notices)
    agreed = start_tailored(
        with_model, "mle", "senior", 3, "each", owner="dana", posting=posting, resume=RESUME, consent=True
    )
    assert agreed.state.extra_questions


def test_tailored_plans_match_postings_better_than_untailored(bank, embedder) -> None:
    """The benchmark's claim as a regression guard (numbers: scripts/bench_tailoring.py)."""
    tailored, untailored = [], []
    for posting in POSTINGS.values():
        plan = plan_interview(bank, posting.loop, posting.level, posting.text, 6, embedder)
        tailored.append(match_share([bank.questions[q.id] for q in plan.questions], posting))
        untailored.append(untailored_share(bank, posting, 6))
    assert mean(tailored) > mean(untailored)
