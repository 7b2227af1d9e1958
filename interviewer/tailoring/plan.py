"""Pick the bank questions closest to what a posting asks for, still covering the loop's core stages.

Works from whatever the bank holds: stages with no question at the candidate's level are skipped, no
question id or count is assumed. Every pick carries a reason a candidate can check against the posting.
"""

from __future__ import annotations

import math
import threading

import numpy as np
from pydantic import BaseModel, Field

from interviewer.knowledge.bank import Question, QuestionBank
from interviewer.tailoring.skills import (
    Encoder,
    SkillMatch,
    Vocabulary,
    alias_pattern,
    load_vocabulary,
    match_skills,
    sentences,
    skill_vectors,
)

SAME_STAGE_DECAY = 0.6  # each further pick from one stage counts this much less: the loop stays varied
CORE_SHARE = 0.25  # share of the questions kept for the loop's core stages the posting did not reach


class PlannedQuestion(BaseModel):
    id: str = Field(description="Bank question id.")
    stage: str = Field(description="The question's stage.")
    reason: str = Field(description="Why it was chosen, in words the candidate can check against the posting.")
    score: float = Field(0.0, description="Relevance to the posting (0 for a core-coverage pick with no match).")
    skill: str | None = Field(None, description="The skill id the question was chosen for, if any.")


class Plan(BaseModel):
    loop: str
    level: str
    skills: list[SkillMatch] = Field(default_factory=list, description="Skills the posting asks for, strongest first.")
    stage_weights: dict[str, float] = Field(default_factory=dict, description="Stage -> weight from the skills.")
    questions: list[PlannedQuestion] = Field(default_factory=list, description="Chosen questions in loop order.")


def candidates(bank: QuestionBank, loop: str, level: str) -> list[Question]:
    """The loop's questions for this level, in stages that serve the level."""
    spec = bank.loops[loop]
    return [
        q
        for q in bank.questions.values()
        if q.loop == loop and level in q.levels and q.stage in spec.stages and level in spec.levels_of(q.stage)
    ]


def _question_text(q: Question) -> str:
    return f"{q.question} Topics: {', '.join(t.replace('-', ' ') for t in q.tags)}"


_QUESTION_VECTORS: dict[tuple[int, str], np.ndarray] = {}
_QUESTION_VECTORS_LOCK = threading.Lock()  # every session's tailoring shares the cache; never held while encoding


def question_vectors(embedder: Encoder, pool: list[Question]) -> np.ndarray:
    """Embeddings of the questions, computed once per process per question text."""
    keys = [(id(embedder), _question_text(q)) for q in pool]
    with _QUESTION_VECTORS_LOCK:
        known = {k: _QUESTION_VECTORS[k] for k in keys if k in _QUESTION_VECTORS}
    missing = [k for k in dict.fromkeys(keys) if k not in known]
    if missing:
        fresh = dict(zip(missing, embedder.encode([k[1] for k in missing]), strict=True))
        known.update(fresh)
        with _QUESTION_VECTORS_LOCK:
            _QUESTION_VECTORS.update(fresh)
    return np.stack([known[k] for k in keys])


def stage_weights(skills: list[SkillMatch], vocab: Vocabulary, loop: str) -> dict[str, float]:
    by_id = {s.id: s for s in vocab.skills}
    weights: dict[str, float] = {}
    for match in skills:
        for rank, stage in enumerate(by_id[match.id].stages.get(loop, [])):
            weights[stage] = weights.get(stage, 0.0) + match.score * (0.8**rank)
    top = max(weights.values(), default=0.0)
    return {s: round(w / top, 3) for s, w in sorted(weights.items(), key=lambda kv: -kv[1])} if top else {}


def score_questions(
    pool: list[Question],
    skills: list[SkillMatch],
    weights: dict[str, float],
    vocab: Vocabulary,
    loop: str,
    embedder: Encoder | None,
    lines: list[str] | None = None,
    line_vectors: np.ndarray | None = None,
) -> dict[str, tuple[float, SkillMatch | None]]:
    """Question id -> (relevance, the skill that earned it).

    A skill is represented by its vocabulary vector plus the posting line that asked for it (no new encoding)."""
    by_id = {s.id: s for s in vocab.skills}
    relevant = [m for m in skills if by_id[m.id].stages.get(loop) or by_id[m.id].tags]
    sims = np.zeros((len(pool), len(relevant)), dtype=np.float32)
    if embedder is not None and pool and relevant:
        q_vecs = question_vectors(embedder, pool)
        index = {s.id: i for i, s in enumerate(vocab.skills)}
        s_vecs = skill_vectors(embedder, vocab)[[index[m.id] for m in relevant]].copy()
        if lines and line_vectors is not None:
            for j, m in enumerate(relevant):
                if m.evidence in lines:
                    s_vecs[j] = s_vecs[j] + line_vectors[lines.index(m.evidence)]
            s_vecs /= np.linalg.norm(s_vecs, axis=1, keepdims=True)
        sims = q_vecs @ s_vecs.T
    out: dict[str, tuple[float, SkillMatch | None]] = {}
    for i, q in enumerate(pool):
        best, best_skill = 0.0, None
        for j, match in enumerate(relevant):
            skill = by_id[match.id]
            tag_hit = 1.0 if set(q.tags) & set(skill.tags) else 0.0
            stage_hit = 1.0 if q.stage in skill.stages.get(loop, []) else 0.0
            semantic = max(0.0, float(sims[i, j]) - 0.2) / 0.5
            value = match.score * (0.45 * tag_hit + 0.25 * stage_hit + 0.3 * min(1.0, semantic))
            if value > best:
                best, best_skill = value, match
        out[q.id] = (round(best + 0.15 * weights.get(q.stage, 0.0) * (best > 0), 4), best_skill)
    return out


