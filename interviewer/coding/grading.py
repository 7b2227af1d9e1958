"""Grade a candidate's code: run it in the sandbox, compare its outputs with the reference's in the trusted
parent, and turn tests passed (plus the spoken explanation) into scores.

Run status (SCHEMA.md): `ok` every test ran and returned (right or wrong); `error` the code did not load
(syntax error, missing import, no such function), a test raised, printed too much or crashed; `timeout` a
test or the module's own code ran out of time; `memory` it ran out of memory; `sandbox_unavailable` code
may not or could not run here (no score). The worst applies: timeout > memory > error > ok.
"""

from __future__ import annotations

import signal
import time
from typing import Any, Literal

import numpy as np

from interviewer.coding.harness import decode, encode
from interviewer.coding.record import RunReport, TestResult, TestStatus
from interviewer.coding.sandbox import Choice, Limits
from interviewer.coding.session import Session, run_session
from interviewer.knowledge.coding_exercises import CodeTest, Exercise, Expected, call_inputs, expected_outputs

MAX_RESTARTS = 3
CORRECTNESS_WEIGHT = 0.7  # of the final 1-5 score; the spoken explanation carries the rest
RESUBMIT_PENALTY = 0.1  # a fix after the interviewer's hint is worth 10% less per extra submission


def _show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=6, threshold=20, separator=", ")
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "…"


def compare(expected: Any, got: Any, rtol: float, atol: float, path: str = "") -> str | None:
    """None when `got` matches `expected`; otherwise why not (never mentioning the expected value)."""
    where = f" at {path}" if path else ""
    if isinstance(expected, tuple | list) and not isinstance(expected, str):
        if not isinstance(got, tuple | list) or len(got) != len(expected):
            return f"expected a sequence of {len(expected)} items{where}, got {type(got).__name__}"
        for i, (e, g) in enumerate(zip(expected, got, strict=True)):
            problem = compare(e, g, rtol, atol, f"{path}[{i}]")
            if problem:
                return problem
        return None
    if expected is None or isinstance(expected, str | bool):
        return None if type(got) is type(expected) and got == expected else f"wrong value{where}"
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"expected a dict with keys {sorted(expected)}{where}"
        return next((p for k in expected if (p := compare(expected[k], got[k], rtol, atol, f"{path}[{k!r}]"))), None)
    want = np.asarray(expected)
    if isinstance(got, str | dict) or got is None:
        return f"expected a number or array{where}, got {type(got).__name__}"
    try:
        have = np.asarray(got, dtype=float if want.dtype.kind == "f" else None)
    except (TypeError, ValueError):
        return f"expected a number or array{where}"
    if have.dtype.kind not in "biuf":
        return f"expected numbers{where}, got {have.dtype}"
    if have.shape != want.shape:
        return f"expected shape {want.shape}{where}, got {have.shape}"
    if want.dtype.kind in "biu":
        return None if np.array_equal(have, want) else f"wrong value{where}"
    if np.allclose(have, want, rtol=rtol, atol=atol, equal_nan=True):
        return None
    have, want = have.astype(float), want.astype(float)
    if (~np.isfinite(have) & np.isfinite(want)).any():
        return f"wrong value{where}: nan or inf where a finite number was expected"
    with np.errstate(invalid="ignore"):
        err = np.nanmax(np.abs(have - want)) if want.size else 0.0
    return f"wrong value{where} (largest error {err:.3g})"


def _judge(test: CodeTest, want: Expected, event: dict[str, Any], hidden: bool) -> tuple[TestStatus, str]:
    if not event.get("ok"):
        types = event.get("types") if isinstance(event.get("types"), list) else []
        message = str(event.get("message", ""))[:500]
        if want.raises and want.raises in types:
            return "passed", ""
        status: TestStatus = "memory" if event.get("kind") == "memory" else "error"
        return status, message
    if want.raises:
        return "failed", f"expected {want.raises} to be raised, but it returned a value"
    try:
        got = decode(event.get("value"))
    except (ValueError, TypeError, KeyError):
        return "error", "returned a value the grader could not read"
    problem = compare(want.value, got, test.rtol, test.atol)
    if problem is None:
        return "passed", ""
    if not hidden:
        problem += f": expected {_show(want.value)}, got {_show(got)}"
    return "failed", problem


def _death(session: Session, per_test_s: float, limits: Limits) -> tuple[TestStatus, str]:
    """Why a process stopped in the middle of a test."""
    if session.killed in ("timeout", "wall", "load"):
        return "timeout", f"took longer than {per_test_s:g} s" if session.killed == "timeout" else "out of time"
    if session.killed == "output":
        return "error", f"printed more than {limits.output_bytes:,} bytes; output is capped"
    if session.killed == "results":
        return "error", "returned more data than the grader accepts"
    code = session.returncode
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        if -code == signal.SIGXCPU:
            return "timeout", "used up its CPU time"
        if -code == signal.SIGKILL:
            return "memory", "the process was killed (out of memory?)"
        return "error", f"the process crashed ({name})"
    return "error", f"the process exited (status {code}) during this test"


