# CEMS: `make demo` runs the demo, `make test` runs the whole test suite.
# Everything lives in .venv/ (the virtualenv) and var/ (database, secret key, static files).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint format typecheck bench venv migrate messages clean backup loadtest

$(INSTALLED): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(INSTALLED)

venv: $(INSTALLED)

migrate: venv
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo
	@echo "CEMS demo: http://$(HOST):$(PORT)/  (Ctrl+C stops it and the background worker)"
	$(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	$(PY) -m pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

LOAD_INSTALLED := $(VENV)/.installed-load

$(LOAD_INSTALLED): requirements-load.txt $(INSTALLED)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-load.txt
	@touch $(LOAD_INSTALLED)

# Load and fault tests (loadtest/): about 20 minutes on both databases; not part of `make test`.
loadtest: $(LOAD_INSTALLED)
	$(PY) -m loadtest

backup: venv
	$(PY) manage.py backup

bench: venv
	$(PY) -m bench

messages: venv
	$(PY) manage.py makemessages -l zh_Hans --no-location --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=var

clean:
	rm -rf var/ .pytest_cache .mypy_cache .ruff_cache
