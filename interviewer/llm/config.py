"""How to reach one model (`ModelConfig`, and per role from the app's settings) and what a call leaves behind:
its `Completion` (text, latency, tokens, cost) and its `Exchange` (request and raw reply, for recording)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Message = dict[str, str]


@dataclass(frozen=True)
class ModelConfig:
    """How to reach one model. `model` is a litellm string such as `openai/gpt-4o-mini`."""

    model: str
    api_base: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never in a log line or a traceback
    timeout: float = 60.0
    max_retries: int = 3
    max_tokens: int = 800
    fallbacks: tuple[str, ...] = ()
    backoff_base: float = 0.5
    backoff_max: float = 8.0

    def with_model(self, model: str) -> ModelConfig:
        """The same settings for another model (a fallback)."""
        return ModelConfig(**{**self.__dict__, "model": model})


@dataclass(frozen=True)
class Exchange:
    """One request and the model's raw reply, for recording (`interview replay` reads what is recorded)."""

    tag: dict[str, Any]  # what the caller says the exchange is for: task, question_id, ...
    messages: list[Message]
    text: str  # the raw reply (for a stream: what arrived before it ended or the reader stopped)
    model: str
    complete: bool = True


@dataclass
class Completion:
    text: str
    model: str
    latency_s: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    attempts: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def _cost(response: Any) -> float | None:
    """The provider's price of one response, as litellm computed it; None when unknown."""
    try:
        cost = (response._hidden_params or {}).get("response_cost")
        return float(cost) if cost is not None else None
    except Exception:  # noqa: BLE001 - cost is best effort
        return None


def model_config_from_settings(settings: Any, role: str) -> ModelConfig:
    """Build the config for the `interviewer` or `judge` role from `interviewer.config.Settings`."""
    speech = {"stt": getattr(settings, "stt_model", None), "tts": getattr(settings, "tts_model", None)}
    model = settings.interviewer_model if role == "interviewer" else speech.get(role) or settings.judge_model
    api_base = getattr(settings, f"{role}_api_base", None) or settings.api_base
    key = getattr(settings, f"{role}_api_key", None) or settings.api_key
    return ModelConfig(
        model=model,
        api_base=api_base,
        api_key=key.get_secret_value() if key else None,
        timeout=settings.request_timeout,
        max_retries=settings.max_retries,
        max_tokens=settings.max_output_tokens,
        fallbacks=tuple(settings.fallback_models) if role not in speech else (),
    )
