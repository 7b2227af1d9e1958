"""The coding round's exercises, seen from the rest of the bank: listed, counted and planned.

They live in `question_bank/coding/*.yaml`; their schema and loader are `knowledge/coding_exercises.py`.
A bank whose exercises fail to load is an error, never hidden: `interview bank check` reports it.
"""

from __future__ import annotations

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


def load_exercises(bank_dir: Path) -> Exercises:
    from interviewer.knowledge.coding_exercises import load_exercises as load

    try:
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
