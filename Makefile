# Inventory Workbench: two commands do everything.
#   make run    set up .venv (pinned) and serve the Voila dashboard on the sample data
#   make test   set up .venv and the browser, then run lint, unit tests, doctests,
#               notebooks (nbval) and the browser tests
# A second run reinstalls nothing unless pyproject.toml or constraints.txt changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8866
THEME  ?= light

.DEFAULT_GOAL := help
.PHONY: help install run test lint unit notebooks browser chromium lab bench sample-data dictionary clean

help:
	@echo "make run        serve the dashboard at http://127.0.0.1:$(PORT) (PORT=, THEME=dark)"
	@echo "make test       run the whole test suite (installs what it needs)"
	@echo "make lab        JupyterLab on notebooks/ with widgets working"
	@echo "make bench      run the benchmarks in benchmarks/ and print the figures"
	@echo "make sample-data  regenerate sample_data/ from its seed"

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,dask]'
	$(BIN)/python -m workbench.sim
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/workbench serve --port $(PORT) --theme $(THEME)

chromium:
	@sh scripts/ensure-chromium

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

# CI=true: hypothesis runs its derandomized profile, so make test never fails on chance.
# Unit tests and doctests run on both cores (pytest-xdist, one file per worker at a time);
# notebooks and the browser tests then run one at a time, since they time a real page.
test: $(STAMP) chromium lint
	CI=true $(BIN)/python -m pytest -n 2 --dist loadfile --ignore=tests/browser tests src/workbench
	CI=true $(BIN)/python -m pytest --nbval-lax --nbval-current-env tests/browser notebooks

unit: $(STAMP)
	$(BIN)/python -m pytest -m "not browser" tests src/workbench

notebooks: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env notebooks

browser: $(STAMP) chromium
	$(BIN)/python -m pytest -m browser tests

lab: $(STAMP)
	$(BIN)/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

sample-data: $(STAMP)
	$(BIN)/python -m workbench.data.sample sample_data

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts
