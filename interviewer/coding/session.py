"""One sandboxed process: write the job, start the harness (bubblewrap or plain), watch its pipes and clocks.

The parent reads two pipes: the candidate's printed output (capped) and the harness's event lines (untrusted
data: they only carry the function's outputs). It enforces the start-up, module-load, per-test and total
wall-clock limits and kills the whole process group when one is hit.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interviewer.coding.sandbox import (
    HARNESS,
    Backend,
    Limits,
    bwrap_prefix,
    numpy_dirs,
    python_executable,
    sandbox_env,
)


@dataclass
class Session:
    """What one sandboxed process did, as the parent observed it (events are untrusted data)."""

    ready: bool = False
    load_error: dict[str, Any] | None = None
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    running: int | None = None
    done: bool = False
    killed: str | None = None  # startup | load | timeout | output | results | wall
    returncode: int | None = None
    output: str = ""
    output_bytes: int = 0
    seconds: float = 0.0


def run_session(backend: Backend, function: str, source: str, tests: list[dict], limits: Limits, per_test_s: float):
    """Start the harness on `tests` (encoded inputs) and watch it until it finishes or a limit is hit."""
    with tempfile.TemporaryDirectory(prefix="interview-code-") as tmp:
        job_dir = Path(tmp)
        uid = 3_000_000 + secrets.randbelow(1_000_000) if backend == "bwrap" and os.geteuid() == 0 else None
        scratch = job_dir / "tmp"
        scratch.mkdir()
        job = {
            "function": function,
            "tests": tests,
            "memory_mb": limits.memory_mb,
            "file_mb": limits.file_mb,
            "nproc": limits.nproc,
            "cpu_s": int(limits.wall_s) + 1,
            "site": "/sandbox/site" if backend == "bwrap" else str(numpy_dirs()[0].parent),
            "guard": backend == "process",
            "read_roots": [os.path.realpath(sys.base_prefix), *map(str, numpy_dirs()), str(job_dir), "/dev/null"],
            "write_roots": [str(scratch)],
        }
        (job_dir / "job.json").write_text(json.dumps(job), encoding="utf-8")
        (job_dir / "solution.py").write_text(source, encoding="utf-8")
        if uid is not None:  # only the throw-away user may read the job
            for path in (job_dir, job_dir / "job.json", job_dir / "solution.py"):
                os.chown(path, uid, uid)
            os.chmod(job_dir, 0o700)
        read_end, write_end = os.pipe()
        if backend == "bwrap":
            command = [*bwrap_prefix(job_dir, limits.file_mb), "--", python_executable(), "-I", "-S", "-u"]
            command += ["/sandbox/harness.py", "/sandbox/job", str(write_end), str(uid) if uid else "-"]
            env, cwd = {}, "/"
        else:
            command = [python_executable(), "-I", "-S", "-u", str(HARNESS), str(job_dir), str(write_end), "-"]
            env, cwd = sandbox_env(str(scratch)), str(scratch)
        try:
            proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=[write_end],
                start_new_session=True,
                env=env,
                cwd=cwd,
            )
        except OSError as err:
            os.close(read_end)
            os.close(write_end)
            session = Session(output=f"could not start the sandbox: {err}")
            return session
        os.close(write_end)
        try:
            return _watch(proc, read_end, limits, per_test_s, len(tests))
        finally:
            os.close(read_end)


def _kill(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _watch(proc: subprocess.Popen, result_fd: int, limits: Limits, per_test_s: float, n_tests: int) -> Session:
    session = Session()
    start = phase = time.monotonic()
    output = bytearray()
    pending = b""
    received = 0
    selector = selectors.DefaultSelector()
    assert proc.stdout is not None
    selector.register(proc.stdout.fileno(), selectors.EVENT_READ, "out")
    selector.register(result_fd, selectors.EVENT_READ, "res")
    while selector.get_map() and session.killed is None:
        now = time.monotonic()
        if not session.ready:
            deadline, reason = start + limits.startup_s, "startup"
        elif session.running is None:
            deadline, reason = phase + limits.load_s, "load"
        else:
            deadline, reason = phase + per_test_s, "timeout"
        if start + limits.wall_s < deadline:
            deadline, reason = start + limits.wall_s, "wall"
        if now >= deadline:
            session.killed = reason
            break
        for key, _ in selector.select(deadline - now):
            data = os.read(key.fd, 65536)
            if not data:
                selector.unregister(key.fd)
                continue
            if key.data == "out":
                session.output_bytes += len(data)
                if len(output) < 64_000:
                    output += data[: 64_000 - len(output)]
                if session.output_bytes > limits.output_bytes:
                    session.killed = "output"
                continue
            received += len(data)
            if received > limits.result_bytes:
                session.killed = "results"
                continue
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if _event(session, line, n_tests):
                    phase = time.monotonic()
    _kill(proc)
    selector.close()
    proc.stdout.close()
    try:
        session.returncode = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover  (SIGKILL was sent to the whole group)
        session.returncode = None
    if session.done and session.killed is None:
        session.returncode = 0
    session.output = output.decode("utf-8", errors="replace")
    session.seconds = time.monotonic() - start
    return session


def _event(session: Session, line: bytes, n_tests: int) -> bool:
    """Apply one event line; True when a new phase (a test) starts or ends. Malformed lines are ignored."""
    try:
        event = json.loads(line)
    except ValueError:
        return False
    if not isinstance(event, dict):
        return False
    kind, index = event.get("e"), event.get("i")
    if kind == "ready" and not session.ready:
        session.ready = True
        return True
    if not session.ready:
        return False
    if kind == "load_error" and session.load_error is None and not session.results:
        session.load_error = {"kind": str(event.get("kind")), "message": str(event.get("message", ""))[:500]}
        return True
    valid = isinstance(index, int) and not isinstance(index, bool) and 0 <= index < n_tests
    if kind == "start" and valid:
        session.running = index
        return True
    if kind == "result" and valid and index not in session.results:
        session.results[index] = event
        session.running = None
        return True
    if kind == "done":
        session.done = True
    return False
