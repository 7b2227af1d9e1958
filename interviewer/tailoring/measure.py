"""How well a plan matches what a posting asks for, against labels written before the planner ran.

A chosen question matches when its stage is one of the posting's labelled stages or one of its tags is a
labelled topic. The untailored baseline is the engine's own default path (evenly spread stages,
`pick_question` with a session seed), averaged over several seeds.
"""

from __future__ import annotations

from pathlib import Path
from statistics import mean

import yaml
from pydantic import BaseModel, Field

from interviewer.interview.policy import BASE_DIFFICULTY, pick_question, plan_stages
from interviewer.knowledge.bank import Question, QuestionBank


class LabelledPosting(BaseModel):
    id: str = Field(description="Posting slug.")
    loop: str = Field(description="mle or llm.")
    level: str = Field(description="junior, mid or senior.")
    stages: list[str] = Field(description="Stages a real interviewer for this job would weight.")
    topics: list[str] = Field(description="Bank tags that match what the posting asks for.")
    text: str = Field(description="The posting.")


def load_postings(path: Path) -> list[LabelledPosting]:
    return [LabelledPosting.model_validate(p) for p in yaml.safe_load(path.read_text(encoding="utf-8"))["postings"]]


def matches(question: Question, posting: LabelledPosting) -> bool:
    return question.stage in posting.stages or bool(set(question.tags) & set(posting.topics))


def match_share(questions: list[Question], posting: LabelledPosting) -> float:
    return mean(matches(q, posting) for q in questions) if questions else 0.0


def untailored(bank: QuestionBank, loop: str, level: str, n: int, seed: str) -> list[Question]:
    """What the engine asks today for (loop, level, n) in session `seed`, with no posting."""
    asked: list[Question] = []
    for stage in plan_stages(list(bank.loops[loop].stages), n):
        q = pick_question(bank, loop, stage, level, {a.id for a in asked}, BASE_DIFFICULTY[level], seed)
        if q is None:
            break
        asked.append(q)
    return asked


def untailored_share(bank: QuestionBank, posting: LabelledPosting, n: int, seeds: int = 5) -> float:
    return mean(match_share(untailored(bank, posting.loop, posting.level, n, f"s{i}"), posting) for i in range(seeds))
