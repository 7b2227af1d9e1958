"""The question bank: pydantic models for questions and rubrics, loaded from `question_bank/`.

Files: `loops.yaml` (loops and their ordered stages) and `<loop>/<stage>.yaml` with a
`questions:` list. See `question_bank/SCHEMA.md`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator

Level = Literal["junior", "mid", "senior"]
LEVELS: tuple[Level, ...] = ("junior", "mid", "senior")


class KeyPoint(BaseModel):
    point: str = Field(description="A specific, checkable claim a strong answer makes.", min_length=10)
    weight: float = Field(description="Share of the question's credit; a question's weights sum to 1.", gt=0, le=1)
    probe: str = Field(description="Follow-up asked when the point is missed; must not give the point away.")


class Citation(BaseModel):
    doc: str = Field(description="Corpus document id (file stem in corpus/).")
    section: str = Field(description="The `##` section heading in that document.")


class Question(BaseModel):
    id: str = Field(description="Stable unique id, <loop>-<stage>-NN.", pattern=r"^[a-z]+-[a-z_]+-\d{2,3}$")
    loop: Literal["mle", "llm"] = Field(description="The interview loop.")
    stage: str = Field(description="A stage of the loop, from loops.yaml.")
    levels: list[Level] = Field(description="The levels this question suits.", min_length=1)
    difficulty: int = Field(2, ge=1, le=3, description="1 warm-up .. 3 hard; the engine adapts on it.")
    question: str = Field(description="The question as asked.", min_length=15)
    key_points: list[KeyPoint] = Field(description="3 to 6 weighted key points.")
    anchors: dict[int, str] = Field(description="What a 1..5 answer looks like.")
    reference_answer: str = Field(description="A model answer that scores 5.", min_length=50)
    red_flags: list[str] = Field(default_factory=list, description="Common wrong claims or warning signs.")
    citations: list[Citation] = Field(default_factory=list, description="Corpus sections that ground the question.")
    tags: list[str] = Field(default_factory=list, description="Topic tags.")

    @field_validator("key_points")
    @classmethod
    def _three_to_six(cls, points: list[KeyPoint]) -> list[KeyPoint]:
        if not 3 <= len(points) <= 6:
            raise ValueError(f"needs 3 to 6 key points, has {len(points)}")
        total = sum(p.weight for p in points)
        if abs(total - 1.0) > 0.011:
            raise ValueError(f"key point weights sum to {total:.3f}, not 1.0")
        return points

    @field_validator("anchors")
    @classmethod
    def _anchors_one_to_five(cls, anchors: dict[int, str]) -> dict[int, str]:
        if sorted(anchors) != [1, 2, 3, 4, 5]:
            raise ValueError(f"anchors must have keys 1..5, has {sorted(anchors)}")
        return anchors

    @property
    def rubric_version(self) -> str:
        """A short hash of everything that defines how this question is scored."""
        payload = self.model_dump_json(include={"question", "key_points", "anchors", "reference_answer"})
        return hashlib.sha256(payload.encode()).hexdigest()[:12]


class Loop(BaseModel):
    title: str
    stages: dict[str, str] = Field(description="Stage id -> human title, in interview order.")


@dataclass
class QuestionBank:
    loops: dict[str, Loop]
    questions: dict[str, Question] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    exercises: dict = field(default_factory=dict, repr=False)  # id -> coding Exercise (question_bank/coding/)

    def for_stage(self, loop: str, stage: str, level: str | None = None) -> list[Question]:
        return [
            q
            for q in self.questions.values()
            if q.loop == loop and q.stage == stage and (level is None or level in q.levels)
        ]

    def exercises_for(self, loop: str, level: str | None = None) -> list:
        """Coding exercises of a loop (and level): what the `coding` stage asks."""
        return [e for e in self.exercises.values() if loop in e.loops and (level is None or level in e.levels)]

    def stage_counts(self, loop: str, level: str | None = None) -> dict[str, int]:
        """Questions per stage; the coding stage counts its exercises."""
        stages = self.loops[loop].stages
        return {
            s: len(self.exercises_for(loop, level) if s == "coding" else self.for_stage(loop, s, level)) for s in stages
        }

    def loop_counts(self) -> dict[str, int]:
        return dict(Counter(q.loop for q in self.questions.values()))


def load_bank(bank_dir: Path) -> QuestionBank:
    """Load every question file; schema problems are collected in `errors`, not raised."""
    raw_loops = yaml.safe_load((bank_dir / "loops.yaml").read_text(encoding="utf-8"))
    bank = QuestionBank(loops={name: Loop.model_validate(spec) for name, spec in raw_loops.items()})
    for path in sorted(bank_dir.glob("*/*.yaml")):
        rel = path.relative_to(bank_dir)
        if rel.parts[0] == "coding":  # coding exercises have their own schema (interviewer/coding/exercises.py)
            continue
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as err:
            bank.errors.append(f"{rel}: not valid YAML: {err}")
            continue
        for i, item in enumerate(data.get("questions") or []):
            where = f"{rel} question {i + 1} ({item.get('id', '?') if isinstance(item, dict) else '?'})"
            try:
                question = Question.model_validate(item)
            except ValidationError as err:
                problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
                bank.errors.append(f"{where}: {problems}")
                continue
            if question.id in bank.questions:
                bank.errors.append(f"{where}: duplicate id {question.id}")
                continue
            if question.loop not in bank.loops or question.stage not in bank.loops[question.loop].stages:
                bank.errors.append(f"{where}: unknown loop/stage {question.loop}/{question.stage}")
                continue
            if path.parent.name != question.loop or path.stem != question.stage:
                bank.errors.append(f"{where}: file location does not match loop/stage {question.loop}/{question.stage}")
            bank.questions[question.id] = question
    from interviewer.coding.exercises import load_exercises

    bank.exercises = load_exercises(bank_dir, bank.errors)
    return bank
