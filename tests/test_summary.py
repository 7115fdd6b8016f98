"""Theme summaries: counts, bands, quotes, municipalities side by side, the report files and provenance."""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import math
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from support.summary import (
    BOTH,
    CODEBOOK,
    OPPDAL,
    OPPDAL_CODES,
    REPO,
    RISSA_CODES,
    fixture_codebook,  # noqa: F401
    fixture_codes,  # noqa: F401
    fixture_out,  # noqa: F401
    fixture_result,  # noqa: F401
    fixture_suggestions,  # noqa: F401
)

from coder import link, summary, survey
from coder.errors import CoderError

FIGURES = summary.FIGURES


DATA_URI = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


@pytest.fixture(scope="module")
def both() -> survey.Survey:
    return survey.load(BOTH)


@pytest.fixture(scope="module")
def machine(out: Path, suggestions: Path) -> summary.SummaryReport:
    """The suggestions with the default base: every answer counts as coded."""
    return summary.report(BOTH, suggestions, None, out_dir=out / "m", formats="json,csv")


# ---------------------------------------------------------------------------------------------------------
# Counts and bands
# ---------------------------------------------------------------------------------------------------------


def _expected(both: survey.Survey, codes: pd.DataFrame, by: list[str]) -> dict[tuple, tuple[int, int]]:
    """(question, *by, code) -> (answers, mentions), counted independently with pandas."""
    answers = both.answers[both.answers["id"].isin(set(codes["id"]))]
    merged = codes[codes["code"] != ""].merge(answers, on="id")
    out = {}
    for key, group in merged.groupby(["question_id", *by, "code"]):
        mask = answers["question_id"] == key[0]
        for column, value in zip(by, key[1:-1], strict=True):
            mask &= answers[column] == value
        out[key] = (int(answers.loc[mask, "respondent_id"].nunique()), int(group["respondent_id"].nunique()))
    return out


def test_theme_counts_equal_an_independent_pandas_count(
    result: summary.SummaryReport, both: survey.Survey, codes: pd.DataFrame
) -> None:
    expected = _expected(both, codes, [])
    got = {(r.question_id, r.code): (r.answers, r.mentions) for r in result.themes.itertuples(index=False)}
    assert got == expected
    assert (result.themes["share"] == result.themes["mentions"] / result.themes["answers"]).all()
    # Within a question, most mentioned first; questions in manifest order.
    for _, group in result.themes.groupby("question_id", sort=False):
        assert list(group["mentions"]) == sorted(group["mentions"], reverse=True)
    order = list(dict.fromkeys(result.themes["question_id"]))
    assert order == [q for q in both.questions["question_id"] if q in order]


def test_comparison_equals_an_independent_count_per_municipality(
    result: summary.SummaryReport, both: survey.Survey, codes: pd.DataFrame
) -> None:
    expected = _expected(both, codes, ["municipality"])
    table = result.comparison
    assert set(table["municipality"]) == {"Oppdal", "Rissa"}
    for row in table.itertuples(index=False):
        key = (row.question_id, row.municipality, row.code)
        if key in expected:
            assert (row.answers, row.mentions) == expected[key]
        else:  # a theme mentioned in the question, but not in this municipality
            assert row.mentions == 0
    # Every theme of the theme list has one row per municipality, and the rows add up.
    sums = table.groupby(["question_id", "code"])["mentions"].sum()
    for row in result.themes.itertuples(index=False):
        assert sums[(row.question_id, row.code)] == row.mentions


def test_same_counts_as_coder_link(result: summary.SummaryReport, both: survey.Survey) -> None:
    linked = link.link(both, [OPPDAL_CODES, RISSA_CODES]).themes
    ours = result.themes.set_index(["question_id", "code"])[["answers", "mentions"]]
    theirs = linked.set_index(["question_id", "code"])[["answers", "mentions"]]
    pd.testing.assert_frame_equal(ours.sort_index(), theirs.sort_index(), check_dtype=False)


def test_bands_follow_the_documented_cut_offs(result: summary.SummaryReport) -> None:
    assert summary.band(5, 20) == "Mange pekte på"  # 25 %, 5 people
    assert summary.band(4, 20) == "En del pekte på"  # 20 %
    assert summary.band(2, 20) == "En del pekte på"  # 10 %, 2 people
    assert summary.band(1, 20) == "Ellers nevnt"  # 5 %
    assert summary.band(2, 8) == "En del pekte på"  # 25 %, but only 2 people
    assert summary.band(1, 5) == "Ellers nevnt"  # 20 %, but one person
    # The share the report shows decides: 2 of 21 reads «10 %», 13 of 53 «25 %».
    assert (summary.band(2, 21), summary._percent(2 / 21)) == ("En del pekte på", "10 %")
    assert (summary.band(13, 53), summary._percent(13 / 53)) == ("Mange pekte på", "25 %")
    for row in result.themes.itertuples(index=False):
        share, k = int(summary._percent(row.mentions / row.answers).split()[0]) / 100, row.mentions
        expected = (
            "Mange pekte på"
            if share >= 0.25 and k >= 3
            else "En del pekte på"
            if share >= 0.10 and k >= 2
            else "Ellers nevnt"
        )
        assert row.band == expected
    assert set(result.themes["band"]) == {b for b, _, _ in summary.BANDS}


def test_markdown_lists_each_theme_under_its_band(result: summary.SummaryReport, out: Path) -> None:
    text = (out / "a" / "rapport.md").read_text(encoding="utf-8")
    for question in result.questions.itertuples(index=False):
        section = text.split(f". {question.label}\n", 1)[1].split("\n## ", 1)[0]
        for row in result.themes[result.themes["question_id"] == question.question_id].itertuples():
            line = f"- {row.label}: {row.mentions} av {row.answers} ("
            assert line in section
            heading = section.rfind("\n**", 0, section.index(line))
            assert section[heading:].startswith(f"\n**{row.band}**")


# ---------------------------------------------------------------------------------------------------------
# Quotes
# ---------------------------------------------------------------------------------------------------------


def test_quotes_carry_their_code_and_are_verbatim(
    result: summary.SummaryReport, both: survey.Survey, codes: pd.DataFrame
) -> None:
    pairs = set(zip(codes["id"], codes["code"], strict=True))
    texts = dict(zip(both.answers["id"], both.answers["text"], strict=True))
    quotes = result.quotes
    assert len(quotes) > 0
    for quote in quotes.itertuples(index=False):
        assert (quote.answer_id, quote.code) in pairs
        assert quote.text == texts[quote.answer_id]
        assert quote.respondent_id == quote.answer_id.split(":")[0]
    per_theme = quotes.groupby(["question_id", "code"]).size()
    for row in result.themes.itertuples(index=False):
        assert per_theme.get((row.question_id, row.code), 0) == min(3, row.mentions)
    assert any(ch in "".join(quotes["text"]) for ch in "æøå")  # original letters kept


def test_quotes_prefer_answers_with_only_that_code_and_medium_length(
    result: summary.SummaryReport, both: survey.Survey, codes: pd.DataFrame
) -> None:
    real = codes[codes["code"] != ""]
    n_codes = real.groupby("id")["code"].nunique()
    texts = dict(zip(both.answers["id"], both.answers["text"], strict=True))
    low, high = summary.QUOTE_LENGTH

    def goodness(answer_id: str) -> tuple[int, int]:
        return int(n_codes[answer_id] > 1), int(not low <= len(texts[answer_id]) <= high)

    checked = 0
    for (question_id, code), group in result.quotes.groupby(["question_id", "code"]):
        candidates = real.loc[(real["code"] == code) & real["id"].str.endswith(f":{question_id}"), "id"]
        left_out = set(candidates) - set(group["answer_id"])
        if left_out:
            worst_chosen = max(goodness(a) for a in group["answer_id"])
            assert worst_chosen <= min(goodness(a) for a in left_out)
            checked += 1
        assert list(group["rank"]) == list(range(1, len(group) + 1))
    assert checked > 5


def test_quotes_prefer_the_most_confident(
    machine: summary.SummaryReport, suggestions: Path, both: survey.Survey
) -> None:
    table = pd.read_csv(suggestions, dtype={"id": str})
    n_codes = table.groupby("id")["code"].nunique()
    texts = dict(zip(both.answers["id"], both.answers["text"], strict=True))
    low, high = summary.QUOTE_LENGTH
    quotes = machine.quotes
    assert quotes["confidence"].notna().all()

    def goodness(row: pd.Series) -> tuple[int, int, float]:
        long = not low <= len(texts[row["id"]]) <= high
        return int(n_codes[row["id"]] > 1), int(long), -round(row["confidence"], 1)

    checked = 0
    for (question_id, code), group in quotes.groupby(["question_id", "code"]):
        pool = table[(table["code"] == code) & table["id"].str.endswith(f":{question_id}")]
        chosen = pool[pool["id"].isin(set(group["answer_id"]))]
        rest = pool[~pool["id"].isin(set(group["answer_id"]))]
        assert list(group["confidence"]) == list(chosen.set_index("id").loc[group["answer_id"], "confidence"])
        if len(rest):
            worst = max(goodness(row) for _, row in chosen.iterrows())
            assert all(worst <= goodness(row) for _, row in rest.iterrows())
            checked += 1
    assert checked > 5


MEDIUM = "Vi har korte beslutningsveier og kjenner hverandre godt"  # within QUOTE_LENGTH
SHORT = "Samarbeid."  # shorter than QUOTE_LENGTH: comes after a medium one


