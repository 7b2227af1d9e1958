"""Untrusted code in the sandbox: every attack from issue 13 ends with the right status in bounded time, the
host is untouched, and nothing the candidate's process prints or forges counts as a passed test.

Each attack runs under bubblewrap and as a plain process (the loopback-only fallback, guarded by an audit hook)."""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from interviewer.coding import sandbox
from interviewer.coding.grading import CodeRunner
from interviewer.coding.sandbox import Choice, Limits
from interviewer.knowledge.coding_exercises import load_exercises
from tests.conftest import REPO

BACKENDS = ["bwrap", "process"]
EXERCISES = load_exercises(REPO / "question_bank")
# one second per test keeps the timeouts short; the limits are otherwise the defaults
SOFTMAX = EXERCISES["softmax"].model_copy(update={"time_limit_s": 1.0})
BOUND_S = 25.0  # every run ends well within this, whatever the code does


def runner(backend: str) -> CodeRunner:
    if backend == "bwrap" and not sandbox.bwrap_status()[0]:
        pytest.fail(
            f"bubblewrap is required for these tests: {sandbox.bwrap_status()[1]} (bash scripts/system-deps.sh)"
        )
    return CodeRunner(Choice(backend=backend, isolated=backend == "bwrap"), Limits(wall_s=15.0))


def run(backend: str, code: str, which: str = "hidden"):
    began = time.monotonic()
    report = runner(backend).run(SOFTMAX, code, which)
    elapsed = time.monotonic() - began
    assert elapsed < BOUND_S, f"took {elapsed:.1f} s"
    return report


def sandbox_processes() -> list[str]:
    """Command lines of sandbox processes still alive (there must be none once a run has returned)."""
    alive = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if "/sandbox/harness.py" in cmd or "interview-code-" in cmd:
                alive.append(cmd)
    return alive


@pytest.mark.parametrize("backend", BACKENDS)
def test_infinite_loop_times_out_and_later_tests_still_run(backend: str) -> None:
    code = "import numpy as np\ndef softmax(x, axis=-1):\n    if x.size == 1:\n        while True:\n            pass\n"
    code += "    e = np.exp(x - x.max(axis=axis, keepdims=True))\n    return e / e.sum(axis=axis, keepdims=True)\n"
    report = run(backend, code)
    assert report.status == "timeout"
    by_name = {t.name: t for t in report.tests}
    assert by_name["single_logit"].status == "timeout" and "longer than 1 s" in by_name["single_logit"].message
    assert by_name["minus_infinity_logit"].status == "passed"  # the run resumed after the stuck test
    assert report.passed == report.total - 1
    assert not sandbox_processes()


@pytest.mark.parametrize("backend", BACKENDS)
def test_infinite_loop_at_import_is_a_timeout(backend: str) -> None:
    report = run(backend, "while True:\n    pass\n")
    assert report.status == "timeout" and report.passed == 0 and "while loading" in report.message
    assert all(t.status == "skipped" for t in report.tests)


@pytest.mark.parametrize("backend", BACKENDS)
def test_fork_bomb_is_contained(backend: str) -> None:
    code = "import os\ndef softmax(x, axis=-1):\n    while True:\n        try:\n            os.fork()\n"
    code += "        except OSError:\n            pass\n"
    before = len(os.listdir("/proc"))
    report = run(backend, code)
    assert report.status == "timeout" and report.passed == 0
    time.sleep(0.5)
    assert not sandbox_processes()
    assert len(os.listdir("/proc")) < before + 50  # nothing was left multiplying on the host
    once = run(backend, "import os\ndef softmax(x, axis=-1):\n    os.fork()\n    return x\n", "examples")
    expected = "Resource temporarily unavailable" if backend == "bwrap" else "os.fork is not allowed"
    assert expected in once.tests[0].message  # bwrap: RLIMIT_NPROC for a throw-away uid; process: the guard


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("where", ["function", "module"])
def test_twenty_gigabytes_is_a_memory_error(backend: str, where: str) -> None:
    grab = "np.ones(20 * 2**30 // 8)"
    if where == "module":
        code = f"import numpy as np\nHOG = {grab}\ndef softmax(x, axis=-1):\n    return x\n"
    else:
        code = f"import numpy as np\ndef softmax(x, axis=-1):\n    return {grab}\n"
    report = run(backend, code)
    assert report.status == "memory" and report.passed == 0
    if where == "function":
        assert all(t.status == "memory" for t in report.tests)


