"""The ``coder`` command line: parse options, call the library function of the same name, render with rich.

No logic lives here. A :class:`~coder.errors.CoderError` from the library becomes one line on stderr and
exit code 2.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any, NoReturn

import typer
import typer.core
from rich.console import Console
from rich.markup import escape as rich_escape

from coder import __version__
from coder.errors import CoderError

console = Console(emoji=False)  # «:x:» in an answer or a label is text, not an emoji
err_console = Console(stderr=True, emoji=False)


def _show_warning(message: Warning | str, *args: Any, **kwargs: Any) -> None:
    err_console.print(f"[yellow]Warning:[/] {rich_escape(str(message))}", highlight=False, soft_wrap=True)


# The library names what is wrong by its own keys (parameter names); the command line says its options.
OPTIONS = {
    "accept_from": "--accept-from", "answers": "--answers", "broker_betweenness": "--broker-betweenness",
    "coder": "--coder", "coders": "--coders", "filter": "--filter",
    "export_format": "--gephi", "formats": "--formats", "layout": "--layout", "level": "--level",
    "manifest": "--manifest", "min_size": "--min-size", "n_groups": "--n-groups", "out": "--out",
    "quotes": "--quotes",
    "refit_every": "--refit-every", "reject_below": "--reject-below", "seed": "--seed",
    "spacy_model": "--spacy-model", "threshold": "--threshold", "to": "--to",
}  # fmt: skip


def error_text(error: CoderError) -> str:
    """The error as one line; a library key (``coders``) or an option is said as ``option --coders``.

    Keys of a file (a manifest's ``functions``, a codebook's code id) stay ``key '...'``.
    """
    key = error.key
    option = key if key and key.startswith("-") else OPTIONS.get(key or "") if error.file is None else None
    if option is None:
        return str(error)
    where = str(CoderError(error.message, row=error.row, column=error.column, line=error.line))
    prefix = where[: -len(error.message)] if where != error.message else ""
    return f"{prefix[:-2] + ', ' if prefix else ''}option {option}: {error.message}"


# click's UsageError (a bad value, a missing argument, an unknown option): typer vendors it, not exports it
USAGE_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


class CoderGroup(typer.core.TyperGroup):
    """Turns a library user error into one line on stderr and exit code 2, for every (sub-)command."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        try:  # the group's own options (`coder --bogus`); a subcommand's are parsed within invoke
            return super().parse_args(ctx, args)
        except USAGE_ERROR as error:
            _exit_with_usage_error(error)

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not isinstance(command, typer.core.TyperGroup):
            _check_no_option_twice(command, rest, f"{ctx.command_path} {name}")
        return name, command, rest

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            with warnings.catch_warnings():  # the library's warnings as one line each, as its errors
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except CoderError as error:
            _exit_with(error)
        except USAGE_ERROR as error:  # a bad or missing value or option: one line too, not a boxed usage text
            _exit_with_usage_error(error)
        except OSError as error:  # a file the system refuses (a name too long, no permission, disk full)
            if error.filename is None:
                raise
            _exit_with(CoderError(error.strerror or type(error).__name__, file=error.filename))
        except KeyboardInterrupt:  # Ctrl-C: say what became of the work, not nothing
            err_console.print(  # on a line of its own: the terminal has echoed «^C»
                "\nInterrupted: outputs are written whole or not at all, and a project keeps every decision "
                "made before.",
                highlight=False,
            )
            raise typer.Exit(130) from None


def _check_no_option_twice(command: Any, args: list[str], path: str) -> None:
    """A usage error for an option given twice that takes one value: click keeps the last one unsaid, and
    `--text-col Q1 --text-col Q2` coded the second question alone. An option's value is skipped as click
    skips it (`--filter --coder` filters by «--coder»); `-ob.csv` is `-o` with its value."""
    options = {
        flag: param
        for param in command.params
        if param.param_type_name == "option"
        for flag in (*param.opts, *param.secondary_opts)
    }
    if "--help" in args:
        return  # help is shown whatever else is given
    given: dict[str, str] = {}
    values_to_skip = 0
    for arg in args:
        if values_to_skip:
            values_to_skip -= 1
            continue
        if arg == "--":
            break
        flag, attached = arg.split("=", 1)[0], "=" in arg
        if flag not in options and arg[:1] == "-" and arg[1:2] != "-" and arg[:2] in options:
            flag, attached = arg[:2], True  # a short option with its value written onto it
        param = options.get(flag)
        if param is None:
            continue
        if not param.is_flag and not attached:
            values_to_skip = param.nargs
        if param.multiple or param.count:
            continue
        if param.name in given:
            same = "" if given[param.name] == flag else f" (as {given[param.name]} before)"
            raise USAGE_ERROR(f"{flag} is given twice{same}: give it once (see {path} --help)")
        given[param.name] = flag


def _decisions(n: int) -> str:
    """«1 decision», «3 decisions»."""
    return f"{n} decision{'' if n == 1 else 's'}"


def _exit_with_usage_error(error: Exception) -> NoReturn:
    """click's usage error as one line and exit code 2; a group alone (`coder codebook`) shows its help."""
    if type(error).__name__ == "NoArgsIsHelpError":
        raise error
    context = getattr(error, "ctx", None)
    where = f" (see {context.command_path} --help)" if context is not None else ""
    _exit_with(CoderError(error.format_message() + where))


def _exit_with(error: CoderError) -> NoReturn:
    """The error as one line on stderr, then exit code 2."""
    line = f"[bold red]Error:[/] {rich_escape(error_text(error))}"
    err_console.print(line, highlight=False, soft_wrap=True)
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
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version."
    ),
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
# One range for every command: the seed reaches NumPy and scikit-learn, which take 0 to 2**32 - 1.
SEED = typer.Option(
    0, "--seed", min=0, max=2**32 - 1, help="Random seed; the same inputs and seed give the same result."
)
JSON = typer.Option(False, "--json", help="Print the data of the tables as one JSON object on stdout.")
# A codebook that coder writes is a file researchers edit: it is replaced only when they say so.
FORCE = typer.Option(False, "--force", help="Overwrite an existing codebook file.")


def refuse_to_overwrite(path: Path | None, force: bool) -> None:
    """A CoderError when ``path`` (a codebook coder is about to write) exists and ``--force`` is not given."""
    from coder.io import check_output_file

    if path is not None:
        check_output_file(path)  # a folder or a missing one first: --force would not help with either
    if path is not None and path.exists() and not force:
        raise CoderError("the codebook file exists; use --force to overwrite it", file=path)


LEXICON = typer.Option(
    None,
    "--lexicon",
    help="Your own concepts for grouping notes and answers (YAML: a list of `concept:` and `terms:`), added "
    "to coder's domain lexicon: words that belong together in your field, such as local services "
    "(`coder summary`: instead of the manifest's `workshop: lexicon:`).",
)


def out_file(default: Any, help: str) -> Any:
    """``--out/-o FILE``: the one output file of a command, its format from the suffix."""
    return typer.Option(default, "--out", "-o", help=help, metavar="FILE")


def out_dir(default: Any, help: str) -> Any:
    """``--out-dir/-o DIR``: the folder of a command that writes several files (figures under DIR/figurer)."""
    return typer.Option(default, "--out-dir", "-o", help=help, metavar="DIR", callback=_not_a_file)


def _not_a_file(directory: Path | None) -> Path | None:
    """A file, or a folder not writable, given as the output folder: said before any work (the tables
    were printed, then it failed)."""
    from coder.io import check_output_directory

    return None if directory is None else check_output_directory(directory)


FIGURES = "figurer"  # the pictures' folder under --out-dir, as in `coder summary`'s report


def print_written(paths: list[Path], on: Console | None = None) -> None:
    """Say which files a command wrote (``on`` stderr with --json)."""
    files = "1 file" if len(paths) == 1 else f"{len(paths)} files"
    (on or console).print(f"{files} written: " + rich_escape(", ".join(map(str, paths))), highlight=False)


def print_json(data: dict[str, Any]) -> None:
    """``--json``: the data of a command's tables as one JSON object, the only thing on stdout."""
    import json

    from coder.io import jsonable

    typer.echo(json.dumps(jsonable(data), ensure_ascii=False, allow_nan=False, default=str))


