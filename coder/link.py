"""Theme counts linked to network positions: who mentions what, by function, community, broker, ...

For every open question and theme (code), the respondents who answered the question (and whose answer is
coded) are split by each position variable, and the table says how many of them mention the theme:

- ``function``: each function separately, *has it* vs *has it not* (people hold several functions, so
  functions overlap and cannot be one categorical variable); Fisher's exact test on the 2×2 table;
- ``broker``, ``isolate``, ``political_contact``: yes vs no, Fisher's exact test;
- ``community`` (Louvain) and ``centrality`` (degree tercile within the municipality: low, middle, high):
  chi-square test of independence;
- ``municipality`` when the survey has several: chi-square (Fisher for two).

Small numbers are the rule in these surveys (20–40 respondents). Every test row carries a plain
``warning`` when its cells are too small to support a conclusion: a chi-square table with an expected count
below 5, or a 2×2 table where a group has fewer than 5 respondents or the theme is mentioned fewer than 5
times. ``q_value`` is the Benjamini–Hochberg adjusted p-value over all tests of the run: many tests are made,
and a few small p-values are expected by chance.

>>> result = link("examples/oppdal/manifest.yaml", "examples/oppdal/koder.csv")  # doctest: +SKIP
>>> result.themes.head()  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from coder import __version__
from coder import network as net
from coder import survey as survey_mod
from coder.errors import CoderError
from coder.io import write_json, write_table
from coder.reliability import read_codes
from coder.survey import Survey

MIN_CELL = 5
"""Below this many (expected) respondents in a cell, a test gets a warning."""

TERCILES = ("low", "middle", "high")


def centrality_terciles(positions: pd.DataFrame) -> pd.Series:
    """Degree tercile (low, middle, high) of each row, within its municipality and level.

    People are ranked by degree, then betweenness, then id (so ties split deterministically) and cut into
    three groups as equal as possible.
    """
    out = pd.Series("", index=positions.index, dtype=object)
    for _, group in positions.groupby(["municipality", "level"], sort=False):
        ordered = group.sort_values(["degree", "betweenness", "person"]).index
        for rank, index in enumerate(ordered):
            out[index] = TERCILES[min(2, rank * 3 // len(ordered))]
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
) -> LinkResult:
    """Cross theme mentions with position variables, per question; see the module notes for the tests.

    ``codes``: ``id, code`` (from :func:`coder.reliability.read_codes`: ``id,code``, ``id,codes``, or a
    suggestion file); ``positions``: one level of
    :func:`coder.network.positions`; ``answers``: :attr:`coder.survey.Survey.answers`. Codes whose id is
    not an answer raise :class:`CoderError`; answers without codes are left out (not coded yet).
    ``functions`` and ``questions`` fix the order of rows (default: as found).
    """
    if positions["level"].nunique() > 1:
        raise ValueError("crosstab needs the positions of one level")
    unknown = sorted(set(codes["id"]) - set(answers["id"]))
    if unknown:
        raise CoderError(
            f"{len(unknown)} coded id(s) are not answers of this survey, e.g. '{unknown[0]}' "
            "(ids are respondent_id:question_id)"
        )
    people = positions.set_index("person").copy()
    people["centrality"] = centrality_terciles(positions).to_numpy()
    several = people["municipality"].nunique() > 1
    if several:
        people["community"] = people["municipality"] + " " + people["community"]
    function_list = functions or sorted({f for fs in people["functions"] for f in fs.split(";") if f})

    coded = answers[answers["id"].isin(set(codes["id"]))]
    real = codes[codes["code"] != ""]
    theme_rows, count_rows, test_rows = [], [], []
    for question_id, group in coded.groupby("question_id", sort=False):
        respondents = list(group["respondent_id"])
        mine = people.loc[respondents]
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
            hit = pd.Series([r in mentioned for r in respondents], index=respondents)
            variables: list[tuple[str, str, pd.Series]] = []
            for function in function_list:
                has = mine["functions"].map(lambda fs, f=function: f in fs.split(";"))
                variables.append(("function", function, has.map({True: "yes", False: "no"})))
            for name in ("broker", "isolate", "political_contact"):
                variables.append((name, "", mine[name].map({True: "yes", False: "no"})))
            variables.append(("community", "", mine["community"]))
            variables.append(("centrality", "", mine["centrality"]))
            if several:
                variables.append(("municipality", "", mine["municipality"]))
            for variable, label, category in variables:
                table = _contingency(category.to_numpy(), hit.to_numpy())
                if variable == "function":
                    row = table.loc["yes"] if "yes" in table.index else pd.Series({False: 0, True: 0})
                    count_rows.append(_count(question_id, code, variable, label, row))
                else:
                    for cat, row in table.iterrows():
                        count_rows.append(_count(question_id, code, variable, str(cat), row))
                test_rows.append(
                    {
                        "question_id": question_id,
                        "code": code,
                        "variable": variable,
                        "category": label,
                        **_test(table),
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


def _test(table: pd.DataFrame) -> dict[str, Any]:
    """Fisher's exact test for a 2×2 table, chi-square otherwise; with a warning when cells are small."""
    table = table.loc[table.sum(axis=1) > 0]
    result: dict[str, Any] = {
        "test": "",
        "statistic": math.nan,
        "p_value": math.nan,
        "min_expected": math.nan,
    }
    if len(table) < 2:
        return {**result, "warning": "only one group answered: nothing to compare"}
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


