# Kefu: `make run` starts everything, `make test` runs the whole suite. Both install what is missing.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
RASA_VENV := .venv-rasa
BIN := $(VENV)/bin
# The supervisor dashboard's npm packages (Chart.js) live here
STATIC := ticketing/web/reports
export RASA_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install run test lint typecheck pytest bench lock model db demo clean

help:
	@echo "make run                - install, train if needed, migrate, load demo data, start every process"
	@echo "make test               - install and run the whole suite (lint, types, tests on SQLite and PostgreSQL)"
	@echo "make install            - the two virtual environments and the dashboard's npm packages"
	@echo "make lint               - ruff check (complexity limit 10) and ruff format --check"
	@echo "make typecheck          - mypy, strict"
	@echo "make pytest             - the test suite alone (needs the models: make model)"
	@echo "make test-conversations - only the tests with real Rasa and action servers"
	@echo "make test-stack         - kill and restart Rasa replicas and the whole stack (many minutes)"
	@echo "make model              - train the Rasa model (and triage) when their inputs changed"
	@echo "make triage             - train the spaCy complaint triage pipeline when its data changed"
	@echo "make nlu-report         - 5-fold cross-validation: intent macro-F1 per language (minutes)"
	@echo "make db                 - create or migrate the database"
	@echo "make demo               - load the demo retailer into an empty database"
	@echo "make chromium           - install Debian's Chromium and a CJK font for the browser tests"
	@echo "make deploy-tools       - install systemd-analyze and nginx, which check the production files"
	@echo "make bench              - run the benchmarks under tests/bench/"
	@echo "make bench-load         - web chat load on the default and replicated stacks, a Rasa killed mid-run"
	@echo "make lock               - regenerate requirements/app.lock from pyproject.toml"
	@echo "make lock-rasa          - regenerate requirements/rasa.lock"
	@echo "make clean              - remove the environments, var/ and the caches"

install: $(VENV)/.installed $(RASA_VENV)/.installed $(STATIC)/.installed

# --- the application environment: our code on current libraries -------------------------------
$(VENV)/.installed: requirements/app.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements/app.lock
	touch $@

lock:
	$(PY) -m pip install --quiet uv
	$(PY) -m uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements/app.lock

# --- the Rasa environment: Rasa 3.6.21 only, for rasa train/run/test ----------------------------
# Rasa 3.6 says Requires-Python <3.11: the lock pins every package, so install without resolving.
$(RASA_VENV)/.installed: requirements/rasa.lock
	test -x $(RASA_VENV)/bin/python || $(PY) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps --ignore-requires-python -r requirements/rasa.lock
	$(RASA_VENV)/bin/rasa --version >/dev/null
	touch $@

.PHONY: lock-rasa
lock-rasa:
	PY=$(PY) scripts/lock_rasa.sh

# Trains only when config.yml, the domain, data/ or the Rasa pin changed (models/kefu-<hash>.tar.gz),
# then makes models/current.tar.gz the same file (for the Procfile).
model: $(VENV)/.installed $(RASA_VENV)/.installed triage
	$(BIN)/python scripts/train_model.py

# --- NLU quality: 5-fold cross-validation of data/nlu with config.yml, intent macro-F1 for Chinese
# and for English (bar 0.95 each; exits 1 under it). Trains five models: minutes, so not in `test`.
.PHONY: nlu-report
nlu-report: $(VENV)/.installed $(RASA_VENV)/.installed
	$(BIN)/python scripts/nlu_report.py

# --- the supervisor dashboard's chart library, from the npm lock file (served as a static file;
# nothing is fetched when the page runs)
$(STATIC)/.installed: $(STATIC)/package.json $(STATIC)/package-lock.json
	cd $(STATIC) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# --- complaint triage: trains the spaCy pipeline into models/triage/ only when its labelled data
# or code changed (content-hash stamp). Scores: $(BIN)/python -m ticketing.triage_train report
.PHONY: triage
triage: $(VENV)/.installed
	$(BIN)/python -m ticketing.triage_train train

# --- database -----------------------------------------------------------------------------------
db: $(VENV)/.installed
	$(BIN)/python -m ticketing db upgrade

demo: db
	$(BIN)/python -m ticketing demo load --if-empty

# --- the two commands ---------------------------------------------------------------------------
run: install model demo
	$(BIN)/python -m ticketing run

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed
	$(BIN)/mypy

# The stack tests (kill -9 and restart of several Rasa servers, of every process under
# `ticketing run`) take many minutes: `make test-stack` runs them.
pytest: $(VENV)/.installed
	$(BIN)/pytest -m "not stack" --durations=25

# --- the browser tests drive Debian's Chromium (Playwright's own browser download cannot work here)
.PHONY: chromium
chromium:
	(command -v chromium >/dev/null && fc-list :lang=zh | grep -q .) || \
	  (apt-get update && apt-get install -y chromium fonts-noto-cjk)

# --- the production install's files are checked with systemd-analyze verify and nginx -t
.PHONY: deploy-tools
deploy-tools:
	(command -v systemd-analyze >/dev/null && command -v nginx >/dev/null) || \
	  (apt-get update && apt-get install -y systemd nginx-light)

test: install model chromium deploy-tools lint typecheck pytest

# Only the Rasa conversation tests (test stories, the REST end-to-end complaints; real Rasa and
# action servers, about two minutes). `make test` runs them too.
.PHONY: test-conversations
test-conversations: install model
	$(BIN)/pytest -m "rasa and not stack" tests/rasa

.PHONY: test-stack
test-stack: install model deploy-tools
	$(BIN)/pytest -m stack

bench: install model
	set -e; for f in tests/bench/bench_*.py; do m=$${f%.py}; $(BIN)/python -m $${m//\//.}; done

# Issue 12's load and failure benchmark alone (many minutes; redis-server and PostgreSQL for
# the replicated stack).
.PHONY: bench-load
bench-load: install model
	$(BIN)/python -m tests.bench.bench_load

clean:
	rm -rf $(VENV) $(RASA_VENV) var .mypy_cache .ruff_cache .pytest_cache
