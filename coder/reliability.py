"""Inter-coder reliability and evaluation of suggestions against gold codes.

Every statistic is a plain function over the presence (1) / absence (0) of one code per answer:

* a *rating matrix* has one row per coder (or per source: gold, model) and one column per answer, with
  ``NaN`` where that coder did not decide that answer (Krippendorff's "missing");
* :func:`indicator_matrix` turns a long ``id, code`` table into a 0/1 answers × codes matrix.

>>> import numpy as np
>>> a = np.array([1, 0, 1, 1, 0]); b = np.array([1, 0, 0, 1, 0])
>>> percent_agreement(np.vstack([a, b]))
0.8
>>> round(cohen_kappa(a, b), 3)
0.615

Undefined values (no pairable answers; kappa or alpha when every rating is the same value) are ``nan``
here and ``None`` in the dictionaries meant for JSON.

:func:`evaluate` compares a gold codes table with predictions (``coder evaluate``); :func:`agreement`
compares the coders of a coding project with each other and with the model (``coder agreement``).
"""

from __future__ import annotations

import itertools
import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import krippendorff
import numpy as np
import pandas as pd

from coder.errors import CoderError
from coder.io import read_table, require_columns, spreadsheet_row

if TYPE_CHECKING:
    from coder.store import Project

__all__ = [
    "Agreement",
    "agreement",
    "code_ids_for",
    "cohen_kappa",
    "cooccurrence",
    "coverage_at_precision",
    "evaluate",
    "indicator_matrix",
    "krippendorff_alpha",
    "percent_agreement",
    "precision_recall_f1",
    "long_codes",
    "predictions_from",
    "read_codes",
    "read_predictions",
    "split_codes",
]

OVERALL = "(all codes)"

HAND_CODED = "coded by hand"
"""The evidence of a suggestion that is a coder's code kept as it is (the coded answers it learned from)."""


# ----------------------------------------------------------------------------------------------------------
# Statistics over 0/1 arrays
# ----------------------------------------------------------------------------------------------------------


def _ratings(data: Any) -> np.ndarray:
    matrix = np.asarray(data, dtype=float)
    if matrix.ndim != 2:
        raise ValueError("expected a 2-D rating matrix: one row per coder, one column per answer")
    return matrix


def percent_agreement(data: Any) -> float:
    """The share of agreeing pairs of ratings, over all pairs of coders that both rated an answer.

    For two coders this is the plain share of answers (rated by both) on which they agree; for more coders it
    is the mean pairwise agreement, weighting every answer by its number of rating pairs.

    Parameters
    ----------
    data : array_like of shape (n_coders, n_answers)
        The rating matrix, ``NaN`` where a coder did not rate an answer.

    Returns
    -------
    float
        Between 0 and 1; ``nan`` when no answer was rated by two coders.

    Examples
    --------
    >>> round(percent_agreement([[1, 0, 1], [1, 1, float("nan")], [1, 1, 1]]), 3)  # 5 of 7 pairs agree
    0.714
    >>> percent_agreement([[1, float("nan")], [float("nan"), 0]])
    nan
    """
    matrix = _ratings(data)
    present = ~np.isnan(matrix)
    n = present.sum(axis=0)
    pairs = (n * (n - 1) / 2).sum()
    if pairs == 0:
        return math.nan
    agree = 0.0
    for value in np.unique(matrix[present]):
        count = (matrix == value).sum(axis=0)
        agree += (count * (count - 1) / 2).sum()
    return float(agree / pairs)


