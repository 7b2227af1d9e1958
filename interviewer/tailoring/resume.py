"""Claims on a résumé a real interviewer would probe, turned into deep-dive questions.

A line earns attention for numbers (a metric, a percentage, a scale), ownership verbs ("led", "designed",
"reduced") and closeness to the posting. Each chosen claim becomes a prompt and, for the engine, a question
graded with the bank's own deep-dive rubric (a `deep_dive` or `production_story` question's key points).
"""

from __future__ import annotations

import re

import numpy as np
from pydantic import BaseModel, Field

from interviewer.knowledge.bank import Question, QuestionBank
from interviewer.tailoring.skills import Encoder

DEEP_DIVE_STAGES = ("deep_dive", "production_story")
OWNERSHIP = re.compile(
    r"\b(led|lead|owned|own|designed|architected|built|launched|shipped|created|founded|drove|migrated|scaled)\b", re.I
)
CHANGE = re.compile(
    r"\b(reduced|cut|improved|increased|decreased|lowered|raised|boosted|grew|saved|halved|doubled)\b", re.I
)
NUMBER = re.compile(
    r"(\d[\d,.]*\s?(%|x|ms|s\b|k\b|m\b|bn|million|billion|tb|gb|qps|rps|users|teams|engineers)|[$€£]\s?\d)", re.I
)
METRIC = re.compile(
    r"\b(p\d\d|latency|throughput|accuracy|auc|ndcg|recall|precision|f1|revenue|cost|conversion|ctr|error|mape|"
    r"uptime|stock-outs?|churn|retention|hallucination|tokens?)\b",
    re.I,
)


class DeepDive(BaseModel):
    prompt: str = Field(description="The deep-dive question asked about the claim.")
    source_line: str = Field(description="The résumé line it probes, exactly as written.")
    score: float = Field(0.0, description="How much a real interviewer would want to probe it.")


def claim_lines(text: str) -> list[str]:
    out = []
    for raw in text.splitlines():
        line = re.sub(r"^\s*(?:[-*•·●▪◦]|\d+[.)])\s*", "", raw).strip()
        if len(line.split()) >= 5 and not line.startswith("#"):
            out.append(line)
    return out


def claim_text(line: str) -> str:
    """The line as a clause after 'You write that you ...': first letter lowered, final stop dropped."""
    body = line.rstrip(" .;")
    return body[0].lower() + body[1:] if body[:1].isupper() and not body[1:2].isupper() else body


def _prompt(line: str) -> str:
    claim = claim_text(line)
    if NUMBER.search(line) and (CHANGE.search(line) or METRIC.search(line)):
        return (
            f'You write: "{claim}". How did you measure that: what was the baseline, over what window, '
            "and how do you know your change caused it rather than something else?"
        )
    if re.search(r"\b(led|lead|owned|own|drove|mentored)\b", line, re.I):
        return (
            f'You write: "{claim}". What did you decide yourself, which trade-off was hardest, '
            "and what would you do differently now?"
        )
    return (
        f'You write: "{claim}". Walk me through the design: the alternatives you rejected and why, how you '
        "evaluated it, and what broke once it was in production?"
    )


def pick_claims(resume: str, posting: str, embedder: Encoder | None, k: int = 3) -> list[DeepDive]:
    """The k résumé lines most worth a deep dive, in the résumé's own order."""
    lines = claim_lines(resume)
    if not lines:
        return []
    relevance = np.zeros(len(lines), dtype=np.float32)
    if embedder is not None and posting.strip():
        vecs = embedder.encode(lines)
        relevance = vecs @ embedder.encode([posting[:2000]])[0]
    scored = []
    for i, line in enumerate(lines):
        score = (
            1.0 * bool(NUMBER.search(line))
            + 0.6 * bool(CHANGE.search(line))
            + 0.5 * bool(OWNERSHIP.search(line))
            + 0.4 * bool(METRIC.search(line))
            + 1.5 * max(0.0, float(relevance[i]))
        )
        if score >= 1.0:
            scored.append((score, i, line))
    best = sorted(scored, key=lambda t: (-t[0], t[1]))[:k]
    return [
        DeepDive(prompt=_prompt(line), source_line=line, score=round(s, 3))
        for s, _, line in sorted(best, key=lambda t: t[1])
    ]


def deep_dive_rubric(bank: QuestionBank, loop: str, level: str) -> Question | None:
    """The bank question whose rubric grades a project deep dive: this loop first, then any loop."""

    def pool(loops: list[str]) -> list[Question]:
        return [q for q in bank.questions.values() if q.loop in loops and q.stage in DEEP_DIVE_STAGES]

    for candidates in (pool([loop]), pool(list(bank.loops))):
        open_ones = [q for q in candidates if q.kind == "open"] or candidates
        if open_ones:
            return min(open_ones, key=lambda q: (level not in q.levels, q.id))
    return None


def deep_dive_questions(bank: QuestionBank, loop: str, level: str, dives: list[DeepDive]) -> list[Question]:
    """Each deep dive as a question for the engine, graded with the bank's deep-dive rubric."""
    rubric = deep_dive_rubric(bank, loop, level)
    if rubric is None or not dives:
        return []
    stages = bank.loops[loop].stages
    stage = next((s for s in DEEP_DIVE_STAGES if s in stages), rubric.stage)
    taken = set(bank.questions)
    out: list[Question] = []
    number = 900
    for dive in dives:
        while f"{loop}-{stage}-{number}" in taken:
            number += 1
        qid = f"{loop}-{stage}-{number}"
        taken.add(qid)
        data = rubric.model_dump()
        data.update(id=qid, loop=loop, stage=stage, question=dive.prompt, levels=[level], tags=[*rubric.tags, "resume"])
        data["by_level"] = {level: rubric.by_level[level].model_dump()} if level in rubric.by_level else {}
        out.append(Question.model_validate(data))
    return out
