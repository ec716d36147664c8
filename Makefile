# Two commands on a fresh machine: `make demo` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
DEMO_PEOPLE ?= 3000
DEMO_SEED ?= 2026
DEMO_ADDRESS ?= 127.0.0.1:8000
PYTEST_WORKERS ?= 2
LINTED := jumin tests conftest.py
export JUMIN_DEBUG ?= 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: venv demo test test-postgres test-browser lint format bench clean lock

# The virtual environment, installed again whenever pyproject.toml changes.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "jumin needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1). Try: make PYTHON=python3.11 ..."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[postgres,test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	mkdir -p $${JUMIN_VAR_DIR:-var}/static
	$(BIN)/jumin migrate --no-input
	$(BIN)/jumin demo-data --county 341125 --people $(DEMO_PEOPLE) --seed $(DEMO_SEED) --if-empty
	$(BIN)/jumin demo-year --county 341125 --year 2026 --seed $(DEMO_SEED) --if-empty
	$(BIN)/jumin demo-logins
	@echo "jumin: http://$(DEMO_ADDRESS)  (Ctrl-C stops the server and the workers)"
	@# The server runs as in production (DEBUG off: Chinese error pages, no debug 404 listing
	@# the URLs), with a secret key kept in var/ for this machine.
	@test -s $${JUMIN_VAR_DIR:-var}/secret_key || $(BIN)/python -c \
	  'import secrets; print(secrets.token_urlsafe(50))' > $${JUMIN_VAR_DIR:-var}/secret_key
	@# One worker per queue, as in production: a county job (dues, posting) never waits
	@# behind a township's roster import.
	@trap 'kill $$imports $$county 2>/dev/null' INT TERM EXIT; \
	  export JUMIN_DEBUG=0 JUMIN_SECURE_COOKIES=0 \
	    JUMIN_SECRET_KEY=$$(cat $${JUMIN_VAR_DIR:-var}/secret_key) \
	    JUMIN_ALLOWED_HOSTS=127.0.0.1,localhost,[::1]; \
	  $(BIN)/jumin worker --no-reload --queue-name imports,default & imports=$$!; \
	  $(BIN)/jumin worker --no-reload --queue-name county & county=$$!; \
	  $(BIN)/jumin runserver $(DEMO_ADDRESS) --noreload

# The import contracts (pyproject.toml [tool.importlinter]): apps depend one way, toward core,
# and domain code never imports the web or the API.
test: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS)

# The same suite on PostgreSQL: make test-postgres DATABASE_URL=postgres://postgres@127.0.0.1:5432/jumin
test-postgres: $(STAMP)
	@test -n "$(DATABASE_URL)" || { echo "set DATABASE_URL=postgres://USER@HOST:PORT/NAME"; exit 1; }
	DATABASE_URL=$(DATABASE_URL) $(BIN)/python -m pytest -q -n $(PYTEST_WORKERS)

# Headless Debian chromium (/usr/bin/chromium) against a live server; a failing test leaves a
# screenshot in test-results/.
test-browser: $(STAMP)
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest -q -m browser -p no:xdist

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check $(LINTED)

format: $(STAMP)
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

bench: $(STAMP)
	$(BIN)/jumin bench registry

# Pin every dependency again after a change to pyproject.toml: a throw-away environment gets
# the newest versions pyproject.toml allows, and requirements.lock records them.
lock:
	rm -rf $(VENV)-lock
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet --upgrade pip
	$(VENV)-lock/bin/python -m pip install --quiet -e ".[postgres,test]"
	{ echo "# Every dependency pinned: 'make lock' writes this file from a fresh install of pyproject.toml."; \
	  echo "# 'make' installs with it as a constraint, so a fresh clone gets exactly these versions."; \
	  $(VENV)-lock/bin/python -m pip freeze --exclude-editable; } > requirements.lock
	rm -rf $(VENV)-lock

clean:
	rm -rf $(VENV) var test-results
