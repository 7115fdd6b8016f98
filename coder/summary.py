"""Theme summaries a report can use as they are: theme lists, quotes, municipalities side by side.

For every open question, the themes (codes) are counted as the researchers write their theme lists: how many
of the respondents who answered the question mention each theme, and the share, grouped into three
frequency bands (:data:`BANDS`):

- «Mange pekte på»: at least 25 % of those who answered, and at least 3 people;
- «En del pekte på»: at least 10 %, and at least 2 people;
- «Ellers nevnt»: the rest (mentioned, but by few).

The share is the one the report shows, rounded to whole percent (2 of 21 reads «10 %» and is «en del»). The
minimum number of people keeps one answer out of eight from reading as «en del». The denominator is the
respondents with a *coded* answer to the question, decided by :func:`coder.link.coded_answers` as for
:func:`coder.link.link`: an answer missing from a human codes file is not coded yet and left out; with machine
suggestions (a ``confidence`` column) every answer counts as coded; ``all_coded`` overrides either.

Quotes that represent a theme are picked among the answers carrying the code, preferring (in this order)
answers that carry only that code, answers of medium length (:data:`QUOTE_LENGTH` characters), and — when the
codes come with a confidence — the most confident (in steps of 0.1); the seed decides among equally good
answers, so the same seed gives the same quotes. An answer is quoted under a second theme of the same question
only when that theme has no other answer to show. Quotes are verbatim; in the Markdown and HTML report one
longer than :data:`QUOTE_SHOWN` characters ends at a word with « […]» (the tables hold it whole). In them a
respondent is named only by primary function and municipality, or more coarsely where a name would stand
for fewer than :data:`ATTRIBUTION_MIN` respondents (:func:`shown_attribution`); never by name or id (the CSV,
XLSX and JSON tables keep the answer id so a researcher can find the answer again).

When the survey has several municipalities, the theme shares are shown side by side per municipality, with
the rating means («Vet ikke» left out) and the rating distribution.

The tables of one municipality as CSV files (the pictures of ``md`` and ``html`` take about 2 s more, both
municipalities about 9 s in every format):

>>> import tempfile
>>> out = Path(tempfile.mkdtemp()) / "summary"
>>> result = report("examples/oppdal/manifest.yaml", "examples/oppdal/koder.csv", None, out_dir=out,
...                 formats="csv")
>>> themes = result.themes[["code", "mentions", "answers", "band"]]
>>> themes.head(2).to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
[{'code': 'local_knowledge', 'mentions': 7, 'answers': 19, 'band': 'Mange pekte på'},
 {'code': 'financial_instruments', 'mentions': 6, 'answers': 19, 'band': 'Mange pekte på'}]
>>> (out / "temaer.csv").exists(), (out / "sitater.csv").exists()
(True, True)
"""

from __future__ import annotations

import base64
import difflib
import functools
import hashlib
import json
import math
import os
import re
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import jinja2
import markupsafe
import pandas as pd

from coder import codebook as codebook_mod
from coder import network, network_figures, privacy
from coder import survey as survey_mod
from coder.codebook import Codebook
from coder.errors import CoderError
from coder.io import (
    atomic_write,
    number_text,
    output_directory,
    percent_text,
    provenance,
    provenance_path,
    records,
    save_figure,
    slug,
    staged_directory,
    whole_percent,
    write_excel,
    write_json,
    write_table,
)
from coder.link import codebook_for, coded_answers, crosstab, load_codes, project_codes
from coder.survey import Survey

BANDS: tuple[tuple[str, float, int], ...] = (
    ("Mange pekte på", 0.25, 3),
    ("En del pekte på", 0.10, 2),
    ("Ellers nevnt", 0.0, 1),
)
"""The frequency bands of a theme list: (label, lowest share, fewest people); the first that fits applies."""

POSITION_LEVEL = "weekly"
"""The contact level whose positions the themes are crossed with (as `coder link` by default)."""

SMALL_GROUP = 10
"""A municipality with fewer answers to a question than this gets a caution under its share of themes."""

POSITION_P = 0.1
"""Tests shown in the report: p below this (all are in the tables)."""

POSITION_Q = 0.05
"""A difference holds after the correction for many tests when q is below this (none: the report says so)."""

ATTRIBUTION_MIN = privacy.SMALLEST_CELL
"""No name under a quote stands for fewer than this many of those who responded, not even by elimination
(:func:`shown_attribution`): the smallest cell of Norwegian statistics. One of two politicians of a
municipality is known to the other, and «– Politisk folkevalgt, Lille» from the only one names him."""

_SMALL_CELLS = (
    f", og aldri slik at en betegnelse gjelder færre enn {ATTRIBUTION_MIN} av dem som svarte (ellers bare "
    "med funksjonen, bare med kommunen eller uten betegnelse; svar fra en gruppe som er for liten til det, "
    "er ikke sitert)"
)

QUOTE_LENGTH = (30, 160)
"""A quote of medium length has this many characters (inclusive); shorter or longer ones come later."""

QUOTE_SHOWN = 600
"""The report shows this many characters of a quote at most, up to a word, then « […]»."""

FORMATS: tuple[str, ...] = ("md", "html", "xlsx", "csv", "json")
"""The output formats :func:`report` can write."""

FIGURES = "figurer"
"""The sub-directory of the output directory for the figures (PNG and SVG)."""

REPORT = "rapport"
"""The report's file name without suffix: rapport.md, rapport.html, rapport.xlsx, rapport.json."""


def machine_note(learned: int = 0) -> str:
    """The report's note on machine suggestions; ``learned``: answers coded by hand that they learned from
    (``coder suggest --labels`` keeps those answers' codes)."""
    kept = (
        f" (unntatt {learned} svar kodet av en koder, som forslagene lærte av og beholder)" if learned else ""
    )
    return (
        f"Kodene er maskinforslag fra «coder suggest»{kept} og er ikke gjennomgått av en koder; "
        "tall og sitater må kontrolleres før de brukes."
    )


MACHINE_NOTE = machine_note()

GENERAL_DISCUSSION = "Hva kan kommunen gjøre med dette, og hvem bør ta ansvaret?"
"""The question for discussion of a theme whose code has none of its own (the codebook's ``discussion``)."""


# ---------------------------------------------------------------------------------------------------------
# Result
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SummaryReport:
    """The theme summary of a survey, as tables (and the files written).

    - ``questions``: per open question: ``question_id``, ``label``, ``text`` (the question as asked),
      ``kind``, ``topic`` (the code it asks about, or ``""``), ``answers`` (non-empty answers), ``coded``
      (of them coded; the denominator of shares).
    - ``themes``: per question and mentioned theme, most mentioned first: ``question_id``, ``code``,
      ``label``, ``label_en``, ``answers``, ``mentions`` (respondents), ``share``, ``band``,
      ``question_topic`` (the theme is what the question asks about: its manifest ``topic``).
    - ``quotes``: per question and theme, best first: ``question_id``, ``code``, ``label``, ``rank``,
      ``answer_id``, ``respondent_id``, ``text`` (verbatim), ``n_codes`` (codes on the answer),
      ``confidence`` (NaN without one), ``attribution`` (what the report names under the quote: see
      :data:`ATTRIBUTION_MIN`; no function or municipality column beside it says what the report held
      back; the ids are the survey's own, for the researcher to trace a quote).
    - ``comparison``: per question, theme and municipality: ``answers``, ``mentions``, ``share`` (every
      municipality for every theme mentioned in the question, zeros included).
    - ``ratings``: per municipality and rating: ``label``, ``n``, ``missing`` («Vet ikke»), ``mean`` and one
      column per scale value (count).
    - ``discussion``: questions for discussion from the most frequent challenge themes.
    - ``network_size``: per municipality: ``people`` named, ``respondents``, ``response_rate``, ``functions``
      (held; a person may hold several), as researchers publish the network's size.
    - ``functions``: per function (its label) the people holding it in each municipality and in ``Totalt``;
      the last rows are the functions in total and the people.
    - ``political``: per municipality and political body: respondents with ``any`` contact and with each
      type of contact (Norwegian labels).
    - ``network_measures``: per municipality and contact level (Norwegian labels): people, ties, density,
      components, people without contact, people who did not respond (in the network as others named them),
      brokers, mean path length, degree centralization, modularity.
    - ``roles_by_function``: per municipality, level and primary function: people, brokers, without contact
      and of those how many did not respond (never by name or id).
    - ``position_tests`` and ``position_counts``: themes by network position at the weekly level
      (:func:`coder.link.crosstab`): the tests (Fisher or chi-square, q-values, small cells flagged) and the
      counts behind them.
    - ``uncoded``: the coded answers that carry no theme, per question (``question_id``, ``answer_id``,
      ``municipality``, ``text``; masked like the quotes; ``non_answer``: it says nothing, as «vet ikke»,
      «-», «nei»: :attr:`coder.nlp.ProcessedAnswer.is_non_answer`; ``says_none``: of them, those that say
      «none», as «Ingen», «Nei»), so that nothing disappears from the report.
    - ``workshop``: the notes of the idea workshop in groups, when the manifest names them
      (:func:`coder.discover.group_notes`): ``municipality``, ``question``, ``group``, ``note_id``, ``note``,
      ``grouped_by``
      (researchers or coder discover), ``stability``.
    - ``provenance``: versions, codebook, input files with sha256, time, seed and settings.
    - ``files``: what :func:`report` wrote.
    """

    name: str
    municipalities: tuple[str, ...]
    questions: pd.DataFrame
    themes: pd.DataFrame
    quotes: pd.DataFrame
    comparison: pd.DataFrame
    ratings: pd.DataFrame
    discussion: tuple[str, ...]
    provenance: dict[str, Any] = field(default_factory=dict)
    workshop: pd.DataFrame = field(default_factory=pd.DataFrame)
    network_size: pd.DataFrame = field(default_factory=pd.DataFrame)
    functions: pd.DataFrame = field(default_factory=pd.DataFrame)
    political: pd.DataFrame = field(default_factory=pd.DataFrame)
    uncoded: pd.DataFrame = field(default_factory=pd.DataFrame)
    network_measures: pd.DataFrame = field(default_factory=pd.DataFrame)
    roles_by_function: pd.DataFrame = field(default_factory=pd.DataFrame)
    position_tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    position_counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    network_report: Any = field(default=None, repr=False, compare=False)  # for the pictures
    files: tuple[Path, ...] = ()


# ---------------------------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------------------------


def band(mentions: int, answers: int) -> str:
    """The frequency band of a theme mentioned by ``mentions`` of ``answers`` respondents (see :data:`BANDS`).

    The share is the one the report shows, in whole percent: 2 of 21 is «10 %», so it is «en del».

    >>> band(6, 20), band(2, 20), band(1, 8), band(2, 21)
    ('Mange pekte på', 'En del pekte på', 'Ellers nevnt', 'En del pekte på')
    """
    share = whole_percent(mentions / answers) / 100 if answers else 0.0
    for label, lowest, fewest in BANDS:
        if share >= lowest and mentions >= fewest:
            return label
    return BANDS[-1][0]


