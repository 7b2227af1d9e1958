"""Chat completions: one call retried with backoff (honouring Retry-After), then each fallback model in turn,
and structured replies validated by a pydantic model with the validation error fed back on a retry."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from interviewer.llm.config import Completion, Exchange, Message, ModelConfig, _cost
from interviewer.llm.errors import RETRYABLE, AuthenticationError, BadResponse, ConfigurationError, LLMError
from interviewer.llm.provider import litellm, preflight, translate_error

T = TypeVar("T", bound=BaseModel)


class Client:
    """A configured model (with fallbacks) offering `complete` and `structured`; `LLM` adds streams and speech."""

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
            retry=retry_if_exception_type(RETRYABLE),
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
        cfg = self.cfg.with_model(model)
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
