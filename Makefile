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
	rm -rf $(OUT) && mkdir -p $(OUT)
	$(BIN)/coder info
	$(BIN)/coder codebook validate $(CODEBOOK)
	$(BIN)/coder survey check $(SURVEY)
	$(BIN)/coder survey answers $(SURVEY) --out $(OUT)/answers.csv
	$(BIN)/coder suggest $(OUT)/answers.csv --codebook $(CODEBOOK) --out $(OUT)/suggestions.csv
	$(BIN)/coder evaluate --gold examples/oppdal/koder.csv --pred $(OUT)/suggestions.csv
	$(BIN)/coder init $(OUT)/project.db --manifest $(SURVEY) --codebook $(CODEBOOK)
	$(BIN)/coder suggest --project $(OUT)/project.db
	$(BIN)/coder review $(OUT)/project.db --coder demo --accept-above 0.9 --reject-below 0.1
	$(BIN)/coder codes export $(OUT)/project.db --out $(OUT)/codes.xlsx
	$(BIN)/coder network $(EXAMPLE) --out $(OUT)/network --plot $(OUT)/plots --export graphml
	$(BIN)/coder link $(SURVEY) --codes $(OUT)/suggestions.csv --out $(OUT)/link
	$(BIN)/coder discover examples/discover/svar.csv --text-col svar --codebook $(CODEBOOK) --write $(OUT)/kandidater.yaml
	$(BIN)/coder codebook merge $(CODEBOOK) $(OUT)/kandidater.yaml -o $(OUT)/kodebok_med_kandidater.yaml
	$(BIN)/coder discover examples/rissa/idedugnad.csv --text-col lapp --question-col spørsmål \
		--groups $(OUT)/idedugnad_grupper.csv
	$(BIN)/coder summary $(SURVEY) --codes $(OUT)/suggestions.csv --out $(OUT)/summary
	@echo "Demo outputs are in $(OUT)/ (open $(OUT)/summary/summary.html)"

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
	$(BIN)/python benchmarks/network.py
	$(BIN)/python benchmarks/discover.py

clean:
	rm -rf $(VENV) out .pytest_cache