def theme_counts(answers: pd.DataFrame, codes: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Respondents mentioning each theme, per question (and per ``by`` columns of ``answers``).

    ``answers``: the coded answers (``id``, ``respondent_id``, ``question_id`` and the ``by`` columns);
    ``codes``: ``id, code`` (an empty code = coded, no theme). Returns ``question_id``, the ``by`` columns,
    ``code``, ``answers`` (respondents who answered), ``mentions`` and ``share``, for mentioned themes only.

    >>> oppdal = survey_mod.load("examples/oppdal/manifest.yaml")
    >>> codes = pd.read_csv("examples/oppdal/koder.csv", keep_default_na=False)
    >>> counts = theme_counts(oppdal.answers, codes, by=["municipality"])
    >>> counts.iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'question_id': 'ansvarsavklaring', 'municipality': 'Oppdal', 'code': 'fragmented_responsibility',
     'answers': 10, 'mentions': 10, 'share': 1.0}
    """
    keys = ["question_id", *by]
    totals = answers.groupby(keys, sort=False)["respondent_id"].nunique().rename("answers")
    hits = codes.loc[codes["code"] != "", ["id", "code"]].merge(
        answers[["id", "respondent_id", *keys]], on="id"
    )
    mentions = hits.groupby([*keys, "code"], sort=False)["respondent_id"].nunique().rename("mentions")
    table = mentions.reset_index().merge(totals.reset_index(), on=keys, how="left")
    table["mentions"] = table["mentions"].astype(int)
    table["answers"] = table["answers"].astype(int)
    table["share"] = table["mentions"] / table["answers"]
    return table[[*keys, "code", "answers", "mentions", "share"]]


def _order(values: pd.Series, order: Sequence[str]) -> pd.Series:
    index = {value: i for i, value in enumerate(order)}
    return values.map(lambda v: index.get(v, len(index)))


# ---------------------------------------------------------------------------------------------------------
# Quotes
# ---------------------------------------------------------------------------------------------------------


def _tiebreak(seed: int, answer_id: str, code: str) -> int:
    """A seeded random number for an answer, the same whatever the order of the rows."""
    return int(hashlib.sha256(f"{seed}\0{answer_id}\0{code}".encode()).hexdigest()[:16], 16)


def pick_quotes(
    answers: pd.DataFrame,
    codes: pd.DataFrame,
    *,
    per_theme: int = 3,
    seed: int = 0,
    attribution: dict[str, tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Up to ``per_theme`` representative answers per question and theme, best first.

    ``answers``: coded answers with ``id``, ``respondent_id``, ``question_id``, ``text``; ``codes``:
    ``id, code[, confidence]``; ``attribution``: respondent id -> (function, municipality). Preferred:
    answers with this code only, then of medium length (:data:`QUOTE_LENGTH`), then the most confident (in
    steps of 0.1); the seed orders answers that are equally good. Within a question an answer is quoted
    under a second theme only when that theme has no other answer left to fill its quotes: the themes pick
    in turn, the one with the fewest answers first (then by code), so a small theme keeps its only quote
    and which answers are quoted does not depend on the order of the rows.
    """
    columns = [
        "question_id",
        "code",
        "rank",
        "answer_id",
        "respondent_id",
        "municipality",
        "function",
        "text",
        "n_codes",
        "confidence",
    ]
    real = codes[codes["code"] != ""]
    if "confidence" not in real.columns:
        real = real.assign(confidence=math.nan)
    n_codes = real.groupby("id")["code"].nunique()
    merged = real.merge(answers[["id", "respondent_id", "question_id", "text"]], on="id")
    low, high = QUOTE_LENGTH
    ranked: dict[tuple[str, str], list[tuple[tuple[int, int, float, int], Any]]] = {}
    for (question_id, code), group in merged.groupby(["question_id", "code"], sort=False):
        candidates = []
        for row in group.itertuples(index=False):
            length = len(row.text)
            confidence = float(row.confidence)
            key = (
                int(n_codes[row.id] > 1),
                int(not low <= length <= high),
                0.0 if math.isnan(confidence) else -round(confidence, 1),
                _tiebreak(seed, row.id, code),
            )
            candidates.append((key, row))
        candidates.sort(key=lambda item: item[0])
        ranked[(question_id, code)] = candidates

    # Fewest candidates first, then by code: a small theme keeps its only quote; an answer already quoted
    # under another theme of the question comes only after every answer that is not.
    chosen: dict[tuple[str, str], list[tuple[tuple[int, int, float, int], Any]]] = {}
    quoted: dict[str, set[str]] = {}
    for question_id, code in sorted(ranked, key=lambda pair: (pair[0], len(ranked[pair]), pair[1])):
        taken = quoted.setdefault(question_id, set())
        candidates = ranked[(question_id, code)]
        fresh = [item for item in candidates if item[1].id not in taken]
        again = [item for item in candidates if item[1].id in taken]
        picked = sorted((fresh + again)[:per_theme], key=lambda item: item[0])
        taken.update(row.id for _key, row in picked)
        chosen[(question_id, code)] = picked

    rows = []
    for question_id, code in ranked:
        for rank, (_key, row) in enumerate(chosen[(question_id, code)], start=1):
            function, municipality = (attribution or {}).get(row.respondent_id, ("", ""))
            rows.append(
                (
                    question_id,
                    code,
                    rank,
                    row.id,
                    row.respondent_id,
                    municipality,
                    function,
                    row.text,
                    int(n_codes[row.id]),
                    float(row.confidence),
                )
            )
    return pd.DataFrame(rows, columns=columns)


def _attribution(survey: Survey) -> dict[str, tuple[str, str]]:
    """Respondent id -> (label of the primary function, municipality), for those who responded (or have an
    answer, whatever the manifest's `responded` column says): how a quote is attributed."""
    labels = survey_mod.function_labels(survey)
    answered = survey.respondents["respondent_id"].isin(survey.answers["respondent_id"])
    people = survey.respondents[survey.respondents["responded"] | answered]
    return {
        pid: (labels.get(functions[0], functions[0]) if functions else "", municipality)
        for pid, functions, municipality in zip(
            people["respondent_id"], people["functions"], people["municipality"], strict=True
        )
    }


def shown_attribution(attribution: dict[str, tuple[str, str]]) -> dict[str, str | None]:
    """Respondent id -> what the report names under a quote, so that no name stands for fewer than
    :data:`ATTRIBUTION_MIN` respondents, not even by elimination (``attribution``: the function and
    municipality of everyone who responded).

    Everyone of a function is named alike: «function, municipality» when every municipality has at least
    that many of them, else the function alone when the survey has that many. The others (a function too
    rare, or none) are named by their municipality when each municipality has that many of them, else not
    at all; ``None`` when even the unnamed are fewer than that (their answers are not quoted).

    >>> shown_attribution({"a": ("Leder", "Lille"), "b": ("Leder", "Store"), "c": ("Leder", "Store"),
    ...                    "d": ("NAV", "Store"), "e": ("", "Store"), "f": ("Vakt", "Lille")})
    {'a': 'Leder', 'b': 'Leder', 'c': 'Leder', 'd': '', 'e': '', 'f': ''}
    """
    by_function: dict[str, Counter[str]] = {}
    for function, municipality in attribution.values():
        by_function.setdefault(function, Counter())[municipality] += 1
    level = {
        function: "both" if min(cells.values()) >= ATTRIBUTION_MIN else "function"
        for function, cells in by_function.items()
        if function and cells.total() >= ATTRIBUTION_MIN
    }
    rest = Counter(municipality for function, municipality in attribution.values() if function not in level)
    by_municipality = bool(rest) and min(rest.values()) >= ATTRIBUTION_MIN
    unnamed = 0 < rest.total() < ATTRIBUTION_MIN and not by_municipality
    shown: dict[str, str | None] = {}
    for respondent, (function, municipality) in attribution.items():
        match level.get(function):
            case "both":
                shown[respondent] = f"{function}, {municipality}"
            case "function":
                shown[respondent] = function
            case _:
                shown[respondent] = None if unnamed else municipality if by_municipality else ""
    return shown


# ---------------------------------------------------------------------------------------------------------
# Building the summary
# ---------------------------------------------------------------------------------------------------------


