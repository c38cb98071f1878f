# cogov_sim — two commands set everything up on a fresh machine:
#   make demo   the main job: the four reference governance models side by side
#   make test   lint + the whole test suite (unit, scenario, CLI, sweeps, notebooks)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib,sys;print(hashlib.md5(open('pyproject.toml','rb').read()).hexdigest()[:8])")

.PHONY: install demo test lint bench calibrate golden clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $@

demo: install
	$(BIN)/cogov run

lint: install
	$(BIN)/ruff check cogov_sim tests benchmarks

test: lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q tests
	$(BIN)/python -m pytest -q --nbmake notebooks

bench: install
	$(BIN)/python benchmarks/bench_model.py
	$(BIN)/python benchmarks/bench_sweep.py

# Regenerate the golden baseline on purpose (a deliberate change of model behaviour).
golden: install
	COGOV_REGENERATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_golden.py

calibrate: install
	$(BIN)/cogov calibrate
	$(BIN)/cogov validate --report

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
