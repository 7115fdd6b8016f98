"""The survey manifest: one YAML file that names the files of a survey and maps their columns.

A raw export (CSV or XLSX, for example from Questback: one row per respondent, one column per question) is
used as it is; the manifest says which column is what. Paths in the manifest are relative to the manifest.

.. code-block:: yaml

    survey: Boligsosialt nettverk, Oppdal
    municipality: Oppdal              # for people files without a municipality column
    functions:                        # the declared list: code (as written in the files): label
      Tildeling: Tildeling av bolig
      Tjenester: Tjenester i bolig
    respondents:                      # everyone in the network, respondents or not
      file: personer.csv
      id: id
      label: navn                     # optional
      municipality: kommune           # optional column (else the top-level municipality)
      functions: funksjoner           # multi-valued, separated by `separator` (default ";")
      responded: svart                # optional (ja/nei; empty is nei; nei with answers is an error);
                                      # else: has a row in the questionnaire export
    questions:                        # open questions in the questionnaire export
      file: eksport.csv               # an XLSX with several sheets of data also needs `sheet: Svar`
      id: Respondent-ID               # the respondent id column
      columns:
        - {column: "Hva er styrkene ...?", id: styrker, label: Styrker, kind: strength}
        - column: "Hva er utfordringene ved samordning?"
          id: samordning
          kind: challenge
          topic: coordination           # optional: the code the question asks about (see the report)
    ratings:
      file: eksport.csv
      id: Respondent-ID
      columns:
        - column: "Hvor godt ...?"
          id: samordning
          scale: {min: 1, max: 6, labels: {1: Svært dårlig, 6: Svært godt}}
          missing: [Vet ikke]         # means "no value": kept with value NaN, left out of means
    contacts:                         # an edge list: who says they talk to whom, how often
      file: kontakter.csv
      from: fra
      to: til
      frequency: hyppighet            # daily/weekly/monthly or daglig/ukentlig/månedlig
      frequencies: {flere ganger i uka: weekly}   # optional: more values the export uses
    political_contacts:
      file: politisk.csv
      respondent: respondent
      body: organ
      type: type                      # gir/får informasjon, politisk/faglig diskusjon (or English)
      bodies: [formannskap, kommunestyre, ordfører, hovedutvalg helse og omsorg]  # default: the first three

A manifest can instead combine other manifests (``include: [oppdal/manifest.yaml, rissa/manifest.yaml]``);
their tables are concatenated and ids must be unique across them.

Decisions worth knowing:

- Empty answers are left out of :attr:`Survey.answers`: a respondent who left a question blank has no row
  for it. The number of answers to a question is the number of its rows.
- Ratings keep a row for every non-empty cell; a «Vet ikke» (a declared missing value) has ``value`` NaN and
  its text in ``raw``, so it is counted but left out of means.
- A person's functions keep the order of the file; the first is the *primary* function, used where an
  analysis needs one group per person (Gould–Fernandez brokerage, colours in pictures).
"""

from __future__ import annotations

import difflib
import math
import re
import textwrap
import warnings
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from coder import privacy
from coder.codebook import read_lexicon
from coder.errors import CoderError
from coder.io import (
    check_unique_ids,
    number_text,
    output_directory,
    read_table,
    read_yaml,
    save_figure,
    slug,
    spreadsheet_row,
    yaml_line,
)

LEVELS: tuple[str, ...] = ("daily", "weekly", "monthly")
"""Contact frequencies, most frequent first; network levels are cumulative in this order."""

FREQUENCY_VALUES: dict[str, str] = {
    "daily": "daily",
    "daglig": "daily",
    "dagleg": "daily",
    "weekly": "weekly",
    "ukentlig": "weekly",
    "vekentleg": "weekly",
    "ukentleg": "weekly",  # Nynorsk allows both «veke» and «uke»
    "monthly": "monthly",
    "månedlig": "monthly",
    "månadleg": "monthly",
    "månedleg": "monthly",
}
"""The contact frequencies the files may use (English, Bokmål, Nynorsk) and the level each becomes."""

FREQUENCY_LABELS: dict[str, str] = {"daily": "daglig", "weekly": "ukentlig", "monthly": "månedlig"}
"""The Norwegian (Bokmål) word for each level, as the researchers write it."""

CONTACT_TYPES: dict[str, str] = {
    "gives information": "gives_information",
    "gives_information": "gives_information",
    "gir informasjon": "gives_information",
    "gets information": "gets_information",
    "gets_information": "gets_information",
    "får informasjon": "gets_information",
    "political discussion": "political_discussion",
    "political_discussion": "political_discussion",
    "politisk diskusjon": "political_discussion",
    "professional discussion": "professional_discussion",
    "professional_discussion": "professional_discussion",
    "faglig diskusjon": "professional_discussion",
}
"""Political contact types (Norwegian or English) and the code each becomes."""

DEFAULT_BODIES: tuple[str, ...] = ("formannskap", "kommunestyre", "ordfører")

WORKSHOP_COLUMNS = ["note_id", "question", "note", "group", "municipality"]

_YES = {"ja", "yes", "true", "1", "x", "j", "y"}
_NO = {"nei", "no", "false", "0", "n", ""}
_TOP_KEYS = {
    "survey",
    "name",
    "municipality",
    "functions",
    "respondents",
    "questions",
    "ratings",
    "contacts",
    "political_contacts",
    "workshop",
    "include",
}
# The fields each section reads; any other field is ignored with a warning (see check_warnings).
_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "respondents": ("file", "sheet", "id", "label", "municipality", "functions", "responded", "separator"),
    "questions": ("file", "sheet", "id", "columns"),
    "ratings": ("file", "sheet", "id", "columns"),
    "contacts": ("file", "sheet", "from", "to", "frequency", "frequencies"),
    "political_contacts": ("file", "sheet", "respondent", "body", "type", "bodies"),
    "workshop": ("file", "sheet", "question", "note", "id", "group", "lexicon"),
}
_COLUMN_KEYS: dict[str, tuple[str, ...]] = {
    "questions": ("column", "id", "label", "kind", "topic"),
    "ratings": ("column", "id", "label", "scale", "missing"),
}
_SCALE_KEYS = ("min", "max", "labels")


@dataclass(frozen=True, eq=False)
class Survey:
    """The tables of one survey (one or several municipalities), read through a manifest.

    - ``respondents``: everyone in the network: ``respondent_id``, ``label``, ``municipality``,
      ``functions`` (tuple of function codes, primary first), ``responded`` (bool).
    - ``answers``: one row per non-empty open answer: ``id`` (``"{respondent_id}:{question_id}"``),
      ``respondent_id``, ``question_id``, ``municipality``, ``text``.
    - ``questions``: ``question_id``, ``label``, ``kind``, ``column``, ``topic`` (the code the question asks
      about, ``""`` if none: every answer to «utfordringer ved samordning» is about coordination).
    - ``ratings``: one row per non-empty rating cell: ``respondent_id``, ``rating_id``, ``municipality``,
      ``value`` (float, NaN for a missing value such as «Vet ikke»), ``raw``.
    - ``rating_items``: ``rating_id``, ``label``, ``min``, ``max``, ``column``, ``anchors`` (the labelled
      values: «1 = Svært dårlig, 6 = Svært godt»).
    - ``contacts``: one row per reported contact: ``source``, ``target``, ``frequency``
      (daily/weekly/monthly), ``municipality``. Duplicate reports of a pair keep the most frequent.
    - ``political_contacts``: ``respondent_id``, ``body``, ``type``, ``municipality``.
    - ``functions``: the declared list: ``function``, ``label``.
    - ``workshop``: the sticky notes of the idea workshop (idédugnad) after the survey, if the manifest names
      them: ``note_id``, ``question``, ``note``, ``group`` (the researchers' grouping; empty when the file
      has none: ``coder summary`` then groups the notes with :func:`coder.discover.discover`),
      ``municipality``.
    - ``lexicons``: the researchers' own concepts for grouping the workshop notes (``workshop: lexicon:``,
      :func:`coder.codebook.read_lexicon`), one file per manifest that names one.
    """

    name: str
    respondents: pd.DataFrame
    answers: pd.DataFrame
    questions: pd.DataFrame
    ratings: pd.DataFrame
    rating_items: pd.DataFrame
    contacts: pd.DataFrame
    political_contacts: pd.DataFrame
    functions: pd.DataFrame
    workshop: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=WORKSHOP_COLUMNS))
    path: Path | None = field(default=None)
    lexicons: tuple[Path, ...] = ()

    @property
    def municipalities(self) -> list[str]:
        """The municipalities in the order they first appear."""
        return list(dict.fromkeys(self.respondents["municipality"]))


