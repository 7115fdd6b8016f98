"""Learning curves: how much the researcher's codes improve the suggestions for the rest of a survey.

    python benchmarks/learning.py                       # the report sets (about 5 minutes, and the refits)
    python benchmarks/learning.py --sets tune           # the sets the coders' model was tuned on
    python benchmarks/learning.py --sets dev-l,dev-m --seeds 2 --ks 0,3,10

Data: the development sets among the codebook's reference answers (``codebooks/boligsosialt-reference.csv``,
column ``source``), written and coded by other authors from the code definitions alone. Only the sets the
keywords were never chosen from are used (not ``coded_answers-train``, ``dev-a``, ``dev-b``, ``dev-d``); the
coders' model (its features, ``human_C``, ``human_positive_weight`` and the cross-validated scale) was tuned
on ``dev-f`` to ``dev-k`` (``--sets tune``), and the default run reports the other nine, ``dev-l`` to
``dev-t``. No test set of ``benchmarks/quality.py`` is read. ``--sets surveys``: two surveys written as
respondents write, without the codebook, and coded by hand with it (``benchmarks/data/survey-*.csv``; nothing
tuned on them).

Each set is one survey: the corpus the suggester learns from is every answer of the set, with the question
each answers (as a project gives it; ``--param question_weight=0`` leaves the questions out), and the
codebook's reference answers from that set are left out. For k = 0, 3, 6, 10, 20 coded answers per code,
drawn from the set (several seeds; an answer drawn is coded in full), the codebook alone and the codebook
with the k coded answers are scored on the **same** remaining answers (micro-F1 at the default threshold);
beside them a plain TF-IDF + logistic regression trained on the same coded answers. Three codebooks:

* default: ``codebooks/boligsosialt.yaml`` (keywords, examples, reference answers of the other sets);
* default without reference answers: keywords, examples and definitions, but no answers coded before --
  a codebook that has seen no answers like these (as real answers unlike the reference ones);
* lean: the same codes with their first three keywords only, no examples, no reference answers -- the
  codebook a researcher brings to a new survey;
* names: the codes' ids and names alone, as NVivo, Taguette or QualCoder export a codebook (the suggester
  starts from the words of each name, :func:`coder.codebook.label_seeds`).

Last, a simulated review session per set and seed: a researcher codes the 10 answers the review queue
offers (least certain first, as ``coder review`` orders them), the coders' model is refitted, and so on up
to 60 coded answers; against the same number of answers coded in random order. Scored on the answers that
neither order had coded by then (micro-F1 of the model) and on the whole survey with the coded answers
kept as coded (what the researcher ends up with). The time of one refit is measured on a 500-answer corpus.

The ceiling: each set coded in full but for one fold of five (about 20 answers a code), scored on the fold
left out, by the coders' model and by the codebook model fitted again with those answers among its reference
answers. What no k can beat on these sets.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from coder import codebook as codebook_module  # noqa: E402
from coder.classify import DEFAULT_THRESHOLD, UNLABELED, CodeSuggester  # noqa: E402
from coder.nlp import normalize_text  # noqa: E402
from coder.store import STORED_CONFIDENCE_FLOOR  # noqa: E402

CODEBOOK = REPO / "codebooks" / "boligsosialt.yaml"
REFERENCE = REPO / "codebooks" / "boligsosialt-reference.csv"
#: Sets whose answers the codebook's keywords were chosen from: never used here.
KEYWORD_SETS = ("coded_answers-train", "dev-a", "dev-b", "dev-d")
TUNE_SETS = ("dev-f", "dev-g", "dev-h", "dev-i", "dev-j", "dev-k")
REPORT_SETS = ("dev-l", "dev-m", "dev-n", "dev-o", "dev-p", "dev-q", "dev-r", "dev-s", "dev-t")
#: Surveys written as respondents write, without the codebook, and coded by hand with it (benchmarks/data).
SURVEY_SETS = ("survey-orland", "survey-volda")
DATA = REPO / "benchmarks" / "data"
KS = (0, 3, 6, 10, 20)
REVIEW_STEP, REVIEW_MAX = 10, 60


def same_text(text: str) -> str:
    """The key under which a set's answer and a reference answer are the same (case, spacing aside)."""
    return normalize_text(text).strip("\"' ").casefold()


def lean(codebook: codebook_module.Codebook) -> codebook_module.Codebook:
    """The codebook a researcher brings to a new survey: three keywords a code, nothing else."""
    codes = tuple(
        dataclasses.replace(code, keywords=code.keywords[:3], examples=(), counter_examples=())
        for code in codebook.codes
    )
    return dataclasses.replace(codebook, codes=codes, reference_answers=(), reference_file=None)


