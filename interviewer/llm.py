"""The one boundary around language models: the only module that imports litellm.

Everything else asks this module for a chat completion, a stream, or a structured object
validated by a pydantic model. Provider errors come out as the small `LLMError` hierarchy below,
each with a message a user can act on. Retries (with backoff, honouring Retry-After) happen here,
on rate limits, 5xx, timeouts and dropped connections; never on bad keys or bad requests.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # no fetch of the price list at import
os.environ.setdefault("LITELLM_LOG", "ERROR")

import litellm  # noqa: E402  (after the environment above)

litellm.suppress_debug_info = True
litellm.drop_params = True  # e.g. stream_options on providers that do not take it
litellm.telemetry = False

T = TypeVar("T", bound=BaseModel)
Message = dict[str, str]


class LLMError(Exception):
    """Base class: `str(err)` is a message fit to show a user."""

    retryable = False


class ConfigurationError(LLMError):
    """Missing key, unknown model, bad settings: fix the configuration."""


class AuthenticationError(LLMError):
    """The provider refused the credentials (401/403)."""


class ConnectionFailed(LLMError):
    """The server could not be reached (refused, DNS, dropped)."""

    retryable = True


class RateLimited(LLMError):
    """429 from the provider; `retry_after` holds the server's hint in seconds when it sent one."""

    retryable = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TimedOut(LLMError):
    """No answer within the request timeout."""

    retryable = True


class ProviderError(LLMError):
    """5xx or another failure on the provider's side."""

    retryable = True


class BadResponse(LLMError):
    """The model answered, but not with what was asked (malformed, truncated, failed validation)."""


class StreamInterrupted(LLMError):
    """A streamed reply stopped after some text had already been shown."""


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


