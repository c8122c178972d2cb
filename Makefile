# The two commands a fresh machine needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench install clean system-deps ui-shots

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/tutorial.py

# The browser tests drive Debian's chromium with chromium-driver, and pictures use
# Graphviz's dot: installed with the package manager when root (as on CI), never
# downloaded by a tool of their own. Elsewhere those tests skip with one line.
system-deps:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null \
		&& command -v dot >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends chromium chromium-driver graphviz >/dev/null) \
		|| echo "note: apt-get could not install chromium/graphviz: browser tests will skip"; \
	else echo "note: no chromium/chromedriver/dot and no root apt-get: browser tests will skip"; fi

# Two pytest workers (one per core of the 2-core machines the suite is sized for), each
# given whole files (--dist loadfile), so a file's module-scoped daemon or browser starts
# once. `make test TEST_WORKERS=0` runs it in one process.
TEST_WORKERS ?= 2

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# A screenshot of each dashboard page, from the browser tests, in benchmarks/results/ui/.
ui-shots: $(STAMP) system-deps
	PRUNUS_UI_SHOTS=$(CURDIR)/benchmarks/results/ui $(BIN)/python -m pytest -q tests/ui/test_dashboard.py

bench: $(STAMP)
	$(BIN)/python benchmarks/checkpoint.py
	$(BIN)/python benchmarks/run_throughput.py
	$(BIN)/python benchmarks/frames.py
	$(BIN)/python benchmarks/daemon.py
	$(BIN)/python benchmarks/compare.py
	$(BIN)/python benchmarks/ui.py

lint: $(STAMP)
	$(BIN)/ruff check prunus tests examples benchmarks
	$(BIN)/ruff format --check prunus tests examples benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
