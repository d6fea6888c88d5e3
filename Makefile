# Two commands matter: `make run` and `make test` (see README.md).
# Both install what they need first: a virtual environment in .venv and the front-end
# assets in node_modules and static/build.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is for a developer's machine: debug on, plain HTTP, SQLite unless told otherwise.
RUN_ENV := DEBUG=1 SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}

.PHONY: run test install assets lint bench prerequisites clean

run: install assets
	@$(RUN_ENV) $(PY) manage.py migrate --noinput -v 0
	@$(RUN_ENV) $(PY) manage.py createcachetable
	@$(RUN_ENV) $(PY) manage.py load_question_bank
	@$(RUN_ENV) $(PY) manage.py seed_demo
	@echo ""
	@echo "The app is starting at http://$(HOST):$(PORT)/ (stop it with Ctrl+C)."
	@echo ""
	@$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

test: install assets lint
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=1 $(PY) -m mypy
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

bench: install assets
	$(PY) bench/run.py $(BENCH_ARGS)

install: prerequisites $(VENV)/.installed

assets: prerequisites static/build/.built

prerequisites:
	@if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
		echo "Missing prerequisite: Python 3.11 (python3.11 on the PATH). See README.md."; exit 1; fi
	@if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then \
		echo "Missing prerequisite: Node.js with npm (for the GOV.UK Frontend assets). See README.md."; exit 1; fi

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || "$(PYTHON)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

static/build/.built: node_modules/.package-lock.json static/src/app.scss
	npm run --silent build
	@touch $@

clean:
	rm -rf $(VENV) node_modules static/build staticfiles artefacts
