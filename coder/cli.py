"""The ``coder`` command line: parse options, call the library function of the same name, render with rich.

No logic lives here. A :class:`~coder.errors.CoderError` from the library becomes one line on stderr and
exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
import typer.core
from rich.console import Console
from rich.markup import escape as rich_escape

from coder import __version__
from coder.errors import CoderError

console = Console()
err_console = Console(stderr=True)


class CoderGroup(typer.core.TyperGroup):
    """Turns a library user error into one line on stderr and exit code 2, for every (sub-)command."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CoderError as error:
            err_console.print(f"[bold red]Error:[/] {rich_escape(str(error))}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=CoderGroup,
    help="Code Norwegian open-ended survey answers into themes and link them to the contact network.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"coder {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Code Norwegian open-ended survey answers into themes and link them to the contact network."""


# Options shared by several commands, declared once.
ID_COL = typer.Option("id", "--id-col", help="Column with the answer (or respondent) id.")
TEXT_COL = typer.Option("text", "--text-col", help="Column with the answer text.")
SPACY_MODEL = typer.Option(
    None,
    "--spacy-model",
    help="An installed spaCy pipeline name or a pipeline directory (default: nb_core_news_* if installed, "
    "else the embedded Norwegian default).",
)
SEED = typer.Option(0, "--seed", help="Random seed; the same inputs and seed give the same result.")


def existing_file(path: Path) -> Path:
    """Check an input path early so the message names it (typer's own check prints a usage box)."""
    if not path.exists():
        raise CoderError("file not found", file=path)
    return path


# ---------------------------------------------------------------------------------------------------------
# Preprocessing and info (coder.nlp)                                          [owner: lead]
# ---------------------------------------------------------------------------------------------------------


@app.command()
def info(spacy_model: str | None = SPACY_MODEL) -> None:
    """Show library versions and which Norwegian pipeline is active, and why."""
    from rich.table import Table

    from coder import nlp

    table = Table(show_header=False, box=None)
    for key, value in nlp.info(spacy_model).items():
        table.add_row(f"[bold]{key}[/]", value)
    console.print(table)


@app.command()
def preprocess(
    input: Path = typer.Argument(..., help="CSV or XLSX file with one answer per row."),
    out: Path = typer.Option(..., "--out", help="Where to write one row per token (CSV, XLSX or JSON)."),
    id_col: str = ID_COL,
    text_col: str = TEXT_COL,
    spacy_model: str | None = SPACY_MODEL,
) -> None:
    """Tokenize, lemmatize, split compounds and mark negation: one row per token."""
    from coder import io, nlp

    answers = io.read_answers(input, id_col=id_col, text_col=text_col)
    processed = nlp.preprocess(answers["text"], nlp.load_pipeline(spacy_model))
    tokens = nlp.tokens_table(answers["id"], processed)
    io.write_table(tokens, out)
    console.print(f"{len(answers)} answers, {len(tokens)} tokens -> {out}")

# ---------------------------------------------------------------------------------------------------------
# Codebook (coder.codebook): `coder codebook validate|show|export|import`     [owner: codebook]
# ---------------------------------------------------------------------------------------------------------
codebook_app = typer.Typer(
    cls=CoderGroup, help="Validate, show, export and import codebooks.", no_args_is_help=True
)
app.add_typer(codebook_app, name="codebook")


@codebook_app.command("validate")
def codebook_validate(
    file: Path = typer.Argument(..., help="Codebook YAML file."),
    strict: bool = typer.Option(False, "--strict", help="Fail on warnings too."),
    lemmas: bool = typer.Option(True, "--lemmas/--no-lemmas", help="Check keywords against the lexicon."),
) -> None:
    """Report every problem in a codebook with file and line; exit code 2 when there are errors."""
    from coder import codebook as cb

    problems = cb.validate(existing_file(file), check_lemmas=lemmas)
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        kind = "[bold red]Error:[/]" if problem.severity == "error" else "[yellow]Warning:[/]"
        text = str(problem).replace(": warning: ", ": ", 1)
        err_console.print(f"{kind} {text}", highlight=False, soft_wrap=True, markup=True)
    warnings = len(problems) - len(errors)
    if errors or (strict and warnings):
        err_console.print(f"{file}: {len(errors)} error(s), {warnings} warning(s)", highlight=False)
        raise typer.Exit(2)
    console.print(f"{file}: ok ({len(cb.load(file).codes)} codes, {warnings} warning(s))", highlight=False)


@codebook_app.command("show")
def codebook_show(
    file: Path = typer.Argument(..., help="Codebook YAML file."),
    full: bool = typer.Option(False, "--full", help="Also show guidance, examples and counter-examples."),
) -> None:
    """Print a codebook as a tree: codes nested by parent, with descriptions and keywords."""
    from rich.markup import escape
    from rich.tree import Tree

    from coder import codebook as cb

    book = cb.load(existing_file(file))
    tree = Tree(f"[bold]{escape(book.name)}[/] (version {escape(book.version)}, {escape(book.language)})")

    def add(branch: Tree, parent: str | None) -> None:
        for code in book.children(parent):
            swatch = f"[{code.color}]■[/] " if code.color else ""
            title = f"{swatch}[bold]{escape(code.label)}[/] [dim]{code.id}[/] {escape(code.label_en)}"
            node = branch.add(title)
            node.add(escape(code.description))
            if full:
                for key in ("include", "exclude"):
                    if getattr(code, key):
                        node.add(f"[green]{key}:[/] {escape(getattr(code, key))}")
            if code.keywords:
                node.add(f"[cyan]keywords ({len(code.keywords)}):[/] {escape(', '.join(code.keywords))}")
            if full:
                for key in ("examples", "counter_examples"):
                    items = getattr(code, key)
                    if items:
                        sub = node.add(f"[magenta]{key} ({len(items)})[/]")
                        for item in items:
                            sub.add(f"«{escape(item)}»")
            else:
                counts = f"{len(code.examples)} examples, {len(code.counter_examples)} counter-examples"
                node.add(f"[magenta]{counts}[/]")
            add(node, code.id)

    add(tree, None)
    console.print(tree)


@codebook_app.command("export")
def codebook_export(
    file: Path = typer.Argument(..., help="Codebook YAML file."),
    fmt: str = typer.Option("qdc", "--format", "-f", help="Output format: qdc (REFI-QDA codebook) or yaml."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Output file (default: FILE with the format's suffix)."
    ),
) -> None:
    """Export a codebook as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA and QualCoder."""
    from coder import codebook as cb

    book = cb.load(existing_file(file))
    fmt = fmt.lower()
    if fmt not in {"qdc", "yaml"}:
        raise CoderError(f"unknown format '{fmt}' (use qdc or yaml)", key="--format")
    out = output or file.with_suffix(f".{fmt}")
    if out.resolve() == file.resolve():
        raise CoderError("the output would overwrite the input; give --output", file=out)
    written = cb.export_qdc(book, out) if fmt == "qdc" else cb.dump_yaml(book, out)
    console.print(f"{len(book.codes)} codes -> {written}", highlight=False)


@codebook_app.command("import")
def codebook_import(
    file: Path = typer.Argument(..., help="REFI-QDA codebook (.qdc)."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Output YAML (default: FILE with .yaml)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing output file."),
) -> None:
    """Import a REFI-QDA codebook (.qdc) as a coder YAML codebook, then validate it."""
    from coder import codebook as cb

    out = output or existing_file(file).with_suffix(".yaml")
    if out.exists() and not force:
        raise CoderError("the output file exists; use --force to overwrite it", file=out)
    written = cb.import_qdc(existing_file(file), out)
    problems = cb.validate(written, check_lemmas=False)
    console.print(f"{len(cb.from_qdc(file).codes)} codes -> {written}", highlight=False)
    for problem in problems:
        err_console.print(f"[yellow]Note:[/] {problem}", highlight=False, soft_wrap=True)

# ---------------------------------------------------------------------------------------------------------
# Suggest and evaluate (coder.classify, coder.reliability)                   [owner: lead]
# ---------------------------------------------------------------------------------------------------------


@app.command()
def suggest(
    input: Path | None = typer.Argument(None, help="CSV or XLSX file with one answer per row."),
    codebook: Path | None = typer.Option(None, "--codebook", help="The YAML codebook."),
    out: Path | None = typer.Option(None, "--out", help="Where to write the suggestions (CSV or JSON)."),
    id_col: str = ID_COL,
    text_col: str = TEXT_COL,
    labels: Path | None = typer.Option(
        None, "--labels", help="Human-coded answers: CSV `id,code` (an empty code = coded, no code)."
    ),
    threshold: float | None = typer.Option(
        None, "--threshold", min=0.0, max=1.0, help="Lowest confidence to suggest (default: recommended 0.5)."
    ),
    seed: int = SEED,
    fmt: str | None = typer.Option(None, "--format", help="csv or json (default: from the --out suffix)."),
    project: Path | None = typer.Option(
        None, "--project", help="A coding project: store a suggestion run there, learning from its decisions."
    ),
    spacy_model: str | None = SPACY_MODEL,
) -> None:
    """Suggest codes for every answer, learning from the codebook, human labels and the uncoded rest."""
    from coder import classify, io
    from coder import codebook as codebook_module

    if project is not None:
        from coder import store

        run_id = store.suggest(project, seed=seed, threshold=threshold)
        console.print(f"suggestion run {run_id} stored in {project}")
        return
    if input is None or codebook is None or out is None:
        raise CoderError("give INPUT, --codebook and --out (or --project PROJECT.db)")
    answers = io.read_answers(input, id_col=id_col, text_col=text_col)
    human = None
    if labels is not None:
        human = io.read_table(labels)
        io.require_columns(human, ["id", "code"], labels)
        classify.check_labels(human, answers["id"], codebook_module.load(codebook), file=str(labels))
    suggestions = classify.suggest(
        answers,
        codebook_module.load(codebook),
        labels=human,
        threshold=threshold,
        seed=seed,
        spacy_model=spacy_model,
    )
    io.write_table(suggestions, out, fmt)
    coded = suggestions["id"].nunique()
    console.print(f"{len(suggestions)} suggestions for {coded} of {len(answers)} answers -> {out}")

# ---------------------------------------------------------------------------------------------------------
# Coding project and review (coder.store, coder.review): init, review, merge, agreement, codes export
#                                                                             [owner: review]
# ---------------------------------------------------------------------------------------------------------
codes_app = typer.Typer(cls=CoderGroup, help="Export the codes of a coding project.", no_args_is_help=True)
app.add_typer(codes_app, name="codes")

# ---------------------------------------------------------------------------------------------------------
# Survey, network and link (coder.survey, coder.network, coder.link)          [owner: survey]
# ---------------------------------------------------------------------------------------------------------
survey_app = typer.Typer(cls=CoderGroup, help="Check a survey manifest and export its answers.", no_args_is_help=True)
app.add_typer(survey_app, name="survey")

# ---------------------------------------------------------------------------------------------------------


def main() -> None:
    """Entry point of the ``coder`` console script."""
    app()


if __name__ == "__main__":
    main()