def cohen_kappa(a: Any, b: Any) -> float:
    """Cohen's kappa of two coders over the answers both rated.

    ``(p_o - p_e) / (1 - p_e)``: the observed agreement ``p_o`` corrected for the agreement ``p_e`` expected
    from each coder's own marginal rates (the product of the two coders' rates, summed over the values).

    Parameters
    ----------
    a, b : array_like of shape (n_answers,)
        The two coders' ratings; an answer with ``NaN`` in either is left out.

    Returns
    -------
    float
        At most 1 (0: agreement as by chance); ``nan`` when no answer was rated by both or when chance
        agreement is already 1 (both coders gave one and the same value to everything).

    References
    ----------
    .. [1] J. Cohen, "A coefficient of agreement for nominal scales", Educational and Psychological
       Measurement, 20(1), pp. 37-46, 1960.

    Examples
    --------
    >>> cohen_kappa([1, 1, 0, 0], [1, 1, 0, 0])
    1.0
    >>> round(cohen_kappa([1, 0, 1, 1, 0], [1, 0, 0, 1, 0]), 3)
    0.615
    >>> cohen_kappa([1, 1], [1, 1])
    nan
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    if a.size == 0:
        return math.nan
    observed = float(np.mean(a == b))
    expected = sum(float(np.mean(a == v)) * float(np.mean(b == v)) for v in np.union1d(a, b))
    if math.isclose(expected, 1.0):
        return math.nan
    return (observed - expected) / (1.0 - expected)


def light_kappa(data: Any) -> float:
    """Light's kappa of a coders × answers matrix: the mean of Cohen's kappa over every pair of coders.

    Two coders: their Cohen's kappa. A pair whose kappa is undefined (:func:`cohen_kappa`: no answer both
    rated, or one value everywhere) is left out of the mean; ``nan`` when every pair's is.

    References
    ----------
    .. [1] R. J. Light, "Measures of response agreement for qualitative data: some generalizations and
       alternatives", Psychological Bulletin, 76(5), pp. 365-377, 1971.

    Examples
    --------
    >>> round(light_kappa([[1, 0, 1, 1, 0], [1, 0, 0, 1, 0], [1, 0, 1, 1, 0]]), 3)
    0.744
    """
    ratings = np.asarray(data, dtype=float)
    pairs = [cohen_kappa(ratings[i], ratings[j]) for i, j in itertools.combinations(range(len(ratings)), 2)]
    defined = [kappa for kappa in pairs if not math.isnan(kappa)]
    return float(np.mean(defined)) if defined else math.nan


def krippendorff_alpha(data: Any) -> float:
    """Krippendorff's alpha for nominal data of a coders × answers matrix.

    ``1 - D_o / D_e``: the observed disagreement within answers over the disagreement expected from all
    pairable ratings. Any number of coders and missing ratings; answers rated by fewer than two coders do not
    count. Computed by the ``krippendorff`` package.

    Parameters
    ----------
    data : array_like of shape (n_coders, n_answers)
        The rating matrix, ``NaN`` where a coder did not rate an answer.

    Returns
    -------
    float
        At most 1; ``nan`` with fewer than two coders or fewer than two distinct values among the pairable
        ratings (alpha is undefined without variation).

    References
    ----------
    .. [1] K. Krippendorff, "Content Analysis: An Introduction to Its Methodology", 2nd ed., Sage, 2004,
       chapter 11.
    .. [2] K. Krippendorff, "Computing Krippendorff's Alpha-Reliability", University of Pennsylvania, 2011.

    Examples
    --------
    >>> round(krippendorff_alpha([[1, 0, 1, float("nan")], [1, 0, 0, 1]]), 3)
    0.444
    >>> krippendorff_alpha([[1, 1, 1], [1, 1, 1]])
    nan
    """
    matrix = _ratings(data)
    pairable = (~np.isnan(matrix)).sum(axis=0) >= 2
    matrix = matrix[:, pairable]
    values = matrix[~np.isnan(matrix)]
    if matrix.shape[0] < 2 or np.unique(values).size < 2:
        return math.nan
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


def precision_recall_f1(gold: Any, pred: Any) -> tuple[float, float, float]:
    """Precision, recall and F1 of 0/1 predictions against 0/1 gold.

    Parameters
    ----------
    gold, pred : array_like of shape (n,)
        The gold and the predicted values (anything not 0 is 1); a pair with ``NaN`` on either side (not
        rated) is left out, as :func:`cohen_kappa` leaves it out.

    Returns
    -------
    tuple of float
        ``(precision, recall, f1)``; each is 0 where its denominator is 0.

    Examples
    --------
    >>> precision_recall_f1([1, 1, 0, 0], [1, 0, 1, 0])
    (0.5, 0.5, 0.5)
    >>> precision_recall_f1([1, 0], [0, 0])
    (0.0, 0.0, 0.0)
    >>> precision_recall_f1([float("nan"), 1, 0], [1, 1, 1])  # the first answer is not rated
    (0.5, 1.0, 0.6666666666666666)
    """
    gold = np.asarray(gold, dtype=float)
    pred = np.asarray(pred, dtype=float)
    rated = ~(np.isnan(gold) | np.isnan(pred))
    gold, pred = gold[rated] != 0, pred[rated] != 0
    return _prf(int((gold & pred).sum()), int((~gold & pred).sum()), int((gold & ~pred).sum()))


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def indicator_matrix(codes: pd.DataFrame, ids: Sequence[str], code_ids: Sequence[str]) -> np.ndarray:
    """A 0/1 answers × codes matrix from a long ``id, code`` table.

    Parameters
    ----------
    codes : pandas.DataFrame
        Long ``id, code``. Rows with an empty code (coded, no code), ids not in ``ids`` and codes not in
        ``code_ids`` add nothing.
    ids : sequence of str
        The answers, one row each, in this order.
    code_ids : sequence of str
        The codes, one column each, in this order.

    Returns
    -------
    numpy.ndarray of shape (len(ids), len(code_ids))
        1 where the answer has the code, else 0 (dtype int).

    Examples
    --------
    >>> codes = pd.DataFrame({"id": ["a", "a", "b"], "code": ["x", "y", ""]})
    >>> indicator_matrix(codes, ["a", "b"], ["x", "y"])
    array([[1, 1],
           [0, 0]])
    """
    row = {answer: i for i, answer in enumerate(ids)}
    col = {code: j for j, code in enumerate(code_ids)}
    matrix = np.zeros((len(ids), len(code_ids)), dtype=int)
    for answer, code in zip(codes["id"], codes["code"], strict=True):
        if answer in row and code in col:
            matrix[row[answer], col[code]] = 1
    return matrix


def cooccurrence(codes: pd.DataFrame, code_ids: Sequence[str]) -> pd.DataFrame:
    """Code × code counts of the answers that carry both codes.

    Parameters
    ----------
    codes : pandas.DataFrame
        Long ``id, code``; every id in it is one answer.
    code_ids : sequence of str
        The codes, in the order of the rows and columns.

    Returns
    -------
    pandas.DataFrame
        Square, index and columns ``code_ids`` (index named ``code``); the diagonal counts the answers with
        the code.

    Examples
    --------
    >>> codes = pd.DataFrame({"id": ["a", "a", "b"], "code": ["x", "y", "x"]})
    >>> cooccurrence(codes, ["x", "y"]).values.tolist()
    [[2, 1], [1, 1]]
    """
    ids = list(dict.fromkeys(codes["id"]))
    matrix = indicator_matrix(codes, ids, code_ids)
    counts = matrix.T @ matrix
    frame = pd.DataFrame(counts, index=list(code_ids), columns=list(code_ids))
    frame.index.name = "code"
    return frame


def coverage_at_precision(
    gold: np.ndarray, confidence: np.ndarray, target: float = 0.95
) -> tuple[float, float | None]:
    """The share of answers that can be auto-coded at the loosest global threshold with precision >= target.

    Every distinct confidence ``t`` is a candidate threshold: the predictions with confidence >= ``t`` are
    auto-accepted, and their micro precision is TP / (TP + FP) over those (answer, code) pairs. The chosen
    threshold is the LOWEST ``t`` whose precision is >= ``target`` (most coverage; precision need not be
    monotonic in ``t``). Coverage is the share of the answers (rows) with at least one prediction at or above
    it -- the answers that ``coder review --accept-from t`` would touch.

    Parameters
    ----------
    gold : numpy.ndarray of shape (n_answers, n_codes)
        The 0/1 gold codes.
    confidence : numpy.ndarray of shape (n_answers, n_codes)
        The predicted confidence of each (answer, code), ``NaN`` where nothing was predicted.
    target : float, default 0.95
        The precision the auto-accepted predictions must reach.

    Returns
    -------
    coverage : float
        Between 0 and 1.
    threshold : float or None
        The chosen threshold; ``(0.0, None)`` when no threshold reaches the target.

    Examples
    --------
    >>> gold = np.array([[1], [1], [0], [0]]); conf = np.array([[0.9], [0.8], [0.7], [np.nan]])
    >>> coverage_at_precision(gold, conf)
    (0.5, 0.8)
    >>> coverage_at_precision(gold, conf, target=1.1)
    (0.0, None)
    """
    flat_conf = np.asarray(confidence, dtype=float).ravel()
    flat_gold = np.asarray(gold).astype(bool).ravel()
    predicted = ~np.isnan(flat_conf)
    if not predicted.any() or gold.shape[0] == 0:
        return 0.0, None
    conf = flat_conf[predicted]
    hits = flat_gold[predicted]
    best: float | None = None
    for t in np.unique(conf):  # ascending: the first that passes is the loosest
        chosen = conf >= t
        if hits[chosen].mean() >= target:
            best = float(t)
            break
    if best is None:
        return 0.0, None
    with np.errstate(invalid="ignore"):
        covered = np.nan_to_num(np.asarray(confidence, dtype=float), nan=-1.0) >= best
    return float(covered.any(axis=1).mean()), best


# ----------------------------------------------------------------------------------------------------------
# Reading codes and predictions
# ----------------------------------------------------------------------------------------------------------


def read_codes(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a codes file into a long ``id, code`` table.

    Accepts long ``id,code`` (one row per code) or ``id,codes`` with ``;`` between the codes of an answer.
    A ``status`` column (``coder codes export``) keeps only the ``agreed`` rows: a conflict is not a code.
    A ``present`` column (a labels file with partial decisions) keeps only the answers coded in full.

    Parameters
    ----------
    path : str or os.PathLike
        A CSV or XLSX file.

    Returns
    -------
    pandas.DataFrame
        ``id, code``, one row per code of an answer; an empty code = coded, no code.

    Raises
    ------
    CoderError
        Without an ``id`` column or a ``code``/``codes`` column, with an empty id, or with no coded answer
        (a header only, or conflicts only).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "codes.csv"
    ...     _ = path.write_text("id,codes\\na1,x;y\\na2,\\n", encoding="utf-8")
    ...     read_codes(path).values.tolist()
    [['a1', 'x'], ['a1', 'y'], ['a2', '']]
    """
    codes = long_codes(read_table(path), path)
    if codes.empty:
        raise CoderError("the codes hold no coded answer", file=path)
    return codes


