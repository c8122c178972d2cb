# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench install clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/tutorial.py

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/checkpoint.py
	$(BIN)/python benchmarks/run_throughput.py
	$(BIN)/python benchmarks/daemon.py
	$(BIN)/python benchmarks/compare.py

lint: $(STAMP)
	$(BIN)/ruff check prunus tests examples benchmarks
	$(BIN)/ruff format --check prunus tests examples benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
