"""Two replicas behind nginx, sharing PostgreSQL and a Chroma server: candidates in parallel, nothing lost.

The full-size run (20 candidates) is a benchmark: `python scripts/bench_scaleout.py`.
"""

from __future__ import annotations

import shutil
import time
import urllib.request

import pytest

from tests.topology import HEADER, Topology, drive, replicas_by_user, stored_answers

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_candidates_on_two_replicas_each_answer_stored_once_under_its_owner(tmp_path) -> None:
    if shutil.which("nginx") is None:
        pytest.fail("nginx is needed for the scale-out test: bash scripts/system-deps.sh")
    users = [f"cand{i}@example.org" for i in range(4)]
    with Topology(tmp_path / "topology", replicas=2) as topo:
        runs = drive(topo.url, users, questions=2)
        stored = stored_answers(topo.database_url)
        probes = [f"probe{i}@example.org" for i in range(32)]  # 4 candidates can all hash to one replica (1 in 8)
        for probe in probes:
            request = urllib.request.Request(f"{topo.url}/_stcore/health", headers={HEADER: probe})
            assert urllib.request.urlopen(request, timeout=30).status == 200
        deadline = time.monotonic() + 30  # nginx logs a request just after answering it
        while not set(probes) <= (sticky := replicas_by_user(topo.work)).keys() and time.monotonic() < deadline:
            time.sleep(0.2)
    assert [r.error for r in runs] == [None] * len(users), [r.screen for r in runs if r.error]
    for run in runs:
        assert run.sent and sorted(stored.get(run.user, [])) == sorted(run.sent)  # each answer exactly once
    assert set(stored) == set(users)
    assert all(len(sticky[u]) == 1 for u in users), sticky  # every request of a user reached one replica
    assert len(set().union(*(sticky[p] for p in probes))) == 2, sticky  # the hash spreads users over both