def print_problems(problems: list[Any]) -> None:
    """Print codebook problems on stderr, one line each, errors in red and warnings in yellow; a warning that
    three or more codes share is one line naming them (a codebook of names alone has one for every code)."""
    shared: dict[tuple[str, str | None, str], list[Any]] = {}
    for problem in problems:
        if problem.severity == "warning" and problem.code:
            shared.setdefault((problem.file, problem.key, problem.message), []).append(problem)
    for problem in problems:
        kind = "[bold red]Error:[/]" if problem.severity == "error" else "[yellow]Warning:[/]"
        text = str(problem).replace(": warning: ", ": ", 1)
        alike = shared.get((problem.file, problem.key, problem.message), [])
        if len(alike) >= 3:
            if problem is not alike[0]:
                continue
            named = ", ".join(f"'{p.code}'" + (f" (line {p.line})" if p.line else "") for p in alike[:5])
            more = f" and {len(alike) - 5} more" if len(alike) > 5 else ""
            key = f", key '{problem.key}'" if problem.key else ""
            message = re.sub(r"^the code ", "each ", problem.message)
            text = f"{problem.file}: {len(alike)} codes ({named}{more}){key}: {message}"
        err_console.print(f"{kind} {rich_escape(text)}", highlight=False, soft_wrap=True)


def existing_file(path: Path) -> Path:
    """Check an input path early so the message names it (typer's own check prints a usage box)."""
    if not path.exists():
        raise CoderError("file not found", file=path)
    return path


def _frame_table(
    frame: Any,
    title: str,
    percent: tuple[str, ...] = (),
    decimals: int = 3,
    whole: bool = False,
    short: dict[str, str] | None = None,
    narrow: dict[str, int] | None = None,
) -> Any:
    """A pandas table as a rich table: floats rounded (``whole``: 4.0 as 4), shares in %, NaN as '–'.

    To fit an 80-column terminal, ``short`` names columns by an abbreviation explained in a legend under the
    table, and ``narrow`` cuts a text column to that many characters with an ellipsis (the files hold all).
    """
    from rich.table import Table

    from coder.io import number_text, percent_text

    short, narrow = short or {}, narrow or {}
    legend = ", ".join(f"{short_name} = {column}" for column, short_name in short.items() if column in frame)
    table = Table(title=title, title_justify="left", title_style="bold", caption=legend or None,
                  caption_justify="left")  # fmt: skip
    for column in frame.columns:
        numeric = frame[column].dtype.kind in "biuf"
        table.add_column(
            rich_escape(short.get(column, str(column))),
            justify="right" if numeric else "left",
            overflow="ellipsis" if column in narrow else "fold",
            max_width=narrow.get(column),
            no_wrap=column in narrow,
        )
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            if isinstance(value, float) and column in percent:
                text = percent_text(value)
            elif isinstance(value, float):
                text = number_text(value, decimals, whole=whole)
            else:
                text = str(value)
            cells.append(rich_escape(text))
        table.add_row(*cells)
    return table


# ---------------------------------------------------------------------------------------------------------
# Preprocessing and info (coder.nlp)                                          [owner: lead]
# ---------------------------------------------------------------------------------------------------------


@app.command()
def info(spacy_model: str | None = SPACY_MODEL, as_json: bool = JSON) -> None:
    """Show library versions, which Norwegian pipeline is active and why, and what the caches hold."""
    from rich.table import Table

    from coder import classify, nlp
    from coder import codebook as codebook_module

    shown = {**nlp.info(spacy_model), **codebook_module.default_codebook_info()}
    shown.update(classify.model_cache_info())
    if as_json:
        print_json(shown)
        return
    table = Table(show_header=False, box=None)
    for key, value in shown.items():
        table.add_row(f"[bold]{rich_escape(str(key))}[/]", rich_escape(str(value)))
    console.print(table)


@app.command()
def preprocess(
    input: Path = typer.Argument(..., help="CSV or XLSX file with one answer per row."),
    out: Path = out_file(..., "Where to write one row per token (CSV, XLSX or JSON)."),
    id_col: str = ID_COL,
    text_col: str = TEXT_COL,
    spacy_model: str | None = SPACY_MODEL,
) -> None:
    """Tokenize, lemmatize, split compounds and mark negation: one row per token."""
    from coder import io, nlp

    fmt = io.check_table_output(out, input)
    answers = io.read_answers(input, id_col=id_col, text_col=text_col)
    pipeline = nlp.load_pipeline(spacy_model)
    tokens = nlp.tokens_table(answers["id"], nlp.preprocess(answers["text"], pipeline))
    info = nlp.pipeline_info(pipeline)
    io.write_with_provenance(tokens, out, io.provenance([input], pipeline=info.name, source=info.source), fmt)
    console.print(f"{len(answers)} answers, {len(tokens)} tokens -> {rich_escape(str(out))}", highlight=False)


# ---------------------------------------------------------------------------------------------------------
# Codebook (coder.codebook): `coder codebook validate|show|export|import`     [owner: codebook]
# ---------------------------------------------------------------------------------------------------------
codebook_app = typer.Typer(
    cls=CoderGroup, help="Validate, show, export and import codebooks.", no_args_is_help=True
)
app.add_typer(codebook_app, name="codebook")