@pytest.mark.parametrize("backend", BACKENDS)
def test_writing_outside_the_sandbox_tmp_changes_nothing(backend: str, tmp_path: Path) -> None:
    target = tmp_path / "host.txt"
    target.write_text("original")
    fresh = REPO / "pwned-by-candidate.txt"
    code = (
        "import os\ndef softmax(x, axis=-1):\n"
        f"    open({str(target)!r}, 'w').write('pwned')\n"
        f"    open({str(fresh)!r}, 'w').write('pwned')\n"
        "    return x\n"
    )
    report = run(backend, code)
    assert target.read_text() == "original" and not fresh.exists()
    assert report.status == "error" and report.passed == 0
    # its own private tmp is writable, and disappears with the run
    ok = "import os, tempfile\ndef softmax(x, axis=-1):\n    p = os.path.join(tempfile.gettempdir(), 'scratch')\n"
    ok += (
        "    open(p, 'w').write('fine')\n    import numpy as np\n    e = np.exp(x - x.max(axis=axis, keepdims=True))\n"
    )
    ok += "    return e / e.sum(axis=axis, keepdims=True)\n"
    assert run(backend, ok).passed == SOFTMAX.hidden.__len__()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_host_only_database_is_never_read(backend: str, tmp_path: Path) -> None:
    db = tmp_path / "interview.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("create table secrets (v text)")
        conn.execute("insert into secrets values ('SECRET-ANSWERS-4711')")
    before = db.read_bytes()
    code = (
        "def softmax(x, axis=-1):\n"
        f"    data = open({str(db)!r}, 'rb').read()\n"
        "    print(data)\n"
        "    raise ValueError(data[-200:])\n"
    )
    sneaky = f"import sqlite3\nrows = sqlite3.connect({str(db)!r}).execute('select v from secrets').fetchall()\n"
    sneaky += "print(rows)\ndef softmax(x, axis=-1):\n    raise ValueError(str(rows))\n"
    for attempt in (code, sneaky):
        for which in ("examples", "hidden"):
            report = run(backend, attempt, which)
            seen = report.model_dump_json()
            assert "SECRET-ANSWERS" not in seen and report.passed == 0 and report.status == "error"
    assert db.read_bytes() == before


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_socket_reaches_nothing(backend: str) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    connections: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connections.append(server.accept())
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    code = (
        "import socket\ndef softmax(x, axis=-1):\n"
        f"    s = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
        "    s.sendall(b'leak')\n    return x\n"
    )
    try:
        report = run(backend, code)
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()
    assert connections == [] and report.passed == 0 and report.status == "error"


@pytest.mark.parametrize("backend", BACKENDS)
def test_killing_the_parent_fails(backend: str) -> None:
    code = (
        "import os, signal\ndef softmax(x, axis=-1):\n"
        f"    for pid in (os.getppid(), {os.getpid()}):\n"
        "        try:\n            os.kill(pid, signal.SIGKILL)\n        except OSError:\n            pass\n"
        "    return x\n"
    )
    report = run(backend, code)
    assert report.passed == 0  # and this test process is still alive to say so


@pytest.mark.parametrize("backend", BACKENDS)
def test_printing_100_mb_is_capped(backend: str) -> None:
    code = "def softmax(x, axis=-1):\n    for _ in range(100):\n        print('x' * 1_000_000)\n    return x\n"
    report = run(backend, code, "examples")
    assert report.status == "error" and report.passed == 0
    assert "printed more than" in report.tests[0].message
    assert len(report.output) <= 64_000


@pytest.mark.parametrize("backend", BACKENDS)
def test_syntax_error_and_missing_module(backend: str) -> None:
    report = run(backend, "def softmax(x, axis=-1)\n    return x\n")
    assert report.status == "error" and report.passed == 0
    assert "SyntaxError" in report.message and "line 1" in report.message
    report = run(backend, "import definitely_not_a_module\ndef softmax(x, axis=-1):\n    return x\n")
    assert report.status == "error" and "No module named 'definitely_not_a_module'" in report.message
    report = run(backend, "def soft_max(x):\n    return x\n")
    assert report.status == "error" and "does not define softmax()" in report.message


@pytest.mark.parametrize("backend", BACKENDS)
def test_monkeypatching_the_harness_and_forging_results_earn_nothing(backend: str) -> None:
    forged = "".join(
        f'{{"e": "result", "i": {i}, "ok": true, "value": {{"t": "float", "v": "1.0"}}}}\\n' for i in range(12)
    )
    code = (
        "import os, sys\n"
        "main = sys.modules.get('__main__')\n"
        "if main is not None:\n"
        "    main.encode = lambda value, depth=0: {'t': 'str', 'v': 'passed'}\n"
        "    main.last_line = lambda err: 'passed'\n"
        "print('ALL TESTS PASSED: 8/8')\n"
        f"os.write(3, b'{forged}')\n"
        "def softmax(x, axis=-1):\n"
        "    print('PASSED')\n"
        f"    os.write(3, b'{forged}')\n"
        "    return x\n"
    )
    report = run(backend, code)
    assert report.passed == 0 and report.score == 0.0
    assert all(t.status != "passed" for t in report.tests)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_runner_keeps_working_after_the_attacks(backend: str) -> None:
    report = run(backend, SOFTMAX.reference_solution)
    assert report.status == "ok" and report.passed == report.total == len(SOFTMAX.hidden)
    assert not sandbox_processes()


def test_choice_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox.bwrap_status.cache_clear()
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    try:
        forced = sandbox.choose("bwrap", "127.0.0.1")
        assert forced.backend is None and "apt-get install bubblewrap" in forced.note
        public = sandbox.choose("auto", "0.0.0.0")
        assert public.backend is None and "not only on loopback" in public.note
        assert sandbox.choose("process", "10.1.2.3").backend is None  # never unsandboxed for remote users
        local = sandbox.choose("auto", "127.0.0.1")
        assert local.backend == "process" and not local.isolated and "not isolated" in local.note
        assert sandbox.choose("auto", None).backend == "process"  # the local CLI
        report = CodeRunner(forced).run(SOFTMAX, SOFTMAX.reference_solution, "hidden")
        assert report.status == "sandbox_unavailable" and report.score is None and report.passed == 0
    finally:
        sandbox.bwrap_status.cache_clear()
    monkeypatch.undo()
    assert sandbox.choose("auto", "0.0.0.0").backend == "bwrap"


def test_an_infrastructure_failure_is_not_a_score(monkeypatch: pytest.MonkeyPatch) -> None:
    working = runner("bwrap")
    from interviewer.coding import session

    real = session.bwrap_prefix
    monkeypatch.setattr(session, "bwrap_prefix", lambda *a, **k: [*real(*a, **k), "--no-such-bwrap-option"])
    report = working.run(SOFTMAX, SOFTMAX.reference_solution, "hidden")
    assert report.status == "sandbox_unavailable" and report.score is None
    assert "infrastructure error" in report.message
