# Two entry points: `make demo` (dashboard on the bundled sample) and `make test` (the whole test suite).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
WORKSPACE ?= workspace

.PHONY: setup system-deps demo test bench clean

$(BIN)/moderator-kit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,serve]'
	touch $@

setup: $(BIN)/moderator-kit

# Debian packages for the browser tests and PDF checks (Chromium is never downloaded by Playwright).
system-deps:
	@./scripts/system-deps.sh

demo: setup
	$(BIN)/moderator-kit demo --workspace $(WORKSPACE)

test: setup system-deps
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(WORKSPACE) artifacts .pytest_cache
