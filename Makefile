# Two commands on a fresh machine with Python 3.11 and pip: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
OUT := out/demo
EXAMPLE := examples/oppdal/manifest.yaml
CODEBOOK := codebooks/boligsosialt.yaml

.PHONY: setup demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# The main job on the bundled example: answers -> suggested codes -> network positions -> themes by position.
demo: $(STAMP)
	mkdir -p $(OUT)
	$(BIN)/coder info
	$(BIN)/coder codebook validate $(CODEBOOK)
	$(BIN)/coder survey check $(EXAMPLE)
	$(BIN)/coder survey answers $(EXAMPLE) --out $(OUT)/answers.csv
	$(BIN)/coder suggest $(OUT)/answers.csv --codebook $(CODEBOOK) --out $(OUT)/suggestions.csv
	$(BIN)/coder network $(EXAMPLE) --level weekly --out $(OUT)/network --plot $(OUT)/plots
	$(BIN)/coder link $(EXAMPLE) --codes $(OUT)/suggestions.csv --out $(OUT)/link
	@echo "Demo outputs are in $(OUT)/"

test: $(STAMP)
	$(BIN)/ruff check coder tests benchmarks
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check coder tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/lemmas.py
	$(BIN)/python benchmarks/quality.py

clean:
	rm -rf $(VENV) out .pytest_cache
