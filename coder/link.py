"""Theme counts linked to network positions: who mentions what, by function, community, broker, ...

For every open question and theme (code), the respondents who answered the question (and whose answer is
coded) are split by each position variable, and the table says how many of them mention the theme:

- ``function``: each function separately, *has it* vs *has it not* (people hold several functions, so
  functions overlap and cannot be one categorical variable); Fisher's exact test on the 2×2 table;
- ``broker``, ``isolate``, ``political_contact``: yes vs no, Fisher's exact test;
- ``community`` (Louvain) and ``centrality`` (degree tercile within the municipality: low, middle, high):
  chi-square test of independence. Isolates are left out of the community test (each would be a community
  of one; the isolate test compares them), and the people of a municipality without ties at the level out
  of the centrality test (there is no rank to give them);
- ``municipality`` when the survey has several: chi-square (Fisher for two).

Small numbers are the rule in these surveys (20–40 respondents). Every test row carries a plain
``warning`` when its cells are too small to support a conclusion: a chi-square table with an expected count
below 5, or a 2×2 table where a group has fewer than 5 respondents or the theme is mentioned fewer than 5
times. ``q_value`` is the Benjamini–Hochberg adjusted p-value over all tests of the run: many tests are made,
and a few small p-values are expected by chance.

Which answers are coded (the denominator of every share) is decided by :func:`coded_answers`, for
:func:`link` and :func:`coder.summary.summarize` alike: an answer missing from a human codes file
(``id,code``) is *not coded yet* and left out; machine suggestions (``id,code,confidence,evidence`` from
``coder suggest``) list only the answers that got a code, so with them every answer counts as coded, those
without a suggestion carrying no code. ``all_coded`` overrides either default.

>>> from pathlib import Path
>>> import coder
>>> oppdal = Path(coder.__file__).parents[1] / "examples" / "oppdal"
>>> result = link(oppdal / "manifest.yaml", oppdal / "koder.csv")
>>> result.themes[["question_id", "code", "mentions"]].head(2).values.tolist()
[['styrker', 'local_knowledge', 7], ['styrker', 'financial_instruments', 6]]
"""

from __future__ import annotations

import math
import os
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from coder import codebook as codebook_mod
from coder import network as net
from coder import survey as survey_mod
from coder.codebook import Codebook, check_coded_answers
from coder.errors import CoderError
from coder.io import (
    output_directory,
    provenance,
    read_table,
    records,
    spreadsheet_row,
    write_json,
    write_table,
)
from coder.reliability import long_codes, predictions_from, split_codes
from coder.survey import Survey

if TYPE_CHECKING:
    from coder.store import ReviewedCodes  # only named: store imports the classifier

MIN_CELL = 5
"""Below this many (expected) respondents in a cell, a test gets a warning."""

TERCILES = ("low", "middle", "high")


MIN_UNSUGGESTED_QUESTION = 10
"""A question with this many answers and not one suggestion warns that the suggestions may miss it."""


class CodesWarning(UserWarning):
    """The codes leave a share without a sound base: no answer counts as coded, or machine suggestions miss a
    whole municipality or question (made for part of the survey?), whose answers would count as coded with no
    theme."""


# ---------------------------------------------------------------------------------------------------------
# Codes: reading, checking, and which answers are coded
# ---------------------------------------------------------------------------------------------------------


