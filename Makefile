# Two commands matter: `make run` and `make test` (see README.md).
# Both install what they need first: a virtual environment in .venv and the front-end
# assets in node_modules and static/build.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is for a developer's machine: debug on, plain HTTP, SQLite unless told otherwise.
# It starts the email worker beside the server, and the trap stops it with the server. The
# worker does not reload on code changes (a reloader's child could outlive it): restart both.
# Staff reminders due and addresses to erase are dealt with at each start; a deployment runs
# those commands from cron (docs/deploy.md).
# Python may cache bytecode here even where the environment says not to: pytest then keeps
# its rewritten test modules between runs, and each worker process the tests start loads the
# project from cache instead of compiling it again.
unexport PYTHONDONTWRITEBYTECODE

RUN_ENV := DEBUG=1 SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)}

.PHONY: run test install assets lint bench prerequisites test-prerequisites clean

run: install assets
	@$(RUN_ENV) $(PY) manage.py migrate --noinput -v 0
	@$(RUN_ENV) $(PY) manage.py createcachetable
	@$(RUN_ENV) $(PY) manage.py load_question_bank
	@$(RUN_ENV) $(PY) manage.py seed_demo
	@$(RUN_ENV) $(PY) manage.py requeue_email -v 0
	@$(RUN_ENV) $(PY) manage.py send_due_reminders -v 0
	@$(RUN_ENV) $(PY) manage.py erase_staff_addresses -v 0
	@echo ""
	@echo "The app is starting at http://$(HOST):$(PORT)/ with a worker that sends its emails"
	@echo "(printed here). Stop both with Ctrl+C."
	@echo ""
	@trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(RUN_ENV) $(PY) manage.py db_worker --no-reload --no-startup-delay & worker=$$!; \
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# The tests outside the browser run on every core (pytest-xdist); the browser tests run one
# at a time after them: each drives Chromium against a live server, and two at once on a
# small machine would slow each other past their waits. Exit status 5 means
# PYTEST_ARGS selected none of one kind, which is not a failure. The first run makes each
# worker's test database from the models (--nomigrations: 2 s less a worker); the browser
# run makes its own by applying the migrations, so every `make test` still applies them.
test: test-prerequisites install assets lint
	$(PY) -m pytest -n auto --nomigrations -m "not browser" $(PYTEST_ARGS) || [ $$? = 5 ]
	$(PY) -m pytest -m browser $(PYTEST_ARGS) || [ $$? = 5 ]

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=1 $(PY) -m mypy
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# `make bench` seeds its own PostgreSQL database (maturity_bench) and measures; see
# docs/performance.md. BENCH_ARGS=--quick for a tenth of the scale. It uses wrk for the HTTP
# load, installed from Debian's packages when missing (as root), else a Python load generator.
bench: install assets
	@if ! command -v wrk >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing wrk"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends wrk \
			|| echo "Could not install wrk: the Python load generator will be used."; fi
	@if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432 \
		&& command -v pg_ctlcluster >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		echo "Starting PostgreSQL"; \
		pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start; \
		for _ in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; fi
	$(PY) bench/run.py $(BENCH_ARGS)

install: prerequisites $(VENV)/.installed

assets: prerequisites static/build/.built

prerequisites:
	@if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
		echo "Missing prerequisite: Python 3.11 (python3.11 on the PATH). See README.md."; exit 1; fi
	@if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then \
		echo "Missing prerequisite: Node.js with npm (for the GOV.UK Frontend assets). See README.md."; exit 1; fi

# `make test` also runs the browser tests (tests/browser) in Debian's Chromium, with Java for
# the Nu HTML Checker, and draws PDFs and screenshots in Liberation Sans (the metric twin of
# Arial the stylesheets name). `make run` needs none of them. As root on Debian they are
# installed from Debian's packages (docs/decisions/0008); anyone else is told the command.
test-prerequisites:
	@need=""; \
	[ -x /usr/bin/chromium ] || need="$$need chromium"; \
	command -v java >/dev/null 2>&1 || need="$$need default-jre-headless"; \
	fc-list 2>/dev/null | grep -qi "Liberation Sans" || need="$$need fonts-liberation2"; \
	if [ -z "$$need" ]; then exit 0; fi; \
	install="apt-get install -y -q --no-install-recommends$$need"; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing what make test needs from Debian's packages:$$need"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive $$install; \
	elif command -v apt-get >/dev/null 2>&1; then \
		echo "make test needs Debian's packages$$need. Install them with:"; \
		echo "    sudo apt-get update && sudo $$install"; exit 1; \
	else \
		echo "make test needs:$$need (Debian's names: Chromium at /usr/bin/chromium, a Java runtime on the PATH, the Liberation fonts). See README.md."; exit 1; \
	fi

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || "$(PYTHON)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

# No install scripts: none is needed, and vnu-jar's would download a Java runtime (the
# system's is used).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

static/build/.built: node_modules/.package-lock.json static/src/app.scss static/src/plotly.js
	npm run --silent build
	@touch $@

clean:
	rm -rf $(VENV) node_modules static/build staticfiles artefacts
