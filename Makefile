# Two commands matter: `make book` builds the HTML book, `make test` runs every test.
# Both create the virtual environment and install the exact pins on first use.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
# the helper package is imported from this checkout (also inside git worktrees)
export PYTHONPATH := $(CURDIR)
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: book test validate clean venv bench pins
# the tool that compiles requirements.txt from pyproject.toml (exact: its output format is part of the file)
UV_PIN := uv==0.13.9

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	@rm -f $(VENV)/.installed-* && touch $@

## make pins: recompile requirements.txt (exact pins of the runtime, test and lint dependencies
## declared in pyproject.toml). Pins already in requirements.txt are kept where they still fit;
## `make pins PINS_FLAGS=--upgrade` (or --upgrade-package NAME) moves them.
pins:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(UV_PIN)
	$(BIN)/uv pip compile pyproject.toml --extra test --extra lint --python $(BIN)/python \
	  --custom-compile-command "make pins" --quiet $(PINS_FLAGS) -o requirements.txt

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
	$(BIN)/python -m pytest -n 2 --dist loadfile book

## make bench: the performance budget (clean build vs a bare book, rebuilds, page weight) -> _build/bench.md
bench: $(STAMP)
	$(BIN)/python tools/bench.py

clean:
	rm -rf _build .pytest_cache
