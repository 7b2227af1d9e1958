"""Shared fixtures. Everything runs offline: bundled models, local files, 127.0.0.1 servers."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "artifacts"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-llm", action="store_true", help="run suites that call the configured real model")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-llm"):
        return
    deselected = [i for i in items if "llm" in i.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [i for i in items if "llm" not in i.keywords]


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test reads a developer's interview.toml or INTERVIEW_* variables by accident."""
    from interviewer.config import get_settings

    for key in list(os.environ):
        if key.startswith("INTERVIEW_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("INTERVIEW_CONFIG", str(tmp_path_factory.getbasetemp() / "absent.toml"))
    # The per-user data and config directories (platformdirs) point into the test's temp tree, never at $HOME.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.getbasetemp() / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "xdg-config"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def bank():
    from interviewer.knowledge.bank import load_bank

    loaded = load_bank(REPO / "question_bank")
    assert not loaded.errors, loaded.errors
    return loaded


@pytest.fixture(scope="session")
def shared_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Chroma index of the real corpus for the whole session (built once, ~10 s)."""
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def services(shared_data_dir: Path):
    """Real services (embedder, Chroma, offline judge, SQLite) over the repo's corpus and bank."""
    from interviewer.config import Settings
    from interviewer.services import build_services

    settings = Settings(_env_file=None, data_dir=shared_data_dir)
    return build_services(settings, index=True)


class FakeJudge:
    """A judge whose verdicts are scripted: a queue of scores, or a function of the answer."""

    kind = "fake"

    def __init__(self, script: list[float | str] | Callable[[str], float | str]) -> None:
        self.script = script
        self.calls: list[str] = []

    def judge(self, question, answer: str):
        from interviewer.judge.verdict import JudgeMeta, KeyPointVerdict, Verdict

        self.calls.append(answer)
        outcome = self.script(answer) if callable(self.script) else self.script.pop(0)
        meta = JudgeMeta(judge="offline", model="fake")
        if isinstance(outcome, str):
            return Verdict.failed(outcome, meta)
        n_covered = round((outcome - 1) / 4 * len(question.key_points))
        points = [
            KeyPointVerdict(point=kp.point, status="covered" if i < n_covered else "missed", weight=kp.weight)
            for i, kp in enumerate(question.key_points)
        ]
        return Verdict(status="ok", score=outcome, key_points=points, feedback=f"scored {outcome}", meta=meta)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """Two small role documents (tests/sample_corpus.py) in a fresh folder."""
    from tests.sample_corpus import write_sample_corpus

    return write_sample_corpus(tmp_path / "corpus")


@pytest.fixture
def make_interview(bank):
    from interviewer.interview.engine import Interview
    from interviewer.interview.state import InterviewState
    from interviewer.interview.voice import TemplateVoice
    from interviewer.judge import GroundedJudge

    def make(script, loop="mle", level="mid", n=3, feedback="each", max_followups=1, saved=None):
        state = InterviewState(loop=loop, level=level, n_questions=n, feedback_mode=feedback, id="fixedseed")
        judge = FakeJudge(script)
        on_change = (lambda s: saved.append(s.model_dump_json())) if saved is not None else None
        interview = Interview(
            state,
            bank,
            GroundedJudge(judge, None),
            TemplateVoice(),
            max_followups=max_followups,
            max_answer_chars=500,
            on_change=on_change,
        )
        return interview, judge

    return make


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Switch threads every microsecond instead of every 5 ms: a race window of a few bytecodes gets hit."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)
