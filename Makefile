# Two commands from a fresh clone: `make lab` and `make test`. Each builds .venv first if needed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab test verify bench book clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

lab: $(STAMP)          ## open the series in JupyterLab
	$(VENV)/bin/jupyter lab notebooks/00_index.ipynb

test: $(STAMP)         ## unit tests and every notebook under nbval
	$(PY) -m pytest

verify: $(STAMP)       ## check every equation of the four source derivations
	$(PY) -m backprop_lib verify

bench: $(STAMP)        ## speed of the per-sample loop vs the batched form vs the GEMM floor
	$(PY) benchmarks/bench_backprop.py

book: $(STAMP)         ## the series as an offline web site: book/_build/html/index.html
	$(PY) book/build.py

clean:
	rm -rf $(VENV) release reports screenshots _build book/_build