def _picked(spec: list[tuple[str, str, str]], per_theme: int, reverse: bool = False) -> dict[tuple, list]:
    """pick_quotes on answers ``(id, text, codes "a;b")``: (question, code) -> answer ids, best first."""
    answers = pd.DataFrame(
        [(i, i.split(":")[0], i.split(":")[1], text) for i, text, _ in spec],
        columns=["id", "respondent_id", "question_id", "text"],
    )
    codes = pd.DataFrame([(i, c) for i, _, cs in spec for c in cs.split(";")], columns=["id", "code"])
    if reverse:
        answers, codes = answers.iloc[::-1], codes.iloc[::-1]
    quotes = summary.pick_quotes(answers, codes, per_theme=per_theme)
    return {key: list(group["answer_id"]) for key, group in quotes.groupby(["question_id", "code"])}


def test_an_answer_with_two_codes_is_quoted_once_when_both_themes_have_other_answers() -> None:
    spec = [
        ("r1:q", MEDIUM, "a;b"),  # the best two-code answer for both themes
        ("r2:q", SHORT, "a;b"),
        ("s1:q", SHORT, "a"),
        ("s2:q", SHORT, "b"),
    ]
    picked = _picked(spec, per_theme=2)
    # the single-code answer still comes first; r1 goes to one theme, the other takes r2 instead
    assert picked[("q", "a")][0] == "s1:q" and picked[("q", "b")][0] == "s2:q"
    quoted = picked[("q", "a")] + picked[("q", "b")]
    assert sorted(quoted) == ["r1:q", "r2:q", "s1:q", "s2:q"]
    # equally many answers: the themes pick in code order, so «a» (first) keeps the better r1
    assert picked[("q", "a")] == ["s1:q", "r1:q"] and picked[("q", "b")] == ["s2:q", "r2:q"]
    assert _picked(spec, per_theme=2, reverse=True) == picked


def test_the_theme_with_fewer_answers_picks_first() -> None:
    spec = [
        ("r1:q", MEDIUM, "a_big;small"),  # the best answer of «a_big» and the only one of «small»
        ("r2:q", SHORT, "a_big;other"),
        ("r3:q", SHORT, "a_big;other"),
    ]
    picked = _picked(spec, per_theme=1)
    assert picked[("q", "small")] == ["r1:q"]
    assert picked[("q", "a_big")] in (["r2:q"], ["r3:q"])  # not r1, though it comes first by code
    assert _picked(spec, per_theme=1, reverse=True) == picked


def test_a_theme_whose_only_answers_are_quoted_elsewhere_still_gets_them() -> None:
    spec = [
        ("r1:q", MEDIUM, "a;b"),  # the only answer of both «a» and «b»
        ("r2:p", MEDIUM, "big;small"),  # the only answer of «small»; «big» has one more
        ("s2:p", SHORT, "big"),
    ]
    picked = _picked(spec, per_theme=2)
    assert picked[("q", "a")] == picked[("q", "b")] == ["r1:q"]
    assert picked[("p", "small")] == ["r2:p"]
    assert picked[("p", "big")] == ["s2:p", "r2:p"]  # r2 fills the quote s2 leaves open, ranked after it
    assert _picked(spec, per_theme=1) == {
        ("q", "a"): ["r1:q"],
        ("q", "b"): ["r1:q"],
        ("p", "big"): ["s2:p"],
        ("p", "small"): ["r2:p"],
    }


def test_a_different_seed_picks_among_equally_good_answers(
    result: summary.SummaryReport, codebook: Path
) -> None:
    other = summary.summarize(BOTH, [OPPDAL_CODES, RISSA_CODES], codebook, seed=1)  # result: seed 0
    assert list(other.quotes["answer_id"]) != list(result.quotes["answer_id"])  # the same seed: same files
    pd.testing.assert_frame_equal(other.themes, result.themes)


def test_md_and_html_name_no_respondent(
    result: summary.SummaryReport, out: Path, both: survey.Survey
) -> None:
    md = (out / "a" / "rapport.md").read_text(encoding="utf-8")
    page = DATA_URI.sub("", (out / "a" / "rapport.html").read_text(encoding="utf-8"))
    for text in (md, page):
        for respondent in both.respondents["respondent_id"]:
            assert not re.search(rf"\b{re.escape(respondent)}\b", text), respondent
    attributions = [line for line in md.splitlines() if line.startswith("> – ")]
    footers = re.findall(r"<footer>– (.*?)</footer>", page)
    assert len(attributions) == len(footers) == len(result.quotes)
    names = set(both.respondents["label"])
    for line in attributions + footers:
        assert not any(name in line for name in names)
    first = result.quotes.iloc[0]
    assert first.attribution and first.attribution == html.unescape(footers[0])
    # the quotes themselves are in both, verbatim
    for text in result.quotes["text"]:
        assert html.escape(text) in page
        if not re.search(r"[\\`*_\[\]<>|]", text):
            assert f"> {text.strip()}" in md


# ---------------------------------------------------------------------------------------------------------
# Files, provenance, determinism
# ---------------------------------------------------------------------------------------------------------


def test_every_format_is_written_with_provenance(
    result: summary.SummaryReport, out: Path, codebook: Path
) -> None:
    directory = out / "a"
    names = {"rapport.md", "rapport.html", "rapport.xlsx", "rapport.json", "temaer.csv", "sitater.csv",
             "sammenligning.csv", "vurdering.csv", "opphav.csv"}  # fmt: skip
    assert names <= {p.name for p in result.files}
    assert all(p.exists() for p in result.files)
    sha = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (OPPDAL_CODES, RISSA_CODES, codebook, BOTH)}
    inputs = {Path(i["file"]).resolve(): i["sha256"] for i in result.provenance["inputs"]}
    for path, digest in sha.items():
        assert inputs[path.resolve()] == digest
    md = (directory / "rapport.md").read_text(encoding="utf-8")
    page = (directory / "rapport.html").read_text(encoding="utf-8")
    data = json.loads((directory / "rapport.json").read_text(encoding="utf-8"))
    provenance_csv = pd.read_csv(directory / "opphav.csv", dtype=str)
    sheets = pd.read_excel(directory / "rapport.xlsx", sheet_name=None, dtype=str)
    assert {"temaer", "sitater", "sammenligning", "opphav"} <= set(sheets)
    stamp = result.provenance["created"]
    for text in (md, page):  # the reader's report says the time in Norwegian, and no absolute path
        assert summary._norwegian_time(stamp) in text and str(REPO) not in text
    for text in (md, page, json.dumps(data), provenance_csv.to_csv(), sheets["opphav"].to_csv()):
        assert stamp in text or summary._norwegian_time(stamp) in text
        assert sha[OPPDAL_CODES][:12] in text
        assert "Boligsosialt arbeid" in text and "1.0" in text
        assert "0.1" in text  # the coder version
    assert data["provenance"]["seed"] == 0 and data["provenance"]["machine_suggestions"] is False
    assert summary.MACHINE_NOTE not in md
    assert len(sheets["temaer"]) == len(result.themes) and len(sheets["sitater"]) == len(result.quotes)
    pd.testing.assert_frame_equal(
        pd.read_csv(directory / "temaer.csv", dtype={"mentions": int, "answers": int}), result.themes
    )


@pytest.mark.usefixtures("result")  # writes out/a: on its own worker this test would find nothing there
def test_md_links_existing_figures_and_html_inlines_them(out: Path) -> None:
    directory = out / "a"
    md = (directory / "rapport.md").read_text(encoding="utf-8")
    page = (directory / "rapport.html").read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert len(links) == 11 + 6 + 2  # 5 questions × (themes, municipalities), the rating; networks; political
    for relative in links:
        assert (directory / relative).is_file() and (directory / relative).with_suffix(".svg").is_file()
    assert page.count('src="data:image/png;base64,') == len(links)
    assert 'src="figurer' not in page and "<link" not in page  # self-contained


def test_same_seed_gives_the_same_files_but_the_time(
    result: summary.SummaryReport, out: Path, codebook: Path
) -> None:
    again = summary.report(BOTH, [OPPDAL_CODES, RISSA_CODES], codebook, out_dir=out / "b")
    stamp_a, stamp_b = result.provenance["created"], again.provenance["created"]
    for path in result.files:
        twin = out / "b" / path.relative_to(out / "a")
        if path.suffix == ".xlsx":
            a = pd.read_excel(path, sheet_name=None, dtype=str)
            b = pd.read_excel(twin, sheet_name=None, dtype=str)
            assert a.keys() == b.keys()
            for name in a:
                pd.testing.assert_frame_equal(a[name].replace(stamp_a, "T"), b[name].replace(stamp_b, "T"))
        else:
            stamps = [
                (stamp_a, stamp_b),
                (summary._norwegian_time(stamp_a), summary._norwegian_time(stamp_b)),
            ]
            mine, theirs = path.read_bytes(), twin.read_bytes()
            for a_stamp, b_stamp in stamps:
                mine, theirs = mine.replace(a_stamp.encode(), b"T"), theirs.replace(b_stamp.encode(), b"T")
            assert mine == theirs, path.name


def test_machine_suggestions_carry_a_note(machine: summary.SummaryReport, out: Path) -> None:
    md = summary.to_markdown(machine, {})  # without figures: quicker than writing them
    data = json.loads((out / "m" / "rapport.json").read_text(encoding="utf-8"))
    provenance = pd.read_csv(out / "m" / "opphav.csv", dtype=str).set_index("key")["value"]
    assert summary.MACHINE_NOTE in md.split("\n## ", 1)[0]  # at the top, before the first question
    assert summary.MACHINE_NOTE in summary.to_html(machine, {})
    assert data["provenance"]["machine_suggestions"] is True
    assert data["provenance"]["note"] == provenance["note"] == summary.MACHINE_NOTE
    assert {p.name for p in machine.files} >= {"rapport.json", "temaer.csv"}
    assert not (out / "m" / "rapport.md").exists() and not (out / "m" / FIGURES).exists()
    assert data["provenance"]["model"] == {"known": False}  # no .provenance.json beside the file: unknown
    assert "Innstillingene for maskinforslagene er ukjente" in md


def test_the_settings_of_suggest_are_in_the_provenance(suggestions: Path, tmp_path: Path) -> None:
    from coder import io

    codes = tmp_path / "suggestions.csv"
    codes.write_bytes(suggestions.read_bytes())
    record = io.provenance([codes], codebook="boligsosialt 9", threshold=0.35, seed=7, human_coded_answers=12)
    io.write_json(record, Path(f"{codes}.provenance.json"))
    result = summary.summarize(BOTH, codes, None)
    model = result.provenance["model"]
    assert (model["threshold"], model["seed"], model["human_coded_answers"]) == (0.35, 7, 12)
    assert model["codebook_version"] == "boligsosialt 9"
    assert model["source"] == "suggestions.csv.provenance.json"
    md = summary.to_markdown(result, {})
    assert "Maskinforslagene: terskel 0,35, seed 7, lært av 12 svar kodet av en koder" in md
    assert summary.summarize(OPPDAL, OPPDAL_CODES, None).provenance["model"] is None  # a coder's codes


def test_suggestions_count_every_answer_as_coded_unless_coded_only(
    machine: summary.SummaryReport, suggestions: Path, both: survey.Survey, codes: pd.DataFrame
) -> None:
    # The suggestion file leaves out answers that got no code; it was made for every answer, so by default
    # they count as coded with no code (the same base as coder link: one helper decides for both).
    missing = set(both.answers["id"]) - set(pd.read_csv(suggestions, dtype=str)["id"])
    assert missing
    assert machine.provenance["uncoded_answers"] == 0 and machine.provenance["all_coded"] is True
    assert "machine suggestions" in machine.provenance["base"]
    linked = link.link(both, suggestions)
    assert linked.provenance["base"] == machine.provenance["base"]
    strict = summary.summarize(both, suggestions, all_coded=False)
    assert strict.provenance["uncoded_answers"] == len(missing)
    # every answer coded: the counts are those of the complete reference codes
    pd.testing.assert_frame_equal(
        machine.themes[["question_id", "code", "answers", "mentions"]].sort_values(["question_id", "code"]),
        summary.summarize(both, codes)
        .themes[["question_id", "code", "answers", "mentions"]]
        .sort_values(["question_id", "code"]),
    )
    smaller = strict.themes.set_index(["question_id", "code"])["answers"]
    full = machine.themes.set_index(["question_id", "code"])["answers"]
    assert (smaller <= full.loc[smaller.index]).all() and (smaller < full.loc[smaller.index]).any()


def test_human_codes_leave_missing_answers_out_unless_all_coded(
    both: survey.Survey, codes: pd.DataFrame
) -> None:
    part = codes[codes["id"].str.startswith("O")]
    default = summary.summarize(both, part)
    assert default.provenance["all_coded"] is False
    assert default.provenance["uncoded_answers"] == (~both.answers["id"].isin(set(part["id"]))).sum()
    everything = summary.summarize(both, part, all_coded=True)
    assert everything.provenance["coded_answers"] == len(both.answers)
    assert everything.provenance["uncoded_answers"] == 0


def test_codes_as_a_table_and_as_id_codes(both: survey.Survey, codes: pd.DataFrame, tmp_path: Path) -> None:
    expected = summary.summarize(both, codes).themes
    wide = codes.groupby("id", sort=False)["code"].agg(lambda c: ";".join(x for x in c if x)).reset_index()
    wide.rename(columns={"code": "codes"}).to_csv(tmp_path / "wide.csv", index=False)
    pd.testing.assert_frame_equal(summary.summarize(both, tmp_path / "wide.csv").themes, expected)


def test_bad_codes_raise_errors_naming_file_and_row(both: survey.Survey, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,code\nO01:styrker,local_knowledge\nO99:styrker,coordination\n", encoding="utf-8")
    with pytest.raises(CoderError) as error:
        summary.summarize(both, bad)
    assert (error.value.file, error.value.row, error.value.column) == (str(bad), 3, "id")
    assert "O99:styrker" in str(error.value)
    table = pd.DataFrame({"id": ["O01:styrker", "O02:styrker"], "code": ["local_knowledge", "nonsense"]})
    with pytest.raises(CoderError, match="'nonsense' is not in the codebook") as error:
        summary.summarize(both, table)
    assert error.value.row == 3
    table = pd.DataFrame({"id": ["O01:styrker"], "code": ["local_knowledge"], "confidence": ["high"]})
    with pytest.raises(CoderError, match="confidence must be a number from 0 to 1") as error:
        summary.summarize(both, table)
    assert (error.value.row, error.value.column) == (2, "confidence")


def test_one_municipality_has_no_comparison_section(out: Path) -> None:
    one = summary.report(OPPDAL, OPPDAL_CODES, None, out_dir=out / "one", formats=["json"])
    md = summary.to_markdown(one, {})
    assert "Per kommune" not in md and "## Vurdering" in md
    assert "| Oppdal | 2,7 | 20 | 3 |" in md  # the published mean, «Vet ikke» left out
    assert one.municipalities == ("Oppdal",)
    assert [p.name for p in one.files] == ["rapport.json"]


def test_ratings_per_municipality(result: summary.SummaryReport, both: survey.Survey) -> None:
    ratings = result.ratings.set_index("municipality")
    for municipality, group in both.ratings.groupby("municipality"):
        values = group["value"].dropna()
        assert ratings.at[municipality, "mean"] == pytest.approx(values.mean())
        assert ratings.at[municipality, "missing"] == group["value"].isna().sum()
        assert sum(ratings.at[municipality, str(v)] for v in range(1, 7)) == len(values)


def test_discussion_questions_come_from_the_top_challenge_themes(result: summary.SummaryReport) -> None:
    assert 1 <= len(result.discussion) <= 3
    assert result.discussion[0].startswith("Tilpassede boliger og boligmasse")  # most named challenge


def test_a_question_about_a_theme_marks_it_and_its_answers_do_not_make_it_a_discussion_theme(
    result: summary.SummaryReport, both: survey.Survey, codes: pd.DataFrame, out: Path
) -> None:
    topics = dict(zip(both.questions["question_id"], both.questions["topic"], strict=True))
    assert topics["ansvarsavklaring"] == "fragmented_responsibility"  # from the example manifests
    marked = result.themes.loc[result.themes["question_topic"], ["question_id", "code"]]
    assert set(map(tuple, marked.values)) == {(q, c) for q, c in topics.items() if c}  # the tables say it too
    # an independent count: respondents naming a theme in a challenge answer not asked about that theme
    challenge = both.questions.loc[both.questions["kind"] == "challenge", "question_id"]
    hits = codes[codes["code"] != ""].merge(both.answers, on="id")
    hits = hits[hits["question_id"].isin(challenge) & (hits["code"] != hits["question_id"].map(topics))]
    people = hits.groupby("code")["respondent_id"].nunique()
    book = summary.codebook_mod.load(CODEBOOK)
    expected = sorted(people[people >= 2].index, key=lambda c: (-people[c], book.code_ids.index(c)))[:3]
    named = [line.split(" (nevnt av ")[0] for line in result.discussion]
    assert named == [book.get(c).label for c in expected]
    assert "Fragmentert og uklart ansvar" not in named  # 15 of its 16 mentions answered «ansvarsavklaring»
    # a theme's share is of those who could name it unasked, not of those who answered only about it
    asked = {**topics, "samordning": "anchoring"}
    everything = {
        "labels": {c.id: c for c in book.codes},
        "code_order": book.code_ids,
        "top": len(book.codes),
    }
    questions = result.questions.assign(topic=result.questions["question_id"].map(asked))
    lines = summary._discussion(both.answers, codes, questions, **everything)
    others = both.answers["question_id"].isin(set(challenge) - {"samordning"})
    line = next(line for line in lines if line.startswith("Politisk og administrativ forankring"))
    total = both.answers.loc[others, "respondent_id"].nunique()
    assert f"av de {total} som svarte på minst ett av de andre spørsmålene om utfordringer" in line
    md = (out / "a" / "rapport.md").read_text(encoding="utf-8")
    section = md[md.index("## 5. Formelle møtepunkter") : md.index("## Kontaktnettet")]
    assert re.search(r"- Formelle møtepunkter: \d+ av \d+ \(\d+ %\) – spørsmålets eget tema", section)
    assert "Spørsmålet spør om «Formelle møtepunkter»" in section
    assert "spørsmålets eget tema" not in md[: md.index("## 3. Utfordringer ved samordning")]


def test_a_topic_that_is_no_code_of_the_codebook_is_a_warning_and_left_unmarked(tmp_path: Path) -> None:
    shutil.copytree(OPPDAL.parent, tmp_path / "oppdal")
    manifest = tmp_path / "oppdal" / "manifest.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("topic: meeting_places", "topic: meeting_place"), encoding="utf-8")
    with pytest.warns(
        survey.ManifestWarning, match="topic 'meeting_place' is not a code .* 'meeting_places'"
    ):
        result = summary.summarize(manifest, OPPDAL_CODES)
    assert result.questions.set_index("question_id")["topic"].to_dict()["motepunkter"] == ""


def test_bad_options_fail_before_any_work(tmp_path: Path) -> None:
    # The manifest and codes do not exist: the options are checked first.
    missing = tmp_path / "none.yaml"
    with pytest.raises(CoderError, match="the number of quotes must be 0 or more"):
        summary.report(missing, tmp_path / "none.csv", None, out_dir=tmp_path / "o", quotes_per_theme=-1)
    with pytest.raises(CoderError, match="unknown format 'pdf'"):
        summary.report(missing, tmp_path / "none.csv", None, out_dir=tmp_path / "o", formats="pdf")
    assert not (tmp_path / "o").exists()


def test_the_report_has_the_survey_the_ratings_and_political_contact_in_order(
    result: summary.SummaryReport, out: Path
) -> None:
    size = result.network_size.set_index("municipality")
    assert size.loc["Oppdal", ["people", "respondents", "functions"]].tolist() == [29, 23, 53]
    totals = result.functions.set_index("function")
    assert totals.loc["Funksjoner i alt", ["Oppdal", "Rissa", "Totalt"]].tolist() == [53, 44, 97]
    assert set(result.political["municipality"]) == {"Oppdal", "Rissa"}
    assert {"gir informasjon", "faglig diskusjon"} <= set(result.political.columns)
    md = (out / "a" / "rapport.md").read_text(encoding="utf-8")
    assert "| Oppdal | 29 | 23 | 79 % | 53 |" in md
    assert "| Kommune | Personer i nettverket | Svarte | Svarprosent | Funksjoner i alt |" in md  # summed
    sections = ["## Undersøkelsen", "## Vurdering", "## 1. ", "## Kontakt med politikerne", "## Idédugnad",
                "## Spørsmål til diskusjon", "## Om tallene"]  # fmt: skip
    positions = [md.index(section) for section in sections]
    assert positions == sorted(positions)
    about = md[md.index("## Om tallene") :]
    assert (
        "Datafil: oppdal/manifest.yaml" in about and "survey file" not in about and "/" + "work" not in about
    )
    assert "**En del pekte på**" in md and "**En del peker på**" not in md  # one tense
    for name in ("nettverket", "funksjoner", "politisk_kontakt"):
        assert (out / "a" / f"{name}.csv").is_file()
    assert {"nettverket", "funksjoner", "politisk_kontakt"} <= set(
        pd.ExcelFile(out / "a" / "rapport.xlsx").sheet_names
    )


def test_answers_without_a_theme_are_listed_so_nothing_disappears(
    result: summary.SummaryReport, out: Path
) -> None:
    codes = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in (OPPDAL_CODES, RISSA_CODES)])
    without = set(codes["id"]) - set(codes.loc[codes["code"] != "", "id"])
    assert set(result.uncoded["answer_id"]) == without and without
    md = (out / "a" / "rapport.md").read_text(encoding="utf-8")
    assert md.count("### Svar uten tema") == result.uncoded["question_id"].nunique()
    # The report's CSV tables are for Excel: a byte-order mark, so that Excel reads æøå right.
    assert (out / "a" / "svar_uten_tema.csv").read_bytes().startswith("\ufeff".encode())


