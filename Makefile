# Quartier Commun — `make run` serves the demo, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
E2E_STAMP := $(VENV)/.installed-e2e
NODE_STAMP := e2e/node/node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install run serve worker migrate demo test test-pg test-e2e screenshots lighthouse lint format bench bench-agir bench-assemblies bench-uploads clean

help: ## List the commands
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the pinned dependencies

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

demo: migrate ## Load the demo neighbourhood (idempotent)
	$(BIN)/python manage.py seed_demo

run: demo ## Set up and serve the demo site on http://127.0.0.1:8000 (HTTP + WebSocket)
	@echo ""
	@echo "  Quartier Commun: http://$(HOST):$(PORT)/   (admin: http://$(HOST):$(PORT)/admin/)"
	@echo ""
	@bash scripts/serve.sh $(HOST) $(PORT)

worker: $(STAMP) ## Run the background task worker
	$(BIN)/python manage.py db_worker

test: $(STAMP) ## Set up and run the test suite (SQLite + in-memory channel layer)
	$(BIN)/python -m pytest -q

test-pg: $(STAMP) ## Run the test suite on PostgreSQL + Redis (DATABASE_URL, REDIS_URL)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} \
	$(BIN)/python -m pytest -q

$(E2E_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev,e2e]"
	touch $(E2E_STAMP)

test-e2e: $(E2E_STAMP) $(NODE_STAMP) ## Browser journeys in Debian's Chromium (needs /usr/bin/chromium)
	@test -x /usr/bin/chromium || { echo "Chromium is missing: apt-get install chromium"; exit 1; }
	$(BIN)/python -m pytest -q -p no:cacheprovider e2e

# Lighthouse and the W3C Nu HTML checker, pinned in e2e/node/package-lock.json (npm registry).
$(NODE_STAMP): e2e/node/package-lock.json
	npm ci --prefix e2e/node --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(NODE_STAMP)

screenshots: $(E2E_STAMP) ## Phone and desktop screenshots of every page type (test-results/screenshots/)
	$(BIN)/python -m e2e.screenshots

lighthouse: $(E2E_STAMP) $(NODE_STAMP) ## Lighthouse scores of the main pages on a phone (accessibility and best practices 100)
	$(BIN)/python -m e2e.lighthouse

lint: $(STAMP) ## Lint, layer rules (import-linter), security lint (bandit), migrations match the models
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports --no-cache
	$(BIN)/bandit -q -r civic cms api config -x '*/migrations/*'

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP) ## Measure the idea pages on 10,000 ideas (own database, dropped at the end)
	$(BIN)/python bench/proposals.py

bench-agir: $(STAMP) ## Sign-ups under concurrency and the action page with 200 shifts (own database, dropped at the end)
	$(BIN)/python bench/volunteering.py

bench-assemblies: $(STAMP) ## Live vote: 500 and 1,000 members over WebSockets, in-memory and Redis (two servers)
	$(BIN)/python bench/assemblies.py

bench-uploads: $(STAMP) ## Peak memory of one process under bursts of large photos, next to one small photo
	$(BIN)/python bench/uploads.py

clean: ## Remove the virtualenv, the SQLite database and local media
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* media staticfiles
