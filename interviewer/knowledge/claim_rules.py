"""Known-wrong claims, as data (`question_bank/claim_rules.yaml`), checked over the bank and the corpus.

A rule fires on a sentence (or a Markdown section) where every `match` pattern matches, no `unless`
pattern matches, and not every `require` pattern matches. Patterns are case-insensitive regexes
(use `(?-i:...)` for a case-sensitive part). Red flags and low anchors are not scanned: they state
wrong claims on purpose. A `question` rule instead requires a pattern in one question's text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from interviewer.knowledge.bank import Question, QuestionBank
from interviewer.knowledge.corpus import SKIP_NAMES, split_front_matter
from interviewer.resources import read_yaml
from interviewer.text.rules import split_sentences

_SECTION = re.compile(r"^#{2,3}\s", re.M)


class ClaimRule(BaseModel):
    id: str = Field(description="Stable rule id.")
    explanation: str = Field(description="What is wrong and what is right instead (shown with each hit).")
    match: list[str] = Field(default_factory=list, description="Regexes that must all match the unit.")
    unless: list[str] = Field(default_factory=list, description="Any of these matching clears the unit.")
    require: list[str] = Field(
        default_factory=list, description="The unit is cleared only when all of these match (e.g. a source)."
    )
    within: Literal["sentence", "paragraph", "section"] = Field(
        "sentence", description="The unit a rule is checked on."
    )
    scope: list[Literal["bank", "corpus"]] = Field(default_factory=lambda: ["bank", "corpus"])
    question: str | None = Field(None, description="A question id: its text must match every `match` pattern.")

    def _search(self, patterns: list[str], text: str) -> list[bool]:
        return [re.search(p, text, re.I) is not None for p in patterns]

    def fires(self, unit: str) -> bool:
        if not self.match or not all(self._search(self.match, unit)):
            return False
        if any(self._search(self.unless, unit)):
            return False
        return not (self.require and all(self._search(self.require, unit)))


def load_rules(path: Path) -> list[ClaimRule]:
    if not path.is_file():
        return []
    data = read_yaml(path) or {}
    return [ClaimRule.model_validate(r) for r in data.get("rules") or []]


def question_texts(q: Question) -> list[tuple[str, str]]:
    """(where, text) for every part of a question that states claims as true."""
    parts = [("question", q.question), ("reference_answer", q.reference_answer)]
    parts += [(f"key point {i}", kp.point) for i, kp in enumerate(q.key_points, 1)]
    parts += [(f"anchor {s}", q.anchors[s]) for s in (4, 5) if s in q.anchors]
    for level, rubric in q.by_level.items():
        parts.append((f"{level} reference_answer", rubric.reference_answer))
        parts += [(f"{level} anchor {s}", rubric.anchors[s]) for s in (4, 5) if s in rubric.anchors]
    for phase in q.phases:
        parts.append((f"phase {phase.id} prompt", phase.prompt))
        if phase.reference_answer:
            parts.append((f"phase {phase.id} reference_answer", phase.reference_answer))
    return [(f"{q.id} {where}", text) for where, text in parts if text]


def corpus_texts(corpus_dir: Path) -> list[tuple[str, str]]:
    out = []
    for path in sorted(corpus_dir.rglob("*.md")):
        if path.name in SKIP_NAMES:
            continue
        _meta, body = split_front_matter(path.read_text(encoding="utf-8", errors="replace"))
        out.append((f"corpus/{path.relative_to(corpus_dir)}", body))
    return out


def _units(text: str, within: str) -> list[str]:
    if within == "section":
        return [s for s in _SECTION.split(text) if s.strip()]
    if within == "paragraph":  # a claim corrected in the same paragraph is not repeated as fact
        return [s.strip() for s in re.split(r"\n\s*\n", text) if s.strip()]
    return split_sentences(text, starts="A-Z0-9\"'(*", newlines="block")


def scan(rules: list[ClaimRule], bank: QuestionBank | None, corpus_dir: Path | None) -> list[str]:
    """One line per hit: the rule, where, the words, and what is right."""
    hits: list[str] = []
    sources: dict[str, list[tuple[str, str]]] = {
        "bank": [t for q in sorted(bank.questions.values(), key=lambda q: q.id) for t in question_texts(q)]
        if bank is not None
        else [],
        "corpus": corpus_texts(corpus_dir) if corpus_dir is not None and corpus_dir.is_dir() else [],
    }
    for rule in rules:
        if rule.question:
            q = bank.questions.get(rule.question) if bank is not None else None
            text = " ".join(t for _, t in question_texts(q)) if q is not None else ""
            if q is not None and not all(rule._search(rule.match, text)):
                hits.append(f"claim rule {rule.id}: {rule.question}: {rule.explanation}")
            continue
        for scope in rule.scope:
            for where, text in sources[scope]:
                for unit in _units(text, rule.within):
                    if rule.fires(unit):
                        words = " ".join(unit.split())
                        words = words if len(words) <= 160 else words[:157] + "..."
                        hits.append(f'claim rule {rule.id}: {where}: "{words}" — {rule.explanation}')
    return hits
