"""The coding round's exercises, seen from the rest of the bank: listed, counted and planned.

They live in `question_bank/coding/*.yaml` and are loaded by the coding-round package (issue 13):
`interviewer.coding.load_exercises(bank_dir)` or `interviewer.coding.exercises.load_exercises(bank_dir)`, a list
or an {id: exercise} dict of objects with `id`, `title`, `loops`, `levels` and `signature`. Without that
package there are no exercises: a full loop then skips the coding stage and `interview bank check` counts none.
An installed package that fails to load is an error, never hidden.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Exercises:
    items: list[Any] = field(default_factory=list)
    error: str | None = None  # the package is there but its exercises did not load
    available: bool = False  # the coding package is installed

    def serving(self, loop: str, level: str | None = None) -> list[Any]:
        return [
            e
            for e in self.items
            if loop in getattr(e, "loops", ()) and (level is None or level in getattr(e, "levels", ()))
        ]


def coding_package_present() -> bool:
    return importlib.util.find_spec("interviewer.coding") is not None


def _loader() -> Callable[..., Any] | None:
    """`load_exercises` from the coding package (its top level or its `exercises` module)."""
    for name in ("interviewer.coding", "interviewer.coding.exercises"):
        try:
            found = getattr(importlib.import_module(name), "load_exercises", None)
        except ModuleNotFoundError:
            continue
        if callable(found):
            return found
    return None


def load_exercises(bank_dir: Path) -> Exercises:
    if not coding_package_present():
        return Exercises()
    try:
        load = _loader()
        if load is None:
            return Exercises(error="the coding package has no load_exercises(bank_dir)", available=True)
        found = load(bank_dir)
        items = list(found.values()) if isinstance(found, dict) else list(found)
        return Exercises(items=items, available=True)
    except Exception as err:  # noqa: BLE001 - reported by the caller (bank check), not swallowed
        return Exercises(error=f"coding exercises did not load: {type(err).__name__}: {err}", available=True)


def as_row(exercise: Any) -> dict[str, Any]:
    """An exercise as a `bank list` row for each loop it serves is built by the caller; this is its fields."""
    return {
        "id": getattr(exercise, "id", "?"),
        "title": getattr(exercise, "title", ""),
        "loops": list(getattr(exercise, "loops", [])),
        "levels": list(getattr(exercise, "levels", [])),
        "signature": getattr(exercise, "signature", ""),
    }
