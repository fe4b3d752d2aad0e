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

.PHONY: install run migrate snapshot test test-browser bench-import bench-views lint format check clean

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
# rebuild_evidence builds the evidence of trials imported before the evidence app (none otherwise);
# load_published_results loads the bundled extraction of published results (again: a no-op).
snapshot: migrate
	$(BIN)/python manage.py import_trials --from-dir fixtures/snapshot/2020-07-28 --from-dir fixtures/snapshot/2022-09-28 --from-dir fixtures/snapshot/2022-10
	$(BIN)/python manage.py rebuild_evidence
	$(BIN)/python manage.py load_published_results

run: snapshot
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Only the headless-Chromium tests (Debian: apt-get install chromium chromium-driver).
test-browser: install
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

# Imports N cloned studies twice through the fake registry into a scratch database on the
# configured server and prints rates, the floor and peak RSS (see bench/import_bench.py).
bench-import: install
	$(BIN)/python bench/import_bench.py $(BENCH_ARGS)

# Times the list page and the API with 50,000 trials cloned into DATABASE_URL: give it a
# database of its own (see bench/views_bench.py). Not part of `make test`.
bench-views: migrate
	@test -n "$(DATABASE_URL)" || { echo "set DATABASE_URL to a database of its own, e.g. postgres://postgres@127.0.0.1:5432/als_bench"; exit 1; }
	$(BIN)/python bench/views_bench.py $(BENCH_ARGS)

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