def run_tests(exercise: Exercise, code: str, which: Literal["examples", "hidden"], choice: Choice, limits: Limits):
    """Run `code` on the exercise's examples or hidden tests and grade every test."""
    kind = "submit" if which == "hidden" else "examples"
    tests = exercise.tests(which)
    hidden = which == "hidden"
    base = {"exercise": exercise.id, "kind": kind, "total": len(tests), "code": code, "backend": choice.backend}
    if choice.backend is None:
        skipped = [TestResult(name=t.name, status="skipped", message="not run", hidden=hidden) for t in tests]
        return RunReport(**base, status="sandbox_unavailable", message=choice.note, tests=skipped)
    wanted = expected_outputs(exercise, which)
    inputs = []
    for test in tests:
        args, kwargs = call_inputs(test, exercise.function)
        inputs.append({"args": [encode(a) for a in args], "kwargs": {k: encode(v) for k, v in kwargs.items()}})
    results: dict[int, tuple[TestStatus, str]] = {}
    pending = list(range(len(tests)))
    began = time.monotonic()
    output, load_problem, restarts = "", None, 0
    while pending:
        remaining = limits.wall_s - (time.monotonic() - began)
        run_limits = limits.model_copy(update={"wall_s": max(remaining, 1.0)})
        session = run_session(
            choice.backend, exercise.function, code, [inputs[i] for i in pending], run_limits, exercise.time_limit_s
        )
        output = output or session.output
        if not session.ready:
            detail = session.output.strip().splitlines()[-1:] or [session.killed or "no output"]
            note = f"The sandbox failed before your code ran (an infrastructure error, not your code): {detail[0]}"
            skipped = [TestResult(name=t.name, status="skipped", message="not run", hidden=hidden) for t in tests]
            return RunReport(**base, status="sandbox_unavailable", message=note[:500], tests=skipped)
        for local, event in session.results.items():
            i = pending[local]
            results[i] = _judge(tests[i], wanted[i], event, hidden)
        if session.load_error is not None:
            load_problem = (session.load_error["kind"], session.load_error["message"])
            break
        if session.done and len(session.results) == len(pending):
            break
        if session.running is None and not session.results:  # stopped before any test started
            status, why = _death(session, limits.load_s, limits)
            load_problem = (status, f"while loading solution.py: {why}")
            break
        stuck = session.running if session.running is not None else min(set(range(len(pending))) - set(session.results))
        results[pending[stuck]] = _death(session, exercise.time_limit_s, limits)
        pending = [i for local, i in enumerate(pending) if local > stuck and local not in session.results]
        restarts += 1
        if restarts > MAX_RESTARTS or time.monotonic() - began >= limits.wall_s:
            break
    return _report(base, tests, results, load_problem, output, hidden, choice, time.monotonic() - began)


def _report(base, tests, results, load_problem, output, hidden, choice, seconds) -> RunReport:
    rows = []
    for i, test in enumerate(tests):
        if i in results:
            status, message = results[i]
        elif load_problem is not None:
            status, message = "skipped", "not run: the code did not load"
        else:
            status, message = "skipped", "not run: earlier tests used up the time budget"
        rows.append(TestResult(name=test.name, status=status, message=message, hidden=hidden, why=test.why))
    passed = sum(r.status == "passed" for r in rows)
    kinds = {r.status for r in rows} | ({load_problem[0]} if load_problem else set())
    status = next((s for s in ("timeout", "memory", "error") if s in kinds), "ok")
    if load_problem is not None:
        message = load_problem[1]
    else:
        label = "hidden tests" if hidden else "examples"
        message = f"{passed} of {len(rows)} {label} passed"
        if passed < len(rows):
            message += ": " + ", ".join(f"{r.name} ({r.status})" for r in rows if r.status != "passed")[:400]
    return RunReport(
        **base,
        status=status,
        passed=passed,
        score=round(passed / len(rows), 3) if rows else 0.0,
        message=message,
        tests=rows,
        isolated=choice.isolated,
        output=output,
        seconds=round(seconds, 3),
    )


def correctness(submissions: list[RunReport]) -> float | None:
    """The best graded submission, each later one worth RESUBMIT_PENALTY less; None if none was graded."""
    graded = [(i, r.score) for i, r in enumerate(submissions) if r.score is not None]
    if not graded:
        return None
    return round(max(score * max(0.0, 1 - RESUBMIT_PENALTY * i) for i, score in graded), 3)


def final_score(correct: float, explanation: float | None) -> float:
    """1-5: 1 + 4 * (0.7 * correctness + 0.3 * (explanation - 1) / 4); no explanation counts as 1."""
    spoken = 0.0 if explanation is None else (explanation - 1) / 4
    return round(1 + 4 * (CORRECTNESS_WEIGHT * correct + (1 - CORRECTNESS_WEIGHT) * spoken), 1)


class CodeRunner:
    """Runs candidates' code for the app, the engine and the CLI with one sandbox choice and set of limits."""

    def __init__(self, choice: Choice, limits: Limits | None = None) -> None:
        self.choice = choice
        self.limits = limits or Limits()

    @classmethod
    def for_address(cls, mode: str, address: str | None) -> CodeRunner:
        """`address`: where the server listens (None for the local CLI)."""
        from interviewer.coding.sandbox import choose

        return cls(choose(mode, address))

    def run(self, exercise: Exercise, code: str, which: Literal["examples", "hidden"]) -> RunReport:
        return run_tests(exercise, code, which, self.choice, self.limits)