# ---------------------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------------------


#: The kinds of open question a manifest names (``kind:``); the report's discussion reads ``challenge``.
QUESTION_KINDS = ("strength", "challenge", "reason", "other")


class ManifestWarning(UserWarning):
    """A manifest field that nothing reads (a typo, mostly): :func:`load` uses the manifest without it."""


class DataWarning(UserWarning):
    """A doubtful value in a survey's data file that :func:`load` uses anyway, by a documented rule."""


def as_survey(survey: Survey | str | Path) -> Survey:
    """``survey`` itself, or the survey its manifest describes (:func:`load`): what the public functions
    taking a survey accept, as the commands take a manifest.

    >>> len(as_survey("examples/oppdal/manifest.yaml").respondents)
    29
    """
    return survey if isinstance(survey, Survey) else load(survey)


def load(manifest_path: str | Path) -> Survey:
    """Read the survey a manifest describes; raise the first problem as a :class:`CoderError`.

    Each field nothing reads (:func:`check_warnings`: ``mising:`` for ``missing:``) is first issued as a
    :class:`ManifestWarning`, once per load, before any error: the typo may be its cause.

    >>> survey = load("examples/oppdal/manifest.yaml")
    >>> len(survey.respondents), int(survey.respondents.responded.sum())
    (29, 23)
    """
    manifest = Path(manifest_path)
    for warning in check_warnings(manifest):
        warnings.warn(str(warning), ManifestWarning, stacklevel=2)
    survey, problems = _read(manifest)
    if len(problems) > 1:  # say there are more, or each fix seems to bring the next problem
        problems[0].message += f" (the first of {len(problems)} problems in this survey)"
    if problems:
        raise problems[0]
    assert survey is not None
    return survey


def check(manifest_path: str | Path) -> list[CoderError]:
    """Every problem in a manifest and its files, each with file, row and column; empty when valid.

    A copy of the Oppdal example with a contact to a person nobody named:

    >>> import shutil, tempfile
    >>> bad = Path(tempfile.mkdtemp()) / "bad"
    >>> _ = shutil.copytree("examples/oppdal", bad)
    >>> with open(bad / "kontakter.csv", "a", encoding="utf-8") as contacts:
    ...     _ = contacts.write("O01,O99,ukentlig\\n")
    >>> [str(p).replace(str(bad.parent), "") for p in check(bad / "manifest.yaml")]
    ["/bad/kontakter.csv, row 85, column 'til': unknown person 'O99'"]
    >>> check("examples/oppdal/manifest.yaml")
    []
    """
    return _read(Path(manifest_path))[1]


def check_warnings(manifest_path: str | Path, _seen: frozenset[Path] = frozenset()) -> list[CoderError]:
    """The manifest's fields that are read by nothing (a typo, mostly), each naming the nearest known field.

    Not errors: the manifest is used without them (:func:`load` issues each as a :class:`ManifestWarning`).
    Reads the YAML only (also of included manifests); a manifest that cannot be read gives no warnings
    (:func:`check` reports it).

    >>> import tempfile
    >>> manifest = Path(tempfile.mkdtemp()) / "manifest.yaml"
    >>> text = "contacts:\\n  file: kontakter.csv\\n  frequncy: hyppighet\\n"
    >>> _ = manifest.write_text(text, encoding="utf-8")
    >>> [str(w).replace(str(manifest.parent), "") for w in check_warnings(manifest)]
    ["/manifest.yaml:3, key 'contacts.frequncy': unknown field, ignored (did you mean 'frequency'?)"]
    """
    manifest = Path(manifest_path)
    if manifest.resolve() in _seen:  # an include cycle: check reports it
        return []
    try:
        document = read_yaml(manifest, "manifest")
    except CoderError:
        return []
    data = document.data
    if not isinstance(data, dict):
        return []
    found: list[CoderError] = []

    def unknown(mapping: Any, known: Collection[str], *path: str | int) -> None:
        if not isinstance(mapping, dict):
            return
        for key in mapping:
            if str(key) in known:
                continue
            close = difflib.get_close_matches(str(key), list(known), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(known)}"
            dotted = ".".join(f"[{step}]" if isinstance(step, int) else step for step in (*path, str(key)))
            found.append(
                CoderError(
                    f"unknown field, ignored ({hint})",
                    file=manifest,
                    key=dotted.replace(".[", "["),
                    line=yaml_line(document.node, *path, str(key)),
                )
            )

    unknown(data, sorted(_TOP_KEYS))
    for section, keys in _SECTION_KEYS.items():
        unknown(data.get(section), keys, section)
        columns = data[section].get("columns") if isinstance(data.get(section), dict) else None
        if section in _COLUMN_KEYS and isinstance(columns, list):
            for n, item in enumerate(columns):
                unknown(item, _COLUMN_KEYS[section], section, "columns", n)
                if isinstance(item, dict) and section == "ratings":
                    unknown(item.get("scale"), _SCALE_KEYS, section, "columns", n, "scale")
                kind = item.get("kind") if isinstance(item, dict) and section == "questions" else None
                if isinstance(kind, str) and kind.strip() and kind.strip() not in QUESTION_KINDS:
                    close = difflib.get_close_matches(kind.strip(), QUESTION_KINDS, n=1)
                    hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(QUESTION_KINDS)}"
                    found.append(
                        CoderError(
                            f"unknown kind '{kind}' ({hint}); the report draws its questions for discussion "
                            "from the challenge questions",
                            file=manifest,
                            key=f"questions.columns[{n}].kind",
                            line=yaml_line(document.node, "questions", "columns", n, "kind"),
                        )
                    )
    includes = data.get("include")
    if isinstance(includes, list):
        for included in filter(None, (_included(manifest, name) for name in includes)):
            found.extend(check_warnings(included, _seen | {manifest.resolve()}))
    return found


def _included(manifest: Path, name: Any) -> Path | None:
    """The path of a manifest that ``manifest`` includes; None for what is no file name (a number, nothing,
    a NUL character)."""
    return manifest.parent / name if isinstance(name, str) and name.strip() and "\0" not in name else None


def data_files(manifest_path: str | Path) -> list[Path]:
    """The data files a manifest names, after each manifest it includes and that manifest's files (for
    provenance); files that do not exist are left out, and a manifest that cannot be read names none
    (:func:`check` reports it).
    """
    manifest = Path(manifest_path)
    try:
        data = read_yaml(manifest, "manifest").data or {}
    except CoderError:
        return []
    found: list[Path] = []
    if not isinstance(data, dict):
        return found
    for included in filter(None, (_included(manifest, name) for name in data.get("include") or [])):
        found += [included, *data_files(included)]
    for section in data.values():
        if isinstance(section, dict) and isinstance(section.get("file"), str):
            path = manifest.parent / section["file"]
            if path.is_file() and path not in found:
                found.append(path)
    return found


def answers(survey: Survey | str | Path) -> pd.DataFrame:
    """The long answers table (``id, respondent_id, question_id, municipality, text``), ready for ``suggest``.

    Accepts a :class:`Survey` or a manifest path. A manifest without open questions is a CoderError (a
    misspelt ``questions:`` is only warned of, and gave an empty table).
    """
    survey = as_survey(survey)
    if survey.questions.empty:
        raise CoderError("the manifest names no open questions (its 'questions' section)", file=survey.path)
    return survey.answers[["id", "respondent_id", "question_id", "municipality", "text"]].copy()


