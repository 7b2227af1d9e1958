"""`interview plan` and the `--jd` option of `interview practice`.

    interview plan --loop mle|llm --level L --jd FILE [--resume FILE] [--questions N] --json
    interview practice --loop llm --level mid --jd posting.txt [--resume cv.pdf]

With `--jd`, `practice --resume FILE` is the résumé to tailor to (without `--jd` it still resumes a session).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from interviewer.tailoring.documents import DocumentError, read_path

DEFAULT_QUESTIONS = 6


def _read(path: str | None, what: str) -> tuple[str, str | None]:
    """(text, problem): a problem is a message to show; the caller decides whether it is fatal."""
    if not path:
        return "", None
    try:
        return read_path(Path(path)), None
    except DocumentError as err:
        return "", f"{what} {path}: {err}"


def cmd_plan(args: argparse.Namespace) -> int:
    posting, problem = _read(args.jd, "job description")
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    resume, resume_problem = _read(args.resume, "résumé")
    if resume_problem:
        print(f"warning: {resume_problem} (planning without it)", file=sys.stderr)
    from interviewer.config import get_settings
    from interviewer.knowledge.bank import load_bank
    from interviewer.knowledge.embeddings import get_embedder
    from interviewer.tailoring.plan import plan_interview
    from interviewer.tailoring.resume import pick_claims

    settings = get_settings()
    bank = load_bank(settings.bank_dir)
    embedder = get_embedder(settings.embedding_model)
    n = args.questions or DEFAULT_QUESTIONS
    plan = plan_interview(bank, args.loop, args.level, posting, n, embedder)
    dives = pick_claims(resume, posting, embedder) if resume else []
    result = {
        "skills": [s.id for s in plan.skills],
        "questions": [{"id": q.id, "stage": q.stage, "reason": q.reason} for q in plan.questions],
        "deep_dive": [{"prompt": d.prompt, "source_line": d.source_line} for d in dives],
        "skill_details": [s.model_dump() for s in plan.skills],
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print("Skills the posting asks for: " + (", ".join(s.label for s in plan.skills) or "none recognised"))
    for i, q in enumerate(plan.questions, 1):
        print(f"{i}. [{q.stage}] {q.id} — {q.reason}")
    for d in dives:
        print(f"Deep dive: {d.prompt}")
    return 0


def tailored_interview(services, args: argparse.Namespace, user: str):
    """The Interview for `practice --jd`: tailored, or untailored (after saying why) when nothing was readable."""
    from interviewer.tailoring.session import start_tailored

    posting, problem = _read(args.jd, "job description")
    resume, resume_problem = _read(args.resume, "résumé")
    notices = [p for p in (problem, resume_problem) if p]
    for notice in notices:
        print(f"[notice] {notice} — continuing without it", file=sys.stderr)
    settings = services.settings
    interview = start_tailored(
        services,
        args.loop,
        args.level,
        args.questions or settings.default_questions,
        args.feedback or settings.feedback,
        owner=user,
        posting=posting,
        resume=resume,
        resume_name=Path(args.resume).name if args.resume and not resume_problem else None,
        consent=bool(getattr(args, "consent", False)),
        notices=notices,
        generate=int(getattr(args, "generate", 0) or 0),
    )
    tailoring = interview.state.tailoring
    if tailoring is not None:
        for notice in tailoring.notices:
            print(f"[notice] {notice}")
        print("[tailored] why these questions:")
        for qid in interview.state.fixed_questions:
            print(f"  - {qid}: {tailoring.reasons.get(qid, '')}")
    return interview


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `plan`, and `--jd`/`--consent`/`--generate` to `practice` (which must already be registered)."""
    p = subparsers.add_parser("plan", help="tailor an interview plan to a job posting (and a résumé)")
    p.add_argument("--loop", choices=["mle", "llm"], required=True)
    p.add_argument("--level", choices=["junior", "mid", "senior"], required=True)
    p.add_argument("--jd", required=True, metavar="FILE", help="the job posting (PDF, DOCX, TXT or MD)")
    p.add_argument("--resume", metavar="FILE", help="a résumé (PDF, DOCX, TXT or MD)")
    p.add_argument("--questions", type=int, default=None, help=f"how many bank questions (default {DEFAULT_QUESTIONS})")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plan)
    practice = subparsers.choices.get("practice")
    if practice is not None:
        practice.add_argument("--jd", metavar="FILE", help="tailor the interview to this job posting")
        practice.add_argument(
            "--consent", action="store_true", help="allow sending the posting and résumé to the configured model"
        )
        practice.add_argument(
            "--generate", type=int, default=0, metavar="N", help="with a model and --consent: up to N new questions"
        )