def load_codes(
    codes: pd.DataFrame | str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    answer_ids: Sequence[str],
    codebook: Codebook,
    *,
    survey: Survey | None = None,
) -> tuple[pd.DataFrame, list[Path], bool]:
    """Read and check codes: the codes table, the files read, and whether they are machine suggestions.

    An id that is not an answer of the survey, or a code not in the codebook, raises a :class:`CoderError`
    naming the file, row and column; for ids it says how many and why (no such respondent, no such question,
    an empty answer), from ``survey``'s respondents and questions when given, else from ``answer_ids``. The
    same code for an answer from several files counts once (with its highest confidence). Among several files,
    an answer a human codes file codes (a file without ``confidence``) takes its codes from the human files
    alone: the researcher's decision stands over a suggestion.

    Parameters
    ----------
    codes : pandas.DataFrame, path or sequence of paths
        A table ``id, code[, confidence]``, or one or several files: ``id,code``, ``id,codes`` (``a;b``) or
        suggestions ``id,code,confidence,evidence``.
    answer_ids : sequence of str
        The survey's answer ids.
    codebook : coder.codebook.Codebook
        The codes allowed.
    survey : coder.survey.Survey, optional
        Explains unknown ids better (default ``None``: from ``answer_ids`` alone).

    Returns
    -------
    table : pandas.DataFrame
        ``id, code`` and, exactly when the codes are (or include) machine suggestions, ``confidence``: that
        is what :func:`coded_answers` looks at. An answer with codes has no row with an empty code.
    paths : list of pathlib.Path
        The files read (empty for a table).
    machine : bool
        The codes are machine suggestions.

    Raises
    ------
    CoderError
        For an unknown id or code, or a confidence that is not a number from 0 to 1.

    Examples
    --------
    >>> from coder.codebook import Code, Codebook
    >>> book = Codebook(name="b", language="nb", version="1", codes=(Code("x", "X"), Code("y", "Y")))
    >>> codes = pd.DataFrame({"id": ["r1:q", "r1:q", "r2:q"], "code": ["x", "", "y"]})
    >>> table, paths, machine = load_codes(codes, ["r1:q", "r2:q"], book)
    >>> table.values.tolist(), machine
    ([['r1:q', 'x'], ['r2:q', 'y']], False)
    >>> load_codes(pd.DataFrame({"id": ["r1:q"], "code": ["z"]}), ["r1:q"], book)
    Traceback (most recent call last):
    ...
    coder.errors.CoderError: row 2, column 'code': code 'z' is not in the codebook 'b' (codes: x, y)
    """
    known_ids = _KnownAnswers.of(answer_ids, survey)
    if isinstance(codes, pd.DataFrame):
        frame = codes.copy()
        for column in ("id", "code"):
            if column not in frame.columns:
                raise CoderError(f"the codes table needs a column '{column}'", column=column)
        frame["id"] = frame["id"].fillna("").astype(str).str.strip()
        frame["code"] = frame["code"].fillna("").astype(str).str.strip()
        check_coded_answers(
            frame["id"].tolist(), [[c] if c else [] for c in frame["code"]], known_ids, codebook,
            why_unknown=known_ids.why_unknown,
        )  # fmt: skip
        machine = "confidence" in frame.columns
        table = pd.DataFrame({"id": frame["id"], "code": frame["code"]})
        if machine:
            confidence = pd.to_numeric(frame["confidence"], errors="coerce")
            if not confidence.between(0, 1).all():
                first = int((~confidence.between(0, 1)).to_numpy().argmax())
                raise CoderError(
                    "confidence must be a number from 0 to 1", row=spreadsheet_row(first), column="confidence"
                )
            table["confidence"] = confidence
        paths: list[Path] = []
    else:
        paths = [Path(p) for p in ([codes] if isinstance(codes, str | os.PathLike) else codes)]
        read = [_read_codes_file(path, known_ids, codebook) for path in paths]
        machine = any(is_machine for _, is_machine in read)
        # A researcher's decision on an answer stands: the suggestions of an answer a human file codes (with
        # no code, too) are dropped, so a suggestion never undoes a hand code's "no theme here".
        by_hand = {i for frame, is_machine in read if not is_machine for i in frame["id"]}
        frames = [frame[~frame["id"].isin(by_hand)] if is_machine else frame for frame, is_machine in read]
        table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["id", "code"])
        if machine:  # human files among suggestions: their codes have no confidence
            table["confidence"] = table["confidence"].astype(float) if "confidence" in table else math.nan
    # The same code for an answer from several files counts once (with its highest confidence).
    if machine:
        table = (
            table.groupby(["id", "code"], sort=False, as_index=False)["confidence"]
            .max()
            .astype({"confidence": float})
        )
    else:
        table = table.drop_duplicates(["id", "code"])
    has_code = set(table.loc[table["code"] != "", "id"])
    table = table[(table["code"] != "") | ~table["id"].isin(has_code)]
    return table.reset_index(drop=True), paths, machine


def _read_codes_file(path: Path, known_ids: _KnownAnswers, codebook: Codebook) -> tuple[pd.DataFrame, bool]:
    """The long codes of one file, read once: checked row for row, then split by reliability's rules."""
    raw = read_table(path)  # raises CoderError for a missing or unreadable file
    long = long_codes(raw, path)  # the shared rules: id,code or id,codes; empty ids are errors
    ids, column, cells = split_codes(raw, path)
    check_coded_answers(
        ids,
        cells,
        known_ids,
        codebook,
        file=path,
        column=column,
        why_unknown=known_ids.why_unknown,
        rows=raw.index,
    )
    machine = "confidence" in raw.columns and column == "code"
    if machine:
        predictions = predictions_from(raw, path)  # checks that every confidence is a number from 0 to 1
        # every row a coder's code that `coder suggest --labels` kept: a codes file, not suggestions
        hand_coded = predictions["hand_coded"] if "hand_coded" in predictions else pd.Series([], dtype=bool)
        machine = not (len(hand_coded) and hand_coded.all())
    if machine:
        best = predictions.groupby(["id", "code"])["confidence"].max()
        long["confidence"] = [
            best.get((i, c), math.nan) for i, c in zip(long["id"], long["code"], strict=True)
        ]
    return long, machine


_SHOWN_IDS = 3  # unknown ids named in a message (the count says how many in all)