def test_answers_that_say_nothing_have_a_line_of_their_own_and_stay_in_the_base(tmp_path: Path) -> None:
    # «-», «vet ikke», «Nei» were listed among the answers without a theme as if they said something
    oppdal = survey.load(OPPDAL)
    said = {"O01:styrker": "-", "O02:styrker": "Vet ikke", "O03:styrker": "vet ikke ", "O04:styrker": "Nei",
            "O07:styrker": "Liten kommune, vi kjenner hverandre"}  # fmt: skip
    answers = oppdal.answers.assign(text=oppdal.answers["id"].map(said).fillna(oppdal.answers["text"]))
    codes = pd.read_csv(OPPDAL_CODES, dtype=str, keep_default_na=False)
    codes = pd.concat([codes[~codes["id"].isin(said)], pd.DataFrame({"id": list(said), "code": ""})])
    result = summary.summarize(dataclasses.replace(oppdal, answers=answers), codes, CODEBOOK)
    uncoded = result.uncoded[result.uncoded["question_id"] == "styrker"].set_index("answer_id")
    assert uncoded.loc[list(said), "non_answer"].tolist() == [True, True, True, True, False]
    assert uncoded.loc[list(said), "says_none"].tolist() == [False, False, False, True, False]
    answered = result.questions.set_index("question_id").loc["styrker", "answers"]
    assert answered == (oppdal.answers["question_id"] == "styrker").sum()  # still among those who answered
    md = summary.to_markdown(result, {})
    section = md[md.index("Liten kommune, vi kjenner hverandre") - 200 :].split("\n## ")[0]
    assert (
        "### Svar som ikke sier noe (3)" in section and "### Svar som sier «ingen» eller «nei» (1)" in section
    )
    assert "«Vet ikke» (2), «-». De telles med blant dem som svarte, uten tema." in section
    assert "«Nei». De telles med" in section  # to «what works well?»: nothing, not «vet ikke»
    listed = section.split("### Svar uten tema")[1].split("###")[0]
    assert "Liten kommune" in listed and "- -" not in listed and "Vet ikke" not in listed
    sheet = pd.read_excel(summary.write_xlsx(result, tmp_path / "r.xlsx"), "svar_uten_tema", dtype=str)
    sheet = sheet.fillna("").set_index("svar-id")
    assert sheet.loc[list(said), ["sier ikke noe", "sier «ingen»"]].values.tolist() == [
        ["ja", ""],
        ["ja", ""],
        ["ja", ""],
        ["ja", "ja"],
        ["", ""],
    ]  # fmt: skip  (as the report's other yes/no column, not Excel's TRUE and FALSE)


def test_the_report_shows_the_contact_network_by_level_and_function_never_by_person(
    result: summary.SummaryReport, out: Path, both: survey.Survey
) -> None:
    measures = result.network_measures
    assert list(measures["municipality"]) == ["Oppdal"] * 3 + ["Rissa"] * 3
    oppdal = measures[measures["municipality"] == "Oppdal"].set_index("level")
    assert oppdal.loc["Daglig + ukentlig", "isolates"] == 6  # as the Oppdal README says
    roles = result.roles_by_function
    assert {"function", "brokers", "without_contact"} <= set(roles.columns)
    assert roles["brokers"].sum() + roles["without_contact"].sum() > 0
    md = (out / "a" / "rapport.md").read_text(encoding="utf-8")
    section = md[md.index("## Kontaktnettet") : md.index("## Kontakt med politikerne")]
    assert not any(person in section for person in both.respondents["respondent_id"])  # no one by id
    assert not any(role in section for role in both.respondents["label"])  # nor by role
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", section)
    assert len(pictures) == 6 and all((out / "a" / picture).is_file() for picture in pictures)
    # each person once, by the first function: «Personer 9» beside the functions table's 12 said otherwise
    assert "### Brobyggere og personer uten kontakt, etter primærfunksjon" in section
    # each measure is said in words: «Tetthet», «Modularitet» said nothing to the municipality's reader
    for measure in ("Tetthet", "Komponenter", "Snittavstand", "Sentralisering", "Modularitet"):
        assert f"- {measure}: " in section
    # rows of 0 and 0 are left out, and the reader is told: «Personer» summed to 27 of Oppdal's 29
    assert "En funksjon uten brobyggere og uten personer uten kontakt på et nivå er ikke med" in section
    assert (
        (result.roles_by_function["brokers"] > 0) | (result.roles_by_function["without_contact"] > 0)
    ).all()
    assert "| Kommune | Nivå | Primærfunksjon |" in section
    # «uten kontakt» held people who never answered, named by no one: read as politicians cut off
    people = both.respondents
    absent = people[~people["responded"].astype(bool)].groupby("municipality").size()
    assert oppdal.loc["Daglig + ukentlig", "not_responded"] == absent["Oppdal"] > 0
    columns = list(measures.columns)
    assert (
        columns[columns.index("isolates") + 1] == "not_responded" and measures["not_responded"].dtype == int
    )
    weekly = roles[(roles["municipality"] == "Oppdal") & (roles["level"] == "Daglig + ukentlig")]
    assert 0 < weekly["without_contact_not_responded"].sum() <= weekly["without_contact"].sum()
    assert "| Svarte ikke |" in section and "Av dem svarte ikke" in section
    assert "deres egne kontakter er ukjente" in section
    assert section.count("firkant for dem som ikke svarte") == 6  # each picture's caption names the squares


def test_themes_by_network_position_are_tested_and_small_cells_flagged(
    result: summary.SummaryReport, out: Path
) -> None:
    tests, counts = result.position_tests, result.position_counts
    assert {"broker", "isolate", "political_contact", "function"} <= set(tests["variable"])
    assert {"p_value", "q_value", "warning"} <= set(tests.columns) and {"n", "k", "share"} <= set(
        counts.columns
    )
    md = (out / "a" / "rapport.md").read_text(encoding="utf-8")
    section = md[md.index("## Temaer etter posisjon i nettet") :]
    shown = int((~_small_position_tests(result)).sum())
    # the tests made, over which q is adjusted: a pair that cannot be tested (one group) is no test
    made, untested = int(tests["p_value"].notna().sum()), int(tests["p_value"].isna().sum())
    assert (
        untested > 0 and f"Her vises de {shown} av {made} testene med p under 0,1 ({untested} par " in section
    )
    assert "for få til å konkludere (minste gruppe eller sum: " in section and "too few" not in section
    assert {"posisjon_tester", "posisjon_tall"} <= set(pd.ExcelFile(out / "a" / "rapport.xlsx").sheet_names)


