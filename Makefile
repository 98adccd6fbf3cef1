# hookbill developer entry points: `make run` (local panel) and `make test` (what CI runs).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Stamps record that the venv holds what pyproject.toml asks for; editing
# pyproject.toml makes them stale, so pip runs again only then.
STAMP := $(VENV)/.installed-stamp
TEST_STAMP := $(VENV)/.installed-test-stamp

HOOKBILL_DATABASE_URL ?= sqlite:///instance/hookbill.sqlite3
export HOOKBILL_DATABASE_URL
PYTEST_ARGS ?=

.PHONY: run test lint system-deps run-deps catalogs

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

# The test extra includes the app itself, so it also satisfies $(STAMP).
# The example third-party plugin is installed too: the tests prove that a
# distribution with a `hookbill` entry point is found and its hooks are called.
$(TEST_STAMP): pyproject.toml examples/hookbill-hello/pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,lint]' -e examples/hookbill-hello
	touch $(STAMP) $@

system-deps:
	bash scripts/system-deps.sh

run-deps:
	bash scripts/system-deps.sh run

# gettext catalogs (.po -> .mo) of the core, the built-in plugins and the example
# plugin, compiled in place for this editable install (a built package compiles
# them in its build step, setup.py; the app never compiles at start-up).
catalogs: $(STAMP)
	$(PY) -m core.catalogs core plugins examples

# The demo's configuration (config.demo.toml: development mode, the passphrase of the
# demo department's PGP key); set HOOKBILL_CONFIG to run with your own instead.
# The run-time system packages come first: installing the app builds PyICU against ICU.
run: export HOOKBILL_CONFIG ?= config.demo.toml
run: run-deps $(STAMP) catalogs
	mkdir -p instance
	$(VENV)/bin/hookbill migrate
	$(VENV)/bin/hookbill demo-data
	$(VENV)/bin/hookbill serve --host 127.0.0.1 --port 5000

# ruff (lint and format check) and mypy, configured in pyproject.toml.
lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# make reports any failing command as its own exit status 2; the line below
# prints pytest's own code first so that it is not lost.
test: system-deps $(TEST_STAMP) catalogs
	@rc=0; $(PY) -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -ne 0 ]; then echo "pytest exited with status $$rc" >&2; fi; exit $$rc
