"""`interview speak` and `interview transcribe`: the voice engines from the command line.

    interview speak "TEXT" --out FILE.wav      16-bit PCM WAV
    interview transcribe FILE [--json]         WAV, MP3, M4A, OGG, WebM; --json prints one object:
      {"text", "duration_s", "words_per_minute", "filler_words": {"um": n, ...}, "pauses_over_2s", "words": [...]}

Bad input exits 2 and a failing engine exits 1, each with one line on stderr and no traceback. Notes (silence, a
cut recording, another language, the fallback voice) go to stderr so stdout stays one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from interviewer.config import get_settings


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def cmd_speak(args: argparse.Namespace) -> int:
    from interviewer.llm import LLMError
    from interviewer.speech.errors import SpeechError
    from interviewer.speech.tts import speak, speakable

    text = sys.stdin.read() if args.text == "-" else args.text
    if not speakable(text):
        return _fail("there is no text to speak.", 2)
    try:
        speech = speak(text, get_settings())
    except (SpeechError, LLMError) as err:
        return _fail(str(err), 1)
    try:
        Path(args.out).write_bytes(speech.wav)
    except OSError as err:
        return _fail(f"cannot write {args.out}: {err.strerror or err}", 1)
    for note in speech.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {args.out} ({speech.engine}, {speech.seconds:.2f} s)", file=sys.stderr)
    return 0


def cmd_transcribe(args: argparse.Namespace) -> int:
    from interviewer.llm import LLMError
    from interviewer.speech.delivery import measure
    from interviewer.speech.errors import NotAudio, SpeechError
    from interviewer.speech.stt import transcribe

    try:
        result = transcribe(Path(args.file), get_settings())
    except NotAudio as err:
        return _fail(str(err), 2)
    except (SpeechError, LLMError) as err:
        return _fail(str(err), 1)
    except Exception as err:  # noqa: BLE001 - the contract: one line, never a traceback
        return _fail(f"could not transcribe {args.file}: {type(err).__name__}: {str(err)[:200]}", 1)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    numbers = measure(result.text, result.words, result.duration_s)
    if args.json:
        out = {
            "text": result.text,
            "duration_s": result.duration_s,
            "words_per_minute": numbers["words_per_minute"],
            "filler_words": numbers["filler_words"],
            "pauses_over_2s": numbers["pauses_over_2s"],
            "words": [w.model_dump() for w in result.words],
        }
        print(json.dumps(out, ensure_ascii=False))
        return 0
    if result.text:
        print(result.text)
        used = ", ".join(f"{k} {v}" for k, v in numbers["filler_words"].items() if v) or "none"
        print(
            f"\n[{result.duration_s:.1f} s · {numbers['words_per_minute']:.0f} words/min · fillers: {used} · "
            f"pauses over 2 s: {numbers['pauses_over_2s']} · {result.engine}]",
            file=sys.stderr,
        )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("speak", help="speak TEXT into a 16-bit PCM WAV file (offline voice by default)")
    p.add_argument("text", help='the text to speak ("-" reads standard input)')
    p.add_argument("--out", required=True, metavar="FILE.wav")
    p.set_defaults(func=cmd_speak)

    p = subparsers.add_parser("transcribe", help="transcribe an audio file (WAV, MP3, M4A, OGG, WebM)")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="one JSON object with the text, pace, fillers and words")
    p.set_defaults(func=cmd_transcribe)
