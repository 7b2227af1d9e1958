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
from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator, model_validator

from interviewer.resources import read_yaml

Level = Literal["junior", "mid", "senior"]
LEVELS: tuple[Level, ...] = ("junior", "mid", "senior")
Kind = Literal["open", "numeric", "behavioral", "case"]
KINDS: tuple[Kind, ...] = ("open", "numeric", "behavioral", "case")
SIGNALS = ("ownership", "conflict", "ambiguity", "influence", "failure", "prioritization", "growth")


# The bars every question clears, from the bank or generated for a tailored interview (bank check, tailoring):
OWN_REFERENCE_MIN = 4.5  # its reference answer scores at least this on its own rubric, at every level
FOREIGN_REFERENCE_MAX = 2.0  # another stage's reference answer (an off-topic answer) scores at most this
NEAR_DUPLICATE = 0.92  # cosine between two questions' embeddings above which they are the same question


class KeyPoint(BaseModel):
    point: str = Field(description="A specific, checkable claim a strong answer makes.", min_length=10)
    weight: float = Field(description="Share of the question's credit; a question's weights sum to 1.", gt=0, le=1)
    probe: str = Field(description="Follow-up asked when the point is missed; must not give the point away.")


def _check_anchors(anchors: dict[int, str]) -> dict[int, str]:
    if sorted(anchors) != [1, 2, 3, 4, 5]:
        raise ValueError(f"anchors must have keys 1..5, has {sorted(anchors)}")
    return anchors


def _check_points(points: list[KeyPoint], low: int = 3, high: int = 6) -> list[KeyPoint]:
    if not low <= len(points) <= high:
        raise ValueError(f"needs {low} to {high} key points, has {len(points)}")
    total = sum(p.weight for p in points)
    if abs(total - 1.0) > 0.011:
        raise ValueError(f"key point weights sum to {total:.3f}, not 1.0")
    return points


class LevelRubric(BaseModel):
    """What a 1..5 answer looks like at one level: a junior 5 and a senior 5 differ."""

    anchors: dict[int, str] = Field(description="What a 1..5 answer looks like at this level.")
    reference_answer: str = Field(description="A model answer that scores 5 at this level.", min_length=50)

    @field_validator("anchors")
    @classmethod
    def _anchors_one_to_five(cls, anchors: dict[int, str]) -> dict[int, str]:
        return _check_anchors(anchors)


class CasePhase(BaseModel):
    """One phase of a multi-turn case (requirements -> data -> modelling -> serving -> evaluation -> trade-offs)."""

    id: str = Field(description="Phase slug, e.g. requirements, data, modelling, serving, evaluation, tradeoffs.")
    title: str = Field(description="Human title of the phase.")
    prompt: str = Field(description="What the interviewer asks to open this phase.", min_length=15)
    weight: float = Field(1.0, gt=0, description="Relative weight of this phase in the overall case score.")
    key_points: list[KeyPoint] = Field(description="2 to 5 weighted key points for this phase; weights sum to 1.")
    reference_answer: str | None = Field(
        None, description="Optional model answer for this phase alone (default: its key points, in order)."
    )

    def reference(self) -> str:
        return self.reference_answer or " ".join(kp.point.rstrip(".") + "." for kp in self.key_points)

    @field_validator("key_points")
    @classmethod
    def _two_to_five(cls, points: list[KeyPoint]) -> list[KeyPoint]:
        return _check_points(points, 2, 5)


class Citation(BaseModel):
    doc: str = Field(description="Corpus document id (file stem in corpus/).")
    section: str = Field(description="The `##` section heading in that document.")


