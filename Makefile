# gaitlab: two commands for a newcomer, `make run` and `make test`.
# Both go through `make setup`, which is idempotent: it (re)builds .venv/ only
# when pyproject.toml changed, and provisions the pose model when it is missing.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.gaitlab-setup-stamp

.PHONY: setup run test lint demo clean-venv

setup: $(STAMP)
	@$(PY) -m gaitlab models install --variant full --quiet

$(STAMP): pyproject.toml Makefile tools/setup_env.sh
	@bash tools/setup_env.sh "$(PYTHON)" "$(VENV)"
	@touch $(STAMP)

run: setup
	@$(PY) -m ui

test: setup
	@bash tools/test_setup.sh
	@QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	@$(PY) -m ruff check gaitlab ui tests benchmarks
	@$(VENV)/bin/lint-imports

demo: setup
	@$(PY) -m gaitlab demo

clean-venv:
	rm -rf $(VENV)
