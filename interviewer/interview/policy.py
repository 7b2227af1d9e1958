"""What to ask next: a deterministic, unit-tested policy (the *voice* lives in voice.py).

Given the same bank, settings and seed, an interview always walks the same path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from interviewer.judge.star import PROBES, TITLES
from interviewer.judge.verdict import Verdict
from interviewer.knowledge.bank import KeyPoint, Question, QuestionBank

BASE_DIFFICULTY = {"junior": 1, "mid": 2, "senior": 3}
FOLLOW_UP_BELOW = 4.5  # a nearly perfect answer gets no probe
CODING = "coding"  # the coding round's stage id: its questions are exercises (interviewer.coding), not bank questions


def serves(exercise: Any, loop: str, level: str) -> bool:
    return loop in getattr(exercise, "loops", ()) and level in getattr(exercise, "levels", ())


def stage_supply(bank: QuestionBank, loop: str, stage: str, level: str, exercises: Sequence[Any] = ()) -> int:
    """How many questions (coding: exercises) the stage has for `level`."""
    if stage == CODING:
        return sum(1 for e in exercises if serves(e, loop, level))
    return len(bank.for_stage(loop, stage, level))


def served_stages(bank: QuestionBank, loop: str, level: str, exercises: Sequence[Any] = ()) -> list[str]:
    """The loop's stages, in real-loop order, that serve `level` (loops.yaml `stage_levels`) and have a
    question for it. Pass no exercises to leave the coding round out."""
    spec = bank.loops[loop]
    return [
        stage
        for stage in spec.stages
        if level in spec.levels_of(stage) and stage_supply(bank, loop, stage, level, exercises) > 0
    ]


def plan_interview(
    bank: QuestionBank,
    loop: str,
    level: str,
    mode: str,
    n: int,
    stage: str | None = None,
    exercises: Sequence[Any] = (),
) -> list[str]:
    """The stage of each question. full: every served stage once, in order; round: n questions of one
    stage (at most as many as it has); mix: n questions spread over the served stages."""
    stages = served_stages(bank, loop, level, exercises)
    if mode == "full":
        return stages
    if mode == "round":
        if stage not in stages:
            return []
        return [stage] * min(n, stage_supply(bank, loop, stage, level, exercises))
    return plan_stages(stages, n)


def plan_stages(stages: list[str], n: int) -> list[str]:
    """n stages in interview order, spread evenly over the loop; cycles when n exceeds the stages."""
    if n <= 0 or not stages:
        return []
    if n >= len(stages):
        return [stages[i % len(stages)] for i in range(n)]
    if n == 1:
        return [stages[0]]
    return [stages[round(i * (len(stages) - 1) / (n - 1))] for i in range(n)]


def target_difficulty(level: str, scores: list[float]) -> int:
    """Start at the level's difficulty; step up after strong answers, down after weak ones."""
    base = BASE_DIFFICULTY.get(level, 2)
    recent = scores[-2:]
    if recent:
        mean = sum(recent) / len(recent)
        if mean >= 4.0:
            base += 1
        elif mean <= 2.5:
            base -= 1
    return max(1, min(3, base))


def _tiebreak(seed: str, question_id: str) -> str:
    return hashlib.sha256(f"{seed}:{question_id}".encode()).hexdigest()


def pick_question(
    bank: QuestionBank,
    loop: str,
    stage: str,
    level: str,
    asked: set[str],
    difficulty: int,
    seed: str,
    prefer_kind: str | None = None,
) -> Question | None:
    """The unasked question of this stage closest to the target difficulty (level match first); of
    `prefer_kind` when the pool has one (a full loop's design round is a case)."""
    pools = [
        bank.for_stage(loop, stage, level),
        bank.for_stage(loop, stage),
        [q for q in bank.questions.values() if q.loop == loop],
    ]
    for pool in pools:
        fresh = [q for q in pool if q.id not in asked]
        preferred = [q for q in fresh if q.kind == prefer_kind]
        if fresh:
            return min(preferred or fresh, key=lambda q: (abs(q.difficulty - difficulty), _tiebreak(seed, q.id)))
    return None


def part_probes(question: Question, verdict: Verdict) -> list[KeyPoint]:
    """Kind-specific follow-ups, before any key point: a numeric answer with no number (or a number off)
    is asked for its number or its arithmetic; a behavioral answer is pushed for the STAR parts it lacks."""
    probes: list[KeyPoint] = []
    if question.kind == "numeric":
        if "no_number" in verdict.flags:
            probe = f"So what number do you land on, in {question.unit}?"
            probes.append(KeyPoint(point="A final number", weight=1.0, probe=probe))
        elif "number_off" in verdict.flags:
            probes.append(
                KeyPoint(
                    point="A number that checks out",
                    weight=1.0,
                    probe="Can you sanity-check that number? Walk me through the arithmetic step by step.",
                )
            )
    if question.kind == "behavioral":
        for part in verdict.parts:
            name = part.name.removeprefix("star:")
            if part.name.startswith("star:") and (part.score or 1.0) < 5.0 and name in PROBES:
                probes.append(KeyPoint(point=f"STAR: {TITLES[name]}", weight=1.0, probe=PROBES[name]))
        order = ["result", "action", "reflection", "situation", "task"]
        probes.sort(key=lambda kp: next((i for i, p in enumerate(order) if TITLES[p] in kp.point), 9))
        seen: set[str] = set()
        probes = [kp for kp in probes if not (kp.probe in seen or seen.add(kp.probe))]  # situation/task share one
    return probes


def follow_up_point(question: Question, verdict: Verdict, probed: list[str], asked: int, limit: int) -> KeyPoint | None:
    """The heaviest missed (then partial) key point not yet probed, if a follow-up is allowed."""
    if asked >= limit or not verdict.ok or (verdict.score or 0) >= FOLLOW_UP_BELOW:
        return None
    if {"empty", "gibberish", "off_topic"} & set(verdict.flags):
        return None  # a probe cannot rescue a non-answer; move on
    for part in part_probes(question, verdict):
        if part.point not in probed:
            return part
    status = {kp.point: kp.status for kp in verdict.key_points}
    for wanted in ("missed", "partial"):
        candidates = [kp for kp in question.key_points if status.get(kp.point) == wanted and kp.point not in probed]
        if candidates:
            return max(candidates, key=lambda kp: kp.weight)
    return None


def plan_with_coding(stages: list[str], n: int, coding: str, include: bool) -> list[str]:
    """`plan_stages` over the prose stages; with `include`, one `coding` round at its place in the loop."""
    prose = [s for s in stages if s != coding]
    if not include or coding not in stages:
        return plan_stages(prose, n)
    plan = plan_stages(prose, n - 1)
    before = set(stages[: stages.index(coding)])
    at = next((i for i, stage in enumerate(plan) if stage not in before), len(plan))
    return plan[:at] + [coding] + plan[at:]


def pick_exercise(exercises: dict, loop: str, level: str, asked: set[str], difficulty: int, seed: str):
    """The unasked coding exercise of this loop closest to the target difficulty (level match first)."""
    pools = [
        [e for e in exercises.values() if loop in e.loops and level in e.levels],
        [e for e in exercises.values() if loop in e.loops],
    ]
    for pool in pools:
        fresh = [e for e in pool if e.id not in asked]
        if fresh:
            return min(fresh, key=lambda e: (abs(e.difficulty - difficulty), _tiebreak(seed, e.id)))
    return None