def _small_position_tests(result: summary.SummaryReport) -> pd.Series:
    """Whether each test with p below POSITION_P sets a group of fewer than three against the others, or
    fewer than three others against a group (counted here from the tables)."""
    tests = result.position_tests[result.position_tests["p_value"] < summary.POSITION_P]
    counts = result.position_counts.set_index(["question_id", "code", "variable", "category"])["n"]
    counts = counts.sort_index()
    total = result.themes.set_index(["question_id", "code"])["answers"]

    def small(row: pd.Series) -> bool:
        key = (row["question_id"], row["code"], row["variable"], row["category"] or "yes")
        if row["variable"] not in ("function", "broker", "isolate", "political_contact"):  # every cluster ...
            return bool((counts[key[:3]] < summary.ATTRIBUTION_MIN).any())
        n = counts[key]
        return min(n, total[(row["question_id"], row["code"])] - n) < summary.ATTRIBUTION_MIN

    return tests.fillna({"category": ""}).apply(small, axis=1)


def test_a_position_group_of_fewer_than_three_respondents_is_left_out_of_the_report(
    result: summary.SummaryReport, out: Path
) -> None:
    md = (out / "a" / "rapport.md").read_text(encoding="utf-8")
    start = md.index("## Temaer etter posisjon i nettet")
    section = md[start : md.index("\n## ", start)]
    small = _small_position_tests(result)
    assert small.sum() > 0  # the example's two politicians of Oppdal, for one
    assert f"{small.sum()} tester av en gruppe med færre enn 3 som svarte" in section
    assert small[result.position_tests.loc[small.index, "variable"] == "community"].any()  # clusters of 2
    assert (
        f"Her vises de {(~small).sum()} av {result.position_tests['p_value'].notna().sum()} testene"
        in section
    )
    cells = [line.split(" | ")[3] for line in section.splitlines() if line.startswith("| ") and " | " in line]
    assert cells[0] == "Nevner temaet" and len(cells) == 1 + (~small).sum()
    for cell in cells[1:]:
        found = re.fullmatch(r"(\d+) av (\d+) \(.*\)", cell)
        assert cell == "–" or (found and int(found[2]) >= summary.ATTRIBUTION_MIN), cell


def test_the_html_report_renders_and_prints_in_a_browser(
    result: summary.SummaryReport, out: Path, tmp_path: Path, chromium: str
) -> None:
    """Headless Chromium (Debian's `chromium`) prints the self-contained page to PDF: several full pages; and
    on a page as narrow as a printed A4 page nothing sticks out to the side."""
    import subprocess

    pdf = tmp_path / "rapport.pdf"
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
               f"--print-to-pdf={pdf}", (out / "a" / "rapport.html").as_uri()]  # fmt: skip
    ran = subprocess.run(command, capture_output=True, timeout=120, check=False)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 5, (len(data), ran.stderr[-500:])  # sections and figures fill pages; a broken one gives 1
    # on paper a quote's words were on one page and its «– Samfunnsplanlegging» on the next, a table row was
    # cut in two, and each network picture left half a page blank (32 pages of the demo, now 29)
    printed = re.search(r"@media print \{(.*?)\} \}", (out / "a" / "rapport.html").read_text("utf-8"), re.S)
    assert printed and "tr, blockquote, li, .note { break-inside: avoid; }" in printed[1]
    # a group's heading (h4) and the sentence before a table were left alone at a page's foot
    assert "h2, h3, h4, p:has(> strong:only-child), p:has(+ .table) { break-after: avoid; }" in printed[1]
    # without the viewport a phone lays the page out 980 px wide and shrinks it: words of 6 px
    head = (out / "a" / "rapport.html").read_text("utf-8").split("</head>")[0]
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in head
    assert "figure img { max-height: 100mm; width: auto;" in printed[1]
    # The page measures itself: how wide it is against the window, and what sticks out.
    probe = (
        "<script>var wide = []; document.querySelectorAll('table, figure, p, li').forEach(function (e) {"
        " if (e.getBoundingClientRect().right > window.innerWidth) wide.push(e.tagName); });"
        " document.body.dataset.width = document.documentElement.scrollWidth + '/' + window.innerWidth;"
        " document.body.dataset.wide = wide.join(',');"
        # a figure or a one-word heading drawn over two lines is split inside: «0,06|9», «Kommun|e»
        " var split = []; document.querySelectorAll('td.num, th').forEach(function (e) {"
        " var r = document.createRange(); r.selectNodeContents(e);"
        " if (r.getClientRects().length > 1 && (e.tagName == 'TD' || e.textContent.trim().indexOf(' ') < 0))"
        " split.push(e.textContent); }); document.body.dataset.split = split.join('|');</script></body>"
    )
    page = tmp_path / "probe.html"
    page.write_text((out / "a" / "rapport.html").read_text(encoding="utf-8").replace("</body>", probe))
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=700,1000",
               "--dump-dom", page.as_uri()]  # fmt: skip
    dom = subprocess.run(command, capture_output=True, timeout=120, check=False, text=True).stdout
    width, window = map(int, re.search(r'data-width="(\d+)/(\d+)"', dom).groups())
    assert width <= window and 'data-wide=""' in dom, re.search(r'data-wide="[^"]*"', dom)
    assert 'data-split=""' in dom, re.search(r'data-split="[^"]*"', dom)


def test_the_html_keeps_a_percent_with_its_figure(out: Path) -> None:
    # a phone broke «(28 %)» into «(28» and «%)»; the Markdown keeps its plain space
    page = (out / "a" / "rapport.html").read_text("utf-8")
    assert re.search(r"\(\d+\u00a0%\)", page) and not re.search(r"\d %", page)
    assert re.search(r"\(\d+ %\)", (out / "a" / "rapport.md").read_text("utf-8"))


def test_the_questions_for_discussion_come_from_the_codebook(codebook: Path, tmp_path: Path) -> None:
    text = codebook.read_text(encoding="utf-8")
    own = "Hvem i kommunen eier boligspørsmålet?"
    start = text.index("discussion: >-", text.index("- id: adapted_housing"))
    end = text.index("    keywords:", start)
    copy = tmp_path / codebook.name
    copy.write_text(text[:start] + f"discussion: {own}\n" + text[end:], encoding="utf-8")
    shutil.copy(codebook.with_name("boligsosialt-reference.csv"), tmp_path)
    result = summary.summarize(BOTH, [OPPDAL_CODES, RISSA_CODES], copy)
    assert any(question.endswith(own) for question in result.discussion)
    assert not any("skaffe boliger som passer" in question for question in result.discussion)


def test_a_report_again_with_fewer_formats_removes_the_earlier_reports_files_only(tmp_path: Path) -> None:
    out = tmp_path / "rapport"
    summary.report(OPPDAL, OPPDAL_CODES, CODEBOOK, out_dir=out, formats="md,html,csv")
    assert (out / "rapport.html").is_file() and (out / "temaer.csv").is_file()
    (out / "mine notater.txt").write_text("mine", encoding="utf-8")  # the researcher's own file
    again = summary.report(OPPDAL, OPPDAL_CODES, CODEBOOK, out_dir=out, formats="md")
    left = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    written = {p.relative_to(out).as_posix() for p in again.files}
    assert left == written | {"mine notater.txt", ".coder-files"}  # no rapport.html of the earlier run
    assert "rapport.md" in written and not (out / "temaer.csv").exists()


def test_an_interrupted_report_leaves_the_earlier_one_as_it_was(tmp_path: Path) -> None:
    """Killed (SIGKILL) or interrupted (Ctrl-C) after some files of the new report were written: every file of
    the earlier report is byte for byte as it was, nothing is added, and the next run cleans up."""
    import subprocess
    import sys

    out = tmp_path / "rapport"
    summary.report(OPPDAL, OPPDAL_CODES, CODEBOOK, out_dir=out, formats="csv,json")
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert out / "temaer.csv" in before and out / "rapport.json" in before
    # The CSV files are written before the JSON: kill the process the moment it builds the JSON.
    script = (
        "import os, signal, sys\n"
        "from coder import summary\n"
        "summary.to_json = lambda *args: os.kill(os.getpid(), signal.SIGKILL)\n"
        "survey, codes, book, out = sys.argv[1:]\n"
        "summary.report(survey, codes, book, out_dir=out, formats='csv,json', seed=5)\n"
    )
    killed = subprocess.run(
        [sys.executable, "-c", script, str(OPPDAL), str(OPPDAL_CODES), str(CODEBOOK), str(out)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr[-500:]
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and ".staging-" not in str(p)} == before

    def interrupted(*args: object) -> str:
        raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(summary, "to_json", interrupted)
        with pytest.raises(KeyboardInterrupt):
            summary.report(OPPDAL, OPPDAL_CODES, CODEBOOK, out_dir=out, formats="csv,json", seed=5)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # and no staging left

    # changed: a report interrupted on its way into a new folder left that folder (and its parents) empty
    new = tmp_path / "ny" / "rapport"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(summary, "to_json", interrupted)
        with pytest.raises(KeyboardInterrupt):
            summary.report(OPPDAL, OPPDAL_CODES, CODEBOOK, out_dir=new, formats="csv,json", seed=5)
    assert not (tmp_path / "ny").exists()


def test_a_municipality_without_political_contact_has_no_picture_of_it(tmp_path: Path) -> None:
    # Oppdal without political contact, Rissa with: the report linked (and the HTML inlined) a picture of
    # Oppdal's that was never drawn, and stopped.
    for name in ("oppdal", "rissa"):
        shutil.copytree(REPO / "examples" / name, tmp_path / name)
    shutil.copy(BOTH, tmp_path / "begge.yaml")
    political = tmp_path / "oppdal" / "politisk_kontakt.csv"
    political.write_text(political.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    codes = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False) for p in (OPPDAL_CODES, RISSA_CODES)])
    codes.to_csv(tmp_path / "koder.csv", index=False)
    result = summary.report(tmp_path / "begge.yaml", tmp_path / "koder.csv", CODEBOOK, out_dir=tmp_path / "r")
    md = (tmp_path / "r" / "rapport.md").read_text(encoding="utf-8")
    assert "oppdal_politisk" not in md and "rissa_politisk" in md
    assert all(path.is_file() for path in result.files)


