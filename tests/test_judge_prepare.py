"""`judge.prepare(question)`: the answer-independent work runs on the judge's own threads and returns a future; the
engine keeps it and waits on it before judging; a failed warm-up never reaches the candidate."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from interviewer.judge import GroundedJudge
from tests.conftest import FakeJudge

REPO = Path(__file__).resolve().parent.parent


def test_prepare_returns_a_future_that_completes_after_the_warm_up(bank) -> None:
    q = bank.questions["mle-serving-01"]
    inner = FakeJudge([4.0])
    release, seen = threading.Event(), []

    def warm(question) -> None:
        release.wait(10)
        seen.append((question.id, threading.current_thread()))

    inner.warm = warm  # type: ignore[attr-defined]
    future = GroundedJudge(inner, None).prepare(q)
    assert not future.done()  # it runs in the background, not in the caller's thread
    release.set()
    assert future.result(timeout=10) is None
    ((qid, thread),) = seen
    assert qid == q.id and thread is not threading.current_thread()
    assert thread.name.startswith("judge-prepare") and not thread.daemon  # exit waits for it (see below)


def test_a_judge_without_warm_support_returns_a_completed_future(bank) -> None:
    future = GroundedJudge(FakeJudge([4.0]), None).prepare(bank.questions["mle-serving-01"])
    assert future.done() and future.result() is None


def test_a_failing_warm_up_does_not_break_judging(make_interview) -> None:
    interview, judge = make_interview([4.9], n=1)

    def warm(question) -> None:
        raise RuntimeError("warm-up broke")

    judge.warm = warm
    [m.settle() for m in interview.start()]
    failed = interview.preparing
    assert isinstance(failed.exception(timeout=10), RuntimeError)  # kept in the future
    out = interview.respond("A complete answer about serving.")
    assert judge.calls == ["A complete answer about serving."]
    assert "error" not in [m.kind for m in out] and "feedback" in [m.kind for m in out]
    assert interview.state.records[0].status == "scored"
    assert all("warm-up broke" not in m.text for m in interview.state.messages)


def test_a_stuck_warm_up_delays_judging_by_at_most_the_wait_limit(make_interview, monkeypatch) -> None:
    from interviewer.interview import engine

    monkeypatch.setattr(engine, "PREPARE_WAIT_S", 0.2)
    interview, judge = make_interview([4.9], n=1)
    release = threading.Event()
    judge.warm = lambda question: release.wait(30)  # a warm-up that never finishes on its own
    try:
        [m.settle() for m in interview.start()]
        out = interview.respond("A complete answer about serving.")
        assert not interview.preparing.done()  # judged without waiting for it
        assert judge.calls == ["A complete answer about serving."] and "feedback" in [m.kind for m in out]
    finally:
        release.set()


def test_prefetch_false_prepares_nothing(bank) -> None:
    from interviewer.interview.engine import Interview
    from interviewer.interview.state import InterviewState
    from interviewer.interview.voice import TemplateVoice

    inner = FakeJudge([4.9])
    warmed: list[str] = []
    inner.warm = lambda question: warmed.append(question.id)  # type: ignore[attr-defined]
    state = InterviewState(loop="mle", level="mid", n_questions=1, id="noprefetch")
    interview = Interview(state, bank, GroundedJudge(inner, None), TemplateVoice(), prefetch=False)
    [m.settle() for m in interview.start()]
    interview.respond("A complete answer.")
    assert warmed == [] and interview.preparing is None and inner.calls == ["A complete answer."]


def test_queued_warm_ups_finish_before_the_interpreter_exits(tmp_path: Path) -> None:
    """A warm-up is never cut off at exit (torch aborts a process that exits in the middle of a forward pass):
    the script returns at once with one warm-up running and one queued, and both still finish."""
    log = tmp_path / "warmed.txt"
    script = textwrap.dedent(
        f"""
        import time
        from types import SimpleNamespace
        from interviewer.judge import GroundedJudge

        class Slow:
            kind = "slow"
            def warm(self, question):
                time.sleep(0.5)
                with open({str(log)!r}, "a") as f:
                    f.write(question.id + "\\n")

        judge = GroundedJudge(Slow(), None, concurrency=1)
        first = judge.prepare(SimpleNamespace(id="first"))
        second = judge.prepare(SimpleNamespace(id="second"))
        assert not second.done()
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert log.read_text().split() == ["first", "second"]
