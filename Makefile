# Two commands on a fresh machine with Python 3.11 and pip: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT := out/demo
EXAMPLE := examples/oppdal/manifest.yaml
SURVEY := examples/oppdal-rissa.yaml
CODEBOOK := codebooks/boligsosialt.yaml

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# The main job on the bundled examples: answers -> suggested codes (checked against the hand codes) -> a coding
# project with bulk review -> network positions -> themes by position -> themes the codebook misses and the
# idea workshop's notes in groups -> theme summary (with the workshop section). Answers and codes cover
# both municipalities ($(SURVEY)); the network is analysed per municipality.
demo: $(STAMP)
	$(BIN)/coder info
	$(BIN)/coder demo --out-dir $(OUT)

test: $(STAMP)
	$(BIN)/ruff check coder tests benchmarks
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check coder tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/lemmas.py
	$(BIN)/python benchmarks/quality.py
	$(BIN)/python benchmarks/learning.py
	$(BIN)/python benchmarks/throughput.py
	$(BIN)/python benchmarks/memory.py
	$(BIN)/python benchmarks/network.py
	$(BIN)/python benchmarks/discover.py

clean:
	rm -rf $(VENV) out .pytest_cache
