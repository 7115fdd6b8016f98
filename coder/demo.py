"""The main job on the bundled examples in one call: what ``coder demo`` (and ``make demo``) runs.

Answers from the two synthetic municipalities -> suggested codes (checked against the hand codes) -> a coding
project with a bulk review -> the contact network -> themes by position -> themes the codebook misses -> the
whole report from the reviewed codes. Everything is written under one folder, with Norwegian names.

It takes about 40 s (most of it fitting the suggester on the whole default codebook), so the example is
not run with the other doctests:

>>> import tempfile
>>> out = Path(tempfile.mkdtemp()) / "demo"
>>> result = demo(out)  # doctest: +SKIP
>>> result.report.relative_to(out)  # doctest: +SKIP
PosixPath('rapport/rapport.html')
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from coder import classify, discover, io, link, network, progress, reliability, store, summary, survey
from coder import codebook as codebook_module
from coder.errors import CoderError
from coder.review import bulk_review

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DEMO_CODER = "demo"
ACCEPT_FROM, REJECT_BELOW = 0.9, 0.1


@dataclass(frozen=True)
class DemoResult:
    """What the demo made: one line per step for the overview, and the report's path."""

    out: Path
    steps: tuple[tuple[str, str], ...]  # (step, what it gave)
    report: Path


def demo(out_dir: str | os.PathLike[str] = "out/demo", *, seed: int = 0) -> DemoResult:
    """Run the main job on ``examples/`` into ``out_dir`` (created; a previous demo's project is replaced,
    a project with anyone else's decisions never)."""
    classify.check_options(seed=seed)  # before anything is written
    manifest = EXAMPLES / "oppdal-rissa.yaml"
    if not manifest.exists():
        raise CoderError(
            "the bundled examples are missing (coder demo runs from a source checkout)", file=manifest
        )
    out = io.output_directory(out_dir)
    project = out / "prosjekt.db"
    _check_replaceable(project)
    book = codebook_module.load()
    data = survey.load(manifest)
    steps: list[tuple[str, str]] = []
    with progress.step("demo", total=7) as step:
        answers = survey.answers(data)
        io.write_table(answers, out / "svar.csv")
        suggestions = classify.suggest(answers, book, seed=seed)
        io.write_table(suggestions, out / "forslag.csv")
        gold = pd.concat(
            [
                pd.read_csv(EXAMPLES / m / "koder.csv", dtype=str, keep_default_na=False)
                for m in ("oppdal", "rissa")
            ]
        )
        scores = reliability.evaluate(gold, suggestions, book.code_ids)
        steps.append(
            (
                "suggest",
                f"{len(suggestions)} codes suggested for {suggestions['id'].nunique()} of {len(answers)} "
                "answers; "
                f"micro-F1 {scores['micro_f1']:.2f} against the hand codes",
            )
        )
        step.advance()

        project.unlink(missing_ok=True)
        store.init(project, None, book, manifest=manifest).close()
        store.suggest(project, seed=seed)
        counts = bulk_review(project, DEMO_CODER, accept_from=ACCEPT_FROM, reject_below=REJECT_BELOW)
        steps.append(
            (
                "review",
                f"bulk review by «{DEMO_CODER}»: {counts['accepted']} codes accepted (>= {ACCEPT_FROM}), "
                f"{counts['rejected']} rejected (< {REJECT_BELOW}), the rest left open -> {project.name}",
            )
        )
        step.advance()

        report = network.network(data, seed=seed)
        network.write_report(report, out / "nettverk")  # the pictures are drawn once, in the report
        weekly = report.summary[report.summary["level"] == "weekly"]
        steps.append(
            (
                "network",
                "; ".join(
                    f"{r.municipality}: {r.ties} weekly contacts, {r.isolates} without, {r.brokers} brokers"
                    for r in weekly.itertuples(index=False)
                ),
            )
        )
        step.advance()

        linked = link.link(data, suggestions, codebook=book, seed=seed)
        link.write_link(linked, out / "posisjon")
        significant = int((linked.tests["p_value"] < 0.05).sum())
        steps.append(
            ("link", f"{len(linked.tests)} tests of themes by position, {significant} with p < 0.05")
        )
        step.advance()

        planted = io.read_answers(EXAMPLES / "discover" / "svar.csv", text_col="svar")
        found, _ = discover.discover_each(planted, None, codebook=book, seed=seed)
        candidates = discover.candidates_codebook(found, taken=book.code_ids, codebook=book)
        codebook_module.dump_yaml(candidates, out / "kandidater.yaml")
        steps.append(
            ("discover", f"{len(candidates.codes)} candidate themes the codebook misses -> kandidater.yaml")
        )
        step.advance()

        written = summary.report(data, None, book, out_dir=out / "rapport", seed=seed, project=project)
        html = out / "rapport" / "rapport.html"
        review = written.provenance["review"]
        steps.append(
            (
                "report",
                f"{len(written.files)} files; {review['decided']} of {review['answers']} answers decided "
                f"({review['decided_by_rule']} by the bulk rule alone), the rest machine suggestions",
            )
        )
        step.advance(2)
    return DemoResult(out=out, steps=tuple(steps), report=html)


def _check_replaceable(project: Path) -> None:
    """Refuse to replace a coding project that holds decisions of any coder but the demo's own."""
    if not project.exists():
        return
    with store.Project.open(project) as opened:
        others = [coder for coder in opened.coders() if coder != DEMO_CODER]
    if others:
        raise CoderError(
            f"a coding project with decisions of {', '.join(others)} is in the way; the demo replaces only "
            "its own (choose another folder)",
            file=project,
        )
