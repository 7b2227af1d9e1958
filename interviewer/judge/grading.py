"""`interview grade`: batch-grade a JSON-lines file with the offline or the LLM judge.

Input lines, either:
- {"id", "question_id", "answer"} plus optional "level": a bank question; its rubric, its level's reference and
  anchors and (numeric) its expected value come from the bank, graded per kind (`judge/kinds.py`); a case's
  answer is one text for every phase, or "phase_answers": {phase id: text};
- {"id", "question", "answer"} plus "reference_answer" and/or "key_points": an external item. An item with key
  points is graded on them like a bank question; one with only a reference answer is graded against the
  reference (tagged `reference-only`).
Every input line yields one output line {"id", "score", "status", "flags", "verdict", ...}; a bad line gets status
"error" and a null score. Grading goes through the same judge surface as the app (`interviewer.judge.build`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from interviewer.config import Settings
from interviewer.judge.answer_number import check_number
from interviewer.judge.guards import strip_injection
from interviewer.judge.verdict import Verdict
from interviewer.knowledge.bank import KeyPoint, Question, QuestionBank


def adhoc_question(item: dict[str, Any]) -> Question:
    """A throwaway rubric for an external item: key points if given, else the reference's sentences."""
    from interviewer.judge.offline import REFERENCE_ONLY
    from interviewer.text.rules import split_sentences

    reference = str(item.get("reference_answer") or "").strip()
    points = [str(p) for p in item.get("key_points") or [] if str(p).strip()]
    tags = [] if points else [REFERENCE_ONLY]
    if not points:
        points = split_sentences(reference)[:6] or [reference]
    points = [p if len(p) >= 10 else f"{p} (key point)" for p in points]
    while len(points) < 3:
        points.append(points[-1])
    points = points[:6]
    weight = 1.0 / len(points)
    return Question.model_construct(
        id="adhoc-grade-01",
        loop="mle",
        stage="adhoc",
        levels=["mid"],
        difficulty=2,
        question=str(item["question"]),
        key_points=[KeyPoint(point=p, weight=weight, probe="") for p in points],
        anchors={1: "wrong", 2: "weak", 3: "partial", 4: "good", 5: "complete"},
        reference_answer=reference or " ".join(points),
        red_flags=[],
        citations=[],
        tags=tags,
    )


def _row(item_id: Any, verdict: Verdict) -> dict[str, Any]:
    return {
        "id": item_id,
        "score": verdict.score,
        "status": verdict.status,
        "flags": list(verdict.flags),
        "verdict": verdict.model_dump(),
    }


def _bank_item(item: dict[str, Any], bank: QuestionBank) -> tuple[Question, str | dict[str, str], str]:
    """The bank question, the answer and the level for a {"question_id", "answer", "level"?} line."""
    question = bank.questions.get(str(item["question_id"]))
    if question is None:
        raise ValueError(f"no question {item['question_id']!r} in the bank (see `interview bank list`)")
    answer: str | dict[str, str] = item.get("answer", "")
    phases = item.get("phase_answers")
    if question.kind == "case" and isinstance(phases, dict):
        answer = {str(k): str(v) for k, v in phases.items()}
    elif not isinstance(answer, str):
        raise ValueError("'answer' must be a string")
    level = item.get("level") or question.levels[-1]
    if level not in question.levels:
        raise ValueError(f"{question.id} is not asked at level {level!r} (levels: {', '.join(question.levels)})")
    return question, answer, str(level)


def _bank_row(item_id: Any, question: Question, level: str, answer: Any, verdict: Verdict) -> dict[str, Any]:
    row = {**_row(item_id, verdict), "question_id": question.id, "kind": question.kind, "level": level}
    if question.kind == "numeric":
        expected, tolerance = float(question.answer or 0), float(question.tolerance or 0)
        check = check_number(strip_injection(answer)[0], expected, tolerance, question.unit or "", question.question)
        row["numeric"] = {
            "given": check.value,
            "text": check.text,
            "within": check.within,
            "answer": question.answer,
            "unit": question.unit,
            "tolerance": question.tolerance,
        }
    if question.kind == "case":
        row["phases"] = [{"id": p.name, "title": p.title, "score": p.score} for p in verdict.parts]
    return row