@dataclass(frozen=True, eq=False)
class SurveySummary:
    """What ``coder survey check`` shows for a valid survey.

    - ``overview``: per municipality: ``people``, ``respondents``, ``response_rate``, ``functions``.
    - ``functions``: one row per declared function (plus totals), one column per municipality.
    - ``ratings``: per municipality and rating: ``n`` (with a value), ``missing`` («Vet ikke»),
      ``mean`` and ``distribution`` (counts per scale value).
    - ``answers``: per municipality and question: number of (non-empty) answers.
    """

    overview: pd.DataFrame
    functions: pd.DataFrame
    ratings: pd.DataFrame
    answers: pd.DataFrame


def summary(survey: Survey | str | Path) -> SurveySummary:
    """People, respondents, response rate, functions per municipality, rating means (missing left out)."""
    survey = as_survey(survey)
    people = survey.respondents
    rows = []
    for municipality, group in people.groupby("municipality", sort=False):
        n, k = len(group), int(group["responded"].sum())
        rows.append(
            {
                "municipality": municipality,
                "people": n,
                "respondents": k,
                "response_rate": k / n if n else math.nan,
                "functions": int(group["functions"].map(len).sum()),
            }
        )
    overview = pd.DataFrame(
        rows, columns=["municipality", "people", "respondents", "response_rate", "functions"]
    )

    municipalities = survey.municipalities
    counts = {
        m: pd.Series(
            [f for fs in people.loc[people.municipality == m, "functions"] for f in fs]
        ).value_counts()
        for m in municipalities
    }
    function_rows = []
    for code in survey.functions["function"]:
        row: dict[str, Any] = {"function": code}
        row.update({m: int(counts[m].get(code, 0)) for m in municipalities})
        function_rows.append(row)
    totals: dict[str, Any] = {"function": "functions in total"}
    totals.update({m: int(counts[m].sum()) for m in municipalities})
    people_row: dict[str, Any] = {"function": "people in the network"}
    people_row.update({m: int((people.municipality == m).sum()) for m in municipalities})
    functions = pd.DataFrame([*function_rows, totals, people_row], columns=["function", *municipalities])

    rating_rows = []
    for (municipality, rating_id), group in survey.ratings.groupby(["municipality", "rating_id"], sort=False):
        values = group["value"].dropna()
        rating_rows.append(
            {
                "municipality": municipality,
                "rating_id": rating_id,
                "n": len(values),
                "missing": int(group["value"].isna().sum()),
                "mean": float(values.mean()) if len(values) else math.nan,
                "distribution": {
                    int(v) if float(v).is_integer() else float(v): int(c)
                    for v, c in values.value_counts().sort_index().items()
                },
            }
        )
    ratings = pd.DataFrame(
        rating_rows, columns=["municipality", "rating_id", "n", "missing", "mean", "distribution"]
    )

    answer_counts = (
        survey.answers.groupby(["municipality", "question_id"], sort=False)
        .size()
        .rename("answers")
        .reset_index()
    )
    return SurveySummary(overview=overview, functions=functions, ratings=ratings, answers=answer_counts)


def function_labels(survey: Survey) -> dict[str, str]:
    """Each declared function's label by its code, as the report names functions.

    >>> function_labels(load(Path(__file__).parents[1] / "examples" / "oppdal" / "manifest.yaml"))["Drift"]
    'Drift og vedlikehold'
    """
    return dict(zip(survey.functions["function"], survey.functions["label"], strict=True))


def function_groups(survey: Survey) -> dict[str, str]:
    """Each person's primary function (the first listed; ``""`` for a person without functions)."""
    return {
        pid: (functions[0] if functions else "")
        for pid, functions in zip(
            survey.respondents["respondent_id"], survey.respondents["functions"], strict=True
        )
    }


# ---------------------------------------------------------------------------------------------------------
# Reading: every problem is collected; `load` raises the first, `check` returns them all.
# ---------------------------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, manifest: Path) -> None:
        self.manifest = manifest
        self.base = manifest.parent
        self.problems: list[CoderError] = []
        self._tables: dict[tuple[Path, str | int | None], pd.DataFrame | None] = {}
        self.exports: dict[tuple[Path, str], list[tuple[int, str, dict[str, Any]]]] = {}

    def problem(self, message: str, **where: Any) -> None:
        self.problems.append(CoderError(message, **where))

    def line(self, *path: str | int) -> int | None:
        """The manifest line (1-based) of the value at ``path`` (keys and list indexes), if found.

        ``yaml.safe_load`` keeps no positions, so the manifest is composed again, only when a message
        needs a line.
        """
        try:
            node = read_yaml(self.manifest, "manifest").node
        except CoderError:
            return None
        return yaml_line(node, *path)

    def table(self, section: dict[str, Any], section_name: str) -> tuple[pd.DataFrame | None, Path | None]:
        name = section.get("file")
        if not isinstance(name, str) or not name.strip():
            self.problem(
                f"section '{section_name}' needs a 'file'", file=self.manifest, key=f"{section_name}.file"
            )
            return None, None
        path = self.base / name
        sheet = section.get("sheet")  # which sheet of a workbook with several (else the only one with data)
        sheet = sheet if isinstance(sheet, int) and not isinstance(sheet, bool) else (sheet and str(sheet))
        if (path, sheet) not in self._tables:
            try:
                if not path.is_file():  # said at the manifest's line: the data file's own name helps little
                    raise self._no_file(name, path, section_name)
                self._tables[(path, sheet)] = read_table(path, sheet=sheet)
            except CoderError as error:
                self.problems.append(error)
                self._tables[(path, sheet)] = None
        return self._tables[(path, sheet)], path

    def _no_file(self, name: str, path: Path, section_name: str) -> CoderError:
        """The manifest's ``file:`` names no file: said at its line, with a file of another case if any."""
        found, hint = "a directory" if path.is_dir() else "no file", ""
        if not path.is_dir():
            same = [f.name for f in path.parent.glob("*") if f.name.casefold() == path.name.casefold()]
            hint = f"; the folder has '{same[0]}': another case?" if same else ""
        return CoderError(
            f"'{name}' names {found} (looked for {path}){hint}",
            file=self.manifest,
            line=self.line(section_name, "file"),
            key=f"{section_name}.file",
        )

    def column(
        self, frame: pd.DataFrame, path: Path, section: dict[str, Any], key: str, name: str
    ) -> str | None:
        """The column the manifest maps ``key`` to, or None (with a problem) when absent."""
        column = section.get(key)
        if column is None:
            self.problem(
                f"section '{name}' needs '{key}' (a column name)", file=self.manifest, key=f"{name}.{key}"
            )
            return None
        column = str(column).strip()
        if column in frame.columns:
            return column
        # as a question's column: a header that differs only in case and white space (NBSP from Excel)
        same = [str(name) for name in frame.columns if _header_key(name) == _header_key(column)]
        if len(same) == 1:
            return same[0]
        available = ", ".join(map(str, frame.columns))
        self.problem(f"missing column (columns are: {available})", file=path, column=column)
        return None


def _header_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()  # NBSP and line breaks of Excel headers are spaces


def _export_column(
    reader: _Reader, frame: pd.DataFrame, path: Path | None, column: str, what: str
) -> str | None:
    """The export's column for a question or rating: the name the manifest gives, or the one header that
    differs from it only in case and white space (a line break or a no-break space from Excel); else None,
    with a problem naming the nearest header."""
    if column in frame.columns:
        return column
    same = [str(name) for name in frame.columns if _header_key(name) == _header_key(column)]
    if len(same) == 1:
        return same[0]
    if same:
        shown = " and ".join(f"'{name}'" for name in same)
        reader.problem(
            f"{what}: the headers {shown} differ from it only in case or space", file=path, column=column
        )
        return None
    keys = {_header_key(name): str(name) for name in frame.columns}
    close = difflib.get_close_matches(_header_key(column), list(keys), n=1, cutoff=0.6)
    hint = f" (nearest in the header: '{keys[close[0]]}')" if close else ""
    reader.problem(f"missing column for {what}{hint}", file=path, column=column)
    return None


