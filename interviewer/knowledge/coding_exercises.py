"""Coding exercises as data: `question_bank/coding/<id>.yaml`, one exercise per file (see SCHEMA.md).

Test inputs are written as the call a candidate would type, e.g. `softmax(np.array([1e4, 0.0]))`. The
trusted parent evaluates those calls (our data, never the candidate's), runs the reference solution on
them for the expected values, and sends only the inputs into the sandbox.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from interviewer.knowledge.bank import KeyPoint, Level, Question
from interviewer.resources import read_yaml

CODING_STAGE = "coding"
ANCHORS = {
    1: "No explanation, or one that is wrong about what the code does.",
    2: "Describes the code line by line but not why it is correct, its cost or its edge cases.",
    3: "Explains the approach and its complexity; misses edge cases or how it would scale.",
    4: "Explains the approach, complexity and the main edge cases, with one gap.",
    5: "Explains the approach, complexity, edge cases and how to scale or vectorise it, covering every key point.",
}
_SAFE_BUILTINS = {
    f.__name__: f
    for f in (range, list, tuple, dict, float, int, bool, str, chr, len, sum, min, max, abs, zip, enumerate, round)
}


class ExerciseError(ValueError):
    """A coding exercise file that does not load or validate."""


class CodeTest(BaseModel):
    name: str = Field(description="Short snake_case name, unique in the exercise; shown to the candidate.")
    call: str = Field(description="The call as Python, e.g. `softmax(np.array([1.0, 2.0]))`; may use np and rng(seed).")
    why: str = Field("", description="What this case checks (named in the follow-up when it fails).")
    expected: str | None = Field(
        None, description="Optional hand-checked expected value as a Python expression; the reference must match it."
    )
    raises: str | None = Field(None, description="The exception class the call must raise, e.g. ValueError.")
    rtol: float = Field(1e-6, ge=0, description="Relative tolerance for floating-point outputs.")
    atol: float = Field(1e-8, ge=0, description="Absolute tolerance for floating-point outputs.")

    @field_validator("expected", mode="before")
    @classmethod
    def _number_as_text(cls, value: object) -> object:
        return repr(value) if isinstance(value, int | float) and not isinstance(value, bool) else value

    @field_validator("name")
    @classmethod
    def _slug(cls, name: str) -> str:
        if not re.fullmatch(r"[a-z0-9_]{2,60}", name):
            raise ValueError(f"test name {name!r} must be snake_case")
        return name


class Exercise(BaseModel):
    id: str = Field(description="Stable id, the file stem: snake_case.", pattern=r"^[a-z][a-z0-9_]{1,40}$")
    title: str = Field(description="Short human title.", min_length=3)
    loops: list[Literal["mle", "llm"]] = Field(description="The loops whose coding round may ask it.", min_length=1)
    levels: list[Level] = Field(description="The levels it suits.", min_length=1)
    difficulty: int = Field(2, ge=1, le=3, description="1 warm-up .. 3 hard; the engine adapts on it.")
    function: str = Field(description="The function the candidate writes (the name in `signature`).")
    signature: str = Field(description="The required signature, e.g. `softmax(x, axis=-1)`.")
    prompt: str = Field(description="The task as the interviewer states it (Markdown).", min_length=40)
    starter: str = Field(description="The stub shown in the editor; it must fail every hidden test.")
    examples: list[CodeTest] = Field(description="Visible tests: 'Run examples' runs these.", min_length=1)
    hidden: list[CodeTest] = Field(description="Hidden tests: 'Submit' runs these; they grade correctness.")
    reference_solution: str = Field(description="A correct solution; it produces the expected values.")
    complexity: str = Field(description="Time and memory complexity notes (shown in the report).", min_length=20)
    probes: list[str] = Field(description="2-3 follow-up questions: complexity, edge cases, scaling.")
    key_points: list[KeyPoint] = Field(description="What a strong spoken explanation covers; weights sum to 1.")
    reference_explanation: str = Field(description="A spoken explanation that scores 5.", min_length=80)
    time_limit_s: float = Field(3.0, gt=0, le=10, description="Wall-clock limit per test, in seconds.")
    tags: list[str] = Field(default_factory=list, description="Topic tags.")

    @field_validator("probes")
    @classmethod
    def _two_to_three(cls, probes: list[str]) -> list[str]:
        if not 2 <= len(probes) <= 3:
            raise ValueError(f"needs 2 or 3 probes, has {len(probes)}")
        return probes

    @field_validator("key_points")
    @classmethod
    def _weights(cls, points: list[KeyPoint]) -> list[KeyPoint]:
        if not 3 <= len(points) <= 6 or abs(sum(p.weight for p in points) - 1.0) > 0.011:
            raise ValueError("needs 3 to 6 key points whose weights sum to 1.0")
        return points

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        if not self.signature.startswith(self.function + "("):
            raise ValueError(f"signature {self.signature!r} does not start with {self.function}(")
        if len(self.hidden) < 4:
            raise ValueError(f"needs at least 4 hidden tests, has {len(self.hidden)}")
        names = [t.name for t in self.examples + self.hidden]
        if len(names) != len(set(names)):
            raise ValueError("test names must be unique within the exercise")
        for test in self.examples + self.hidden:
            parse_call(test.call, self.function)
        for label, code in (("starter", self.starter), ("reference_solution", self.reference_solution)):
            try:
                tree = ast.parse(code)
            except SyntaxError as err:
                raise ValueError(f"{label} is not valid Python: {err}") from err
            if not any(isinstance(n, ast.FunctionDef) and n.name == self.function for n in tree.body):
                raise ValueError(f"{label} does not define {self.function}()")
        return self

    @property
    def version(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:12]

    def tests(self, which: Literal["examples", "hidden"]) -> list[CodeTest]:
        return self.examples if which == "examples" else self.hidden

    def as_question(self, loop: str) -> Question:
        """The spoken part as a bank-shaped question, so the normal judge grades the explanation."""
        return Question.model_construct(
            id=f"{loop}-coding-{self.id}",
            loop=loop,
            stage=CODING_STAGE,
            levels=self.levels,
            difficulty=self.difficulty,
            question=f"{self.title}: explain your solution to `{self.signature}`. {self.probes[0]}",
            key_points=self.key_points,
            anchors=ANCHORS,
            reference_answer=self.reference_explanation,
            red_flags=[],
            citations=[],
            tags=self.tags,
        )


def parse_call(call: str, function: str) -> ast.Call:
    """The call's AST; only `function(...)` with plain (non-starred) arguments is accepted."""
    try:
        tree = ast.parse(call.strip(), mode="eval")
    except SyntaxError as err:
        raise ValueError(f"test call {call!r} is not valid Python: {err.msg}") from err
    node = tree.body
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function):
        raise ValueError(f"test call {call!r} must be a call of {function}()")
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        raise ValueError(f"test call {call!r} may not use * or ** arguments")
    return node


