# Fabrique à initiatives — the two commands: `make run` (try it) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Touched once requirements/dev.txt is installed: `make install` does nothing until that file changes.
INSTALLED := $(VENV)/.installed

# Development settings: SQLite, eager tasks, no Redis — whatever the shell exports.
DEV_ENV := env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL -u FABRIQUE_ENV DEBUG=true
# Tests that need a real service; `make test-quick` leaves them out.
SERVICE_MARKERS := not postgres and not redis and not worker and not browser
# Extra pytest arguments, e.g. `make test ARGS="-k login -x"`.
ARGS ?=

.PHONY: help install run test test-quick lint format services-start services-stop services-status messages clean

help:
	@echo "make run          install, migrate, load the demo data, serve on http://127.0.0.1:8000 (SQLite)"
	@echo "make test         the whole suite on throwaway PostgreSQL + Redis + Celery worker + Chromium"
	@echo "make test-quick   the suite on SQLite with eager tasks, without the tests needing services"
	@echo "make lint         ruff check and ruff format --check"
	@echo "make format       ruff format and ruff check --fix"
	@echo "make services-start|services-stop|services-status   the throwaway PostgreSQL and Redis"
	@echo "make messages     refresh and compile the English catalogue (needs gettext)"

install: $(INSTALLED)

$(INSTALLED): requirements/dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# uv installs the same pinned list in seconds; pip does it too when uv is absent.
	@if command -v uv >/dev/null 2>&1; then \
		uv pip install --quiet --python $(BIN)/python -r requirements/dev.txt; \
	else \
		$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/dev.txt; \
	fi
	@touch $@

# Refreshes the English catalogue after strings changed: translate the new entries in
# locale/en/LC_MESSAGES/django.po, then `make messages` again to compile. The .mo is committed, so
# `make run` needs no gettext; tests/test_translations.py fails when the catalogue is behind the code.
messages: install
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=media --ignore=.run --ignore=tests/data
	$(BIN)/python manage.py compilemessages --ignore=.venv

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	bash scripts/test.sh $(ARGS)

test-quick: install
	env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL $(BIN)/pytest -m "$(SERVICE_MARKERS)" $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

services-start:
	bash scripts/services.sh start

services-stop:
	bash scripts/services.sh stop

services-status:
	bash scripts/services.sh status

clean: services-stop
	rm -rf .run .pytest_cache staticfiles

# The load test of issue 8 (docs/benchmarks.md): 50 clients for 60 s on gunicorn + PostgreSQL + Redis with
# 100,000 projects (loaded once, kept in the services' data for the next runs). Starts the throwaway services
# and stops them afterwards unless they were already running. Options: `make load LOAD_ARGS="--run-time 15"`.
LOAD_ARGS ?=
.PHONY: load
load: install
	@running=0; bash scripts/services.sh status >/dev/null 2>&1 && running=1; \
	bash scripts/services.sh start && set -a && . "$${FABRIQUE_RUN_DIR:-.run}/env" && set +a && \
	$(BIN)/python -m benchmarks.load $(LOAD_ARGS); status=$$?; \
	[ $$running = 1 ] || bash scripts/services.sh stop; exit $$status
