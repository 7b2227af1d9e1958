"""Interview storage through SQLAlchemy Core: SQLite (WAL) by default, PostgreSQL by URL.

Every state change is saved in one transaction: the session row (with the full state as JSON, so
an unfinished interview can be resumed exactly), its turns and its verdicts as rows for queries.
Schema versions are numbered migrations. A corrupt SQLite file is moved aside, never deleted.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DatabaseError, OperationalError

from interviewer.state import InterviewState

metadata = MetaData()
schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))
sessions = Table(
    "sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("started_at", Float, nullable=False, index=True),
    Column("updated_at", Float, nullable=False),
    Column("loop", String(8), nullable=False),
    Column("level", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("overall_score", Float),
    Column("settings_json", Text, nullable=False, default="{}"),
    Column("state_json", Text, nullable=False),
)
turns = Table(
    "turns",
    metadata,
    Column("session_id", String(32), ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("role", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("question_id", String(64)),
    Column("text", Text, nullable=False),
    Column("ts", Float, nullable=False),
)
verdicts = Table(
    "verdicts",
    metadata,
    Column("session_id", String(32), ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("question_id", String(64), primary_key=True),
    Column("attempt", Integer, primary_key=True),
    Column("stage", String(32), nullable=False),
    Column("status", String(8), nullable=False),
    Column("score", Float),
    Column("created_at", Float, nullable=False),
    Column("verdict_json", Text, nullable=False),
)


def _v1(conn: Any) -> None:
    metadata.create_all(conn, tables=[sessions, turns, verdicts])


MIGRATIONS = [_v1]  # append a function per schema change; never edit an old one


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class Store:
    """`Store(path)` for SQLite in the data directory, or `Store(url="postgresql+psycopg://...")`."""

    def __init__(self, path: Path | None = None, url: str | None = None) -> None:
        if path is None and url is None:
            raise ValueError("Store needs a SQLite path or a database URL")
        self.path = path
        self.url = url or f"sqlite:///{path}"
        self.recovered_from: str | None = None
        try:
            self.engine = self._open()
        except DatabaseError as err:
            if path is None or not path.exists():
                raise
            aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
            shutil.move(str(path), aside)
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            self.recovered_from = (
                f"The database {path.name} could not be read ({type(err.orig).__name__}); it was kept as "
                f"{aside.name} and a new, empty one was created."
            )
            self.engine = self._open()

    def _open(self) -> Engine:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(self.url, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        try:
            with engine.begin() as conn:
                if engine.dialect.name == "sqlite":
                    row = conn.execute(text("PRAGMA quick_check")).fetchone()
                    if row is None or row[0] != "ok":
                        raise DatabaseError("PRAGMA quick_check", {}, Exception(str(row)))
                metadata.create_all(conn, tables=[schema_version])
                current = conn.execute(select(func.max(schema_version.c.version))).scalar() or 0
                for number, migrate in enumerate(MIGRATIONS[current:], start=current + 1):
                    migrate(conn)
                    conn.execute(insert(schema_version).values(version=number))
        except (DatabaseError, OperationalError):
            engine.dispose()
            raise
        return engine

    @property
    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(schema_version.c.version))).scalar() or 0)

    def save(self, state: InterviewState) -> None:
        row = {
            "started_at": state.started_at,
            "updated_at": time.time(),
            "loop": state.loop,
            "level": state.level,
            "status": state.status,
            "overall_score": state.overall_score,
            "state_json": state.model_dump_json(),
            "settings_json": json.dumps(
                {
                    "interviewer_model": state.interviewer_model,
                    "judge_model": state.judge_model,
                    "n_questions": state.n_questions,
                    "feedback": state.feedback_mode,
                }
            ),
        }
        turn_rows = [
            {
                "session_id": state.id,
                "seq": i,
                "role": m.role,
                "kind": m.kind,
                "question_id": m.question_id,
                "text": m.text,
                "ts": m.ts,
            }
            for i, m in enumerate(state.messages)
        ]
        verdict_rows = [
            {
                "session_id": state.id,
                "question_id": r.question_id,
                "attempt": n,
                "stage": r.stage,
                "status": v.status,
                "score": v.score,
                "created_at": r.asked_at,
                "verdict_json": v.model_dump_json(),
            }
            for r in state.records
            for n, v in enumerate(r.verdicts)
        ]
        with self.engine.begin() as conn:
            if conn.execute(update(sessions).where(sessions.c.id == state.id).values(**row)).rowcount == 0:
                conn.execute(insert(sessions).values(id=state.id, **row))
            conn.execute(delete(turns).where(turns.c.session_id == state.id))
            conn.execute(delete(verdicts).where(verdicts.c.session_id == state.id))
            if turn_rows:
                conn.execute(insert(turns), turn_rows)
            if verdict_rows:
                conn.execute(insert(verdicts), verdict_rows)

    def load(self, session_id: str) -> InterviewState | None:
        with self.engine.connect() as conn:
            raw = conn.execute(select(sessions.c.state_json).where(sessions.c.id == session_id)).scalar()
        return InterviewState.model_validate_json(raw) if raw else None

    def list(self, limit: int = 200) -> list[dict[str, Any]]:
        cols = [
            sessions.c.id,
            sessions.c.started_at,
            sessions.c.loop,
            sessions.c.level,
            sessions.c.status,
            sessions.c.overall_score,
        ]
        with self.engine.connect() as conn:
            rows = conn.execute(select(*cols).order_by(sessions.c.started_at.desc()).limit(limit)).mappings()
            return [dict(r) for r in rows]

    def attempts(self, question_id: str) -> list[dict[str, Any]]:
        """Every scored attempt at one question across sessions, oldest first (for 'practice again')."""
        query = (
            select(verdicts.c.session_id, verdicts.c.score, verdicts.c.created_at)
            .where(verdicts.c.question_id == question_id, verdicts.c.status == "ok")
            .order_by(verdicts.c.created_at, verdicts.c.attempt)
        )
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        last: dict[str, dict[str, Any]] = {r["session_id"]: r for r in rows}  # final verdict per session
        return sorted(last.values(), key=lambda r: r["created_at"])

    def stage_history(self) -> list[dict[str, Any]]:
        """(session start, loop, stage, score) for the final verdict of every scored question."""
        query = select(sessions.c.started_at, sessions.c.loop, sessions.c.state_json).order_by(sessions.c.started_at)
        out = []
        with self.engine.connect() as conn:
            for started, loop, raw in conn.execute(query):
                state = InterviewState.model_validate_json(raw)
                for stage, score in state.stage_scores().items():
                    out.append({"started_at": started, "loop": loop, "stage": stage, "score": score})
        return out

    def delivery_history(self) -> list[dict[str, Any]]:
        """Voice mode: per session, the mean pace, fillers per minute and long pauses of its spoken answers."""
        query = select(sessions.c.started_at, sessions.c.loop, sessions.c.state_json).order_by(sessions.c.started_at)
        out = []
        with self.engine.connect() as conn:
            for started, loop, raw in conn.execute(query):
                spoken = [d for r in InterviewState.model_validate_json(raw).records for d in r.deliveries if d.words]
                if spoken:
                    n = len(spoken)
                    out.append(
                        {
                            "started_at": started,
                            "loop": loop,
                            "answers": n,
                            "words_per_minute": round(sum(d.words_per_minute for d in spoken) / n, 1),
                            "fillers_per_minute": round(sum(d.fillers_per_minute for d in spoken) / n, 2),
                            "pauses_over_2s": round(sum(d.pauses_over_2s for d in spoken) / n, 2),
                        }
                    )
        return out

    def delete(self, session_id: str | None = None) -> int:
        with self.engine.begin() as conn:
            ids = [session_id] if session_id else list(conn.execute(select(sessions.c.id)).scalars())
            conn.execute(delete(turns).where(turns.c.session_id.in_(ids)))
            conn.execute(delete(verdicts).where(verdicts.c.session_id.in_(ids)))
            return conn.execute(delete(sessions).where(sessions.c.id.in_(ids))).rowcount

    def close(self) -> None:
        self.engine.dispose()


def open_store(settings: Any) -> Store:
    """The store the settings name: `database_url` when set, else SQLite in the data directory."""
    return Store(url=settings.database_url) if settings.database_url else Store(settings.db_path)


def export_json(state: InterviewState) -> str:
    """The JSON export: the full interview state (schema: `InterviewState` in interviewer/state.py)."""
    return json.dumps(json.loads(state.model_dump_json()), indent=2)