def _evaluate(node: ast.expr) -> Any:
    import numpy as np

    scope = {"__builtins__": _SAFE_BUILTINS, "np": np, "rng": np.random.default_rng}
    return eval(compile(ast.Expression(node), "<test>", "eval"), scope)  # noqa: S307  (our own bank data)


def call_inputs(test: CodeTest, function: str) -> tuple[list[Any], dict[str, Any]]:
    node = parse_call(test.call, function)
    return [_evaluate(a) for a in node.args], {k.arg: _evaluate(k.value) for k in node.keywords if k.arg}


class Expected(BaseModel):
    """What the reference solution did on one test: returned `value` or raised `raises`."""

    model_config = {"arbitrary_types_allowed": True}
    value: Any = None
    raises: str | None = None


@lru_cache(maxsize=64)
def _expected_cached(exercise_json: str, which: str) -> tuple[Expected, ...]:
    exercise = Exercise.model_validate_json(exercise_json)
    scope: dict[str, Any] = {"__name__": f"reference_{exercise.id}"}
    exec(compile(exercise.reference_solution, f"<reference {exercise.id}>", "exec"), scope)  # noqa: S102
    reference = scope[exercise.function]
    out = []
    for test in exercise.tests(which):  # type: ignore[arg-type]
        args, kwargs = call_inputs(test, exercise.function)
        try:
            out.append(Expected(value=reference(*copy.deepcopy(args), **copy.deepcopy(kwargs))))
        except Exception as err:  # noqa: BLE001  (an expected raise, e.g. ValueError on one class)
            out.append(Expected(raises=type(err).__name__))
    return tuple(out)


def expected_outputs(exercise: Exercise, which: Literal["examples", "hidden"]) -> tuple[Expected, ...]:
    """The reference solution's outputs, computed in the trusted parent and cached per exercise version."""
    return _expected_cached(exercise.model_dump_json(), which)


def _coding_dir(bank_dir: Path) -> Path:
    return bank_dir if bank_dir.name == CODING_STAGE else bank_dir / CODING_STAGE


def load_exercises(bank_dir: Path, errors: list[str] | None = None) -> dict[str, Exercise]:
    """Every `<bank_dir>/coding/*.yaml` exercise by id. Problems are appended to `errors` when a list is
    given (as `interview bank check` does); otherwise the first load raises ExerciseError naming them all."""
    problems: list[str] = []
    exercises: dict[str, Exercise] = {}
    for path in sorted(_coding_dir(bank_dir).glob("*.yaml")):
        where = f"coding/{path.name}"
        try:
            data = read_yaml(path) or {}
            exercise = Exercise.model_validate(data)
        except yaml.YAMLError as err:
            problems.append(f"{where}: not valid YAML: {err}")
            continue
        except ValidationError as err:
            detail = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'exercise'}: {e['msg']}" for e in err.errors())
            problems.append(f"{where}: {detail}")
            continue
        if exercise.id != path.stem:
            problems.append(f"{where}: id {exercise.id!r} does not match the file name")
        elif exercise.id in exercises:
            problems.append(f"{where}: duplicate id {exercise.id}")
        else:
            exercises[exercise.id] = exercise
    if errors is not None:
        errors.extend(problems)
    elif problems:
        raise ExerciseError("; ".join(problems))
    return exercises