@dataclass(frozen=True)
class _KnownAnswers:
    """The answer ids codes may name, and the respondents and questions of the survey, to say why an id is
    not one of them.

    >>> known = _KnownAnswers.of(["O01:styrker", "O02:styrker", "O02:samordning"])
    >>> unknown = ["R01:styrker", "R02:styrker", "O01:samordning", "O01:motepunkter"]
    >>> print(known.why_unknown(unknown))  # doctest: +NORMALIZE_WHITESPACE
    2 ids are answers of no respondent in this survey (codes from another survey or municipality?):
    'R01:styrker', 'R02:styrker'; 'O01:samordning' is an answer this survey does not have (left empty, or
    the person did not respond); 'O01:motepunkter' is an answer to no question of this survey (its
    questions: styrker, samordning)
    """

    ids: frozenset[str]
    respondents: frozenset[str]
    questions: tuple[str, ...]

    @classmethod
    def of(cls, answer_ids: Sequence[str], survey: Survey | None = None) -> _KnownAnswers:
        """From the answer ids (``respondent_id:question_id``), and ``survey``'s people and questions."""
        parts = [answer_id.rpartition(":") for answer_id in answer_ids]
        respondents = {respondent for respondent, _, _ in parts}
        questions = list(dict.fromkeys(question for _, _, question in parts))
        if survey is not None:  # someone who gave no open answer is still a respondent of the survey
            respondents |= set(survey.respondents["respondent_id"])
            questions = list(dict.fromkeys([*survey.questions["question_id"], *questions]))
        return cls(frozenset(answer_ids), frozenset(respondents), tuple(questions))

    def __contains__(self, answer_id: object) -> bool:
        return answer_id in self.ids

    def _alike(self, unknown: Sequence[str]) -> dict[str, str]:
        """unknown id -> the answer id it equals but for case and Unicode form (NFD «å» from a Mac)."""

        def key(answer_id: str) -> str:
            return unicodedata.normalize("NFC", answer_id).casefold()

        known = {key(answer_id): answer_id for answer_id in self.ids}
        return {i: known[key(i)] for i in dict.fromkeys(unknown) if key(i) in known}

    def why_unknown(self, unknown: Sequence[str]) -> str:
        """Why the ``unknown`` ids are no answers: a clause per reason with a few ids and how many in all."""
        reasons: dict[str, list[str]] = {}
        for answer_id in dict.fromkeys(unknown):
            respondent, colon, question = answer_id.rpartition(":")
            if not colon:
                reason = "format"
            elif respondent not in self.respondents:
                reason = "respondent"
            elif question not in self.questions:
                reason = "question"
            else:
                reason = "empty"
            reasons.setdefault(reason, []).append(answer_id)
        # reason: (one id is ..., several ids are ..., a hint)
        wording = {
            "format": (
                "not of the form respondent_id:question_id",
                "not of the form respondent_id:question_id",
                "",
            ),
            "respondent": (
                "the answer of no respondent in this survey",
                "answers of no respondent in this survey",
                "codes from another survey or municipality?",
            ),
            "question": (
                "an answer to no question of this survey",
                "answers to no question of this survey",
                f"its questions: {', '.join(self.questions)}",
            ),
            "empty": (
                "an answer this survey does not have",
                "answers this survey does not have",
                "left empty, or the person did not respond",
            ),
        }
        clauses = []
        alike = self._alike(unknown)
        if alike:  # what looks the same to a reader: say why it is not
            unknown_id, known_id = next(iter(alike.items()))
            clauses.append(
                f"'{unknown_id}' differs from the answer '{known_id}' only in case or letter encoding"
                + (f" ({len(alike)} such ids)" if len(alike) > 1 else "")
            )
            reasons = {r: [i for i in ids if i not in alike] for r, ids in reasons.items()}
            reasons = {r: ids for r, ids in reasons.items() if ids}
        for reason, ids in reasons.items():
            one, several, hint = wording[reason]
            hint = f" ({hint})" if hint else ""
            if len(ids) == 1:
                clauses.append(f"'{ids[0]}' is {one}{hint}")
            else:
                shown = ", ".join(f"'{answer_id}'" for answer_id in ids[:_SHOWN_IDS])
                more = ", ..." if len(ids) > _SHOWN_IDS else ""
                clauses.append(f"{len(ids)} ids are {several}{hint}: {shown}{more}")
        return "; ".join(clauses)


@dataclass(frozen=True, eq=False)
class CodedAnswers:
    """The answers that count as coded (the denominator of every share), and why.

    - ``answers``: the coded rows of the answers table, in its order;
    - ``all_coded``: every answer counts as coded (those missing from the codes carry no code);
    - ``machine``: the codes are machine suggestions (they have a ``confidence`` column);
    - ``uncoded``: answers left out as not coded yet (0 when ``all_coded``);
    - ``outside_project``: answers of the survey left out as not in the coding project;
    - ``base``: one sentence saying which base was used, for the user.
    """

    answers: pd.DataFrame
    all_coded: bool
    machine: bool
    uncoded: int
    base: str
    outside_project: int = 0