def _topics(survey: Survey, codebook: Codebook) -> dict[str, str]:
    """Each question's ``topic``; one that is no code of the codebook is left out with a warning (the
    manifest may have been written for another codebook, or the code's id mistyped)."""
    topics = dict(zip(survey.questions["question_id"], survey.questions["topic"], strict=True))
    for question_id, topic in topics.items():
        if topic and topic not in codebook.code_ids:
            close = difflib.get_close_matches(topic, codebook.code_ids, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"its codes: {', '.join(codebook.code_ids)}"
            warnings.warn(
                f"{survey.path}: question '{question_id}': topic '{topic}' is not a code of the codebook "
                f"({hint}); the report does not mark it",
                survey_mod.ManifestWarning,
                stacklevel=3,
            )
            topics[question_id] = ""
    return topics


def summarize(
    survey: Survey | str | os.PathLike[str],
    codes: pd.DataFrame | str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None,
    codebook: Codebook | str | os.PathLike[str] | None = None,
    *,
    quotes_per_theme: int = 3,
    seed: int = 0,
    all_coded: bool | None = None,
    mask: bool = True,
    project: str | os.PathLike[str] | None = None,
    lexicon: str | os.PathLike[str] | None = None,
) -> SummaryReport:
    """The theme summary as tables, without writing anything (see :func:`report` for the files).

    ``survey``: a :class:`~coder.survey.Survey` or a manifest; ``codes``: a table or codes file(s);
    ``codebook``: a :class:`~coder.codebook.Codebook`, a YAML file or None (the default codebook; with
    ``project``, the project's own);
    ``all_coded``: which answers count as coded (see :func:`coder.link.coded_answers`; None decides from
    the codes); ``mask``: direct identifiers in quotes and workshop notes replaced
    (:func:`coder.privacy.mask`); ``project``: a coding project whose reviewed codes are counted instead of
    ``codes`` (:func:`coder.store.reviewed_codes`: the coders' where they decided, else the latest run's);
    ``lexicon``: the researcher's concepts (:func:`coder.codebook.read_lexicon`) for grouping workshop
    notes that the researchers did not group; without it, the lexicons the manifest names
    (``workshop: lexicon:``, :attr:`coder.survey.Survey.lexicons`).
    """
    _check_quotes(quotes_per_theme)
    inputs: list[tuple[str, Path]] = []
    given = [Path(lexicon)] if lexicon is not None else []
    own_concepts = _read_lexicons(given)  # first: a bad file stops the report before its work
    survey = survey_mod.as_survey(survey)
    lexicons = given or list(survey.lexicons)  # a lexicon given is used instead of the manifest's
    if not given:
        own_concepts = _read_lexicons(lexicons)
    if survey.path is not None:
        inputs += [("manifest", survey.path)] + [("datafil", p) for p in survey_mod.data_files(survey.path)]
    if (codes is None) == (project is None):
        raise CoderError("give the codes or a coding project (one of them)")
    codebook = codebook_for(codebook, project)
    if codebook.path is not None:
        inputs.append(("kodebok", codebook.path))
    inputs += [("begreper", path) for path in lexicons]
    review = None
    if project is not None:
        review = project_codes(survey, project)
        codes = review.codes
        inputs.append(("kodeprosjekt", Path(project)))
    table, code_paths, machine = load_codes(codes, survey.answers["id"].tolist(), codebook, survey=survey)
    inputs += [("kodefil", p) for p in code_paths]
    model = _model_settings(project, review.run_id if review else None, code_paths) if machine else None

    try:  # a report of nothing, every share 0 of 0, is an error (it was a pandas KeyError)
        base = coded_answers(survey.answers, table, all_coded, project=review, none_is_an_error=True)
    except CoderError as error:  # said of the project, when one was given
        raise CoderError(error.message, file=project) from None
    answers = base.answers
    labels = {c.id: c for c in codebook.codes}
    question_order = list(survey.questions["question_id"])
    code_order = codebook.code_ids

    totals = survey.answers.groupby("question_id").size()
    coded_totals = answers.groupby("question_id").size()
    topics = _topics(survey, codebook)
    questions = pd.DataFrame(
        {
            "question_id": survey.questions["question_id"],
            "label": survey.questions["label"],
            "text": survey.questions["column"],
            "kind": survey.questions["kind"],
            "topic": survey.questions["question_id"].map(topics),
            "answers": survey.questions["question_id"].map(totals).fillna(0).astype(int),
            "coded": survey.questions["question_id"].map(coded_totals).fillna(0).astype(int),
        }
    ).reset_index(drop=True)

    with_theme = set(table.loc[table["code"] != "", "id"])
    # an answer whose codes are all in dispute has themes, not yet agreed: not an answer without a theme
    with_theme |= set(review.conflicts["id"]) if review is not None and len(review.conflicts) else set()
    uncoded = answers.loc[~answers["id"].isin(with_theme), ["question_id", "id", "municipality", "text"]]
    from coder import nlp  # late: spaCy is needed only for the answers without a theme (and the notes)

    # «vet ikke», «-», «nei» count among those who answered, and are listed apart from answers without a theme
    processed = nlp.preprocess(uncoded["text"].tolist())
    uncoded = uncoded.assign(
        non_answer=[a.is_non_answer for a in processed], says_none=[a.says_none for a in processed]
    )
    # the names of a respondents file that holds them too (masked in every quote, note and listed answer)
    names = privacy.person_names([*survey.respondents["respondent_id"], *survey.respondents["label"]])
    hide = functools.partial(privacy.mask, names=names)
    uncoded = uncoded.assign(text=uncoded["text"].map(hide) if mask else uncoded["text"])
    uncoded = uncoded.rename(columns={"id": "answer_id"}).reset_index(drop=True)
    themes = theme_counts(answers, table)
    kinds = questions.set_index("question_id")["kind"]
    asked = list(zip(themes["question_id"].map(kinds), themes["code"], strict=True))
    themes = themes.assign(
        label=[labels[c].label_for(kind) for kind, c in asked],
        label_en=[labels[c].label_for(kind, english=True) for kind, c in asked],
        band=[band(k, n) for k, n in zip(themes["mentions"], themes["answers"], strict=True)],
        question_topic=themes["code"] == themes["question_id"].map(topics),
    )
    themes = _sorted(themes, question_order, code_order)
    themes = themes[[*THEME_COLUMNS]]

    attribution = _attribution(survey)
    shown = shown_attribution(attribution)
    quotable = answers[[shown.get(respondent) is not None for respondent in answers["respondent_id"]]]
    quotes = pick_quotes(quotable, table, per_theme=quotes_per_theme, seed=seed, attribution=attribution)
    quotes["attribution"] = [shown[respondent] for respondent in quotes["respondent_id"]]
    # the quotes table goes with the report (sitater.csv, rapport.xlsx): it says of a quote what the report
    # says under it, not the function or municipality the report held back
    quotes = quotes.drop(columns=["municipality", "function"])
    theme_keys = list(zip(themes["question_id"], themes["code"], strict=True))
    quote_keys = list(zip(quotes["question_id"], quotes["code"], strict=True))
    theme_labels = dict(zip(theme_keys, themes["label"], strict=True))
    quotes.insert(2, "label", [theme_labels[key] for key in quote_keys])
    theme_rank = {key: i for i, key in enumerate(theme_keys)}
    quotes = quotes.assign(_o=[theme_rank[key] for key in quote_keys])
    quotes = quotes.sort_values(["_o", "rank"], kind="stable").drop(columns="_o").reset_index(drop=True)
    if mask:
        quotes["text"] = quotes["text"].map(hide)

    municipalities = tuple(m for m in survey.municipalities if (survey.answers["municipality"] == m).any())
    comparison = _comparison(answers, table, themes, municipalities)
    ratings = _ratings(survey)
    network_size, functions = _network_size(survey)
    political = _political(survey)
    network_report, network_measures, roles_by_function = _network(survey, seed)
    position_tests, position_counts = pd.DataFrame(), pd.DataFrame()
    if network_report is not None:
        weekly = network_report.positions[network_report.positions["level"] == POSITION_LEVEL]
        linked = crosstab(
            table,
            weekly,
            base.answers,
            functions=list(survey.functions["function"]),
            questions=question_order,
            all_coded=base.all_coded,
        )
        # functions by their labels, as in the report's other tables («Øk. virkemidler» is the data's code)
        function_labels = survey_mod.function_labels(survey)
        position_tests, position_counts = (
            frame.assign(
                category=[
                    function_labels.get(c, c) if v == "function" else c
                    for v, c in zip(frame["variable"], frame["category"], strict=True)
                ]
            )
            for frame in (linked.tests, linked.counts)
        )
    discussion = _discussion(answers, table, questions, labels, code_order)
    workshop = pd.DataFrame()
    if not survey.workshop.empty:
        from coder import discover  # late: grouping loads the classifier's matcher, needed only for notes

        workshop = discover.group_notes(survey.workshop, seed=seed, knowledge=codebook, lexicon=own_concepts)
        if mask:
            workshop["note"] = workshop["note"].map(hide)

    record = provenance(
        inputs,
        survey=survey.name,
        codebook={
            "name": codebook.name,
            "version": codebook.version,
            "file": str(codebook.path) if codebook.path else "",
        },
        seed=seed,
        quotes_per_theme=quotes_per_theme,
        all_coded=base.all_coded,
        base=base.base,
        answers=len(survey.answers),
        coded_answers=len(answers),
        uncoded_answers=base.uncoded,
        answers_outside_project=base.outside_project,
        machine_suggestions=machine,
        note=machine_note((model or {}).get("human_coded_answers") or 0) if machine else "",
        bands=[{"band": b, "min_share": s, "min_mentions": k} for b, s, k in BANDS],
        quote_length=list(QUOTE_LENGTH),
        identifiers_masked=mask,
        model=model,
        review=None
        if review is None
        else {
            "answers": review.answers,
            "decided": review.decided,
            "coders": list(review.coders),
            "decisions": review.decisions,
            "decided_by_rule": review.decided_by_rule,
            "unread": review.unread,
            "read_in_part": review.read_in_part,
            "decided_since_run": review.decided_since_run,
            "bulk_decisions": review.bulk_decisions,
            "conflicts": len(review.conflicts),
            "conflicts_by_code": {
                labels[c].label: int(n)
                for c, n in review.conflicts["code"].value_counts().items()
                if c in labels
            },
            "run": review.run_id,
        },
    )
    return SummaryReport(
        name=survey.name,
        municipalities=municipalities,
        questions=questions,
        themes=themes.reset_index(drop=True),
        quotes=quotes,
        comparison=comparison,
        ratings=ratings,
        discussion=discussion,
        provenance=record,
        workshop=workshop,
        network_size=network_size,
        functions=functions,
        political=political,
        uncoded=uncoded,
        network_measures=network_measures,
        roles_by_function=roles_by_function,
        network_report=network_report,
        position_tests=position_tests,
        position_counts=position_counts,
    )


def _sorted(frame: pd.DataFrame, questions: Sequence[str], codes: Sequence[str]) -> pd.DataFrame:
    """Questions in manifest order, most mentioned first, ties in codebook order."""
    frame = frame.assign(_q=_order(frame["question_id"], questions), _c=_order(frame["code"], codes))
    frame = frame.sort_values(["_q", "mentions", "_c"], ascending=[True, False, True], kind="stable")
    return frame.drop(columns=["_q", "_c"]).reset_index(drop=True)


def _comparison(
    answers: pd.DataFrame,
    codes: pd.DataFrame,
    themes: pd.DataFrame,
    municipalities: Sequence[str],
) -> pd.DataFrame:
    """Theme shares per municipality, every municipality for every theme mentioned in the question."""
    columns = ["question_id", "code", "label", "municipality", "answers", "mentions", "share"]
    counts = theme_counts(answers, codes, by=["municipality"]).set_index(
        ["question_id", "municipality", "code"]
    )
    totals = answers.groupby(["question_id", "municipality"])["respondent_id"].nunique()
    rows = []
    for question_id, code, label in zip(themes["question_id"], themes["code"], themes["label"], strict=True):
        for municipality in municipalities:
            n = int(totals.get((question_id, municipality), 0))
            key = (question_id, municipality, code)
            k = int(counts.at[key, "mentions"]) if key in counts.index else 0
            rows.append((question_id, code, label, municipality, n, k, k / n if n else math.nan))
    return pd.DataFrame(rows, columns=columns)


def _network_size(survey: Survey) -> tuple[pd.DataFrame, pd.DataFrame]:
    """People, respondents and response rate per municipality; functions per municipality with totals."""
    overview = survey_mod.summary(survey)
    labels = survey_mod.function_labels(survey)
    functions = overview.functions.copy()
    totals = {"functions in total": "Funksjoner i alt", "people in the network": "Personer i nettverket"}
    functions["function"] = functions["function"].map(lambda f: totals.get(f, labels.get(f, f)))
    functions["Totalt"] = functions[list(survey.municipalities)].sum(axis=1)
    return overview.overview, functions


def _network(survey: Survey, seed: int) -> tuple[Any, pd.DataFrame, pd.DataFrame]:
    """The contact network per level (:func:`coder.network.network`): its measures, and brokers and people
    without contact per primary function, never per person."""
    if survey.contacts.empty:
        return None, pd.DataFrame(), pd.DataFrame()
    report = network.network(survey, seed=seed)
    measures = report.summary[
        ["municipality", "level", "people", "ties", "density", "components", "isolates", "brokers",
         "mean_path_length", "degree_centralization", "modularity"]
    ].assign(level=lambda t: t["level"].map(network.LEVEL_LABELS))  # fmt: skip
    labels = survey_mod.function_labels(survey)
    people = report.positions.assign(
        function=report.positions["group"].map(lambda g: labels.get(g, g)),
        # in the network because others named them; their own contacts are unknown, so «without contact»
        # says only that no one named them (a municipal reader took them for people cut off)
        not_responded=~report.positions["responded"].astype(bool),
    )
    people["without_contact_not_responded"] = people["isolate"] & people["not_responded"]
    not_responded = people.groupby(["municipality", "level"], sort=False)["not_responded"].sum().astype(int)
    measures = measures.merge(
        not_responded.rename(index=network.LEVEL_LABELS, level="level").reset_index(),
        on=["municipality", "level"],
        how="left",
    )
    measures["not_responded"] = measures["not_responded"].fillna(0).astype(int)
    beside = [column for column in measures.columns if column != "not_responded"]  # beside «isolates»
    beside.insert(beside.index("isolates") + 1, "not_responded")
    measures = measures[beside]
    roles = (
        people.groupby(["municipality", "level", "function"], sort=False)
        .agg(
            people=("person", "size"),
            brokers=("broker", "sum"),
            without_contact=("isolate", "sum"),
            without_contact_not_responded=("without_contact_not_responded", "sum"),
        )
        .reset_index()
        .astype({"brokers": int, "without_contact": int, "without_contact_not_responded": int})
    )
    roles = roles[(roles["brokers"] > 0) | (roles["without_contact"] > 0)]
    roles = roles.assign(level=roles["level"].map(network.LEVEL_LABELS))
    order = {m: i for i, m in enumerate(survey.municipalities)}
    by_municipality = {"key": lambda column: column.map(order) if column.name == "municipality" else column}
    measures = measures.sort_values("municipality", kind="stable", **by_municipality)
    roles = roles.sort_values("municipality", kind="stable", **by_municipality)
    return report, measures.reset_index(drop=True), roles.reset_index(drop=True)


def _political(survey: Survey) -> pd.DataFrame:
    """Respondents per municipality and political body, with any contact and with each type of contact."""
    table = network.political_contacts(survey).by_body
    return table.rename(columns=network.TYPE_LABELS)


def _ratings(survey: Survey) -> pd.DataFrame:
    """Rating means per municipality («Vet ikke» left out) and the counts per scale value."""
    table = survey_mod.summary(survey).ratings
    items = survey.rating_items.set_index("rating_id")
    rows = []
    for row in table.itertuples(index=False):
        item = items.loc[row.rating_id]
        record = {
            "municipality": row.municipality,
            "rating_id": row.rating_id,
            "label": item["label"],
            "anchors": item["anchors"],
            "n": int(row.n),
            "missing": int(row.missing),
            "mean": float(row.mean),
        }
        for value in survey_mod.scale_values(item["min"], item["max"], row.distribution):
            record[survey_mod.value_text(value)] = int(row.distribution.get(value, 0))
        rows.append(record)
    fixed = list(RATING_COLUMNS)
    if not rows:
        return pd.DataFrame(columns=fixed)
    # Items of different scales share the table: a value is a count (0 too) on each row of an item that
    # has it in any municipality, and empty on the rows of an item whose scale lacks it.
    values_of: dict[str, set[str]] = {}
    for record in rows:
        values_of.setdefault(record["rating_id"], set()).update(set(record) - set(fixed))
    for record in rows:
        record.update({value: 0 for value in values_of[record["rating_id"]] - set(record)})
    values = sorted(set().union(*values_of.values()), key=_scale_number)
    return pd.DataFrame(rows, columns=fixed + values).astype({value: "Int64" for value in values})


#: The columns of the themes table, in order.
THEME_COLUMNS = (
    "question_id", "code", "label", "label_en", "answers", "mentions", "share", "band", "question_topic",
)  # fmt: skip

#: The columns of the ratings table before one column per scale value (``1``, ``2``, ``3,5`` ...).
RATING_COLUMNS = ("municipality", "rating_id", "label", "anchors", "n", "missing", "mean")


def _scale_number(value: str) -> float:
    """A scale value column (``3``, ``3,5``) as its number."""
    return float(value.replace(",", "."))


def _discussion(
    answers: pd.DataFrame,
    codes: pd.DataFrame,
    questions: pd.DataFrame,
    labels: dict[str, Any],
    code_order: Sequence[str],
    top: int = 3,
) -> tuple[str, ...]:
    """Questions for discussion from the themes most respondents name as a challenge (at least two); an
    answer to a question about the theme itself (its ``topic``) does not count: it was asked for."""
    by_id = questions.set_index("question_id")  # the report's questions: their kind and topic
    kinds, topics = by_id["kind"], by_id["topic"]
    challenge = answers[answers["question_id"].map(kinds) == "challenge"]
    if challenge.empty:
        return ()
    hits = codes[codes["code"] != ""].merge(challenge[["id", "respondent_id", "question_id"]], on="id")
    hits = hits[hits["code"] != hits["question_id"].map(topics)]
    people = hits.groupby("code")["respondent_id"].nunique()
    people = people[people >= 2]
    ranked = sorted(people.index, key=lambda c: (-people[c], code_order.index(c)))[:top]
    out = []
    for code in ranked:
        label = labels[code].label
        question = labels[code].discussion or GENERAL_DISCUSSION
        others = challenge["question_id"].map(topics) != code
        asked = "ett spørsmål" if others.all() else "ett av de andre spørsmålene"  # not only about it
        total = challenge.loc[others, "respondent_id"].nunique()
        out.append(
            f"{label} (nevnt av {people[code]} av de {total} som svarte på minst {asked} om "
            f"utfordringer): {question}"
        )
    return tuple(out)


# ---------------------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------------------


def report(
    survey: Survey | str | os.PathLike[str],
    codes: pd.DataFrame | str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None,
    codebook: Codebook | str | os.PathLike[str] | None = None,
    *,
    out_dir: str | os.PathLike[str],
    formats: str | Sequence[str] = FORMATS,
    quotes_per_theme: int = 3,
    seed: int = 0,
    all_coded: bool | None = None,
    mask: bool = True,
    project: str | os.PathLike[str] | None = None,
    lexicon: str | os.PathLike[str] | None = None,
) -> SummaryReport:
    """Summarize the themes (see :func:`summarize`) and write the report into ``out_dir``.

    ``formats`` (a list or ``"md,html"``): ``md`` → ``rapport.md`` (figures in ``figurer/``, linked by
    relative path), ``html`` → ``rapport.html`` (self-contained, figures inlined), ``xlsx`` →
    ``rapport.xlsx`` (one sheet per table of :func:`tables`), ``csv`` → one file per table
    (``temaer.csv``, ``sitater.csv``, ``sammenligning.csv``, ``vurdering.csv``, ..., ``opphav.csv``),
    ``json`` → ``rapport.json``.
    The names are Norwegian, as the report; the columns are the data's (as in :func:`to_json`).
    Every file is written atomically and carries the provenance.
    """
    wanted = _formats(formats)  # bad options fail before any work
    _check_quotes(quotes_per_theme)
    survey = survey_mod.as_survey(survey)
    codebook = codebook_for(codebook, project)
    summary = summarize(
        survey,
        codes,
        codebook,
        quotes_per_theme=quotes_per_theme,
        seed=seed,
        all_coded=all_coded,
        mask=mask,
        project=project,
        lexicon=lexicon,
    )
    directory = Path(out_dir)
    inputs = [entry["file"] for entry in summary.provenance["inputs"]]
    with staged_directory(directory, inputs=inputs) as stage:  # interrupted: the earlier report stays
        staged = _write_report(summary, survey, codebook, wanted, stage)
    written = [directory / path.relative_to(stage) for path in staged]
    return replace(summary, files=tuple(written))


def _write_report(
    summary: SummaryReport, survey: Survey, codebook: Codebook, wanted: list[str], directory: Path
) -> list[Path]:
    """Write the report's files in the formats wanted into ``directory``; the files written."""
    written: list[Path] = []
    figures: dict[str, list[tuple[str, Path]]] = {}
    if "md" in wanted or "html" in wanted:
        figures, files = plot(summary, survey, codebook, directory / FIGURES)
        written += files
    if "md" in wanted:
        written.append(_write_text(to_markdown(summary, figures, directory), directory / f"{REPORT}.md"))
    if "html" in wanted:
        written.append(_write_text(to_html(summary, figures), directory / f"{REPORT}.html"))
    if "xlsx" in wanted:
        written.append(write_xlsx(summary, directory / f"{REPORT}.xlsx"))
    if "csv" in wanted:
        for name, table in tables(summary).items():
            written.append(write_table(table, directory / f"{name}.csv", excel=True))
    if "json" in wanted:
        written.append(write_json(to_json(summary), directory / f"{REPORT}.json"))
    return written


def _formats(formats: str | Sequence[str]) -> list[str]:
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = [f.strip().lower() for f in items if f.strip()]
    for fmt in wanted:
        if fmt not in FORMATS:
            raise CoderError(f"unknown format '{fmt}' (use {', '.join(FORMATS)})", key="formats")
    if not wanted:
        raise CoderError(f"no output format (use {', '.join(FORMATS)})", key="formats")
    return wanted


def _read_lexicons(paths: Sequence[Path]) -> Codebook | None:
    """The researchers' concepts of one or more lexicon files as one lexicon (None for no file)."""
    if not paths:
        return None
    from coder import discover  # late, as in summarize

    lexicons = [codebook_mod.read_lexicon(path) for path in paths]
    return functools.reduce(discover.extend_lexicon, lexicons[1:], lexicons[0])


def _check_quotes(quotes_per_theme: int) -> None:
    if quotes_per_theme < 0:
        raise CoderError(f"the number of quotes must be 0 or more, got {quotes_per_theme}", key="quotes")


def _write_text(text: str, path: Path) -> Path:
    with atomic_write(path) as handle:
        handle.write(text)
    return path


def provenance_table(provenance: dict[str, Any]) -> pd.DataFrame:
    """The provenance as ``key, value`` rows (nested keys joined by dots; one row per input file)."""
    rows: list[tuple[str, str]] = []
    for key, value in provenance.items():
        if key == "inputs":
            rows += [(f"input {item['role']}: {item['file']}", f"sha256 {item['sha256']}") for item in value]
        elif key == "bands":
            rows += [
                (f"band {b['band']}", f"share >= {b['min_share']:.0%}, people >= {b['min_mentions']}")
                for b in value
            ]
        elif isinstance(value, dict):
            rows += [(f"{key}.{k}", str(v)) for k, v in value.items()]
        elif isinstance(value, list):
            rows.append((key, ", ".join(map(str, value))))
        else:
            rows.append((key, str(value)))
    return pd.DataFrame(rows, columns=["key", "value"])


def to_json(summary: SummaryReport) -> dict[str, Any]:
    """The summary as one JSON-ready dict: provenance first, then every table."""
    return {
        "provenance": summary.provenance,
        "survey": summary.name,
        "municipalities": list(summary.municipalities),
        "questions": records(summary.questions),
        "themes": records(summary.themes),
        "quotes": records(summary.quotes),
        "comparison": records(summary.comparison),
        "ratings": records(summary.ratings),
        "discussion": list(summary.discussion),
        "network_size": records(summary.network_size),
        "functions": records(summary.functions),
        "network_measures": records(summary.network_measures),
        "roles_by_function": records(summary.roles_by_function),
        "position_tests": records(summary.position_tests),
        "position_counts": records(summary.position_counts),
        "political": records(summary.political),
        "uncoded": records(summary.uncoded),
        "workshop": records(summary.workshop),
    }


def tables(summary: SummaryReport) -> dict[str, pd.DataFrame]:
    """The report's tables by their Norwegian file and sheet name, in the report's order; a table the survey
    gives nothing for (no network, no workshop) is left out."""
    optional = {
        "nettverket": summary.network_size,
        "funksjoner": summary.functions,
        "nettverksmål": summary.network_measures,
        "brobyggere_og_uten_kontakt": summary.roles_by_function,
        "posisjon_tester": summary.position_tests,
        "posisjon_tall": summary.position_counts,
        "politisk_kontakt": summary.political,
        "svar_uten_tema": summary.uncoded,
        "idedugnad": summary.workshop,
    }
    return {
        "temaer": summary.themes,
        "sitater": summary.quotes,
        "sammenligning": summary.comparison,
        "vurdering": summary.ratings,
        **{name: table for name, table in optional.items() if not table.empty},
        "opphav": provenance_table(summary.provenance),
    }


XLSX_COLUMNS = {
    "question_id": "spørsmål", "question": "spørsmål", "code": "kode", "label": "tema",
    "label_en": "tema (engelsk)", "answers": "svar", "mentions": "nevnt av", "share": "andel",
    "band": "omfang", "rank": "nr.", "answer_id": "svar-id", "respondent_id": "respondent",
    "municipality": "kommune", "function": "funksjon", "text": "tekst", "n_codes": "koder på svaret",
    "confidence": "sikkerhet", "attribution": "sitert som", "rating_id": "vurdering", "n": "n",
    "missing": "vet ikke", "mean": "gjennomsnitt", "people": "personer", "respondents": "respondenter",
    "response_rate": "svarprosent", "functions": "funksjoner", "level": "kontaktnivå", "ties": "forbindelser",
    "density": "tetthet", "components": "komponenter", "isolates": "uten kontakt", "brokers": "brobyggere",
    "mean_path_length": "gjennomsnittlig avstand", "degree_centralization": "sentralisering",
    "modularity": "modularitet", "without_contact": "uten kontakt", "not_responded": "svarte ikke",
    "without_contact_not_responded": "uten kontakt, svarte ikke", "variable": "variabel",
    "category": "kategori", "test": "test", "statistic": "testverdi", "p_value": "p", "q_value": "q",
    "min_expected": "minste forventede", "warning": "merknad", "k": "med temaet", "body": "organ",
    "any": "noen kontakt", "group": "gruppe", "note_id": "lapp-id", "note": "lapp",
    "grouped_by": "gruppert av", "stability": "stabilitet", "key": "nøkkel", "value": "verdi",
    "question_topic": "spørsmålets tema", "non_answer": "sier ikke noe", "says_none": "sier «ingen»",
}  # fmt: skip
"""The workbook's column headings: it is read by people (the CSV and JSON keep the names programs use)."""
_XLSX_SHEET_COLUMNS = {"vurdering": {"rating_id": "id", "label": "vurdering", "anchors": "skala"}}
_XLSX_VALUES = {
    "test": {"fisher": "Fishers eksakte test", "chi2": "kjikvadrattest"},
    "grouped_by": {"researchers": "forskerne", "too few": "for få til å gruppere"},
    "question_topic": {True: "ja", False: ""},
    "non_answer": {True: "ja", False: ""},
    "says_none": {True: "ja", False: ""},
}
"""The values the workbook says in Norwegian, as the report does (CSV and JSON keep the programs' names)."""
_XLSX_DECIMALS = {
    "p_value": 3, "q_value": 3, "statistic": 2, "min_expected": 1, "confidence": 2, "mean": 2, "density": 3,
    "mean_path_length": 2, "degree_centralization": 2, "modularity": 2, "stability": 2,
}  # fmt: skip
"""Decimals shown per column (the cell keeps the full value), as the report rounds them."""


def write_xlsx(summary: SummaryReport, path: str | os.PathLike[str]) -> Path:
    """Write every table of :func:`tables` to one workbook, a sheet each, atomically: Norwegian headings
    (:data:`XLSX_COLUMNS`) and notes, shares shown as percent."""
    path = Path(path)
    stamp = datetime.fromisoformat(summary.provenance["created"]).replace(tzinfo=None)
    sheets = {}
    for name, table in tables(summary).items():
        if "warning" in table.columns:
            table = table.assign(warning=table["warning"].map(_norwegian_warning))
        if "variable" in table.columns:
            table = table.assign(variable=table["variable"].map(lambda v: VARIABLES.get(v, v)))
        for column, values in _XLSX_VALUES.items():
            if column in table.columns:
                table = table.assign(**{column: table[column].map(lambda v, said=values: said.get(v, v))})
        sheets[name] = table.rename(columns=XLSX_COLUMNS | _XLSX_SHEET_COLUMNS.get(name, {}))
    # The workbook's own dates are those of the provenance, not "now" once more.
    return write_excel(
        path,
        sheets,
        created=stamp,
        percent=(XLSX_COLUMNS["share"], XLSX_COLUMNS["response_rate"]),
        decimals={XLSX_COLUMNS[column]: places for column, places in _XLSX_DECIMALS.items()},
    )


# ---------------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------------


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def plot(
    summary: SummaryReport,
    survey: Survey,
    codebook: Codebook,
    directory: str | os.PathLike[str],
    *,
    formats: tuple[str, ...] = ("png", "svg"),
) -> tuple[dict[str, list[tuple[str, Path]]], list[Path]]:
    """Draw the figures of a summary as PNG and SVG: per question a bar chart of theme counts (codebook
    colours, Norwegian labels) and, with several municipalities, a grouped bar chart of theme shares per
    municipality; the rating distribution per municipality.

    Returns ``{question_id or "ratings": [(caption, png path), ...]}`` and every file written.
    """
    from matplotlib.figure import Figure

    directory = output_directory(directory)
    colours = {c.id: c.color or "#7F7F7F" for c in codebook.codes}
    figures: dict[str, list[tuple[str, Path]]] = {}
    written: list[Path] = []
    for question in summary.questions.itertuples(index=False):
        themes = summary.themes[summary.themes["question_id"] == question.question_id]
        if themes.empty:
            continue
        stem = slug(question.question_id)
        fig = Figure(figsize=(8, 0.45 * len(themes) + 1.4))
        ax = fig.subplots()
        ys = list(range(len(themes)))[::-1]  # most mentioned at the top
        ax.barh(ys, themes["mentions"], color=[colours[c] for c in themes["code"]], height=0.7)
        for y, k, share in zip(ys, themes["mentions"], themes["share"], strict=True):
            ax.text(k, y, f" {k} ({_percent(share)})", va="center", fontsize=8)
        asked = zip(themes["label"], themes["question_topic"], strict=True)
        names = [f"{label} (spørsmålets tema)" if topic else label for label, topic in asked]
        ax.set_yticks(ys, [_wrap(name, 38) for name in names], fontsize=9)
        of = _of_whom(question)
        ax.set_xlabel(f"Antall respondenter som nevner temaet (av {of})")
        ax.set_xlim(0, max(themes["mentions"].max() * 1.25, 1))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)  # no title: the report's caption says what it is
        files = save_figure(fig, directory / f"temaer_{stem}", formats)
        written += files
        caption = f"Antall som nevner hvert tema i svarene på {_quoted(question.label)}, av {of}."
        figures.setdefault(question.question_id, []).append((caption, files[0]))
        if len(_compared(summary, question.question_id)) > 1:
            files = _plot_comparison(summary, question, directory, formats, Figure)
            written += files
            caption = (
                "Andelen i hver kommune som nevner temaet, blant dem som svarte på "
                f"{_quoted(question.label)}."
            )
            figures[question.question_id].append((caption, files[0]))
    if summary.network_report is not None:
        # Without ids: the report names respondents by function and municipality only.
        drawn = network_figures.plot(
            survey, directory, report=summary.network_report, formats=formats, labels=False
        )
        written += drawn
        for municipality in summary.municipalities:
            for level in summary.network_report.levels:
                caption = (
                    f"Kontaktnettet i {municipality}, {network.LEVEL_LABELS[level].lower()}: farge etter "
                    "primærfunksjon, svart ring rundt brobyggere, firkant for dem som ikke svarte, personer "
                    "uten kontakt nederst."
                )
                figures.setdefault("network", []).append(
                    (caption, directory / f"{network.file_stem(municipality, level)}.{formats[0]}")
                )
            # A municipality with no political contact has no picture of them.
            political = directory / f"{network.file_stem(municipality, 'political')}.{formats[0]}"
            if political in drawn:
                figures.setdefault("political", []).append(
                    (f"Kontakt med politiske organer i {municipality}.", political)
                )
    if not survey.ratings.empty:
        written += survey_mod.plot_ratings(survey, directory, formats=formats)
        figures["ratings"] = [
            (
                f"Svarene på {_quoted(label)} per kommune, i prosent av alle som svarte («Vet ikke» til "
                "høyre; snittet er uten «Vet ikke»).",
                directory / f"{survey_mod.rating_file_stem(rating_id)}.{formats[0]}",
            )
            for rating_id, label in zip(
                survey.rating_items["rating_id"], survey.rating_items["label"], strict=True
            )
        ]
    return figures, written


