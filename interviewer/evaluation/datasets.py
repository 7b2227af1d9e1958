"""Datasets: the gold answers, the Mohler benchmark, and (in probes.py) generated probes.

Each loader returns `Sample`s: one answer to one question, with its reference grade when there is one (`gold`:
the gold set's grade, written by AI graders; the Mohler set's human average) and, for pairwise rules
(injection, padding), the id of the sample it must not score above.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from interviewer.config import REPO_ROOT
from interviewer.knowledge.bank import Question, QuestionBank

GOLD_PATH = REPO_ROOT / "evals" / "gold" / "answers.jsonl"
SECOND_GRADES_PATH = REPO_ROOT / "evals" / "gold" / "second_grades.jsonl"
STRIPPED = "injection_stripped"  # helper samples: judged, never counted in agreement metrics


class Sample(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    id: str = Field(description="Unique within the run.")
    suite: str = Field(description="gold, mohler or probes.")
    split: str = Field(description="dev, test, or all (probes have no split).")
    kind: str = Field(description="Answer kind (gold kinds, probe kinds, 'student' for Mohler).")
    question: Question = Field(description="The question and rubric the answer is judged against.")
    answer: str = Field(description="The candidate's answer, exactly as given to the judge.")
    gold: float | None = Field(
        None, description="Reference grade: 1..5 gold (AI graders), 0..5 Mohler (human average); None for probes."
    )
    compare_to: str | None = Field(None, description="Id of the sample this one must not score above.")
    max_above: float = Field(0.0, description="How far above `compare_to` the score may go and still pass.")
    scored: bool = Field(True, description="False for helper samples that only serve as a comparison.")

    @property
    def question_id(self) -> str:
        return self.question.id


def _read_jsonl(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{n}: not JSON: {err}") from err
    return rows


def load_gold(bank: QuestionBank, splits: set[str], path: Path = GOLD_PATH) -> tuple[list[Sample], list[str]]:
    """Gold answers of the chosen splits, plus, for every injection answer, the same answer without the injected
    text. That copy is written by hand in the data (`without_injection`), so no detector under test defines it.

    Returns (samples, problems); an item whose question is not in the bank is reported, not judged."""
    if not path.is_file():
        raise FileNotFoundError(f"no gold data at {path}")
    samples: list[Sample] = []
    problems: list[str] = []
    for row in _read_jsonl(path):
        if row.get("split") not in splits:
            continue
        question = bank.questions.get(str(row.get("question_id")))
        if question is None:
            problems.append(f"gold {row.get('id')}: unknown question {row.get('question_id')!r}")
            continue
        sample = Sample(
            id=str(row["id"]),
            suite="gold",
            split=row["split"],
            kind=str(row.get("kind", "genuine")),
            question=question,
            answer=str(row.get("answer", "")),
            gold=float(row["score"]),
        )
        samples.append(sample)
        stripped = str(row.get("without_injection") or "").strip()
        if sample.kind == "injection" and stripped:
            sample.compare_to, sample.max_above = f"{sample.id}~stripped", 0.01
            samples.append(
                sample.model_copy(
                    update={"id": sample.compare_to, "kind": STRIPPED, "answer": stripped, "scored": False}
                )
            )
    return samples, problems


def load_second_grades(path: Path = SECOND_GRADES_PATH) -> dict[str, float]:
    """Blind second grader's scores by gold id ({} when the file is not there yet)."""
    if not path.is_file():
        return {}
    return {str(r["id"]): float(r["score"]) for r in _read_jsonl(path) if r.get("score") is not None}


def gold_scores(path: Path = GOLD_PATH) -> dict[str, float]:
    """Grader A's score for every gold id, whatever its split."""
    return {str(r["id"]): float(r["score"]) for r in _read_jsonl(path)} if path.is_file() else {}


def mohler_split(question_id: str) -> str:
    """The benchmark's protocol: assignments 1-6 are dev, 7-12 test."""
    return "dev" if int(question_id.split(".")[0]) <= 6 else "test"


def load_mohler(splits: set[str], root: Path) -> list[Sample]:
    """Mohler et al. (2011) student answers with their 0..5 human average, judged against the reference alone,
    exactly as `interview grade` judges an item with a reference answer and no key points."""
    from interviewer.judge.grading import adhoc_question

    if not (root / "questions.csv").is_file():
        raise FileNotFoundError(f"no Mohler benchmark at {root} (--mohler-dir DIR)")
    with (root / "questions.csv").open(newline="", encoding="utf-8") as fh:
        questions = {
            r["id"]: adhoc_question({"question": r["question"], "reference_answer": r["answer"]})
            for r in csv.DictReader(fh)
        }
    samples: list[Sample] = []
    with (root / "answers.csv").open(newline="", encoding="utf-8") as fh:
        for n, r in enumerate(csv.DictReader(fh)):
            split = mohler_split(r["id"])
            if split in splits and r["id"] in questions:
                samples.append(
                    Sample(
                        id=f"mohler-{r['id']}-{n:04d}",
                        suite="mohler",
                        split=split,
                        kind="student",
                        question=questions[r["id"]],
                        answer=r["answer"],
                        gold=float(r["score"]),
                    )
                )
    return samples


def subsample(samples: list[Sample], limit: int | None) -> list[Sample]:
    """At most `limit` scored samples per split (a fixed, hash-ordered choice) plus their helpers."""
    if not limit:
        return samples
    keep: set[str] = set()
    for split in sorted({s.split for s in samples}):
        scored = sorted(
            (s for s in samples if s.scored and s.split == split),
            key=lambda s: hashlib.sha256(s.id.encode()).hexdigest(),
        )
        keep.update(s.id for s in scored[:limit])
    keep.update(s.compare_to for s in samples if s.id in keep and s.compare_to)
    return [s for s in samples if s.id in keep]
