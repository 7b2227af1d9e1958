"""Storage: SQLite (WAL, migrations, corrupt-file recovery) and the same tests on PostgreSQL.

PostgreSQL runs when INTERVIEW_TEST_POSTGRES_URL is set (CI starts Debian's postgresql on 127.0.0.1
and sets it; see scripts/postgres-for-tests.sh). Without it those cases fail loudly in CI=true runs.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from interviewer.interview.state import InterviewState, Message, QuestionRecord
from interviewer.judge.verdict import JudgeMeta, Verdict
from interviewer.storage.store import MIGRATIONS, StaleSave, Store

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
        with store.engine.begin() as conn:  # every owner's rows, so each test starts empty
            conn.execute(text("DELETE FROM verdicts"))
            conn.execute(text("DELETE FROM sessions"))
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
        assert store.schema_version == 2


def test_sqlite_is_wal_and_versioned(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    store.save(sample_state())
    conn = sqlite3.connect(tmp_path / "db.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] == 2
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "turns" not in tables  # written on every save and never read: dropped by migration 2
    assert conn.execute("SELECT count(*) FROM verdicts").fetchone()[0] == 2
    reopened = Store(tmp_path / "db.sqlite3")
    assert reopened.schema_version == 2 and len(reopened.list()) == 1  # migrations are not re-run


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


def test_every_query_is_scoped_by_owner(tmp_path: Path) -> None:
    for store in stores(tmp_path):
        alice, bob = store.scoped("alice@example.org"), store.scoped("bob@example.org")
        a = sample_state(score=2.0)
        a.owner = "alice@example.org"
        alice.save(a)
        b = sample_state(score=5.0)
        b.owner = "bob@example.org"
        bob.save(b)
        assert [r["id"] for r in alice.list()] == [a.id] and [r["id"] for r in bob.list()] == [b.id]
        assert alice.load(b.id) is None and bob.load(a.id) is None  # not even by id
        assert [x["score"] for x in alice.attempts("mle-serving-01")] == [2.0]
        assert [h["score"] for h in bob.stage_history()] == [5.0]
        with pytest.raises(PermissionError):
            alice.save(b)  # a state that is not hers is never written under her name
        assert alice.delete(b.id) == 0 and bob.load(b.id) is not None
        assert alice.delete() == 1  # "Delete all" deletes the caller's data only
        assert alice.list() == [] and [r["id"] for r in bob.list()] == [b.id]
        stats = store.aggregate()
        assert stats["users"] == 1 and stats["stages"]["serving"]["scored"] == 1
        assert "alice" not in str(stats) and "batching" not in str(stats)  # counts, not answers or names


def test_a_stale_save_is_refused_not_overwritten(tmp_path: Path) -> None:
    for store in stores(tmp_path):
        state = sample_state()
        store.save(state)
        tab_one, tab_two = store.load(state.id), store.load(state.id)
        assert tab_one is not None and tab_two is not None
        tab_one.messages.append(Message(role="candidate", kind="answer", text="answer from tab one"))
        store.save(tab_one)
        tab_two.messages.append(Message(role="candidate", kind="answer", text="answer from tab two"))
        with pytest.raises(StaleSave):
            store.save(tab_two)
        latest = store.load(state.id)
        assert latest is not None and latest.messages[-1].text == "answer from tab one"
        latest.messages.append(tab_two.messages[-1])  # the app replays the refused input on the newer state
        store.save(latest)
        texts = [m.text for m in store.load(state.id).messages]
        assert texts[-2:] == ["answer from tab one", "answer from tab two"]


def test_version_one_database_is_migrated_and_rows_belong_to_the_local_user(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE schema_version (version INTEGER NOT NULL);
        INSERT INTO schema_version VALUES (1);
        CREATE TABLE sessions (id VARCHAR(32) PRIMARY KEY, started_at FLOAT NOT NULL, updated_at FLOAT NOT NULL,
            loop VARCHAR(8) NOT NULL, level VARCHAR(8) NOT NULL, status VARCHAR(16) NOT NULL, overall_score FLOAT,
            settings_json TEXT NOT NULL, state_json TEXT NOT NULL);
        CREATE TABLE turns (session_id VARCHAR(32), seq INTEGER, role VARCHAR(16) NOT NULL, kind VARCHAR(16) NOT NULL,
            question_id VARCHAR(64), text TEXT NOT NULL, ts FLOAT NOT NULL, PRIMARY KEY (session_id, seq));
        CREATE TABLE verdicts (session_id VARCHAR(32), question_id VARCHAR(64), attempt INTEGER,
            stage VARCHAR(32) NOT NULL, status VARCHAR(8) NOT NULL, score FLOAT, created_at FLOAT NOT NULL,
            verdict_json TEXT NOT NULL, PRIMARY KEY (session_id, question_id, attempt));
        """
    )
    old = sample_state()
    raw = old.model_dump_json(exclude={"owner", "version"})
    conn.execute(
        "INSERT INTO sessions VALUES (?, ?, ?, 'mle', 'mid', 'active', NULL, '{}', ?)",
        (old.id, old.started_at, old.started_at, raw),
    )
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.schema_version == 2
    loaded = store.load(old.id)
    assert loaded is not None and loaded.owner == "local" and loaded.version == 0
    assert store.scoped("someone-else").load(old.id) is None
    store.save(loaded)
    assert store.load(old.id).version == 1


def test_replicas_opening_a_fresh_postgres_database_together_all_start() -> None:
    """Two replicas starting at once on an empty database each created the schema; one failed on a duplicate
    type and never served. The schema is created and migrated under an advisory lock."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must test PostgreSQL: INTERVIEW_TEST_POSTGRES_URL is not set")
        pytest.skip("INTERVIEW_TEST_POSTGRES_URL is not set")
    import threading
    import uuid

    from sqlalchemy import create_engine

    name = f"interview_race_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    barrier, errors, opened = threading.Barrier(6), [], []

    def start() -> None:
        barrier.wait()
        try:
            opened.append(Store(url=url))
        except Exception as err:  # noqa: BLE001 - collected and asserted below
            errors.append(f"{type(err).__name__}: {err}")

    threads = [threading.Thread(target=start) for _ in range(6)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert errors == [] and len(opened) == 6
        assert {store.schema_version for store in opened} == {len(MIGRATIONS)}
    finally:
        for store in opened:
            store.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()
