# Two entry points for a fresh machine:  `make run`  (set up + start the app)  and  `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test setup index lint bench eval clean local-model

local-model: setup
	bash scripts/local-model.sh install


$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11+ is needed (set PYTHON=python3.x)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch is pinned first so no other requirement can pull a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

setup: $(VENV)/.installed

index: setup
	$(BIN)/interview index --quiet

run: index
	bash scripts/system-deps.sh sandbox || echo "bubblewrap is not installed: candidates' code will run without isolation"
	$(BIN)/interview app --host 127.0.0.1 --port $(PORT)

test: setup
	bash scripts/system-deps.sh
	bash scripts/local-model.sh install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
	INTERVIEW_TEST_POSTGRES_URL="$${INTERVIEW_TEST_POSTGRES_URL:-$$(bash scripts/postgres-for-tests.sh)}" $(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: index
	$(BIN)/python scripts/bench_turns.py

# The maintainers' regression suite: the judge on gold + probes (the same on every machine; Mohler only with
# MOHLER_DIR=...), then the interviewer checks, then the voice guards and judge parsing on labelled model replies
# (evals/replies). Prints agreement, per-kind bias, the LLM judge's sample spread, cost and time, and the targets
# met / not met; exits non-zero when a regression pin in evals/thresholds.toml or a replies target fails.
#   make eval JUDGE=llm MODEL=openai/gpt-4o-mini            (INTERVIEW_JUDGE_SAMPLES=3 to measure the spread)
JUDGE ?= offline
eval: index
	$(BIN)/interview eval judge --judge $(JUDGE) $(if $(MODEL),--model $(MODEL)) --suite all $(if $(MOHLER_DIR),--mohler-dir $(MOHLER_DIR))
	$(BIN)/interview eval interviewer
	$(BIN)/interview eval replies

clean:
	rm -rf $(VENV) data .pytest_cache artifacts