def long_codes(frame: pd.DataFrame, path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The long ``id, code`` table of a codes table already read (see :func:`read_codes`).

    Parameters
    ----------
    frame : pandas.DataFrame
        A codes table as read from a file (text columns).
    path : str or os.PathLike, optional
        The file it came from, named in errors (default ``None``).

    Returns
    -------
    pandas.DataFrame
        ``id, code``, duplicates dropped; an answer listed with codes and also with an empty code keeps its
        codes.

    Examples
    --------
    >>> long_codes(pd.DataFrame({"id": ["a", "b"], "codes": ["x; y", ""]})).values.tolist()
    [['a', 'x'], ['a', 'y'], ['b', '']]
    >>> labels = pd.DataFrame({"id": ["a", "a", "b"], "code": ["x", "", "x"], "present": ["1", "0", "1"]})
    >>> long_codes(labels).values.tolist()  # b is decided only in part: not coded
    [['a', 'x']]
    """
    if "status" in frame.columns:
        frame = frame[frame["status"].str.strip().isin(["", "agreed"])]  # rows keep their numbers
    if "present" in frame.columns:
        frame = _closed_answers(frame, path)
    ids, _, cells = split_codes(frame, path)
    rows = []
    for i, answer, parts in zip(frame.index, ids, cells, strict=True):
        if not answer:
            raise CoderError("empty id", file=path, row=spreadsheet_row(i), column="id")
        rows.extend((answer, part) for part in parts or [""])
    codes = pd.DataFrame(rows, columns=["id", "code"]).drop_duplicates()
    # An id listed with codes and also with an empty code is simply coded with those codes.
    has_code = set(codes.loc[codes["code"] != "", "id"])
    codes = codes[(codes["code"] != "") | ~codes["id"].isin(has_code)]
    return codes.reset_index(drop=True)


def split_codes(
    frame: pd.DataFrame, path: str | os.PathLike[str] | None = None
) -> tuple[list[str], str, list[list[str]]]:
    """Each row's id and codes of a codes table: ``(ids, column, codes)``, row for row.

    ``column`` is ``code`` (one code a row) or ``codes`` (``a;b``); the codes of a row are stripped, empty
    ones left out (a row with none: coded, no code).

    >>> split_codes(pd.DataFrame({"id": [" a", "b"], "codes": ["x; y", ""]}))
    (['a', 'b'], 'codes', [['x', 'y'], []])
    """
    column = "code" if "code" in frame.columns else "codes" if "codes" in frame.columns else None
    if column is None:
        available = ", ".join(map(str, frame.columns))
        raise CoderError(f"expected a column 'code' or 'codes' (columns are: {available})", file=path)
    require_columns(frame, ["id"], path)
    cells = frame[column].fillna("").astype(str)
    parts = (cell.split(";") if column == "codes" else [cell] for cell in cells)
    codes = [[part.strip() for part in row if part.strip()] for row in parts]
    return frame["id"].astype(str).str.strip().tolist(), column, codes


def _closed_answers(frame: pd.DataFrame, path: str | os.PathLike[str] | None) -> pd.DataFrame:
    """The present codes of the answers coded in full in a labels file with partial decisions.

    A labels file (``coder codes export --layout labels``) has ``id, code, present``: ``present`` 1 or 0 per
    decided code, and a row with an empty code for each answer coded in full. A code table counts only
    those answers, with their present codes; an answer decided only in part is not coded.
    """
    require_columns(frame, ["id", "code"], path)
    present = parse_present(frame, path)
    ids = frame["id"].astype(str).str.strip()
    codes = frame["code"].fillna("").astype(str).str.strip()
    closed = set(ids[codes == ""])
    keep = ids.isin(closed) & ((codes == "") | (present == 1))
    return pd.DataFrame({"id": ids[keep], "code": codes[keep]})  # the rows keep their numbers


def parse_present(frame: pd.DataFrame, path: str | os.PathLike[str] | None = None) -> pd.Series:
    """The ``present`` column of a labels table as integers 0/1.

    Parameters
    ----------
    frame : pandas.DataFrame
        With a ``present`` column of text.
    path : str or os.PathLike, optional
        The file it came from, named in errors (default ``None``).

    Returns
    -------
    pandas.Series of int

    Raises
    ------
    CoderError
        For any value but ``1`` or ``0``, naming its row.

    Examples
    --------
    >>> parse_present(pd.DataFrame({"present": ["1", " 0"]})).tolist()
    [1, 0]
    """
    # a float column, and a boolean one (True/False, as pandas builds from comparisons)
    values = (
        frame["present"]
        .astype(str)
        .str.strip()
        .str.lower()
        .replace({"0.0": "0", "1.0": "1", "true": "1", "false": "0"})
    )
    for i, value in values.items():
        if value not in ("0", "1"):
            raise CoderError(
                f"present must be 1 or 0, got '{value}'", file=path, row=spreadsheet_row(i), column="present"
            )
    return values.astype(int)


def read_predictions(path: str | os.PathLike[str], code_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Read predictions ``id,code[,confidence][,evidence]``: every row with a code is a predicted code.

    Parameters
    ----------
    path : str or os.PathLike
        A CSV or XLSX file (as ``coder suggest`` writes it).
    code_ids : sequence of str, optional
        The codebook's codes: a code outside them is an error at its row (default ``None``: not checked).

    Returns
    -------
    pandas.DataFrame
        ``id, code`` and ``confidence`` (float) when the file has it; rows without a code are left out.
        With an ``evidence`` column, ``hand_coded``: the row is a coder's code the suggester kept
        (evidence :data:`HAND_CODED`), not a prediction.

    Raises
    ------
    CoderError
        Without an ``id`` or ``code`` column, with a confidence that is not a number from 0 to 1, or with a
        code outside ``code_ids``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "suggestions.csv"
    ...     _ = path.write_text("id,code,confidence\\na1,x,0.9\\na2,,0.1\\n", encoding="utf-8")
    ...     read_predictions(path).values.tolist()
    [['a1', 'x', 0.9]]
    """
    return predictions_from(read_table(path), path, code_ids)


def predictions_from(
    frame: pd.DataFrame, path: str | os.PathLike[str] | None = None, code_ids: Sequence[str] | None = None
) -> pd.DataFrame:
    """The predictions of a table already read (see :func:`read_predictions`); ``path`` names it in errors."""
    require_columns(frame, ["id", "code"], path)
    pred = pd.DataFrame({"id": frame["id"].str.strip(), "code": frame["code"].str.strip()})
    if "confidence" in frame.columns:
        values = []
        for i, raw in frame["confidence"].items():
            try:
                value = float(str(raw).replace(",", "."))
            except ValueError:
                value = math.nan
            if not (0.0 <= value <= 1.0):  # also catches nan
                raise CoderError(
                    f"confidence must be a number from 0 to 1, got '{raw}'",
                    file=path,
                    row=spreadsheet_row(i),
                    column="confidence",
                )
            values.append(value)
        pred["confidence"] = values
    if code_ids is not None:
        _check_predicted_codes(pred["code"], code_ids, path)
    if "evidence" in frame.columns:  # an empty code coded by hand stays: the answer was coded with none
        pred["hand_coded"] = frame["evidence"].fillna("").astype(str).str.strip() == HAND_CODED
        return pred[(pred["code"] != "") | pred["hand_coded"]].reset_index(drop=True)
    return pred[pred["code"] != ""].reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------------
# Evaluation of predictions against gold codes
# ----------------------------------------------------------------------------------------------------------


def _check_predicted_codes(
    codes: pd.Series, code_ids: Sequence[str], path: str | os.PathLike[str] | None = None
) -> None:
    """A CoderError at the first predicted code outside ``code_ids`` (its row, when ``path`` is the file)."""
    unknown = codes[(codes != "") & ~codes.isin(set(code_ids))]
    # the model suggests codes of its codebook only: these predictions are another codebook's
    if len(unknown):
        raise CoderError(
            f"unknown code '{unknown.iloc[0]}' in the predictions (codes are: {', '.join(code_ids)}); "
            "were they suggested with another codebook?",
            file=path,
            row=None if path is None else spreadsheet_row(unknown.index[0]),
            column=None if path is None else "code",
        )


def _json_float(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


class PredictionWarning(UserWarning):
    """The predictions given to :func:`evaluate` hold no code (every recall is 0: the wrong file?), or hold
    the coders' codes of gold answers (left out)."""


def evaluate(gold: pd.DataFrame, pred: pd.DataFrame, code_ids: Sequence[str]) -> dict[str, Any]:
    """Compare predicted codes with gold codes, per code and overall.

    Only the gold ids are evaluated; predictions for other ids are ignored, and a gold id without
    predictions counts as predicted with no code. A gold answer whose predictions hold a coder's code
    (``hand_coded``: the suggester learned from it and kept its codes) is left out with a
    :class:`PredictionWarning`: scoring it would score the gold against itself. Per code, gold and
    prediction are also compared as two coders with :func:`cohen_kappa` and :func:`krippendorff_alpha`.

    Parameters
    ----------
    gold : pandas.DataFrame
        Long ``id, code``: every id in it counts as fully coded; an empty code = no code.
    pred : pandas.DataFrame
        Long ``id, code`` with optional ``confidence`` and ``hand_coded`` columns, every row a predicted
        code.
    code_ids : sequence of str
        The codebook's codes: a predicted code outside them is an error, a gold code outside them a warning
        (it is not scored; its answer counts as coded with the gold's other codes, none if it has none).

    Returns
    -------
    dict
        JSON-ready (undefined values are ``None``):

        * ``per_code``: ``{code: {support, precision, recall, f1, kappa, alpha}}`` -- support = gold answers
          with the code; a code neither in the gold nor predicted has ``None`` scores;
        * ``micro_f1`` over all (answer, code) pairs; ``macro_f1`` = mean F1 over the codes that occur in gold
          or in the predictions (a code absent from both has no defined F1 and is left out);
        * ``mean_alpha``: mean of the defined per-code alphas;
        * ``coverage_at_95``: see :func:`coverage_at_precision` (target 0.95); ``None`` without confidences;
        * ``answers``: how many answers were compared, of how many in each table: ``compared`` (every gold
          answer but the hand-coded ones), ``gold``, ``predicted`` (answers with a predicted code),
          ``predicted_compared`` (those of them compared; the rest are ignored) and ``hand_coded`` (gold
          answers left out because the predictions hold their coder's codes);
        * ``gold_codes_not_in_codebook``: ``{code: answers}`` for each gold code outside ``code_ids`` (a
          warning: these codes are not scored), ``{}`` when there are none.

    Raises
    ------
    CoderError
        For a predicted code outside ``code_ids``, empty gold codes, or predictions that share no id with
        the gold.

    See Also
    --------
    coder.classify.CodeSuggester : makes the predictions.

    Examples
    --------
    >>> gold = pd.DataFrame({"id": ["a", "b", "c"], "code": ["x", "", "y"]})
    >>> pred = pd.DataFrame({"id": ["a", "c"], "code": ["x", "x"]})
    >>> result = evaluate(gold, pred, ["x", "y"])
    >>> round(result["micro_f1"], 3), result["per_code"]["y"]["recall"]
    (0.5, 0.0)
    >>> result["answers"]
    {'compared': 3, 'gold': 3, 'predicted': 2, 'predicted_compared': 2, 'hand_coded': 0}
    """
    code_ids = list(code_ids)
    known = set(code_ids)
    _check_predicted_codes(pred["code"], code_ids)
    # A gold code outside the codebook is a warning, not an error: hand coders often use codes the codebook
    # lacks on purpose (a residual «annet», a code of a newer version), and the researcher still wants the
    # model scored on the codes both share rather than edit the gold file by hand. It is left out of the
    # scores (the model cannot suggest it: counting it would lower recall for nothing the model did) and
    # reported, with how many answers carry it, so that a typo in the gold codes cannot pass unseen.
    outside = gold[(gold["code"] != "") & ~gold["code"].isin(known)]
    not_in_codebook = {str(code): int(n) for code, n in outside.groupby("code")["id"].nunique().items()}
    ids = list(dict.fromkeys(gold["id"]))
    if not ids:
        raise CoderError("the gold codes are empty")
    hand = set(pred.loc[pred["hand_coded"], "id"]) & set(ids) if "hand_coded" in pred.columns else set()
    if hand:
        if not set(ids) - hand:  # nothing left to score
            raise CoderError(
                "every gold answer is one the suggester learned from (evidence 'coded by hand'): the "
                "scores would compare the gold with itself; evaluate suggestions made without them"
            )
        warnings.warn(
            PredictionWarning(
                f"{len(hand)} of the {len(ids)} gold answers are left out: the predictions hold their "
                "coder's codes (evidence 'coded by hand': the suggester learned from them), which would "
                "score the gold against itself"
            ),
            stacklevel=3,
        )
        ids = [answer for answer in ids if answer not in hand]
        gold, pred = gold[~gold["id"].isin(hand)], pred[~pred["id"].isin(hand)]
    if len(pred) and not set(pred["id"]) & set(ids):
        raise CoderError("the predictions share no answer id with the gold codes (a different survey?)")
    if not (pred["code"] != "").any():  # a header alone, the wrong file: every recall would read 0
        warnings.warn(
            PredictionWarning("the predictions hold no code at all (the right file?)"), stacklevel=3
        )
    g = indicator_matrix(gold, ids, code_ids)
    p = indicator_matrix(pred, ids, code_ids)
    per_code: dict[str, dict[str, Any]] = {}
    f1s, alphas = [], []
    for j, code in enumerate(code_ids):
        precision, recall, f1 = precision_recall_f1(g[:, j], p[:, j])
        alpha = krippendorff_alpha(np.vstack([g[:, j], p[:, j]]))
        occurs = bool(g[:, j].any() or p[:, j].any())  # else nothing to score: undefined, not 0
        per_code[code] = {
            "support": int(g[:, j].sum()),
            "precision": precision if occurs else None,
            "recall": recall if g[:, j].any() else None,  # no gold answer carries it: 0/0, not 0
            "f1": f1 if occurs else None,
            "kappa": _json_float(cohen_kappa(g[:, j], p[:, j])),
            "alpha": _json_float(alpha),
        }
        if occurs:
            f1s.append(f1)
        if not math.isnan(alpha):
            alphas.append(alpha)
    gb, pb = g.astype(bool), p.astype(bool)
    micro = _prf(int((gb & pb).sum()), int((~gb & pb).sum()), int((gb & ~pb).sum()))[2]
    coverage = None
    if "confidence" in pred.columns:
        row = {answer: i for i, answer in enumerate(ids)}
        col = {code: j for j, code in enumerate(code_ids)}
        conf = np.full(g.shape, np.nan)
        for answer, code, value in zip(pred["id"], pred["code"], pred["confidence"], strict=True):
            if answer in row and code in col:
                conf[row[answer], col[code]] = np.nanmax([conf[row[answer], col[code]], float(value)])
        coverage = coverage_at_precision(g, conf, 0.95)[0]
    predicted = set(pred["id"])
    return {
        "micro_f1": micro,
        "macro_f1": float(np.mean(f1s)) if f1s else None,
        "mean_alpha": float(np.mean(alphas)) if alphas else None,
        "per_code": per_code,
        "coverage_at_95": coverage,
        "answers": {
            "compared": len(ids),
            "gold": len(ids) + len(hand),
            "predicted": len(predicted | hand),
            "predicted_compared": len(predicted & set(ids)),
            "hand_coded": len(hand),
        },
        "gold_codes_not_in_codebook": not_in_codebook,
    }


# ----------------------------------------------------------------------------------------------------------
# Agreement between the coders of a project, and with the model
# ----------------------------------------------------------------------------------------------------------

MODEL = "model"


@dataclass(frozen=True)
class Agreement:
    """The result of :func:`agreement`.

    ``table``: one row per comparison and code (plus ``(all codes)``), columns ``comparison``, ``code``,
    ``answers`` (answers rated by at least two of the compared), ``percent_agreement``, ``kappa`` (Cohen's;
    Light's for three raters or more), ``alpha``, ``decisions`` (the coders' ratings that were compared: the
    model's are not decisions) and ``bulk_decisions`` (how many of those came from a bulk rule, ``coder review
    --accept-from``/``--reject-below``, rather than from reading the answer). ``disagreements``: one row per
    answer and code where the coders differ, columns ``id, respondent_id, question_id, code``, one 0/1
    column per coder (empty = not decided), ``text``. ``coders``: the coders compared, as named once.
    ``seen_decisions``: per coder, the decisions in effect made with the other coders' codes shown (``coder
    review --show-others``), left out of every figure: reliability is of blind coding.
    """

    table: pd.DataFrame
    disagreements: pd.DataFrame
    run_id: str | None
    coders: tuple[str, ...] = ()
    seen_decisions: dict[str, int] = field(default_factory=dict)

    def mostly_bulk(self) -> list[tuple[str, int, int]]:
        """The comparisons in which more than half of the compared decisions came from a bulk rule.

        Two coders who bulk-accepted the same suggestion run agree by construction, so such numbers say
        little about the coders or the codebook. Only the ``(all codes)`` row of each comparison is read.

        Returns
        -------
        list of tuple of (str, int, int)
            ``(comparison, bulk_decisions, decisions)`` for each such comparison, in the order of
            :attr:`table`; empty when every comparison rests mostly on decisions made by reading.

        Examples
        --------
        >>> table = pd.DataFrame({"comparison": ["kari, ola", "kari ~ model"],
        ...                       "code": ["(all codes)", "(all codes)"],
        ...                       "decisions": [10, 4], "bulk_decisions": [8, 2]})
        >>> empty = pd.DataFrame()
        >>> Agreement(table=table, disagreements=empty, run_id=None).mostly_bulk()
        [('kari, ola', 8, 10)]
        """
        overall = self.table[self.table["code"] == OVERALL]
        return [
            (row.comparison, int(row.bulk_decisions), int(row.decisions))
            for row in overall.itertuples(index=False)
            if row.decisions and row.bulk_decisions * 2 > row.decisions
        ]

    def nothing_in_common(self) -> list[str]:
        """The comparisons with no answer that both sides rated: their figures are empty, not zero.

        >>> table = pd.DataFrame({"comparison": ["kari, ola", "kari ~ model"],
        ...                       "code": ["(all codes)", "(all codes)"], "answers": [0, 4]})
        >>> Agreement(table=table, disagreements=pd.DataFrame(), run_id=None).nothing_in_common()
        ['kari, ola']
        """
        overall = self.table[self.table["code"] == OVERALL]
        return [row.comparison for row in overall.itertuples(index=False) if not row.answers]


def _coder_ratings(
    project: Project, coder: str, ids: Sequence[str], code_ids: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """A coder's (answers × codes) ratings from their decided cells: 1, 0, or NaN where not decided; and
    where the rating came from a bulk rule (True) rather than from reading the answer."""
    ratings = np.full((len(ids), len(code_ids)), np.nan)
    bulk = np.zeros((len(ids), len(code_ids)), dtype=bool)
    row_of, column_of = {a: i for i, a in enumerate(ids)}, {c: j for j, c in enumerate(code_ids)}
    cells = project.cells(coder, blind_only=True)  # a decision made seeing the others' is not independent
    for answer, code, present, by_rule in zip(
        cells["id"], cells["code"], cells["present"], cells["bulk"], strict=True
    ):
        if answer in row_of and code in column_of and not pd.isna(present):
            ratings[row_of[answer], column_of[code]] = float(present)
            bulk[row_of[answer], column_of[code]] = bool(by_rule)
    return ratings, bulk


def _compare(
    name: str, ratings: np.ndarray, bulk: np.ndarray, coders: Sequence[bool], code_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """The rows of one comparison of raters × answers × codes ``ratings``; ``bulk`` marks the ratings a
    bulk rule made, ``coders`` the raters whose ratings are decisions (not the model's)."""
    rows = []
    rated = ~np.isnan(ratings)
    paired = rated.sum(axis=0) >= 2  # answers × codes rated by at least two
    compared = rated & paired[None, :, :] & np.asarray(coders, dtype=bool)[:, None, None]
    columns = [
        (code, ratings[:, :, j], int(paired[:, j].sum()), compared[:, :, j], bulk[:, :, j])
        for j, code in enumerate(code_ids)
    ]
    # every (answer, code) is one unit of the overall row
    n_overall = int(paired.any(axis=1).sum())
    columns.append((OVERALL, ratings.reshape(ratings.shape[0], -1), n_overall, compared, bulk))
    for code, data, n_answers, decisions, by_rule in columns:
        rows.append(
            {
                "comparison": name,
                "code": code,
                "answers": n_answers,
                "percent_agreement": percent_agreement(data),
                "kappa": light_kappa(data),  # two raters: Cohen's kappa
                "alpha": krippendorff_alpha(data),
                "decisions": int(decisions.sum()),
                "bulk_decisions": int((decisions & by_rule).sum()),
            }
        )
    return rows


def agreement(
    project: Project,
    coders: Sequence[str],
    *,
    model: bool = True,
    run_id: str | None = None,
) -> Agreement:
    """Inter-coder reliability per code and overall, between coders and between each coder and the model.

    Each coder's ratings are their own decided cells (see :meth:`coder.store.Project.cells`): 1 for a code
    they accepted or added, 0 for one they rejected or removed or left out of an answer they decided, and
    missing for every (answer, code) they did not decide -- so everything is counted only over what each
    coder actually decided. Only blind decisions count: what a coder decided with the other coders' codes
    shown (``coder review --show-others``, a consensus meeting) is agreement reached, not found, and is
    left out (``Agreement.seen_decisions`` says how much).

    Percent agreement is pairwise (:func:`percent_agreement`), kappa is Cohen's for two raters
    (:func:`cohen_kappa`) and Light's, the mean of Cohen's over the pairs, for more (:func:`light_kappa`),
    Krippendorff's alpha (nominal) takes any number with missing ratings (:func:`krippendorff_alpha`). The
    ``(all codes)`` row pools every (answer, code) pair as one unit.

    The model is the latest suggestion run (or ``run_id``): a code is 1 where its confidence is at or above
    the run's threshold; it rated every answer. Note the model learned from the coders' earlier decisions, so
    its agreement on those answers is optimistic.

    Every row counts the compared ``decisions`` and how many of them a bulk rule made (``bulk_decisions``):
    a bulk rule accepts what the model suggests, so two coders who bulk-accepted one run agree with each
    other and with the model by construction. :meth:`Agreement.mostly_bulk` names such comparisons.

    Parameters
    ----------
    project : coder.store.Project
        An open coding project (:meth:`coder.store.Project.open`); a path is a ``TypeError`` saying so.
    coders : sequence of str
        The coders to compare (at least one; blanks and repeats are dropped).
    model : bool, default True
        Also compare each coder with the suggestion run.
    run_id : str, optional
        The suggestion run that is the model (default ``None``: the latest).

    Returns
    -------
    Agreement

    Raises
    ------
    CoderError
        For a coder without decisions, or with nothing to compare (one coder and no run).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from coder import store
    >>> from coder.codebook import Code, Codebook
    >>> book = Codebook(name="b", language="nb", version="1", codes=(Code("x", "X"), Code("y", "Y")))
    >>> answers = pd.DataFrame({"id": ["a1", "a2"], "respondent_id": ["r1", "r2"],
    ...                         "question_id": ["q", "q"], "text": ["hei", "hallo"]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     with store.init(Path(folder) / "project.db", answers, book) as project:
    ...         _ = project.record("kari", [store.Decision("a1", "x", "add"),
    ...                                     store.Decision("a2", "", "none")])
    ...         _ = project.record("ola", [store.Decision("a1", "x", "add"),
    ...                                    store.Decision("a2", "y", "add")])
    ...         result = agreement(project, ["kari", "ola"], model=False)
    >>> overall = result.table.query("code == '(all codes)'").iloc[0]
    >>> int(overall["answers"]), float(overall["percent_agreement"]), int(overall["decisions"])
    (2, 0.75, 8)
    >>> result.disagreements[["id", "code", "kari", "ola"]].values.tolist()
    [['a2', 'y', '0', '1']]
    """
    if isinstance(project, (str, os.PathLike)):  # opened here, store would import this module back
        raise TypeError(f"agreement takes an open project: coder.store.Project.open({str(project)!r})")
    return _agreement(project, coders, model=model, run_id=run_id)


def _agreement(project: Project, coders: Sequence[str], *, model: bool, run_id: str | None) -> Agreement:
    if isinstance(coders, str):  # iterated, "kari,ola" would be the coders k, a, r, i, ...
        raise TypeError(f"coders must be a list of names, not one string: {coders!r}")
    named = [name for name in map(project.logged_name, coders) if name]
    coders = list(dict.fromkeys(named))
    if not coders:
        raise CoderError("name at least one coder", key="coders")
    known = project.coders()
    for coder in coders:
        if coder not in known:
            listed = ", ".join(known) or "none yet"
            raise CoderError(
                f"coder '{coder}' has no decisions in this project (coders: {listed})", key="coders"
            )
    answers = project.answers()
    ids = list(answers["id"])
    code_ids = project.codebook().code_ids
    ratings_of, bulk_of = {}, {}
    for coder in coders:
        ratings_of[coder], bulk_of[coder] = _coder_ratings(project, coder, ids, code_ids)
    rows: list[dict[str, Any]] = []
    if len(coders) >= 2:
        stacked = np.stack([ratings_of[c] for c in coders])
        rows += _compare(", ".join(coders), stacked, np.stack([bulk_of[c] for c in coders]),
                         [True] * len(coders), code_ids)  # fmt: skip
    if model:
        run_id = run_id or project.latest_run()
        if run_id is None and len(coders) < 2:
            raise CoderError("nothing to compare: one coder and no suggestion run", key="coders")
    if model and run_id is not None:
        model_ratings = indicator_matrix(project.model_codes(run_id), ids, code_ids).astype(float)
        for coder in coders:
            pair = np.stack([ratings_of[coder], model_ratings])
            bulk = np.stack([bulk_of[coder], np.zeros_like(bulk_of[coder])])
            rows += _compare(f"{coder} ~ {MODEL}", pair, bulk, [True, False], code_ids)
    elif len(coders) < 2:
        twice = f" ('{coders[0]}' is named twice)" if len(named) > 1 else ""  # «--coders ola,ola»
        raise CoderError(
            f"name at least two different coders{twice}, or compare with a suggestion run", key="coders"
        )
    table = pd.DataFrame(
        rows,
        columns=["comparison", "code", "answers", "percent_agreement", "kappa", "alpha", "decisions",
                 "bulk_decisions"],
    )  # fmt: skip
    ratings = np.stack([ratings_of[c] for c in coders])
    disagreements = []
    for i, answer in enumerate(ids):
        for j, code in enumerate(code_ids):
            values = ratings[:, i, j]
            seen = values[~np.isnan(values)]
            if seen.size >= 2 and np.unique(seen).size > 1:
                row = {
                    "id": answer,
                    "respondent_id": answers["respondent_id"].iat[i],
                    "question_id": answers["question_id"].iat[i],
                    "code": code,
                }
                row.update(
                    {c: "" if np.isnan(v) else str(int(v)) for c, v in zip(coders, values, strict=True)}
                )
                row["text"] = answers["text"].iat[i]
                disagreements.append(row)
    columns = ["id", "respondent_id", "question_id", "code", *coders, "text"]
    frame = pd.DataFrame(disagreements, columns=columns)
    seen = {coder: n for coder in coders if (n := project.seen_decisions(coder))}
    return Agreement(
        table=table, disagreements=frame, run_id=run_id, coders=tuple(coders), seen_decisions=seen
    )


def code_ids_for(
    gold: pd.DataFrame, pred: pd.DataFrame, codebook: str | os.PathLike[str] | None = None
) -> list[str]:
    """The codes to evaluate: the codebook's (when given), else every code seen in gold, then predictions.

    Parameters
    ----------
    gold, pred : pandas.DataFrame
        Long ``id, code`` tables.
    codebook : str or os.PathLike, optional
        A codebook file (default ``None``: the codes seen).

    Returns
    -------
    list of str

    Examples
    --------
    >>> gold = pd.DataFrame({"id": ["a", "b"], "code": ["y", ""]})
    >>> code_ids_for(gold, pd.DataFrame({"id": ["a"], "code": ["x"]}))
    ['y', 'x']
    """
    if codebook is not None:
        from coder.codebook import load  # late, for start-up: only evaluating against a codebook needs it

        return load(codebook).code_ids
    seen = [*gold["code"], *pred["code"]]
    return [code for code in dict.fromkeys(seen) if code]
