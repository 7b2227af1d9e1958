"""Graded examples for the LLM judge: answers to the same question, graded by the gold graders, dev split only.

Published work on short-answer grading finds that graded examples retrieved by similarity to the answer
beat random ones, which beat none. For each answer the judge gets the `k` dev-split gold answers to the same
question that are most similar to it (TF-IDF cosine), with their grade and the grader's reason, never the
answer itself (an exact copy is left out, so a gold answer is never its own example). Answers of the
`injection` kind are not used: their grader-addressed text has no place in our prompt. Test-split answers are
never used. Questions without dev gold answers get no examples.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from interviewer.config import REPO_ROOT

GOLD_PATH = REPO_ROOT / "evals" / "gold" / "answers.jsonl"


class GradedExample(BaseModel):
    id: str = Field(description="Gold answer id.")
    answer: str = Field(description="The graded answer.")
    score: int = Field(description="The grader's 1-5 score.")
    rationale: str = Field("", description="Why, in the grader's words.")


def _key(text: str) -> str:
    return " ".join(text.lower().split())


class GradedExamples:
    def __init__(self, path: Path = GOLD_PATH, k: int = 3, max_chars: int = 1200) -> None:
        self.k = k
        self.max_chars = max_chars
        self.by_question: dict[str, list[GradedExample]] = defaultdict(list)
        if not path.is_file():
            return
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else None
            if not row or row.get("split") != "dev" or row.get("kind") == "injection" or not row.get("answer"):
                continue
            fields = {k: row[k] for k in ("id", "answer", "score") if k in row}
            example = GradedExample(**fields, rationale=row.get("rationale", ""))
            self.by_question[row["question_id"]].append(example)

    def select(self, question_id: str, answer: str) -> list[GradedExample]:
        """The k most similar graded answers to `answer`, least similar first (the closest sits nearest the
        answer being graded)."""
        pool = [e for e in self.by_question.get(question_id, []) if _key(e.answer) != _key(answer)]
        if not pool or self.k <= 0:
            return []
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.metrics.pairwise import cosine_similarity

        matrix = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)).fit_transform(
            [e.answer for e in pool] + [answer or " "]
        )
        sims = cosine_similarity(matrix[-1], matrix[:-1])[0]
        ranked = sorted(range(len(pool)), key=lambda i: (-sims[i], pool[i].id))[: self.k]
        return [pool[i] for i in reversed(ranked)]

    def render(self, examples: list[GradedExample]) -> str:
        if not examples:
            return ""
        blocks = []
        for e in examples:
            text = e.answer if len(e.answer) <= self.max_chars else e.answer[: self.max_chars] + " [...]"
            blocks.append(f'<example score="{e.score}">\n{text}\n</example>\nGrader\'s reason: {e.rationale}')
        return "<graded_examples>\n" + "\n\n".join(blocks) + "\n</graded_examples>\n\n"


@lru_cache(maxsize=2)
def default_examples(path: Path = GOLD_PATH) -> GradedExamples:
    return GradedExamples(path)