def _of_whom(question: Any) -> str:
    """Whom a question's counts are of: «40 som svarte», or «19 med kodede svar av 40 som svarte».

    >>> from types import SimpleNamespace as Q
    >>> _of_whom(Q(coded=40, answers=40)), _of_whom(Q(coded=19, answers=40))
    ('40 som svarte', '19 med kodede svar av 40 som svarte')
    """
    if question.coded == question.answers:
        return f"{question.coded} som svarte"
    return f"{question.coded} med kodede svar av {question.answers} som svarte"


def _compared(summary: SummaryReport, question_id: str) -> list[str]:
    """The municipalities with coded answers to the question, in the survey's order."""
    table = summary.comparison[summary.comparison["question_id"] == question_id]
    coded = set(table.loc[table["answers"] > 0, "municipality"])
    return [m for m in summary.municipalities if m in coded]


def _plot_comparison(
    summary: SummaryReport,
    question: Any,
    directory: Path,
    formats: tuple[str, ...],
    Figure: Any,
) -> list[Path]:
    """Theme shares side by side per municipality, one colour per municipality."""
    table = summary.comparison[summary.comparison["question_id"] == question.question_id]
    label_of = dict(zip(table["code"], table["label"], strict=True))  # two codes may share a label
    codes, labels = list(label_of), list(label_of.values())
    municipalities = _compared(summary, question.question_id)
    fig = Figure(figsize=(8, 0.35 * len(codes) * max(len(municipalities), 2) / 2 + 1.6))
    ax = fig.subplots()
    height = 0.8 / len(municipalities)
    palette = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860")
    every = list(summary.municipalities)  # a municipality keeps its colour when another is left out
    for i, municipality in enumerate(municipalities):
        mine = table[table["municipality"] == municipality].set_index("code")
        shares = [float(mine.at[c, "share"]) if c in mine.index else 0.0 for c in codes]
        shares = [0.0 if math.isnan(s) else s * 100 for s in shares]
        n = int(mine["answers"].iloc[0]) if len(mine) else 0
        ys = [len(codes) - 1 - j - (i - (len(municipalities) - 1) / 2) * height for j in range(len(codes))]
        colour = palette[every.index(municipality) % len(palette)]
        bars = ax.barh(ys, shares, height=height, color=colour, label=f"{municipality} (n = {n})")
        # a share of 0 draws no bar: the figure says «0 %», as the table beside it does
        ax.bar_label(bars, labels=[f" {s:.0f} %" for s in shares], fontsize=7)
    ax.set_yticks(range(len(codes))[::-1], [_wrap(label, 38) for label in labels], fontsize=9)
    ax.set_xlabel("Andel av dem som svarte (%)")
    ax.set_xlim(0, 100)
    ax.legend(fontsize=8, frameon=False, loc="best")  # where it covers the fewest bars
    ax.spines[["top", "right"]].set_visible(False)
    return save_figure(fig, directory / f"kommuner_{slug(question.question_id)}", formats)


