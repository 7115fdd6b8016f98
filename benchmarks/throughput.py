"""Throughput: how long preprocessing and suggesting take for many answers, and how the cost grows.

    python benchmarks/throughput.py                    # 100,000 answers, then 10,000 and 50,000
    python benchmarks/throughput.py --sizes 2000,10000 --repeat 3 --json out/throughput.json

Data: N answers generated from the bundled example answers (``examples/coded``): clauses of different
answers recombined to 1-60 words (most short, as survey answers are), some lower-cased, unpunctuated or with
a typing slip, seeded. Short answers repeat (as «vet ikke» does in a real survey); long ones are new text.

Per size, each step runs as its own process (what a researcher waits for, imports included), in a fresh
cache directory unless it says "warm" (it holds only the lexicon store, built once when coder is first used):

* ``tokenizer``: a spaCy tokenizer-only pass over the answers (``spacy.blank("nb")``): the baseline;
* ``coder preprocess``: the embedded pipeline (lemmas, compounds, negation) and the token table written;
* ``coder suggest``: preprocessing, fitting the codebook model, suggesting with evidence, written;
* ``coder suggest (warm)``: the same command again on the cache the cold run left;
* memory over repeated runs: ``coder.classify.suggest`` five times in one process (as a notebook or
  ``coder review`` would call it), the resident memory after the first and after the last.

Each figure is the median wall time of ``--repeat`` runs, answers per second, peak RSS of the process and
the ratio to the tokenizer pass measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "codebooks" / "boligsosialt.yaml"
SOURCES = sorted((REPO / "examples" / "coded").glob("*.csv"))
BIN = Path(sys.executable).parent

TOKENIZER_ONLY = """
import sys, pandas, spacy
texts = pandas.read_csv(sys.argv[1], dtype=str, keep_default_na=False)["text"].tolist()
nlp = spacy.blank("nb")
for doc in nlp.tokenizer.pipe(texts, batch_size=1000):
    pass
"""


REPEATED = """
import sys, pandas
from coder import classify, codebook
answers = pandas.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
book = codebook.load(sys.argv[2])
for _ in range(5):
    classify.suggest(answers, book)
    with open("/proc/self/statm") as statm:
        print(int(statm.read().split()[1]) * 4096 / 2**20)
"""


def generate_answers(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` answers (``id, text``) recombined from the clauses of the example answers, seeded."""
    rng = random.Random(seed)
    texts = pd.concat([pd.read_csv(path, dtype=str)["text"] for path in SOURCES]).dropna().tolist()
    clauses = sorted({c.strip() for t in texts for c in re.split(r"[.;!?]+|, (?=og |men )", t) if c.strip()})
    answers = []
    for i in range(n):
        # Word counts: most answers are a few words, a few run long (as in the example surveys).
        length = max(1, min(60, int(rng.lognormvariate(2.0, 0.8))))
        words: list[str] = []
        while len(words) < length:
            words += rng.choice(clauses).split() + ["."]
        text = " ".join(words[:length]).replace(" .", ".")
        roll = rng.random()
        if roll < 0.2:
            text = text.lower()
        elif roll < 0.3:
            text = text.replace(".", "")
        elif roll < 0.35 and len(text) > 8:  # a typing slip: two neighbours swapped
            at = rng.randrange(1, len(text) - 2)
            text = text[:at] + text[at + 1] + text[at] + text[at + 2 :]
        answers.append((f"g{i:06d}", f"{text} ({i})" if rng.random() < 0.02 else text))
    return pd.DataFrame(answers, columns=["id", "text"])


def environment(cache: Path) -> dict[str, str]:
    """The environment of a measured process: its own cache, and this checkout's ``coder`` before the one
    the venv installed (so a benchmark run from a worktree of an older commit measures that commit)."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "CODER_CACHE_DIR": str(cache), "PYTHONPATH": path}


def run(command: list[str], cache: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process."""
    env = environment(cache)
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def fresh_cache(work: Path) -> Path:
    """A cache directory with the lexicon store and nothing else (no preprocessed answers, no models)."""
    template = work / "lexicon-only"
    if not template.exists():
        subprocess.run(
            [sys.executable, "-c", "from coder.lexicon import get_lexicon; get_lexicon()"],
            env=environment(template),
            check=True,
        )
    cache = Path(tempfile.mkdtemp(dir=work))
    for store in template.glob("nb_lexicon-*"):
        shutil.copy(store, cache)
    return cache


def measure(n: int, repeat: int, work: Path) -> list[dict]:
    answers_file = work / f"answers-{n}.csv"
    generate_answers(n).to_csv(answers_file, index=False)
    coder = str(BIN / "coder")
    steps = {
        "tokenizer": [sys.executable, "-c", TOKENIZER_ONLY, str(answers_file)],
        "coder preprocess": [coder, "preprocess", str(answers_file), "--out", str(work / "tokens.csv")],
        "coder suggest": [
            coder,
            "suggest",
            str(answers_file),
            "--codebook",
            str(CODEBOOK),
            "--out",
            str(work / "s.csv"),
        ],
    }
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in [*steps, "coder suggest (warm)"]}
    for _ in range(repeat):
        for name, command in steps.items():
            cache = fresh_cache(work)
            figures[name].append(run(command, cache))
            if name == "coder suggest":
                figures["coder suggest (warm)"].append(run(command, cache))
            shutil.rmtree(cache)
    cache = fresh_cache(work)
    env = environment(cache)
    command = [sys.executable, "-c", REPEATED, str(answers_file), str(CODEBOOK)]
    printed = subprocess.run(command, env=env, capture_output=True, check=True).stdout
    resident = [round(float(mb)) for mb in printed.split()]
    shutil.rmtree(cache)
    print(f"{n} answers, suggest 5 times in one process: resident MB after each run {resident}")
    baseline = statistics.median(wall for wall, _ in figures["tokenizer"])
    rows = []
    for name, runs in figures.items():
        wall = statistics.median(w for w, _ in runs)
        rows.append(
            {
                "answers": n,
                "step": name,
                "seconds": round(wall, 2),
                "answers_per_second": round(n / wall),
                "peak_rss_mb": round(max(rss for _, rss in runs)),
                "ratio_to_tokenizer": round(wall / baseline, 2),
            }
        )
    rows.append({"answers": n, "step": "resident MB over 5 runs in one process", "resident_mb": resident})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,10000,50000", help="comma-separated answer counts")
    parser.add_argument("--repeat", type=int, default=1, help="runs per step (the median is reported)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for n in (int(size) for size in args.sizes.split(",")):
            rows += measure(n, args.repeat, Path(work))
            print(pd.DataFrame([r for r in rows if "seconds" in r]).to_string(index=False), flush=True)
            print()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
