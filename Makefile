# The few targets a newcomer needs. `make run` and `make test` do all set-up themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# Development defaults; real deployments set these in the environment (see README).
export DEBUG ?= 1
export SECRET_KEY ?= dev-only-insecure-key-never-use-in-production

.PHONY: install run migrate snapshot test lint format check clean bench-import

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 (or set PYTHON=...)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_curators

# Imports every bundled folder oldest first; re-running changes nothing (unchanged records are skipped).
# rebuild_evidence builds the evidence of trials imported before the evidence app (none otherwise).
snapshot: migrate
	$(BIN)/python manage.py import_trials --from-dir fixtures/snapshot/2020-07-28 --from-dir fixtures/snapshot/2022-09-28 --from-dir fixtures/snapshot/2022-10
	$(BIN)/python manage.py rebuild_evidence

run: snapshot
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache
