"""Settings: defaults are offline; interview.toml and INTERVIEW_* variables override, env winning."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.config import Settings, get_settings
from interviewer.llm import model_config_from_settings


def test_defaults_are_offline() -> None:
    s = get_settings()
    assert s.interviewer_model == "offline" and s.judge_model == "offline"
    assert s.offline_interviewer and s.offline_judge
    assert s.api_base is None and s.chroma_url is None
    assert s.db_path.name == "interview.sqlite3" and s.chroma_dir.name == "chroma"


def test_toml_then_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = tmp_path / "interview.toml"
    toml.write_text('judge_model = "anthropic/claude-3-5-haiku-latest"\nrequest_timeout = 12\nmax_followups = 2\n')
    monkeypatch.setenv("INTERVIEW_CONFIG", str(toml))
    s = Settings()
    assert s.judge_model == "anthropic/claude-3-5-haiku-latest" and s.request_timeout == 12 and s.max_followups == 2
    monkeypatch.setenv("INTERVIEW_JUDGE_MODEL", "openai/gpt-4o-mini")
    monkeypatch.setenv("INTERVIEW_INTERVIEWER_MODEL", "ollama/llama3.1")
    monkeypatch.setenv("INTERVIEW_DATA_DIR", str(tmp_path / "d"))
    s = Settings()
    assert s.judge_model == "openai/gpt-4o-mini" and s.interviewer_model == "ollama/llama3.1"
    assert s.data_dir == tmp_path / "d" and s.request_timeout == 12


def test_local_server_is_two_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEW_INTERVIEWER_MODEL", "openai/smollm2")
    monkeypatch.setenv("INTERVIEW_API_BASE", "http://127.0.0.1:8080/v1")
    monkeypatch.setenv("INTERVIEW_FALLBACK_MODELS", '["openai/other"]')
    cfg = model_config_from_settings(Settings(), "interviewer")
    assert cfg.model == "openai/smollm2" and cfg.api_base == "http://127.0.0.1:8080/v1"
    assert cfg.fallbacks == ("openai/other",)
    assert model_config_from_settings(Settings(), "judge").model == "offline"


def test_invalid_values_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INTERVIEW_REQUEST_TIMEOUT", "-1")
    with pytest.raises(ValueError, match="request_timeout"):
        Settings()


def test_checked_in_example_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    repo_toml = Path(__file__).resolve().parent.parent / "interview.toml"
    monkeypatch.setenv("INTERVIEW_CONFIG", str(repo_toml))
    s = Settings()
    assert s.interviewer_model == "offline" and s.feedback == "each"


def test_relative_paths_in_the_config_file_resolve_against_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "interview.toml").write_text('data_dir = "store"\n')
    monkeypatch.setenv("INTERVIEW_CONFIG", str(folder / "interview.toml"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert Settings().data_dir == folder / "store"


def test_lookup_order_cwd_then_user_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INTERVIEW_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    assert Settings().judge_model == "offline"  # no file anywhere: defaults
    user_dir = tmp_path / "xdg" / "interviewer"
    user_dir.mkdir(parents=True)
    (user_dir / "interview.toml").write_text('judge_model = "openai/from-user-dir"\n')
    assert Settings().judge_model == "openai/from-user-dir"
    (tmp_path / "interview.toml").write_text('judge_model = "openai/from-cwd"\n')
    assert Settings().judge_model == "openai/from-cwd"


def test_default_data_dir_is_per_user_not_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.chdir(tmp_path)
    assert Settings().data_dir == tmp_path / "share" / "interviewer"


def test_shipped_content_is_found_from_any_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = Settings()
    assert (s.bank_dir / "loops.yaml").is_file() and any(s.corpus_dir.glob("*.md"))
