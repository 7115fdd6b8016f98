"""Memory: reading a large survey export holds the answers' texts once, not several times over.

    python benchmarks/memory.py                      # a 200 MB export, 3 runs a step
    python benchmarks/memory.py --megabytes 50 --repeat 1

Data: a survey export of the given size (UTF-8, ``;``-separated as Excel writes it in Norway), one answer
a row: ``id;respondent;municipality;question;text`` with texts generated as in ``throughput.py`` (clauses of
the example answers recombined, seeded); written once into a temporary directory.

Each step runs in its own process and reports the growth of its peak resident memory over what the process
held once its imports were done (so imports are not counted):

* ``pandas.read_csv`` of the id and text columns only: one copy of the texts, the baseline;
* ``coder.io.read_answers``: what every command that reads answers starts with (encoding and separator
  detected, ids checked, texts kept as strings);

and, for scale, the size of the file and of the texts as Python strings. The figures are medians over
``--repeat`` runs, and ratios to the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import generate_answers  # noqa: E402  (the same generated answers as the speed figures)

MUNICIPALITIES = ("Oppdal", "Rissa", "Indre Fosen", "Ørland")
QUESTIONS = ("styrker", "utfordringer", "samordning")

STEP = """
import json, resource, sys, time
import pandas
from coder import io
path, which = sys.argv[1], sys.argv[2]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if which == "baseline":
    frame = pandas.read_csv(path, sep=";", usecols=["id", "text"], dtype=str, keep_default_na=False)
else:
    frame = io.read_answers(path, id_col="id", text_col="text")
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
texts = sum(sys.getsizeof(text) for text in frame["text"])
print(json.dumps({"grown_mb": (peak - before) / 1024, "seconds": seconds, "texts_mb": texts / 2**20,
                  "answers": len(frame)}))
"""


def write_export(path: Path, megabytes: float, seed: int = 0) -> int:
    """Write a ``;``-separated export of about ``megabytes`` MB; the number of answers written."""
    target, written, batch = megabytes * 2**20, 0, 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["id", "respondent", "municipality", "question", "text"])
        while handle.tell() < target:
            answers = generate_answers(50_000, seed=seed + batch)
            for i, text in enumerate(answers["text"]):
                n = written + i
                writer.writerow(
                    [f"a{n:08d}", f"r{n // 3:07d}", MUNICIPALITIES[n % 4], QUESTIONS[n % 3], text]
                )
            written += len(answers)
            batch += 1
    return written


def measure(path: Path, which: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", STEP, str(path), which], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "eksport.csv"
        answers = write_export(path, args.megabytes)
        size = path.stat().st_size / 2**20
        print(f"export: {size:.0f} MB, {answers:,} answers")
        runs = {which: [measure(path, which) for _ in range(args.repeat)] for which in ("baseline", "coder")}
    texts = statistics.median(run["texts_mb"] for run in runs["baseline"])
    base = statistics.median(run["grown_mb"] for run in runs["baseline"])
    print(f"texts as Python strings: {texts:.0f} MB\n")
    print("| step | memory grown (median) | × baseline | × the texts | seconds (median) |")
    print("|---|---:|---:|---:|---:|")
    for which, label in (("baseline", "pandas.read_csv, id and text (baseline)"), ("coder", "read_answers")):
        grown = statistics.median(run["grown_mb"] for run in runs[which])
        seconds = statistics.median(run["seconds"] for run in runs[which])
        print(f"| {label} | {grown:,.0f} MB | {grown / base:.2f} | {grown / texts:.2f} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