def test_a_question_without_any_theme_still_lists_its_answers(tmp_path: Path) -> None:
    codes = pd.read_csv(OPPDAL_CODES, dtype=str, keep_default_na=False)
    codes.loc[codes["id"].str.endswith(":styrker"), "code"] = ""  # coded, none with a theme
    codes.to_csv(tmp_path / "koder.csv", index=False)
    summary.report(OPPDAL, tmp_path / "koder.csv", CODEBOOK, out_dir=tmp_path / "r", formats="md")
    md = (tmp_path / "r" / "rapport.md").read_text(encoding="utf-8")
    section = md[md.index("Ingen av svarene er kodet med et tema.") :].split("\n## ")[0]
    listed = re.search(r"### Svar uten tema \((\d+)\)", section)
    assert listed and int(listed.group(1)) == section.count("\n- ") > 0


def test_the_reports_network_pictures_name_no_person(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import networkx as nx

    drawn: list[object] = []
    monkeypatch.setattr(nx, "draw_networkx_labels", lambda *a, **k: drawn.append(a))
    summary.report(OPPDAL, OPPDAL_CODES, CODEBOOK, out_dir=tmp_path / "r", formats="md")
    assert drawn == []
    from coder import network_figures

    network_figures.plot(survey.load(OPPDAL), tmp_path / "n", levels=["weekly"])  # `coder network` names them
    assert drawn


def test_an_answer_over_several_lines_stays_text_in_markdown() -> None:
    from markdown_it import MarkdownIt

    answer = "For få boliger\n# Overskrift\n- punkt\n1. For få\n---\n> sitat"
    blocks = [
        summary.Bullets([answer, "neste"]),
        summary.Quote(answer, "Tjenester, Oppdal"),
        summary.Paragraph(answer),
    ]
    rendered = MarkdownIt().render("\n\n".join("\n".join(summary._markdown_lines(b, ".")) for b in blocks))
    for tag in ("<h1>", "<h2>", "<ol", "<hr", "<blockquote>\n<blockquote>"):
        assert tag not in rendered
    assert rendered.count("<li>") == 2  # the answer and «neste», not a list inside the answer
    assert "# Overskrift" in rendered and "1. For få" in rendered


def test_a_long_quote_is_shortened_in_the_report_and_whole_in_the_tables(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples" / "oppdal", tmp_path / "oppdal")
    codes = pd.read_csv(OPPDAL_CODES, dtype=str, keep_default_na=False)
    coded = codes.loc[codes["code"] != "", "id"].iloc[0]
    export = tmp_path / "oppdal" / "questback_eksport.csv"
    frame = pd.read_csv(export, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    respondent, question = coded.split(":")
    column = next(c for c in frame.columns if question in c.lower() or c.lower().startswith(question[:6]))
    long_answer = "Mangel på boliger og oppfølging. " * 60
    frame.loc[frame["Respondent-ID"] == respondent, column] = long_answer
    frame.to_csv(export, sep=";", encoding="cp1252", index=False)
    only = codes[codes["id"] == coded]
    only.to_csv(tmp_path / "koder.csv", index=False)
    result = summary.report(
        tmp_path / "oppdal" / "manifest.yaml",
        tmp_path / "koder.csv",
        CODEBOOK,
        out_dir=tmp_path / "r",
        formats="md,csv",
    )
    assert result.quotes["text"].str.len().max() == len(long_answer.strip())  # the table holds it whole
    md = (tmp_path / "r" / "rapport.md").read_text(encoding="utf-8")
    quoted = next(line for line in md.splitlines() if line.startswith("> Mangel på boliger"))
    assert quoted.endswith(" […]") and len(quoted) <= summary.QUOTE_SHOWN + 10  # […] is no link: no escapes


@pytest.mark.parametrize(
    ("warning", "norwegian"),
    [
        ("only one group answered: nothing to compare", "bare én gruppe svarte"),
        ("no group answered: nothing to compare", "ingen gruppe svarte"),  # isolates only: no community
        (
            "too few to support a conclusion (a group or count of 2); everyone with the position is in "
            "Rissa: the test compares municipalities too",
            "for få til å konkludere (minste gruppe eller sum: 2); alle med posisjonen er i Rissa: testen "
            "sammenligner også kommunene",
        ),
        (
            "everyone without the position is in Oppdal: the test compares municipalities too",
            "alle uten posisjonen er i Oppdal: testen sammenligner også kommunene",
        ),
        (
            "each community lies in one municipality: the test compares municipalities too",
            "hver klynge ligger i én kommune: testen sammenligner også kommunene",
        ),
    ],
)
def test_the_report_says_the_link_warnings_in_norwegian(warning: str, norwegian: str) -> None:
    assert summary._norwegian_warning(warning) == norwegian


def test_a_municipality_where_fewer_than_three_rated_shows_no_ratings_in_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("oppdal", "rissa"):
        shutil.copytree(REPO / "examples" / name, tmp_path / name)
    shutil.copy(BOTH, tmp_path / BOTH.name)
    export = tmp_path / "rissa" / "eksport.csv"
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    rating = frame.columns[frame.columns.str.startswith("Hvor godt")][0]
    # two people of Rissa rated, three said «Vet ikke»: «Rissa | 5,5 | 2 | 3 | … | 1 | 1» was the two's
    frame.loc[2:4, rating], frame.loc[5:, rating] = "Vet ikke", ""
    frame.to_csv(export, index=False)
    result = summary.summarize(tmp_path / BOTH.name, [OPPDAL_CODES, RISSA_CODES], CODEBOOK)
    assert result.ratings.set_index("municipality").loc["Rissa", ["n", "missing"]].tolist() == [2, 3]
    text = summary.to_markdown(result, {}, tmp_path)
    section = text[text.index("## Vurdering") : text.index("\n## ", text.index("## Vurdering"))]
    rows = {line.split(" | ")[0]: line for line in section.splitlines() if line.startswith("| ")}
    assert rows["| Rissa"] == "| Rissa | – | færre enn 3 svarte | – | " + " | ".join(["–"] * 6) + " |"
    assert re.fullmatch(r"\| Oppdal \| \d,\d \| 20 \| 3 \|( \d+ \|){6}", rows["| Oppdal"])
    drawn = []
    monkeypatch.setattr(survey, "save_figure", lambda figure, path, formats: drawn.append(figure) or [])
    survey.plot_ratings(survey.load(tmp_path / BOTH.name), tmp_path / "figurer")
    (oppdal, rissa) = drawn[0].axes
    assert len(oppdal.patches) == 7 and "snitt" in oppdal.get_title()
    assert not rissa.patches and rissa.get_title() == "Rissa\nfærre enn 3 svarte"


def test_ratings_of_different_scales_keep_their_own_values(tmp_path: Path) -> None:
    # a 1-6 item and a 0-10 item: the 1-6 one showed «nan» under 0 and 7-10, both were headed «1–10»
    shutil.copytree(REPO / "examples" / "rissa", tmp_path / "rissa")
    export = tmp_path / "rissa" / "eksport.csv"
    frame = pd.read_csv(export, dtype=str, keep_default_na=False)
    frame["Tillit"] = [str(i % 11) for i in range(len(frame))]
    frame.loc[0, frame.columns[frame.columns.str.startswith("Hvor godt")][0]] = "3,5"
    frame.to_csv(export, index=False)
    manifest = tmp_path / "rissa" / "manifest.yaml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(
            "      missing: [Vet ikke]\n",
            "      missing: [Vet ikke]\n    - column: Tillit\n      id: tillit\n      label: Tillit\n"
            "      scale: {min: 0, max: 10}\n",
            1,
        ),
        encoding="utf-8",
    )
    result = summary.summarize(manifest, RISSA_CODES, CODEBOOK)
    ratings = result.ratings.set_index("rating_id")
    values = list(ratings.columns[len(summary.RATING_COLUMNS) - 1 :])
    assert values == [str(v) for v in range(4)] + ["3,5"] + [str(v) for v in range(4, 11)]
    coordination, trust = ratings.loc["samordning"], ratings.loc["tillit"]
    assert coordination[["0", "7", "10"]].isna().all() and coordination["3,5"] == 1
    assert int(coordination[values].sum()) == coordination["n"]
    assert trust[values].notna().drop("3,5").all() and int(trust[values].sum()) == trust["n"] == len(frame)
    text = summary.to_markdown(result, {}, tmp_path)
    assert "«Hvor godt fungerer samordningen» (1–6;" in text and "«Tillit» (0–10;" in text
    assert not re.search(r"\bnan\b|<NA>", text)


def test_two_codes_of_one_label_are_drawn_side_by_side(tmp_path: Path) -> None:
    # codebook validate only warns of a label used twice; the comparison figure crashed on it
    book = tmp_path / "kodebok.yaml"
    shutil.copy(CODEBOOK.parent / "boligsosialt-reference.csv", tmp_path)
    book.write_text(
        CODEBOOK.read_text(encoding="utf-8").replace(
            "label: Tilpassede boliger og boligmasse", "label: Fragmentert og uklart ansvar"
        ),
        encoding="utf-8",
    )
    result = summary.summarize(BOTH, [OPPDAL_CODES, RISSA_CODES], book)
    question = next(q for q in result.questions.itertuples(index=False) if q.question_id == "utfordringer")
    shown = result.themes.loc[result.themes["question_id"] == "utfordringer", "code"]
    assert {"fragmented_responsibility", "adapted_housing"} <= set(shown)
    figure = _comparison_figure(result, question, tmp_path)  # the figure alone: the report draws 19 more
    names = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert names.count("Fragmentert og uklart ansvar") == 2 and len(names) == len(shown)


def test_a_quote_with_an_html_entity_is_quoted_as_written() -> None:
    # «&amp;» in an answer rendered as «&» in the Markdown report: the quote was not verbatim
    assert summary._md("NAV &amp; kommunen") == "NAV \\&amp; kommunen"


def test_a_quote_of_two_lines_is_escaped_once_in_the_html(
    result: summary.SummaryReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the «%» fix turned the quote's markup back into text: «&amp;amp;» and a «&lt;br&gt;» on the page
    quote = summary.Quote("NAV & kommunen: 5 %\n<b>andre</b> linje", "Tjenester i bolig")
    monkeypatch.setattr(summary, "_blocks", lambda *_: [quote])
    page = summary.to_html(result, {})
    assert "<p>NAV &amp; kommunen: 5\u00a0%<br>&lt;b&gt;andre&lt;/b&gt; linje</p>" in page


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        # what would change the text is escaped ...
        ("*viktig* og _lite_", "\\*viktig\\* og \\_lite\\_"),
        ("[lenke](http://x) og [r]: http://x", "[lenke\\](http://x) og [r\\]: http://x"),
        ("<b>fet</b> og <http://x>", "\\<b>fet\\</b> og \\<http://x>"),
        ("a|b og `kode`", "a\\|b og \\`kode\\`"),
        # ... and nothing else: the report's Markdown reads as text («posisjon\\_tall», «\\[navn\\]» before)
        ("posisjon_tall, [navn] og [telefon]", "posisjon_tall, [navn] og [telefon]"),
        ("p < 0,001, 5 > 3 og Rus & psykisk helse", "p < 0,001, 5 > 3 og Rus & psykisk helse"),
    ],
)
def test_markdown_escapes_only_what_would_change_the_text(text: str, markdown: str) -> None:
    assert summary._md(text) == markdown