def _reason(match: SkillMatch | None, stage_title: str, core: bool, evidence: str | None = None) -> str:
    if match is None:
        return f"core stage of the loop: {stage_title}" if core else f"rounds out the loop: {stage_title}"
    line = evidence or match.evidence
    quote = line if len(line) <= 120 else line[:117].rstrip() + "…"
    return f'the posting asks for {match.label} ("{quote}")'


def _evidence_lines(chosen, scores, lines, line_vectors, vocab: Vocabulary, embedder) -> dict[str, str]:
    """For each question, the posting line naming its skill that is closest to the question itself."""
    if embedder is None or line_vectors is None or not chosen:
        return {}
    by_id = {s.id: s for s in vocab.skills}
    q_vecs = question_vectors(embedder, chosen)
    out: dict[str, str] = {}
    for i, q in enumerate(chosen):
        match = scores[q.id][1]
        if match is None:
            continue
        aliases = [alias_pattern(a) for a in by_id[match.id].aliases]
        naming = [n for n, line in enumerate(lines) if any(p.search(line) for p in aliases)]
        if naming:
            out[q.id] = lines[max(naming, key=lambda n: float(line_vectors[n] @ q_vecs[i]))]
    return out


def plan_interview(
    bank: QuestionBank,
    loop: str,
    level: str,
    posting: str,
    n: int,
    embedder: Encoder | None,
    vocab: Vocabulary | None = None,
) -> Plan:
    """n questions (fewer when the bank has fewer) chosen for the posting, in real-loop order."""
    vocab = vocab or load_vocabulary()
    lines = sentences(posting)
    line_vectors = embedder.encode(lines) if embedder is not None and lines else None
    skills = match_skills(posting, embedder, vocab, line_vectors)
    weights = stage_weights(skills, vocab, loop)
    pool = candidates(bank, loop, level)
    scores = score_questions(pool, skills, weights, vocab, loop, embedder, lines, line_vectors)
    n = min(n, len(pool))
    available_core = [s for s in vocab.core.get(loop, []) if any(q.stage == s for q in pool)]
    n_core = min(len(available_core), math.floor(n * CORE_SHARE)) if n >= 3 else 0
    chosen: list[Question] = []
    per_stage: dict[str, int] = {}

    def take(q: Question) -> None:
        chosen.append(q)
        per_stage[q.stage] = per_stage.get(q.stage, 0) + 1

    # 1. the questions closest to the posting, one stage not crowding out the rest
    while len(chosen) < n - n_core:
        fresh = [q for q in pool if q not in chosen]
        best = max(fresh, key=lambda q: (scores[q.id][0] * SAME_STAGE_DECAY ** per_stage.get(q.stage, 0), q.id))
        if scores[best.id][0] <= 0:
            break
        take(best)
    # 2. the core stages not reached yet, strongest-weighted first; then whatever scores best
    for stage in sorted(available_core, key=lambda s: -weights.get(s, 0.0)):
        if len(chosen) >= n:
            break
        if stage not in per_stage:
            take(max((q for q in pool if q.stage == stage), key=lambda q: (scores[q.id][0], q.id)))
    while len(chosen) < n:
        fresh = [q for q in pool if q not in chosen]
        take(
            max(
                fresh,
                key=lambda q: (
                    scores[q.id][0] * SAME_STAGE_DECAY ** per_stage.get(q.stage, 0),
                    -per_stage.get(q.stage, 0),
                    q.id,
                ),
            )
        )
    order = list(bank.loops[loop].stages)
    chosen.sort(key=lambda q: (order.index(q.stage), -scores[q.id][0], q.id))
    titles = bank.loops[loop].stages
    evidence = _evidence_lines(chosen, scores, lines, line_vectors, vocab, embedder)
    planned = [
        PlannedQuestion(
            id=q.id,
            stage=q.stage,
            reason=_reason(scores[q.id][1], titles[q.stage], q.stage in available_core, evidence.get(q.id)),
            score=scores[q.id][0],
            skill=scores[q.id][1].id if scores[q.id][1] else None,
        )
        for q in chosen
    ]
    return Plan(loop=loop, level=level, skills=skills, stage_weights=weights, questions=planned)
