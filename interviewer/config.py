"""One settings object: defaults < the config file < `INTERVIEW_*` environment variables.

The config file is `INTERVIEW_CONFIG` if set, else `./interview.toml`, else `interview.toml` in the user
config directory (see `interviewer.resources`). Relative paths in it resolve against the file's own folder,
never against the current directory. Model names are litellm strings (`openai/gpt-4o-mini`, ...) or `offline`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from interviewer.resources import config_file, content_path, default_data_dir

REPO_ROOT = Path(__file__).resolve().parent.parent
OFFLINE = "offline"
PATH_KEYS = ("data_dir", "corpus_dir", "bank_dir")


class _TomlSource(TomlConfigSettingsSource):
    """The config file, with its relative paths resolved against the file's folder."""

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        self.path = config_file()
        super().__init__(settings_cls, toml_file=self.path)

    def __call__(self) -> dict:
        data = super().__call__()
        if self.path is not None:
            for key in PATH_KEYS:
                if isinstance(data.get(key), str) and not Path(data[key]).expanduser().is_absolute():
                    data[key] = str(self.path.parent / data[key])
        return data


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTERVIEW_", extra="ignore", env_nested_delimiter="__")

    interviewer_model: str = Field(OFFLINE, description="litellm model for the interviewer's voice, or 'offline'.")
    judge_model: str = Field(OFFLINE, description="litellm model string for the judge, or 'offline'.")
    fallback_models: list[str] = Field(
        default_factory=list, description="Models tried in order when the primary model fails."
    )
    api_base: str | None = Field(None, description="Base URL for an OpenAI-compatible or Ollama server.")
    api_key: SecretStr | None = Field(None, description="API key; normally the provider's own variable is used.")
    interviewer_api_base: str | None = Field(None, description="The interviewer's own server; default api_base.")
    judge_api_base: str | None = Field(None, description="The judge's own server; default api_base.")
    interviewer_api_key: SecretStr | None = Field(None, description="The interviewer's own key; default api_key.")
    judge_api_key: SecretStr | None = Field(None, description="The judge's own key; default api_key.")
    request_timeout: float = Field(60.0, gt=0, description="Seconds before one model request times out.")
    max_retries: int = Field(3, ge=0, le=10, description="Retries on 429, 5xx and timeouts.")
    max_output_tokens: int = Field(800, gt=0, description="Cap on tokens generated per call.")
    judge_samples: int = Field(
        1, ge=1, le=9, description="LLM judge: judge each answer n times, keep the median, report the spread."
    )
    record: Path | None = Field(
        None, description="Append every model exchange (task, prompt hash, model, raw reply) to this JSON-lines file."
    )

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where the Chroma index and the SQLite database live (default: the per-user data directory).",
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL (e.g. postgresql+psycopg://...); default SQLite in data_dir."
    )
    chroma_url: str | None = Field(None, description="Use a Chroma server (HttpClient) instead of the embedded one.")
    corpus_dir: Path = Field(default_factory=lambda: content_path("corpus"), description="The role documents to index.")
    bank_dir: Path = Field(default_factory=lambda: content_path("question_bank"), description="Questions and rubrics.")
    embedding_model: str = Field("all-MiniLM-L6-v2", description="A bundled sentence-transformers model.")
    search_mode: Literal["rerank", "hybrid", "dense", "bm25"] = Field(
        "rerank", description="Default corpus search: hybrid (RRF) re-ranked lexically, or one of its stages."
    )

    user: str = Field("local", description="The user the CLI acts as (INTERVIEW_USER; `--user` overrides).")
    allow_anonymous: bool = Field(False, description="Serve a non-loopback address with no authentication.")
    trusted_user_header: str | None = Field(
        None, description="Header an auth proxy sets to the user's identity, e.g. X-Forwarded-Email."
    )
    trusted_proxies: list[str] = Field(
        default_factory=list, description="Addresses or CIDR ranges whose trusted_user_header is believed."
    )
    admin_users: list[str] = Field(
        default_factory=list, description="Users who may see aggregate statistics (never other users' answers)."
    )

    max_answer_chars: int = Field(4000, gt=100, description="Longer answers are truncated with a notice.")
    max_followups: int = Field(1, ge=0, le=3, description="Follow-up probes per question at most.")
    default_questions: int = Field(5, ge=1, le=20, description="Questions per interview unless chosen.")
    feedback: Literal["each", "end"] = Field("each", description="Show feedback after each answer or at the end.")
    code_sandbox: Literal["auto", "bwrap", "process"] = Field(
        "auto", description="Where candidates' code runs: bubblewrap, a plain process (loopback only), or auto."
    )

    @field_validator(*PATH_KEYS)
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        """An environment variable's relative path means the current directory, said once, here."""
        return Path(path).expanduser().absolute()

    # Voice mode (interviewer/speech): local faster-whisper + piper unless a litellm model is named here.
    stt_model: str | None = Field(None, description="litellm transcription model, e.g. openai/whisper-1; unset: local.")
    tts_model: str | None = Field(None, description="litellm speech model (e.g. openai/tts-1); unset = local piper.")
    tts_voice: str = Field("alloy", description="Voice name passed to a litellm speech model.")
    speech_cache_dir: Path | None = Field(None, description="Where model.bin is assembled (~/.cache/interviewer).")
    max_recording_seconds: int = Field(300, ge=10, le=1800, description="Longer recordings: only this much is used.")

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "interview.sqlite3"

    @property
    def offline_interviewer(self) -> bool:
        return self.interviewer_model == OFFLINE

    @property
    def offline_judge(self) -> bool:
        return self.judge_model == OFFLINE

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _TomlSource(settings_cls), file_secret_settings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing the environment."""
    return Settings()