def link(
    survey: Survey | str | Path,
    codes: pd.DataFrame | str | Path | list[str | Path],
    *,
    level: str = "weekly",
    mutual: bool = False,
    seed: int = 0,
    broker_betweenness: float = net.BROKER_BETWEENNESS,
    all_coded: bool = False,
) -> LinkResult:
    """Theme counts linked to network positions at ``level`` for a survey (or manifest) and codes.

    ``codes`` is a table ``id, code`` or one or several codes files (concatenated: one per municipality, say).
    An answer missing from the codes is *not coded yet* and left out, unless ``all_coded``: then it is coded
    with no code (suggestion files list only the answers that got a code).

    Positions (community, broker, isolate, centrality) are those of :func:`coder.network.positions`.
    """
    provenance: dict[str, Any] = {
        "coder": __version__,
        "level": level,
        "mutual": mutual,
        "seed": seed,
        "broker_betweenness": broker_betweenness,
        "all_coded": all_coded,
    }
    if not isinstance(survey, Survey):
        provenance["manifest"] = str(survey)
        survey = survey_mod.load(survey)
    elif survey.path is not None:
        provenance["manifest"] = str(survey.path)
    if not isinstance(codes, pd.DataFrame):
        paths = [Path(p) for p in (codes if isinstance(codes, list) else [codes])]
        frames = [read_codes(path) for path in paths]  # raises CoderError for a missing file
        provenance["codes"] = {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in paths}
        codes = pd.concat(frames, ignore_index=True).drop_duplicates(ignore_index=True)
    uncoded = survey.answers.loc[~survey.answers["id"].isin(set(codes["id"])), "id"]
    if all_coded:
        codes = pd.concat([codes, pd.DataFrame({"id": uncoded, "code": ""})], ignore_index=True)
    positions = net.positions(survey, level, mutual=mutual, seed=seed, broker_betweenness=broker_betweenness)
    result = crosstab(
        codes,
        positions,
        survey.answers,
        functions=list(survey.functions["function"]),
        questions=list(survey.questions["question_id"]),
    )
    provenance["answers"] = len(survey.answers)
    provenance["uncoded_answers"] = 0 if all_coded else len(uncoded)
    return LinkResult(result.themes, result.counts, result.tests, provenance)


def write_link(result: LinkResult, directory: str | Path) -> list[Path]:
    """Write ``link_themes.csv``, ``link_counts.csv``, ``link_tests.csv`` and ``link.json`` to ``directory``.

    The directory is created if needed; the JSON holds the same tables and the provenance.
    """
    directory = net.output_directory(directory)
    written = [
        write_table(result.themes, directory / "link_themes.csv"),
        write_table(result.counts, directory / "link_counts.csv"),
        write_table(result.tests, directory / "link_tests.csv"),
    ]

    def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
        return json.loads(frame.to_json(orient="records", force_ascii=False))  # NaN -> null, numpy -> plain

    payload = {
        "provenance": result.provenance,
        "themes": records(result.themes),
        "counts": records(result.counts),
        "tests": records(result.tests),
    }
    written.append(write_json(payload, directory / "link.json"))
    return written
