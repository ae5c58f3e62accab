# `make demo` and `make test` create .venv on first use, install omnisolve into it, and run.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo lint test test-slow bench-model clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,gp]'
	# compile the numba kernels once, so no first solve pays for it
	$(PY) -c "from omnisolve.algorithms import jobshop_tabu, tsp_kernels; tsp_kernels.warm_up(); jobshop_tabu.warm_up()"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/omnisolve demo

# branch coverage of the package (child processes included); the floor only ever rises
COVERAGE_FLOOR := 89

# lint, format and type checks first: any finding fails `make test` (fix: ruff check --fix, ruff format)
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy

# tests in parallel (pytest-xdist), one file per worker at a time, so a file's module fixtures (a
# Ray cluster, a browser, a service) start once: a worker per core, at most 4
TEST_WORKERS ?= $(shell n=$$(nproc); echo $$(( n < 4 ? n : 4 )))

test: lint
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR)

test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

bench-model: $(STAMP)
	$(PY) benchmarks/bench_model_build.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .coverage .coverage.* mutants
