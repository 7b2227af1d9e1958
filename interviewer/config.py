"""One settings object: defaults < `interview.toml` < `INTERVIEW_*` environment variables.

The TOML file is looked up at `INTERVIEW_CONFIG` if set, else `./interview.toml`.
Model names are litellm strings (`openai/gpt-4o-mini`, `ollama/llama3.1`, ...) or `offline`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
OFFLINE = "offline"


def _toml_path() -> Path:
    return Path(os.environ.get("INTERVIEW_CONFIG", "interview.toml"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INTERVIEW_", extra="ignore", env_nested_delimiter="__")

    interviewer_model: str = Field(OFFLINE, description="litellm model for the interviewer's voice, or 'offline'.")
    judge_model: str = Field(OFFLINE, description="litellm model string for the judge, or 'offline'.")
    fallback_models: list[str] = Field(
        default_factory=list, description="Models tried in order when the primary model fails."
    )
    api_base: str | None = Field(None, description="Base URL for an OpenAI-compatible or Ollama server.")
    api_key: SecretStr | None = Field(None, description="API key; normally the provider's own variable is used.")
    request_timeout: float = Field(60.0, gt=0, description="Seconds before one model request times out.")
    max_retries: int = Field(3, ge=0, le=10, description="Retries on 429, 5xx and timeouts.")
    max_output_tokens: int = Field(800, gt=0, description="Cap on tokens generated per call.")

    data_dir: Path = Field(Path("data"), description="Where the Chroma index and the SQLite database live.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL (e.g. postgresql+psycopg://...); default SQLite in data_dir."
    )
    chroma_url: str | None = Field(None, description="Use a Chroma server (HttpClient) instead of the embedded one.")
    corpus_dir: Path = Field(REPO_ROOT / "corpus", description="The role documents to index.")
    bank_dir: Path = Field(REPO_ROOT / "question_bank", description="Questions and rubrics.")
    embedding_model: str = Field("all-MiniLM-L6-v2", description="A bundled sentence-transformers model.")

    max_answer_chars: int = Field(4000, gt=100, description="Longer answers are truncated with a notice.")
    max_followups: int = Field(1, ge=0, le=3, description="Follow-up probes per question at most.")
    default_questions: int = Field(5, ge=1, le=20, description="Questions per interview unless chosen.")
    feedback: Literal["each", "end"] = Field("each", description="Show feedback after each answer or at the end.")

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
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_toml_path())
        return (init_settings, env_settings, toml, file_secret_settings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call `get_settings.cache_clear()` after changing the environment."""
    return Settings()