def _read(manifest: Path, including: tuple[Path, ...] = ()) -> tuple[Survey | None, list[CoderError]]:
    data, problems = _read_yaml(manifest)
    if data is None:
        return None, problems
    if "include" in data:
        return _read_included(manifest, data, problems, including)
    reader = _Reader(manifest)
    reader.problems.extend(problems)
    for key in ("survey", "name", "municipality"):
        if not _is_text(data, key):
            message = f"'{key}' must be a text, found {_kind_of(data[key])}"
            reader.problem(message, file=manifest, key=key, line=reader.line(key))
    functions = _read_functions(reader, data.get("functions"))
    before = len(reader.problems)
    respondents, marked_silent = _read_respondents(reader, data, functions)
    if respondents.empty and len(reader.problems) > before:
        # every other table is checked against the people: without them each id would be «unknown»
        return None, reader.problems
    known = dict(zip(respondents["respondent_id"], respondents["municipality"], strict=True))
    questions, answer_table, answered = _read_questions(reader, data.get("questions"), known)
    rating_items, ratings, rated = _read_ratings(reader, data.get("ratings"), known)
    if marked_silent is None:  # no `responded` column: a respondent is someone with a row in the export
        in_export = answered | rated
        respondents["responded"] = respondents["respondent_id"].isin(in_export)
    else:  # counted as not responded, quoted and rated all the same: «Svarte 23» beside 24 ratings
        spoke = set(answer_table["respondent_id"]) | set(ratings["respondent_id"])
        for pid in sorted(spoke & set(marked_silent), key=lambda p: marked_silent[p][1]):
            path, row, column, value = marked_silent[pid]
            marked = f"'{value}'" if value else "an empty cell"  # a file that marks responders with «x»
            reader.problem(
                f"respondent '{pid}' is marked as not responded ({marked}) but has answers or ratings in the "
                "export (mark it as responded, or take its answers out)",
                file=path,
                row=row,
                column=column,
            )
    contacts = _read_contacts(reader, data.get("contacts"), known)
    political = _read_political(reader, data.get("political_contacts"), known)
    municipalities = list(dict.fromkeys(respondents["municipality"]))
    reader.problems += _municipality_spellings(municipalities, manifest)
    workshop = _read_workshop(
        reader, data.get("workshop"), municipalities[0] if len(municipalities) == 1 else ""
    )
    survey = Survey(
        name=str(data.get("survey") or data.get("name") or manifest.stem),
        respondents=respondents,
        answers=answer_table,
        questions=questions,
        ratings=ratings,
        rating_items=rating_items,
        contacts=contacts,
        political_contacts=political,
        functions=pd.DataFrame(list(functions.items()), columns=["function", "label"]),
        workshop=workshop,
        path=manifest,
        lexicons=_workshop_lexicon(reader, data.get("workshop")),
    )
    return survey, reader.problems


def _read_yaml(manifest: Path) -> tuple[dict[str, Any] | None, list[CoderError]]:
    try:
        data = read_yaml(manifest, "manifest", "give the survey's manifest, which names its files").data
    except CoderError as error:
        return None, [error]
    if not isinstance(data, dict):
        return None, [CoderError("a manifest is a YAML mapping (key: value)", file=manifest)]
    return data, []


def _read_included(
    manifest: Path, data: dict[str, Any], problems: list[CoderError], including: tuple[Path, ...] = ()
) -> tuple[Survey | None, list]:
    includes = data["include"]
    if not isinstance(includes, list):
        return None, [*problems, CoderError("'include' is a list of manifests", file=manifest, key="include")]
    if not includes:
        return None, [*problems, CoderError("'include' lists no manifest", file=manifest, key="include")]
    including = (*including, manifest.resolve())
    for key in data:
        if key in _TOP_KEYS - {"survey", "name", "include"}:  # silently unread, they were lost
            problems.append(
                CoderError(
                    f"a manifest with 'include' reads only the manifests it includes: move '{key}' into one "
                    "of them",
                    file=manifest,
                    key=key,
                )
            )
    parts: list[Survey] = []
    first_at: dict[Path, int] = {}
    for n, name in enumerate(includes):
        included = _included(manifest, name)
        if included is None:
            problems.append(CoderError(f"not a file name: {name!r}", file=manifest, key=f"include[{n}]"))
            continue
        if included.resolve() in including:  # a manifest that includes itself would never end
            what = (
                "includes itself"
                if included.resolve() == manifest.resolve()
                else "includes this one (a cycle)"
            )
            problems.append(CoderError(f"'{name}' {what}", file=manifest, key=f"include[{n}]"))
            continue
        if included.resolve() in first_at:  # its people would all be «in several included manifests»
            problems.append(
                CoderError(
                    f"'{name}' is included twice (first as include[{first_at[included.resolve()]}])",
                    file=manifest,
                    key=f"include[{n}]",
                )
            )
            continue
        first_at[included.resolve()] = n
        if not included.is_file():  # said where it is listed: the path alone did not say which list
            what = "is no file" if included.exists() else "not found"
            problems.append(CoderError(f"'{name}' {what} ({included})", file=manifest, key=f"include[{n}]"))
            continue
        survey, found = _read(included, including)
        problems.extend(found)
        if survey is not None:
            parts.append(survey)
    if not parts:
        return None, problems
    ids = pd.concat([p.respondents["respondent_id"] for p in parts])
    for duplicate in sorted(set(ids[ids.duplicated()])):
        problems.append(
            CoderError(f"respondent id '{duplicate}' is in several included manifests", file=manifest)
        )

    municipalities = list(dict.fromkeys(name for part in parts for name in part.municipalities))
    problems += _municipality_spellings(municipalities, manifest)
    problems += _disagreements(parts, manifest)

    def cat(attr: str, key: str | None = None) -> pd.DataFrame:
        frame = pd.concat([getattr(p, attr) for p in parts], ignore_index=True)
        return frame.drop_duplicates(key, ignore_index=True) if key else frame

    survey = Survey(
        name=str(data.get("survey") or data.get("name") or manifest.stem),
        respondents=cat("respondents"),
        answers=cat("answers"),
        questions=cat("questions", "question_id"),
        ratings=cat("ratings"),
        rating_items=cat("rating_items", "rating_id"),
        contacts=cat("contacts"),
        political_contacts=cat("political_contacts"),
        functions=cat("functions", "function"),
        workshop=cat("workshop"),
        path=manifest,
        lexicons=tuple(dict.fromkeys(path for part in parts for path in part.lexicons)),
    )
    return survey, problems


def _spelled_alike(names: Iterable[str]) -> list[list[str]]:
    """The groups of names that differ only in case or punctuation (one :func:`~coder.io.slug`, so one file
    name for their figures), each in the order the names first come.

    >>> _spelled_alike(["Nord Aurdal", "Rissa", "Nord-Aurdal", "Rissa"])
    [['Nord Aurdal', 'Nord-Aurdal']]
    """
    groups: dict[str, list[str]] = {}
    for name in dict.fromkeys(names):
        groups.setdefault(slug(name), []).append(name)
    return [group for group in groups.values() if len(group) > 1]


def _disagreements(parts: list[Survey], manifest: Path) -> list[CoderError]:
    """A question or rating that included manifests define differently: the combined survey keeps one
    definition, so a mean on 1–6 and one on 1–10 would stand side by side as if alike."""
    problems = []
    items = (
        ("questions", "question_id", "question", ("kind", "topic")),
        ("rating_items", "rating_id", "rating", ("min", "max")),
    )
    for attr, key, what, fields in items:
        frame = pd.concat([getattr(part, attr) for part in parts], ignore_index=True)
        for ids in _spelled_alike(frame[key]):
            shown = " and ".join(f"'{item_id}'" for item_id in ids)
            message = f"{what} ids {shown} in different included manifests differ only in case or punctuation"
            problems.append(CoderError(message, file=manifest))
        for name in fields:
            for item_id, values in frame.groupby(key, sort=False)[name]:
                seen = list(dict.fromkeys(values))
                if len(seen) > 1:
                    shown = " and ".join(_shown_value(value, name) for value in seen)
                    message = f"{what} '{item_id}' has {name} {shown} in different included manifests"
                    problems.append(CoderError(message, file=manifest))
    return problems


