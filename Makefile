# Integration Hub: `make run` serves a working hub, `make test` checks everything.
# Both set up their own tooling from the lock file on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000

# Backends the test suite runs against, one pytest run each. `sqlite` alone needs
# no services; `postgresql+redis` needs PostgreSQL and Redis on 127.0.0.1.
TEST_MATRIX ?= sqlite postgresql+redis
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?= -n 2

.PHONY: run test lint typecheck pytest format bench clean

run: $(VENV)/.synced
	@$(BIN)/integration-hub bootstrap
	@echo
	@echo "Integration Hub: http://$(HOST):$(PORT)   (API docs: http://$(HOST):$(PORT)/docs)"
	@echo "Demo user's API token: $$(cat var/demo-token)"
	@echo
	@exec $(BIN)/integration-hub serve --host $(HOST) --port $(PORT)

test: lint typecheck pytest

lint: $(VENV)/.synced
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.synced
	$(BIN)/mypy

pytest: $(VENV)/.synced
	@set -e; for backend in $(TEST_MATRIX); do \
	  case $$backend in \
	    sqlite) env="HUB_TEST_DATABASE=sqlite HUB_TEST_REDIS_URL=" ;; \
	    postgresql+redis) env="HUB_TEST_DATABASE=postgresql \
	      HUB_TEST_POSTGRES_URL=$(TEST_POSTGRES_URL) HUB_TEST_REDIS_URL=$(TEST_REDIS_URL)" ;; \
	    *) echo "unknown TEST_MATRIX entry: $$backend" >&2; exit 2 ;; \
	  esac; \
	  echo "== tests on $$backend"; \
	  extra=""; [ "$$backend" = sqlite ] || extra="--ignore=tests/sandbox"; \
	  env $$env $(BIN)/pytest $$extra $(PYTEST_ARGS); \
	done

format: $(VENV)/.synced
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(VENV)/.synced
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script; done

# The virtual environment, with uv inside it, installed exactly from uv.lock.
$(UV):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --compile-bytecode --quiet
	@touch $@

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
