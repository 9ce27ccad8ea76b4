# Two commands matter: `make book` builds the HTML book, `make test` runs every test.
# Both create the virtual environment and install the exact pins on first use.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
# the helper package is imported from this checkout (also inside git worktrees)
export PYTHONPATH := $(CURDIR)
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Python may cache the helper package's compiled modules (migbook/__pycache__/, ignored by git):
# with PYTHONDONTWRITEBYTECODE set (common in container images) every build, and every kernel
# it starts, compiled migbook/ from source again (about 0.1 s each)
unexport PYTHONDONTWRITEBYTECODE

.PHONY: book test validate clean venv bench pdf lab pins lint lint-code format format-chapters stats
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

LINTED := migbook tests tools conftest.py

## make lint: ruff over the package, tests and tools (rules and formatting), then over the
## chapters' code cells (tools/chapter_code.py: they must also fit the book's code column)
lint: lint-code
	$(BIN)/python tools/chapter_code.py check

lint-code: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

## make format: apply ruff's safe fixes and its formatter to the package, tests and tools
format: $(STAMP)
	$(BIN)/ruff check --fix-only --quiet $(LINTED)
	$(BIN)/ruff format $(LINTED)

## make format-chapters: the same over the chapters' code cells, in place (prose left as is)
format-chapters: $(STAMP)
	$(BIN)/python tools/chapter_code.py format

## make validate: check data/ against data/datapackage.json only (fast, no build)
validate: $(STAMP)
	$(BIN)/python -m migbook.cli.validate data

## make stats: after an intended edit of data/, record each file's row count, size and
## sha256 in data/datapackage.json (validation refuses a file that differs from them)
stats: $(STAMP)
	$(BIN)/python -m migbook.cli.validate --update-stats data

## make book: build the HTML book into _build/html (warnings are errors). One build at a time
## in a checkout (tools/one_build.py: a second one waits); a failed build removes nothing and
## leaves _build/BUILD-FAILED.txt (do not publish _build/html) until a build succeeds
book: $(STAMP)
	@$(BIN)/python tools/one_build.py -- $(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo "Book: _build/html/index.html"

## make test: lint (package, tests, tools and the chapters' code), then the whole test suite: unit, data and built-book tests (the book and its PDF
## are made once for the run, from a clean cache, into $(TEST_RUN), by whichever worker needs them
## first; the workers share the built-book and browser tests), then nbval over every notebook
## page (one notebook per worker) against the notebooks that build executed. Your _build/ is
## left as it is.
TEST_RUN := _build/test-run
test: $(STAMP) lint
	@mkdir -p $(dir $(TEST_RUN))  # pytest makes --basetemp itself, not its parents
	$(BIN)/python -m pytest -n 2 --dist load --basetemp=$(TEST_RUN) tests
	MIGBOOK_EXECUTED=$(TEST_RUN)/book/_build/jupyter_execute $(BIN)/python -m pytest -n 2 --dist loadfile book

## make bench: the performance budget (clean build vs a bare book, rebuilds, page weight) -> _build/bench.md
bench: $(STAMP)
	$(BIN)/python tools/bench.py

## make pdf: the whole book as one PDF, printed by headless Chromium from a single-page build
## -> _build/pdf/migbook.pdf (then copied into _build/html and linked from the front page)
pdf: $(STAMP)
	$(BIN)/python tools/one_build.py -- $(BIN)/python tools/pdf.py
	@$(MAKE) --no-print-directory book

## make lab: JupyterLab on 127.0.0.1 with the chapters opening as notebooks (jupytext). On first
## use it makes a second venv, $(VENV)-lab, layered over the build's (a .pth file puts the build
## venv's packages on its path) and installs requirements-lab.txt there: the build's own venv
## stays lean (JupyterLab's dependencies add seconds to every build's start-up).
## LAB_PORT, LAB_ARGS (e.g. --no-browser)
LAB_VENV ?= $(VENV)-lab
LAB_BIN := $(LAB_VENV)/bin
LAB_STAMP := $(LAB_VENV)/.lab-$(shell cksum requirements-lab.txt requirements.txt | cksum | cut -d' ' -f1)
LAB_PORT ?= 8888
$(LAB_STAMP): requirements-lab.txt $(STAMP)
	@test -x $(LAB_BIN)/python || $(BIN)/python -m venv $(LAB_VENV)
	$(BIN)/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])" \
	  > "$$($(LAB_BIN)/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")/migbook-build-venv.pth"
	$(LAB_BIN)/python -m pip install --quiet -r requirements-lab.txt -c requirements.txt
	$(LAB_BIN)/python tools/lab_settings.py $(LAB_VENV)
	@rm -f $(LAB_VENV)/.lab-* && touch $@

lab: $(STAMP) $(LAB_STAMP)
	$(LAB_BIN)/python -m jupyterlab --ip=127.0.0.1 --port=$(LAB_PORT) --ServerApp.root_dir=$(CURDIR) \
	  --ServerApp.contents_manager_class=jupytext.TextFileContentsManager --LabApp.extension_manager=readonly \
	  $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

clean:
	rm -rf _build .pytest_cache
