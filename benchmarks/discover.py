"""How well `coder discover` groups short texts, its methods measured against each other and a baseline.

    .venv/bin/python benchmarks/discover.py [--answers 10000] [--runs 3] [--seed 0]

Data (adjusted Rand index against a grouping by hand, per workshop question):
- development workshop (benchmarks/data/idedugnad-dev.csv): the blocks, clustering, choice of the number
  of groups and the rest rule were chosen on it and on the held-aside answers below;
- example workshop (examples/rissa/idedugnad.csv): written and grouped by another author before any
  method ran on it, never used to choose anything (held out);
- held-aside answers with exactly one code (examples/coded/coded_answers.csv, split heldout): longer
  answers, the code as the group; written from the codebook's definitions, so easier than real answers
  (and the codebook's keywords were written for them: the «codes» block has an easy time here).

The yardstick above the methods: two more coders grouped both workshops by hand, blind (the notes alone,
in shuffled order; benchmarks/data/idedugnad-second-coders.csv), each scored against the first grouping.

Methods: the baseline is TF-IDF over words + k-means given the true number of groups (as the issue asks);
then coder's space with blocks switched on one by one, each with agglomerative clustering (average linkage,
cosine) and k-means, given the true number of groups, and the default with the number chosen by the tool.
The rest group counts as one group of the prediction («Diverse» is one group of the hand grouping). Last,
two alternatives to coder's groups (the communities of at least --min-size answers in the nearest-neighbour
graph): k-means with the number of groups of the best mean silhouette among 2-12, and k-means with as many
groups as coder finds communities.

Then the planted theme (examples/discover/svar.csv): with the default codebook, which candidate holds the
16 planted answers, whether its typical answers are all planted, and the nearest-code similarity of every
candidate; and the time `coder discover` takes on 10,000 generated answers (median of runs, with
`coder preprocess` on the same answers as the baseline of the same run).

`--left-out` (about 10 minutes: 32 suggesters are fitted) is the development benchmark of the planted-theme
target, which never reads svar.csv: for each code of the default codebook and four seeds, 14 answers coded
with that code alone and 136 answers without it are drawn from the tuning sets (`dev-f` … `dev-k` of the
reference answers), the code is left out of the codebook (and the reference answers drop the drawn answers
and those with that code), and `coder discover` runs with the rest. Met: the candidate holding the most of
the left-out code's grouped answers holds three quarters of them, and its typical answers all carry it.
Louvain's resolution with a codebook was chosen on it; the figures are the same answers grouped at each.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, silhouette_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from coder import codebook as codebook_module  # noqa: E402
from coder import discover  # noqa: E402
from coder.nlp import preprocess  # noqa: E402

DEV = ROOT / "benchmarks" / "data" / "idedugnad-dev.csv"
EXAMPLE = ROOT / "examples" / "rissa" / "idedugnad.csv"
SECOND_CODERS = ROOT / "benchmarks" / "data" / "idedugnad-second-coders.csv"
ANSWERS = ROOT / "examples" / "coded" / "coded_answers.csv"
PLANTED = ROOT / "examples" / "discover" / "svar.csv"
CODEBOOK = ROOT / "codebooks" / "boligsosialt.yaml"

VARIANTS = {
    "lemmas": {"lemmas": 1.0},
    "lemmas+chars": {"lemmas": 1.0, "chars": 0.5},
    "+expansion": {"lemmas": 1.0, "chars": 0.5, "expansion": 1.0},
    "+expansion+codes": {"lemmas": 1.0, "chars": 0.5, "expansion": 1.0, "codes": 0.5},
    "related words alone": {"related": 1.0},
    "all (default)": discover.BLOCK_WEIGHTS,
}


def data_sets() -> list[tuple[str, pd.DataFrame]]:
    sets = []
    for name, path in (("dev", DEV), ("example", EXAMPLE)):
        if not path.exists():
            continue
        notes = pd.read_csv(path)
        for number, (_, rows) in enumerate(notes.groupby("spørsmål", sort=False), start=1):
            sets.append((f"{name} q{number}", rows.rename(columns={"lapp": "text", "tema": "truth"})))
    answers = pd.read_csv(ANSWERS)
    answers = answers[(answers["split"] == "heldout") & answers["codes"].notna()]
    answers = answers[~answers["codes"].str.contains(";")]
    sets.append(("answers", answers.rename(columns={"codes": "truth"})))
    return sets


def baseline(texts: list[str], k: int, seed: int) -> np.ndarray:
    vectors = TfidfVectorizer().fit_transform(texts)
    return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(vectors)


def communities_then_kmeans(vectors: np.ndarray, seed: int, min_size: int = 3) -> np.ndarray:
    """Alternative: as many groups as coder finds communities, but k-means draws them; rest rule."""
    labels, _ = discover.communities(vectors, seed, min_size)
    k = max(2, len(set(labels[labels >= 0].tolist())))
    return discover._without_misfits(vectors, discover.cluster(vectors, k, seed), min_size)


def best_silhouette(vectors: np.ndarray, seed: int, min_size: int = 3) -> np.ndarray:
    """Alternative: k-means with the number of groups of the best mean silhouette among 2..12, rest rule."""
    scores = {}
    for k in range(2, min(discover.MAX_GROUPS, len(vectors) // min_size) + 1):
        scores[k] = silhouette_score(vectors, discover.cluster(vectors, k, seed), metric="cosine")
    k = max(scores, key=scores.get)
    return discover._without_misfits(vectors, discover.cluster(vectors, k, seed), min_size)


def second_coders(sets: list[tuple[str, pd.DataFrame]]) -> None:
    """The yardstick: two more coders' blind groupings by hand, each against the first (ARI, coder 2 / 3)."""
    if not SECOND_CODERS.exists():
        return
    groupings = {
        coder: rows.set_index("id")["tema"] for coder, rows in pd.read_csv(SECOND_CODERS).groupby("koder")
    }
    cells = []
    for _, rows in sets:
        scores = [
            adjusted_rand_score(rows["truth"], grouping.reindex(rows["id"]))
            for grouping in groupings.values()
            if rows["id"].isin(grouping.index).all()
        ]
        cells.append(" / ".join(f"{score:.2f}" for score in scores) or "–")
    print(f"| second coders by hand, blind (coder {' / '.join(map(str, groupings))}) | {' | '.join(cells)} |")


