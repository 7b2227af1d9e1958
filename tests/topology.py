"""The hosted topology on one machine, for the scale-out test and the load benchmark (loopback only).

N Streamlit replicas of app.py behind nginx (sticky per user), sharing one PostgreSQL database and one
Chroma server, in trusted-header mode as behind an auth proxy. Simulated candidates are headless
Chromium contexts, each sending its own user header, driving whole interviews through the real page.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEADER = "X-Forwarded-Email"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[:3]} exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s:\n{log.read_text()[-2000:]}")


@dataclass
class Topology:
    """Start with `with Topology(work_dir, replicas=2) as topo:`; `topo.url` is the proxy in front."""

    work: Path
    replicas: int = 2
    url: str = ""
    database_url: str = ""
    procs: list[subprocess.Popen] = field(default_factory=list)

    def _spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.Popen, Path]:
        log = self.work / f"{name}.log"
        proc = subprocess.Popen(
            command, env={**os.environ, **(env or {})}, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=REPO
        )
        self.procs.append(proc)
        return proc, log

    def _database(self) -> str:
        base = subprocess.run(
            ["bash", str(REPO / "scripts" / "postgres-for-tests.sh")], capture_output=True, text=True, check=True
        ).stdout.strip()
        if not base:
            raise RuntimeError("PostgreSQL is needed: run as root so scripts/postgres-for-tests.sh can start it")
        from sqlalchemy import create_engine, text

        name = f"interview_load_{uuid.uuid4().hex[:8]}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        admin.dispose()
        return base.rsplit("/", 1)[0] + f"/{name}"

    def __enter__(self) -> Topology:
        self.work.mkdir(parents=True, exist_ok=True)
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        self.database_url = self._database()
        chroma_port = free_port()
        chroma_cli = str(Path(sys.executable).parent / "chroma")
        proc, log = self._spawn(
            "chroma",
            [chroma_cli, "run", "--path", str(self.work / "chroma"), "--host", "127.0.0.1", "--port", str(chroma_port)],
        )
        chroma_url = f"http://127.0.0.1:{chroma_port}"
        wait_http(f"{chroma_url}/api/v2/heartbeat", proc, log)
        env = {
            "HF_HUB_OFFLINE": "1",
            "INTERVIEW_CONFIG": str(self.work / "absent.toml"),
            "INTERVIEW_DATA_DIR": str(self.work / "data"),
            "INTERVIEW_DATABASE_URL": self.database_url,
            "INTERVIEW_CHROMA_URL": chroma_url,
            "INTERVIEW_TRUSTED_USER_HEADER": HEADER,
            "INTERVIEW_TRUSTED_PROXIES": '["127.0.0.1/32", "::1/128"]',
        }
        subprocess.run(
            [sys.executable, "-m", "interviewer", "index", "--quiet"], env={**os.environ, **env}, check=True, cwd=REPO
        )
        servers = []
        for i in range(self.replicas):
            port = free_port()
            command = [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.port", str(port)]
            command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
            proc, log = self._spawn(f"replica-{i}", command, env)
            wait_http(f"http://127.0.0.1:{port}/_stcore/health", proc, log)
            servers.append(f"        server 127.0.0.1:{port};")
        listen = free_port()
        logs = self.work / "nginx"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (logs / sub).mkdir(parents=True, exist_ok=True)
        template = (REPO / "deploy" / "nginx.conf.template").read_text()
        conf = self.work / "nginx.conf"
        conf.write_text(
            template.replace("{pid_file}", str(logs / "nginx.pid"))
            .replace("{log_dir}", str(logs))
            .replace("{servers}", "\n".join(servers))
            .replace("{listen}", f"127.0.0.1:{listen}")
        )
        proc, log = self._spawn("nginx", ["nginx", "-c", str(conf), "-e", str(logs / "startup.log")])
        self.url = f"http://127.0.0.1:{listen}"
        wait_http(f"{self.url}/_stcore/health", proc, log)

    def __exit__(self, *exc: object) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
            if proc.poll() is None:
                proc.kill()

    def replica_logs(self) -> Iterator[str]:
        for path in sorted(self.work.glob("replica-*.log")):
            yield path.read_text()


@dataclass
class CandidateRun:
    user: str
    sent: list[str] = field(default_factory=list)
    turn_seconds: list[float] = field(default_factory=list)
    error: str | None = None
    screen: str = ""


async def settled(page, timeout_ms: int) -> None:
    """Until the app's script run has finished (Streamlit marks its root with the run's state)."""
    await page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state')"
        " === 'notRunning'",
        timeout=timeout_ms,
    )


async def candidate(browser, url: str, user: str, questions: int, timeout_ms: int = 180_000) -> CandidateRun:
    """One simulated candidate: a whole interview through the real page, timing each turn."""
    run = CandidateRun(user)
    context = await browser.new_context(extra_http_headers={HEADER: user})
    context.set_default_timeout(timeout_ms)
    page = await context.new_page()
    try:
        await page.goto(url)
        await page.get_by_text("A quick mix").click()  # n questions across the loop (the default is a full loop)
        number = page.get_by_label("Number of questions")
        await number.fill(str(questions))
        await number.press("Enter")
        await page.get_by_role("button", name="Start interview").click()
        await page.get_by_text(f"Question 1 of {questions}").wait_for()
        await settled(page, timeout_ms)
        for turn in range(questions * 3):  # follow-ups may add turns; bounded
            if await page.get_by_text("Interview complete").count():
                break
            box = page.get_by_test_id("stChatInputTextArea")
            await box.wait_for(state="visible")
            answer = f"{user} answer {turn}: a time-based split, a baseline, a canary rollout and drift monitoring."
            before = await page.get_by_test_id("stChatMessage").count()
            started = time.perf_counter()
            await box.fill(answer)
            await box.press("Enter")
            run.sent.append(answer)
            await page.wait_for_function(
                "n => document.querySelectorAll('[data-testid=\"stChatMessage\"]').length >= n",
                arg=before + 2,
                timeout=timeout_ms,
            )
            # The reply is on screen while the script may still be running (streaming, saving, drawing the
            # finished screen): the previous run's chat box stays on the page until then, and an answer typed into
            # it after the last question is dropped by the run that follows (a loaded run waited 180 s on that).
            await settled(page, timeout_ms)
            run.turn_seconds.append(time.perf_counter() - started)
    except Exception as err:  # noqa: BLE001 - recorded as this candidate's error, the run goes on
        run.error = f"{type(err).__name__}: {str(err)[:300]}"
        with contextlib.suppress(Exception):  # what the candidate saw, for the failure message
            n = await page.get_by_test_id("stChatMessage").count()
            run.screen = f"{n} messages; page ends: " + (await page.inner_text("body", timeout=5000))[-1500:]
        with contextlib.suppress(Exception):
            box_text = await page.get_by_test_id("stChatInputTextArea").input_value(timeout=2000)
            run.screen += f"; input box holds {box_text!r}"
    finally:
        await context.close()
    return run


async def _drive(url: str, users: list[str], questions: int) -> list[CandidateRun]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        try:
            return list(await asyncio.gather(*(candidate(browser, url, u, questions) for u in users)))
        finally:
            await browser.close()


def drive(url: str, users: list[str], questions: int) -> list[CandidateRun]:
    return asyncio.run(_drive(url, users, questions))


def stored_answers(database_url: str) -> dict[str, list[str]]:
    """Every candidate answer in the database, by owner (from the stored interview states)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for owner, raw in conn.execute(text("SELECT owner, state_json FROM sessions")):
            state = json.loads(raw)
            answers = [m["text"] for m in state["messages"] if m["role"] == "candidate" and m["kind"] == "answer"]
            out.setdefault(owner, []).extend(answers)
    engine.dispose()
    return out


def replicas_by_user(work: Path) -> dict[str, set[str]]:
    """Which replica(s) nginx sent each user to (from its access log): sticky means exactly one each."""
    out: dict[str, set[str]] = {}
    log = work / "nginx" / "access.log"
    for line in log.read_text().splitlines() if log.exists() else []:
        parts = line.split(" ")
        if len(parts) > 2 and parts[1].strip('"'):
            out.setdefault(parts[1].strip('"'), set()).add(parts[2])
    return out
