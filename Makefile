# otklik: the README's commands. Everything installs into .venv from the package registries.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install browser run test unit integration e2e soak lint format bench layer-size lexicon model clean

install: $(STAMP)

$(STAMP): pyproject.toml layers/otklik/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## browser: Debian's chromium, for the dashboard's browser test (tests/e2e/test_dashboard_browser.py), when
## it is absent and this is root with apt-get (CI); elsewhere nothing is installed and that test says it skipped
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -q && apt-get install -y -q chromium; \
	  else \
	    echo "chromium is not installed (needs root and apt-get): the dashboard's browser test will skip"; \
	  fi; }

## run: the whole stack on one machine (API :3000, moto :4566), in the foreground
run: install
	$(BIN)/python -m infra.local

## test: lint, then unit, integration and end-to-end tests (on two workers: the CI machine has two cores)
test: lint browser
	$(BIN)/pytest -q -n 2

unit: install
	$(BIN)/pytest -q tests/unit

integration: install
	$(BIN)/pytest -q tests/integration

e2e: install
	$(BIN)/pytest -q tests/e2e

## soak: SOAK_WEBHOOKS (10,000) signed webhooks from 8 senders, re-deliveries included, under injected
## DynamoDB throttling, SQS send errors and Slack 5xx; prints lost, doubled, aggregates, DLQs, throughput
SOAK_WEBHOOKS ?= 10000
soak: install
	$(BIN)/python -m tests.soak --webhooks $(SOAK_WEBHOOKS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	for app in functions/*/app.py; do $(BIN)/mypy $$app || exit 1; done
	$(BIN)/lint-imports
	$(BIN)/cfn-lint template.yaml

## lexicon: expand the Russian lexicon sources to every word form (pymorphy3) into the shipped table
lexicon: install
	$(BIN)/python -m otklik.entrypoints.build_lexicon
	$(BIN)/python -m otklik.entrypoints.build_topics

## model: train the shipped learned tonality layer from ../shared/datasets (5-fold CV, leave one set
## out, the gate's search, the learning curve), deterministically, into domain/tonality/model/
model: install
	$(BIN)/python -m otklik.entrypoints.build_model

## bench: tonality, topics and moderation speed against VADER in the same run, load time and memory;
## the whole enrichment's CPU per item against its 0.5 ms budget; SLA deadlines, short and long; the
## SLA sweep's tickets per run, one at a time and with its workers, against the 1,300 asked for; each
## function's cold import time against `import boto3` (and the layer's size, once layer-size built it); a
## report's charts, page and peak memory
bench: install
	$(BIN)/python -m tests.bench.bench_tonality
	$(BIN)/python -m tests.bench.bench_topics
	$(BIN)/python -m tests.bench.bench_moderation
	$(BIN)/python -m tests.bench.bench_enrichment
	$(BIN)/python -m tests.bench.bench_sla
	$(BIN)/python -m tests.bench.bench_sweep
	$(BIN)/python -m tests.bench.bench_drafts
	$(BIN)/python -m tests.bench.bench_spikes
	$(BIN)/python -m tests.bench.bench_reports
	$(BIN)/python -m tests.bench.bench_cold_start

## layer-size: the arm64 python3.13 layers built from wheels, as sam build does, and their sizes: the
## otklik layer into build/layer, the charts layer (matplotlib, the report builder's only) into
## build/charts-layer
layer-size: install
	rm -rf build/layer
	$(MAKE) -C layers/otklik build-OtklikLayer ARTIFACTS_DIR=$(CURDIR)/build/layer PYTHON=$(CURDIR)/$(BIN)/python
	$(BIN)/python layers/otklik/build_layer.py report build/layer
	rm -rf build/charts-layer
	$(MAKE) -C layers/charts build-ChartsLayer ARTIFACTS_DIR=$(CURDIR)/build/charts-layer PYTHON=$(CURDIR)/$(BIN)/python
	$(BIN)/python layers/otklik/build_layer.py report build/charts-layer

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
