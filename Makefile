# The commands the README names. Each target creates .venv and installs the project on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The lock tool, pinned like everything else; installed into the venv by the bootstrap below.
UV_VERSION := 0.13.9
LOCKS := requirements/base.txt requirements/embedded.txt requirements/dev.txt
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --quiet --custom-compile-command "make lock" --universal --python-version 3.11 --generate-hashes

.PHONY: run test lint unit bench services tools lock clean

$(BIN)/uv:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)

# Installs exactly the locked versions (hash-checked), then the project itself without resolving again,
# and beside it the typed client (its own distribution, whose dependencies the service's locks hold).
$(STAMP): $(LOCKS) pyproject.toml client/pyproject.toml | $(BIN)/uv
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip install --quiet --no-deps -e client/
	touch $(STAMP)

# Regenerates the locks from pyproject.toml. Versions already locked are kept; only what changed in
# pyproject.toml is resolved anew. `make lock UPGRADE=--upgrade` moves everything to the newest release.
# dev is resolved first (it holds every extra); the smaller sets are constrained to its versions.
lock: | $(BIN)/uv
	$(UV_COMPILE) $(UPGRADE) --extra embedded --extra dev -o requirements/dev.txt
	$(UV_COMPILE) --extra embedded -c requirements/dev.txt -o requirements/embedded.txt
	$(UV_COMPILE) -c requirements/dev.txt -o requirements/base.txt

run: $(STAMP)
	$(BIN)/nostr-id migrate apply
	$(BIN)/nostr-id serve --host 127.0.0.1 --port 8000

services:
	bash scripts/ensure-services.sh
	bash scripts/ensure-lnbits.sh

# Command-line tools the tests drive (chromium for the docs page, dnsmasq for DNS, wrk and nginx for
# the nostr.json benchmark's smoke run, haproxy and prometheus for the fleet run), from Debian's
# packages; the JavaScript clients the tests run (nostr-tools), from npm.
tools:
	bash scripts/ensure-tools.sh
	bash scripts/ensure-js.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/vulture

test: $(STAMP) services tools lint
	$(BIN)/pytest

unit: $(STAMP)
	$(BIN)/pytest tests/unit

bench: $(STAMP)
	@echo "Benchmarks are run one by one; see docs/benchmarks.md for the commands."

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
