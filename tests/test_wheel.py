"""The package as a user installs it: a wheel built from the repository, run from an empty directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel (no network: the build backend is already installed) and install it into a target dir."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(REPO), "-w", str(out)],
        check=True,
        timeout=300,
    )
    (wheel,) = out.glob("interviewer-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "interviewer/_content/app.py" in names
    assert "interviewer/_content/question_bank/loops.yaml" in names
    assert any(n.startswith("interviewer/_content/corpus/") and n.endswith(".md") for n in names)
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    return target


def run(target: Path, cwd: Path, args: list[str], stdin: str = "") -> subprocess.CompletedProcess:
    # Only the installed copy is importable: the empty cwd has no `interviewer/`, and the repo is not on the path.
    env = {**os.environ, "PYTHONPATH": str(target), "XDG_DATA_HOME": str(cwd.parent / "xdg"), "HF_HUB_OFFLINE": "1"}
    env.pop("INTERVIEW_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "interviewer", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_installed_wheel_works_from_an_empty_directory(installed: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    where = run(installed, empty, ["--help"])
    assert where.returncode == 0, where.stderr
    probe = subprocess.run(
        [sys.executable, "-c", "import interviewer; print(interviewer.__file__)"],
        env={**os.environ, "PYTHONPATH": str(installed)},
        cwd=empty,
        capture_output=True,
        text=True,
    )
    assert probe.stdout.strip().startswith(str(installed)), probe.stdout

    check = run(installed, empty, ["bank", "check", "--json", "--skip-judge"])
    assert check.returncode in (0, 1), check.stderr
    report = json.loads(check.stdout)
    assert sum(report["questions"].values()) > 50

    search = run(installed, empty, ["search", "how do I make inference cheaper", "--k", "3", "--json"])
    assert search.returncode == 0, search.stderr
    hits = json.loads(search.stdout)
    assert len(hits) == 3 and all(h["text"] for h in hits)

    practice = run(
        installed, empty, ["practice", "--loop", "mle", "--level", "mid", "--questions", "2"], "/skip\n/end\n"
    )
    assert practice.returncode == 0, practice.stderr
    assert "?" in practice.stdout
    # Nothing was written into the working directory: the index and database live in the per-user data dir.
    assert list(empty.iterdir()) == []
    assert (tmp_path / "xdg" / "interviewer" / "interview.sqlite3").is_file()
