"""Run the harness on untrusted code: under bubblewrap, or as a plain process where that is allowed.

`INTERVIEW_CODE_SANDBOX=auto|bwrap|process` chooses (default `auto`: bubblewrap where it works). Without
bubblewrap, `auto` runs code as a plain process only when the server listens on loopback (one candidate on
their own machine) and says it is not isolated; on any other address it refuses. A forced `bwrap` with no
working bubblewrap refuses too. A refusal is a `sandbox_unavailable` run, never a score.

Either way the child gets resource limits (address space, CPU seconds, file size, open files, processes),
a wall-clock limit per phase and per test, and capped output; the parent kills its whole process group.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

HARNESS = Path(__file__).with_name("harness.py")
INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`)"
LOOPBACK = ("127.", "localhost", "::1")
Backend = Literal["bwrap", "process"]


class Limits(BaseModel):
    memory_mb: int = Field(1024, ge=128, description="Address-space limit of the sandboxed process (MiB).")
    file_mb: int = Field(16, ge=1, description="Largest file the code may write, and the size of its /tmp (MiB).")
    nproc: int = Field(16, ge=1, description="Processes and threads the sandbox user may have.")
    output_bytes: int = Field(1_000_000, ge=1000, description="Printed output beyond this stops the run.")
    result_bytes: int = Field(16_000_000, ge=1000, description="Returned values beyond this stop the run.")
    startup_s: float = Field(20.0, gt=0, description="Time for the sandbox and numpy to start (ours, not the code's).")
    load_s: float = Field(5.0, gt=0, description="Time for the candidate's module-level code.")
    wall_s: float = Field(30.0, gt=0, description="Wall-clock cap on one run of all tests.")


class Choice(BaseModel):
    backend: Backend | None = Field(description="Where code runs; None when it may not run here.")
    isolated: bool = Field(description="True under bubblewrap; a plain process is not isolated.")
    note: str = Field("", description="What the candidate should know: not isolated, or why code cannot run.")


@lru_cache(maxsize=1)
def bwrap_status() -> tuple[bool, str]:
    """Whether bubblewrap is installed and can start a sandbox here (user namespaces may be disabled)."""
    if shutil.which("bwrap") is None:
        return False, "bubblewrap (bwrap) is not installed"
    try:
        probe = subprocess.run(
            [*_bwrap_prefix(None), "--", _python(), "-I", "-S", "-c", "pass"],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return False, f"bubblewrap could not start: {err}"
    if probe.returncode != 0:
        return False, f"bubblewrap could not start a sandbox: {probe.stderr.decode(errors='replace').strip()[:300]}"
    return True, ""


def choose(mode: str, address: str | None) -> Choice:
    """The backend for `mode` (auto|bwrap|process) on a server listening on `address` (None: local CLI)."""
    local = address is None or address.startswith(LOOPBACK)
    ok, why = bwrap_status()
    if mode not in ("auto", "bwrap", "process"):
        return Choice(backend=None, isolated=False, note=f"INTERVIEW_CODE_SANDBOX={mode!r}: use auto, bwrap or process")
    if mode in ("auto", "bwrap") and ok:
        return Choice(backend="bwrap", isolated=True)
    if mode == "bwrap":
        return Choice(backend=None, isolated=False, note=f"INTERVIEW_CODE_SANDBOX=bwrap but {why}: {INSTALL_HINT}.")
    if not local:
        return Choice(
            backend=None,
            isolated=False,
            note=f"Code cannot run on this server: {why}, and it listens on {address}, not only on loopback. "
            f"To run candidates' code safely, {INSTALL_HINT}.",
        )
    reason = "INTERVIEW_CODE_SANDBOX=process" if mode == "process" else why
    return Choice(
        backend="process",
        isolated=False,
        note=f"Your code runs as a plain process on this machine, with limits but not isolated ({reason}). "
        f"For isolation, {INSTALL_HINT}.",
    )


def _python() -> str:
    return os.path.realpath(getattr(sys, "_base_executable", sys.executable))


def _numpy_dirs() -> list[Path]:
    import numpy

    package = Path(numpy.__file__).resolve().parent
    return [p for p in (package, package.parent / "numpy.libs") if p.exists()]


def _bwrap_prefix(job_dir: Path | None, file_mb: int = 16) -> list[str]:
    args = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    args += ["--die-with-parent", "--new-session", "--clearenv", "--hostname", "sandbox"]
    if os.geteuid() == 0:  # the harness switches to a throw-away uid, so the process limit applies
        args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
    made: set[str] = set()

    def bind(src: Path, dest: str) -> None:
        parents = list(Path(dest).parents)[::-1][1:]  # skip "/"
        for parent in parents:
            if str(parent) not in made and not str(parent).startswith("/usr"):
                args.extend(["--perms", "0755", "--dir", str(parent)])
                made.add(str(parent))
        args.extend(["--ro-bind", str(src), dest])

    args += ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    prefix = Path(os.path.realpath(sys.base_prefix))
    if not str(prefix).startswith("/usr/"):
        bind(prefix, str(prefix))
    for path in _numpy_dirs():
        bind(path, f"/sandbox/site/{path.name}")
    bind(HARNESS, "/sandbox/harness.py")
    if job_dir is not None:
        bind(job_dir, "/sandbox/job")
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(file_mb * 2**20), "--tmpfs", "/tmp"]
    args += ["--chdir", "/tmp"]
    for key, value in _env("/tmp").items():
        args += ["--setenv", key, value]
    return args


def _env(tmp: str) -> dict[str, str]:
    threads = {k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    return {"PATH": "/usr/bin:/bin", "HOME": tmp, "TMPDIR": tmp, "LANG": "C.UTF-8", **threads}


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
            "site": "/sandbox/site" if backend == "bwrap" else str(_numpy_dirs()[0].parent),
            "guard": backend == "process",
            "read_roots": [os.path.realpath(sys.base_prefix), *map(str, _numpy_dirs()), str(job_dir), "/dev/null"],
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
            command = [*_bwrap_prefix(job_dir, limits.file_mb), "--", _python(), "-I", "-S", "-u"]
            command += ["/sandbox/harness.py", "/sandbox/job", str(write_end), str(uid) if uid else "-"]
            env, cwd = {}, "/"
        else:
            command = [_python(), "-I", "-S", "-u", str(HARNESS), str(job_dir), str(write_end), "-"]
            env, cwd = _env(str(scratch)), str(scratch)
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
