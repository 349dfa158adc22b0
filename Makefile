# Two commands do all set-up on a fresh machine (README):
#   make run    the chat on SQLite and the in-memory channel layer, at http://127.0.0.1:8000/ (HOST, PORT)
#   make test   lint, types and the whole suite, on SQLite and then on PostgreSQL
# Each installs what it needs first, from the pinned files, only when they changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/chat

# Beside the server, in the same shell, the worker that sends what leaves the chat (a bot's webhook:
# settings.TASKS's "outbound"), stopped with it, whether the server ends or Ctrl-C ends both. Without
# --no-reload, DEBUG would make it a reloader whose child outlives a kill.
WITH_WORKER = $(BIN)/python manage.py db_worker --backend outbound --interval 1 --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM;

.PHONY: run serve test lint test-sqlite test-postgres vendor bench

MESSAGES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

run: $(VENV)/.installed $(MESSAGES)
	$(BIN)/python manage.py migrate --noinput
	export DEBUG=$${DEBUG:-true} SITE_URL=$${SITE_URL:-http://$${HOST:-127.0.0.1}:$${PORT:-8000}}; $(WITH_WORKER) \
	$(BIN)/python manage.py runserver $${HOST:-127.0.0.1}:$${PORT:-8000}

# Production-like: uvicorn with the options in config/serve.py, settings from the environment.
# WEB_CONCURRENCY=N runs N processes (they need REDIS_URL, and PostgreSQL or one shared SQLite file).
serve: $(VENV)/.installed $(MESSAGES)
	$(BIN)/python manage.py migrate --noinput
	$(WITH_WORKER) $(BIN)/python -m config.serve --host $${HOST:-0.0.0.0} --port $${PORT:-8000}

test: lint test-sqlite test-postgres

# The benchmark (bench/README.md): the chat beside the Channels tutorial, uvicorn alone and bare
# python-websockets, each pinned to one core. BENCH_ARGS passes options, e.g. BENCH_ARGS="--workloads big-200".
bench: $(VENV)/.installed $(MESSAGES)
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

test-sqlite: $(VENV)/.installed $(MESSAGES) node_modules/.installed /usr/bin/chromium /usr/sbin/nginx
	env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest

# PostgreSQL is required in CI; on a laptop without it this pass says so and stops short.
test-postgres: $(VENV)/.installed $(MESSAGES) node_modules/.installed /usr/bin/chromium /usr/sbin/nginx
	@if $(BIN)/python -m tests.services postgres "$(TEST_DATABASE_URL)"; then \
		echo "--- the suite again, on PostgreSQL ($(TEST_DATABASE_URL))"; \
		env -u REDIS_URL DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest; \
	elif [ "$${CI:-}" = true ]; then \
		echo "PostgreSQL is not reachable at $(TEST_DATABASE_URL), and CI must test on it" >&2; exit 1; \
	else \
		echo "SKIPPED the PostgreSQL pass: nothing answers at $(TEST_DATABASE_URL) (set TEST_DATABASE_URL or start PostgreSQL)"; \
	fi

$(VENV)/.installed: requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
		echo "Django 6 needs Python 3.12 or newer; '$(PYTHON)' is $$($(PYTHON) --version). With pyenv, .python-version selects 3.13." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Translations are compiled here, from the .po files in git (GNU gettext's msgfmt does it for Django).
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po /usr/bin/msgfmt $(VENV)/.installed
	$(BIN)/python manage.py compilemessages --locale $* --ignore .venv -v0

/usr/bin/msgfmt:
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y gettext

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads its own).
/usr/bin/chromium:
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium

# Debian's nginx, for the test that runs docs/nginx.conf in front of the chat (tests/test_slow_clients.py).
/usr/sbin/nginx:
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y nginx

# Copy the pinned htmx files from node_modules into static/vendor, the version in their names (run after
# changing package.json; then point templates/base.html at the new names). hx-ws ships inside htmx.org.
vendor: node_modules/.installed
	mkdir -p static/vendor
	version=$$(node -p 'require("htmx.org/package.json").version') && \
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx-$$version.min.js && \
	cp node_modules/htmx.org/dist/ext/hx-ws.min.js static/vendor/hx-ws-$$version.min.js
