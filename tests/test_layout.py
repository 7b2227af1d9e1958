"""The folder layout is the architecture: each part imports only the parts below it (pyproject's import-linter
contracts). The second test shows the check bites: a copy of the package with one back-import fails it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"}
    return subprocess.run(LINT, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _copy(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(ROOT / "interviewer", tmp_path / "interviewer", ignore=shutil.ignore_patterns("_content", "*.pyc"))
    return tmp_path


def test_parts_import_only_the_parts_below_them(tmp_path: Path) -> None:
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_a_back_import_breaks_the_layers(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    bank = root / "interviewer" / "knowledge" / "bank.py"
    bank.write_text(bank.read_text() + "\nfrom interviewer.interview import engine  # noqa: E402\n")
    result = _lint(root)
    assert result.returncode != 0
    assert "interviewer.knowledge.bank -> interviewer.interview.engine" in result.stdout
