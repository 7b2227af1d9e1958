"""Where the project's own files live, in a clone and in an installed wheel alike.

The corpus, the question bank and `app.py` stay at the top of the repository; `interviewer/_content`
links to them, so a wheel built from the repository carries copies and an installed package finds
them through `importlib.resources` from any working directory.

Per-user places (platformdirs): the index and database go to the user data directory unless
`INTERVIEW_DATA_DIR` (or `data_dir` in the config file) says otherwise; the config file is looked up
as `INTERVIEW_CONFIG`, then `./interview.toml`, then `interview.toml` in the user config directory.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from platformdirs import user_config_dir, user_data_dir

APP_NAME = "interviewer"


def content_path(name: str) -> Path:
    """A shipped file or folder: `corpus`, `question_bank` or `app.py`."""
    return Path(str(files("interviewer") / "_content" / name)).resolve()


def default_data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def config_candidates() -> list[Path]:
    """The config files looked at, first match wins."""
    explicit = os.environ.get("INTERVIEW_CONFIG")
    if explicit:
        return [Path(explicit).expanduser()]
    return [Path.cwd() / "interview.toml", Path(user_config_dir(APP_NAME, appauthor=False)) / "interview.toml"]


def config_file() -> Path | None:
    """The config file in force, or None (then only defaults and environment variables apply)."""
    for path in config_candidates():
        if path.is_file():
            return path.resolve()
    return None


def read_yaml(path: Path) -> Any:
    """A content file's YAML, parsed safely with libyaml's C parser where PyYAML has it (the question bank loads
    about ten times faster than with the pure-Python parser; both build the same plain data)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