def _shown_value(value: Any, name: str) -> str:
    """A manifest value in a message: «'6'», «'meeting_places'», «no topic» for an empty one."""
    if value == "":
        return f"no {name}"
    return f"'{value:g}'" if isinstance(value, float) else f"'{value}'"


def _municipality_spellings(municipalities: list[str], manifest: Path) -> list[CoderError]:
    """Municipality names that differ only in case or punctuation: one municipality spelled two ways, most
    likely, and in any case one file name for their pictures."""
    return [
        CoderError(
            f"municipality '{other}' and '{group[0]}' differ only in case or punctuation: one municipality "
            "spelled two ways?",
            file=manifest,
        )
        for group in _spelled_alike(municipalities)
        for other in group[1:]
    ]


def _read_functions(reader: _Reader, spec: Any) -> dict[str, str]:
    """The declared functions as code -> label (a list of codes, or a mapping code: label)."""
    if isinstance(spec, dict):
        for code, label in spec.items():
            if isinstance(label, list | dict):  # «Drift: [a, b]» would become the label «['a', 'b']»
                reader.problem(
                    f"the label of function '{code}' must be a text, found {_kind_of(label)}",
                    file=reader.manifest,
                    key=f"functions.{code}",
                    line=reader.line("functions", str(code)),
                )
        return {  # the code stands for a label that is none, so the files' rows are still checked
            str(code).strip(): str(code if isinstance(label, list | dict) else label or code).strip()
            for code, label in spec.items()
        }
    if isinstance(spec, list) and spec:
        return {str(code).strip(): str(code).strip() for code in spec}
    reader.problem(
        "'functions' declares the function codes (a list or a mapping code: label)",
        file=reader.manifest,
        key="functions",
    )
    return {}