# ---------------------------------------------------------------------------------------------------------
# Markdown and HTML: one list of blocks, two renderings
# ---------------------------------------------------------------------------------------------------------


def _percent(share: float) -> str:
    return percent_text(share, space=True)  # Norwegian writes «22 %»


MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
          "november", "desember")  # fmt: skip


def _shown_path(file: str, base: Path) -> str:
    """A file as the report names it: relative to the manifest's folder when inside it, else its name
    (an absolute path says where the researcher's disk is, not what the file is)."""
    relative = Path(os.path.relpath(file, base))
    return relative.as_posix() if relative.parts[:1] != ("..",) else Path(file).name


def _norwegian_time(stamp: str) -> str:
    """An ISO time as a Norwegian reader writes it, in Norwegian time (the reader's clock, not UTC).

    >>> _norwegian_time("2026-12-05T08:40:12+00:00"), _norwegian_time("2026-06-30T23:10:00+00:00")
    ('5. desember 2026 kl. 09.40 (norsk tid)', '1. juli 2026 kl. 01.10 (norsk tid)')
    """
    from zoneinfo import ZoneInfo  # the time zone data comes with pandas (tzdata)

    when = datetime.fromisoformat(stamp).astimezone(ZoneInfo("Europe/Oslo"))
    return f"{when.day}. {MONTHS[when.month - 1]} {when.year} kl. {when:%H.%M} (norsk tid)"


def _decimal(value: float, decimals: int = 1) -> str:
    return number_text(value, decimals, decimal_mark=",")  # a Norwegian reader's decimal comma


def _quoted(text: object) -> str:
    """``text`` in «», its own «» turned into ‘’ as Norwegian quotes within quotes.

    >>> _quoted("Hvorfor enig i at «Min kommune har møtepunkter»?")
    '«Hvorfor enig i at ‘Min kommune har møtepunkter’?»'
    """
    return "«" + str(text).replace("«", "‘").replace("»", "’") + "»"


def _listed(items: Sequence[str]) -> str:
    """Items as a Norwegian list.

    >>> _listed(["Oppdal"]), _listed(["Oppdal", "Rissa", "Lille"])
    ('Oppdal', 'Oppdal, Rissa og Lille')
    """
    return " og ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def _p_text(value: float, decimals: int = 3) -> str:
    """A p- or q-value with ``decimals`` decimals; one that would show as zero as «< 0,001»; one below a
    limit the report names (:data:`POSITION_P`, :data:`POSITION_Q`) that rounding would show at the limit
    gets a decimal more (p 0.0997 was «0,100» under «p under 0,1»).

    >>> _p_text(0.00013), _p_text(0.0123), _p_text(0.004, 2), _p_text(0.0997), _p_text(0.0496)
    ('< 0,001', '0,012', '< 0,01', '0,0997', '0,0496')
    >>> _p_text(0.0499999)
    '< 0,05'
    """
    smallest = 10.0**-decimals
    if value < smallest:
        return f"< {_decimal(smallest, decimals)}"

    def reached(decimals: int) -> list[float]:
        return [limit for limit in (POSITION_P, POSITION_Q) if value < limit <= round(value, decimals)]

    while decimals < 4 and reached(decimals):
        decimals += 1
    if at := reached(decimals):  # a hair below: four decimals would still show the limit
        return f"< {_decimal(at[0], len(str(at[0]).split('.')[1]))}"
    return _decimal(value, decimals)


# ---------------------------------------------------------------------------------------------------------
# The report as typed blocks, rendered to Markdown (here) and HTML (templates/report.html.jinja)
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    kind: ClassVar[str] = "heading"


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: ClassVar[str] = "paragraph"


class Emphasis(Paragraph):
    kind = "emphasis"


class Strong(Paragraph):
    kind = "strong"


class Note(Paragraph):
    """A warning the reader must not miss (unreviewed machine codes)."""

    kind = "note"


_MARKDOWN_TEXT = {"paragraph": "{}", "emphasis": "*{}*", "strong": "**{}**", "note": "> **{}**"}


@dataclass(frozen=True)
class Bullets:
    items: list[str]
    kind: ClassVar[str] = "bullets"


