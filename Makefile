# counterflow: `make demo` runs the main job, `make test` runs every check CI runs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Environment for reproducible runs: one numba cache inside the venv, keyed by the kernels'
# source. numba checks only a cached function's own file, so a kernel that calls into another
# kernel module would otherwise keep stale compiled code after that module changes.
KERNELS_KEY := $(shell cat src/counterflow/assign/_*kernels.py | cksum | cut -d' ' -f1)
export NUMBA_CACHE_DIR := $(abspath $(VENV))/numba-cache/$(KERNELS_KEY)

.PHONY: demo test lint lock typecheck architecture pytest browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs take the exact versions of requirements-lock.txt (pip constraints), so two runs of
# `make test` on two days install the same releases.
LOCK := requirements-lock.txt

$(VENV)/.installed: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[test,lint]"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/counterflow compare --out counterflow-out

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/python scripts/audit.py

# The newest releases within pyproject.toml's bounds, frozen into $(LOCK) (run `make test` after).
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e ".[test,lint]"
	{ sed -n '/^#/p' $(LOCK); .venv-lock/bin/python -m pip freeze --exclude-editable; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)
	rm -rf .venv-lock

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

architecture: $(VENV)/.installed-dev
	$(BIN)/lint-imports --no-cache

pytest: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

test: browser lint typecheck architecture pytest

# Headless Chromium and chromedriver for the browser tests (tests/test_report_browser.py), from
# Debian's packages: apt-get as root, through sudo without a password prompt otherwise. `make
# test` runs it first; where it cannot install them it says so and goes on: the browser tests
# then skip, unless CI is set, where they fail (docs/development.md, "Browser tests").
BROWSER_BINARIES := /usr/bin/chromium /usr/bin/chromedriver
APT_BROWSER := apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -qq --no-install-recommends chromium chromium-driver

browser:
	@if ls $(BROWSER_BINARIES) >/dev/null 2>&1; then \
		echo "make browser: $(BROWSER_BINARIES) are installed"; \
	elif [ "$$(id -u)" = 0 ]; then \
		$(APT_BROWSER) || echo "make browser: apt-get could not install chromium"; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo -n sh -c '$(APT_BROWSER)' || echo "make browser: apt-get could not install chromium"; \
	else \
		echo "make browser: not root and no sudo: install chromium and chromium-driver" \
			"(apt-get, as root) or the browser tests skip"; \
	fi

bench: $(VENV)/.installed-dev
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/tntp.py ../shared/benchmarks/tntp/*

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache
