"""The one boundary around language models: the only package that imports litellm (in `provider.py`).

Everything else asks `LLM` for a chat completion, a stream, a structured object validated by a pydantic model,
a transcription or speech. Provider errors come out as the small `LLMError` hierarchy (`errors.py`), each with a
message a user can act on. Retries (with backoff, honouring Retry-After) happen here, on rate limits, 5xx,
timeouts and dropped connections; never on bad keys or bad requests.

Modules: `errors` (our exceptions), `config` (ModelConfig, per-role settings, Completion, Exchange), `provider`
(litellm, error translation, preflight), `client` (complete, structured, retries, fallbacks), `stream` (streaming
with fallback), `audio` (transcribe, speak). Import from `interviewer.llm`, not from the modules.
"""

from __future__ import annotations

from interviewer.llm.audio import SpeechClient
from interviewer.llm.client import T, extract_json
from interviewer.llm.config import Completion, Exchange, Message, ModelConfig, _cost, model_config_from_settings
from interviewer.llm.errors import (
    AuthenticationError,
    BadResponse,
    ConfigurationError,
    ConnectionFailed,
    LLMError,
    ProviderError,
    RateLimited,
    StreamInterrupted,
    TimedOut,
)
from interviewer.llm.provider import litellm, preflight, translate_error
from interviewer.llm.stream import StreamingClient, close_stream


class LLM(StreamingClient, SpeechClient):
    """A configured model (with fallbacks) offering complete / stream / structured / transcribe / speak."""


__all__ = [
    "LLM",
    "AuthenticationError",
    "BadResponse",
    "Completion",
    "ConfigurationError",
    "ConnectionFailed",
    "Exchange",
    "LLMError",
    "Message",
    "ModelConfig",
    "ProviderError",
    "RateLimited",
    "StreamInterrupted",
    "T",
    "TimedOut",
    "_cost",
    "close_stream",
    "extract_json",
    "litellm",
    "model_config_from_settings",
    "preflight",
    "translate_error",
]
