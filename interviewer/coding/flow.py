"""The coding round inside an interview: what the interviewer says and how a code question is scored.

Flow: the exercise is asked -> "Run examples" as often as wanted -> "Submit" runs the hidden tests ->
the interviewer follows up (a failing hidden case first, with one more submission allowed; otherwise the
exercise's complexity/scaling probe) -> the candidate explains in the chat -> the normal judge grades the
explanation against the exercise's key points -> final 1-5 = grading.final_score(correctness, explanation).
"""

from __future__ import annotations

import re

from interviewer.coding.grading import correctness, final_score
from interviewer.coding.record import CodeWork, RunReport
from interviewer.judge.verdict import Verdict
from interviewer.knowledge.coding_exercises import Exercise


def ask_text(exercise: Exercise, stage_title: str, number: int, total: int) -> str:
    return (
        f"**Question {number} of {total} — {stage_title}.** {exercise.title}.\n\n{exercise.prompt.strip()}\n\n"
        f"Write `{exercise.signature}` in the editor below. *Run examples* runs the visible examples as often "
        "as you like; *Submit* runs the hidden tests. Then I will ask you about your solution."
    )


def after_submit(work: CodeWork, exercise: Exercise, report: RunReport) -> str:
    """The interviewer's follow-up to a graded submission (and the flags it sets)."""
    summary = f"Your submission passed {report.passed} of {report.total} hidden tests."
    failing = report.failing()
    if failing and not work.hinted and not work.probed:
        work.hinted = True
        work.allowed += 1
        case = failing[0]
        what = case.why or case.name.replace("_", " ")
        detail = f" ({md_escape(case.message)})" if case.status != "failed" and case.message else ""
        return (
            f"{summary} One case that fails: **{what}**{detail}. Walk me through what your code does there. "
            "You can fix it and submit once more, or explain your approach here."
        )
    if not work.probed:
        work.probed = True
        return f"{summary} {exercise.probes[0]} Answer here in the chat."
    return f"{summary} Now tell me about your solution here in the chat."


def score(work: CodeWork, verdict: Verdict | None) -> float | None:
    """Set and return the record's final 1-5 score (None when no submission was graded)."""
    work.correctness = correctness(work.submissions)
    if work.correctness is None:
        return None
    spoken = verdict.score if verdict is not None and verdict.ok else None
    work.final = final_score(work.correctness, spoken)
    return work.final


def feedback_text(work: CodeWork, verdict: Verdict | None) -> str:
    last = work.last_submission
    tests = f"hidden tests {last.passed}/{last.total}" if last else "no graded submission"
    spoken = f"explanation {verdict.score:.1f}/5" if verdict is not None and verdict.ok else "no explanation"
    lines = [f"**Score: {work.final:.1f} / 5** — {tests} (correctness {work.correctness:.2f}), {spoken}."]
    if len(work.submissions) > 1:
        lines.append(f"- {len(work.submissions)} submissions: a later fix counts a little less.")
    if verdict is not None and verdict.ok and verdict.feedback:
        lines.append(f"- On your explanation: {verdict.feedback}")
    return "\n".join(lines)


def code_section(number: int, record, exercise: Exercise | None, finished: bool) -> list[str]:
    """A coding question in the Markdown report: heading, code and tests, explanation, then the reference."""
    title = exercise.title if exercise is not None else record.question_id
    out = [f"## {number}. Coding: {title}", "", f"*Stage:* {record.stage} · *status:* {record.status}", ""]
    out += code_markdown(record.code, exercise, finished)
    if record.answers:
        out += ["**Your explanation:**", ""]
        out += ["> " + md_escape(answer) for answer in record.answers] + [""]
    if record.verdict is not None and record.verdict.ok:
        out += [f"Explanation: {record.verdict.score:.1f} / 5 — {record.verdict.feedback}", ""]
        marks = {"covered": "✓", "partial": "~", "missed": "✗"}
        out += [f"- {marks.get(kp.status, '✗')} {kp.point}" for kp in record.verdict.key_points]
        out.append("")
    return out


def code_markdown(work: CodeWork, exercise: Exercise | None, finished: bool) -> list[str]:
    """The report's section for a coding question: code, per-test results, then (after the interview) the
    reference solution and complexity notes. Candidate code sits in a fenced block, never as Markdown."""
    out: list[str] = []
    last = work.last_submission or (work.runs[-1] if work.runs else None)
    if work.final is not None:
        out += [f"**Final score:** {work.final:.1f} / 5 (correctness {work.correctness:.2f})", ""]
    if last is None:
        code = work.draft
        out += ["*No run of the code.*", ""]
    else:
        code = last.code
        label = "Submission" if last.kind == "submit" else "Last run (examples)"
        out += [f"**{label}:** {last.status}, {last.passed} of {last.total} tests passed. {md_escape(last.message)}"]
        out.append("")
        for t in last.tests:
            mark = "✓" if t.status == "passed" else "✗"
            out.append(f"- {mark} `{t.name}` — {t.status} {md_escape(t.message)}".rstrip())
        out.append("")
    if code:
        out += [_fence(code, "python"), ""]
    if finished and exercise is not None:
        out += ["**Reference solution:**", "", _fence(exercise.reference_solution, "python"), ""]
        out += ["**Complexity:** " + exercise.complexity.strip(), ""]
    return out


def md_escape(text: str) -> str:
    """Candidate-derived text (exception messages) shown as plain text inside Markdown."""
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|~])", r"\\\1", text.replace("\n", " "))


def _fence(text: str, language: str) -> str:
    """A fenced block no content can close early: the fence is longer than any backtick run inside."""
    longest = max((len(run) for run in text.split("\n") for run in _runs(run)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"


def _runs(line: str) -> list[str]:
    return re.findall(r"`+", line)
