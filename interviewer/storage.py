"""SQLite storage for interviews: saved on every change, so a refresh or a crash loses nothing.

WAL mode; numbered schema migrations; a corrupt database file is moved aside (never deleted) and
a fresh one is created, with the reason kept in `Store.recovered_from`.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
from pathlib import Path

from interviewer.state import InterviewState

MIGRATIONS: list[str] = [
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        started_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        loop TEXT NOT NULL,
        level TEXT NOT NULL,
        status TEXT NOT NULL,
        overall_score REAL,
        state_json TEXT NOT NULL
    );
    CREATE INDEX sessions_started ON sessions(started_at);
    """,
]


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.recovered_from: str | None = None
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = self._open()
        except sqlite3.DatabaseError as err:
            aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
            shutil.move(str(path), aside)
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            self.recovered_from = (
                f"The database at {path} could not be read ({err}); it was moved to {aside} and a new one was created."
            )
            self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA quick_check").fetchone()
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with conn:
                conn.executescript(script)
                conn.execute(f"PRAGMA user_version={number}")
        return conn

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def save(self, state: InterviewState) -> None:
        row = (
            state.id,
            state.started_at,
            time.time(),
            state.loop,
            state.level,
            state.status,
            state.overall_score,
            state.model_dump_json(),
        )
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT INTO sessions (id, started_at, updated_at, loop, level, status, overall_score, state_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET updated_at=excluded.updated_at, "
                "status=excluded.status, overall_score=excluded.overall_score, state_json=excluded.state_json",
                row,
            )

    def load(self, session_id: str) -> InterviewState | None:
        with self._lock:
            row = self._conn.execute("SELECT state_json FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return InterviewState.model_validate_json(row[0]) if row else None

    def list(self, limit: int = 200) -> list[dict]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, started_at, loop, level, status, overall_score FROM sessions "
                "ORDER BY started_at DESC LIMIT ?",
                (limit,),
            ).fetchall()
        keys = ("id", "started_at", "loop", "level", "status", "overall_score")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def delete(self, session_id: str | None = None) -> int:
        with self._lock, self._conn:
            if session_id is None:
                return self._conn.execute("DELETE FROM sessions").rowcount
            return self._conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount

    def close(self) -> None:
        self._conn.close()


def export_json(state: InterviewState) -> str:
    return json.dumps(json.loads(state.model_dump_json()), indent=2)