@codebook_app.command("validate")
def codebook_validate(
    file: Path | None = typer.Argument(None, help="Codebook YAML file (default: the built-in codebook)."),
    strict: bool = typer.Option(False, "--strict", help="Fail on warnings too."),
    lemmas: bool = typer.Option(True, "--lemmas/--no-lemmas", help="Check keywords against the lexicon."),
) -> None:
    """Report every problem in a codebook with file and line; exit code 2 when there are errors."""
    from coder import codebook as cb

    file = cb.default_codebook_path() if file is None else file
    problems = cb.validate(existing_file(file), check_lemmas=lemmas)
    errors = [p for p in problems if p.severity == "error"]
    print_problems(problems)
    warnings = len(problems) - len(errors)
    if errors or (strict and warnings):
        summary = f"{rich_escape(str(file))}: {len(errors)} error(s), {warnings} warning(s)"
        err_console.print(summary, highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    summary = f"{rich_escape(str(file))}: ok ({len(cb.load(file).codes)} codes, {warnings} warning(s))"
    console.print(summary, highlight=False, soft_wrap=True)


@codebook_app.command("show")
def codebook_show(
    file: Path | None = typer.Argument(None, help="Codebook YAML file (default: the built-in codebook)."),
    full: bool = typer.Option(False, "--full", help="Also show guidance, examples and counter-examples."),
) -> None:
    """Print a codebook as a tree: codes nested by parent, with descriptions and keywords."""
    from rich.markup import escape
    from rich.tree import Tree

    from coder import codebook as cb

    book = cb.load(existing_file(cb.default_codebook_path() if file is None else file))
    tree = Tree(f"[bold]{escape(book.name)}[/] (version {escape(book.version)}, {escape(book.language)})")

    def add(branch: Tree, parent: str | None) -> None:
        for code in book.children(parent):
            swatch = f"[{code.color}]■[/] " if code.color else ""
            title = f"{swatch}[bold]{escape(code.label)}[/] [dim]{escape(code.id)}[/] {escape(code.label_en)}"
            node = branch.add(title)
            if code.strength_label:
                english = f" {escape(code.strength_label_en)}" if code.strength_label_en else ""
                node.add(f"[green]under strengths:[/] [bold]{escape(code.strength_label)}[/]{english}")
            if code.description:
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
                carriers = sum(code.id in answer.codes for answer in book.reference_answers)
                if book.reference_answers:
                    counts += f", {carriers} reference answers"
                node.add(f"[magenta]{counts}[/]")
            add(node, code.id)

    add(tree, None)
    if book.reference_answers:
        uncoded = sum(not answer.codes for answer in book.reference_answers)
        tree.add(
            f"[magenta]reference answers ({len(book.reference_answers)}, {uncoded} with no code):[/] "
            f"{escape(str(book.reference_file))}"
        )
    console.print(tree)


@codebook_app.command("export")
def codebook_export(
    file: Path = typer.Argument(..., help="Codebook YAML file."),
    to: str | None = typer.Option(
        None, "--to", help="qdc (REFI-QDA codebook) or yaml (default: from the --out suffix, else qdc)."
    ),
    output: Path | None = out_file(None, "Output file (default: FILE with the format's suffix)."),
    force: bool = FORCE,
) -> None:
    """Export a codebook as a REFI-QDA codebook (.qdc) for NVivo, ATLAS.ti, MAXQDA and QualCoder."""
    from coder import codebook as cb

    book = cb.load(existing_file(file))
    refuse_to_overwrite(cb.export_target(file, output, to=to)[0], force)
    written = cb.export(file, output, to=to)
    console.print(f"{len(book.codes)} codes -> {rich_escape(str(written))}", highlight=False)


@codebook_app.command("import")
def codebook_import(
    file: Path = typer.Argument(
        ...,
        help="REFI-QDA codebook (.qdc), or a list of code names (.txt, or .csv/.xlsx with a 'tag' column).",
    ),
    output: Path | None = out_file(None, "Output YAML (default: FILE with .yaml)."),
    force: bool = FORCE,
) -> None:
    """Import a REFI-QDA codebook (.qdc) or a list of code names as a YAML codebook, then validate it."""
    from coder import codebook as cb

    cb.check_importable(existing_file(file))  # before the output, which by default is FILE.yaml
    out = output or file.with_suffix(".yaml")
    refuse_to_overwrite(out, force)
    written = cb.import_codebook(file, out)
    problems = cb.validate(written, check_lemmas=False)
    print_problems(problems)
    errors = sum(problem.severity == "error" for problem in problems)
    if errors:  # kept: the lines above point into it, and fixing it there is the way on
        err_console.print(
            f"{rich_escape(str(written))} is written with {errors} error(s) to fix in it (then `coder "
            "codebook validate` it), or import again with --force",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(2)
    console.print(f"{len(cb.load(written).codes)} codes -> {rich_escape(str(written))}", highlight=False)


@codebook_app.command("merge")
def codebook_merge(
    base: Path = typer.Argument(..., help="The codebook to add to (YAML)."),
    candidates: Path = typer.Argument(..., help="Codes to add, e.g. from `coder discover --write` (YAML)."),
    output: Path = out_file(..., "The merged codebook (YAML)."),
    force: bool = FORCE,
) -> None:
    """Add candidate codes to a codebook; the merged codebook is validated before it is written."""
    from coder import codebook as cb

    refuse_to_overwrite(output, force)
    written, problems = cb.merge(existing_file(base), existing_file(candidates), output)
    print_problems(problems)
    console.print(f"{len(cb.load(written).codes)} codes -> {rich_escape(str(written))}", highlight=False)


# ---------------------------------------------------------------------------------------------------------
# Suggest and evaluate (coder.classify, coder.reliability)                   [owner: lead]
# ---------------------------------------------------------------------------------------------------------


@app.command()
def suggest(
    input: Path | None = typer.Argument(None, help="CSV or XLSX file with one answer per row."),
    codebook: Path | None = typer.Option(
        None,
        "--codebook",
        help="The YAML codebook (default: built in; `coder info` says where). With --project: the project's"
        " codebook from now on (it keeps every code and may add some).",
    ),
    out: Path | None = out_file(None, "Where to write the suggestions (CSV, XLSX or JSON, from the suffix)."),
    id_col: str = ID_COL,
    text_col: str = TEXT_COL,
    question_col: str | None = typer.Option(
        None,
        "--question-col",
        help="Column with the question id: the human labels then also teach which codes go with which "
        "question.",
    ),
    labels: Path | None = typer.Option(
        None,
        "--labels",
        help="Human-coded answers: CSV `id,code` (an empty code = coded, no code), or `id,code,present` "
        "with partial decisions as `coder codes export --layout labels` writes them.",
    ),
    threshold: float | None = typer.Option(
        None,
        "--threshold",
        help="Lowest confidence to suggest, from 0 to 1 (default: the recommended 0.45).",
    ),
    seed: int = SEED,
    project: Path | None = typer.Option(
        None, "--project", help="A coding project: store a suggestion run there, learning from its decisions."
    ),
    spacy_model: str | None = SPACY_MODEL,
) -> None:
    """Suggest codes for every answer, learning from the codebook, human labels and the uncoded rest."""
    from coder import classify, io
    from coder import codebook as codebook_module

    classify.check_options(threshold=threshold, seed=seed)  # before any work, also for --project
    if project is not None:
        from coder import store

        if any(value is not None for value in (input, out, labels, question_col)):
            raise CoderError(
                "--project takes no INPUT, --out, --labels or --question-col (the project has its answers'"
                " questions); --codebook gives it a codebook that keeps its codes and adds some",
                key="--project",
            )
        if codebook is not None:  # before the fit: a codebook that drops a code is refused at once
            with store.Project.open(project, writing=True) as opened:
                before = opened.codebook_yaml()
                added = opened.add_codebook(existing_file(codebook))
                changed = opened.codebook_yaml() != before
            news = ", ".join(added) if added else "none (other fields of its codes changed)"
            said = (
                f"Codebook {rich_escape(str(codebook))} is the project's now; new codes: {news}"
                if changed
                else f"Codebook {rich_escape(str(codebook))} is the project's already: nothing changed"
            )
            console.print(said, highlight=False, soft_wrap=True)
        run_id = store.suggest(project, seed=seed, threshold=threshold, spacy_model=spacy_model)
        with store.Project.open(project) as opened:
            counts = opened.run_counts(run_id)
        console.print(
            f"{counts['suggestions']} suggestions for {counts['answers_suggested']} of {counts['answers']}"
            f" answers, learned from {counts['coded_answers']} coded answers; suggestion run {run_id}"
            f" stored in {rich_escape(str(project))}",
            highlight=False,
        )
        return
    if input is None or out is None:
        raise CoderError("give INPUT and --out (or --project PROJECT.db)")
    fmt = io.check_table_output(out, input, codebook, labels)
    if question_col in (id_col, text_col, "id", "text"):  # the answers table has columns id and text
        raise CoderError(
            f"column {question_col!r} is the answers' id or text column, or named 'id' or 'text': give the"
            " column with the question id (rename it if it is called 'id' or 'text')",
            key="--question-col",
        )
    answers = io.read_answers(
        input, id_col=id_col, text_col=text_col, keep=[question_col] if question_col else []
    )
    if question_col:
        answers = answers.rename(columns={question_col: "question_id"})
    codebook = codebook_module.default_codebook_path() if codebook is None else existing_file(codebook)
    book = codebook_module.load(codebook)
    human = None if labels is None else classify.read_labels(labels, answers["id"], book)
    suggestions = classify.suggest(
        answers, book, labels=human, threshold=threshold, seed=seed, spacy_model=spacy_model
    )
    inputs = [path for path in (input, codebook, labels) if path is not None]
    record = classify.suggestion_provenance(
        inputs, book, labels=human, threshold=threshold, seed=seed, spacy_model=spacy_model
    )
    io.write_with_provenance(suggestions, out, record, fmt)
    with_code = suggestions[suggestions["code"] != ""]  # not the rows of answers coded by hand with none
    coded = with_code["id"].nunique()
    console.print(
        f"{len(with_code)} suggestions for {coded} of {len(answers)} answers -> {rich_escape(str(out))}",
        highlight=False,
    )


@app.command()
def evaluate(
    gold: Path = typer.Option(..., "--gold", help="Gold codes: `id,code` (long) or `id,codes` (a;b)."),
    pred: Path = typer.Option(..., "--pred", help="Predictions: `id,code[,confidence]`."),
    codebook: Path | None = typer.Option(
        None, "--codebook", help="The codebook of the predictions (default: built in)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
) -> None:
    """Compare predicted codes with gold codes: per-code precision, recall, F1, kappa, alpha."""
    import json

    from coder import reliability
    from coder.codebook import default_codebook_path, load

    # Always a codebook (the built-in one by default): a gold code outside it must be seen, not scored.
    code_ids = load(default_codebook_path() if codebook is None else existing_file(codebook)).code_ids
    gold_codes = reliability.read_codes(existing_file(gold))
    predictions = reliability.read_predictions(existing_file(pred), code_ids)
    result = reliability.evaluate(gold_codes, predictions, code_ids)
    outside = result["gold_codes_not_in_codebook"]
    if outside:  # on stderr, as every warning: with --json stdout stays one JSON object
        listed = ", ".join(f"'{code}' ({n} answer{'s' * (n != 1)})" for code, n in outside.items())
        err_console.print(
            f"[yellow]Warning:[/] {len(outside)} gold code(s) not in the codebook, not scored: "
            f"{rich_escape(listed)}; their answers are still scored on their other gold codes (none, if that "
            "was their only one: a typo?)",
            highlight=False,
            soft_wrap=True,
        )
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    _print_evaluation(result)
    answers = result["answers"]
    hand = answers["hand_coded"]
    ignored = answers["predicted"] - answers["predicted_compared"] - hand
    unpredicted = answers["compared"] - answers["predicted_compared"]
    gold = (
        f"{answers['compared']} of the {answers['gold']} in the gold codes ({hand} coded by hand left out)"
        if hand
        else f"all {answers['gold']} in the gold codes"
    )
    console.print(
        f"Compared {answers['compared']} answers: {gold}, and "
        f"{answers['predicted_compared']} of the {answers['predicted']} with predicted codes ({ignored} "
        f"not in the gold codes left out; {unpredicted} gold answer{'s' * (unpredicted != 1)} without a "
        f"predicted code count{'s' * (unpredicted == 1)} as given none).",
        highlight=False,
        soft_wrap=True,
    )


def _print_evaluation(result: dict[str, Any]) -> None:
    """The scores per code, cut to an 80-column terminal (long code ids end in '…'), and an overall line."""
    import pandas as pd

    from coder.io import number_text

    scores = ["precision", "recall", "f1", "kappa", "alpha"]
    rows = [{"code": code, "support": stats["support"], **{key: stats[key] for key in scores}}
            for code, stats in result["per_code"].items()]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["code", "support", *scores])
    frame[scores] = frame[scores].astype(float)  # None -> NaN -> '–'
    short = {"support": "n", "precision": "prec", "recall": "rec", "f1": "F1"}
    console.print(_frame_table(frame, "Suggestions against gold codes", short=short, narrow={"code": 26}))
    coverage = result["coverage_at_95"]
    console.print(
        f"micro F1 {number_text(result['micro_f1'])} · macro F1 {number_text(result['macro_f1'])} · "
        f"mean alpha {number_text(result['mean_alpha'])} · coverage at 95% precision "
        + ("– (no confidences)" if coverage is None else f"{coverage:.1%}"),
        highlight=False,
        soft_wrap=True,
    )


# ---------------------------------------------------------------------------------------------------------
# Coding project and review (coder.store, coder.review): init, review, merge, agreement, codes export
#                                                                             [owner: review]
# ---------------------------------------------------------------------------------------------------------
codes_app = typer.Typer(
    cls=CoderGroup,
    help="Export the codes of a coding project, or import codes made outside it.",
    no_args_is_help=True,
)
app.add_typer(codes_app, name="codes")


@app.command("init")
def init(
    project: Path = typer.Argument(..., help="The project file to create (SQLite, created with mode 0600)."),
    answers: Path | None = typer.Option(None, "--answers", help="CSV or XLSX file with one answer per row."),
    codebook: Path | None = typer.Option(None, "--codebook", help="The YAML codebook (default: built in)."),
    id_col: str = ID_COL,
    text_col: str = TEXT_COL,
    question_col: str | None = typer.Option(None, "--question-col", help="Column with the question id."),
    respondent_col: str | None = typer.Option(None, "--respondent-col", help="Column with the respondent."),
    attr_cols: str = typer.Option(
        "", "--attr-cols", help="Comma-separated respondent attribute columns, e.g. municipality,functions."
    ),
    manifest: Path | None = typer.Option(None, "--manifest", help="A survey manifest instead of --answers."),
) -> None:
    """Create a coding project from answers (or a survey manifest) and a codebook."""
    from coder import store

    if answers is not None:
        existing_file(answers)
    created = store.init(
        project,
        answers,
        codebook,
        id_col=id_col,
        text_col=text_col,
        question_col=question_col,
        respondent_col=respondent_col,
        attr_cols=[c.strip() for c in attr_cols.split(",") if c.strip()],
        manifest=manifest,
    )
    with created:
        n_answers, book = len(created.answer_ids()), created.codebook()
    console.print(
        f"{rich_escape(str(project))}: {n_answers} answers, codebook {rich_escape(book.name)}"
        f" {rich_escape(book.version)}, {len(book.codes)} codes",
        highlight=False,
        soft_wrap=True,
    )


@app.command("review")
def review(
    project: Path = typer.Argument(..., help="The coding project."),
    coder: str = typer.Option(..., "--coder", help="Your name as a coder (every decision carries it)."),
    accept_from: float | None = typer.Option(
        None, "--accept-from", help="Bulk: accept every open suggestion with confidence >= this."
    ),
    reject_below: float | None = typer.Option(
        None, "--reject-below", help="Bulk: reject every open suggestion with confidence < this."
    ),
    filter: str = typer.Option(
        "",
        "--filter",
        help="Start with a filter: code=ID | question=ID | band=low|mid|high | undecided | disagreed (with "
        "--show-others) (bulk: decide only these answers, and with code=ID only that code).",
    ),
    show_others: bool = typer.Option(
        False,
        "--show-others",
        help="Show the other coders' decisions, as in a consensus meeting: what you decide then is left "
        "out of agreement (default: blind coding).",
    ),
    refit_every: int = typer.Option(
        10,
        "--refit-every",
        min=0,
        help="Refit the model and reorder the queue every N deciding commands (0: never).",
    ),
) -> None:
    """Review suggestions in the terminal, one command line per decision (`?` lists the keys)."""
    from coder import review as review_module
    from coder import review_screen

    if accept_from is not None or reject_below is not None:
        counts = review_module.bulk_review(
            project, coder, accept_from=accept_from, reject_below=reject_below, filter=filter
        )
        console.print(
            f"{rich_escape(coder)}: accepted {counts['accepted']}, rejected {counts['rejected']} (bulk);"
            f" {counts['open']} {'suggestion' if counts['open'] == 1 else 'suggestions'} left open for review"
        )
        return
    summary = review_screen.review(
        project, coder, console=console, filter=filter, blind=not show_others, refit_every=refit_every
    )
    earlier = (
        f" {_decisions(summary.undone_earlier)} of an earlier session undone."
        if summary.undone_earlier
        else ""
    )  # an undo can reach back to a command before this session, such as a bulk run
    console.print(f"{_decisions(summary.decisions)} saved in {rich_escape(str(project))}.{earlier}")


@app.command("merge")
def merge(
    a: Path = typer.Argument(..., help="A coding project."),
    b: Path = typer.Argument(..., help="A copy of the same project, coded by others."),
    out: Path = out_file(..., "The merged project to create."),
) -> None:
    """Join two copies of a project: every coder's decisions and every suggestion run."""
    from coder import store

    store.merge(a, b, out)
    with store.Project.open(out) as merged:
        coders, entries = merged.coders(), len(merged.log())
    by = rich_escape(", ".join(coders) or "nobody yet")
    console.print(f"{rich_escape(str(out))}: {entries} log entries by {by}", highlight=False, soft_wrap=True)
    for name in store.coders_in_both(a, b):
        err_console.print(
            f"[bold yellow]Warning:[/] coder '{rich_escape(name)}' decided in both {rich_escape(str(a))}"
            f" and {rich_escape(str(b))}; the merged project counts them as one coder"
            " (two people need two names)",
            highlight=False, soft_wrap=True,
        )  # fmt: skip


@app.command("agreement")
def agreement(
    project: Path = typer.Argument(..., help="The coding project."),
    coders: str = typer.Option(..., "--coders", help="Comma-separated coder names, e.g. kari,ola."),
    out: Path | None = out_file(None, "Write the disagreements to this CSV/XLSX file."),
    model: bool = typer.Option(True, "--model/--no-model", help="Also compare each coder with the model."),
    as_json: bool = JSON,
) -> None:
    """Inter-coder reliability per code: percent agreement, Cohen's kappa, Krippendorff's alpha."""
    from rich.table import Table

    from coder import io, reliability, store

    if out is not None:  # before the work: a bad path must not come after the tables
        io.check_table_output(out, project)
    with store.Project.open(project) as opened:
        result = reliability.agreement(opened, coders.split(","), model=model)
        conflicts = opened.conflicts()
    for comparison in result.nothing_in_common():
        err_console.print(
            f"[bold yellow]Caution:[/] {rich_escape(comparison)}: no answer that both decided, nothing to "
            "compare (did they code different questions?)",
            highlight=False, soft_wrap=True,
        )  # fmt: skip
    for coder, entries in result.seen_decisions.items():
        err_console.print(
            f"Left out: {entries} decision(s) of {rich_escape(coder)} made with the other coders' codes shown"
            " (review --show-others): agreement reached, not found; reliability is of blind coding, and the"
            " consensus codes keep them",
            highlight=False, soft_wrap=True,
        )  # fmt: skip
    if as_json:
        for comparison, bulk, decisions in result.mostly_bulk():
            caution = f"{comparison}: {bulk} of {decisions} compared decisions came from a bulk rule"
            err_console.print(f"[bold yellow]Caution:[/] {rich_escape(caution)}", soft_wrap=True)
        print_json(
            {
                "agreement": result.table,
                "disagreements": result.disagreements,
                "conflicts": conflicts,
                "seen_decisions": result.seen_decisions,
            }
        )
        if out is not None:
            io.write_table(result.disagreements, out)
            err_console.print(f"disagreements -> {rich_escape(str(out))}", highlight=False)
        return
    # 80 columns: long names and code ids end in '…' (the --json output and the CSV hold them whole)
    caption = (
        "agree = percent agreement over pairs of raters; kappa = Cohen's kappa (three raters or more:"
        " Light's, the mean over pairs); alpha = Krippendorff's alpha (nominal); – = undefined (every"
        " rating the same); answers = those two raters or more decided"
    )
    title = "Agreement (only what each coder decided; an answer one coder decided alone is left out)"
    table = Table(title=title, caption=caption, caption_justify="left")
    for column in ("comparison", "code", "answers", "agree", "kappa", "alpha", "bulk"):
        if column in ("comparison", "code"):  # these give way to a narrow terminal, not the figures
            table.add_column(column, overflow="ellipsis")
        else:
            table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    for row in result.table.itertuples(index=False):
        style = "bold" if row.code == reliability.OVERALL else None
        table.add_row(
            rich_escape(row.comparison), rich_escape(row.code), str(row.answers),
            io.number_text(row.percent_agreement), io.number_text(row.kappa), io.number_text(row.alpha),
            f"{row.bulk_decisions}/{row.decisions}", style=style,
        )  # fmt: skip
    console.print(table)
    console.print("bulk: how many of the compared decisions a bulk rule made (review --accept-from)")
    for comparison, bulk, decisions in result.mostly_bulk():
        console.print(
            f"[bold yellow]Caution:[/] {rich_escape(comparison)}: {bulk} of {decisions} compared decisions"
            " came from a bulk rule, not from reading the answers; a bulk rule takes the model's"
            " suggestions, so this agreement says little about the coders or the codebook",
            highlight=False, soft_wrap=True,
        )  # fmt: skip
    disagreements = result.disagreements
    if len(result.coders) > 1:
        listed = rich_escape(", ".join(result.coders))
        console.print(f"{len(disagreements)} disagreements (answer × code) between {listed}")
    else:
        console.print("Disagreements are listed between coders: give two or more with --coders")
    if len(disagreements):
        console.print(_frame_table(disagreements.head(50), "Disagreements (first 50)"))
    if out is not None:
        io.write_table(disagreements, out)
        console.print(f"disagreements -> {rich_escape(str(out))}")
    console.print(f"{len(conflicts)} consensus conflicts (answer × code) among all coders of the project")
    if len(conflicts):
        console.print(_frame_table(conflicts.head(50), "Consensus conflicts (first 50)"))


@codes_app.command("export")
def codes_export(
    project: Path = typer.Argument(..., help="The coding project."),
    out: Path = out_file(..., "FILE.csv or FILE.xlsx."),
    layout: str = typer.Option(
        "long",
        "--layout",
        help="long (one row per answer and code), wide (one row per respondent, "
        "1/0/empty per code), or labels (id,code,present for --labels and --codes).",
    ),
    coder: str | None = typer.Option(None, "--coder", help="One coder's codes instead of the consensus."),
) -> None:
    """Export the current codes (long or wide) and the code co-occurrence table."""
    from coder import store

    written = store.export_codes(project, out, layout=layout, coder=coder)
    console.print("written: " + rich_escape(", ".join(map(str, written))))


@codes_app.command("import")
def codes_import(
    project: Path = typer.Argument(..., help="The coding project."),
    codes: Path = typer.Argument(
        ...,
        help="CSV or XLSX: id,code (or id,codes split by ;), a code by id or label, each listed answer coded "
        "in full; or id,code,present as --layout labels exports.",
    ),
    coder: str = typer.Option(..., "--coder", help="Who coded them (a coder of the project, or a new one)."),
) -> None:
    """Log answers coded by hand outside the project as a coder's (blind) decisions: they leave that
    coder's review queue, teach the next coder suggest --project and count in coder agreement."""
    from coder import store

    counts = store.import_codes(project, codes, coder=coder)
    console.print(
        f"{counts['answers']} answer(s) imported for {rich_escape(counts['coder'])}: "
        f"{counts['closed']} coded in full, {counts['codes']} code(s)"
    )


# ---------------------------------------------------------------------------------------------------------
# Survey, network and link (coder.survey, coder.network, coder.link)          [owner: survey]
# ---------------------------------------------------------------------------------------------------------
survey_app = typer.Typer(
    cls=CoderGroup, help="Check a survey manifest and export its answers.", no_args_is_help=True
)
app.add_typer(survey_app, name="survey")

MANIFEST = typer.Argument(..., help="The survey manifest (YAML).")
DEFAULT_LEVEL = "weekly"
LEVEL = typer.Option(
    DEFAULT_LEVEL,
    "--level",
    help="daily, weekly or monthly (cumulative). Default weekly, in network and link alike: in the examples "
    "daily contact leaves most people isolated and monthly joins nearly all in one component.",
)
MUTUAL = typer.Option(False, "--mutual", help="Count a contact only when both sides report it.")
BROKER_BETWEENNESS = typer.Option(
    0.1,
    "--broker-betweenness",
    help="Lowest normalised betweenness of a broker, who must also have contacts in another community "
    "(the same in coder network and coder link; in a small component no one may reach it).",
)
ALL_CODED = typer.Option(
    None,
    "--all-coded/--coded-only",
    help="Which answers are coded: all (missing ones carry no code) or only those in the codes. "
    "Default: all for suggestion files (with a confidence column), only those in the codes otherwise.",
)
CODES_PROJECT = typer.Option(
    None, "--project", help="Count a coding project's reviewed codes (the latest run's where undecided)."
)


def _codes_or_project(
    codes: list[Path] | None, project: Path | None
) -> tuple[list[Path] | None, Path | None]:
    """The codes files or the coding project that ``link`` and ``summary`` count (one of them), checked."""
    if bool(codes) == (project is not None):
        raise CoderError("give --codes or --project (one of them)", key="--codes")
    if project is not None:
        return None, existing_file(project)
    return [existing_file(path) for path in codes or ()], None


@survey_app.command("check")
def survey_check(
    manifest: Path = MANIFEST,
    directory: Path | None = out_dir(None, "Draw the rating bar charts (PNG and SVG) in DIR/figurer."),
    as_json: bool = JSON,
) -> None:
    """Check a manifest and its files; print every problem (file, row, column), else a summary."""
    from coder import survey

    for warning in survey.check_warnings(manifest):  # fields nothing reads: typos, mostly
        _show_warning(str(warning))
    problems = survey.check(manifest)
    for problem in problems:
        err_console.print(f"[bold red]Error:[/] {rich_escape(str(problem))}", highlight=False, soft_wrap=True)
    if problems:
        err_console.print(f"{rich_escape(str(manifest))}: {len(problems)} problem(s)", highlight=False)
        raise typer.Exit(2)
    with warnings.catch_warnings():  # the fields nothing reads and the data's warnings: printed above
        warnings.simplefilter("ignore", survey.ManifestWarning)
        warnings.simplefilter("ignore", survey.DataWarning)
        loaded = survey.load(manifest)
    result = survey.summary(loaded)
    if as_json:
        tables = ("overview", "functions", "ratings", "answers")
        print_json({name: getattr(result, name) for name in tables})
    else:
        _print_survey_summary(manifest, result)
    if directory is not None:
        written = survey.plot_ratings(loaded, directory / FIGURES)
        print_written(written, err_console if as_json else None)


def _print_survey_summary(manifest: Path, result: Any) -> None:
    console.print(
        _frame_table(result.overview, f"{rich_escape(str(manifest))}: ok", percent=("response_rate",))
    )
    console.print(_frame_table(result.functions, "Functions per municipality"))
    ratings = result.ratings.assign(distribution=result.ratings["distribution"].map(str))
    console.print(_frame_table(ratings, "Ratings («Vet ikke» left out of the mean)", decimals=2))
    console.print(_frame_table(result.answers, "Answers per question (empty answers left out)"))


@survey_app.command("answers")
def survey_answers(
    manifest: Path = MANIFEST,
    out: Path = out_file(..., "Where to write the answers (CSV, XLSX or JSON)."),
) -> None:
    """Write the open answers as one row per answer: id, respondent_id, question_id, municipality, text."""
    from coder import io, survey

    io.check_table_output(out, manifest, *survey.data_files(manifest))
    table = survey.answers(manifest)
    io.write_table(table, out)
    console.print(f"{len(table)} answers -> {rich_escape(str(out))}", highlight=False)


SHOWN_POSITIONS = 100  # people per level printed by `coder network`; the CSV holds everyone
POSITION_COLUMNS = {"degree": "deg", "betweenness": "betw", "harmonic_closeness": "clos", "community": "comm",
                    "brokerage": "brok"}  # fmt: skip
CONTACT_COLUMNS = {"municipality": "munic.", "gives_information": "gives", "gets_information": "gets",
                   "political_discussion": "polit.", "professional_discussion": "prof."}  # fmt: skip


@app.command("network")
def network_command(
    manifest: Path = MANIFEST,
    level: str = typer.Option(
        DEFAULT_LEVEL,
        "--level",
        help="daily, weekly, monthly (cumulative) or all. Default weekly, as in `coder link`: in the examples"
        " daily contact leaves most people isolated and monthly joins nearly all in one component.",
    ),
    out: Path | None = out_dir(None, "Directory for the CSV tables (pictures under DIR/figurer)."),
    plot: bool = typer.Option(False, "--plot", help="Also draw the pictures (PNG and SVG) in DIR/figurer."),
    gephi: str | None = typer.Option(
        None, "--gephi", help="Also write graphml or gexf files (for Gephi) in --out-dir."
    ),
    mutual: bool = MUTUAL,
    broker_betweenness: float = BROKER_BETWEENNESS,
    seed: int = SEED,
    as_json: bool = JSON,
) -> None:
    """Positions and network figures per level, political contact; tables, CSV, pictures, Gephi files."""
    from coder import io, network, network_figures, survey

    levels = network.check_levels([level])  # before any work
    if gephi is not None:
        network.check_export_format(gephi)
    if out is None and (plot or gephi is not None):
        raise CoderError("--plot and --gephi write into --out-dir; give it", key="--out-dir")
    data = survey.load(manifest)
    report = network.network(data, levels, mutual=mutual, seed=seed, broker_betweenness=broker_betweenness)
    if as_json:
        political = report.political
        # the tables the CSVs hold, by the same names
        print_json({"network": report.summary, "positions": report.positions, "political": political.counts,
                    "political_by_body": political.by_body, "political_by_function": political.by_function,
                    "political_people": political.people})  # fmt: skip
    else:
        _print_network(report, broker_betweenness)
    if out is None:
        return
    # Staged, as a report: the folder holds this run's files only (an earlier run's other levels or Gephi
    # format are removed), and an error on the way leaves the earlier run as it was.
    inputs = [manifest, *survey.data_files(manifest)]
    with io.staged_directory(out, index=".coder-network-files", inputs=inputs) as stage:
        staged = network.write_report(report, stage)
        if plot:
            staged += network_figures.plot(data, stage / FIGURES, levels=levels, mutual=mutual, seed=seed,
                                           report=report)  # fmt: skip
        if gephi is not None:
            staged += network.export(data, stage, gephi, levels=levels, mutual=mutual, seed=seed,
                                     report=report)  # fmt: skip
    print_written([out / path.relative_to(stage) for path in staged], err_console if as_json else None)


def _print_network(report: Any, broker_betweenness: float) -> None:
    from coder import network

    # One table per municipality and one column per level: three levels fit 80 columns, six would not.
    for municipality, measures in report.summary.groupby("municipality", sort=False):
        shown = measures.drop(columns="municipality").set_index("level").T
        shown = shown.reset_index(names="measure")
        console.print(_frame_table(shown, f"Network: {rich_escape(str(municipality))}", whole=True))
    for lv in report.levels:
        people = report.positions[report.positions["level"] == lv]
        title, cut = f"Positions: {network.LEVEL_LABELS[lv]}", len(people) > SHOWN_POSITIONS
        if cut:  # thousands of rows help nobody on a screen, and took half the time
            title += f" ({SHOWN_POSITIONS} of {len(people):,})"
            people = people.sort_values("betweenness", ascending=False, kind="stable").head(SHOWN_POSITIONS)
        role = people["broker"].map({True: "broker", False: ""}).where(~people["isolate"], "isolate")
        shown = people[["person", "group", "degree", "betweenness", "harmonic_closeness", "community"]]
        shown = shown.assign(role=role, brokerage=people["brokerage"])
        console.print(_frame_table(shown, title, short=POSITION_COLUMNS, narrow={"group": 14}))
        if lv == report.levels[0]:  # «brokers 0» above and «brok 3» here read as a contradiction
            console.print(
                f"A broker (role) has betweenness {broker_betweenness:g} or more and a contact in another"
                " community; brok counts the pairs of a person's contacts, unlinked and not all three of one"
                " primary function, that the person joins, each pair once from each end (Gould–Fernandez read"
                " ties both ways: 2 is one pair; no threshold: many have some).",
                highlight=False,
            )
        if cut:
            note = "The most between first; everyone is in positions.csv (--out-dir)."
            console.print(note, highlight=False)
    political = report.political
    if political.by_body.empty:  # «0 of 23 have contact» would read as a finding
        console.print("Political contact: none recorded (no political_contacts file, or an empty one).")
        return
    title = "Political contact (respondents with any political body; each body below)"
    console.print(_frame_table(political.counts, title, percent=("share",)))
    console.print(
        _frame_table(
            political.by_body,
            "Political contact by body and type (respondents)",
            short=CONTACT_COLUMNS,
            narrow={"body": 18},
        )
    )


@app.command("link")
def link_command(
    manifest: Path = MANIFEST,
    codes: list[Path] | None = typer.Option(
        None, "--codes", help="Codes: `id,code` or suggestions (repeatable); or give --project."
    ),
    out: Path | None = out_dir(None, "Directory for link_*.csv and link.json."),
    level: str = LEVEL,
    mutual: bool = MUTUAL,
    broker_betweenness: float = BROKER_BETWEENNESS,
    seed: int = SEED,
    show_all: bool = typer.Option(False, "--all", help="Show every test, not only p < 0.1."),
    all_coded: bool | None = ALL_CODED,
    codebook: Path | None = typer.Option(
        None, "--codebook", help="The YAML codebook (default: built in; with --project, the project's)."
    ),
    project: Path | None = CODES_PROJECT,
    as_json: bool = JSON,
) -> None:
    """Theme counts by function, community, broker, isolate, centrality and political contact, with tests."""
    from coder import link

    paths, project = _codes_or_project(codes, project)
    result = link.link(
        manifest,
        paths,
        level=level,
        mutual=mutual,
        seed=seed,
        broker_betweenness=broker_betweenness,
        all_coded=all_coded,
        codebook=existing_file(codebook) if codebook is not None else None,
        project=project,
    )
    tests = result.tests if show_all else result.tests[result.tests["p_value"] < 0.1]
    if as_json:
        # the counts: the n and k behind each test, as link_counts.csv holds them
        print_json(
            {
                "themes": result.themes,
                "counts": result.counts,
                "tests": tests,
                "base": result.provenance["base"],
            }
        )
        if out is not None:
            print_written(link.write_link(result, out), err_console)
        return
    console.print(_frame_table(result.themes, "Themes per question", percent=("share",)))
    title = "Tests" if show_all else f"Tests with p < 0.1 ({len(tests)} of {len(result.tests)}; --all: all)"
    console.print(title, style="bold", highlight=False)
    # A table per question, cut to 80 columns: whole rows (test, statistic, warning) are in link_tests.csv.
    for question_id, group in tests.groupby("question_id", sort=False):
        shown = group[["code", "variable", "category", "p_value", "q_value", "warning"]]
        narrow = {"code": 15, "variable": 10, "category": 12, "warning": 10}
        short = {"p_value": "p", "q_value": "q"}
        console.print(_frame_table(shown, rich_escape(str(question_id)), short=short, narrow=narrow))
    console.print(f"Base: {rich_escape(result.provenance['base'])}.", highlight=False, soft_wrap=True)
    if out is not None:
        written = link.write_link(result, out)
        print_written(written)


# ---------------------------------------------------------------------------------------------------------
# Inductive themes (coder.discover)                                          [owner: lead]
# ---------------------------------------------------------------------------------------------------------


@app.command("discover")
def discover_command(
    input: Path | None = typer.Argument(
        None, help="CSV or XLSX file with one answer (or workshop note) per row."
    ),
    codebook: Path | None = typer.Option(
        None,
        "--codebook",
        help="Group only the answers this codebook gives no strong code, and name the nearest.",
    ),
    id_col: str = ID_COL,
    text_col: str = TEXT_COL,
    question_col: str | None = typer.Option(
        None,
        "--question-col",
        help="Group each value of this column (e.g. each workshop question) on its own.",
    ),
    min_size: int = typer.Option(3, "--min-size", min=1, help="Smallest group; smaller ones join the rest."),
    weak_below: float = typer.Option(
        0.6, "--weak-below", min=0.0, max=1.0, help="With a codebook: a code below this confidence is weak."
    ),
    n_groups: int | None = typer.Option(None, "--n-groups", min=2, help="Fix the number of groups."),
    lexicon: Path | None = LEXICON,
    groups: Path | None = typer.Option(
        None, "--groups", help="Write `id,group,label` for every grouped answer (CSV)."
    ),
    write: Path | None = typer.Option(
        None, "--write", help="Write the candidates as codebook entries (YAML)."
    ),
    project: Path | None = typer.Option(
        None,
        "--project",
        help="A coding project: group its answers without a decided code or a strong suggested one.",
    ),
    seed: int = SEED,
    force: bool = FORCE,
    as_json: bool = JSON,
) -> None:
    """Find themes the codebook misses, or group the notes of an idea workshop into themes."""
    from coder import codebook as codebook_module
    from coder import discover, io

    # before any work: a bad output path must not waste the grouping
    if write is not None:
        io.check_output_file(write)
        io.check_not_an_input(write, input, codebook, project, lexicon)  # with --force too
        if groups is not None and write.resolve() in (groups.resolve(), io.provenance_path(groups).resolve()):
            raise CoderError(
                "--write and --groups (or its provenance) name the same file; give two", file=write
            )
    if groups is not None:
        io.check_table_output(groups, input, codebook, project, lexicon)
    refuse_to_overwrite(write, force)
    if project is not None:
        if input is not None or codebook is not None or question_col is not None:
            raise CoderError("--project takes no INPUT, --codebook or --question-col", key="--project")
        answers, book, codes = discover.project_inputs(existing_file(project))
    elif input is None:
        raise CoderError("give INPUT (or --project PROJECT.db)")
    else:
        keep = [question_col] if question_col else []
        answers = io.read_answers(input, id_col=id_col, text_col=text_col, keep=keep)
        book = codebook_module.load(existing_file(codebook)) if codebook is not None else None
        codes = None
    knowledge = None
    if lexicon is not None:
        own = discover.read_lexicon(existing_file(lexicon))
        knowledge = discover.knowledge_of(book or codebook_module.load(), own)
    found, skipped = discover.discover_each(
        answers,
        question_col,
        codebook=book,
        suggestions=codes,
        knowledge=knowledge,
        min_size=min_size,
        weak_below=weak_below,
        n_groups=n_groups,
        seed=seed,
    )
    if as_json:
        print_json({question: _discovery_data(discovery) for question, discovery in found.items()})
    texts = dict(zip(answers["id"], answers["text"].fillna("").astype(str), strict=True))
    for question, discovery in found.items() if not as_json else ():
        _print_discovery(question, discovery, with_codebook=book is not None, min_size=min_size, texts=texts)
    for question, reason in skipped.items():
        hint = {"min_size": " (see --min-size)", "n_groups": " (see --n-groups)"}.get(reason.key or "", "")
        err_console.print(
            f"[yellow]Not grouped:[/] {rich_escape(question or '(no question)')}: "
            f"{rich_escape(reason.message)}{hint}",
            soft_wrap=True,
        )
    if lexicon is not None:
        _print_lexicon_coverage(
            lexicon, discover.lexicon_coverage(own, answers["text"].fillna("").astype(str))
        )
    written = []
    if groups is not None:
        inputs = [path for path in (input, codebook, project, lexicon) if path is not None]
        settings: dict[str, Any] = {"seed": seed, "min_size": min_size, "n_groups": n_groups}
        if skipped:  # their answers are in no group: say why, where the groups are
            settings["not_grouped"] = {question: reason.message for question, reason in skipped.items()}
        if book is not None:
            settings["weak_below"] = weak_below
        written += discover.write_groups(found, groups, question_col, inputs, **settings)
    if write is not None:  # only then: leaving out the terms other codes hold preprocesses their keywords
        candidates = discover.candidates_codebook(
            found, taken=book.code_ids if book is not None else (), codebook=book
        )
        if not candidates.codes:  # a codebook of no codes is no codebook
            kept = " (the file of an earlier run is left as it was)" if write.exists() else ""
            err_console.print(
                f"[yellow]No candidate to write:[/] {rich_escape(str(write))} not written{kept}"
            )
        else:
            written.append(codebook_module.dump_yaml(candidates, write))
    if written:
        print_written(written, err_console if as_json else None)


def _print_lexicon_coverage(path: Path, coverage: Any) -> None:
    """One line on stderr: whether the researcher's terms were found at all (a typo finds nothing)."""
    unused = coverage.loc[coverage["answers"] == 0, "term"].tolist()
    found = len(coverage) - len(unused)
    line = f"Your lexicon {rich_escape(path.name)}: {found} of its {len(coverage)} terms are in the answers"
    if unused:
        line += f"; in none: {rich_escape(', '.join(unused))}"
    err_console.print(line, highlight=False, soft_wrap=True)


def _discovery_data(discovery: Any) -> dict[str, Any]:
    """What `coder discover` shows of one question, for --json."""
    candidates = [
        {"group": c.group, "size": c.size, "label": c.label, "typical_answers": list(c.typical()),
         "nearest_code": c.nearest_code, "nearest_similarity": c.nearest_similarity}
        for c in discovery.candidates
    ]  # fmt: skip
    return {
        "answers": discovery.total,
        "grouped": len(discovery.groups),
        "without_words": discovery.without_words,
        "chosen_by": discovery.chosen_by,
        "stability": discovery.stability,
        "candidates": candidates,
        "rest": len(discovery.rest),
    }


def _print_discovery(
    question: str, discovery: Any, with_codebook: bool, min_size: int, texts: dict[str, str]
) -> None:
    from rich.table import Table

    from coder import discover

    grouped = len(discovery.groups)
    considered = (
        f"{grouped} of {discovery.total} answers carry no strong code"
        if with_codebook
        else f"{grouped} answers"
    )
    if discovery.without_words:  # else a rest group of blank rows reads as answers that fit nowhere
        considered += (
            f" ({discovery.without_words} {'of them ' if with_codebook else ''}without words to group by: "
            "empty, «vet ikke» and the like, in the rest group)"
        )
    if discovery.chosen_by == "communities":
        choice = discovery.choice
        kept = f", the {discovery.n_groups} largest kept" if choice.large > discovery.n_groups else ""
        how = (
            f"{choice.large} of the {choice.communities} communities in the nearest-neighbour graph have "
            f"{min_size}+ answers{kept} (modularity {choice.modularity:.2f})"
        )
    elif discovery.chosen_by == "given":
        kept = len(discovery.candidates)
        how = f"{discovery.n_groups} groups as asked" + (
            f", {kept} kept: {discovery.n_groups - kept} with fewer than {min_size} answers went to the rest "
            "group"
            if kept < discovery.n_groups
            else ""
        )
    else:
        how = "one group: too few different answers to compare groupings"
    title = f"{rich_escape(question)}: " if question else ""
    certainty = discover.certainty(discovery.stability)
    stable = discovery.stability == discovery.stability
    sure = f"stability {discovery.stability:.2f} ({certainty})" if stable else certainty
    console.print(
        f"[bold]{title}{considered}[/]. {how}; {sure}.",
        highlight=False,
        soft_wrap=True,
    )
    table = Table(title_justify="left", show_lines=True)
    for column in ("group", "size", "label", "typical answers"):
        table.add_column(column, justify="right" if column == "size" else "left", overflow="fold")
    if with_codebook:
        table.add_column("nearest code", overflow="fold")
    for candidate in discovery.candidates:
        row = [
            candidate.group,
            str(candidate.size),
            candidate.name,  # as kandidater.yaml and the report name it
            "\n".join(f"«{t}»" for t in candidate.typical()),
        ]
        if with_codebook:
            flag = " (near: a gap in its keywords?)" if candidate.near_copy else ""
            row.append(f"{candidate.nearest_code} {candidate.nearest_similarity:.2f}{flag}")
        table.add_row(*map(rich_escape, row))
    if discovery.rest:
        empty = f"; {discovery.without_words} without words" if discovery.without_words else ""
        # a few of them, as for a group: what fits nowhere is read too (--groups lists them all)
        worded = list(dict.fromkeys(t for t in (texts.get(i, "").strip() for i in discovery.rest) if t))
        shown = "\n".join(f"«{t}»" for t in worded[: discover.TYPICAL_ANSWERS])
        if len(worded) > discover.TYPICAL_ANSWERS:
            shown += f"\n(and {len(worded) - discover.TYPICAL_ANSWERS} more: --groups lists them)"
        row = [discover.REST, str(len(discovery.rest)), f"fits no group{empty}", shown]
        table.add_row(*map(rich_escape, row), *([""] if with_codebook else []))
    console.print(table)


# ---------------------------------------------------------------------------------------------------------
# Theme summaries (coder.summary)                                             [owner: summary]
# ---------------------------------------------------------------------------------------------------------


@app.command("summary")
def summary_command(
    manifest: Path = MANIFEST,
    codes: list[Path] = typer.Option(
        None, "--codes", help="Codes: `id,code` or suggestions (repeatable); or give --project."
    ),
    codebook: Path | None = typer.Option(
        None, "--codebook", help="The YAML codebook (default: built in; with --project, the project's)."
    ),
    out: Path = out_dir(..., "Directory for rapport.md/.html/.xlsx/.json, CSV tables and figurer/."),
    fmt: str = typer.Option(
        "md,html,xlsx,csv,json", "--formats", help="Comma-separated report formats: md,html,xlsx,csv,json."
    ),
    quotes: int = typer.Option(3, "--quotes", help="Quotes per question and theme."),
    seed: int = SEED,
    all_coded: bool | None = ALL_CODED,
    mask: bool = typer.Option(
        True, "--mask/--no-mask", help="Mask names, e-mail, phone and national ids in quotes (default: mask)."
    ),
    project: Path | None = CODES_PROJECT,
    lexicon: Path | None = LEXICON,
    as_json: bool = JSON,
) -> None:
    """Theme lists per question with bands and counts, quotes, municipalities side by side, as a report."""
    from coder import summary as summary_module

    paths, project = _codes_or_project(codes, project)
    result = summary_module.report(
        manifest,
        paths,
        existing_file(codebook) if codebook is not None else None,
        out_dir=out,
        formats=fmt,
        quotes_per_theme=quotes,
        seed=seed,
        all_coded=all_coded,
        mask=mask,
        project=project,
        lexicon=existing_file(lexicon) if lexicon is not None else None,
    )
    shown = result.themes[["question_id", "label", "mentions", "answers", "share", "band"]]
    say = err_console if as_json else console
    if as_json:
        print_json({"themes": shown, "base": result.provenance["base"]})
    else:
        title = f"Themes per question ({rich_escape(str(result.name))})"
        console.print(_frame_table(shown, title, percent=("share",)))
    review = result.provenance["review"]
    if review and (review["unread"] or review["read_in_part"]):  # as the report's note (in Norwegian)
        unread, in_part = review["unread"], review["read_in_part"]
        said = []
        if unread:
            said.append(
                f"{unread} of {review['answers']} answers were read by no coder (machine suggestions, or "
                f"decided by a bulk rule alone: {review['decided_by_rule']})"
            )
        if in_part:
            said.append(f"machine suggestions remain on {in_part} answer(s) a coder read in part")
        if since := review.get("decided_since_run"):
            said.append(
                f"the suggestions are of a run made before {since} answers were decided (coder suggest "
                "--project learns from them)"
            )
        err_console.print(
            f"[yellow]Note:[/] {'; '.join(said)}; check the figures and quotes before using them.",
            highlight=False,
        )
    elif result.provenance["machine_suggestions"] and not review:
        learned = (result.provenance["model"] or {}).get("human_coded_answers") or 0
        kept = f" (but {learned} answers coded by hand, which they learned from and keep)" if learned else ""
        err_console.print(
            f"[yellow]Note:[/] the codes are machine suggestions from `coder suggest`{kept}, not reviewed by "
            "a coder; check the figures and quotes before using them.",
            highlight=False,
        )
    if not as_json:
        console.print(f"Base: {rich_escape(result.provenance['base'])}.", highlight=False, soft_wrap=True)
    say.print(f"{len(result.files)} files written to {rich_escape(str(out))}", highlight=False)


@app.command("demo")
def demo_command(
    out: Path = out_dir(Path("out/demo"), "Folder for everything the demo writes."),
    seed: int = SEED,
    as_json: bool = JSON,
) -> None:
    """The main job on the bundled examples: answers, suggestions, a bulk review, network, link, report."""
    from rich.table import Table

    from coder import demo

    result = demo.demo(out, seed=seed)
    if as_json:
        steps = [{"step": step, "what": what} for step, what in result.steps]
        print_json({"steps": steps, "out": result.out, "report": result.report})
        return
    table = Table(title="coder demo", title_justify="left", show_header=False, box=None)
    for step, what in result.steps:
        table.add_row(f"[bold]{step}[/]", rich_escape(what))
    console.print(table)
    console.print(
        f"Everything is in {rich_escape(str(result.out))}; the report: {rich_escape(str(result.report))}"
    )


# ---------------------------------------------------------------------------------------------------------


def main() -> None:
    """Entry point of the ``coder`` console script."""
    app()


if __name__ == "__main__":
    main()
