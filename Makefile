# The two commands: `make book` and `make test`. Both create .venv and install on first use.
# Everything else here is a helper they call, or a maintainer's tool (execute, bench).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
JOBS   ?= 2
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with book/nbval_sanitize.cfg
# Kernels run single-threaded BLAS: two notebooks at a time on two cores, without threads
# fighting over them. (Stored outputs do not depend on it: the notebooks print only numbers
# that are the same for any thread count and BLAS kernel.)
NBENV  := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
export PYTHONHASHSEED := 0

.PHONY: help install book test lint unit nbval build html execute bench compat clean

help:
	@echo "make book     build the HTML book into _build/html (creates .venv first)"
	@echo "make test     lint, unit tests, nbval over every notebook, strict build, HTML checks"
	@echo "make execute  re-run every notebook in place so stored outputs match the code"
	@echo "make bench    print notebook timings and nnlib-vs-torch ratios"
	@echo "make compat   the notebooks as Colab and Binder run them, nnlib on Python 3.10/3.13"

# One install per change of requirements.txt or pyproject.toml; a second run does nothing.
$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=24"
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP)

# -W: warnings are errors; --keep-going: report them all before failing.
build: $(STAMP)
	$(BIN)/jupyter-book build . -W --keep-going --builder html

book: build
	@echo
	@echo "The book is built: open $(CURDIR)/_build/html/index.html"
	@echo "or preview it with: $(PY) -m http.server -d _build/html 8000"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: $(STAMP)
	$(BIN)/pytest tests -m "not html" -n $(JOBS) -q -p no:cacheprovider

nbval: $(STAMP)
	$(NBENV) $(BIN)/pytest book $(NBVAL) -n $(JOBS) --dist loadfile -q -p no:cacheprovider

html: $(STAMP)
	$(BIN)/pytest tests -m html -q -p no:cacheprovider

test: $(STAMP)
	@$(PY) tools/run_checks.py \
	  "lint (ruff check)=$(BIN)/ruff check ." \
	  "lint (ruff format)=$(BIN)/ruff format --check ." \
	  "unit tests=$(BIN)/pytest tests -m 'not html' -n $(JOBS) -q -p no:cacheprovider" \
	  "nbval (strict)=$(NBENV) $(BIN)/pytest book $(NBVAL) -n $(JOBS) --dist loadfile -q -p no:cacheprovider" \
	  "book build (-W)=$(MAKE) --no-print-directory build" \
	  "built HTML checks=$(BIN)/pytest tests -m html -q -p no:cacheprovider"

execute: $(STAMP)
	$(NBENV) $(PY) tools/nbtools.py execute $(NB)

bench: $(STAMP)
	$(PY) bench/notebooks.py
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

# Colab-like, Binder, nnlib's wheel on Python 3.10/3.13 with old and new numpy, nbval on AVX2
# kernels (tools/compat.py; README "Other environments"). STEPS=colab runs one step.
compat: $(STAMP)
	$(PY) tools/compat.py $(STEPS)

clean:
	rm -rf _build .pytest_cache .ruff_cache
