"""The two ends of `interview replay`: a recorder for real exchanges and a model that replays them.

`Recorder` is the `on_exchange` hook of `interviewer.llm.LLM`: set `INTERVIEW_RECORD=path.jsonl` and every
exchange of the voice and the judge is appended in the JSON-lines format `interview replay` reads.
`ReplayLLM` is the app's `LLM` class with litellm's mock transport, so a replayed reply goes through every
line of code a real one does (streams arrive three characters at a time, as litellm's mock sends them).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from interviewer.llm import LLM, Completion, Exchange, ModelConfig

TASKS = ("ask", "follow_up", "acknowledge", "judge")


class ReplayLLM(LLM):
    """The app's LLM class with litellm's mock transport: every call is answered with `reply`."""

    def __init__(self, reply: str, model: str = "openai/replay") -> None:
        super().__init__(ModelConfig(model, api_key="replay", max_retries=0, backoff_base=0.0))
        self.reply = reply

    def _kwargs(self, model: str, **extra: Any) -> dict[str, Any]:
        return {**super()._kwargs(model, **extra), "mock_response": self.reply}

    # litellm ignores an empty mock_response (and would call the provider): an empty reply is served here
    def _stream_one(self, model: str, messages: list[dict[str, str]], **extra: Any) -> Iterator[str]:
        if self.reply:
            yield from super()._stream_one(model, messages, **extra)

    def _complete_one(self, model: str, messages: list[dict[str, str]], **extra: Any) -> Completion:
        if self.reply:
            return super()._complete_one(model, messages, **extra)
        return Completion(text="", model=model, latency_s=0.0, extra={"finish_reason": "stop", "truncated": False})


def prompt_hash(messages: list[dict[str, str]]) -> str:
    return hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()[:12]


class Recorder:
    """Appends every exchange to a JSON-lines file, in the format `interview replay` reads (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._prefix = time.strftime("%Y%m%d-%H%M%S")
        self._n = 0

    def __call__(self, exchange: Exchange) -> None:
        tag = exchange.tag
        if tag.get("task") not in TASKS:
            return  # not an exchange the app makes (e.g. a benchmark's own call)
        with self._lock:
            self._n += 1
            row = {
                "id": f"{self._prefix}-{self._n:04d}",
                **tag,
                "model_output": exchange.text,
                "model": exchange.model,
                "prompt_hash": prompt_hash(exchange.messages),
                "complete": exchange.complete,
                "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            }
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


_RECORDERS: dict[Path, Recorder] = {}
_RECORDERS_LOCK = threading.Lock()  # two sessions starting at once must share one recorder (one lock per file)


def recorder_for(settings: Any) -> Callable[[Exchange], None] | None:
    """The process's recorder for `settings.record` (one per file, shared by the voice and the judge)."""
    path = getattr(settings, "record", None)
    if not path:
        return None
    key = Path(path).resolve()
    with _RECORDERS_LOCK:
        if key not in _RECORDERS:
            _RECORDERS[key] = Recorder(key)
        return _RECORDERS[key]