def quality(seed: int) -> None:
    book = codebook_module.load()
    knowledge = discover.knowledge_of(book)
    sets = data_sets()
    print("## Adjusted Rand index against the hand grouping\n")
    header = ["method", *[f"{name} ({len(rows)})" for name, rows in sets]]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    truths = {name: rows["truth"].tolist() for name, rows in sets}
    ks = {name: len(set(t)) for name, t in truths.items()}
    processed = {name: preprocess(rows["text"].tolist()) for name, rows in sets}

    def line(label: str, values: list[float]) -> None:
        print(f"| {label} | {' | '.join(f'{v:.2f}' for v in values)} |")

    second_coders(sets)
    line(
        "baseline: TF-IDF words + k-means, true k",
        [adjusted_rand_score(truths[n], baseline(rows["text"].tolist(), ks[n], seed)) for n, rows in sets],
    )
    for variant, weights in VARIANTS.items():
        for method in ("kmeans", "agglomerative"):
            values = []
            for name, _ in sets:
                space = discover.AnswerSpace(weights=dict(weights), seed=seed)
                vectors = space.fit_transform(processed[name], knowledge)
                values.append(
                    adjusted_rand_score(truths[name], discover.cluster(vectors, ks[name], seed, method))
                )
            line(f"{variant}, {method}, true k", values)
    for label, fixed in (("coder discover, true k", True), ("**coder discover, k chosen**", False)):
        values, chosen = [], []
        for name, rows in sets:
            result = discover.discover(
                rows[["id", "text"]].astype(str),
                knowledge=book,
                seed=seed,
                n_groups=ks[name] if fixed else None,
                processed=processed[name],
            )
            predicted = result.groups.set_index("id").loc[rows["id"].astype(str), "group"]
            values.append(adjusted_rand_score(truths[name], predicted))
            chosen.append(
                f"{result.n_groups}/{ks[name]}, {len(result.rest)} rest, stability {result.stability:.2f}"
            )
        line(label, values)
    print(f"| groups chosen / true | {' | '.join(chosen)} |")
    for label, method in (
        ("k by the best mean silhouette (2-12), k-means", best_silhouette),
        ("as many groups as communities, drawn by k-means", communities_then_kmeans),
    ):
        values, found = [], []
        for name, _ in sets:
            labels = method(discover.AnswerSpace(seed=seed).fit_transform(processed[name], knowledge), seed)
            values.append(adjusted_rand_score(truths[name], labels))
            found.append(f"{len(set(labels))}/{ks[name]}")
        line(label, values)
        print(f"| groups (rest included) / true | {' | '.join(found)} |")


