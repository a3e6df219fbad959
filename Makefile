# Two commands set everything up: `make demo` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Two workers: this suite is mostly waiting on the database, and machines here have two cores.
PYTEST_ARGS ?= -n 2
# Line coverage of the code (.ci/run measures it on its SQLite pass only: measuring slows a run).
COVERAGE_ARGS ?= --cov=col_core --cov=plugins --cov-report=

.PHONY: demo test lint install browsers pgbouncer wrk validators clean translations

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## Run the demo: fresh SQLite database, example cities, demo data, http://127.0.0.1:6543/
demo: install
	$(BIN)/col demo

## Install the test dependencies, lint, and run the whole suite (PostgreSQL too when
## COL_TEST_DATABASE_URL is set, as .ci/run does), with the line coverage of the code.
test: lint browsers pgbouncer wrk validators
	$(BIN)/pytest $(PYTEST_ARGS) $(COVERAGE_ARGS)
	@if [ -n "$(COVERAGE_ARGS)" ]; then \
	  echo "Line coverage of col_core and plugins: $$($(BIN)/coverage report --format=total)%"; fi

## Formatting, lint and types, configured in pyproject.toml (see docs/plugins.md).
lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy col_core plugins
	$(BIN)/python tools/density.py col_core plugins --max 8 --min-lines 5

## Debian's Chromium for the browser tests (never a downloaded browser build).
browsers:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -qq chromium >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)) || \
	    echo "Chromium could not be installed; browser tests will be skipped."; \
	  else echo "Install Debian's chromium package to run the browser tests."; fi; \
	fi

## Debian's PgBouncer for the test that runs the smoke subset through it (docs/deployment.md).
pgbouncer:
	@if [ ! -x /usr/sbin/pgbouncer ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -qq pgbouncer >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq pgbouncer >/dev/null)) || \
	    echo "PgBouncer could not be installed; its test will be skipped."; \
	  else echo "Install Debian's pgbouncer package to run the PgBouncer test."; fi; \
	fi

## Debian's wrk, the load tool of `python -m benchmarks load` and of its test (docs/performance.md).
wrk:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get install -y -qq wrk >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)) || \
	    echo "wrk could not be installed; the load benchmark's test will be skipped."; \
	  else echo "Install Debian's wrk package to run the load benchmark's test."; fi; \
	fi

## The two independent Open Badges validators, built into tests/.tools/ (skipped without node).
validators:
	@if [ -f tests/tools/build_ob_validators.sh ]; then sh tests/tools/build_ob_validators.sh; fi

## Extract messages and update every catalog (see docs/translating.md).
translations: install
	$(BIN)/col i18n update

clean:
	rm -rf $(VENV) build dist *.egg-info tests/.tools
