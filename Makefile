# Two commands from a fresh clone: `make lab` and `make test`. Each builds .venv first if needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab test lint verify bench book clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# JupyterLab refuses to run as root (containers often do) unless told so; LAB_ARGS adds your own options,
# e.g. `make lab LAB_ARGS="--no-browser --port 8890"`.
LAB_ARGS ?=
ROOT_ARGS := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)          ## write your workbook (only what is missing) and open it in JupyterLab
	$(PY) -m backprop_lib workbook workbook
	$(VENV)/bin/jupyter lab $(ROOT_ARGS) --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/workbook/00_index.ipynb $(LAB_ARGS)

test: $(STAMP)         ## unit tests and every notebook under nbval, on 4 pytest-xdist workers (one per test file)
	$(PY) -m pytest -n 4 --dist loadfile

lint: $(STAMP)         ## ruff: lint and format check of the package, the tests and the notebooks' code
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

verify: $(STAMP)       ## check every equation of the four source derivations
	$(PY) -m backprop_lib verify

bench: $(STAMP)        ## speed of the per-sample loop vs the batched form vs the GEMM floor
	$(PY) benchmarks/bench_backprop.py

# BOOK_ARGS adds options of book/build.py, e.g. `make book BOOK_ARGS=--strict` (any Sphinx warning fails).
BOOK_ARGS ?=
book: $(STAMP)         ## the series as an offline web site: book/_build/html/index.html
	$(PY) book/build.py $(BOOK_ARGS)

clean:
	rm -rf $(VENV) release reports screenshots _build book/_build

# Mutation testing (issue #13), not part of `make test`: minutes for the numeric core, in a scratch copy of the tree.
# MUTATE=symbolic: the proof engine (symbolic/check, index and their parts), about an hour on 2 cores;
# MUTATION_ARGS="--jobs 1", "--modules costs" or "--modules symbolic/diagnose" for a part.
MUTATE ?= numeric
MUTATION_ARGS ?=
.PHONY: mutation
mutation: $(STAMP)     ## do the tests catch wrong code? mutmut over the numeric core (MUTATE=symbolic: the proof engine)
	$(PY) mutation/run.py $(MUTATE) $(MUTATION_ARGS)