class Question(BaseModel):
    id: str = Field(description="Stable unique id, <loop>-<stage>-NN.", pattern=r"^[a-z]+-[a-z_]+-\d{2,3}$")
    loop: Literal["mle", "llm"] = Field(description="The interview loop.")
    stage: str = Field(description="A stage of the loop, from loops.yaml.")
    kind: Kind = Field("open", description="open | numeric | behavioral | case (see SCHEMA.md).")
    levels: list[Level] = Field(description="The levels this question suits.", min_length=1)
    difficulty: int = Field(2, ge=1, le=3, description="1 warm-up .. 3 hard; the engine adapts on it.")
    question: str = Field(description="The question as asked.", min_length=15)
    key_points: list[KeyPoint] = Field(description="3 to 6 weighted key points.")
    anchors: dict[int, str] = Field(description="What a 1..5 answer looks like.")
    reference_answer: str = Field(description="A model answer that scores 5.", min_length=50)
    red_flags: list[str] = Field(default_factory=list, description="Common wrong claims or warning signs.")
    citations: list[Citation] = Field(default_factory=list, description="Corpus sections that ground the question.")
    tags: list[str] = Field(default_factory=list, description="Topic tags.")
    scenario: str | None = Field(
        None,
        description="The product scenario the question is set in (e.g. support-bot, fraud, recsys, search, ads); "
        "no scenario may be used by more than 20% of a loop's questions.",
    )
    by_level: dict[Level, LevelRubric] = Field(
        default_factory=dict,
        description="Anchors and reference answer per level; required for every level when levels has more than one.",
    )
    # numeric
    answer: float | None = Field(None, description="numeric: the expected value.")
    unit: str | None = Field(None, description="numeric: the unit of `answer`, e.g. 'users per arm', 'GB'.")
    tolerance: float | None = Field(
        None, gt=0, description="numeric: absolute tolerance in `unit`; |given - answer| <= tolerance is right."
    )
    # behavioral
    signal: str | None = Field(None, description=f"behavioral: the signal targeted, one of {', '.join(SIGNALS)}.")
    # case
    phases: list[CasePhase] = Field(default_factory=list, description="case: 3 to 6 phases, in interview order.")

    @model_validator(mode="before")
    @classmethod
    def _defaults_from_parts(cls, data: object) -> object:
        """Top-level anchors/reference default to the highest level's; a case's key points to its phases'."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        by_level = data.get("by_level") or {}
        if by_level:
            top = [lv for lv in LEVELS if lv in by_level]
            best = by_level[top[-1]] if top else None
            if isinstance(best, dict):
                data.setdefault("anchors", best.get("anchors"))
                data.setdefault("reference_answer", best.get("reference_answer"))
        phases = data.get("phases") or []
        if data.get("kind") == "case" and phases and not data.get("key_points"):
            total = sum(float(p.get("weight", 1.0)) for p in phases if isinstance(p, dict)) or 1.0
            points = []
            for p in phases:
                share = float(p.get("weight", 1.0)) / total
                for kp in p.get("key_points") or []:
                    points.append({**kp, "weight": round(float(kp["weight"]) * share, 6)})
            data["key_points"] = points
        return data

    @field_validator("key_points")
    @classmethod
    def _three_to_six(cls, points: list[KeyPoint], info: ValidationInfo) -> list[KeyPoint]:
        if info.data.get("kind") == "case":
            return _check_points(points, 2, 30)
        return _check_points(points)

    @field_validator("anchors")
    @classmethod
    def _anchors_one_to_five(cls, anchors: dict[int, str]) -> dict[int, str]:
        return _check_anchors(anchors)

    @model_validator(mode="after")
    def _kind_fields(self) -> Question:
        if self.kind == "numeric" and (self.answer is None or not self.unit or self.tolerance is None):
            raise ValueError("a numeric question needs answer, unit and tolerance")
        if self.kind == "behavioral" and self.signal not in SIGNALS:
            raise ValueError(f"a behavioral question needs signal, one of {', '.join(SIGNALS)}")
        if self.kind == "case" and not 3 <= len(self.phases) <= 6:
            raise ValueError(f"a case needs 3 to 6 phases, has {len(self.phases)}")
        if self.kind != "case" and self.phases:
            raise ValueError("only a case has phases")
        extra = sorted(set(self.by_level) - set(self.levels))
        if extra:
            raise ValueError(f"by_level has levels the question does not serve: {extra}")
        return self

    def anchors_for(self, level: str | None) -> dict[int, str]:
        rubric = self.by_level.get(level) if level else None  # type: ignore[call-overload]
        return rubric.anchors if rubric else self.anchors

    def reference_for(self, level: str | None) -> str:
        rubric = self.by_level.get(level) if level else None  # type: ignore[call-overload]
        return rubric.reference_answer if rubric else self.reference_answer

    def at_level(self, level: str | None) -> Question:
        """This question as graded at `level`: its anchors and reference answer are that level's."""
        if not level or level not in self.by_level:
            return self
        rubric = self.by_level[level]  # type: ignore[index]
        return self.model_copy(update={"anchors": rubric.anchors, "reference_answer": rubric.reference_answer})

    @property
    def rubric_version(self) -> str:
        """A short hash of everything that defines how this question is scored."""
        payload = self.model_dump_json(
            include={"question", "key_points", "anchors", "reference_answer"}
            | {"by_level", "answer", "tolerance", "phases"}
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:12]


class Loop(BaseModel):
    title: str
    stages: dict[str, str] = Field(description="Stage id -> human title, in the order a real loop runs them.")
    stage_levels: dict[str, list[Level]] = Field(
        default_factory=dict, description="Stage id -> the levels it serves (default: every level)."
    )

    def levels_of(self, stage: str) -> list[Level]:
        return list(self.stage_levels.get(stage) or LEVELS)


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
    raw_loops = read_yaml(bank_dir / "loops.yaml")
    bank = QuestionBank(loops={name: Loop.model_validate(spec) for name, spec in raw_loops.items()})
    for path in sorted(bank_dir.glob("*/*.yaml")):
        if path.parent.name not in bank.loops:  # e.g. coding/ holds exercises, not questions
            continue
        rel = path.relative_to(bank_dir)
        if (
            rel.parts[0] == "coding"
        ):  # coding exercises have their own schema (interviewer/knowledge/coding_exercises.py)
            continue
        try:
            data = read_yaml(path) or {}
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
    from interviewer.knowledge.coding_exercises import load_exercises

    bank.exercises = load_exercises(bank_dir, bank.errors)
    return bank
