"""A cheap check of the configured models at start-up, so a bad key or an unreachable server is said once,
up front, instead of every turn quietly falling back to templates.

One request per configured role: a one-token completion with no retries and a short timeout.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from interviewer.llm import LLM, LLMError, model_config_from_settings

PING = [{"role": "user", "content": "Reply with the single word OK."}]


def check_models(settings: Any, timeout: float = 10.0) -> list[str]:
    """One line per configured model that cannot answer, saying what to do; [] when all can (or all offline)."""
    problems = []
    for role in ("interviewer", "judge"):
        cfg = model_config_from_settings(settings, role)
        if cfg.model == "offline":
            continue
        quick = replace(cfg, max_retries=0, timeout=min(timeout, cfg.timeout), fallbacks=())
        try:
            LLM(quick).complete(PING, max_tokens=1)
        except LLMError as err:
            what = "questions fall back to the bank's wording" if role == "interviewer" else "answers cannot be scored"
            problems.append(f"The {role} model {cfg.model} is not working ({err}); until it is, {what}.")
    return problems
