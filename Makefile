# cogov_sim — two commands set everything up on a fresh machine:
#   make demo   the main job: the four reference governance models side by side
#   make test   lint + the whole test suite (unit, scenario, CLI, sweeps, notebooks)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell $(PYTHON) -c "import hashlib,sys;print(hashlib.md5(open('pyproject.toml','rb').read()).hexdigest()[:8])")
# A second environment on the newest Mesa 3.x (Mesa >= 3.4 needs Python >= 3.12), when such a Python exists.
PYTHON_NEXT ?= $(shell for c in python3.14 python3.13 python3.12 $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3); do \
	$$c -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null && { echo $$c; break; }; done)
VENV_NEXT ?= .venv-next
#: The smoke subset run on the newest Mesa: the model, its books, scenarios, network and the golden baseline.
SMOKE = tests/test_model.py tests/test_ledger.py tests/test_scenario.py tests/test_network.py tests/test_golden.py

.PHONY: install system-packages demo test test-mesa-next lint bench calibrate golden clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[analysis,notebooks,dev,dashboard,bench]"
	rm -f $(VENV)/.installed-* && touch $@

demo: install
	$(BIN)/cogov run

lint: install
	$(BIN)/ruff check cogov_sim tests benchmarks

# Notebooks run top to bottom under nbmake at these smaller sizes (each reads them from the environment).
NB_SIZES = COGOV_NB_RESIDENTS=1000 COGOV_NB_MONTHS=24 COGOV_NB_SEEDS=2 COGOV_NB_SAMPLES=24 COGOV_NB_SOBOL_N=8 \
           COGOV_NB_WORKERS=2

# chromium and CJK fonts for the browser tests and Chinese figures (apt-get as root, when missing)
system-packages:
	bash .ci/system-packages

test: lint system-packages
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q tests
	$(NB_SIZES) $(BIN)/python -m pytest -q --nbmake notebooks
	$(MAKE) --no-print-directory test-mesa-next

# Forward compatibility: the smoke subset on the newest Mesa 3.x, deprecations as errors.
test-mesa-next:
ifeq ($(PYTHON_NEXT),)
	@echo "Mesa-next leg SKIPPED: no Python >= 3.12 on this machine (Mesa >= 3.4 needs it)"
else
	$(PYTHON_NEXT) -m venv $(VENV_NEXT)
	$(VENV_NEXT)/bin/python -m pip install --quiet --upgrade pip
	$(VENV_NEXT)/bin/python -m pip install --quiet -e ".[dev]" "mesa>=3.4,<4"
	@$(VENV_NEXT)/bin/python -c "import mesa, platform; print('Mesa-next leg: Mesa', mesa.__version__, 'on Python', platform.python_version())"
	$(VENV_NEXT)/bin/python -m pytest -q -p no:cacheprovider $(SMOKE)
endif

# Every speed figure with its target, in one run; rewrites the README's speed table (numba: the fused kernel).
bench: install
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/bench_all.py --readme README.md

# Regenerate the golden baseline on purpose (a deliberate change of model behaviour).
golden: install
	COGOV_REGENERATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_golden.py

calibrate: install
	$(BIN)/cogov calibrate
	$(BIN)/cogov validate --report

clean:
	rm -rf $(VENV) $(VENV_NEXT) runs .pytest_cache .ruff_cache
