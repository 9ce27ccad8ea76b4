# Two commands matter: `make book` builds the HTML book, `make test` runs every test.
# Both create the virtual environment and install the exact pins on first use.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
# the helper package is imported from this checkout (also inside git worktrees)
export PYTHONPATH := $(CURDIR)
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: book test validate clean venv bench pdf lab

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@rm -f $(VENV)/.installed-* && touch $@

## make validate: check data/ against data/datapackage.json only (fast, no build)
validate: $(STAMP)
	$(BIN)/python -m migbook.validate data

## make book: build the HTML book into _build/html (warnings are errors)
book: $(STAMP)
	@$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going \
	  || { rm -rf _build/html; echo "Build failed: _build/html removed so nothing wrong is published." >&2; exit 1; }
	@echo "Book: _build/html/index.html"

## make test: the whole test suite: unit, data and built-book tests (the book is built once, into a
## temporary folder), then nbval over every notebook page (one notebook per worker)
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests
	@$(MAKE) --no-print-directory book  # nbval compares each chapter with the build's executed notebook
	$(BIN)/python -m pytest -n 2 --dist loadfile book

## make bench: the performance budget (clean build vs a bare book, rebuilds, page weight) -> _build/bench.md
bench: $(STAMP)
	$(BIN)/python tools/bench.py

## make pdf: the whole book as one PDF, printed by headless Chromium from a single-page build
## -> _build/pdf/migbook.pdf (then copied into _build/html and linked from the front page)
pdf: $(STAMP)
	$(BIN)/python tools/pdf.py
	@$(MAKE) --no-print-directory book

## make lab: JupyterLab on 127.0.0.1 with the chapters opening as notebooks (jupytext); installs
## requirements-lab.txt into the same venv on first use. LAB_PORT, LAB_ARGS (e.g. --no-browser)
LAB_STAMP := $(VENV)/.lab-$(shell cksum requirements-lab.txt | cut -d' ' -f1)
LAB_PORT ?= 8888
$(LAB_STAMP): requirements-lab.txt $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-lab.txt -c requirements.txt
	$(BIN)/python tools/lab_settings.py $(VENV)
	@rm -f $(VENV)/.lab-* && touch $@

lab: $(STAMP) $(LAB_STAMP)
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(LAB_PORT) --ServerApp.root_dir=$(CURDIR) \
	  --ServerApp.contents_manager_class=jupytext.TextFileContentsManager --LabApp.extension_manager=readonly \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

clean:
	rm -rf _build .pytest_cache
