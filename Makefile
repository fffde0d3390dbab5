# Two commands set everything up:  `make run`  and  `make test`.
# `make test` never installs system packages: the real-browser test is skipped, with its reason, without
# Chromium and poppler-utils (.ci/run installs them in CI).
# Each target creates the virtual environment (.venv) if it is missing and installs the project
# (pyproject.toml is the one dependency list). PyPI is the only package source.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

# National data folder: ASC_NATIONAL_DIR if set, else ../shared/data when it exists, else data/raw/national.
ASC_NATIONAL_DIR ?= $(if $(wildcard ../shared/data/README.md),../shared/data,data/raw/national)
export ASC_NATIONAL_DIR
# The project's own python3 kernel (installed into the venv) comes first for papermill and nbval.
export JUPYTER_PATH := $(abspath $(VENV)/share/jupyter)
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# One numerical thread per process: on a shared 2-core machine BLAS threads made ETS fits swing 0.3 s -> 10 s.
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

.PHONY: help setup data run pdf test test-unit test-fast lint format bench clean

help:
	@echo "make run    set up, build data/processed, run every notebook, write HTML reports to outputs/"
	@echo "make test   set up, build data/processed, run every test (unit, notebooks, nbval, real data, lint)"
	@echo "make test-unit  the unit tests alone (tests/unit, no national data)"
	@echo "make bench  print the speed figures (warm make run, per-notebook overhead, data build)"
	@echo "make pdf    like make run, and print every report to PDF (needs the OS package chromium)"
	@echo "make lint   ruff on code and notebooks"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (asc)" >/dev/null
	@touch $(STAMP)

data: $(STAMP)
	$(BIN)/asc data build

run: data
	$(BIN)/asc run

pdf: data
	$(BIN)/asc run --pdf

test: $(STAMP)
	-$(BIN)/asc data build
	$(BIN)/ruff check src tests notebooks scripts
	$(BIN)/python -m pytest -q
	$(BIN)/python -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

# Unit tests alone (tests/unit mirrors the package): no national data (an empty national folder), fast:
# two workers, and the hypothesis `unit` profile (the same properties on a fifth of the drawn cases; `make test`
# draws them all). Timing: docs/performance.md, "Test suites".
test-unit: $(STAMP)
	ASC_NATIONAL_DIR=$$(mktemp -d) HYPOTHESIS_PROFILE=unit $(BIN)/python -m pytest -q -n 2 --dist worksteal -p no:cacheprovider -p no:nbval tests/unit

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not notebooks and not slow"

lint: $(STAMP)
	$(BIN)/ruff check src tests notebooks scripts

format: $(STAMP)
	$(BIN)/ruff check --fix src tests notebooks scripts
	$(BIN)/ruff format src tests scripts

bench: data
	$(BIN)/python scripts/bench.py

clean:
	rm -rf data/processed/*.parquet data/processed/_build_state.json .pytest_cache .ruff_cache
