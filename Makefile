# Masar — developer commands. `make run` and `make test` are the two a newcomer needs.
# Every target says what it does and is safe to run again.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PORT ?= 8000
PYTEST_ARGS ?=
# Test processes (pytest-xdist): one per core, at most 4 (each takes two Redis databases and a
# test database); 0 runs in this process. `make test PYTEST_PROCESSES=0` for a debugger.
PYTEST_PROCESSES ?= $(shell n=$$(nproc 2>/dev/null || echo 1); if [ $$n -lt 2 ]; then echo 0; elif [ $$n -gt 4 ]; then echo 4; else echo $$n; fi)
CELERY_QUEUES := default,sms,documents,batch
REQUIREMENTS := requirements-pip.txt requirements.txt requirements-sim.txt requirements-dev.txt
# Apps keep their own Arabic catalogue in <app>/locale; the rest goes to locale/ (project).
# core (the ground) and demo keep their strings in the project catalogue locale/: giving them a
# locale/ directory would move those strings into new, untranslated catalogues.
APPS := accounts nafath_sim pension_sim employment_records bayan grievances promotions job_audit cv
# Directories that never hold translatable source (makemessages already skips dot-directories).
I18N_IGNORE := --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=var \
	--ignore=media --ignore=test-artifacts --ignore=bench

.PHONY: help venv run test lint messages compilemessages worker lock audit

help:
	@echo "make run       migrate, compile messages, seed demo data, serve on 127.0.0.1:$(PORT)"
	@echo "make test      the whole test suite (PYTEST_ARGS='-m \"not e2e\"' to pass options)"
	@echo "make lint      ruff check and ruff format --check"
	@echo "make messages  refresh the Arabic catalogues (project and per-app)"
	@echo "make worker    a Celery worker on queues $(CELERY_QUEUES) (needs REDIS_URL)"
	@echo "make venv      create $(VENV) and install the locked requirements when they changed"
	@echo "make lock      recompile the hashed lock files from requirements*.in (after editing one)"
	@echo "make audit     pip-audit the locked requirements against known vulnerabilities"

venv: $(VENV)/.installed
	@echo "==> venv: $(VENV) is up to date with $(REQUIREMENTS)"

# The stamp is newer than every requirements file once they are installed: pip only runs again
# when one of them changes (or when .venv is deleted, since the stamp lives inside it).
$(VENV)/.installed: $(REQUIREMENTS)
	@if [ ! -x $(BIN)/python ]; then \
		echo "==> venv: creating $(VENV) with $(PYTHON)"; \
		$(PYTHON) -m venv $(VENV); \
	fi
	@echo "==> venv: installing the locked requirements (changed, or first install)"
	$(BIN)/python -m pip install --disable-pip-version-check -q --require-hashes -r requirements-pip.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q --require-hashes \
		-r requirements.txt -r requirements-sim.txt -r requirements-dev.txt
	@touch $@

# The Nafath simulator is reached over HTTP at SITE_URL, and registers the portal's callback
# there: it must name the port being served, unless the environment or .env says otherwise.
RUN_SITE_URL := $(or $(SITE_URL),$(shell sed -n 's/^SITE_URL=//p' .env 2>/dev/null),http://127.0.0.1:$(PORT))
# The Nafath simulator is off by default (it signs anyone in by ID); `make run` turns it on for
# migrate, seed and the server alike, unless the environment or .env says otherwise.
RUN_NAFATH_SIMULATOR := $(or $(NAFATH_SIMULATOR),$(shell sed -n 's/^NAFATH_SIMULATOR=//p' .env 2>/dev/null),on)
# The pension authority simulator likewise: Bayan delivers approved statements to it.
RUN_PENSION_SIMULATOR := $(or $(PENSION_SIMULATOR),$(shell sed -n 's/^PENSION_SIMULATOR=//p' .env 2>/dev/null),on)

run: export SITE_URL := $(RUN_SITE_URL)
run: export NAFATH_SIMULATOR := $(RUN_NAFATH_SIMULATOR)
run: export PENSION_SIMULATOR := $(RUN_PENSION_SIMULATOR)
run: venv
	@echo "==> run: applying database migrations"
	$(MANAGE) migrate --noinput
	@$(MAKE) --no-print-directory compilemessages
	@echo "==> run: loading demo data (seed_demo, idempotent)"
	$(MANAGE) seed_demo
	@echo "==> run: serving http://127.0.0.1:$(PORT)/ (DEBUG=$${DEBUG:-on}; SITE_URL=$$SITE_URL; NAFATH_SIMULATOR=$$NAFATH_SIMULATOR; PENSION_SIMULATOR=$$PENSION_SIMULATOR; Ctrl-C stops)"
	DEBUG=$${DEBUG:-on} $(MANAGE) runserver 127.0.0.1:$(PORT)

compilemessages: venv
	@if [ -z "$$(find . -path ./.venv -prune -o -path '*/LC_MESSAGES/*.po' -print -quit)" ]; then \
		echo "==> compilemessages: no catalogues yet (make messages creates them)"; \
	elif command -v msgfmt >/dev/null 2>&1; then \
		echo "==> compilemessages: compiling .po catalogues into .mo"; \
		$(MANAGE) compilemessages $(I18N_IGNORE); \
	else \
		echo "==> compilemessages: skipped, msgfmt (GNU gettext) is not installed;" \
			"using the committed .mo files (apt-get install gettext to compile)"; \
	fi

test: venv
	@echo "==> test: running pytest -n $(PYTEST_PROCESSES) $(PYTEST_ARGS)"
	@rc=0; $(BIN)/pytest -n $(PYTEST_PROCESSES) --dist worksteal $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "==> test: pytest collected no tests (exit code 5)"; fi; \
	exit $$rc

lint: venv
	@echo "==> lint: ruff check"
	$(BIN)/ruff check .
	@echo "==> lint: ruff format --check"
	$(BIN)/ruff format --check .

messages: venv
	@command -v xgettext >/dev/null 2>&1 || { \
		echo "==> messages: GNU gettext is missing (apt-get install gettext)"; exit 1; }
	@echo "==> messages: making sure each app has its locale/ directory"
	@for app in $(APPS); do if [ -d $$app ]; then mkdir -p $$app/locale; fi; done
	@mkdir -p locale
	@echo "==> messages: extracting Arabic catalogues: locale/ (project) and <app>/locale/"
	$(MANAGE) makemessages -l ar $(I18N_IGNORE)
	@echo "==> messages: translate the new entries, then run 'make compilemessages' and commit" \
		"both .po and .mo"

worker: venv
	@if [ -z "$${REDIS_URL:-}" ] && ! grep -qs '^REDIS_URL=.' .env; then \
		echo "==> worker: warning: REDIS_URL is not set, so the broker is in-memory and" \
			"this worker receives nothing from the web process"; \
	fi
	@echo "==> worker: celery worker on queues $(CELERY_QUEUES)"
	$(BIN)/celery -A masar worker -Q $(CELERY_QUEUES) -l INFO

# The .in files name what the code imports; the .txt files are their hashed locks. Editing an .in
# file (or upgrading: UPGRADE=--upgrade, or UPGRADE="--upgrade-package django") then `make lock`
# gives a reviewable diff of every pinned version.
UPGRADE ?=
lock: venv
	@for name in requirements requirements-sim requirements-dev; do \
		echo "==> lock: $$name.in -> $$name.txt"; \
		$(BIN)/uv pip compile $$name.in --generate-hashes --python-version 3.11 --quiet \
			--custom-compile-command "make lock" $(UPGRADE) -o $$name.txt; \
	done

audit: venv
	@echo "==> audit: pip-audit over the locked requirements"
	bin/audit-deps