def over_seeds(seeds: int = 6) -> None:
    """coder's groups and the two alternatives over several seeds: how much of a difference is the seed's."""
    knowledge = discover.knowledge_of(codebook_module.load())
    sets = data_sets()
    processed = {name: preprocess(rows["text"].tolist()) for name, rows in sets}
    methods = {
        "coder discover (communities)": lambda v, s: discover._without_misfits(
            v, discover.communities(v, s)[0], 3
        ),
        "k by the best mean silhouette, k-means": best_silhouette,
        "as many groups as communities, k-means": communities_then_kmeans,
    }
    print(f"\n## Over seeds 0-{seeds - 1}: mean ARI ± standard deviation, k chosen\n")
    print("| method | " + " | ".join(name for name, _ in sets) + " |")
    print("|" + "---|" * (len(sets) + 1))
    for label, method in methods.items():
        cells = []
        for name, rows in sets:
            scores = [
                adjusted_rand_score(
                    rows["truth"],
                    method(discover.AnswerSpace(seed=s).fit_transform(processed[name], knowledge), s),
                )
                for s in range(seeds)
            ]
            cells.append(f"{np.mean(scores):.2f} ± {np.std(scores):.2f}")
        print(f"| {label} | {' | '.join(cells)} |")


def planted(seed: int) -> None:
    """The planted theme with the default codebook: where its answers go, and how near each candidate is."""
    if not PLANTED.exists():
        return
    answers = pd.read_csv(PLANTED, keep_default_na=False).rename(columns={"svar": "text"})
    is_planted = set(answers.loc[answers["plantet"] != "", "id"])
    book = codebook_module.load()
    result = discover.discover(answers[["id", "text"]], codebook=book, seed=seed)
    grouped = set(result.groups["id"])
    print(f"\n## Planted theme ({len(is_planted)} answers) in {PLANTED.relative_to(ROOT)}\n")
    print(
        f"{len(grouped)} of {result.total} answers carry no code at {discover.WEAK_BELOW} or above and were "
        f"grouped; {len(is_planted & grouped)} of them are planted. {result.n_groups} groups chosen, "
        f"stability {result.stability:.2f}, {len(result.rest)} in the rest group.\n"
    )
    print("| candidate | size | planted | typical answers planted | nearest code | similarity | label |")
    print("|---|---|---|---|---|---|---|")
    for candidate in result.candidates:
        typical = candidate.ids[: discover.TYPICAL_ANSWERS]
        print(
            f"| {candidate.group} | {candidate.size} | {len(set(candidate.ids) & is_planted)} "
            f"| {sum(i in is_planted for i in typical)}/{len(typical)} | {candidate.nearest_code} "
            f"| {candidate.nearest_similarity:.2f} | {candidate.label} |"
        )
    print(f"| rest | {len(result.rest)} | {len(set(result.rest) & is_planted)} | | | | |")


def speed(n: int, runs: int) -> None:
    """What a researcher waits for, and the memory it takes: `coder discover` as a process on ``n`` answers,
    fresh caches (cold) or the same cache again (warm), against `coder preprocess` cold on the same answers
    (the baseline); peak resident memory of the whole process."""
    from benchmarks.throughput import BIN, fresh_cache, generate_answers, run

    coder = str(BIN / "coder")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        answers = work / "answers.csv"
        generate_answers(n, seed=0).to_csv(answers, index=False)
        commands = {
            "coder preprocess (baseline)": [coder, "preprocess", str(answers), "--out", str(work / "t.csv")],
            "coder discover": [coder, "discover", str(answers)],
            "coder discover --codebook": [coder, "discover", str(answers), "--codebook", str(CODEBOOK)],
        }
        times: dict[str, list[float]] = {}
        memory: dict[str, list[float]] = {}
        for _ in range(runs):
            for name, command in commands.items():
                cache = fresh_cache(work)
                for state in ("cold", "warm") if name != "coder preprocess (baseline)" else ("cold",):
                    seconds, megabytes = run(command, cache)
                    times.setdefault(f"{name}, {state}", []).append(seconds)
                    memory.setdefault(f"{name}, {state}", []).append(megabytes)
                shutil.rmtree(cache)
    base = statistics.median(times["coder preprocess (baseline), cold"])
    base_memory = statistics.median(memory["coder preprocess (baseline), cold"])
    print(f"\n## Speed and memory: {n:,} generated answers, median of {runs} runs, each a fresh process\n")
    print("| step | seconds | ratio to preprocess | peak memory (MB) | ratio to preprocess |")
    print("|---|---|---|---|---|")
    for name, values in times.items():
        seconds, megabytes = statistics.median(values), statistics.median(memory[name])
        ratios = f"{seconds / base:.1f} | {megabytes:.0f} | {megabytes / base_memory:.1f}"
        print(f"| {name} | {seconds:.1f} | {ratios} |")
    print("\ncold: no cache (preprocessing and, with a codebook, the suggester fitted); warm: cache filled.")