def names_only(codebook: codebook_module.Codebook) -> codebook_module.Codebook:
    """A codebook of names alone: each code's id and label, nothing else."""
    codes = tuple(codebook_module.Code(code.id, code.label) for code in codebook.codes)
    return dataclasses.replace(codebook, codes=codes, reference_answers=(), reference_file=None)


def gold_matrix(frame: pd.DataFrame, code_ids: list[str]) -> np.ndarray:
    codes = [set(str(c).split(";")) - {""} for c in frame["codes"].fillna("")]
    return np.array([[int(code in row) for code in code_ids] for row in codes])


def draw(gold: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Rows of k answers carrying each code (fewer where a code has fewer), no answer twice."""
    chosen: list[int] = []
    for column in range(gold.shape[1]):
        carriers = [row for row in np.flatnonzero(gold[:, column]) if row not in chosen]
        chosen.extend(rng.choice(carriers, size=min(k, len(carriers)), replace=False).tolist())
    return np.array(sorted(chosen), dtype=int)


def labels_for(gold: np.ndarray, rows: np.ndarray) -> np.ndarray:
    y = np.full(gold.shape, UNLABELED)
    y[rows] = gold[rows]
    return y


def micro_f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    return float(f1_score(gold.ravel(), predicted.ravel(), zero_division=0.0))


def plain_baseline(texts: list[str], gold: np.ndarray, rows: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """A TF-IDF + logistic regression per code trained on the coded answers alone (0/1 for ``rest``)."""
    vectorizer = TfidfVectorizer(sublinear_tf=True)
    X = vectorizer.fit_transform(texts)
    predicted = np.zeros((len(rest), gold.shape[1]), dtype=int)
    for column in range(gold.shape[1]):
        target = gold[rows, column]
        if target.min() == target.max():
            predicted[:, column] = target[0] if len(target) else 0
            continue
        model = LogisticRegression(C=10.0, class_weight="balanced", max_iter=1000)
        model.fit(X[rows], target)
        predicted[:, column] = model.predict(X[rest])
    return predicted


def fitted(book, sets: list[str], data: pd.DataFrame, **params) -> dict[str, tuple]:
    """Per set: (the suggester fitted on its answers without codes, gold matrix, seconds to fit)."""
    models = {}
    for set_name in sets:
        part = data[data["source"] == set_name].reset_index(drop=True)
        own = {same_text(text) for text in part["text"]}
        others = tuple(a for a in book.reference_answers if same_text(a.text) not in own)
        start = time.perf_counter()
        model = CodeSuggester(dataclasses.replace(book, reference_answers=others), **params)
        model.fit(part["text"].tolist(), questions=part["question"].tolist())
        models[set_name] = (model, gold_matrix(part, book.code_ids), part["text"].tolist())
        print(f"  {set_name}: {len(part)} answers, fitted in {time.perf_counter() - start:.1f} s", flush=True)
    return models


def curves(name: str, models: dict[str, tuple], seeds: int, ks: list[int]) -> dict:
    """Per k: (codebook alone, with the codes, plain baseline) micro-F1 on the same remaining answers."""
    results: dict[int, dict[str, list[float]]] = {k: {"alone": [], "coded": [], "plain": []} for k in ks}
    for model, gold, texts in models.values():
        alone = model.update(None).predict_proba_corpus() >= DEFAULT_THRESHOLD
        for seed in range(seeds):
            for k in ks:
                rows = draw(gold, k, np.random.default_rng([seed, k]))
                rest = np.setdiff1d(np.arange(len(texts)), rows)
                coded = model.update(labels_for(gold, rows)).predict_proba_corpus() >= DEFAULT_THRESHOLD
                results[k]["alone"].append(micro_f1(gold[rest], alone[rest]))
                results[k]["coded"].append(micro_f1(gold[rest], coded[rest]))
                if k:
                    results[k]["plain"].append(micro_f1(gold[rest], plain_baseline(texts, gold, rows, rest)))
    print(f"\n{name} codebook: {len(models)} sets x {seeds} seeds, micro-F1 on the answers not coded")
    header = (
        f"{'k per code':>10}{'codebook alone':>16}{'with codes':>12}{'gain':>9}{'worst':>9}"
        f"{'plain TF-IDF+LR':>17}"
    )
    print(header)
    print("-" * len(header))
    table = {}
    for k in ks:
        row = {key: statistics.mean(values) if values else None for key, values in results[k].items()}
        gains = [c - a for c, a in zip(results[k]["coded"], results[k]["alone"], strict=True)]
        row["gain"], row["worst_gain"] = statistics.mean(gains), min(gains)
        table[k] = row
        plain = "-" if row["plain"] is None else f"{row['plain']:.3f}"
        print(
            f"{k:>10}{row['alone']:>16.3f}{row['coded']:>12.3f}{row['gain']:>+9.3f}{row['worst_gain']:>+9.3f}"
            f"{plain:>17}"
        )
    return table


def margin_order(proba: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """``candidates`` least certain first, as the review queue orders them (see coder.review)."""
    shown = np.where(proba >= 0.05, np.abs(proba - DEFAULT_THRESHOLD), DEFAULT_THRESHOLD)
    margins = shown[candidates].min(axis=1)
    return candidates[np.argsort(margins, kind="stable")]


def review_session(models: dict[str, tuple], seeds: int) -> dict:
    steps = list(range(REVIEW_STEP, REVIEW_MAX + 1, REVIEW_STEP))
    scores = {order: {s: {"rest": [], "survey": []} for s in steps} for order in ("queue", "random")}
    for model, gold, texts in models.values():
        every = np.arange(len(texts))
        for seed in range(seeds):
            shuffled = np.random.default_rng(seed).permutation(every)
            chosen = {"queue": np.array([], dtype=int), "random": np.array([], dtype=int)}
            predictions = {}
            for step in steps:
                # the queue offers the least certain answers under the model refitted on what is coded so far
                proba = model.update(labels_for(gold, chosen["queue"])).predict_proba_corpus()
                open_ = shuffled[~np.isin(shuffled, chosen["queue"])]  # seeded order among ties
                chosen["queue"] = np.concatenate([chosen["queue"], margin_order(proba, open_)[:REVIEW_STEP]])
                chosen["random"] = shuffled[:step]
                for order, rows in chosen.items():
                    proba = model.update(labels_for(gold, rows)).predict_proba_corpus()
                    predicted = (proba >= DEFAULT_THRESHOLD).astype(int)
                    predictions[order] = predicted
                    kept = predicted.copy()
                    kept[rows] = gold[rows]
                    scores[order][step]["survey"].append(micro_f1(gold, kept))
                rest = np.setdiff1d(every, np.union1d(chosen["queue"], chosen["random"]))
                for order in chosen:
                    scores[order][step]["rest"].append(micro_f1(gold[rest], predictions[order][rest]))
    print(f"\nSimulated review session (default codebook, {len(models)} sets x {seeds} seeds): micro-F1")
    header = f"{'coded':>6}{'queue: rest':>14}{'random: rest':>14}{'queue: survey':>15}{'random: survey':>16}"
    print(header)
    print("-" * len(header))
    table = {}
    for step in steps:
        row = {f"{o}_{w}": statistics.mean(scores[o][step][w]) for o in scores for w in ("rest", "survey")}
        table[step] = row
        print(
            f"{step:>6}{row['queue_rest']:>14.3f}{row['random_rest']:>14.3f}"
            f"{row['queue_survey']:>15.3f}{row['random_survey']:>16.3f}"
        )
    return table


def ceiling(book, data: pd.DataFrame, models: dict[str, tuple], refit: bool, folds: int = 5) -> dict:
    """The most codes can give: each set coded but for one fold in ``folds`` (80 %: about 20 answers a code,
    more than any k above), scored on the fold left out, against the codebook alone on the same answers.

    Two routes: the coders' model as ``coder review`` refits it, and (``refit``) the codebook model fitted
    again with the coded answers among its reference answers (five fits per set: minutes).
    """
    routes = {"coders' model": [], "codebook model refitted": []} if refit else {"coders' model": []}
    print(f"\nCeiling (default codebook, {len(models)} sets): {folds}-fold within each set, micro-F1")
    for set_name, (model, gold, texts) in models.items():
        alone = micro_f1(gold, model.update(None).predict_proba_corpus() >= DEFAULT_THRESHOLD)
        predicted = {route: np.zeros_like(gold) for route in routes}
        for fold in np.array_split(np.random.default_rng(0).permutation(len(texts)), folds):
            coded = np.setdiff1d(np.arange(len(texts)), fold)
            proba = model.update(labels_for(gold, coded)).predict_proba_corpus()
            predicted["coders' model"][fold] = (proba >= DEFAULT_THRESHOLD)[fold]
            if refit:
                extra = tuple(
                    codebook_module.ReferenceAnswer(
                        texts[row], tuple(np.array(book.code_ids)[gold[row] == 1])
                    )
                    for row in coded
                )
                book_with = dataclasses.replace(
                    book, reference_answers=model.codebook.reference_answers + extra
                )
                proba = CodeSuggester(book_with).fit(texts).predict_proba_corpus()
                predicted["codebook model refitted"][fold] = (proba >= DEFAULT_THRESHOLD)[fold]
        gains = {route: micro_f1(gold, predicted[route]) - alone for route in routes}
        for route, gain in gains.items():
            routes[route].append(gain)
        print(
            f"  {set_name}: codebook alone {alone:.3f}; "
            + "; ".join(f"{r} {g:+.3f}" for r, g in gains.items())
        )
    table = {route: statistics.mean(gains) for route, gains in routes.items()}
    print("  mean gain: " + "; ".join(f"{route} {gain:+.3f}" for route, gain in table.items()))
    return table


def refit_seconds(book, data: pd.DataFrame, repeats: int = 5) -> tuple[float, float]:
    """Median time of the refit ``coder review`` does (the coders' model on 500 answers with 10 per code
    coded, then every suggestion with its evidence), and the time of the one fit of the codebook model."""
    part = data[data["source"].isin(TUNE_SETS[:3])].head(500).reset_index(drop=True)
    gold = gold_matrix(part, book.code_ids)
    ids = [str(i) for i in range(len(part))]
    start = time.perf_counter()
    model = CodeSuggester(book).fit(part["text"].tolist(), questions=part["question"].tolist())
    fit = time.perf_counter() - start
    y = labels_for(gold, draw(gold, 10, np.random.default_rng(0)))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.update(y).suggest_corpus(ids, threshold=STORED_CONFIDENCE_FLOOR)
        times.append(time.perf_counter() - start)
    return statistics.median(times), fit


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", default="report", help="report, tune, surveys, or set names joined by ','")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--ks", default=",".join(map(str, KS)))
    parser.add_argument("--param", action="append", default=[], help="NAME=VALUE: a CodeSuggester setting")
    parser.add_argument(
        "--skip",
        default="",
        help="parts to leave out: default,unseen,lean,names,review,ceiling,ceiling-refit,refit",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    named = {"report": list(REPORT_SETS), "tune": list(TUNE_SETS), "surveys": list(SURVEY_SETS)}
    sets = named.get(args.sets, args.sets.split(","))
    if set(sets) & set(KEYWORD_SETS):
        parser.error(f"the keywords were chosen from {', '.join(KEYWORD_SETS)}: use other sets")
    ks = [int(k) for k in args.ks.split(",")]
    skip = set(args.skip.split(","))
    params = {name: json.loads(value) for name, value in (p.split("=", 1) for p in args.param)}
    data = pd.read_csv(REFERENCE, dtype=str, keep_default_na=False)
    surveys = [
        pd.read_csv(DATA / f"{name}.csv", dtype=str, keep_default_na=False).assign(source=name)
        for name in sets
        if name in SURVEY_SETS
    ]
    data = pd.concat([data, *surveys], ignore_index=True)
    book = codebook_module.load(CODEBOOK)
    figures: dict[str, object] = {"sets": sets, "seeds": args.seeds, "params": params}
    print(f"Sets: {', '.join(sets)}; threshold {DEFAULT_THRESHOLD}")
    if not {"default", "review", "ceiling"} <= skip:
        print("Fitting the default codebook's model per set (once; the codes only refit the coders' model)")
        models = fitted(book, sets, data, **params)
        if "default" not in skip:
            figures["default"] = curves("Default", models, args.seeds, ks)
        if "review" not in skip:
            figures["review"] = review_session(models, args.seeds)
        if "ceiling" not in skip:
            figures["ceiling"] = ceiling(book, data, models, refit="ceiling-refit" not in skip)
    if "unseen" not in skip:
        print("\nFitting the default codebook without its reference answers per set")
        unseen = dataclasses.replace(book, reference_answers=(), reference_file=None)
        figures["unseen"] = curves(
            "Default without reference answers", fitted(unseen, sets, data, **params), args.seeds, ks
        )
    if "lean" not in skip:
        print("\nFitting the lean codebook's model per set")
        figures["lean"] = curves("Lean", fitted(lean(book), sets, data, **params), args.seeds, ks)
    if "names" not in skip:
        print("\nFitting the model of the codes' names alone per set")
        figures["names"] = curves(
            "Names alone", fitted(names_only(book), sets, data, **params), args.seeds, ks
        )
    if "refit" not in skip:
        seconds, fit = refit_seconds(book, data)
        figures["refit_seconds"], figures["codebook_fit_seconds"] = seconds, fit
        print(
            f"\nRefit in review (coders' model + suggestions with evidence), 500 answers, 10 coded per code: "
            f"{seconds:.2f} s (median of 5); the codebook model's one fit (baseline): {fit:.1f} s, "
            f"ratio {seconds / fit:.3f}"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
