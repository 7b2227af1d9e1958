"""The skills a posting asks for: the vocabulary in `skills.yaml`, matched by alias and by embedding.

An alias hit is exact evidence ("the posting says RAG"); the embedding match catches paraphrases
("answers grounded in our help-centre articles") that no alias lists. Both are reported with the line
of the posting that triggered them, so every reason shown to the candidate can be checked.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, Field

from interviewer.resources import read_yaml
from interviewer.text.rules import split_sentences

VOCABULARY = Path(__file__).with_name("skills.yaml")
EMBED_FLOOR = 0.30  # cosine below which a sentence says nothing about a skill (MiniLM, normalised)
EMBED_SPAN = 0.30  # cosine EMBED_FLOOR + EMBED_SPAN counts as a full semantic match
MIN_SCORE = 0.30  # a skill below this is not reported


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


class Skill(BaseModel):
    id: str = Field(description="Stable slug, e.g. rag.")
    label: str = Field(description="Human name used in reasons: 'the posting asks for <label>'.")
    aliases: list[str] = Field(description="Words or phrases that name the skill in a posting.")
    description: str = Field(description="One sentence embedded and compared with the posting's sentences.")
    stages: dict[str, list[str]] = Field(
        description="Loop -> the stages this skill is interviewed in, strongest first."
    )
    tags: list[str] = Field(default_factory=list, description="Question-bank tags that test this skill.")


class Vocabulary(BaseModel):
    core: dict[str, list[str]] = Field(description="Loop -> stages every tailored interview still covers.")
    skills: list[Skill] = Field(description="The skills vocabulary.")


class SkillMatch(BaseModel):
    id: str = Field(description="Skill id.")
    label: str = Field(description="Skill label.")
    score: float = Field(description="0..1: how strongly the posting asks for it.")
    evidence: str = Field(description="The posting line that asks for it most clearly.")
    aliases_found: list[str] = Field(default_factory=list, description="Aliases found verbatim in the posting.")


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = VOCABULARY) -> Vocabulary:
    return Vocabulary.model_validate(read_yaml(path))


def sentences(text: str) -> list[str]:
    """The posting's lines and sentences, bullets stripped; very short fragments dropped."""
    out: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*•·●▪◦]|\d+[.)])\s*", "", line).strip()
        for part in split_sentences(line, ends=".!?;", starts="A-Z", newlines="none"):
            if len(part) >= 12 and len(part.split()) >= 2:
                out.append(part[:400])
    return out


def _alias_pattern(alias: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w/-])" + re.escape(alias).replace(r"\ ", r"[\s-]+") + r"(?![\w-])", re.I)


@lru_cache(maxsize=2048)
def alias_pattern(alias: str) -> re.Pattern[str]:
    return _alias_pattern(alias)


def skill_vectors(embedder: Encoder, vocab: Vocabulary) -> np.ndarray:
    key = id(embedder), id(vocab)
    with _SKILL_VECTORS_LOCK:
        cached = _SKILL_VECTORS.get(key)
    if cached is None:
        cached = embedder.encode([f"{s.label}: {s.description}" for s in vocab.skills])
        with _SKILL_VECTORS_LOCK:  # shared by every session's tailoring; never held while encoding
            cached = _SKILL_VECTORS.setdefault(key, cached)
    return cached


_SKILL_VECTORS: dict[tuple[int, int], Any] = {}
_SKILL_VECTORS_LOCK = threading.Lock()


def match_skills(
    text: str, embedder: Encoder | None, vocab: Vocabulary | None = None, line_vectors: np.ndarray | None = None
) -> list[SkillMatch]:
    """Skills the posting asks for, strongest first (`line_vectors`: the embedded `sentences(text)`, if known)."""
    vocab = vocab or load_vocabulary()
    lines = sentences(text)
    if not lines:
        return []
    sims = None
    if embedder is not None:
        vectors = embedder.encode(lines) if line_vectors is None else line_vectors
        sims = skill_vectors(embedder, vocab) @ vectors.T  # skills x lines
    found: list[SkillMatch] = []
    for i, skill in enumerate(vocab.skills):
        hits: dict[str, int] = {}
        hit_lines: dict[int, int] = {}
        for alias in skill.aliases:
            pattern = alias_pattern(alias)
            for n, line in enumerate(lines):
                count = len(pattern.findall(line))
                if count:
                    hits[alias] = hits.get(alias, 0) + count
                    hit_lines[n] = hit_lines.get(n, 0) + count
        alias_score = 1 - 0.5 ** sum(hits.values())
        embed_score, best_line = 0.0, None
        if sims is not None:
            best_line = int(np.argmax(sims[i]))
            embed_score = float(np.clip((sims[i][best_line] - EMBED_FLOOR) / EMBED_SPAN, 0, 1))
        score = 0.6 * alias_score + 0.4 * embed_score
        if score < MIN_SCORE:
            continue
        if hit_lines:
            best_line = max(hit_lines, key=lambda n: (hit_lines[n], float(sims[i][n]) if sims is not None else 0.0))
        found.append(
            SkillMatch(
                id=skill.id,
                label=skill.label,
                score=round(score, 3),
                evidence=lines[best_line] if best_line is not None else "",
                aliases_found=sorted(hits, key=lambda a: -hits[a]),
            )
        )
    return sorted(found, key=lambda m: -m.score)
