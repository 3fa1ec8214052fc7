# The commands the README names. Each target creates .venv and installs the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint contracts unit integration bench services tools clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[embedded,dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/nostr-id migrate apply
	$(BIN)/nostr-id serve --host 127.0.0.1 --port 8000

services:
	bash scripts/ensure-services.sh
	bash scripts/ensure-lnbits.sh

# Command-line tools the tests drive (chromium for the docs page), from Debian's packages.
tools:
	bash scripts/ensure-tools.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) services tools lint
	$(BIN)/pytest

unit: $(STAMP)
	$(BIN)/pytest tests/unit

bench: $(STAMP)
	@echo "Benchmarks are run one by one; see docs/benchmarks.md for the commands."

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