class LLM:
    """A configured model (with fallbacks) offering complete / stream / structured."""

    def __init__(
        self,
        cfg: ModelConfig,
        on_usage: Callable[[Completion], None] | None = None,
        on_exchange: Callable[[Exchange], None] | None = None,
    ) -> None:
        self.cfg = cfg
        self.on_usage = on_usage  # called with every finished call's latency, tokens and cost
        self.on_exchange = on_exchange  # called with every request and raw reply (see recording.py)

    def _exchanged(self, tag: dict[str, Any] | None, messages: list[Message], text: str, model: str, ok: bool) -> None:
        if self.on_exchange is not None:
            self.on_exchange(Exchange(dict(tag or {}), list(messages), text, model, ok))

    @property
    def max_chars(self) -> int:
        """Replies are bounded: a server that ignores max_tokens cannot flood the UI or the database."""
        return self.cfg.max_tokens * 8

    def _record(self, completion: Completion) -> Completion:
        if self.on_usage is not None:
            self.on_usage(completion)
        return completion

    @property
    def name(self) -> str:
        return self.cfg.model

    def _kwargs(self, model: str, **extra: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": model,
            "timeout": self.cfg.timeout,
            "max_tokens": extra.pop("max_tokens", None) or self.cfg.max_tokens,
            "num_retries": 0,  # retries are ours (tenacity), so they are bounded and visible
            "max_retries": 0,
        }
        if self.cfg.api_base:
            kwargs["api_base"] = self.cfg.api_base
        if self.cfg.api_key:
            kwargs["api_key"] = self.cfg.api_key
        elif self.cfg.api_base and model.startswith("openai/"):
            kwargs["api_key"] = "no-key-needed"  # local OpenAI-compatible servers check no key; the client needs one
        kwargs.update({k: v for k, v in extra.items() if v is not None})
        return kwargs

    def _retrying(self) -> Retrying:
        cfg = self.cfg

        def wait(state: Any) -> float:
            exc = state.outcome.exception() if state.outcome else None
            hinted = getattr(exc, "retry_after", None)
            if hinted is not None:
                return min(float(hinted), cfg.backoff_max)
            return min(cfg.backoff_base * 2 ** (state.attempt_number - 1), cfg.backoff_max)

        return Retrying(
            retry=retry_if_exception_type((RateLimited, TimedOut, ProviderError, ConnectionFailed)),
            stop=stop_after_attempt(cfg.max_retries + 1),
            wait=wait,
            reraise=True,
        )

    def _models(self) -> list[str]:
        return [self.cfg.model, *self.cfg.fallbacks]

    def complete(
        self, messages: list[Message], *, temperature: float = 0.0, tag: dict[str, Any] | None = None, **extra: Any
    ) -> Completion:
        """One chat completion, retried with backoff, then tried on each fallback model in turn. `tag` says what
        the exchange is for; it goes to `on_exchange`, never to the provider."""
        last: LLMError | None = None
        for model in self._models():
            try:
                completion = self._complete_one(model, messages, temperature=temperature, **extra)
            except (AuthenticationError, ConfigurationError):
                raise
            except LLMError as err:
                last = err
                continue
            self._exchanged(tag, messages, completion.text, completion.model, True)
            return completion
        assert last is not None
        raise last

    def _complete_one(self, model: str, messages: list[Message], **extra: Any) -> Completion:
        cfg = ModelConfig(**{**self.cfg.__dict__, "model": model})
        preflight(cfg)
        attempts = 0
        for attempt in self._retrying():
            with attempt:
                attempts += 1
                start = time.perf_counter()
                try:
                    response = litellm.completion(messages=messages, **self._kwargs(model, **extra))
                    text = response.choices[0].message.content
                except Exception as exc:  # noqa: BLE001 - translated below
                    raise translate_error(exc, cfg) from exc
                if text is None:
                    raise BadResponse(f"{model}: the response had no text content.")
                truncated = len(text) > self.max_chars
                return self._record(
                    Completion(
                        text=text[: self.max_chars],
                        model=model,
                        latency_s=time.perf_counter() - start,
                        prompt_tokens=getattr(response.usage, "prompt_tokens", 0) or 0,
                        completion_tokens=getattr(response.usage, "completion_tokens", 0) or 0,
                        cost_usd=_cost(response),
                        attempts=attempts,
                        extra={
                            "finish_reason": response.choices[0].finish_reason,
                            "truncated": truncated,
                            "served_model": getattr(response, "model", None),  # the provider's own version name
                        },
                    )
                )
        raise AssertionError("unreachable")

    def stream(
        self, messages: list[Message], *, temperature: float = 0.3, tag: dict[str, Any] | None = None, **extra: Any
    ) -> Iterator[str]:
        """Yield text pieces as they arrive, from the primary model or, failing it before any text, a fallback.

        Failures before the first piece are retried like `complete`, then the next fallback model is tried;
        once text has been yielded nothing is retried (the caller already showed it) and a cut raises
        `StreamInterrupted`.
        """
        received: list[str] = []
        done = False
        served = {"model": self.cfg.model}
        pieces = self._stream(messages, served, temperature=temperature, **extra)
        try:
            for piece in pieces:
                received.append(piece)
                yield piece
            done = True
        finally:  # also when the reader stops early: close the connection now, record what arrived
            pieces.close()
            if received:
                self._exchanged(tag, messages, "".join(received), served["model"], done)

    def _stream(
        self, messages: list[Message], served: dict[str, str], *, temperature: float, **extra: Any
    ) -> Iterator[str]:
        last: LLMError | None = None
        for model in self._models():
            served["model"] = model
            try:
                yield from self._stream_one(model, messages, temperature=temperature, **extra)
                return
            except (AuthenticationError, ConfigurationError, StreamInterrupted):
                raise
            except LLMError as err:
                last = err
        assert last is not None
        raise last

    def _stream_one(self, model: str, messages: list[Message], *, temperature: float, **extra: Any) -> Iterator[str]:
        cfg = ModelConfig(**{**self.cfg.__dict__, "model": model})
        preflight(cfg)
        started = False
        for attempt in self._retrying():
            with attempt:
                start, sent, usage, response = time.perf_counter(), 0, None, None
                try:
                    response = litellm.completion(
                        messages=messages,
                        stream=True,
                        stream_options={"include_usage": True},
                        **self._kwargs(cfg.model, temperature=temperature, **extra),
                    )
                    for chunk in response:
                        usage = getattr(chunk, "usage", None) or usage
                        piece = chunk.choices[0].delta.content if chunk.choices else None
                        if piece:
                            piece = piece[: self.max_chars - sent]
                            sent += len(piece)
                            started = True
                            yield piece
                        if sent >= self.max_chars:
                            break  # far longer than asked: stop reading the flood
                except Exception as exc:  # noqa: BLE001 - translated below
                    if started:
                        raise StreamInterrupted(
                            f"{cfg.model}: the reply was cut off mid-stream ({translate_error(exc, cfg)})."
                        ) from exc
                    raise translate_error(exc, cfg) from exc
                finally:  # also when the caller stops reading (GeneratorExit)
                    close_stream(response)
                self._record(
                    Completion(
                        text="",
                        model=cfg.model,
                        latency_s=time.perf_counter() - start,
                        prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
                        completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
                        extra={"stream": True, "chars": sent},
                    )
                )
                return

    def structured(
        self,
        messages: list[Message],
        schema: type[T],
        *,
        attempts: int = 3,
        extract: Callable[[str], str] | None = None,
        **extra: Any,
    ) -> tuple[T, Completion]:
        """Ask for JSON matching `schema`; on invalid output, feed the validation error back and retry.

        Uses the provider's JSON-schema mode where litellm says it is supported, JSON mode otherwise.
        Raises `BadResponse` when every attempt fails validation: callers never get a made-up object.
        `extract` finds the JSON in the reply text (default `extract_json`).
        """
        extract = extract or extract_json
        if litellm.supports_response_schema(model=self.cfg.model):
            response_format: Any = schema
        else:
            response_format = {"type": "json_object"}
        convo = list(messages)
        errors: list[str] = []
        max_tokens = int(extra.pop("max_tokens", None) or self.cfg.max_tokens)
        for _ in range(attempts):
            try:
                completion = self.complete(convo, response_format=response_format, max_tokens=max_tokens, **extra)
            except BadResponse as err:
                errors.append(str(err))
                continue
            try:
                return schema.model_validate_json(extract(completion.text)), completion
            except (ValidationError, ValueError) as err:
                if completion.extra.get("finish_reason") == "length":
                    # Cut off by the token limit: pointing at the broken JSON would get the same length
                    # again. Ask afresh, with room to finish (at most 4x the configured cap) and for brevity.
                    errors.append(f"the reply was cut off at the {max_tokens}-token output limit")
                    max_tokens = min(max_tokens * 2, self.cfg.max_tokens * 4)
                    convo = [
                        *messages,
                        {
                            "role": "user",
                            "content": "Your previous reply was cut off at the output limit before the JSON "
                            "object was complete. Answer again with ONLY the JSON object and keep every "
                            "free-text field to one short sentence.",
                        },
                    ]
                    continue
                problem = str(err)[:1500]
                errors.append(problem)
                convo = [
                    *messages,
                    {"role": "assistant", "content": completion.text[:4000]},
                    {
                        "role": "user",
                        "content": "That output is not valid. Fix these problems and answer with ONLY the "
                        f"corrected JSON object:\n{problem}",
                    },
                ]
        raise BadResponse(
            f"{self.cfg.model}: no valid {schema.__name__} after {attempts} attempts; last problem: "
            f"{errors[-1][:300] if errors else 'unknown'}"
        )

    # -- speech (voice mode): litellm's transcription and speech APIs, same retries and errors --------------------
    def _speech_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"model": self.cfg.model, "timeout": self.cfg.timeout, "max_retries": 0}
        if self.cfg.api_base:
            kwargs["api_base"] = self.cfg.api_base
        if self.cfg.api_key:
            kwargs["api_key"] = self.cfg.api_key
        elif self.cfg.api_base and self.cfg.model.startswith("openai/"):
            kwargs["api_key"] = "no-key-needed"
        return kwargs

    def transcribe(
        self, audio: bytes, filename: str = "answer.wav", *, prompt: str | None = None, language: str | None = None
    ) -> dict[str, Any]:
        """Speech to text: {"text", "language", "duration", "words": [{"word", "start", "end"}]}.

        Word timestamps are requested (verbose_json); a provider that has none returns `words: []`."""
        cfg = self.cfg
        preflight(cfg)
        for attempt in self._retrying():
            with attempt:
                try:
                    response = litellm.transcription(
                        file=(filename, audio),
                        response_format="verbose_json",
                        timestamp_granularities=["word"],
                        prompt=prompt,
                        language=language,
                        **self._speech_kwargs(),
                    )
                    text = response.text
                    words = [
                        {"word": str(_get(w, "word")), "start": float(_get(w, "start")), "end": float(_get(w, "end"))}
                        for w in (getattr(response, "words", None) or [])
                    ]
                except Exception as exc:  # noqa: BLE001 - translated below
                    raise translate_error(exc, cfg) from exc
                if not isinstance(text, str):
                    raise BadResponse(f"{cfg.model}: the transcription response had no text.")
                duration = getattr(response, "duration", None)
                return {
                    "text": text,
                    "language": getattr(response, "language", None),
                    "duration": float(duration) if duration is not None else None,
                    "words": words,
                }
        raise AssertionError("unreachable")

    def speak(self, text: str, voice: str = "alloy") -> bytes:
        """Text to speech: the audio bytes the provider returns (WAV is requested; some send MP3)."""
        cfg = self.cfg
        preflight(cfg)
        for attempt in self._retrying():
            with attempt:
                try:
                    response = litellm.speech(input=text, voice=voice, response_format="wav", **self._speech_kwargs())
                    data = response.content
                except Exception as exc:  # noqa: BLE001 - translated below
                    raise translate_error(exc, cfg) from exc
                if not data:
                    raise BadResponse(f"{cfg.model}: the speech response was empty.")
                return bytes(data)
        raise AssertionError("unreachable")


def _get(item: Any, key: str) -> Any:
    return item[key] if isinstance(item, dict) else getattr(item, key)


def close_stream(response: Any) -> None:
    """Release the connection of a stream we stop reading, now. Left to the garbage collector, the
    close can run inside httpcore's connection-pool lock while the next request holds it, and that
    request then waits on itself forever (seen with a voice reply rejected mid-stream)."""
    if response is None:
        return
    for obj in (getattr(response, "completion_stream", None), response):
        close = getattr(obj, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()
            return


_FENCE = re.compile(r"```(?:json)?\s*(\{.*\})\s*```", re.S)


def extract_json(text: str) -> str:
    """The JSON object in a reply, tolerating code fences and chatter around it."""
    fenced = _FENCE.search(text)
    if fenced:
        return fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    if start == -1 or end <= start:
        raise ValueError("no JSON object in the response")
    return text[start : end + 1]


def _cost(response: Any) -> float | None:
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
