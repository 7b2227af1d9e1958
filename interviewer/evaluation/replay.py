"""Record real model exchanges, and replay them through exactly the code the app runs, with no model.

Recording: set `INTERVIEW_RECORD=path.jsonl` (or run `interview record --out path.jsonl`) and every exchange
of the interviewer's voice and the LLM judge is appended as one JSON line: the task, the question, the
candidate's answer where the task had one, the model, a hash of the prompt and the raw reply.

Replaying: `interview replay --data path.jsonl --json` feeds each recorded reply back through the real
`LLMVoice` / `LLMJudge` classes. The only fake is the transport: `ReplayLLM` is the app's `LLM` class whose
litellm call gets `mock_response=<the recorded reply>`, so streams arrive a few characters at a time exactly
as litellm would deliver them, and every guard, parser and fallback between the wire and the screen runs.

Input line: {"id", "task": "ask"|"follow_up"|"acknowledge"|"judge", "question_id", "model_output",
"answer"?, "key_point"? (1-based, the missed point a follow-up probes), "next_stage"? (acknowledge)}.
Output line: voice tasks {"id", "shown", "used_model_output", "reasons"}; judge {"id", "status", "score", "flags"}.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from interviewer.knowledge.bank import Question, QuestionBank

Task = Literal["ask", "follow_up", "acknowledge", "judge"]
_HEADER = re.compile(r"^\*\*Question \d+ of \d+ — .*?\.\*\* ")  # the app's question header, not the model's words


class ReplayItem(BaseModel):
    id: str = Field(description="The line's id, echoed in the output.")
    task: Task = Field(description="Which call the reply answered.")
    question_id: str = Field(description="A question id from the bank.")
    model_output: str = Field(description="The model's raw reply.")
    answer: str = Field("", description="The candidate's answer (follow_up, acknowledge, judge).")
    key_point: int | None = Field(None, ge=1, description="1-based key point a follow-up probes.")
    next_stage: str | None = Field(None, description="The stage an acknowledgement moves on to (None: the end).")


def _stage_title(bank: QuestionBank, question: Question) -> str:
    return bank.loops[question.loop].stages.get(question.stage, question.stage)


def replay_voice(item: ReplayItem, question: Question, bank: QuestionBank) -> dict[str, Any]:
    from interviewer.interview.voice import LLMVoice
    from interviewer.llm.recording import ReplayLLM

    voice = LLMVoice(ReplayLLM(item.model_output), bank.loops[question.loop].title, "mid")
    if item.task == "ask":
        shown = _HEADER.sub("", "".join(voice.ask(question, _stage_title(bank, question), 1, 1)), count=1)
    elif item.task == "follow_up":
        index = item.key_point or 1
        if index > len(question.key_points):
            raise ValueError(f"key_point {index} is out of range: {question.id} has {len(question.key_points)}")
        shown = voice.follow_up(question, item.answer, question.key_points[index - 1], "")
    else:
        pieces = voice.acknowledge(question, item.answer, item.next_stage)
        shown = "".join(pieces) if pieces is not None else ""
    outcome = getattr(voice, "last_outcome", None)
    if outcome is not None:
        used, reasons = outcome.used_model_output, list(outcome.reasons)
    else:  # a voice without outcomes: only its error message says what happened
        reasons = [voice.last_error] if voice.last_error else []
        used = not reasons
    return {"id": item.id, "shown": shown.strip(), "used_model_output": used, "reasons": reasons}


def replay_judge(item: ReplayItem, question: Question) -> dict[str, Any]:
    from interviewer.judge.llm_judge import LLMJudge
    from interviewer.llm.recording import ReplayLLM

    verdict = LLMJudge(ReplayLLM(item.model_output)).judge(question, item.answer)
    return {"id": item.id, "status": verdict.status, "score": verdict.score, "flags": list(verdict.flags)}


def replay_item(raw: dict[str, Any], bank: QuestionBank) -> dict[str, Any]:
    """Replay one input line; a line that cannot be replayed gives {"id", "error"}."""
    try:
        item = ReplayItem.model_validate(raw)
    except ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in err.errors())
        return {"id": raw.get("id") if isinstance(raw, dict) else None, "error": problems}
    question = bank.questions.get(item.question_id)
    if question is None:
        return {"id": item.id, "error": f"unknown question_id {item.question_id!r}"}
    try:
        return replay_judge(item, question) if item.task == "judge" else replay_voice(item, question, bank)
    except ValueError as err:
        return {"id": item.id, "error": str(err)}


def read_lines(path: Path) -> Iterator[dict[str, Any]]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as err:
            yield {"id": None, "error": f"line {n}: not JSON: {err}"}
            continue
        yield row if isinstance(row, dict) else {"id": None, "error": f"line {n}: not a JSON object"}


def cmd_replay(args: argparse.Namespace) -> int:
    from interviewer.config import get_settings
    from interviewer.knowledge.bank import load_bank

    path = Path(args.data)
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return 2
    bank = load_bank(get_settings().bank_dir)
    for raw in read_lines(path):
        row = raw if "error" in raw and "task" not in raw else replay_item(raw, bank)
        if args.json:
            print(json.dumps(row, ensure_ascii=False), flush=True)
        elif "error" in row:
            print(f"{row['id']}: error: {row['error']}")
        elif "shown" in row:
            used = "model" if row["used_model_output"] else "fallback"
            print(
                f"{row['id']} [{used}] {row['shown']!r}"
                + (f"  ({'; '.join(row['reasons'])})" if row["reasons"] else "")
            )
        else:
            print(f"{row['id']} [{row['status']}] score={row['score']} flags={row['flags']}")
    return 0


def cmd_record(args: argparse.Namespace, practice: Callable[[argparse.Namespace], int]) -> int:
    """A terminal interview with recording on: `interview record --out FILE [practice options]`; `practice` is
    the CLI's own `interview practice` (passed in by the CLI, which sits above this module)."""
    import os

    from interviewer.config import get_settings

    os.environ["INTERVIEW_RECORD"] = str(Path(args.out).resolve())
    get_settings.cache_clear()
    settings = get_settings()
    if settings.offline_interviewer and settings.offline_judge:
        print(
            "error: nothing to record: both INTERVIEW_INTERVIEWER_MODEL and INTERVIEW_JUDGE_MODEL are 'offline'",
            file=sys.stderr,
        )
        return 2
    code = practice(args)
    print(f"[model exchanges recorded to {settings.record}]")
    return code


def register(subparsers: Any, practice: Callable[[argparse.Namespace], int]) -> None:
    """Add `interview replay` and `interview record` to the CLI."""
    p = subparsers.add_parser("replay", help="feed recorded model replies through the real voice and judge code")
    p.add_argument("--data", required=True, help="JSON-lines file of recorded exchanges")
    p.add_argument("--json", action="store_true", help="one JSON line per input line")
    p.set_defaults(func=cmd_replay)

    p = subparsers.add_parser("record", help="a terminal interview that records every model exchange to JSON lines")
    p.add_argument("--out", required=True, help="JSON-lines file to append to (what `interview replay` reads)")
    p.add_argument("--loop", choices=["mle", "llm"], default="mle")
    p.add_argument("--level", choices=["junior", "mid", "senior"], default="mid")
    p.add_argument("--questions", type=int, default=None)
    p.add_argument("--feedback", choices=["each", "end"], default=None)
    p.add_argument("--resume", metavar="SESSION_ID", help="continue an unfinished interview")
    p.set_defaults(func=partial(cmd_record, practice=practice))
