# counterflow: `make demo` runs the main job, `make test` runs every check CI runs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Environment for reproducible runs: one numba cache inside the venv.
export NUMBA_CACHE_DIR := $(abspath $(VENV))/numba-cache

.PHONY: demo test lint typecheck architecture pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,lint]"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/counterflow compare --out counterflow-out

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

architecture: $(VENV)/.installed-dev
	$(BIN)/lint-imports --no-cache

pytest: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

test: lint typecheck architecture pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/tntp.py ../shared/benchmarks/tntp/*

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache
