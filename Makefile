# Two commands on a fresh machine: `make demo` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEMO_PEOPLE ?= 3000
DEMO_SEED ?= 2026
export JUMIN_DEBUG ?= 1

.PHONY: demo test test-postgres test-browser lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[postgres,test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/jumin migrate --no-input
	$(BIN)/jumin demo-data --county 341125 --people $(DEMO_PEOPLE) --seed $(DEMO_SEED) --if-empty
	$(BIN)/jumin demo-logins
	@echo "jumin: http://127.0.0.1:8000  (Ctrl-C stops the server and the worker)"
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/jumin worker & \
	  $(BIN)/jumin runserver 127.0.0.1:8000 --noreload

test: $(STAMP)
	$(BIN)/ruff check jumin conftest.py
	$(BIN)/python -m pytest -q -n 2

test-browser: $(STAMP)
	$(BIN)/python -m pytest -q -m browser -p no:xdist

lint: $(STAMP)
	$(BIN)/ruff check jumin conftest.py
	$(BIN)/ruff format --check jumin conftest.py

format: $(STAMP)
	$(BIN)/ruff format jumin conftest.py
	$(BIN)/ruff check --fix jumin conftest.py

bench: $(STAMP)
	$(BIN)/jumin bench registry

clean:
	rm -rf $(VENV) var
