"""litellm itself: the one place it is imported and configured, and the translation of its errors into ours.

Every other module reaches litellm as `from interviewer.llm.provider import litellm`, so the environment below is
set before litellm's first import and a test can patch one object.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from interviewer.llm.config import ModelConfig
from interviewer.llm.errors import (
    AuthenticationError,
    BadResponse,
    ConfigurationError,
    ConnectionFailed,
    LLMError,
    ProviderError,
    RateLimited,
    TimedOut,
)


class _Litellm:
    """litellm, imported on first use: it takes seconds to import, and the offline product never needs it.

    `litellm.completion(...)` etc. work as on the module; the environment is set before the import."""

    _module: Any = None
    _lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if _Litellm._module is None:
                os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no fetch of the price list
                os.environ.setdefault("LITELLM_LOG", "ERROR")
                import litellm as module

                module.suppress_debug_info = True
                module.drop_params = True  # e.g. stream_options on providers that do not take it
                module.telemetry = False
                _Litellm._module = module
        return _Litellm._module

    def __getattr__(self, name: str) -> Any:
        return getattr(_Litellm._module or self._load(), name)


litellm: Any = _Litellm()


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("retry-after") or headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _where(cfg: ModelConfig) -> str:
    return cfg.api_base or f"the {cfg.model.split('/')[0]} API"


def translate_error(exc: Exception, cfg: ModelConfig) -> LLMError:
    """Map a litellm/provider exception to ours, with a message that says what to do."""
    if isinstance(exc, LLMError):
        return exc
    name = cfg.model
    text = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
    if "Missing credentials" in str(exc) or "api_key client option must be set" in str(exc):
        return ConfigurationError(f"{name}: no API key. Set {_key_hint(cfg)}, or INTERVIEW_API_KEY.")
    status = getattr(exc, "status_code", None)
    if isinstance(exc, litellm.AuthenticationError | litellm.PermissionDeniedError) or status in (401, 403):
        return AuthenticationError(
            f"{name}: the provider rejected the credentials ({text}). Check the API key "
            f"(e.g. {_key_hint(cfg)}) and that it may use this model."
        )
    if isinstance(exc, litellm.RateLimitError) or status == 429:
        wait = _retry_after(exc)
        hint = f" The server asked to wait {wait:g}s." if wait else ""
        return RateLimited(f"{name}: rate limited by {_where(cfg)}.{hint} Try again shortly.", wait)
    if isinstance(exc, litellm.Timeout):
        return TimedOut(
            f"{name}: no answer from {_where(cfg)} within {cfg.timeout:g}s. "
            "Raise INTERVIEW_REQUEST_TIMEOUT or check that the server is not overloaded."
        )
    if _is_connection_error(exc):
        return ConnectionFailed(
            f"{name}: could not connect to {_where(cfg)} ({text}). Is the server running and is "
            "INTERVIEW_API_BASE right?"
        )
    if isinstance(exc, litellm.NotFoundError):
        return ConfigurationError(f"{name}: model not found at {_where(cfg)} ({text}). Check the model name.")
    if isinstance(exc, litellm.ContextWindowExceededError):
        return BadResponse(f"{name}: the prompt is longer than the model's context window.")
    if isinstance(exc, litellm.BadRequestError | litellm.UnsupportedParamsError):
        if "LLM Provider NOT provided" in str(exc):
            return ConfigurationError(
                f"{name!r} is not a litellm model string: use provider/model, e.g. openai/gpt-4o-mini."
            )
        return ConfigurationError(f"{name}: the request was rejected ({text}).")
    if isinstance(exc, litellm.APIError | litellm.ServiceUnavailableError | litellm.InternalServerError):
        return ProviderError(f"{name}: {_where(cfg)} failed ({text}). It may be a passing outage.")
    if isinstance(exc, json.JSONDecodeError | ValueError | KeyError | IndexError | AttributeError):
        return BadResponse(f"{name}: malformed response from {_where(cfg)} ({text}).")
    return ProviderError(f"{name}: unexpected error from {_where(cfg)}: {type(exc).__name__}: {text}")


def _is_connection_error(exc: BaseException) -> bool:
    """litellm reports a refused connection as APIConnectionError or as a 500 saying 'Connection error'."""
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            break
        if type(seen).__name__ in {"RemoteProtocolError", "ReadError", "IncompleteRead"}:
            return False  # the server answered, then dropped the body: a provider failure, not "cannot connect"
        if isinstance(seen, ConnectionError) or type(seen).__name__ in {"ConnectError", "APIConnectionError"}:
            return not isinstance(seen, litellm.Timeout)
        if "Connection error" in str(seen) or "Connection refused" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _key_hint(cfg: ModelConfig) -> str:
    try:
        missing = litellm.validate_environment(cfg.model).get("missing_keys") or []
    except Exception:  # noqa: BLE001 - a hint only
        missing = []
    return " or ".join(missing) or "INTERVIEW_API_KEY"


def preflight(cfg: ModelConfig) -> None:
    """Fail fast, before any request, when the provider's key variable is not set."""
    if cfg.api_key or cfg.api_base or cfg.model.startswith(("ollama/", "ollama_chat/")):
        return
    try:
        check = litellm.validate_environment(cfg.model)
    except Exception as exc:  # noqa: BLE001
        raise ConfigurationError(f"{cfg.model!r}: {exc}") from exc
    missing = check.get("missing_keys") or []
    if missing:
        raise ConfigurationError(
            f"{cfg.model} needs {', '.join(missing)} in the environment (or INTERVIEW_API_KEY). "
            "Set it, or use INTERVIEW_INTERVIEWER_MODEL=offline / INTERVIEW_JUDGE_MODEL=offline."
        )
