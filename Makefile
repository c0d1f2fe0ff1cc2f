# selfwork — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
STAMP := $(VENV)/.installed-stamp
# Python may keep compiled modules: then each test process after the first reads
# the test modules pytest has already rewritten (collection 22 s -> 12 s).
unexport PYTHONDONTWRITEBYTECODE
NPM_STAMP := node_modules/.installed-stamp
PYTEST_ARGS ?= -n 2 --dist loadfile --no-loadscope-reorder --durations=25
SCALE_PYTEST_ARGS ?= -n 2 --dist loadfile --no-loadscope-reorder
# The PostgreSQL journeys make test-scale runs through PgBouncer: every money path
# of commissions and purchases, the time bank's, and fifty racing connections.
# SCALE_JOURNEYS=tests/scenarios runs them all (about four times as long).
SCALE_JOURNEYS ?= tests/scenarios/test_exchange_paths.py \
	tests/scenarios/test_timebank_paths.py tests/scenarios/test_timebank_race.py

.PHONY: run install test test-sqlite test-postgres test-scale fuzz check lint types contracts bench demo clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	@# uv resolves and installs the same releases as pip, in a third of the time.
	$(BIN)/pip install -q uv
	$(BIN)/uv pip install -q --python $(BIN)/python -e '.[dev]'
	touch $(STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

# The translations are compiled (.po -> .mo, by babel) whenever one changed.
install: $(STAMP) $(NPM_STAMP)
	$(BIN)/selfwork i18n compile
	@# Byte-compiled once here, selfwork's modules load at once in every process
	@# started later (each command, worker and test process), even where
	@# PYTHONDONTWRITEBYTECODE stops Python from keeping what it compiles.
	$(BIN)/python -m compileall -q -j 0 selfwork > /dev/null

## Serve the seeded demo on http://127.0.0.1:8000 (SQLite in ./var).
run: install
	$(BIN)/selfwork demo

## What CI runs: lint, types and import contracts first (so they cannot drift),
## then the whole suite on SQLite and on a throwaway PostgreSQL cluster.
test: install
	$(MAKE) lint types contracts
	scripts/system-packages.sh
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite: install
	SELFWORK_DATA_DIR=$$(mktemp -d) $(BIN)/pytest -q $(PYTEST_ARGS)

test-postgres: install
	SELFWORK_DATA_DIR=$$(mktemp -d) scripts/with-postgres.sh $(BIN)/pytest -q $(PYTEST_ARGS)

## The scaled-out topology on this machine: a primary, a streaming replica and
## PgBouncer in transaction pooling mode (scripts/with-scale-cluster.sh). The
## PostgreSQL journeys run through PgBouncer; tests/scale checks the replica's
## reads, a member reading their own writes and three workers sharing timers.
test-scale: install
	scripts/system-packages.sh
	SELFWORK_DATA_DIR=$$(mktemp -d) scripts/with-scale-cluster.sh bash -c '\
		env -u SELFWORK_DATABASE_REPLICA_URL $(BIN)/pytest -q $(SCALE_PYTEST_ARGS) --reuse-db $(SCALE_JOURNEYS) && \
		$(BIN)/pytest -q -n 0 tests/scale'

## Schemathesis at length: 200 examples per operation, every check, stateful too.
fuzz: install
	SELFWORK_FUZZ=1 SELFWORK_DATA_DIR=$$(mktemp -d) $(BIN)/pytest -q -n 0 tests/test_openapi.py

lint: install
	$(BIN)/ruff check selfwork tests bench conftest.py
	$(BIN)/ruff format --check selfwork tests bench conftest.py

types: install
	$(BIN)/mypy selfwork

contracts: install
	$(BIN)/lint-imports

## The same as `make test`, under the name people look for.
check: test

bench: install
	scripts/system-packages.sh
	$(BIN)/python bench/run.py
	$(BIN)/python bench/uploads.py --side 6324
	$(BIN)/python bench/uploads.py

clean:
	rm -rf $(VENV) node_modules var
