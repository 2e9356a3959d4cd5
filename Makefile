# PeerLearn - the two commands: `make dev` and `make test`. Everything else here serves them.
# Each install step is a file target, so a warm machine skips straight to the work.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .tools/sam
SAM := $(SAM_VENV)/bin/sam
SAM_VERSION := 1.170.0
PYTEST_UNIT_WORKERS ?= auto
# The stack-backed suites run whole files per worker (`--dist loadfile`: a file's module fixtures
# start one local stack), each worker with a DynamoDB Local of its own; the longest files first.
PYTEST_STACK_WORKERS ?= 2

.PHONY: dev test check lint format typecheck template webtest unit integration e2e fuzz web deps bench clean help

help:
	@echo "make dev          install what is missing, start the local stack with demo data"
	@echo "make test         install what is missing, run every check and test suite"
	@echo "make lint | typecheck | template | unit | integration | e2e | fuzz    one kind of check"
	@echo "make bench        run the benchmarks (prints figures)"

# ------------------------------------------------------------------ installs
$(VENV)/.installed: requirements-dev.txt layers/peerlearn/requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@# The layer's package on the venv's path, so `python -m peerlearn.recommend.evaluate` works anywhere.
	$(PY) -c 'import pathlib, site; pathlib.Path(site.getsitepackages()[0], "peerlearn-layer.pth").write_text("$(CURDIR)/layers/peerlearn\n")'
	@touch $@

$(SAM_VENV)/.installed:
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli==$(SAM_VERSION)
	@touch $@

infra/node_modules/.installed: infra/package.json infra/package-lock.json
	cd infra && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/build.mjs web/tailwind.config.js
web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run --silent build

deps: $(VENV)/.installed infra/node_modules/.installed web/node_modules/.installed
web: web/dist/index.html

# ------------------------------------------------------------------ the two commands
dev: deps web
	$(PY) -m infra.local dev

test: deps web $(SAM_VENV)/.installed
	$(MAKE) --no-print-directory check
	$(PY) -m pytest tests/unit -q -n $(PYTEST_UNIT_WORKERS) -p no:cacheprovider
	$(PY) -m pytest tests/fuzz tests/e2e tests/integration -q -n $(PYTEST_STACK_WORKERS) --dist loadfile -p no:cacheprovider

# ------------------------------------------------------------------ one kind at a time
check: lint typecheck template webtest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=layers/peerlearn $(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy layers functions infra

template: $(VENV)/.installed $(SAM_VENV)/.installed
	$(VENV)/bin/cfn-lint template.yaml
	$(SAM) validate --lint --template template.yaml --region ap-south-1

# The web app's pure helpers (room caps, timer, backoff, chat links, recording parts): node's own runner.
webtest: web/node_modules/.installed
	cd web && npm test --silent

unit: $(VENV)/.installed
	$(PY) -m pytest tests/unit -q -n $(PYTEST_UNIT_WORKERS) -p no:cacheprovider

integration: deps
	$(PY) -m pytest tests/integration -q -p no:cacheprovider

e2e: deps web
	$(PY) -m pytest tests/e2e -q -p no:cacheprovider

# Schemathesis against the local stack's /api/openapi.json (fixed seed, ~1400 requests, under 3 min).
fuzz: deps
	$(PY) -m pytest tests/fuzz -q -p no:cacheprovider

bench: deps
	$(PY) benchmarks/api_latency.py
	$(PY) benchmarks/cold_imports.py
	$(PY) benchmarks/cold_first_request.py
	$(PY) benchmarks/discovery_and_booking.py
	$(PY) benchmarks/payments.py
	$(PY) benchmarks/rooms.py
	$(PY) benchmarks/notifications.py
	$(PY) benchmarks/recommend_quality.py
	$(PY) benchmarks/recommend_speed.py
	$(PY) benchmarks/dashboards.py
	$(PY) benchmarks/analytics_reports.py
	$(PY) benchmarks/lighthouse.py

clean:
	rm -rf $(VENV) .tools web/node_modules web/dist infra/node_modules .pytest_cache .mypy_cache .ruff_cache
