# The two commands of the README: `make serve` and `make test`.
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: serve test lint typecheck glance bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/fis serve

lint: $(STAMP)
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/ruff check src tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# A real OpenStack Glance for the tests of the Glance image catalog, in a
# virtualenv of its own. Without it those tests skip (CI requires them).
glance:
	-bash scripts/setup-glance.sh

test: lint typecheck glance
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	$(VENV)/bin/python bench/run.py

clean:
	rm -rf $(VENV) .venv-glance .pytest_cache .mypy_cache .ruff_cache
