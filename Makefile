# The two commands: `make run` (install + ingest the bundled sample) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB ?= data/newsdesk.duckdb
EVAL ?= ../shared/eval

export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 180
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false
export DO_NOT_TRACK ?= 1

.PHONY: install run test test-fast test-under-load kill-test lint eval bench train deploy worker clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/newsdesk ingest --db $(DB)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

# The whole suite RUNS times while a busy loop runs on every core: no test may depend on speed.
RUNS ?= 3
test-under-load: $(STAMP)
	$(BIN)/python -m tests.under_load --runs $(RUNS)

# SIGKILL `newsdesk ingest` KILLS times at seeded random moments and stages, re-run it after each,
# compare its tables with one clean run's (not part of `make test`: about 40 s a kill).
KILLS ?= 20
SEED ?= 1
kill-test: $(STAMP)
	$(BIN)/python -m tests.kill_loop --kills $(KILLS) --seed $(SEED)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

eval: $(STAMP)
	$(BIN)/python -m bench.evaluate --eval-dir $(EVAL)

# One markdown table of every performance figure (long: BENCH="--only ingest,rerun" for a part,
# --articles/--incidents/--copies for smaller sizes; see bench/run_all.py).
BENCH ?=
bench: $(STAMP)
	$(BIN)/python -m bench.run_all --eval-dir $(EVAL) $(BENCH)

# Rebuild config/models/event_types.npz and its MODEL_CARD.md from acled-dev (a few minutes).
train: $(STAMP)
	$(BIN)/python -m bench.train_types --eval-dir $(EVAL)

deploy: $(STAMP)
	$(BIN)/newsdesk deploy

worker: $(STAMP)
	$(BIN)/newsdesk worker

clean:
	rm -rf $(VENV) data build *.egg-info
