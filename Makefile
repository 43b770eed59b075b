# bangfu — two commands: `make demo` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test test-suite lint bench bench-load bench-scale install install-dev assets messages translations clean bundle test-bundle

# Stamp files make re-runs cheap: the venv is rebuilt only when pyproject.toml changes.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed assets messages
install-dev: $(VENV)/.installed-dev assets messages

# Front-end libraries come from the npm registry at install time; none is committed.
assets: src/bangfu/static/vendor/.stamp
src/bangfu/static/vendor/.stamp: package.json package-lock.json scripts/vendor_assets.sh
	bash scripts/vendor_assets.sh
	touch $@

messages: | $(BIN)/python
	$(BIN)/python -m bangfu.lib.messages

demo: install
	$(BIN)/bangfu demo --addr $(ADDR)

lint: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	BANGFU_DEBUG=1 $(BIN)/mypy src

test: install-dev lint
	@$(MAKE) --no-print-directory test-suite

# pytest alone, installing nothing: .ci/run installs and lints once, then runs this on SQLite and
# on PostgreSQL at the same time.
test-suite:
	$(BIN)/python -m pytest; rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest: no tests collected"; exit 1; fi; exit $$rc

# The load and province-scale runs take minutes and need PostgreSQL: their own targets.
bench: install-dev
	@for f in $(filter-out bench/load.py bench/scale.py bench/_%,$(wildcard bench/*.py)); do echo "== $$f"; $(BIN)/python $$f || exit 1; done

bench-load: install-dev
	$(BIN)/python bench/load.py

bench-scale: install-dev
	$(BIN)/python bench/scale.py

clean:
	rm -rf $(VENV) node_modules src/bangfu/static/vendor dist

# The offline bundle for a server without internet (docs/deploy.md): dist/bangfu-*-offline-*.tar.gz.
# Another target: make bundle BUNDLE_PYTHON=3.11 BUNDLE_PLATFORM=manylinux_2_28_aarch64
bundle: install
	bash scripts/bundle.sh

# Build the bundle, install it offline in a temp dir, serve it, upgrade it (CI runs this once).
test-bundle: bundle install-dev
	BANGFU_TEST_BUNDLE="$$(ls -t dist/bangfu-*-offline-*.tar.gz | head -n 1)" $(BIN)/python -m pytest tests/deploy -q -p no:cacheprovider

# Refresh the English catalogue after adding UI strings, then translate the empty entries.
translations: install-dev
	$(BIN)/python -m bangfu.lib.messages update
