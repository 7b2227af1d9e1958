"""Benchmark voice mode on the path the app runs (a benchmark, not a test). Medians of --runs runs.

- transcription real-time factor: `interviewer.speech.stt.transcribe` (decode, language check, faster-whisper with
  word timestamps and VAD) on a 60-second spoken answer, model already loaded (the app loads it while the
  question plays); the first, cold call (model.bin verified and loaded) is reported on its own;
- stop recording -> score for that 60-second answer: write the recording, transcribe it, send the transcript
  through `send_spoken_answer` (offline judge, delivery, storage) until the verdict exists; and -> the next
  question's audio ready;
- TTS time to first audio (first sentence) and to the whole question, over bank questions;
- WER of the round trip (speak -> transcribe) on evals/speech/roundtrip.yaml `test`;
- peak RSS (VmHWM) of this process with the embedder, the index, whisper and piper loaded, after the voice turns
  and the questions spoken (the 60-second answers are synthesised in a child process).

Wall times depend on what else runs on the machine: the load average is printed, and so are the CPU-seconds the
transcription and the stop -> score path used (all threads of this process).

Usage: python scripts/bench_voice.py [--runs 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]", " ", text.lower().replace("-", " ")).split())


def sixty_seconds(text: str, out: Path) -> bytes:
    """A 60-second spoken answer, made in another process so its synthesis does not count in this one's RSS."""
    from interviewer.speech.audio import SAMPLE_RATE, decode, wav_bytes

    subprocess.run([sys.executable, "-m", "interviewer", "speak", text, "--out", str(out)], cwd=REPO, check=True)
    audio = decode(out).samples
    while len(audio) < 60 * SAMPLE_RATE:
        audio = np.concatenate([audio, audio])
    return wav_bytes(audio[: 60 * SAMPLE_RATE], SAMPLE_RATE)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import jiwer

    from interviewer.config import get_settings
    from interviewer.interview.spoken_turn import send_spoken_answer
    from interviewer.services import build_services
    from interviewer.speech import stt
    from interviewer.speech.tts import get_speaker, speak, speakable

    load_before = os.getloadavg()
    settings = get_settings().model_copy(update={"max_followups": 0})  # every answer is scored, then moves on
    svc = build_services(settings)
    out: dict[str, object] = {"runs": args.runs, "cpus": os.cpu_count()}

    started = time.perf_counter()
    transcriber = stt.get_transcriber(settings)
    out["stt_model_load_s"] = round(time.perf_counter() - started, 3)

    rtf, stop_to_score, stop_to_next_audio, durations, cpu_rtf, cpu_score = [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            interview = svc.new_interview(["mle", "llm"][run % 2], "mid", 2)
            for message in interview.start():
                message.settle()
            question = svc.bank.questions[interview.state.current.question_id]
            wav = sixty_seconds(question.reference_answer, Path(tmp) / f"spoken-{run}.wav")
            if interview.preparing is not None:
                interview.preparing.result()  # the rubric side is encoded while the question is read and answered
            t0, c0 = time.perf_counter(), time.process_time()
            path = Path(tmp) / f"answer-{run}.wav"
            path.write_bytes(wav)
            transcript = stt.transcribe(path, settings, transcriber)
            t1, c1 = time.perf_counter(), time.process_time()
            messages = send_spoken_answer(interview, transcript.text, transcript)
            t2, c2 = time.perf_counter(), time.process_time()
            record = interview.state.records[0]
            assert record.verdict is not None and record.verdict.ok, record.verdict
            following = next((m for m in messages if m.kind == "question"), None)
            if following is not None:
                speak(following.settle().text, settings)
            t3 = time.perf_counter()
            durations.append(transcript.duration_s)
            rtf.append((t1 - t0) / transcript.duration_s)
            stop_to_score.append(t2 - t0)
            cpu_rtf.append((c1 - c0) / transcript.duration_s)
            cpu_score.append(c2 - c0)
            stop_to_next_audio.append(t3 - t0)

    speaker, _ = get_speaker(settings)
    first_audio, whole = [], []
    questions = list(svc.bank.questions.values())[:: max(1, len(svc.bank.questions) // (5 * args.runs))]
    for q in questions[: 5 * args.runs]:
        text = speakable(f"Question 1 of 5. {q.question}")
        t0 = time.perf_counter()
        for _ in speaker.chunks(text):
            first_audio.append(time.perf_counter() - t0)
            break
        whole.append(speaker.synthesize(text).seconds)

    peak = peak_rss_mib()  # before the round trip, which synthesises answers (not part of the app's path)
    answers = yaml.safe_load((REPO / "evals" / "speech" / "roundtrip.yaml").read_text())["test"]
    heard = [stt.transcribe(speak(a, settings).wav, settings, transcriber).text for a in answers]
    out.update(
        {
            "answer_s": round(statistics.median(durations), 1),
            "transcription_rtf": round(statistics.median(rtf), 3),
            "stop_to_score_s": round(statistics.median(stop_to_score), 2),
            "stop_to_score_runs": [round(x, 2) for x in stop_to_score],
            "stop_to_next_question_audio_s": round(statistics.median(stop_to_next_audio), 2),
            # CPU-seconds of this process (all threads): what the work costs whatever else runs on the machine
            "transcription_cpu_s_per_audio_s": round(statistics.median(cpu_rtf), 3),
            "stop_to_score_cpu_s": round(statistics.median(cpu_score), 2),
            "tts_first_audio_s": round(statistics.median(first_audio), 3),
            "tts_whole_question_s": round(statistics.median(whole), 3),
            "tts_engine": speaker.name,
            "roundtrip_wer": round(jiwer.wer([normalise(a) for a in answers], [normalise(h) for h in heard]), 4),
            "roundtrip_answers": len(answers),
            "peak_rss_mib": round(peak, 1),
            "load_avg_before": [round(x, 2) for x in load_before],
            "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        }
    )
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for key, value in out.items():
            print(f"{key:32} {value}")
    target = out["stop_to_score_s"] < 8.0  # type: ignore[operator]
    print(f"stop -> score under 8 s for a 60 s answer: {'met' if target else 'NOT met'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
