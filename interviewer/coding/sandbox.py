"""Where untrusted code may run (bubblewrap, or a plain process where that is allowed) and the sandbox's shape.

`INTERVIEW_CODE_SANDBOX=auto|bwrap|process` chooses (default `auto`: bubblewrap where it works). Without
bubblewrap, `auto` runs code as a plain process only when the server listens on loopback (one candidate on
their own machine) and says it is not isolated; on any other address it refuses. A forced `bwrap` with no
working bubblewrap refuses too. A refusal is a `sandbox_unavailable` run, never a score.

Under bubblewrap only the Python runtime, numpy and the harness are bound (read-only), /tmp is a private
size-capped tmpfs, and there is no network and a new PID/IPC/UTS namespace. Either way the harness lowers
its own limits (address space, CPU seconds, file size, open files, processes) before loading the code, and
session.py enforces the wall-clock limits and the output cap.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

HARNESS = Path(__file__).with_name("harness.py")
INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`)"
LOOPBACK = ("127.", "localhost", "::1")
Backend = Literal["bwrap", "process"]


class Limits(BaseModel):
    memory_mb: int = Field(1024, ge=128, description="Address-space limit of the sandboxed process (MiB).")
    file_mb: int = Field(16, ge=1, description="Largest file the code may write, and the size of its /tmp (MiB).")
    nproc: int = Field(1, ge=1, description="Processes and threads the sandbox user may have (1: no fork).")
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
            [*bwrap_prefix(None), "--", python_executable(), "-I", "-S", "-c", "pass"],
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


def python_executable() -> str:
    return os.path.realpath(getattr(sys, "_base_executable", sys.executable))


def numpy_dirs() -> list[Path]:
    import numpy

    package = Path(numpy.__file__).resolve().parent
    return [p for p in (package, package.parent / "numpy.libs") if p.exists()]


def bwrap_prefix(job_dir: Path | None, file_mb: int = 16) -> list[str]:
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
    for path in numpy_dirs():
        bind(path, f"/sandbox/site/{path.name}")
    bind(HARNESS, "/sandbox/harness.py")
    if job_dir is not None:
        bind(job_dir, "/sandbox/job")
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(file_mb * 2**20), "--tmpfs", "/tmp"]
    args += ["--chdir", "/tmp"]
    for key, value in sandbox_env("/tmp").items():
        args += ["--setenv", key, value]
    return args


def sandbox_env(tmp: str) -> dict[str, str]:
    threads = {k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    return {"PATH": "/usr/bin:/bin", "HOME": tmp, "TMPDIR": tmp, "LANG": "C.UTF-8", **threads}
