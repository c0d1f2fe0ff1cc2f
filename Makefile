# selfwork — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
STAMP := $(VENV)/.installed-stamp
NPM_STAMP := node_modules/.installed-stamp
PYTEST_ARGS ?= -n 2 --dist loadfile --durations=25

.PHONY: run install test test-sqlite test-postgres fuzz check lint types contracts bench demo clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

# The translations are compiled (.po -> .mo, by babel) whenever one changed.
install: $(STAMP) $(NPM_STAMP)
	$(BIN)/selfwork i18n compile

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