TUNE_SETS = ("dev-f", "dev-g", "dev-h", "dev-i", "dev-j", "dev-k")
LEFT_OUT, OTHERS = 14, 136  # as many as the planted example's, among as many answers


def left_out(seeds: tuple[int, ...] = (0, 1, 2, 3)) -> None:
    """A code left out of the codebook: does discover find its answers as one candidate (see the docs)?"""
    from dataclasses import replace

    from coder.classify import suggest
    from coder.nlp import load_pipeline, normalize_text

    book = codebook_module.load(CODEBOOK)
    pool = pd.read_csv(book.path.parent / book.reference_file, dtype=str, keep_default_na=False)
    pool = pool[pool["source"].isin(TUNE_SETS)].reset_index(drop=True)
    pool["id"] = [f"{source}:{row}" for source, row in zip(pool["source"], pool.index, strict=True)]
    pool["codeset"] = [frozenset(codes.split(";")) - {""} for codes in pool["codes"]]

    def same_text(text: str) -> str:  # as the reference answers are matched to the drawn ones
        return normalize_text(text).strip("\"' ").casefold()

    resolutions = {
        f"workshop ({discover.RESOLUTION})": discover.RESOLUTION,
        f"codebook ({discover.CODEBOOK_RESOLUTION})": None,
    }
    # per resolution and code: the target (the candidate holding the most of the code's answers has
    # typical answers of the code alone), that and three quarters of its grouped answers, and how many grouped
    met: dict[str, dict[str, list[int]]] = {name: {} for name in resolutions}
    print(f"\n## A code left out ({LEFT_OUT} of its answers among {OTHERS + LEFT_OUT}, seeds {seeds})\n")
    for index, code in enumerate(book.code_ids):
        alone = pool[[codes == frozenset({code}) for codes in pool["codeset"]]]
        without = pool[[code not in codes for codes in pool["codeset"]]]
        for seed in seeds:
            rng = np.random.default_rng([seed, index])
            rows = pd.concat(
                [
                    alone.iloc[rng.choice(len(alone), min(LEFT_OUT, len(alone)), replace=False)],
                    without.iloc[rng.choice(len(without), OTHERS, replace=False)],
                ]
            )
            rows = rows.iloc[rng.permutation(len(rows))].reset_index(drop=True)
            drawn = {same_text(text) for text in rows["text"]}
            reference = tuple(
                a for a in book.reference_answers if same_text(a.text) not in drawn and code not in a.codes
            )
            reduced = replace(
                book, codes=tuple(c for c in book.codes if c.id != code), reference_answers=reference
            )
            answers = rows[["id", "text"]]
            suggestions = suggest(answers, reduced, seed=seed, keep_human_codes=False)
            processed = preprocess(answers["text"].tolist(), load_pipeline())
            own = set(rows.loc[[codes == frozenset({code}) for codes in rows["codeset"]], "id"])
            for name, resolution in resolutions.items():
                found = discover.discover(
                    answers, codebook=reduced, suggestions=suggestions, processed=processed, seed=seed,
                    resolution=resolution,
                )  # fmt: skip
                grouped = own & set(found.groups["id"])
                best = max(found.candidates, key=lambda c: len(own & set(c.ids)), default=None)
                one = best is not None and len(own & set(best.ids)) >= 0.75 * len(grouped) > 0
                typical = best is not None and all(i in own for i in best.ids[: discover.TYPICAL_ANSWERS])
                counts = met[name].setdefault(code, [0, 0, 0])
                counts[0] += int(typical)
                counts[1] += int(typical and one)
                counts[2] += len(grouped)
    runs = len(seeds) * len(book.code_ids)
    print(
        "Target: the candidate holding the most of the code's grouped answers has typical answers of the code"
    )
    print("alone; strict: and it holds three quarters of them. Per code: strict, of the seeds.\n")
    print("| resolution | grouped of 14 | target | strict | " + " | ".join(book.code_ids) + " |")
    print("|---|---|---|---|" + "---|" * len(book.code_ids))
    for name, by_code in met.items():
        target, strict, grouped = (sum(counts[i] for counts in by_code.values()) for i in range(3))
        cells = " | ".join(f"{by_code[code][1]}/{len(seeds)}" for code in book.code_ids)
        print(f"| {name} | {grouped / runs:.1f} | {target}/{runs} | {strict}/{runs} | {cells} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--answers", type=int, default=10_000, help="answers for the speed figure")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--left-out", action="store_true", help="only the code-left-out benchmark (slow)")
    args = parser.parse_args()
    if args.left_out:
        left_out()
        return
    quality(args.seed)
    over_seeds()
    planted(args.seed)
    speed(args.answers, args.runs)


if __name__ == "__main__":
    main()
