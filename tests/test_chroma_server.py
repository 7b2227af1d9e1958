"""The same indexing and search guarantees as test_index.py, against a real `chroma run` server on 127.0.0.1.

The server is the `chroma` CLI shipped with chromadb, started as a subprocess on a free loopback port with its
data in a temp dir, and stopped at the end of the module. Nothing here needs the network.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from interviewer.knowledge.index import get_collection, open_client
from tests.test_index import (
    check_incremental_and_idempotent,
    check_search_modes_role_filter_and_bad_queries,
)

pytestmark = pytest.mark.slow
MODEL = "all-MiniLM-L6-v2"


def _chroma_cli() -> str | None:
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.is_file() else shutil.which("chroma")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_heartbeat(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"chroma server exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    pytest.fail(f"chroma server gave no heartbeat within {timeout:.0f}s:\n{log.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    cli = _chroma_cli()
    if cli is None:
        pytest.skip("the chroma CLI is not installed")
    root = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    log = root / "server.log"
    env = os.environ | {"ANONYMIZED_TELEMETRY": "False"}
    command = [cli, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(root / "db")]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_heartbeat(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture
def collection(chroma_url: str, tmp_path: Path):
    """A fresh collection on the shared server: tests must not see each other's chunks."""
    client = open_client(tmp_path / "unused", chroma_url=chroma_url)
    name = get_collection(client, MODEL).name
    client.delete_collection(name)
    return get_collection(client, MODEL)


def test_client_talks_to_the_server(chroma_url: str, tmp_path: Path) -> None:
    client = open_client(tmp_path / "unused", chroma_url=chroma_url)
    assert client.heartbeat() > 0
    assert not (tmp_path / "unused").exists()  # no embedded store was created on the side


def test_incremental_and_idempotent_over_http(corpus_dir: Path, collection) -> None:
    check_incremental_and_idempotent(corpus_dir, collection)


def test_search_modes_and_role_filter_over_http(corpus_dir: Path, collection) -> None:
    check_search_modes_role_filter_and_bad_queries(corpus_dir, collection)


def test_services_use_the_server_when_chroma_url_is_set(corpus_dir: Path, chroma_url: str, tmp_path: Path) -> None:
    from interviewer.config import Settings
    from interviewer.services import build_services

    client = open_client(tmp_path / "unused", chroma_url=chroma_url)
    client.delete_collection(get_collection(client, MODEL).name)
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", chroma_url=chroma_url, corpus_dir=corpus_dir)
    services = build_services(settings, index=True)
    assert services.index_report is not None and services.index_report.added == 3
    assert services.retriever.search("dynamic batching of requests", k=1)[0].chunk_id == "serving#batching"
    assert not settings.chroma_dir.exists()  # the vectors live on the server, not in the data dir
    assert get_collection(client, MODEL).count() == 3
