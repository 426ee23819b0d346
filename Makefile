# gridmap — the two commands a newcomer runs:
#   make run    demo data (generated once), the live simulator and the dashboard at http://127.0.0.1:8050
#   make test   the linter and the test suite (installs what it needs first)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SCALE  ?= district
SEED   ?= 42

.PHONY: run test lint bench demo-data clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

demo-data: $(VENV)/.installed
	$(BIN)/gridmap demo-data --scale $(SCALE) --seed $(SEED) --if-missing

run: demo-data
	$(BIN)/gridmap run --simulate

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	bash scripts/system-deps.sh
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

bench: $(VENV)/.installed-dev
	$(BIN)/gridmap bench --scale $(SCALE) --json out/bench-$(SCALE).json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
