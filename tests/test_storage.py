"""Storage: SQLite (WAL, migrations, corrupt-file recovery) and the same tests on PostgreSQL.

PostgreSQL runs when INTERVIEW_TEST_POSTGRES_URL is set (CI starts Debian's postgresql on 127.0.0.1
and sets it; see scripts/postgres-for-tests.sh). Without it those cases fail loudly in CI=true runs.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from interviewer.judge.verdict import JudgeMeta, Verdict
from interviewer.state import InterviewState, Message, QuestionRecord
from interviewer.storage import Store

PG_URL = os.environ.get("INTERVIEW_TEST_POSTGRES_URL")


def sample_state(loop: str = "mle", score: float = 3.5, sid: str | None = None) -> InterviewState:
    state = InterviewState(loop=loop, level="mid", n_questions=2, **({"id": sid} if sid else {}))
    verdict = Verdict(status="ok", score=score, feedback="ok", meta=JudgeMeta(judge="offline", model="m"))
    record = QuestionRecord(
        question_id="mle-serving-01",
        stage="serving",
        difficulty=2,
        answers=["batching"],
        verdicts=[Verdict.failed("timeout"), verdict],
        status="scored",
    )
    state.records.append(record)
    state.messages += [
        Message(role="interviewer", kind="question", text="Q?"),
        Message(role="candidate", kind="answer", text="batching"),
    ]
    return state


def stores(tmp_path: Path) -> list[Store]:
    out = [Store(tmp_path / "db.sqlite3")]
    if PG_URL:
        store = Store(url=PG_URL)
        store.delete()
        out.append(store)
    elif os.environ.get("CI"):
        pytest.fail("CI must test PostgreSQL: INTERVIEW_TEST_POSTGRES_URL is not set")
    return out


def test_round_trip_list_attempts_delete(tmp_path: Path) -> None:
    for store in stores(tmp_path):
        first = sample_state(score=2.5)
        store.save(first)
        first.status = "finished"
        first.messages.append(Message(role="interviewer", kind="summary", text="done"))
        store.save(first)  # an update, not a second row
        second = sample_state(score=4.5)
        store.save(second)
        rows = store.list()
        assert [r["id"] for r in rows] == [second.id, first.id]
        assert rows[1]["status"] == "finished" and rows[1]["overall_score"] == 2.5
        loaded = store.load(first.id)
        assert loaded is not None and loaded.model_dump() == first.model_dump()
        assert [a["score"] for a in store.attempts("mle-serving-01")] == [2.5, 4.5]
        assert {(h["stage"], h["score"]) for h in store.stage_history()} == {("serving", 2.5), ("serving", 4.5)}
        assert store.delete(first.id) == 1 and store.load(first.id) is None
        assert store.delete() == 1 and store.list() == []
        assert store.schema_version == 1


def test_sqlite_is_wal_and_versioned(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.save(sample_state())
    conn = sqlite3.connect(tmp_path / "db.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM turns").fetchone()[0] == 2
    assert conn.execute("SELECT count(*) FROM verdicts").fetchone()[0] == 2
    reopened = Store(tmp_path / "db.sqlite3")
    assert reopened.schema_version == 1 and len(reopened.list()) == 1  # migrations are not re-run


def test_corrupt_database_is_kept_aside_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = Store(path)
    assert store.recovered_from and "kept as" in store.recovered_from
    assert store.list() == []
    kept = list(tmp_path.glob("db.sqlite3.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b"this is not a database")
    store.save(sample_state())
    assert len(Store(path).list()) == 1  # the new database works and stays


def test_missing_directory_is_created(tmp_path: Path) -> None:
    store = Store(tmp_path / "new" / "deeper" / "db.sqlite3")
    store.save(sample_state())
    assert store.list()