def coded_answers(
    answers: pd.DataFrame,
    codes: pd.DataFrame,
    all_coded: bool | None = None,
    *,
    project: ReviewedCodes | None = None,
    none_is_an_error: bool = False,
) -> CodedAnswers:
    """Which ``answers`` are coded, given ``codes``: the denominator of every share.

    Machine suggestions (a ``confidence`` column, as from ``coder suggest``) list only the answers that got a
    code but were made for every answer, so every answer counts as coded; a human codes file lists what has
    been coded, so an answer missing from it is not coded yet and left out.

    Parameters
    ----------
    answers : pandas.DataFrame
        The survey's answers (``id`` and the other columns of :attr:`coder.survey.Survey.answers`).
    codes : pandas.DataFrame
        ``id, code[, confidence]`` (as from :func:`load_codes`).
    all_coded : bool, optional
        Every answer counts as coded (True) or only those in the codes (False); default ``None`` decides from
        the codes as above.
    project : coder.store.ReviewedCodes, optional
        The reviewed codes of a coding project, which ``codes`` are (:func:`project_codes`): only its
        answers can count as coded, whatever ``all_coded`` says (an answer of the survey the project lacks
        was never coded, by a coder or by its suggestion run), and ``base`` says why.
    none_is_an_error : bool, default False
        No answer counting as coded is a CoderError saying why (a report of nothing), not a
        :class:`CodesWarning`.

    Returns
    -------
    CodedAnswers

    Examples
    --------
    >>> answers = pd.DataFrame({"id": ["r1:q", "r2:q"], "question_id": ["q", "q"]})
    >>> base = coded_answers(answers, pd.DataFrame({"id": ["r1:q"], "code": [""]}))
    >>> len(base.answers), base.all_coded, base.uncoded
    (1, False, 1)
    >>> suggested = pd.DataFrame({"id": ["r1:q"], "code": ["x"], "confidence": [0.9]})
    >>> len(coded_answers(answers, suggested).answers)
    2
    """
    machine = "confidence" in codes.columns
    everything = machine if all_coded is None else bool(all_coded)
    inside = answers if project is None else answers[answers["id"].isin(set(project.answer_ids))]
    outside = len(answers) - len(inside)
    in_codes = inside["id"].isin(set(codes["id"]))
    missing = int((~in_codes).sum())
    if everything:
        coded = inside
        why = (
            (PROJECT_BASE if project else "the codes are machine suggestions, made for every answer")
            if all_coded is None
            else "as asked"
        )
        base = f"all {len(inside)} answers count as coded ({why}); {missing} not in the codes carry no code"
    else:
        coded = inside[in_codes]
        why = " (only these, as asked)" if machine else ""
        base = (
            f"the {len(coded)} answers in the codes{why}; {missing} answer(s) are not in the codes and are "
            "left out as not coded yet (counting all answers as coded, they would carry no code)"
        )
    if outside:
        base += f"; {outside} answer(s) of the survey are not in the project and are left out as not coded"
    if coded.empty and none_is_an_error:
        if project is None:
            why = "the codes list none of the survey's answers (counted as coded, they carry no theme)"
        elif project.run_id is None:
            why = (
                "no coder has decided an answer, and the project has no suggestion run (suggest codes first)"
            )
        else:
            why = "no coder has decided an answer, and its suggestion run was not counted, as asked"
        raise CoderError(f"no answer counts as coded, so there is nothing to report: {why}")
    _warn_thin_base(inside, coded, in_codes, machine and everything and all_coded is None)
    return CodedAnswers(
        answers=coded,
        all_coded=everything,
        machine=machine,
        uncoded=0 if everything else missing,
        base=base,
        outside_project=outside,
    )


def _warn_thin_base(answers: pd.DataFrame, coded: pd.DataFrame, in_codes: pd.Series, assumed: bool) -> None:
    """A :class:`CodesWarning` when no answer counts as coded, or when every answer counts as coded because
    the codes are suggestions (``assumed``) but a whole municipality or question has none in them."""
    if coded.empty:
        warnings.warn(CodesWarning("no answer counts as coded: every count and share is empty"), stacklevel=3)
        return
    if not assumed:
        return
    for column, what in (("municipality", "municipality"), ("question_id", "question")):
        if column not in answers.columns:
            continue
        covered = answers.loc[in_codes, column].unique()
        sizes = answers[column].value_counts()
        # A question of a few short answers («Nei», «-») may well get no suggestion: no alarm for it.
        least = 1 if column == "municipality" else MIN_UNSUGGESTED_QUESTION
        missing = [name for name in answers[column].unique() if name not in covered and sizes[name] >= least]
        if missing:
            names = ", ".join(f"'{name}'" for name in missing)
            why = "made for part of the survey, or none reached the threshold?"
            whose = f"{what} {names} is in the suggestions ({why}): its"
            if len(missing) > 1:
                whose = f"{what}s {names} is in the suggestions ({why}): their"
            count = int(answers[column].isin(missing).sum())
            warnings.warn(
                CodesWarning(
                    f"no answer of {whose} {count} answers count as coded with no theme; give their "
                    "suggestions too, or count only the answers in the codes"
                ),
                stacklevel=3,
            )


