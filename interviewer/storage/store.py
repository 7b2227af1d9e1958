"""Interview storage through SQLAlchemy Core: SQLite (WAL) by default, PostgreSQL by URL.

Every state change is saved in one transaction: the session row (with the full state as JSON, so
an unfinished interview can be resumed exactly) and its verdicts as rows for queries.
Schema versions are numbered migrations. A corrupt SQLite file is moved aside, never deleted.

Every row belongs to an owner and every query is scoped by it: `store.scoped(user)` is the store as
one user sees it (the local default user is "local"). Saves are optimistic: each save bumps the
session's version, and a save from an older version raises `StaleSave` instead of overwriting.
"""

from __future__ import annotations

import copy
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
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError

from interviewer.interview.state import InterviewState

LOCAL_USER = "local"


class StaleSave(Exception):
    """The session was saved elsewhere (another tab or replica) since this copy was loaded."""


metadata = MetaData()
MIGRATION_LOCK = 0x696E7476  # the advisory lock held while PostgreSQL's schema is created or migrated
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
    Column("owner", String(128), nullable=False, server_default=LOCAL_USER),
    Column("version", Integer, nullable=False, server_default="0"),
)
turns = Table(  # schema v1 only: dropped by _v2, kept here so the v1 migration stays as it was
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


def _v2(conn: Any) -> None:
    """Owners and versions: existing rows belong to the local user; the never-read turns table goes."""
    have = {c["name"] for c in inspect(conn).get_columns("sessions")}  # _v1 on a new database already has them
    if "owner" not in have:
        conn.execute(text(f"ALTER TABLE sessions ADD COLUMN owner VARCHAR(128) NOT NULL DEFAULT '{LOCAL_USER}'"))
    if "version" not in have:
        conn.execute(text("ALTER TABLE sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 0"))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_sessions_owner ON sessions (owner, started_at)"))
    conn.execute(text("DROP TABLE IF EXISTS turns"))


MIGRATIONS = [_v1, _v2]  # append a function per schema change; never edit an old one


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


class Store:
    """`Store(path)` for SQLite in the data directory, or `Store(url="postgresql+psycopg://...")`."""

    def __init__(self, path: Path | None = None, url: str | None = None, owner: str = LOCAL_USER) -> None:
        if path is None and url is None:
            raise ValueError("Store needs a SQLite path or a database URL")
        self.owner = owner
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
                elif engine.dialect.name == "postgresql":
                    # Replicas starting together on a fresh database would each create the tables and apply the
                    # migrations (one failed on a duplicate type); one at a time, the others then find them done.
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
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

    def scoped(self, owner: str) -> Store:
        """The same database as one user sees it."""
        view = copy.copy(self)
        view.owner = owner
        return view

    def save(self, state: InterviewState) -> None:
        """Insert or update the session; refuse (StaleSave) if it changed since `state.version` was loaded."""
        if state.owner != self.owner:
            raise PermissionError(f"session {state.id} belongs to another user")
        row = {
            "started_at": state.started_at,
            "updated_at": time.time(),
            "loop": state.loop,
            "level": state.level,
            "status": state.status,
            "overall_score": state.overall_score,
            "owner": self.owner,
            "version": state.version + 1,
            "state_json": state.model_copy(update={"version": state.version + 1}).model_dump_json(),
            "settings_json": json.dumps(
                {
                    "interviewer_model": state.interviewer_model,
                    "judge_model": state.judge_model,
                    "n_questions": state.n_questions,
                    "feedback": state.feedback_mode,
                }
            ),
        }
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
        mine = (sessions.c.id == state.id) & (sessions.c.owner == self.owner)
        try:
            with self.engine.begin() as conn:
                done = conn.execute(update(sessions).where(mine, sessions.c.version == state.version).values(**row))
                if done.rowcount == 0:
                    if conn.execute(select(sessions.c.version).where(sessions.c.id == state.id)).first() is not None:
                        raise StaleSave(f"session {state.id} was saved elsewhere since version {state.version}")
                    conn.execute(insert(sessions).values(id=state.id, **row))
                conn.execute(delete(verdicts).where(verdicts.c.session_id == state.id))
                if verdict_rows:
                    conn.execute(insert(verdicts), verdict_rows)
        except IntegrityError as err:  # two first saves of one new session raced: the other one won
            raise StaleSave(f"session {state.id} was created elsewhere") from err
        state.version += 1

    def load(self, session_id: str) -> InterviewState | None:
        """The session if it exists and belongs to this store's owner; None otherwise (never another's)."""
        query = select(sessions.c.state_json, sessions.c.version).where(
            sessions.c.id == session_id, sessions.c.owner == self.owner
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        state = InterviewState.model_validate_json(row[0])
        state.owner, state.version = self.owner, int(row[1])  # rows from before v2 carry neither in their JSON
        return state

    def list(self, limit: int = 200) -> list[dict[str, Any]]:
        cols = [
            sessions.c.id,
            sessions.c.started_at,
            sessions.c.loop,
            sessions.c.level,
            sessions.c.status,
            sessions.c.overall_score,
        ]
        query = select(*cols).where(sessions.c.owner == self.owner).order_by(sessions.c.started_at.desc())
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query.limit(limit)).mappings()]

    def attempts(self, question_id: str) -> list[dict[str, Any]]:
        """Every scored attempt at one question across this owner's sessions, oldest first ('practice again')."""
        query = (
            select(verdicts.c.session_id, verdicts.c.score, verdicts.c.created_at)
            .join(sessions, sessions.c.id == verdicts.c.session_id)
            .where(verdicts.c.question_id == question_id, verdicts.c.status == "ok", sessions.c.owner == self.owner)
            .order_by(verdicts.c.created_at, verdicts.c.attempt)
        )
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
        last: dict[str, dict[str, Any]] = {r["session_id"]: r for r in rows}  # final verdict per session
        return sorted(last.values(), key=lambda r: r["created_at"])

    def stage_history(self) -> list[dict[str, Any]]:
        """(session start, loop, stage, score) for the final verdict of every scored question of this owner."""
        query = (
            select(sessions.c.started_at, sessions.c.loop, sessions.c.state_json)
            .where(sessions.c.owner == self.owner)
            .order_by(sessions.c.started_at)
        )
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
        """Delete one of this owner's sessions, or all of them; another user's data is never touched."""
        mine = sessions.c.owner == self.owner
        with self.engine.begin() as conn:
            where = mine & (sessions.c.id == session_id) if session_id else mine
            ids = list(conn.execute(select(sessions.c.id).where(where)).scalars())
            conn.execute(delete(verdicts).where(verdicts.c.session_id.in_(ids)))
            return conn.execute(delete(sessions).where(sessions.c.id.in_(ids))).rowcount

    def aggregate(self) -> dict[str, Any]:
        """Statistics across every user for an admin: counts and mean scores, never answers or names."""
        with self.engine.connect() as conn:
            users = conn.execute(select(func.count(func.distinct(sessions.c.owner)))).scalar() or 0
            by_status = dict(conn.execute(select(sessions.c.status, func.count()).group_by(sessions.c.status)).all())
            stage_rows = conn.execute(
                select(verdicts.c.stage, func.count(), func.avg(verdicts.c.score))
                .where(verdicts.c.status == "ok")
                .group_by(verdicts.c.stage)
            ).all()
        return {
            "users": int(users),
            "sessions": {str(k): int(v) for k, v in by_status.items()},
            "stages": {stage: {"scored": int(n), "mean_score": round(float(m), 2)} for stage, n, m in stage_rows},
        }

    def close(self) -> None:
        self.engine.dispose()


def open_store(settings: Any) -> Store:
    """The store the settings name: `database_url` when set, else SQLite in the data directory."""
    return Store(url=settings.database_url) if settings.database_url else Store(settings.db_path)


def export_json(state: InterviewState) -> str:
    """The JSON export: the full interview state (schema: `InterviewState` in interviewer/interview/state.py)."""
    return json.dumps(json.loads(state.model_dump_json()), indent=2)