def test_table_columns_of_figures_are_set_right_and_columns_of_words_left(
    result: summary.SummaryReport,
) -> None:
    table = summary.Table(
        ["Kommune", "Funksjon", "Personer", "Andel", "p"],
        [["Oppdal", "Drift", "9", "2 av 5 (40 %)", "< 0,001"], ["Rissa", "", "12", "–", "0,069"]],
    )
    assert table.numeric == [False, False, True, True, True]
    assert summary._markdown_lines(table, ".")[1] == "|---|---|---:|---:|---:|"  # every column was ---:
    html = summary.to_html(result, {})
    assert '<td class="num">' in html and "<td>" in html  # words left in the HTML too


def test_positions_name_functions_by_their_labels_as_the_other_tables(
    result: summary.SummaryReport, both: survey.Survey
) -> None:
    labels = set(both.functions["label"])
    for frame in (result.position_tests, result.position_counts):
        functions = set(frame.loc[frame["variable"] == "function", "category"])
        assert functions and functions <= labels  # it was the data's codes: «Øk. virkemidler»
    assert "Økonomiske virkemidler / rådgivning" in set(result.functions["function"])


def test_a_theme_named_for_its_problem_has_the_codebooks_strength_name_under_strengths(
    result: summary.SummaryReport, out: Path
) -> None:
    # «Fragmentert og uklart ansvar» as one of the two greatest strengths read as a joke in the report
    strength, problem = "Tydelig plassert ansvar", "Fragmentert og uklart ansvar"
    for frame in (result.themes, result.quotes, result.comparison):
        names = frame[frame["code"] == "fragmented_responsibility"].groupby("question_id")["label"].unique()
        assert names.map(list).to_dict() == {
            "styrker": [strength], "utfordringer": [problem], "ansvarsavklaring": [problem]
        }  # fmt: skip
    english = result.themes.set_index(["question_id", "code"])["label_en"]
    assert english[("styrker", "fragmented_responsibility")] == "Clearly placed responsibility"
    text = (out / "a" / "rapport.md").read_text(encoding="utf-8")
    strengths = text[text.index("De to viktigste styrkene") : text.index("De to største utfordringene")]
    assert strength in strengths and problem not in strengths
    assert problem in text[text.index("De to største utfordringene") :]


def test_quotes_within_quotes_are_single_as_in_norwegian(result: summary.SummaryReport, out: Path) -> None:
    md = (out / "a" / "rapport.md").read_text(encoding="utf-8")
    # the question «Hvorfor … i at «Min kommune …»?» was printed with «» inside «»
    assert "i at ‘Min kommune har gode formelle møtepunkter" in md
    assert not re.search(r"«[^»\n]*«", md)


def test_positions_say_when_no_difference_holds_after_the_correction(result: summary.SummaryReport) -> None:
    import dataclasses

    tests = result.position_tests
    assert not tests.empty

    def texts(q_values: list[float]) -> str:
        changed = dataclasses.replace(result, position_tests=tests.assign(q_value=q_values))
        return " ".join(getattr(block, "text", "") for block in summary._position_blocks(changed))

    # a politician read «8 av 13 (62 %) … p < 0,001» as a finding, though every q was 0,05 or more
    made = tests["p_value"].notna().sum()  # a pair that cannot be tested (one group) is no test
    assert f"Ingen av forskjellene holder når det justeres for at det er gjort {made} tester" in texts(
        [0.5] * len(tests)
    )
    assert "Ingen av forskjellene" not in texts([0.01] + [0.5] * (len(tests) - 1))


def test_p_and_q_never_show_at_the_limit_the_text_names(result: summary.SummaryReport) -> None:
    import dataclasses

    # q 0.051 was «0,05» under «alle q er 0,05 eller mer», p 0.0997 «0,100» in a table of «p under 0,1»
    tests = result.position_tests.assign(p_value=0.0997, q_value=0.051)
    table = summary._position_blocks(dataclasses.replace(result, position_tests=tests))[-1]
    header = table.header
    row = table.rows[0]
    assert (row[header.index("p")], row[header.index("q")]) == ("0,0997", "0,051")


def test_shares_of_a_municipality_with_few_answers_carry_a_caution(
    result: summary.SummaryReport, out: Path
) -> None:
    totals = result.comparison.drop_duplicates(["question_id", "municipality"])
    small = totals[(totals["answers"] > 0) & (totals["answers"] < summary.SMALL_GROUP)]
    assert not small.empty  # the example has them: Rissa answered some questions with 5 to 7 people
    md = (out / "a" / "rapport.md").read_text(encoding="utf-8")
    assert md.count("*Få svar i ") == small["question_id"].nunique()  # «5 (100 %)» read as a finding
    first = small.iloc[0]
    assert f"Få svar i {first['municipality']} ({first['answers']})" in md


def test_a_rating_heading_says_what_the_ends_of_its_scale_mean(
    result: summary.SummaryReport, out: Path
) -> None:
    md = (out / "a" / "rapport.md").read_text(encoding="utf-8")
    # it said «(1–6; «Vet ikke» …)» with no word of what 1 and 6 are, though the manifest names them
    assert "(1–6; 1 = Svært dårlig, 6 = Svært godt; «Vet ikke» er holdt utenfor snittet)" in md
    assert set(result.ratings["anchors"]) == {"1 = Svært dårlig, 6 = Svært godt"}


def test_a_quote_names_no_function_and_municipality_that_fewer_than_three_share(
    result: summary.SummaryReport, both: survey.Survey, out: Path
) -> None:
    people = both.respondents.set_index("respondent_id")
    labels = survey.function_labels(both)
    coarser = 0
    for quote in result.quotes.itertuples(index=False):
        person = people.loc[quote.respondent_id]
        full = f"{labels[person.functions[0]]}, {person.municipality}" if person.functions else ""
        assert quote.attribution in (full, full.split(", ")[0], person.municipality, "")
        coarser += quote.attribution != full
    assert coarser > 0  # the example has functions that only one or two hold in a municipality
    # changed: the one Oppdal politician who responded (of three listed) was quoted as «Politisk folkevalgt,
    # Oppdal»: the rule counted people who never responded
    assert "Politisk folkevalgt, Oppdal" not in set(result.quotes["attribution"])
    md = (out / "a" / "rapport.md").read_text(encoding="utf-8")
    assert md.count("> – ") == (result.quotes["attribution"] != "").sum()
    assert f"færre enn {summary.ATTRIBUTION_MIN} av dem som svarte" in md
    # the quotes' table and sheet, handed over with the report, named the function the report held back
    sheet = pd.read_excel(out / "a" / "rapport.xlsx", sheet_name="sitater", dtype=str)
    for table in (pd.read_csv(out / "a" / "sitater.csv", dtype=str), sheet):
        assert not {"function", "municipality", "funksjon", "kommune"} & set(table.columns)