def grade_items(items: list[dict[str, Any] | str], judge_kind: str, settings: Settings) -> list[dict[str, Any]]:
    from interviewer.judge import build
    from interviewer.judge.kinds import KindGrader
    from interviewer.knowledge.bank import load_bank

    parsed: list[tuple[Any, dict[str, Any] | None, str]] = []
    banked: dict[int, tuple[Question, str | dict[str, str], str]] = {}
    bank: QuestionBank | None = None
    for n, raw in enumerate(items, 1):
        item = None
        try:
            item = json.loads(raw) if isinstance(raw, str) else raw
            if isinstance(item, dict) and "question_id" in item:
                if "answer" not in item and "phase_answers" not in item:
                    raise ValueError("needs 'answer'")
                bank = bank or load_bank(settings.bank_dir)
                banked[len(parsed)] = _bank_item(item, bank)
                parsed.append((item.get("id", n), item, ""))
                continue
            if not isinstance(item, dict) or not str(item.get("question", "")).strip() or "answer" not in item:
                raise ValueError("needs 'question_id' and 'answer', or 'question' and 'answer'")
            if not (item.get("reference_answer") or item.get("key_points")):
                raise ValueError("needs 'reference_answer' or 'key_points' to grade against")
            parsed.append((item.get("id", n), item, ""))
        except (ValueError, TypeError) as err:
            known = item.get("id", n) if isinstance(item, dict) else n  # a readable line keeps its id
            parsed.append((known, None, f"line {n}: {err}"))

    if judge_kind == "llm":
        if settings.offline_judge:
            raise SystemExit("--judge llm needs INTERVIEW_JUDGE_MODEL set to a litellm model")
    else:
        settings = settings.model_copy(update={"judge_model": "offline"})
    judge = build(settings)
    good = [(i, item) for i, (_, item, _) in enumerate(parsed) if item is not None and i not in banked]
    verdicts: dict[int, Verdict] = {}
    if banked:
        order = sorted(banked)
        for i, verdict in zip(order, KindGrader(judge).grade_many([banked[i] for i in order]), strict=True):
            verdicts[i] = verdict
    jobs = [(adhoc_question(item), str(item["answer"])) for _, item in good]
    chunk = 10_000 if judge.kind == "offline" else 8  # the offline judge is batched; show LLM progress
    with tqdm(total=len(jobs), desc="grading", unit="answer", file=sys.stderr, disable=len(jobs) < 50) as bar:
        for start in range(0, len(jobs), chunk):
            batch = judge.judge_many(jobs[start : start + chunk])
            for (i, _), verdict in zip(good[start : start + chunk], batch, strict=True):
                verdicts[i] = verdict
            bar.update(len(jobs[start : start + chunk]))
    rows: list[dict[str, Any]] = []
    for i, (item_id, _, error) in enumerate(parsed):
        if i in banked and i in verdicts:
            question, answer, level = banked[i]
            rows.append(_bank_row(item_id, question, level, answer, verdicts[i]))
        else:
            rows.append(_row(item_id, verdicts[i]) if i in verdicts else _row(item_id, Verdict.failed(error)))
    return rows


def grade_file(data: Path, out: Path, judge_kind: str, settings: Settings) -> int:
    lines = [line for line in data.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    rows = grade_items(lines, judge_kind, settings)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for row in tqdm(rows, desc="writing", unit="row", file=sys.stderr, disable=len(rows) < 500):
            fh.write(json.dumps(row) + "\n")
    errors = sum(1 for r in rows if r["status"] == "error")
    print(f"graded {len(rows) - errors} of {len(rows)} answers ({errors} errors) -> {out}")
    return 0
