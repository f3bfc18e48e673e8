# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: run test install browser-deps i18n bench clean

run: $(STAMP)
	$(BIN)/portal init development.ini --if-new
	$(BIN)/portal serve development.ini

test: $(STAMP) $(NPM_STAMP)
	$(BIN)/python -m pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

# axe-core for the accessibility checks of the browser tests, from the npm registry.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# Extract interface strings from Python and Chameleon templates, merge them into the catalogs
# and compile them (the compiled .mo files are committed; a test checks they are current).
i18n: $(STAMP)
	$(BIN)/pot-create -c lingua.cfg -o src/portal/locale/portal.pot src/portal templates
	for lang in vi en; do \
	  $(BIN)/pybabel update --no-fuzzy-matching -D portal -i src/portal/locale/portal.pot -d src/portal/locale -l $$lang; \
	  $(BIN)/pybabel compile -D portal -d src/portal/locale -l $$lang; \
	done

bench: $(STAMP)
	bench/pages

clean:
	rm -rf $(VENV) node_modules var
