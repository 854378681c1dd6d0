# Set-up and everyday commands. On a fresh machine `make run` and `make test` do everything.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
DB     ?= demo.db

.PHONY: install test run demo bench lint clean mutate

$(STAMP): pyproject.toml scripts/ensure-qt-libs.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	bash scripts/ensure-qt-libs.sh $(PY)
	@touch $(STAMP)

install: $(STAMP)

# ruff (pyflakes, pycodestyle, import order, bugbear, pyupgrade) and the import contracts (layers, no cycles)
lint: install
	$(VENV)/bin/ruff check annotator tests bench scripts
	$(VENV)/bin/lint-imports

test: install lint
	rm -f .coverage .coverage.*
	$(PY) -m pytest -q --cov --cov-report=
	@echo "coverage: $$($(PY) -m coverage report --format=total)% of the lines of annotator/ (tests, Qt worker threads and child processes)"

# Builds the demo database from resources/samples if there is none, then opens the window on it.
run: install
	$(VENV)/bin/annotator demo --db $(DB)
	$(VENV)/bin/annotator gui $(DB)

# Mutation testing of the headless packages (slow: over two hours on two cores; not part of `make test`).
# mutmut remembers results in mutants/ and re-tests only what changed; the score per package comes last.
mutate: install
	$(VENV)/bin/mutmut run --max-children 2 || true
	$(PY) scripts/mutation_score.py

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