@dataclass(frozen=True)
class Quote:
    text: str
    attribution: str
    kind: ClassVar[str] = "quote"

    @property
    def lines(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Figure:
    caption: str
    path: Path
    kind: ClassVar[str] = "figure"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    kind: ClassVar[str] = "table"

    @property
    def numeric(self) -> list[bool]:
        """Per column: every filled cell is a figure («12», «3,4», «58 %», «< 0,001», «–»), set right."""
        return [
            all(_FIGURE.fullmatch(row[j]) for row in self.rows if j < len(row) and row[j].strip())
            and any(j < len(row) and row[j].strip() for row in self.rows)
            for j in range(len(self.header))
        ]


_NUMBER = r"(?:[<>≤≥]\s*)?[−-]?\d[\d\s]*(?:,\d+)?(?:\s*%)?"
_FIGURE = re.compile(rf"{_NUMBER}(?: av \d+)?(?: \({_NUMBER}\))?|[–-]")  # «3,4», «2 av 5 (40 %)», «–»


Block = Heading | Paragraph | Emphasis | Strong | Note | Bullets | Quote | Figure | Table
"""One piece of the report; the renderers know each kind."""


def _blocks(summary: SummaryReport, figures: dict[str, list[tuple[str, Path]]]) -> list[Block]:
    """The report as typed blocks (:data:`Block`), in reading order; the renderers turn them into text."""
    p = summary.provenance
    several = len(summary.municipalities) > 1
    blocks: list[Block] = [Heading(1, f"Temaer i de åpne svarene: {summary.name}")]
    review = p.get("review")
    if review:
        note = _unread_note(review)
        blocks += [Note(note)] if note else []
    elif p["machine_suggestions"]:
        blocks.append(Note(f"Merk: {p['note']}"))
    blocks += _review_blocks(review)
    answered = summary.questions[summary.questions["coded"] > 0]
    asked = len(summary.questions)
    questions = str(len(answered)) if len(answered) == asked else f"{len(answered)} av {asked}"
    where = ", ".join(summary.municipalities)
    blocks.append(
        Paragraph(
            f"{'Kommuner' if several else 'Kommune'}: {where}. {p['coded_answers']} kodede svar på "
            f"{questions} åpne spørsmål, kodet med kodeboka {_quoted(p['codebook']['name'])} "
            f"(versjon {p['codebook']['version']}).",
        )
    )
    bands = "; ".join(
        f"{_quoted(b)}: minst {s:.0%} og minst {k} personer".replace("%", " %")
        if s
        else f"{_quoted(b)}: resten"
        for b, s, k in BANDS
    )
    uncoded, outside = p["uncoded_answers"], p.get("answers_outside_project", 0)
    blocks.append(
        Paragraph(
            "Tallene er antall personer som nevner temaet, av dem som svarte på spørsmålet; ett svar kan "
            f"berøre flere temaer. Gruppene: {bands}."
            + (f" {uncoded} svar er ikke kodet ennå og er holdt utenfor." if uncoded else "")
            + (f" {outside} svar er ikke med i kodeprosjektet og er holdt utenfor." if outside else ""),
        )
    )
    blocks += _network_size_blocks(summary)
    if not summary.ratings.empty:
        blocks.append(Heading(2, "Vurdering av samordningen" if several else "Vurdering"))
        for rating_id, group in summary.ratings.groupby("rating_id", sort=False):
            label = str(group["label"].iloc[0])
            scale = [c for c in group.columns[len(RATING_COLUMNS) :] if group[c].notna().any()]
            whole = [c for c in scale if _scale_number(c).is_integer()] or scale
            span = f"{whole[0]}–{whole[-1]}; " if whole else ""
            anchors = str(group["anchors"].iloc[0] or "")  # what 1 and 6 mean, as the manifest says
            span += f"{anchors}; " if anchors else ""
            blocks.append(Emphasis(f"{_quoted(label)} ({span}«Vet ikke» er holdt utenfor snittet)"))
            header = ["Kommune", "Snitt", "Antall", "Vet ikke", *scale]
            rows = [_rating_row(r, scale) for r in group.to_dict("records")]
            blocks.append(Table(header, rows))
            for caption, path in figures.get("ratings", []):
                if path.stem == survey_mod.rating_file_stem(rating_id):
                    blocks.append(Figure(caption, path))
    for number, question in enumerate(answered.itertuples(index=False), start=1):
        themes = summary.themes[summary.themes["question_id"] == question.question_id]
        blocks.append(Heading(2, f"{number}. {question.label}"))
        counted = (
            f"{question.coded} svar"
            if question.coded == question.answers
            else f"{question.coded} kodede svar av {question.answers}"  # «(19 svar)» read as 19 answered
        )
        blocks.append(Emphasis(f"{_quoted(question.text)} ({counted})"))
        if themes.empty:
            blocks.append(Paragraph("Ingen av svarene er kodet med et tema."))
            blocks += _uncoded_blocks(summary, question.question_id)
            continue
        for name, _s, _k in BANDS:
            mine = themes[themes["band"] == name]
            if not mine.empty:
                blocks.append(Strong(name))
                blocks.append(
                    Bullets(
                        [
                            f"{r.label}: {r.mentions} av {r.answers} ({_percent(r.share)})"
                            + (" – spørsmålets eget tema" if r.question_topic else "")
                            for r in mine.itertuples(index=False)
                        ],
                    )
                )
        if question.topic in set(themes["code"]):  # else «87 % nevner møtepunkter» reads as a finding
            label = themes.loc[themes["code"] == question.topic, "label"].iloc[0]
            blocks.append(
                Paragraph(
                    f"Spørsmålet spør om {_quoted(label)}: at temaet nevnes her, følger av spørsmålet og er "
                    "ikke et funn i seg selv; sitatene viser hva de sier om det."
                )
            )
        for caption, path in figures.get(question.question_id, [])[:1]:
            blocks.append(Figure(caption, path))
        compared = _compared(summary, question.question_id)
        if several:
            blocks.append(Heading(3, "Per kommune"))
            # «Rissa (n = 0) | 0 (–)» read as nobody there; and one municipality is no comparison
            silent = [m for m in summary.municipalities if m not in compared]
            if silent:
                none = f"Ingen kodede svar fra {_listed(silent)} på dette spørsmålet"
                alone = len(compared) < 2
                blocks.append(Paragraph(none + ("; kommunene sammenlignes ikke." if alone else ".")))
        if len(compared) > 1:
            table = summary.comparison[summary.comparison["question_id"] == question.question_id]
            totals = table.drop_duplicates("municipality").set_index("municipality")["answers"]
            header = ["Tema", *[f"{m} (n\u00a0=\u00a0{totals[m]})" for m in compared]]
            rows = []
            for _code, group in table.groupby("code", sort=False):
                by = group.set_index("municipality")
                rows.append(
                    [str(group["label"].iloc[0])]
                    + [f"{by.at[m, 'mentions']} ({_percent(by.at[m, 'share'])})" for m in compared]
                )
            blocks.append(Table(header, rows))
            few = [f"{m} ({totals[m]})" for m in compared if totals[m] < SMALL_GROUP]
            if few:  # «5 (100 %)» against «9 (75 %)» reads as a difference it cannot carry
                blocks.append(
                    Emphasis(
                        f"Få svar i {_listed(few)}: prosentene der endrer seg mye med ett svar mer eller "
                        "mindre, så forskjeller mellom kommunene må leses med forsiktighet."
                    )
                )
            for caption, path in figures.get(question.question_id, [])[1:]:
                blocks.append(Figure(caption, path))
        blocks += _uncoded_blocks(summary, question.question_id)
        quotes = summary.quotes[summary.quotes["question_id"] == question.question_id]
        if not quotes.empty:
            blocks.append(Heading(3, "Sitater"))
            for _code, group in quotes.groupby("code", sort=False):
                blocks.append(Heading(4, str(group["label"].iloc[0])))
                for quote in group.itertuples(index=False):
                    blocks.append(Quote(_shown_quote(quote.text), quote.attribution))
    blocks += _network_blocks(summary, figures)
    blocks += _political_blocks(summary, figures)
    blocks += _position_blocks(summary)
    blocks += _workshop_blocks(summary.workshop)
    if summary.discussion:
        blocks.append(Heading(2, "Spørsmål til diskusjon"))
        topical = summary.questions[
            (summary.questions["kind"] == "challenge") & (summary.questions["topic"] != "")
        ]
        if not topical.empty:
            blocks.append(
                Paragraph(
                    "Spørsmålene kommer fra temaene flest nevner som utfordring uten å bli spurt om dem: "
                    f"svarene på {_listed([_quoted(label) for label in topical['label']])} er ikke regnet "
                    "med for temaet spørsmålet spør om."
                )
            )
        blocks.append(Bullets(list(summary.discussion)))
    blocks.append(Heading(2, "Om tallene"))
    base = Path(p["inputs"][0]["file"]).parent if p["inputs"] else Path(".")
    inputs = [
        f"{i['role'].capitalize()}: {_shown_path(i['file'], base)} (sha256 {i['sha256'][:12]}…)"
        for i in p["inputs"]
    ]
    blocks.append(
        Bullets(
            [
                f"Laget med {p['tool']}, {_norwegian_time(p['created'])}, seed {p['seed']}, "
                f"{p['quotes_per_theme']} sitater per tema.",
                f"Kodebok: {p['codebook']['name']}, versjon {p['codebook']['version']}.",
                *inputs,
                *_model_lines(p.get("model")),
                "Kodene er fra kodeprosjektet: det koderne har bestemt, ellers maskinforslag."
                if review
                else p["note"]
                if p["machine_suggestions"]
                else "Kodene er fra en kodefil (id,code).",
                _uncoded_line(p["all_coded"], project=bool(review)),
                # what the masking does, no more: a surname alone, or «Per» starting a sentence, is not found
                "Sitatene er gjengitt ordrett, men navn som kjennes igjen (fornavn, alene eller med "
                "etternavn), e-postadresser, telefonnumre og fødselsnumre er erstattet med [navn], [e-post], "
                "[telefon] og [fødselsnummer]; respondentene er bare omtalt "
                f"med funksjon og kommune{_SMALL_CELLS}."
                if p["identifiers_masked"]
                else "Sitatene er gjengitt ordrett, også navn og kontaktopplysninger (maskering slått av); "
                f"respondentene er bare omtalt med funksjon og kommune{_SMALL_CELLS}.",
            ],
        )
    )
    return blocks


def _rating_row(rating: dict[str, Any], scale: Sequence[str]) -> list[str]:
    """A municipality's row of the ratings table; of fewer than :data:`ATTRIBUTION_MIN` people who rated
    («Vet ikke» aside: the mean of one rating is that rating), only that."""
    if rating["n"] < ATTRIBUTION_MIN:
        return [rating["municipality"], "–", f"færre enn {ATTRIBUTION_MIN} svarte", "–", *["–"] * len(scale)]
    numbers = [str(rating[key]) for key in ("n", "missing", *scale)]
    return [rating["municipality"], _decimal(rating["mean"]), *numbers]


def _uncoded_line(all_coded: bool, project: bool) -> str:
    """«Om tallene»'s line on the answers the codes (a file, or a ``project``'s) do not name."""
    if project:
        return (
            "Svar som verken har en beslutning eller et maskinforslag på eller over terskelen, regnes som "
            "kodet uten tema."
            if all_coded
            else "Svar uten beslutning i kodeprosjektet er ikke kodet ennå og holdt utenfor."
        )
    if all_coded:
        return "Svar som ikke er i kodefilen, regnes som kodet uten tema."
    return "Svar som ikke er i kodefilen, er ikke kodet ennå og holdt utenfor."


def _model_lines(model: dict[str, Any] | None) -> list[str]:
    """«Om tallene»'s line on how the machine suggestions were made."""
    if model is None:
        return []
    if not model["known"]:
        return ["Innstillingene for maskinforslagene er ukjente (ingen .provenance.json ved kodefilen)."]
    threshold = "–" if model["threshold"] is None else _decimal(model["threshold"], 2)
    return [
        f"Maskinforslagene: terskel {threshold}, seed {model['seed']}, lært av "
        f"{model['human_coded_answers'] or 0} svar kodet av en koder (fra {model['source']})."
    ]


def _model_settings(
    project: str | os.PathLike[str] | None, run_id: str | None, code_paths: list[Path]
) -> dict[str, Any]:
    """How the machine suggestions were made: the project's run, or the ``.provenance.json`` that ``coder
    suggest`` writes beside a suggestions file. ``{"known": False}`` when neither says."""
    if project is not None and run_id is not None:
        from coder import store  # late: as in summarize

        with store.Project.open(project) as opened:
            run = opened.runs().set_index("run_id").loc[run_id]
        return {
            "known": True,
            "source": "kodeprosjekt",
            "run": run_id,
            "created": str(run["created_at"]),
            "seed": None if pd.isna(run["seed"]) else int(run["seed"]),
            "threshold": None if pd.isna(run["threshold"]) else float(run["threshold"]),
            "human_coded_answers": int(run["n_labels"]),
            "codebook_version": None if pd.isna(run["codebook_version"]) else str(run["codebook_version"]),
        }
    for path in code_paths:
        sidecar = provenance_path(path)
        if sidecar.is_file():
            try:
                record = json.loads(sidecar.read_text(encoding="utf-8"))
                settings = dict(record.get("settings", record))  # older sidecars nest them
            except (ValueError, AttributeError, TypeError):
                continue  # a hand-edited or foreign file: the settings are unknown, not an error
            return {
                "known": True,
                "source": sidecar.name,
                "created": record.get("created"),
                "seed": settings.get("seed"),
                "threshold": settings.get("threshold"),
                "human_coded_answers": settings.get("human_coded_answers"),
                "codebook_version": settings.get("codebook"),
                "pipeline": settings.get("pipeline"),
            }
    return {"known": False}


def _shown_quote(text: str) -> str:
    """``text`` up to :data:`QUOTE_SHOWN` characters, cut at a word with « […]», as quotes are shortened.

    >>> _shown_quote("kort svar"), _shown_quote("ord " * 200)[-11:]
    ('kort svar', 'ord ord […]')
    """
    if len(text) <= QUOTE_SHOWN:
        return text
    cut = text.rfind(" ", 0, QUOTE_SHOWN + 1)
    return text[: cut if cut > 0 else QUOTE_SHOWN].rstrip() + " […]"


def _uncoded_blocks(summary: SummaryReport, question_id: str) -> list[Block]:
    """The answers to a question that carry no theme, listed so that nothing disappears."""
    if summary.uncoded.empty:
        return []
    rows = summary.uncoded[summary.uncoded["question_id"] == question_id]
    said = rows[~rows["non_answer"]] if "non_answer" in rows else rows
    blocks: list[Block] = []
    if not said.empty:
        blocks += [Heading(3, f"Svar uten tema ({len(said)})"), Bullets([str(text) for text in said["text"]])]
    rest = rows.loc[rows.index.difference(said.index)]
    none = rest["says_none"] if "says_none" in rest else pd.Series(False, index=rest.index)
    # a codeframe's lines «ingen / nei» (to «Hva er utfordringene?»: none) and «vet ikke / ingen kommentar»:
    # counted, not listed one by one
    for heading, texts in (
        ("Svar som sier «ingen» eller «nei»", rest.loc[none, "text"]),
        ("Svar som ikke sier noe", rest.loc[~none, "text"]),
    ):
        if texts.empty:
            continue
        texts = texts.astype(str)
        forms = texts.groupby(texts.str.strip().str.lower(), sort=False).agg(["first", "size"])
        forms = forms.sort_values("size", ascending=False, kind="stable")
        listed = ", ".join(
            _quoted(form.strip()) + (f" ({size})" if size > 1 else "") for form, size in forms.to_numpy()
        )
        blocks += [
            Heading(3, f"{heading} ({len(texts)})"),
            Paragraph(f"{listed}. De telles med blant dem som svarte, uten tema."),
        ]
    return blocks


def _unread_note(review: dict[str, Any]) -> str:
    """The note at the top of a project's report on the answers no coder read; ``""`` when a coder read all.

    >>> print(_unread_note({"answers": 132, "unread": 132, "decided_by_rule": 100})[:96])
    Merk: Ingen av de 132 svarene er lest av en koder: 32 har bare maskinforslag fra «coder suggest»
    >>> _unread_note({"answers": 132, "unread": 0, "decided_by_rule": 0, "read_in_part": 0})
    ''
    >>> print(_unread_note({"answers": 2, "unread": 0, "decided_by_rule": 0, "read_in_part": 1})[:60])
    Merk: 1 svar er lest av en koder, men har ennå maskinforslag
    >>> note = _unread_note({"answers": 9, "unread": 1, "decided_by_rule": 0, "decided_since_run": 5})
    >>> print(note[107:170])
    Maskinforslagene er fra en kjøring før 5 av svarene ble avgjort
    """
    by_rule = review["decided_by_rule"]
    undecided = review["unread"] - by_rule
    in_part = review.get("read_in_part", 0)
    parts = [f"{undecided} har bare maskinforslag fra «coder suggest» eller ingen kode"] if undecided else []
    if by_rule:  # a bulk rule decided without reading: as unchecked as a suggestion
        parts.append(f"{by_rule} er bestemt med en regel som godtar sikre maskinforslag uten at svaret leses")
    unread = (
        f"Ingen av de {review['answers']} svarene er"
        if review["unread"] == review["answers"]
        else f"{review['unread']} av {review['answers']} svar er ikke"
    )
    sentences = [f"{unread} lest av en koder: {', og '.join(parts)}."] if review["unread"] else []
    if in_part:  # a coder began it: the codes no coder decided on it are still the machine's
        begun = "svar er lest av en koder, men har ennå maskinforslag på koder ingen koder har avgjort"
        sentences.append(f"{in_part} {begun}.")
    if since := review.get("decided_since_run", 0):  # review's refits are not stored: the run is older
        sentences.append(
            f"Maskinforslagene er fra en kjøring før {since} av svarene ble avgjort, og har ikke lært av "
            "dem: kjør «coder suggest» på prosjektet på nytt før rapporten."
        )
    if not sentences:
        return ""
    return f"Merk: {' '.join(sentences)} Tall og sitater må kontrolleres før de brukes."


def _review_blocks(review: dict[str, Any] | None) -> list[Block]:
    """How much of the coding a person did, and which codes the coders disagree on (left out)."""
    if not review:
        return []
    bulk = review["bulk_decisions"]
    read = review["answers"] - review["unread"]  # the rest: see the note at the top
    share = _percent(read / review["answers"]) if review["answers"] else "–"
    coders = f" (kodere: {', '.join(review['coders'])})" if read and review["coders"] else ""
    by_rule = f", {bulk} av dem med regelen for sikre maskinforslag" if bulk else ""
    text = (
        f"{read} av {review['answers']} svar ({share}) er lest og kodet av en koder{coders}. Prosjektet har "
        f"{review['decisions']} beslutninger{by_rule}."
    )
    blocks: list[Block] = [Paragraph(text)]
    if review["conflicts"]:
        listed = ", ".join(f"{label} ({n})" for label, n in review["conflicts_by_code"].items())
        blocks.append(
            Paragraph(
                f"{review['conflicts']} koder der koderne er uenige, er holdt utenfor til de er avklart "
                f"(coder agreement lister dem): {listed}.",
            )
        )
    return blocks


def _network_size_blocks(summary: SummaryReport) -> list[Block]:
    """The survey: who was asked and who answered per municipality, and the functions they hold."""
    if summary.network_size.empty:
        return []
    size = summary.network_size
    # «Funksjoner 53» beside 29 people read as 53 kinds of work: it is the functions held, summed
    header = ["Kommune", "Personer i nettverket", "Svarte", "Svarprosent", "Funksjoner i alt"]
    rows = [
        [r.municipality, str(r.people), str(r.respondents), _percent(r.response_rate), str(r.functions)]
        for r in size.itertuples(index=False)
    ]
    blocks: list[Block] = [Heading(2, "Undersøkelsen"), Table(header, rows)]
    if not summary.functions.empty:
        municipalities = [c for c in summary.functions.columns if c not in ("function", "Totalt")]
        header = ["Funksjon", *municipalities, *(["Totalt"] if len(municipalities) > 1 else [])]
        rows = [
            [str(r["function"]), *[str(r[m]) for m in header[1:]]]
            for r in summary.functions.to_dict("records")
        ]
        blocks += [
            Paragraph("Funksjonene personene i nettverket har (en person kan ha flere):"),
            Table(header, rows),
        ]
    return blocks


NETWORK_MEASURES: dict[str, tuple[str, Any]] = {
    "people": ("Personer", str),
    "ties": ("Kontakter", str),
    "density": ("Tetthet", lambda v: _decimal(v, 3)),
    "components": ("Komponenter", str),
    "isolates": ("Uten kontakt", str),
    "not_responded": ("Svarte ikke", str),
    "brokers": ("Brobyggere", str),
    "mean_path_length": ("Snittavstand", _decimal),
    "degree_centralization": ("Sentralisering", lambda v: _decimal(v, 2)),
    "modularity": ("Modularitet", lambda v: _decimal(v, 2)),
}
"""The network measures of the report, with their Norwegian label and how each is written."""


def _network_blocks(summary: SummaryReport, figures: dict[str, list[tuple[str, Path]]]) -> list[Block]:
    """The contact network per level: measures, brokers and people without contact by function, pictures."""
    if summary.network_measures.empty:
        return []
    blocks: list[Block] = [
        Heading(2, "Kontaktnettet"),
        Paragraph(
            "Hvem som har kontakt med hvem om boligsosiale spørsmål, på tre nivåer: daglig, minst ukentlig "
            "og minst månedlig. Snittavstand gjelder den største komponenten; brobyggere ligger på mange "
            "korteste veier mellom grupper. De som ikke svarte på undersøkelsen, er med fordi andre nevnte "
            "dem; deres egne kontakter er ukjente, så en av dem uten kontakt er bare ikke nevnt av noen.",
        ),
        # the measures' names say little to the municipality's reader: what each one counts
        Bullets(
            [
                "Tetthet: andelen av alle mulige kontakter som finnes (fra 0 til 1).",
                "Komponenter: grupper der alle når hverandre gjennom kontakter; en person uten kontakt er en "
                "komponent alene.",
                "Snittavstand: hvor mange ledd det i snitt er mellom to personer i den største komponenten "
                "(1 når den er et par).",
                "Sentralisering: hvor mye kontakten samler seg om én person (0 når alle har like mange "
                "kontakter, 1 når alle de andre bare har kontakt med den samme ene personen).",
                "Modularitet: hvor tydelig nettet deler seg i klynger (over 0,3 regnes som tydelig; i et "
                "nett av få kontakter, som noen par hver for seg, blir den høy uten å si stort).",
            ]
        ),
    ]
    # A measure a row and a level a column, one table per municipality: narrow enough for a printed page.
    for municipality, measures in summary.network_measures.groupby("municipality", sort=False):
        columns = measures.set_index("level")
        rows = [
            [label, *(text(value) for value in columns[measure])]
            for measure, (label, text) in NETWORK_MEASURES.items()
        ]
        blocks += [Strong(str(municipality)), Table(["", *columns.index], rows)]
    if not summary.roles_by_function.empty:
        header = ["Kommune", "Nivå", "Primærfunksjon", "Personer", "Brobyggere", "Uten kontakt",
                  "Av dem svarte ikke"]  # fmt: skip
        rows = [[str(v) for v in r] for r in summary.roles_by_function.itertuples(index=False)]
        # «Personer 9» beside the functions table's 12 for the same function read as a mistake
        counted = (
            "Hver person telles én gang, under sin primærfunksjon (den første i personlisten); tabellen over "
            "funksjonene teller alle funksjonene en person har. En funksjon uten brobyggere og uten personer "
            "uten kontakt på et nivå er ikke med (tabellen brobyggere_og_uten_kontakt har heller ikke den)."
        )
        blocks += [
            Heading(3, "Brobyggere og personer uten kontakt, etter primærfunksjon"),
            Paragraph(counted),
            Table(header, rows),
        ]
    for caption, path in figures.get("network", []):
        blocks.append(Figure(caption, path))
    return blocks


VARIABLES = {
    "function": "Funksjon",
    "broker": "Brobygger",
    "isolate": "Uten ukentlig kontakt",
    "political_contact": "Politisk kontakt",
    "community": "Klynge",
    "centrality": "Sentralitet",
    "municipality": "Kommune",
}
_WARNINGS = (
    (
        re.compile(r"too few to support a conclusion \(a group or count of (\d+)\)"),
        r"for få til å konkludere (minste gruppe eller sum: \1)",
    ),
    (
        re.compile(r"unreliable: (\d+) of (\d+) expected counts under 5"),
        r"usikker: \1 av \2 forventede tall under 5",
    ),
    (re.compile(r"only one group answered: nothing to compare"), "bare én gruppe svarte"),
    (re.compile(r"no group answered: nothing to compare"), "ingen gruppe svarte"),
    (re.compile(r"everyone or no one mentions it: nothing to compare"), "alle eller ingen nevner det"),
    (
        re.compile(r"everyone with the position is in (.+?): the test compares municipalities too"),
        r"alle med posisjonen er i \1: testen sammenligner også kommunene",
    ),
    (
        re.compile(r"everyone without the position is in (.+?): the test compares municipalities too"),
        r"alle uten posisjonen er i \1: testen sammenligner også kommunene",
    ),
    (
        re.compile(r"each community lies in one municipality: the test compares municipalities too"),
        "hver klynge ligger i én kommune: testen sammenligner også kommunene",
    ),
)  # fmt: skip


def _norwegian_warning(warning: str) -> str:
    for pattern, replacement in _WARNINGS:
        warning = pattern.sub(replacement, warning)
    return warning


def _position_blocks(summary: SummaryReport) -> list[Block]:
    """Themes by network position: the tests with p below :data:`POSITION_P`, small cells flagged."""
    if summary.position_tests.empty:
        return []
    tests = summary.position_tests[summary.position_tests["p_value"] < POSITION_P]
    questions = dict(zip(summary.questions["question_id"], summary.questions["label"], strict=True))
    themes = summary.themes
    keys = list(zip(themes["question_id"], themes["code"], strict=True))
    labels = dict(zip(keys, themes["label"], strict=True))
    answered = dict(zip(keys, themes["answers"], strict=True))
    counts = summary.position_counts.set_index(["question_id", "code", "variable", "category"])
    smallest = summary.position_counts.groupby(["question_id", "code", "variable"])["n"].min()

    def group(row: Any) -> pd.Series | None:
        """The counts of the group a test sets against the others (a function, brokers ...), if any."""
        key = (row.question_id, row.code, row.variable, row.category or "yes")
        return counts.loc[key] if key in counts.index else None

    def too_small(row: Any) -> bool:
        # «2 av 2» said what both politicians answered, and p or a group of 40 out of 42 says it as well
        found = group(row)
        if found is None:  # a test across several groups (clusters, centrality): none of them may be small
            return smallest.get((row.question_id, row.code, row.variable), 0) < ATTRIBUTION_MIN
        total = answered.get((row.question_id, row.code), 0)
        return min(found["n"], total - found["n"]) < ATTRIBUTION_MIN

    def share(row: Any) -> str:
        found = group(row)
        if found is None:  # a test across several groups (clusters, centrality): no one share
            return "–"
        return f"{int(found['k'])} av {int(found['n'])} ({_percent(found['share'])})"

    small = [too_small(r) for r in tests.itertuples(index=False)]
    tests = tests[[not s for s in small]]
    rows = [
        [
            questions.get(r.question_id, r.question_id),
            labels.get((r.question_id, r.code), r.code),
            VARIABLES.get(r.variable, r.variable) + (f": {r.category}" if r.category else ""),
            share(r),
            _p_text(r.p_value),
            _p_text(r.q_value),  # as p: q 0,051 read «0,05» under «alle q er 0,05 eller mer»
            _norwegian_warning(r.warning),
        ]
        for r in tests.itertuples(index=False)
    ]
    limit = _decimal(POSITION_P, 1)
    # q is adjusted over the tests made; a pair with one group, or a theme everyone or no one names, has none
    made = int(summary.position_tests["p_value"].notna().sum())
    untested = len(summary.position_tests) - made
    not_made = (
        f" ({untested} par av tema og posisjon kunne ikke testes: bare én gruppe svarte, eller alle eller "
        "ingen nevner temaet)"
        if untested
        else ""
    )
    blocks: list[Block] = [
        Heading(2, "Temaer etter posisjon i nettet"),
        Paragraph(
            "Om de som nevner et tema, har en annen posisjon i kontaktnettet (daglig + ukentlig) enn de "
            "andre: Fishers eksakte test eller kjikvadrattest, q justert for mange tester "
            f"(Benjamini–Hochberg). Her vises de {len(tests)} av {made} testene med p under {limit}{not_made}"
            "; alle tall og tester står i posisjon_tall og posisjon_tester. Andelen gjelder gruppen i "
            f"kolonnen Posisjon. {_left_out(sum(small))}Små grupper er merket: der kan "
            "ikke testen bære en konklusjon. De uten "
            "kontakt er holdt utenfor klyngetesten (de har sin egen test).",
        ),
    ]
    q_values = summary.position_tests["q_value"].dropna()
    if not (q_values < POSITION_Q).any():  # else a reader takes «p < 0,001» for a finding
        blocks.append(
            Strong(
                "Ingen av forskjellene holder når det justeres for at det er gjort "
                f"{made} tester (alle q er {_decimal(POSITION_Q, 2)} eller mer): "
                "tabellen viser mønstre å se nærmere på, ikke funn."
            )
        )
    if rows:
        header = ["Spørsmål", "Tema", "Posisjon", "Nevner temaet", "p", "q", "Merknad"]
        blocks.append(Table(header, rows))
    return blocks


def _left_out(n: int) -> str:
    """What the positions table leaves out: tests of a group, or its others, of fewer than three people."""
    if not n:
        return ""
    tests = "1 test" if n == 1 else f"{n} tester"
    return (
        f"{tests} av en gruppe med færre enn {ATTRIBUTION_MIN} som svarte, eller med færre enn "
        f"{ATTRIBUTION_MIN} utenfor gruppen, er holdt utenfor her: tallene og p sier hva noen få kjente "
        "personer svarte. "
    )


def _political_blocks(summary: SummaryReport, figures: dict[str, list[tuple[str, Path]]]) -> list[Block]:
    """Contact with political bodies: respondents per body and type of contact, per municipality."""
    if summary.political.empty:
        return []
    types = [c for c in summary.political.columns if c not in ("municipality", "body", "any")]
    blocks: list[Block] = [
        Heading(2, "Kontakt med politikerne"),
        Paragraph("Antall respondenter med kontakt med hvert politisk organ, i alt og etter type kontakt."),
    ]
    header = ["Kommune", "Organ", "I alt", *[t.capitalize() for t in types]]
    rows = [
        [str(r["municipality"]), str(r["body"]), str(r["any"]), *[str(r[t]) for t in types]]
        for r in summary.political.to_dict("records")
    ]
    pictures = [Figure(caption, path) for caption, path in figures.get("political", [])]
    return [*blocks, Table(header, rows), *pictures]


def _stability_words(stability: float) -> str:
    """A grouping's stability for the report's reader, with the verdict of its band
    (:func:`coder.discover.stability_band`).

    >>> _stability_words(0.74)
    'stabilitet 0,74 av 1, nokså stabil: de fleste gruppene kommer igjen når lappene trekkes på nytt'
    """
    from coder.discover import stability_band  # late, as in summarize

    verdict = {
        "stable": "stabil: de samme gruppene kommer igjen når lappene trekkes på nytt",
        "fairly stable": "nokså stabil: de fleste gruppene kommer igjen når lappene trekkes på nytt",
        "unstable": "ustabil: les gruppene som forslag",
    }[stability_band(stability)]
    return f"stabilitet {_decimal(stability, 2)} av 1, {verdict}"


def _unnamed(groups: pd.Series) -> bool:
    """Whether every group is named as `coder discover --groups` names them (G1, G2 …, rest; «Diverse»: a
    note the file left without a group)."""
    from coder.discover import DIVERSE, REST  # late, as in summarize (loaded already: it read the notes)

    names = groups.astype(str)
    numbered = names.str.fullmatch(r"G\d+")  # as discover numbers its candidates
    return bool((numbered | names.isin([REST, DIVERSE])).all() and numbered.any())


def _workshop_blocks(workshop: pd.DataFrame) -> list[Block]:
    """The idea workshop: per question, each group with its notes listed under it (an appendix list)."""
    if workshop.empty:
        return []
    places = [m for m in dict.fromkeys(workshop["municipality"]) if m]
    several = len(places) > 1
    # one municipality's workshop in a report of two: say whose, or readers take it for both
    blocks: list[Block] = [Heading(2, "Idédugnad" if several or not places else f"Idédugnad i {places[0]}")]
    for (municipality, question), rows in workshop.groupby(["municipality", "question"], sort=False):
        blocks.append(
            Heading(3, f"{question} ({municipality})" if several and municipality else str(question))
        )
        how = rows["grouped_by"].iloc[0]
        if how == "coder discover":
            stability = rows["stability"].iloc[0]
            sure = _stability_words(stability) if stability == stability else "ingen grupper"
            blocks.append(
                Paragraph(
                    f"Lappene er gruppert av «coder discover» ({sure}). Gruppenavnene er gruppenes typiske "
                    "ord, ikke navn satt av en person.",
                )
            )
        elif how == "too few":
            blocks.append(Paragraph("Lappene er for få til å deles i grupper."))
        elif _unnamed(rows["group"]):  # `coder discover --groups` as it writes them: not named by a person
            blocks.append(Paragraph("Gruppene har numrene «coder discover» gir dem (G1, G2 …), ikke navn."))
        else:
            blocks.append(Paragraph("Lappene er gruppert for hånd."))
        for group, notes in rows.groupby("group", sort=False):
            blocks.append(Strong(f"{group} ({len(notes)})"))
            blocks.append(Bullets(notes["note"].tolist()))
    return blocks


# The characters that would change the text where they stand, and only there, so the Markdown still reads
# as text: «posisjon_tall», «[navn]» and «p < 0,001» need no backslash.
_MD_SPECIAL = re.compile(
    r"[\\`*|]"
    r"|_(?![^\W_])|(?<![^\W_])_"  # _ that may begin or end emphasis: not within a word
    r"|\](?=[(\[:])"  # ] that would close a link: [x](y), [x][y], [x]: y
    r"|<(?=[A-Za-z/!?])"  # < that would open a tag, a comment or an autolink
    r"|&(?=#?\w+;)"  # & that would begin an entity: «&amp;» in an answer is not «&»
)


# What makes a line a heading, a list item, a rule or a heading's underline when it begins a line.
_MD_LINE_START = re.compile(r"^(\s*)([#+\-=>~]|\d+(?=[.)]))")


def _md(text: str) -> str:
    """Text as Markdown that renders as the text itself (characters with a meaning escaped)."""
    return _MD_SPECIAL.sub(lambda found: "\\" + found.group(0), text)


def _md_lines(text: str) -> str:
    r"""Text that begins a line, as :func:`_md`, and what would make a line of a multi-line answer a
    heading or a list item escaped too («# Overskrift», «1. For få»).

    >>> print(_md_lines("For få *boliger*\n# Ikke en overskrift\n1. punkt"))
    For få \*boliger\*
    \# Ikke en overskrift
    1\. punkt
    """
    return "\n".join(_MD_LINE_START.sub(_escape_line_start, _md(line)) for line in text.split("\n"))


def _escape_line_start(found: re.Match[str]) -> str:
    space, marker = found.groups()
    return f"{space}{marker}\\" if marker[0].isdigit() else f"{space}\\{marker}"


def _markdown_lines(block: Block, base: str | os.PathLike[str]) -> list[str]:
    match block:
        case Heading(level, text):
            return ["#" * level + " " + _md(text)]
        case Paragraph(text):  # and its kinds: emphasis, strong, note
            return [_MARKDOWN_TEXT[block.kind].format(_md_lines(text))]
        case Bullets(items):
            return [f"- {_md_lines(item)}" for item in items]
        case Quote():
            lines = [f"> {_md_lines(line)}" for line in block.lines]
            return lines + ([">", f"> – *{_md(block.attribution)}*"] if block.attribution else [])
        case Figure(caption, path):
            return [f"![{_md(caption)}]({os.path.relpath(path, base).replace(os.sep, '/')})"]
        case Table(header, rows):
            lines = ["| " + " | ".join(_md(h) for h in header) + " |"]
            lines.append("|" + "|".join("---:" if right else "---" for right in block.numeric) + "|")
            return lines + ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    raise TypeError(f"not a report block: {block!r}")


def to_markdown(
    summary: SummaryReport, figures: dict[str, list[tuple[str, Path]]], base: str | os.PathLike[str] = "."
) -> str:
    """The report as Markdown; figures are linked relative to ``base`` (the directory of the .md file)."""
    lines: list[str] = []
    for block in _blocks(summary, figures):
        lines += [*_markdown_lines(block, base), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _inline_png(path: Path) -> str:
    """A PNG as a data URI: the HTML page carries its figures."""
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _unbroken_percent(value: Any) -> Any:
    """A text with a no-break space before «%»: a phone broke «(28 %)» into «(28» and «%)». Markup (a quote's
    lines joined by «<br>») stays markup: the pattern is never inside an entity or a tag.

    >>> _unbroken_percent("11 av 40 (28 %)") == "11 av 40 (28\\u00a0%)"
    True
    >>> _unbroken_percent(markupsafe.Markup("a &amp; b<br>5 %"))
    Markup('a &amp; b<br>5\\xa0%')
    """
    if not isinstance(value, str):
        return value
    unbroken = re.sub(r"(?<=\d) %", "\u00a0%", value)
    return markupsafe.Markup(unbroken) if isinstance(value, markupsafe.Markup) else unbroken


def to_html(summary: SummaryReport, figures: dict[str, list[tuple[str, Path]]]) -> str:
    """The report as one self-contained HTML page: the template ``templates/report.html.jinja`` (autoescaped)
    over the same blocks as the Markdown, the PNG figures inlined, no remote resources."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("coder", "templates"),
        autoescape=True,
        keep_trailing_newline=True,
        finalize=_unbroken_percent,
    )
    environment.filters["inline_png"] = _inline_png
    template = environment.get_template("report.html.jinja")
    return template.render(
        title=summary.name, generator=summary.provenance["tool"], blocks=_blocks(summary, figures)
    )
