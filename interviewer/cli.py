"""`interview` command line: practice in a terminal, index and search the corpus, check the bank,
grade answers in batch, list and export history, and start the browser app."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from interviewer.config import get_settings
from interviewer.evaluation import bank_cli


def _services(index: bool = True, progress: bool = False):
    from interviewer.services import build_services

    return build_services(get_settings(), index=index, progress=progress)


def _user(args: argparse.Namespace) -> str:
    """`--user` (before or after the subcommand), else INTERVIEW_USER, else the local user."""
    return getattr(args, "user", None) or get_settings().user


def _store(args: argparse.Namespace):
    from interviewer.storage.store import open_store

    return open_store(get_settings()).scoped(_user(args))


def cmd_practice(args: argparse.Namespace) -> int:
    if args.round and not args.resume:
        from interviewer.knowledge.bank import load_bank

        stages = load_bank(get_settings().bank_dir).loops[args.loop].stages
        if args.round not in stages:
            print(f"error: {args.loop} has no stage {args.round!r}; stages: {', '.join(stages)}", file=sys.stderr)
            return 2
    services = _services()
    settings = services.settings
    user = _user(args)
    if args.resume and not getattr(args, "jd", None):
        state = services.store.scoped(user).load(args.resume)
        if state is None:
            print(f"error: session {args.resume!r} not found; see `interview history`", file=sys.stderr)
            return 2
        interview = services.interview(state)
        print(f"[resuming session {state.id}: {len(state.records)} question(s) so far]")
        last = next((m for m in reversed(state.messages) if m.kind in ("question", "followup", "phase")), None)
        _print_messages([last] if last and state.status == "active" else [])
    elif getattr(args, "jd", None):  # --resume is then the résumé file
        from interviewer.tailoring.cli import tailored_interview

        interview = tailored_interview(services, args, user)
    else:
        mode = "full" if args.full_loop else ("round" if args.round else "mix")
        interview = services.new_interview(
            args.loop,
            args.level,
            min(20, args.questions or settings.default_questions),
            args.feedback or settings.feedback,
            mode=mode,
            stage=args.round,
            owner=user,
        )
    if services.store.recovered_from:
        print(f"[notice] {services.store.recovered_from}")
    if not settings.offline_interviewer or not settings.offline_judge:
        print(f"[models] interviewer={settings.interviewer_model} judge={settings.judge_model}")
    interactive = sys.stdin.isatty()
    _print_messages(interview.start())
    while interview.state.status == "active":
        if interactive:
            print("\n> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            _print_messages(interview.respond("/end"))
            break
        _print_messages(interview.respond(line.rstrip("\n")))
    print(f"\n[session {interview.state.id} saved to {settings.db_path}]")
    return 0


def _print_messages(messages: list) -> None:
    for message in messages:
        label = {"interviewer": "Interviewer", "system": "Note", "candidate": "You"}[message.role]
        print(f"\n{label}: ", end="", flush=True)
        for piece in message.pieces():
            print(piece, end="", flush=True)
        print()


def cmd_index(args: argparse.Namespace) -> int:
    from interviewer.knowledge.embeddings import get_embedder
    from interviewer.knowledge.index import build_index, get_collection, open_client

    settings = get_settings()
    paths = [Path(p) for p in args.paths] or [settings.corpus_dir]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    embedder = get_embedder(settings.embedding_model)
    collection = get_collection(open_client(settings.chroma_dir, settings.chroma_url), embedder.name)
    report = build_index(paths, collection, embedder, progress=not args.quiet)
    for line in report.skipped:
        print(line, file=sys.stderr)
    print(report.summary())
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from interviewer.knowledge.retrieval import QueryError

    services = _services(index=False)
    retriever = services.retriever
    if args.queries:
        for n, line in enumerate(Path(args.queries).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError as err:
                print(json.dumps({"id": None, "query": None, "results": [], "error": f"line {n}: not JSON: {err}"}))
                continue
            item = item if isinstance(item, dict) else {}
            query = item.get("query")
            try:
                if not isinstance(query, str):
                    raise QueryError(f"line {n}: needs a 'query' string")
                hits = [p.to_dict() for p in retriever.search(query, args.k, item.get("role"), args.mode)]
                row = {"id": item.get("id"), "query": query, "results": hits}
            except QueryError as err:
                row = {"id": item.get("id"), "query": query, "results": [], "error": str(err)}
            print(json.dumps(row))
        return 0
    try:
        hits = retriever.search(args.query or "", args.k, args.role, args.mode)
    except QueryError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([p.to_dict() for p in hits], indent=2))
    else:
        for i, p in enumerate(hits, 1):
            print(f"{i}. [{p.score:.4f}] {p.cite()}  ({p.chunk_id})\n   {p.text[:240].replace(chr(10), ' ')}")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    from interviewer.judge.grading import grade_file

    return grade_file(Path(args.data), Path(args.out), judge_kind=args.judge, settings=get_settings())


def cmd_history(args: argparse.Namespace) -> int:
    rows = _store(args).list()
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for r in rows:
            score = f"{r['overall_score']:.1f}" if r["overall_score"] is not None else "—"
            print(f"{r['id']}  {r['loop']:<3} {r['level']:<6} {r['status']:<8} {score}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from interviewer.interview.report import markdown_report
    from interviewer.knowledge.bank import load_bank
    from interviewer.storage.store import export_json

    settings = get_settings()
    state = _store(args).load(args.session_id)
    if state is None:
        print(f"error: session {args.session_id!r} not found; see `interview history`", file=sys.stderr)
        return 2
    print(export_json(state) if args.format == "json" else markdown_report(state, load_bank(settings.bank_dir)))
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    if not args.all and not args.session_id:
        print("error: name a SESSION_ID or pass --all", file=sys.stderr)
        return 2
    removed = _store(args).delete(None if args.all else args.session_id)
    if args.session_id and not args.all and removed == 0:
        print(f"error: session {args.session_id!r} not found; see `interview history`", file=sys.stderr)
        return 2
    print(f"deleted {removed} session(s) of user {_user(args)!r}")
    return 0


def cmd_app(args: argparse.Namespace) -> int:
    """Serve the Streamlit app shipped in the package, from any directory (a clone or an installed wheel)."""
    from interviewer.resources import content_path

    command = [sys.executable, "-m", "streamlit", "run", str(content_path("app.py"))]
    command += ["--server.address", args.host, "--server.port", str(args.port), "--server.headless", "true"]
    command += ["--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    command += ["--client.toolbarMode", "minimal"]
    command += ["--runner.fastReruns", "false"]  # one run per session at a time: see .streamlit/config.toml
    if os.name == "posix":  # become the server, so a supervisor's SIGTERM stops it instead of orphaning it
        sys.stdout.flush()
        os.execv(sys.executable, command)
    return subprocess.call(command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="interview", description=__doc__)
    user_help = "act as this user (default: INTERVIEW_USER, else 'local'); scopes practice, history, export, delete"
    parser.add_argument("--user", default=None, help=user_help)
    sub = parser.add_subparsers(dest="command", required=True)

    def scoped(p: argparse.ArgumentParser) -> None:  # `--user` after the subcommand works too
        p.add_argument("--user", default=argparse.SUPPRESS, help=user_help)

    p = sub.add_parser("practice", help="run a mock interview in the terminal (reads answers from stdin)")
    p.add_argument("--loop", choices=["mle", "llm"], default="mle")
    p.add_argument("--level", choices=["junior", "mid", "senior"], default="mid")
    p.add_argument("--questions", type=int, default=None, help="questions in a mix or a round")
    p.add_argument("--feedback", choices=["each", "end"], default=None)
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--round", metavar="STAGE", help="practise one round: questions from this stage only")
    scope.add_argument("--full-loop", action="store_true", help="the whole loop: each stage in order, one question")
    p.add_argument("--resume", metavar="SESSION_ID", help="continue an unfinished interview")
    scoped(p)
    p.set_defaults(func=cmd_practice)

    p = sub.add_parser("index", help="index corpus/ (or the given folders) into Chroma")
    p.add_argument("paths", nargs="*")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", help="search the corpus")
    p.add_argument("query", nargs="?")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--role", choices=["mle", "llm"])
    p.add_argument(
        "--mode", choices=["rerank", "hybrid", "dense", "bm25"], help="default: the search_mode setting (rerank)"
    )
    p.add_argument("--json", action="store_true")
    p.add_argument("--queries", help="JSON-lines file of {query, id?, role?}; prints one JSON line each")
    p.set_defaults(func=cmd_search)

    bank_cli.register(sub)

    p = sub.add_parser("grade", help="grade a JSON-lines file of answers")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--judge", choices=["offline", "llm"], default="offline")
    p.set_defaults(func=cmd_grade)

    p = sub.add_parser("history", help="list your stored sessions")
    p.add_argument("--json", action="store_true")
    scoped(p)
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("export", help="export one of your sessions")
    p.add_argument("session_id")
    p.add_argument("--format", choices=["md", "json"], default="md")
    scoped(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("delete", help="delete one of your sessions, or all of yours (--all)")
    p.add_argument("session_id", nargs="?")
    p.add_argument("--all", action="store_true", help="every session of this user (never another user's)")
    scoped(p)
    p.set_defaults(func=cmd_delete)

    from interviewer.tailoring.cli import register as register_tailoring

    register_tailoring(sub)
    from interviewer.evaluation import add_eval_parser

    add_eval_parser(sub)
    from interviewer.evaluation.replay import register as register_replay

    __import__("interviewer.speech.cli", fromlist=["register"]).register(sub)  # speak, transcribe

    __import__("interviewer.coding.cli", fromlist=["register"]).register(sub)

    register_replay(sub, practice=cmd_practice)

    p = sub.add_parser("app", help="start the browser app (the installed package's own copy)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    p.set_defaults(func=cmd_app)
    return parser


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed subcommand: model errors become one readable line and exit 1, Ctrl-C exits 130."""
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as err:
        from interviewer.llm import LLMError  # imported on failure only: litellm takes seconds to import

        if not isinstance(err, LLMError):
            raise
        print(f"error: {err}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    return run_command(build_parser().parse_args(argv))
