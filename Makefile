# Two entry points: `make demo` (dashboard on the bundled sample) and `make test` (the whole test suite).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
WORKSPACE ?= workspace

.PHONY: setup system-deps demo test plain-install-check bench clean

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

# A plain `pip install .` (no extras) in a fresh virtualenv runs every command on the sample (.ci/run runs it too).
plain-install-check: system-deps
	PYTHON=$(PYTHON) ./scripts/plain-install-check.sh

# Each script prints its figures and the targets from the issues (see benchmarks/README.md).
bench: setup
	for script in benchmarks/bench_*.py; do echo "== $$script"; OMP_NUM_THREADS=1 $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) $(WORKSPACE) artifacts .pytest_cache