@pytest.mark.parametrize("seed", range(30))
def test_every_name_under_a_quote_stands_for_three_respondents_or_more(seed: int) -> None:
    """Named alike, never fewer than three: no quote is traced to one person by elimination either."""
    import random

    draw = random.Random(seed)
    functions = ["Leder", "NAV", "Vakt", "Politiker", ""][: draw.randint(1, 5)]
    places = ["Store", "Lille", "Midt"][: draw.randint(1, 3)]
    attribution = {f"r{i}": (draw.choice(functions), draw.choice(places)) for i in range(draw.randint(1, 25))}
    shown = summary.shown_attribution(attribution)
    named = Counter(label for label in shown.values() if label is not None)
    assert all(n >= summary.ATTRIBUTION_MIN for n in named.values()), (attribution, shown)
    for respondent, label in shown.items():
        function, place = attribution[respondent]
        assert label in (None, "", f"{function}, {place}", function, place)
        if label == function and function:  # a function named alone is named alone for all who hold it
            assert all(shown[r] == function for r, (f, _) in attribution.items() if f == function)


def test_a_function_one_municipality_has_three_of_is_not_named_with_it_when_another_has_one() -> None:
    # changed: «F, Store» for Store's three and «F» for Lille's one: «F» alone was the one in Lille
    shown = summary.shown_attribution({"a": ("F", "Store"), "b": ("F", "Store"), "c": ("F", "Store"),
                                       "d": ("F", "Lille")})  # fmt: skip
    assert set(shown.values()) == {"F"}
    assert summary.shown_attribution({"a": ("F", "Store"), "b": ("G", "Store")}) == {"a": None, "b": None}


def test_the_workbook_is_for_people_norwegian_headings_percent_and_a_header_in_view(
    result: summary.SummaryReport, out: Path
) -> None:
    # changed: English column names (question_id, share), shares as 0.368, English notes on the tests
    import openpyxl

    book = openpyxl.load_workbook(out / "a" / "rapport.xlsx")
    themes = book["temaer"]
    header = [cell.value for cell in themes[1]]
    assert header == [summary.XLSX_COLUMNS[c] for c in result.themes.columns]
    share = themes.cell(row=2, column=header.index("andel") + 1)
    assert share.value == pytest.approx(result.themes["share"].iloc[0])  # a number Excel can compute with
    assert share.number_format == "0 %"
    assert all(sheet.freeze_panes == "A2" for sheet in book.worksheets)
    assert [cell.value for cell in book["vurdering"][1]][:3] == ["kommune", "id", "vurdering"]
    tests = list(book["posisjon_tester"].iter_rows(values_only=True))
    notes = [row[tests[0].index("merknad")] for row in tests[1:]]
    assert any(notes) and not any("too few" in (note or "") for note in notes)
    variables = {row[tests[0].index("variabel")] for row in tests[1:]}
    assert "Brobygger" in variables and "broker" not in variables
    # changed: «fisher» under «test», p as 0.0334188…, no filters, «spørsmålets tema» TRUE/FALSE
    said = {row[tests[0].index("test")] for row in tests[1:]} - {None}
    assert said <= {"Fishers eksakte test", "kjikvadrattest"} and "Fishers eksakte test" in said
    p_column = tests[0].index("p") + 1
    p_cells = [row[p_column - 1] for row in book["posisjon_tester"].iter_rows(min_row=2)]
    assert {cell.number_format for cell in p_cells if isinstance(cell.value, float)} == {"0.000"}
    assert all(sheet.auto_filter.ref == sheet.dimensions for sheet in book.worksheets)
    topical = [sheet for sheet in book.worksheets if "spørsmålets tema" in [cell.value for cell in sheet[1]]]
    assert topical
    for sheet in topical:
        column = [cell.value for cell in sheet[1]].index("spørsmålets tema")
        assert {row[column] for row in sheet.iter_rows(min_row=2, values_only=True)} <= {"ja", None, ""}
    # the CSV tables keep the names the README documents for programs
    assert pd.read_csv(out / "a" / "temaer.csv").columns[0] == "question_id"


def test_an_answer_of_someone_the_manifest_calls_a_non_respondent_counts_for_the_names(
    both: survey.Survey,
) -> None:
    # found in review: such a person was quoted under an empty name that stood for them alone
    from dataclasses import replace

    people = both.respondents.assign(responded=both.respondents["respondent_id"] != "O01")
    assert (both.answers["respondent_id"] == "O01").any()
    shown = summary.shown_attribution(summary._attribution(replace(both, respondents=people)))
    assert "O01" in shown
    assert sum(label == shown["O01"] for label in shown.values()) >= summary.ATTRIBUTION_MIN


def test_a_question_coded_in_part_says_so_and_compares_only_municipalities_with_codes(
    result: summary.SummaryReport,
) -> None:
    first = result.questions["question_id"].iloc[0]
    questions = result.questions.copy()
    questions.loc[questions["question_id"] == first, "answers"] += 21  # 21 answers of it not coded yet
    comparison = result.comparison.copy()
    rissa = (comparison["question_id"] == first) & (comparison["municipality"] == "Rissa")
    comparison.loc[rissa, ["answers", "mentions", "share"]] = [
        0,
        0,
        float("nan"),
    ]  # as a codes file of Oppdal
    changed = dataclasses.replace(result, questions=questions, comparison=comparison)
    md = summary.to_markdown(changed, {})
    coded = int(questions.loc[questions["question_id"] == first, "coded"].iloc[0])
    # it said «(19 svar)» of a question 40 answered, and «Rissa (n = 0) | 0 (–)» as though no one there had
    assert f"({coded} kodede svar av {coded + 21})*" in md and md.count("kodede svar av") == 1
    assert "Ingen kodede svar fra Rissa på dette spørsmålet; kommunene sammenlignes ikke." in md
    # the other questions still compare; «(n = 19)» stays on one line in a narrow column (no-break spaces)
    assert "Rissa (n\u00a0=\u00a0" in md and "(n = " not in md
    assert summary._compared(changed, first) == ["Oppdal"]  # and draw no comparison figure


def _comparison_figure(report: summary.SummaryReport, question: Any, directory: Path) -> Any:
    """The matplotlib figure of the comparison of ``question``'s themes across municipalities."""
    from matplotlib.figure import Figure

    drawn: list[Figure] = []

    def kept(*args: object, **kwargs: object) -> Figure:
        drawn.append(Figure(*args, **kwargs))
        return drawn[-1]

    summary._plot_comparison(report, question, directory, ("svg",), kept)
    return drawn[-1]


def test_a_municipality_keeps_its_colour_when_another_is_left_out_of_a_comparison(
    result: summary.SummaryReport, tmp_path: Path
) -> None:
    from matplotlib.colors import to_hex

    def colours(report: summary.SummaryReport) -> dict[str, str]:
        bars = _comparison_figure(report, result.questions.iloc[0], tmp_path).axes[0].containers
        return {b.get_label().split(" (")[0]: to_hex(b.patches[0].get_facecolor()) for b in bars}

    comparison = result.comparison.copy()
    oppdal = comparison["municipality"] == "Oppdal"
    comparison.loc[oppdal, ["answers", "mentions", "share"]] = [0, 0, float("nan")]  # no coded answers
    # Rissa took Oppdal's colour in the questions Oppdal had no coded answers to
    assert colours(dataclasses.replace(result, comparison=comparison))["Rissa"] == colours(result)["Rissa"]


def test_the_workshop_section_says_how_the_notes_were_grouped_and_how_sure_that_is() -> None:
    def texts(groups: list[str], grouped_by: str = "researchers", stability: float = math.nan) -> str:
        workshop = pd.DataFrame(
            {"municipality": "Rissa", "question": "Hva nå?", "group": groups, "note_id": ["1", "2", "3"],
             "note": ["a", "b", "c"], "grouped_by": grouped_by, "stability": stability}
        )  # fmt: skip
        return " ".join(getattr(block, "text", "") for block in summary._workshop_blocks(workshop))

    assert "gruppert for hånd" in texts(["Møter", "Møter", "Diverse"])
    # the groups file of `coder discover --groups`, given as the researchers' groups: it said «for hånd»
    unnamed = texts(["G1", "Diverse", "rest"])  # «Diverse»: a note left without a group in the file
    assert "Gruppene har numrene «coder discover» gir dem (G1, G2 …), ikke navn." in unnamed
    assert "hånd" not in unnamed and "hånd" in texts(["Diverse"] * 3)
    assert "stabilitet 0,74 av 1, nokså stabil" in texts(["Møte"] * 3, "coder discover", 0.74)
    assert "ustabil: les gruppene som forslag" in texts(["Møte"] * 3, "coder discover", 0.4)


def test_the_report_says_which_names_are_masked_not_that_every_name_is(
    result: summary.SummaryReport, out: Path
) -> None:
    from coder import privacy

    # a surname alone is not found: «navn … er erstattet» promised what the masking does not do
    assert privacy.mask("spør Hansen") == "spør Hansen"
    md = " ".join((out / "a" / "rapport.md").read_text(encoding="utf-8").split())
    assert "men navn som kjennes igjen (fornavn, alene eller med etternavn), e-postadresser" in md


def test_every_share_of_a_comparison_figure_is_written_at_its_bar_zero_too(
    result: summary.SummaryReport, tmp_path: Path
) -> None:
    question = result.questions.iloc[0]
    axes = _comparison_figure(result, question, tmp_path).axes[0]
    written = [text.get_text().strip() for text in axes.texts]
    table = result.comparison[result.comparison["question_id"] == question.question_id]
    assert len(written) == len(table) and "0 %" in written  # a 0 % bar was no bar and no figure