def _as_list(value: Any) -> list[Any]:
    """A manifest value meant as a list: a single value is a list of one, null is empty."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return list(value) if isinstance(value, dict) else [value]


def _section(reader: _Reader, data: Any, name: str, required: bool = True) -> dict[str, Any] | None:
    if data is None:
        if required:
            reader.problem(f"the manifest needs a '{name}' section", file=reader.manifest, key=name)
        return None
    if not isinstance(data, dict):
        reader.problem(f"'{name}' is a mapping (file, columns, ...)", file=reader.manifest, key=name)
        return None
    return data


_RESPONDENT_COLUMNS = ["respondent_id", "label", "municipality", "functions", "responded"]


def _read_respondents(
    reader: _Reader, data: dict[str, Any], functions: dict[str, str]
) -> tuple[pd.DataFrame, dict[str, tuple[Path, int, str, str]] | None]:
    """The people table, and where each person marked as not responded is marked so (file, row, column,
    the cell as written); ``None`` when no column says who responded."""
    empty = pd.DataFrame(columns=_RESPONDENT_COLUMNS)
    spec = _section(reader, data.get("respondents"), "respondents")
    if spec is None:
        return empty, None
    frame, path = reader.table(spec, "respondents")
    if frame is None or path is None:
        return empty, None
    id_col = reader.column(frame, path, spec, "id", "respondents")
    fn_col = reader.column(frame, path, spec, "functions", "respondents")
    label_col = reader.column(frame, path, spec, "label", "respondents") if "label" in spec else None
    mun_col = (
        reader.column(frame, path, spec, "municipality", "respondents") if "municipality" in spec else None
    )
    resp_col = reader.column(frame, path, spec, "responded", "respondents") if "responded" in spec else None
    if id_col is None or fn_col is None:
        return empty, None
    default_municipality = str(data.get("municipality") or "").strip()
    separator = str(spec.get("separator", ";"))
    if not separator:
        reader.problem("'separator' is empty", file=reader.manifest, key="respondents.separator")
        separator = ";"
    lookup = {code.casefold(): code for code in functions}
    lookup.update({label.casefold(): code for code, label in functions.items()})

    rows, seen, silent = [], {}, {}
    for i, record in zip(frame.index, frame.to_dict("records"), strict=True):
        row = spreadsheet_row(i)
        pid = str(record[id_col]).strip()
        if _bad_id(reader, seen, pid, "empty id", file=path, row=row, column=id_col):
            continue
        municipality = str(record[mun_col]).strip() if mun_col else ""
        municipality = municipality or default_municipality
        if not municipality:
            where = {"column": mun_col} if mun_col else {}
            reader.problem(f"respondent '{pid}' has no municipality", file=path, row=row, **where)
        codes = []
        for part in str(record[fn_col]).split(separator):
            part = part.strip()
            if not part:
                continue
            code = lookup.get(part.casefold())
            if code is None:
                reader.problem(
                    f"function '{part}' is not in the declared list ({', '.join(functions)})",
                    file=path,
                    row=row,
                    column=fn_col,
                )
            elif code not in codes:
                codes.append(code)
        responded = False
        if resp_col:
            raw = str(record[resp_col]).strip().casefold()
            if raw in _YES:
                responded = True
            elif raw in _NO:
                silent[pid] = (path, row, resp_col, str(record[resp_col]).strip())
            else:
                reader.problem(f"'{record[resp_col]}' is not ja/nei", file=path, row=row, column=resp_col)
        rows.append(
            {
                "respondent_id": pid,
                "label": str(record[label_col]).strip() if label_col else "",
                "municipality": municipality,
                "functions": tuple(codes),
                "responded": responded,
            }
        )
    return pd.DataFrame(rows, columns=_RESPONDENT_COLUMNS), silent if resp_col else None


def _export_rows(
    reader: _Reader, spec: dict[str, Any], name: str, known: dict[str, str]
) -> tuple[pd.DataFrame | None, Path | None, list[tuple[int, str, dict[str, Any]]]]:
    """The rows of a questionnaire export with a known respondent id, as (row, id, record).

    Questions and ratings usually read the same export: its rows are checked once.
    """
    frame, path = reader.table(spec, name)
    if frame is None or path is None:
        return None, None, []
    id_col = reader.column(frame, path, spec, "id", name)
    if id_col is None:
        return None, None, []
    if (path, id_col) not in reader.exports:
        reader.exports[(path, id_col)] = _check_export(reader, frame, path, id_col, known)
    return frame, path, reader.exports[(path, id_col)]


def _check_export(
    reader: _Reader, frame: pd.DataFrame, path: Path, id_col: str, known: dict[str, str]
) -> list[tuple[int, str, dict[str, Any]]]:
    out: list[tuple[int, str, dict[str, Any]]] = []
    seen: dict[str, tuple[int, str]] = {}
    near = _IdHint(known)
    if frame.empty:  # «respondents 0, 0 %» and «0 answers», exit 0: a survey nobody answered, or a bad export
        reader.problem("the export has a header only: no respondent's row", file=path)
    for i, record in zip(frame.index, frame.to_dict("records"), strict=True):
        row = spreadsheet_row(i)
        rid = str(record[id_col]).strip()
        if _bad_id(reader, seen, rid, "empty respondent id", file=path, row=row, column=id_col):
            continue
        if rid not in known:
            reader.problem(
                near.unknown("respondent", rid, "not in the respondents file"),
                file=path,
                row=row,
                column=id_col,
            )
        else:
            out.append((row, rid, record))
    return out


class _IdHint:
    """Says of an unknown id that the respondents file has it in another case or as another number (05, 5,
    5.0: Excel saves an id that looks like a number as one): the files come from different programs."""

    def __init__(self, known: dict[str, str]) -> None:
        self.known = known
        self._keys: dict[str, str] | None = None  # built at the first unknown id

    @staticmethod
    def key(person: str) -> str:
        person = person.casefold()
        if re.fullmatch(r"\d+\.0+", person):
            person = person.split(".")[0]
        return person.lstrip("0") or "0"

    def unknown(self, what: str, person: str, note: str = "") -> str:
        """«unknown respondent '5' (not in the respondents file, which has '05': …)»."""
        if self._keys is None:
            self._keys = {}
            for known in self.known:
                self._keys.setdefault(self.key(known), known)
        found = self._keys.get(self.key(person))
        if found is not None:
            why = (
                "another case?"
                if found.casefold() == person.casefold()
                else "one file saved by Excel as a number?"
            )
            note = (
                f"{note}, which has '{found}': {why}"
                if note
                else f"the respondents file has '{found}': {why}"
            )
        return f"unknown {what} '{person}'" + (f" ({note})" if note else "")


def _bad_id(
    reader: _Reader,
    seen: dict[str, tuple[int, str]],
    rid: str,
    empty: str,
    *,
    file: Path,
    row: int,
    column: str,
) -> bool:
    """Report an empty id (as ``empty``) or one ``seen`` before in the table; else remember it.

    Unlike :func:`coder.io.check_unique_ids`, which stops at the first, every bad row of a manifest's table is
    reported, and the row is left out. Returns whether the id was bad.
    """
    if not rid:
        reader.problem(empty, file=file, row=row, column=column)
        return True
    first = seen.get(rid.casefold())
    if first is not None:
        # Ids that differ only in case are one person typed twice, or two that others cannot tell apart.
        spelt = first[1]
        same = f"duplicate id '{rid}'" if spelt == rid else f"id '{rid}' differs only in case from '{spelt}'"
        reader.problem(f"{same} (first in row {first[0]})", file=file, row=row, column=column)
        return True
    seen[rid.casefold()] = (row, rid)
    return False


def _column_specs(reader: _Reader, spec: dict[str, Any], name: str) -> list[tuple[int, dict[str, Any]]]:
    """The good entries of ``{name}.columns`` with their index in the manifest (for messages)."""
    items = spec.get("columns")
    if not isinstance(items, list) or not items:
        reader.problem(
            f"'{name}.columns' lists the columns (column, id, label)",
            file=reader.manifest,
            key=f"{name}.columns",
        )
        return []
    good, seen = [], {}
    for n, item in enumerate(items):
        if not isinstance(item, dict) or "column" not in item or "id" not in item:
            reader.problem(
                "each entry needs 'column' and 'id'", file=reader.manifest, key=f"{name}.columns[{n}]"
            )
            continue
        wrong = [key for key in ("column", "id", "label", "kind", "topic") if not _is_text(item, key)]
        for key in wrong:
            reader.problem(
                f"'{key}' must be a text, found {_kind_of(item[key])}",
                file=reader.manifest,
                key=f"{name}.columns[{n}].{key}",
                line=reader.line(name, "columns", n, key),
            )
        if wrong:
            continue
        item_id = str(item["id"]).strip()
        # Two entries with one id would give answers (or ratings) with the same id; two ids that differ
        # only in case or punctuation would give their figures one file name.
        first = seen.get(slug(item_id))
        if first is not None:
            first_id = str(items[first]["id"]).strip()
            message = (
                f"duplicate id '{item_id}'"
                if first_id == item_id
                else f"id '{item_id}' and '{first_id}' differ only in case or punctuation"
            )
            reader.problem(
                f"{message} (first in {name}.columns[{first}])",
                file=reader.manifest,
                key=f"{name}.columns[{n}].id",
                line=reader.line(name, "columns", n, "id"),
            )
            continue
        if name == "questions" and ":" in item_id:  # an answer's id is «respondent:question»
            reader.problem(
                f"question id '{item_id}' has a ':', which would make answer ids (respondent:question) "
                "ambiguous",
                file=reader.manifest,
                key=f"{name}.columns[{n}].id",
                line=reader.line(name, "columns", n, "id"),
            )
            continue
        seen[slug(item_id)] = n
        good.append((n, item))
    return good


def _is_text(item: dict[str, Any], key: str) -> bool:
    """Whether ``item[key]`` reads as a text: a string or a number, not empty where the key is required
    (``column`` and ``id``); an optional key may be absent."""
    if key not in item:
        return True
    value = item[key]
    if isinstance(value, dict | list):
        return False
    return key not in ("column", "id") or (value is not None and str(value).strip() != "")


def _kind_of(value: Any) -> str:
    """What a YAML value that is not a text is, for messages."""
    return {dict: "a mapping", list: "a list"}.get(type(value), "nothing")


def _read_questions(
    reader: _Reader, data: Any, known: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame, set[str]]:
    questions = pd.DataFrame(columns=["question_id", "label", "kind", "column", "topic"])
    answer_table = pd.DataFrame(columns=["id", "respondent_id", "question_id", "municipality", "text"])
    spec = _section(reader, data, "questions", required=False)
    if spec is None:
        return questions, answer_table, set()
    items = _column_specs(reader, spec, "questions")
    frame, path, rows = _export_rows(reader, spec, "questions", known)
    questions = pd.DataFrame(
        [
            {
                "question_id": str(item["id"]),
                "label": str(item.get("label") or item["id"]),
                "kind": str(item.get("kind") or ""),
                "column": str(item["column"]),
                "topic": str(item.get("topic") or "").strip(),
            }
            for _n, item in items
        ],
        columns=questions.columns,
    )
    if frame is None:
        return questions, answer_table, set()
    present = []
    for _n, item in items:
        column = _export_column(reader, frame, path, str(item["column"]).strip(), f"question '{item['id']}'")
        if column is not None:
            present.append((str(item["id"]), column))
    records = []
    for _row, rid, record in rows:
        for qid, column in present:
            text = str(record[column]).strip()
            if text:
                records.append(
                    {
                        "id": f"{rid}:{qid}",
                        "respondent_id": rid,
                        "question_id": qid,
                        "municipality": known[rid],
                        "text": text,
                    }
                )
    return questions, pd.DataFrame(records, columns=answer_table.columns), {rid for _, rid, _ in rows}


def _scale(reader: _Reader, item: dict[str, Any], n: int) -> tuple[float, float, dict[str, float]] | None:
    scale = item.get("scale")
    key = f"ratings.columns[{n}].scale"
    if not isinstance(scale, dict) or "min" not in scale or "max" not in scale:
        reader.problem("a rating needs 'scale: {min: .., max: ..}'", file=reader.manifest, key=key)
        return None
    try:
        low, high = float(scale["min"]), float(scale["max"])
    except (TypeError, ValueError):
        reader.problem("scale min and max are numbers", file=reader.manifest, key=key)
        return None
    if not low < high:  # else every rating would be «outside the scale 6–1»
        reader.problem(f"scale min ({low:g}) must be below max ({high:g})", file=reader.manifest, key=key)
        return None
    if not high - low <= MAX_SCALE_SPAN:  # and finite: a chart has a bar per value
        reader.problem(
            f"a scale of {low:g}–{high:g} is no rating scale (at most {MAX_SCALE_SPAN} apart, as 0–100)",
            file=reader.manifest,
            key=key,
        )
        return None
    labels_spec = scale.get("labels") or {}
    if not isinstance(labels_spec, dict):
        reader.problem("scale labels map values to labels ({1: Svært dårlig})", file=reader.manifest, key=key)
        return None
    try:
        labels = {str(label).strip().casefold(): float(value) for value, label in labels_spec.items()}
    except (TypeError, ValueError):
        reader.problem("the values of scale labels are numbers", file=reader.manifest, key=f"{key}.labels")
        return None
    outside = [value for value in labels_spec if not low <= float(value) <= high]
    if outside:  # «99: Vet ikke» belongs under `missing:`, or it counts in the mean
        reader.problem(
            f"label value {float(outside[0]):g} is outside the scale {low:g}–{high:g} (a missing value goes "
            "under 'missing')",
            file=reader.manifest,
            key=f"{key}.labels",
        )
        return None
    return low, high, labels


# A value, alone or before its label («5», «3,5», «5 - Svært godt»); not a range or a list («2-3», «1,2,3»).
_LEADING_NUMBER = re.compile(
    r"^\s*(?>(-?\d+(?:[.,]\d+)?))\b(?![.,]\d)(?!\s*[-–/,;]\s*\d)"
)  # atomic: no retreat
MAX_SCALE_SPAN = 100


def _anchors(item: dict[str, Any]) -> str:
    """The labelled values of a checked rating scale as a reader needs them: «1 = Svært dårlig, 6 = Svært
    godt» (``""`` without labels)."""
    labels = (item.get("scale") or {}).get("labels") or {}
    ordered = sorted(
        ((float(value), str(label).strip()) for value, label in labels.items()), key=lambda vl: vl[0]
    )
    return ", ".join(f"{value_text(value)} = {label}" for value, label in ordered)


def _read_ratings(
    reader: _Reader, data: Any, known: dict[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame, set[str]]:
    items_frame = pd.DataFrame(columns=["rating_id", "label", "min", "max", "column", "anchors"])
    ratings = pd.DataFrame(columns=["respondent_id", "rating_id", "municipality", "value", "raw"])
    spec = _section(reader, data, "ratings", required=False)
    if spec is None:
        return items_frame, ratings, set()
    items = _column_specs(reader, spec, "ratings")
    frame, path, rows = _export_rows(reader, spec, "ratings", known)
    parsed = []
    for n, item in items:
        scale = _scale(reader, item, n)
        if scale is not None:
            missing = {str(m).strip().casefold() for m in _as_list(item.get("missing"))}
            parsed.append(
                (
                    str(item["id"]),
                    str(item.get("label") or item["id"]),
                    str(item["column"]).strip(),
                    scale,
                    missing,
                    _anchors(item),
                )
            )
    items_frame = pd.DataFrame(
        [
            {"rating_id": rid, "label": label, "min": s[0], "max": s[1], "column": col, "anchors": anchors}
            for rid, label, col, s, _, anchors in parsed
        ],
        columns=items_frame.columns,
    )
    if frame is None:
        return items_frame, ratings, set()
    records = []
    for rating_id, _label, named, (low, high, labels), missing, _anchors_text in parsed:
        column = _export_column(reader, frame, path, named, f"rating '{rating_id}'")
        if column is None:
            continue
        for row, rid, record in rows:
            raw = str(record[column]).strip()
            if not raw:
                continue
            if raw.casefold() in missing:
                value = math.nan
            elif raw.casefold() in labels:
                value = labels[raw.casefold()]
            else:
                match = _LEADING_NUMBER.match(raw)
                if match is None:
                    reader.problem(
                        f"'{raw}' is not a value on the scale {low:g}–{high:g} nor a missing value",
                        file=path,
                        row=row,
                        column=column,
                    )
                    continue
                value = float(match.group(1).replace(",", "."))
                if not low <= value <= high:
                    reader.problem(
                        f"rating {value:g} is outside the scale {low:g}–{high:g}",
                        file=path,
                        row=row,
                        column=column,
                    )
                    continue
            records.append(
                {
                    "respondent_id": rid,
                    "rating_id": rating_id,
                    "municipality": known[rid],
                    "value": value,
                    "raw": raw,
                }
            )
    ratings = pd.DataFrame(records, columns=ratings.columns)
    ratings["value"] = ratings["value"].astype(float)
    return items_frame, ratings, {rid for _, rid, _ in rows}


def _mapped_table(
    reader: _Reader, data: Any, name: str, keys: tuple[str, ...]
) -> tuple[dict[str, Any], pd.DataFrame, Path, list[str]] | None:
    """An optional section that maps ``keys`` to columns of its file: (spec, frame, path, columns).

    None when the section is absent or a problem (recorded) leaves nothing to read.
    """
    spec = _section(reader, data, name, required=False)
    if spec is None:
        return None
    frame, path = reader.table(spec, name)
    if frame is None or path is None:
        return None
    columns = [reader.column(frame, path, spec, key, name) for key in keys]
    if None in columns:
        return None
    return spec, frame, path, [c for c in columns if c is not None]


def _read_contacts(reader: _Reader, data: Any, known: dict[str, str]) -> pd.DataFrame:
    columns = ["source", "target", "frequency", "municipality"]
    mapped = _mapped_table(reader, data, "contacts", ("from", "to", "frequency"))
    if mapped is None:
        return pd.DataFrame(columns=columns)
    spec, frame, path, (src_col, dst_col, freq_col) = mapped
    values = dict(FREQUENCY_VALUES)
    extra = spec.get("frequencies") or {}
    if isinstance(extra, dict):
        for value, written in extra.items():
            # a level as the files write it (ukentlig) is that level; anything else is the manifest's fault,
            # not every row's that uses the value
            level = FREQUENCY_VALUES.get(str(written).strip().casefold())
            if level is None:
                reader.problem(
                    f"'{value}' maps to '{written}', not a level ({', '.join(LEVELS)})",
                    file=reader.manifest,
                    key=f"contacts.frequencies.{value}",
                    line=reader.line("contacts", "frequencies", str(value)),
                )
            else:
                values[str(value).strip().casefold()] = level
    else:
        reader.problem(
            "'frequencies' maps values to levels ({flere ganger i uka: weekly})",
            file=reader.manifest,
            key="contacts.frequencies",
        )
    best: dict[tuple[str, str], str] = {}
    first_report: dict[tuple[str, str], tuple[int, str]] = {}  # pair -> (row, frequency) as first reported
    conflicts: list[str] = []
    near = _IdHint(known)
    for i, record in zip(frame.index, frame.to_dict("records"), strict=True):
        row = spreadsheet_row(i)
        source, target = str(record[src_col]).strip(), str(record[dst_col]).strip()
        raw = str(record[freq_col]).strip()
        ok = True
        for person, column in ((source, src_col), (target, dst_col)):
            if not person:
                reader.problem("empty person id", file=path, row=row, column=column)
                ok = False
            elif person not in known:
                reader.problem(
                    near.unknown("person", person),
                    file=path,
                    row=row,
                    column=column,
                )
                ok = False
        if ok and source == target:
            reader.problem(f"self-contact: '{source}' names themself", file=path, row=row, column=dst_col)
            ok = False
        if ok and known[source] != known[target]:
            reader.problem(
                f"contact across municipalities ({known[source]}, {known[target]})",
                file=path,
                row=row,
                column=dst_col,
            )
            ok = False
        frequency = values.get(raw.casefold())
        if frequency not in LEVELS:
            reader.problem(
                f"bad frequency '{raw}' (use daily/weekly/monthly, daglig/ukentlig/månedlig or "
                "dagleg/vekentleg/månadleg)",
                file=path,
                row=row,
                column=freq_col,
            )
            ok = False
        if ok:
            assert frequency is not None
            pair = (source, target)
            if pair not in best or LEVELS.index(frequency) < LEVELS.index(best[pair]):
                best[pair] = frequency
            earlier = first_report.setdefault(pair, (row, frequency))
            if earlier[1] != frequency:
                both = f"'{source}' -> '{target}' is {frequency} here and {earlier[1]} in row {earlier[0]}"
                conflicts.append(f"row {row}: {both}")
    if conflicts:  # a typing slip or two answers merged: the researcher should see which rows
        more = f" ({len(conflicts) - 1} more such row(s))" if len(conflicts) > 1 else ""
        warnings.warn(f"{path}, {conflicts[0]}{more}; the most frequent counts", DataWarning, stacklevel=2)
    rows = [
        {"source": s, "target": t, "frequency": f, "municipality": known[s]} for (s, t), f in best.items()
    ]
    return pd.DataFrame(rows, columns=columns)


def _read_political(reader: _Reader, data: Any, known: dict[str, str]) -> pd.DataFrame:
    columns = ["respondent_id", "body", "type", "municipality"]
    mapped = _mapped_table(reader, data, "political_contacts", ("respondent", "body", "type"))
    if mapped is None:
        return pd.DataFrame(columns=columns)
    spec, frame, path, (who_col, body_col, type_col) = mapped
    declared = _as_list(spec.get("bodies") or DEFAULT_BODIES)
    bodies = {str(b).strip().casefold(): str(b).strip() for b in declared}
    rows, seen = [], set()
    near = _IdHint(known)
    for i, record in zip(frame.index, frame.to_dict("records"), strict=True):
        row = spreadsheet_row(i)
        rid = str(record[who_col]).strip()
        body = bodies.get(str(record[body_col]).strip().casefold())
        kind = CONTACT_TYPES.get(str(record[type_col]).strip().casefold())
        ok = True
        if rid not in known:
            reader.problem(
                near.unknown("respondent", rid),
                file=path,
                row=row,
                column=who_col,
            )
            ok = False
        if body is None:
            reader.problem(
                f"unknown body '{record[body_col]}' (declared: {', '.join(bodies.values())})",
                file=path,
                row=row,
                column=body_col,
            )
            ok = False
        if kind is None:
            reader.problem(
                f"unknown contact type '{record[type_col]}' (use gir informasjon, får informasjon, "
                "politisk diskusjon or faglig diskusjon)",
                file=path,
                row=row,
                column=type_col,
            )
            ok = False
        if ok and (rid, body, kind) not in seen:
            seen.add((rid, body, kind))
            rows.append({"respondent_id": rid, "body": body, "type": kind, "municipality": known[rid]})
    return pd.DataFrame(rows, columns=columns)


def _read_workshop(reader: _Reader, data: Any, municipality: str) -> pd.DataFrame:
    """The workshop notes: ``question`` and ``note`` columns, ``id`` and ``group`` optional."""
    mapped = _mapped_table(reader, data, "workshop", ("question", "note"))
    if mapped is None:
        return pd.DataFrame(columns=WORKSHOP_COLUMNS)
    spec, frame, path, (question_col, note_col) = mapped
    id_col = reader.column(frame, path, spec, "id", "workshop") if "id" in spec else None
    group_col = reader.column(frame, path, spec, "group", "workshop") if "group" in spec else None
    if id_col is not None:
        try:
            check_unique_ids(frame, id_col, path)
        except CoderError as error:
            reader.problems.append(error)
    notes = frame[note_col].astype(str).str.strip()
    keep = notes != ""
    questions = frame[question_col].astype(str).str.strip()
    if not keep.any():
        warnings.warn(f"{path}: the workshop has no notes", DataWarning, stacklevel=2)
    for index in frame.index[keep & (questions == "")][:1]:  # the report lists notes under their question
        reader.problem(
            "a note without a question (the report lists each note under its question)",
            file=path,
            row=spreadsheet_row(index),
            column=question_col,
        )
    return pd.DataFrame(
        {
            "note_id": (
                frame[id_col].astype(str).str.strip() if id_col else pd.Series(frame.index + 1).astype(str)
            ),
            "question": questions,
            "note": notes,
            "group": frame[group_col].astype(str).str.strip() if group_col else "",
            "municipality": municipality,
        }
    )[keep].reset_index(drop=True)


def _workshop_lexicon(reader: _Reader, data: Any) -> tuple[Path, ...]:
    """The researchers' lexicon the workshop section names (``lexicon:``, a path beside the manifest), read
    as grouping reads it; () when it names none or the file has a problem (recorded)."""
    name = data.get("lexicon") if isinstance(data, dict) else None
    if name is None:
        return ()

    def problem(message: str) -> tuple[Path, ...]:
        line = reader.line("workshop", "lexicon")  # composed again only for a message, as in _Reader
        reader.problem(message, file=reader.manifest, key="workshop.lexicon", line=line)
        return ()

    if not isinstance(name, str) or not name.strip() or "\0" in name:
        return problem("'lexicon' names a YAML file of concepts (concept: and terms:)")
    path = reader.base / name.strip()
    if not path.is_file():
        return problem(f"lexicon file not found: {path}")
    try:
        read_lexicon(path)
    except CoderError as error:
        reader.problems.append(error)
        return ()
    return (path,)


def scale_values(low: float, high: float, given: Iterable[float] = ()) -> list[float]:
    """The values a rating's distribution shows: each whole number of the scale, and any other value given.

    >>> scale_values(1, 4, [2.5, float("nan")])
    [1.0, 2.0, 2.5, 3.0, 4.0]
    """
    whole = {float(v) for v in range(math.ceil(low), math.floor(high) + 1)}
    return sorted(whole | {float(v) for v in given if not math.isnan(v)})


def value_text(value: float) -> str:
    """A scale value as Norwegian writes it: ``3``, ``3,5``."""
    return f"{value:g}".replace(".", ",")


def rating_file_stem(rating_id: str) -> str:
    """The file name, without suffix, of a rating's picture.

    >>> rating_file_stem("Samordning i kommunen")
    'vurdering_samordning-i-kommunen'
    """
    return f"vurdering_{slug(rating_id)}"


def plot_ratings(
    survey: Survey, directory: str | Path, *, formats: tuple[str, ...] = ("png", "svg")
) -> list[Path]:
    """Bar charts of each rating: one panel per municipality, the share of answers per scale value.

    «Vet ikke» and other missing values get a bar of their own at the right, apart from the scale. The panels
    share the percent axis, so municipalities compare at a glance.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import PercentFormatter

    directory = output_directory(directory)
    written = []
    for item in survey.rating_items.itertuples(index=False):
        ratings = survey.ratings[survey.ratings["rating_id"] == item.rating_id]
        values = scale_values(item.min, item.max, ratings["value"])
        municipalities = [m for m in survey.municipalities if (ratings["municipality"] == m).any()] or [""]
        fig = Figure(figsize=(min(4 * len(municipalities), 12), 3.6), layout="constrained")
        axes = fig.subplots(1, len(municipalities), sharey=True, squeeze=False)[0]
        for ax, municipality in zip(axes, municipalities, strict=True):
            mine = ratings[ratings["municipality"] == municipality]
            name = "\n".join(textwrap.wrap(municipality, 30)) or municipality  # side by side: keep it narrow
            if mine["value"].notna().sum() < privacy.SMALLEST_CELL:  # one or two people's ratings: not shown
                ax.set_title(f"{name}\nfærre enn {privacy.SMALLEST_CELL} svarte".strip(), fontsize=9)
                ax.set_xticks([])
                ax.spines[["top", "right"]].set_visible(False)
                continue
            total = len(mine)
            shares = [(mine["value"] == v).sum() / total for v in values]
            shares.append(mine["value"].isna().sum() / total)
            mean, n, missing = (
                mine["value"].mean(),
                int(mine["value"].notna().sum()),
                int(mine["value"].isna().sum()),
            )
            colours = ["#4c72b0"] * len(values) + ["#b0b0b0"]
            ax.bar(range(len(values) + 1), shares, color=colours)
            ax.set_xticks(range(len(values) + 1), [*map(value_text, values), "Vet ikke"], fontsize=8)
            # As the table: the mean and n without «Vet ikke», decimal comma; the bars in percent of all,
            # whose number comes first (bars of 9 of 23 read as 45 % of «n = 20»)
            mean_text = number_text(mean if n else None, 1, decimal_mark=",")
            heading = f"{name}\n{total} svarte: snitt {mean_text}, n = {n}"
            ax.set_title((heading + (f", vet ikke {missing}" if missing else "")).strip(), fontsize=9)
            ax.spines[["top", "right"]].set_visible(False)
        axes[0].set_ylabel("Prosent av dem som svarte")
        # «25 %» with a space, as the report's text writes percentages
        axes[0].yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0, symbol=" %"))
        written += save_figure(fig, directory / rating_file_stem(item.rating_id), formats)
    return written
