"""Streamed replies: retried and sent to a fallback model only until the first piece of text has been shown."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from interviewer.llm.client import Client
from interviewer.llm.config import Completion, Message
from interviewer.llm.errors import AuthenticationError, ConfigurationError, LLMError, StreamInterrupted
from interviewer.llm.provider import litellm, preflight, translate_error


class StreamingClient(Client):
    """`Client` plus `stream`."""

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
        cfg = self.cfg.with_model(model)
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
