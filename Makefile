# Jenjang: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask
export FLASK_APP := wsgi:app

.PHONY: run test e2e install install-dev migrate seed translations lint check bench clean

$(BIN)/activate:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 tidak ditemukan ($(PYTHON))."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations

install-dev: $(VENV)/.installed-dev translations

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d translations -f

migrate: install
	JENJANG_ENV=development $(FLASK) db upgrade

## make run: virtualenv, install, migrate, seed the demo district (once), serve on 127.0.0.1:5000
run: migrate
	JENJANG_ENV=development $(FLASK) demo seed --if-empty
	JENJANG_ENV=development $(FLASK) demo logins
	JENJANG_ENV=development $(FLASK) run --host 127.0.0.1 --port 5000

## make test: install dev dependencies and run the whole suite (PostgreSQL when TEST_DATABASE_URL is set):
## first everything but the browser tests, spread over every core (pytest-xdist; its time is printed),
## then the browser tests in tests/e2e in one process when /usr/bin/chromium is present (skipped
## otherwise; E2E=0 leaves them out, as .ci/run does, which runs them apart).
## PYTEST_ARGS passes options to the first run, e.g. make test PYTEST_ARGS="tests/letters -x"
E2E ?= 1
test: install-dev
	@start=$$(date +%s); $(BIN)/python -m pytest -n auto -m "not e2e" $(PYTEST_ARGS); status=$$?; \
	echo "make test: the suite without the browser tests took $$(( $$(date +%s) - start )) s"; \
	[ $$status -eq 0 ] || exit $$status; \
	if [ "$(E2E)" != 0 ]; then $(BIN)/python -m pytest tests/e2e -m e2e -p no:cacheprovider; fi

## make e2e: only the browser tests (Playwright driving Debian's Chromium, no browser download).
## With E2E_REQUIRED=1 (as .ci/run sets it) a skipped browser test, or none at all, fails the run.
e2e: install-dev
	$(BIN)/python -m pytest tests/e2e -m e2e -rs -p no:cacheprovider

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## flask db check: the models and migrations agree
check: install-dev
	rm -f instance/dbcheck.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/instance/dbcheck.sqlite3 JENJANG_ENV=development $(FLASK) db upgrade
	DATABASE_URL=sqlite:///$(CURDIR)/instance/dbcheck.sqlite3 JENJANG_ENV=development $(FLASK) db check
	rm -f instance/dbcheck.sqlite3

bench: install-dev
	$(BIN)/python -m bench.assess --kims 1000
	$(BIN)/python -m bench.assess --kims 10000
	$(BIN)/python -m bench.roadmap
	$(BIN)/python -m bench.export
	$(BIN)/python -m bench.coaching
	$(BIN)/python -m bench.startup

clean:
	rm -rf $(VENV) instance/jenjang.sqlite3
