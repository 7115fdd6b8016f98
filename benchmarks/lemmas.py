"""Lemma accuracy of the active pipeline on UD Norwegian Bokmål (gold tokens).

Usage::

    python benchmarks/lemmas.py [--split test|dev] [--spacy-model NAME_OR_PATH] [--repeats N]

Reads ``../shared/data/ud_norwegian_bokmaal/no_bokmaal-ud-{split}.conllu`` relative to the repository
root (resolved from this file, not the working directory) and feeds the GOLD words, sentence by
sentence, to the lemmatizer: ``--spacy-model`` (a spaCy pipeline, run component by component on a
``Doc`` built from the gold words), else ``coder.nlp.load_pipeline()`` when that exists, else the
embedded :class:`coder.lexicon.Lexicon`. Tokens tagged PUNCT are left out; lemmas are compared
lower-cased. A baseline (the lower-cased form as lemma) is measured in the same run. Exits 0 with a
message when ``../shared`` is absent.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UD_DIR = REPO.parent / "shared" / "data" / "ud_norwegian_bokmaal"
sys.path.insert(0, str(REPO))  # run from a checkout without installing

Sentence = list[tuple[str, str, str]]  # (form, gold lemma, UPOS)
Lemmatizer = Callable[[list[str]], list[str]]
SHOWN = ("NOUN", "VERB", "ADJ", "PROPN", "ADV", "PRON", "DET", "AUX", "ADP")


def read_conllu(path: Path) -> list[Sentence]:
    """Sentences of (form, lemma, upos), multiword-token and empty-node lines skipped."""
    sentences: list[Sentence] = []
    current: Sentence = []
    for line in path.read_text(encoding="utf8").splitlines():
        if not line.strip():
            if current:
                sentences.append(current)
                current = []
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if "-" in cols[0] or "." in cols[0]:
            continue
        current.append((cols[1], cols[2], cols[3]))
    if current:
        sentences.append(current)
    return sentences


def _rss_kb() -> int:
    """Resident set size of this process in kB (Linux; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def make_lemmatizer(model: str | None) -> tuple[str, Callable[[], Lemmatizer]]:
    """(description, factory); the factory gives a fresh lemmatizer (cold caches) per timing repeat."""
    if model is not None:
        import spacy

        nlp = spacy.load(model)
        return f"spaCy pipeline {model}", lambda: _pipeline_lemmatizer(nlp)
    try:
        from coder import nlp as coder_nlp
    except ImportError:
        coder_nlp = None  # type: ignore[assignment]
    if coder_nlp is not None and hasattr(coder_nlp, "load_pipeline"):
        pipeline = coder_nlp.load_pipeline()
        return f"coder.nlp.load_pipeline() ({', '.join(pipeline.pipe_names)})", lambda: _pipeline_lemmatizer(
            pipeline
        )
    from coder.lexicon import Lexicon

    return "coder.lexicon.Lexicon", lambda: Lexicon().lemmatize_tokens


def _pipeline_lemmatizer(nlp) -> Lemmatizer:  # noqa: ANN001 - spacy.Language, imported lazily
    from spacy.tokens import Doc

    def run(words: list[str]) -> list[str]:
        doc = Doc(nlp.vocab, words=words)
        for _name, proc in nlp.pipeline:
            doc = proc(doc)
        return [token.lemma_.lower() for token in doc]

    return run


def store_figures() -> dict[str, str]:
    """Build a fresh store in a temp dir and time it; time opening the default store; sizes, memory."""
    from coder import lexicon

    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        path = lexicon.build_store(lexicon.store_path(Path(tmp)))
        out["store build (fresh, s)"] = f"{time.perf_counter() - start:.2f}"
        out["store size (MB)"] = f"{path.stat().st_size / 1e6:.1f}"
    lexicon.build_store()  # the default store, so the open below measures opening only
    rss0 = _rss_kb()
    start = time.perf_counter()
    lex = lexicon.Lexicon()
    lex.lemmatize("boligene")
    out["store open + first lookup (ms)"] = f"{(time.perf_counter() - start) * 1000:.1f}"
    out["RSS added by open (MB)"] = f"{(_rss_kb() - rss0) / 1024:.1f}"
    lex.close()
    return out


def evaluate(sentences: list[Sentence], lemmatize: Lemmatizer) -> tuple[Counter, Counter, Counter, float]:
    """(totals, correct, baseline-correct per UPOS and "ALL", seconds)."""
    total: Counter = Counter()
    good: Counter = Counter()
    base: Counter = Counter()
    start = time.perf_counter()
    predicted = [lemmatize([form for form, _, _ in sent]) for sent in sentences]
    seconds = time.perf_counter() - start
    for sent, lemmas in zip(sentences, predicted, strict=True):
        for (form, gold, upos), lemma in zip(sent, lemmas, strict=True):
            if upos == "PUNCT":
                continue
            gold = gold.lower()
            for key in (upos, "ALL"):
                total[key] += 1
                good[key] += lemma == gold
                base[key] += form.lower() == gold
    return total, good, base, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--spacy-model", default=None, help="spaCy pipeline name or path to measure instead")
    parser.add_argument("--repeats", type=int, default=3, help="timing repeats (fresh caches each)")
    args = parser.parse_args(argv)

    conllu = UD_DIR / f"no_bokmaal-ud-{args.split}.conllu"
    if not conllu.is_file():
        print(f"UD Norwegian Bokmål not found at {conllu} (../shared is absent); nothing to measure.")
        return 0
    sentences = read_conllu(conllu)
    figures = store_figures() if args.spacy_model is None else {}
    name, factory = make_lemmatizer(args.spacy_model)

    runs = []
    for _ in range(max(1, args.repeats)):
        lemmatizer = factory()
        if args.spacy_model is None:
            from coder.lexicon import get_lexicon

            get_lexicon().clear_caches()  # a pipeline shares this instance: time it cold each repeat
        runs.append(evaluate(sentences, lemmatizer))
    total, good, base, _ = runs[0]
    n_words = sum(len(s) for s in sentences)
    ms_per_1k = statistics.median(r[3] for r in runs) / n_words * 1e6

    print(f"lemma accuracy, UD Norwegian Bokmål {args.split} split, gold tokens, PUNCT excluded")
    print(f"lemmatizer: {name}")
    print()
    print(f"{'class':<8}{'tokens':>8}{'accuracy':>10}{'baseline':>10}{'ratio':>8}")
    for key in ("ALL", *SHOWN):
        if total[key]:
            acc, bl = good[key] / total[key], base[key] / total[key]
            ratio = f"{acc / bl:.2f}" if bl else "-"
            print(f"{key:<8}{total[key]:>8}{acc:>10.4f}{bl:>10.4f}{ratio:>8}")
    rest = sum(v for k, v in total.items() if k not in ("ALL", *SHOWN))
    rest_ok = sum(v for k, v in good.items() if k not in ("ALL", *SHOWN))
    if rest:
        print(f"{'other':<8}{rest:>8}{rest_ok / rest:>10.4f}")
    print()
    label = f"time per 1,000 tokens (ms, median of {len(runs)}, cold caches)"
    print(f"{label:<52}{ms_per_1k:>10.2f}")
    for key, value in figures.items():
        print(f"{key:<52}{value:>10}")
    print(f"{'cache dir':<52}{os.environ.get('CODER_CACHE_DIR', '(default)')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