def centrality_terciles(positions: pd.DataFrame) -> pd.Series:
    """Degree tercile (low, middle, high) of each row, within its municipality and level.

    People are ranked by degree, then betweenness, and cut into three groups as equal as possible; people in
    the same position (the same degree and betweenness) share their mean rank, so they share a group, and
    nothing but the network decides it (not their ids). The lowest position is always ``"low"`` and the
    highest ``"high"``, however many share it (21 of 29 without daily contact are low, not middle). When
    everyone is in one position (a municipality without ties at the level), everyone gets ``""``: there is
    nothing to rank, and pooled with other municipalities they would make a group of their own.

    Parameters
    ----------
    positions : pandas.DataFrame
        With ``person, municipality, level, degree, betweenness`` (as from
        :func:`coder.network.positions`).

    Returns
    -------
    pandas.Series
        ``"low"``, ``"middle"`` or ``"high"`` (or ``""``, see above), on the index of ``positions``.

    Examples
    --------
    >>> positions = pd.DataFrame({"person": ["a", "b", "c"], "municipality": "M", "level": "weekly",
    ...                           "degree": [2, 0, 1], "betweenness": 0.0})
    >>> centrality_terciles(positions).tolist()
    ['high', 'low', 'middle']
    >>> centrality_terciles(positions.assign(degree=[2, 1, 1])).tolist()
    ['high', 'low', 'low']
    >>> few = pd.DataFrame({"person": list("abcdefg"), "municipality": "M", "level": "daily",
    ...                     "degree": [1, 0, 0, 0, 0, 0, 0], "betweenness": 0.0})
    >>> centrality_terciles(few).value_counts().to_dict()  # by their mean rank alone, the six: middle
    {'low': 6, 'high': 1}
    >>> centrality_terciles(positions.assign(degree=0)).tolist()
    ['', '', '']
    """
    out = pd.Series("", index=positions.index, dtype=object)
    for _, group in positions.groupby(["municipality", "level"], sort=False):
        # betweenness rounded: one position reached by two sums of fractions is still one position
        position = group.assign(betweenness=group["betweenness"].round(9))
        ordinal = position.groupby(["degree", "betweenness"], sort=True).ngroup()
        if ordinal.nunique() == 1:
            continue  # no position to rank: no centrality
        mean_rank = ordinal.rank(method="average") - 1  # 0 .. n - 1
        for index, rank in mean_rank.items():
            out[index] = TERCILES[min(2, int(rank * 3 // len(group)))]
        out[ordinal.index[ordinal == ordinal.min()]] = "low"
        out[ordinal.index[ordinal == ordinal.max()]] = "high"
    return out


@dataclass(frozen=True, eq=False)
class LinkResult:
    """Theme counts by position, and the tests.

    - ``themes``: per question and code: ``answers`` (coded answers to the question), ``mentions``,
      ``share``.
    - ``counts``: per question, code, ``variable`` and ``category``: ``n`` respondents in the category who
      answered, ``k`` of them mention the theme, ``share``.
    - ``tests``: per question, code, variable (and category for functions): ``test`` (fisher or chi2),
      ``statistic`` (odds ratio or chi-square), ``p_value``, ``q_value``, ``min_expected``, ``warning``.
    - ``provenance``: the inputs and settings that made it.
    """

    themes: pd.DataFrame
    counts: pd.DataFrame
    tests: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)


def crosstab(
    codes: pd.DataFrame,
    positions: pd.DataFrame,
    answers: pd.DataFrame,
    *,
    functions: list[str] | None = None,
    questions: list[str] | None = None,
    all_coded: bool | None = None,
) -> LinkResult:
    """Cross theme mentions with position variables, per question; see the module notes for the tests.

    For every question and code, the respondents who answered (and are coded) are split by each position
    variable: each function (has it or not), broker, isolate and political contact (yes or no) with
    Fisher's exact test; community, centrality tercile and municipality (with several) with the chi-square
    test of independence. ``q_value`` adjusts the p-values of all tests of the call by the
    Benjamini-Hochberg procedure [1]_.

    Parameters
    ----------
    codes : pandas.DataFrame
        ``id, code[, confidence]`` (as from :func:`load_codes`).
    positions : pandas.DataFrame
        One level of :func:`coder.network.positions`.
    answers : pandas.DataFrame
        :attr:`coder.survey.Survey.answers`.
    functions : list of str, optional
        The functions, in the order of the rows (default ``None``: sorted as found).
    questions : list of str, optional
        The questions, in the order of the rows (default ``None``: as in ``answers``).
    all_coded : bool, optional
        Which answers count as coded: :func:`coded_answers`'s rule (default ``None``: from the codes).

    Returns
    -------
    LinkResult
        Without provenance (:func:`link` adds it).

    Raises
    ------
    CoderError
        For a code whose id is not an answer.
    ValueError
        For positions of more than one level.

    References
    ----------
    .. [1] Y. Benjamini and Y. Hochberg, "Controlling the false discovery rate: a practical and powerful
       approach to multiple testing", Journal of the Royal Statistical Society B, 57(1), pp. 289-300, 1995.

    Examples
    --------
    >>> positions = pd.DataFrame({
    ...     "person": ["r1", "r2", "r3", "r4"], "level": "weekly", "municipality": "M",
    ...     "functions": ["leder", "leder", "", ""], "broker": [True, False, False, False],
    ...     "isolate": False, "political_contact": False, "community": ["1", "1", "2", "2"],
    ...     "degree": [3, 2, 1, 1], "betweenness": 0.0,
    ... })
    >>> answers = pd.DataFrame({"id": ["r1:q", "r2:q", "r3:q", "r4:q"],
    ...                         "respondent_id": ["r1", "r2", "r3", "r4"], "question_id": "q"})
    >>> codes = pd.DataFrame({"id": ["r1:q", "r2:q", "r3:q", "r4:q"], "code": ["x", "x", "", "y"]})
    >>> result = crosstab(codes, positions, answers)
    >>> result.themes.values.tolist()
    [['q', 'x', 4, 2, 0.5], ['q', 'y', 4, 1, 0.25]]
    >>> leader = result.counts.query("code == 'x' and variable == 'function'")
    >>> leader[["category", "n", "k"]].values.tolist()
    [['leder', 2, 2]]
    >>> result.tests.query("code == 'x' and variable == 'community'")[["test", "warning"]].values.tolist()
    [['fisher', 'too few to support a conclusion (a group or count of 2)']]
    """
    if positions["level"].nunique() > 1:
        raise ValueError("crosstab needs the positions of one level")
    known = _KnownAnswers.of(answers["id"].tolist())
    unknown = [answer_id for answer_id in codes["id"] if answer_id not in known]
    if unknown:
        raise CoderError(known.why_unknown(unknown), column="id")
    people = positions.set_index("person").copy()
    # No category, no place in the test: centrality where a municipality has no ties to rank; community for
    # an isolate (a community of one compares nothing; the isolate test has them).
    people["centrality"] = centrality_terciles(positions).replace("", None).to_numpy()
    several = people["municipality"].nunique() > 1
    if several:
        people["community"] = people["municipality"] + " " + people["community"]
    people["community"] = people["community"].where(~people["isolate"].astype(bool), None)
    function_list = functions or sorted({f for fs in people["functions"] for f in fs.split(";") if f})

    with warnings.catch_warnings():  # link and summarize have said what the base lacks
        warnings.simplefilter("ignore", CodesWarning)
        coded = coded_answers(answers, codes, all_coded).answers
    real = codes[codes["code"] != ""]
    theme_rows, count_rows, test_rows = [], [], []
    for question_id, group in coded.groupby("question_id", sort=False):
        respondents = list(group["respondent_id"])
        mine = people.loc[respondents]
        # The position variables of this question's respondents: the same for every code.
        variables: list[tuple[str, str, np.ndarray]] = []
        for function in function_list:
            has = mine["functions"].map(lambda fs, f=function: f in fs.split(";"))
            variables.append(("function", function, has.map({True: "yes", False: "no"}).to_numpy()))
        for name in ("broker", "isolate", "political_contact"):
            variables.append((name, "", mine[name].map({True: "yes", False: "no"}).to_numpy()))
        variables.append(("community", "", mine["community"].to_numpy()))
        variables.append(("centrality", "", mine["centrality"].to_numpy()))
        if several:
            variables.append(("municipality", "", mine["municipality"].to_numpy()))
        mentions_by_code = (
            real[real["id"].isin(set(group["id"]))]
            .assign(respondent_id=lambda f: f["id"].str.rsplit(":", n=1).str[0])
            .groupby("code")["respondent_id"]
            .apply(set)
        )
        for code, mentioned in mentions_by_code.items():
            k = len(mentioned)
            theme_rows.append(
                {
                    "question_id": question_id,
                    "code": code,
                    "answers": len(respondents),
                    "mentions": k,
                    "share": k / len(respondents),
                }
            )
            hit = np.array([r in mentioned for r in respondents])
            for variable, label, category in variables:
                table = _contingency(category, hit)
                if variable == "function":
                    row = table.loc["yes"] if "yes" in table.index else pd.Series({False: 0, True: 0})
                    count_rows.append(_count(question_id, code, variable, label, row))
                else:
                    for cat, row in table.iterrows():
                        count_rows.append(_count(question_id, code, variable, str(cat), row))
                test = _test(table)
                if several and not pd.isna(test["p_value"]):
                    nested = _in_one_municipality(variable, category, mine["municipality"])
                    test["warning"] = "; ".join(w for w in (test["warning"], nested) if w)
                test_rows.append(
                    {
                        "question_id": question_id,
                        "code": code,
                        "variable": variable,
                        "category": label,
                        **test,
                    }
                )
    tests = pd.DataFrame(
        test_rows,
        columns=[
            "question_id",
            "code",
            "variable",
            "category",
            "test",
            "statistic",
            "p_value",
            "min_expected",
            "warning",
        ],
    )
    valid = tests["p_value"].notna()
    tests.insert(7, "q_value", np.nan)
    if valid.any():
        tests.loc[valid, "q_value"] = stats.false_discovery_control(tests.loc[valid, "p_value"].to_numpy())
    themes = pd.DataFrame(theme_rows, columns=["question_id", "code", "answers", "mentions", "share"])
    order = {q: i for i, q in enumerate(questions or dict.fromkeys(answers["question_id"]))}
    themes = themes.assign(_order=themes["question_id"].map(order))
    themes = themes.sort_values(["_order", "mentions", "code"], ascending=[True, False, True], kind="stable")
    themes = themes.drop(columns="_order")
    return LinkResult(
        themes=themes.reset_index(drop=True),
        counts=pd.DataFrame(
            count_rows, columns=["question_id", "code", "variable", "category", "n", "k", "share"]
        ),
        tests=tests,
    )


def _contingency(categories: np.ndarray, hits: np.ndarray) -> pd.DataFrame:
    """Counts of not mentioning (False) and mentioning (True) per category, categories sorted.

    (pandas.crosstab does the same, at a cost that adds up over hundreds of small tables.)
    """
    counts: dict[Any, list[int]] = {}
    for category, hit in zip(categories, hits, strict=True):
        if not pd.isna(category):  # a respondent without a category is left out (see crosstab)
            counts.setdefault(category, [0, 0])[int(hit)] += 1
    index = sorted(counts)
    return pd.DataFrame([counts[c] for c in index], index=index, columns=[False, True])


def _count(question_id: str, code: str, variable: str, category: str, row: pd.Series) -> dict[str, Any]:
    n = int(row[False] + row[True])
    return {
        "question_id": question_id,
        "code": code,
        "variable": variable,
        "category": category,
        "n": n,
        "k": int(row[True]),
        "share": row[True] / n if n else math.nan,
    }


def _in_one_municipality(variable: str, category: np.ndarray, municipality: pd.Series) -> str:
    """A warning when, in a survey of several municipalities, a test compares them as much as positions:
    a community lies in one municipality, and so may everyone who holds a position (all the weekly brokers
    are in Rissa, none in Oppdal) or everyone who does not."""
    if municipality.nunique() < 2:  # a question only one municipality's respondents answered
        return ""
    if variable == "community":
        return "each community lies in one municipality: the test compares municipalities too"
    for side, who in (("yes", "with"), ("no", "without")):
        places = set(municipality.to_numpy()[category == side])
        if len(places) == 1:
            return f"everyone {who} the position is in {places.pop()}: the test compares municipalities too"
    return ""


def _test(table: pd.DataFrame) -> dict[str, Any]:
    """Fisher's exact test for a 2×2 table, chi-square otherwise; with a warning when cells are small."""
    table = table.loc[table.sum(axis=1) > 0]
    result: dict[str, Any] = {
        "test": "",
        "statistic": math.nan,
        "p_value": math.nan,
        "min_expected": math.nan,
    }
    if len(table) < 2:  # none: everyone without a category (isolates only, in the community test)
        answered = "only one group answered" if len(table) else "no group answered"
        return {**result, "warning": f"{answered}: nothing to compare"}
    if (table.sum(axis=0) == 0).any():
        return {**result, "warning": "everyone or no one mentions it: nothing to compare"}
    observed = table.to_numpy()
    expected = stats.contingency.expected_freq(observed)
    result["min_expected"] = float(expected.min())
    if observed.shape == (2, 2):
        statistic, p_value = stats.fisher_exact(observed)
        small = min(observed.sum(axis=1).min(), observed.sum(axis=0).min())
        warning = (
            f"too few to support a conclusion (a group or count of {int(small)})" if small < MIN_CELL else ""
        )
        return {
            **result,
            "test": "fisher",
            "statistic": float(statistic),
            "p_value": float(p_value),
            "warning": warning,
        }
    statistic, p_value, _dof, _ = stats.chi2_contingency(observed, correction=False)
    low = int((expected < MIN_CELL).sum())
    warning = f"unreliable: {low} of {expected.size} expected counts under {MIN_CELL}" if low else ""
    return {
        **result,
        "test": "chi2",
        "statistic": float(statistic),
        "p_value": float(p_value),
        "warning": warning,
    }


#: The base of the shares when a coding project gives the codes (:func:`coder.store.reviewed_codes`).
PROJECT_BASE = "the coders' codes where they decided, the latest suggestion run's elsewhere"


def codebook_for(codebook: Codebook | str | Path | None, project: str | Path | None) -> Codebook:
    """The codebook given, else the project's own (its codes were decided and suggested with it), else the
    default codebook."""
    if codebook is None and project is not None:
        from coder import store  # late: store imports the classifier

        with store.Project.open(project) as opened:
            return opened.codebook()
    return codebook_mod.as_codebook(codebook)


def project_codes(survey: Survey, project: str | Path) -> ReviewedCodes:
    """A coding project's reviewed codes (:func:`coder.store.reviewed_codes`), checked to be of ``survey``:
    a CoderError naming the project when its answers are not the survey's (a project of another survey)."""
    from coder import store  # late: the project is read only when its codes are counted

    reviewed = store.reviewed_codes(project)
    known = set(survey.answers["id"])
    foreign = [answer_id for answer_id in reviewed.answer_ids if answer_id not in known]
    if foreign:
        raise CoderError(
            f"{len(foreign)} of the project's {len(reviewed.answer_ids)} answers are not in the survey "
            f"(first: '{foreign[0]}'): a project of another survey or manifest?",
            file=project,
        )
    return reviewed


def link(
    survey: Survey | str | Path,
    codes: pd.DataFrame | str | Path | list[str | Path] | None,
    *,
    level: str = "weekly",
    mutual: bool = False,
    seed: int = 0,
    broker_betweenness: float = net.BROKER_BETWEENNESS,
    all_coded: bool | None = None,
    codebook: Codebook | str | Path | None = None,
    project: str | Path | None = None,
) -> LinkResult:
    """Theme counts linked to network positions at ``level`` for a survey (or manifest) and codes.

    The codes are checked against the codebook (:func:`load_codes`); which answers count as coded follows
    :func:`coded_answers` (the provenance says which base was used). Positions (community, broker, isolate,
    centrality) are those of :func:`coder.network.positions`; the tables and tests are :func:`crosstab`'s.

    Parameters
    ----------
    survey : coder.survey.Survey or path
        A loaded survey or its manifest.
    codes : pandas.DataFrame, path or list of paths, or None
        A table ``id, code[, confidence]`` or one or several codes files (concatenated: one per
        municipality, say); ``None`` with a ``project``.
    level : str, default "weekly"
        The contact level of the network.
    mutual : bool, default False
        Keep only the ties both people reported.
    seed : int, default 0
        The seed of the community detection.
    broker_betweenness : float, default :data:`coder.network.BROKER_BETWEENNESS`
        The betweenness from which a person with ties to several communities counts as a broker.
    all_coded : bool, optional
        See :func:`coded_answers` (default ``None``: decided from the codes).
    codebook : coder.codebook.Codebook or path, optional
        A codebook or its YAML file (default ``None``: the project's, else the default codebook).
    project : path, optional
        A coding project whose reviewed codes to count (:func:`coder.store.reviewed_codes`: the coders'
        consensus where they decided, the latest suggestion run's elsewhere), instead of ``codes``.

    Returns
    -------
    LinkResult
        With the provenance: the inputs, the settings and the base of the shares.

    Raises
    ------
    CoderError
        For an unknown id or code (naming the file, row and column), or an unknown level.

    Examples
    --------
    >>> from pathlib import Path
    >>> import coder
    >>> oppdal = Path(coder.__file__).parents[1] / "examples" / "oppdal"
    >>> result = link(oppdal / "manifest.yaml", oppdal / "koder.csv")
    >>> result.themes[["question_id", "code", "answers", "mentions"]].head(1).values.tolist()
    [['styrker', 'local_knowledge', 19, 7]]
    >>> result.provenance["coded_answers"], result.provenance["level"]
    (70, 'weekly')
    """
    net.check_level(level)  # a bad option fails before any work
    if (codes is None) == (project is None):
        raise CoderError("give the codes or a coding project (one of them)")
    survey = survey_mod.as_survey(survey)
    codebook = codebook_for(codebook, project)
    reviewed = None
    if project is not None:
        reviewed = project_codes(survey, project)
        codes = reviewed.codes
    elif not isinstance(codes, pd.DataFrame):
        codes = [Path(p) for p in (codes if isinstance(codes, list) else [codes])]
    table, paths, _machine = load_codes(codes, survey.answers["id"].tolist(), codebook, survey=survey)
    # The roles are those of the summary's provenance, which the same inputs make.
    inputs = [("manifest", survey.path)] if survey.path is not None else []
    inputs += [("kodebok", codebook.path)] if codebook.path is not None else []
    inputs += [("kodefil", path) for path in paths]
    inputs += [("kodeprosjekt", Path(project))] if project is not None else []
    base = coded_answers(survey.answers, table, all_coded, project=reviewed)
    positions = net.positions(survey, level, mutual=mutual, seed=seed, broker_betweenness=broker_betweenness)
    result = crosstab(
        table,
        positions,
        base.answers,
        functions=list(survey.functions["function"]),
        questions=list(survey.questions["question_id"]),
        all_coded=base.all_coded,
    )
    record = provenance(
        inputs,
        level=level,
        mutual=mutual,
        seed=seed,
        broker_betweenness=broker_betweenness,
        codebook={"name": codebook.name, "version": codebook.version, "file": str(codebook.path or "")},
        machine_suggestions=base.machine,
        all_coded=base.all_coded,
        base=base.base,
        answers=len(survey.answers),
        coded_answers=len(base.answers),
        uncoded_answers=base.uncoded,
        answers_outside_project=base.outside_project,
    )
    return LinkResult(result.themes, result.counts, result.tests, record)


def write_link(result: LinkResult, directory: str | Path) -> list[Path]:
    """Write ``link_themes.csv``, ``link_counts.csv``, ``link_tests.csv`` and ``link.json`` to ``directory``.

    Parameters
    ----------
    result : LinkResult
        From :func:`link` or :func:`crosstab`.
    directory : str or pathlib.Path
        Created if needed.

    Returns
    -------
    list of pathlib.Path
        The files written; the JSON holds the same tables and the provenance.

    Examples
    --------
    >>> import tempfile
    >>> themes = pd.DataFrame({"question_id": ["q"], "code": ["x"], "answers": [4], "mentions": [2],
    ...                        "share": [0.5]})
    >>> result = LinkResult(themes, pd.DataFrame(), pd.DataFrame())
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [path.name for path in write_link(result, folder)]
    ['link_themes.csv', 'link_counts.csv', 'link_tests.csv', 'link.json']
    """
    directory = output_directory(directory)
    written = [
        write_table(result.themes, directory / "link_themes.csv"),
        write_table(result.counts, directory / "link_counts.csv"),
        write_table(result.tests, directory / "link_tests.csv"),
    ]

    payload = {
        "provenance": result.provenance,
        "themes": records(result.themes),
        "counts": records(result.counts),
        "tests": records(result.tests),
    }
    written.append(write_json(payload, directory / "link.json"))
    return written
