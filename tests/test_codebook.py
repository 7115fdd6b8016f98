"""Tests for coder.codebook: loading, validation with lines, keyword rule, REFI-QDA exchange, example set."""

from __future__ import annotations

import csv
import dataclasses
import random
import re
import shutil
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from support.codebook import (
    CODE_IDS,
    DEFAULT,
    GOOD,
    REPO,
    TAGUETTE_QDC,
    fixture_renamed_code_book,  # noqa: F401
    only,
    write,
)

from coder import codebook as cb
from coder import survey
from coder.errors import CoderError
from coder.io import read_table

CODED = REPO / "examples" / "coded" / "coded_answers.csv"


# ------------------------------------------------------------------------------------------ default


def test_default_codebook_has_exactly_the_eight_codes() -> None:
    book = cb.load(DEFAULT)
    assert set(book.code_ids) == CODE_IDS
    assert len(book.code_ids) == 8
    assert book.language == "nb" and book.name and book.version


def test_default_codebook_is_written_out_in_full() -> None:
    book = cb.load(DEFAULT)
    colors = set()
    for code in book.codes:
        assert code.label and code.label_en and code.description and code.include and code.exclude, code.id
        assert 8 <= len(code.examples) <= 15, code.id
        assert len(code.counter_examples) >= 2, code.id
        assert len(code.keywords) >= 30, code.id
        assert all(cb.keyword_problem(k) is None for k in code.keywords), code.id
        colors.add(code.color)
    assert len(colors) == 8 and None not in colors


def test_default_codebook_validates_without_errors() -> None:
    problems = cb.validate(DEFAULT, check_lemmas=False)
    assert [str(p) for p in problems] == []


def test_default_keywords_are_lemmas_by_the_lexicon() -> None:
    pytest.importorskip("coder.lexicon")
    problems = cb.validate(DEFAULT)
    assert [str(p) for p in problems] == []


def test_load_without_path_reads_the_default() -> None:
    assert cb.load() == cb.load(DEFAULT)
    assert cb.default_codebook_path() == DEFAULT


def test_pyproject_ships_the_default_codebook_and_its_reference_answers() -> None:
    import fnmatch
    import tomllib

    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "coder.codebooks" in setuptools["packages"]
    folder = REPO / setuptools["package-dir"]["coder.codebooks"]
    patterns = setuptools["package-data"]["coder.codebooks"]
    book = cb.load(folder / DEFAULT.name)
    for name in (DEFAULT.name, book.reference_file):
        assert (folder / name).is_file()
        assert any(fnmatch.fnmatch(name, pattern) for pattern in patterns), name


def test_default_codebook_path_of_an_installed_package(tmp_path: Path) -> None:
    """An installed layout (site-packages/coder/codebooks/, no repository beside it): the shipped file."""
    import os
    import subprocess
    import sys

    site = tmp_path / "site-packages"
    shutil.copytree(REPO / "coder", site / "coder", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "codebooks", site / "coder" / "codebooks")
    code = (
        "from coder import codebook as c; print(c.default_codebook_path(), len(c.load().reference_answers))"
    )
    environment = {**os.environ, "PYTHONPATH": str(site)}  # only the copy, not the repository, on the path
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    path, references = done.stdout.split()
    assert Path(path) == site / "coder" / "codebooks" / DEFAULT.name
    assert int(references) == len(cb.load(DEFAULT).reference_answers) > 0


def test_close_pairs_are_separated_in_the_guidance() -> None:
    book = cb.load(DEFAULT)
    # each exclude text points to the neighbour code an answer should get instead
    for code_id, neighbours in {
        "coordination": ["fragmented_responsibility", "meeting_places", "anchoring"],
        "fragmented_responsibility": ["coordination", "meeting_places", "anchoring"],
        "follow_up": ["adapted_housing", "financial_instruments"],
        "adapted_housing": ["follow_up", "financial_instruments"],
        "anchoring": ["coordination"],
    }.items():
        for neighbour in neighbours:
            assert neighbour in book.get(code_id).exclude, (code_id, neighbour)


# ------------------------------------------------------------------------------------------ keywords


@pytest.mark.parametrize(
    ("keyword", "term", "expected"),
    [
        ("bolig", "bolig", True),
        ("bolig", "boliger", False),
        ("bolig*", "boligsosial", True),
        ("bolig*", "omsorgsbolig", False),
        ("nav", "NAV", True),
        ("mangel på bolig", "mangel", False),
    ],
)
def test_keyword_matches(keyword: str, term: str, expected: bool) -> None:
    assert cb.keyword_matches(keyword, term) is expected


def test_find_keyword_matches_lemmas_and_compound_parts_in_sequence() -> None:
    tokens = [{"mangle"}, {"på"}, {"omsorgsbolig", "omsorg", "bolig"}, {"og"}, {"bolig"}]
    assert cb.find_keyword("bolig", tokens) == [(2, 3), (4, 5)]
    assert cb.find_keyword("på bolig", tokens) == [(1, 3)]
    assert cb.find_keyword("omsorg*", tokens) == [(2, 3)]
    assert cb.find_keyword("og bolig", tokens) == [(3, 5)]
    assert cb.find_keyword("bolig og", tokens) == [(2, 4)]
    assert cb.find_keyword("mangel på", tokens) == []
    tokens = [{"all"}, {"kjenner"}, {"all"}]
    assert cb.find_keyword("all* kjenn* all*", tokens) == [(0, 3)]


def test_code_keyword_matches_uses_one_word_keywords() -> None:
    code = cb.Code("x", "X", keywords=("bolig*", "mangel på bolig", "nav"))
    assert code.keyword_matches("boligkontor") and code.keyword_matches("nav")
    assert not code.keyword_matches("mangel")


@given(
    stem=st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå", min_size=3, max_size=8), rest=st.text(max_size=6)
)
def test_a_prefix_keyword_matches_exactly_the_terms_that_start_with_it(stem: str, rest: str) -> None:
    assert cb.keyword_problem(stem + "*") is None
    assert cb.keyword_matches(stem + "*", stem + rest.lower())
    assert cb.keyword_matches(stem, stem + rest.lower()) is (rest.lower() == "")


@pytest.mark.parametrize(
    ("keyword", "fragment"),
    [
        ("Bolig", "not lower case (write 'bolig')"),
        (" bolig", "leading or trailing white space"),
        ("mangel  på bolig", "separated by one space"),
        ("bo*lig", "'*' is allowed only at the end of a word"),
        ("*", "a lone '*' matches everything"),
        ("bo*", "too short"),
        ("bolig.", "contains '.'"),
        ("rus/psykiatri", "contains '/'"),
        ("", "empty keyword"),
    ],
)
def test_keyword_problem_names_the_form_error(keyword: str, fragment: str) -> None:
    problem = cb.keyword_problem(keyword)
    assert problem is not None and fragment in problem


@pytest.mark.parametrize(
    "keyword", ["bolig", "nav-kontor", "mangel på bolig*", "all* kjenn* all*", "ta tak", "dps"]
)
def test_keyword_problem_accepts_good_keywords(keyword: str) -> None:
    assert cb.keyword_problem(keyword) is None


def _terms(text: str) -> list[set[str]]:
    """Tokens as their terms, for the keyword rule by hand: the word, and its compound parts after '+'."""
    return [set(word.split("+")) | {word.replace("+", "")} for word in text.split()]


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("oversikt over bolig", [(0, 3)]),  # nothing between
        ("oversikt over den kommunale bolig+masse", [(0, 5)]),
        ("ingen oversikt over alle de kommunale bolig og", [(1, 7)]),  # three between
        ("oversikt over alle de store kommunale bolig", []),  # four between
        ("over oversikt bolig", []),  # the words before the gap stay consecutive
        ("oversikt over bolig oversikt over en bolig", [(0, 3), (3, 7)]),
    ],
)
def test_a_gap_lets_up_to_three_words_stand_between(text: str, spans: list[tuple[int, int]]) -> None:
    assert cb.find_keyword("oversikt over .. bolig*", _terms(text)) == spans


def test_a_gap_match_is_the_shortest_one() -> None:
    assert cb.find_keyword("ta .. tak", _terms("ta tak tak i helhet")) == [(0, 2)]
    assert cb.find_keyword("ta .. tak", _terms("tak ta")) == []


@pytest.mark.parametrize("keyword", [".. bolig", "bolig ..", "oversikt .. .. bolig", "..", "a .. .. .. b"])
def test_keyword_problem_rejects_a_gap_that_is_not_between_two_words(keyword: str) -> None:
    assert cb.keyword_problem(keyword) == "'..' stands only between two words"


def test_keyword_problem_accepts_gaps_between_words() -> None:
    assert cb.keyword_problem("oversikt over .. bolig*") is None
    assert cb.keyword_problem("ta .. tak .. helhet") is None
    assert cb.keyword_problem("ta .. Tak") == "not lower case (write 'ta .. tak')"
    assert "'*' is allowed only at the end" in (cb.keyword_problem("ta .. t*k") or "")


def test_keyword_words_leaves_the_gaps_out() -> None:
    assert cb.keyword_words("oversikt over .. bolig*") == ["oversikt", "over", "bolig*"]
    assert cb.keyword_words("ta .. tak .. helhet") == ["ta", "tak", "helhet"]
    assert cb.keyword_words("bolig") == ["bolig"]


def test_a_gap_keyword_passes_validation_with_the_lexicon(tmp_path: Path) -> None:
    pytest.importorskip("coder.lexicon")
    path = write(tmp_path, GOOD.replace("mangel på bolig]", "oversikt over .. bolig*]", 1))
    assert [str(p) for p in cb.validate(path)] == []
    assert cb.load(path).get("housing").keywords == ("bolig*", "oversikt over .. bolig*")


# ------------------------------------------------------------------------------------------ label seeds


@pytest.mark.parametrize(
    ("label", "seeds"),
    [
        ("Fragmentert og uklart ansvar", ("fragmenter*", "uklar", "ansvar")),
        ("Tilpassede boliger", ("tilpass*", "bolig")),
        ("Tilpassede Boliger", ("tilpass*", "bolig")),  # title case: still lemmas, not proper nouns
        ("Oppfølging", ("oppfølg*",)),
        ("Oppfølging av beboere", ("oppfølg*", "beboer")),
        ("Samordning og samhandling", ("samordn*", "samhandl*")),
        ("Møteplasser", ("møteplass", "møte")),  # a compound's topic: «faste møter», «møtepunkter»
        ("Boligmangel", ("boligmangel", "bolig")),  # «for få boliger» (a names-alone codebook found none)
        ("Bostøtte", ("bostøtte",)),  # «bo» is too short a word to stand for it
        ("Storkommune", ("storkommune",)),  # an adjective's part names no topic: «stor utfordring»
        ("Stillinger", ("stilling",)),  # 'still*' would be too short a stem (stille, stillas)
        ("Samarbeid med NAV", ("samarbeid", "nav")),
        ("NAV-kontor", ("nav-kontor",)),
        ("Uten bolig, ikke hybel", ("bolig", "hybel")),
        ("Tiltak 2024 / ressurser", ("tiltak", "ressurs")),
        ("Barn og unge", ("barn", "ung")),
        ("Annet", ()),
    ],
)
def test_label_seeds_are_lemmas_of_the_content_words(label: str, seeds: tuple[str, ...]) -> None:
    pytest.importorskip("coder.lexicon")
    assert cb.label_seeds(cb.Code("x", label)) == seeds


def test_label_seeds_fall_back_on_the_description_only_when_the_label_gives_nothing() -> None:
    pytest.importorskip("coder.lexicon")
    description = "Svar om økonomi, lån, bostøtte, gjeld, husleie og tilskudd."
    assert cb.label_seeds(cb.Code("other", "Annet", description=description)) == (
        "svar", "økonomi", "lån", "bostøtte", "gjeld",
    )  # fmt: skip
    assert len(cb.label_seeds(cb.Code("other", "Annet", description=description))) == cb.DESCRIPTION_SEEDS
    assert cb.label_seeds(cb.Code("money", "Økonomi", description=description)) == ("økonomi",)
    assert cb.label_seeds(cb.Code("other", "Annet")) == ()


def test_label_seeds_without_the_lexicon_are_the_words_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cb, "_lexicon", lambda: None)
    assert cb.label_seeds(cb.Code("x", "Tilpassede boliger og NAV-kontor")) == (
        "tilpassede", "boliger", "nav-kontor",
    )  # fmt: skip


def test_label_seeds_of_the_default_codebook_are_valid_lemma_keywords(tmp_path: Path) -> None:
    pytest.importorskip("coder.lexicon")
    book = cb.load(DEFAULT)
    bare = [replace(c, keywords=cb.label_seeds(c), examples=(), counter_examples=()) for c in book.codes]
    for code in bare:
        assert code.keywords, code.id
        assert all(cb.keyword_problem(k) is None for k in code.keywords), code.keywords
        assert cb.label_seeds(code) == code.keywords  # deterministic
    # as keywords they pass the lemma check too (seeds shared by two codes are only a warning)
    path = tmp_path / "seeded.yaml"
    cb.dump_yaml(replace(book, codes=tuple(bare), reference_file=None, reference_answers=()), path)
    problems = cb.validate(path)
    assert only(problems) == []
    assert not [p for p in problems if "inflected" in p.message]


# ------------------------------------------------------------------------------------------ validation


def test_good_codebook_loads_with_hierarchy_and_raw_version(tmp_path: Path) -> None:
    book = cb.load(write(tmp_path, GOOD))
    assert book.version == "1.10"  # raw scalar text, not the float 1.1
    assert book.get("small_flats").parent == "housing"
    assert [c.id for c in book.children(None)] == ["housing"]
    assert [c.id for c in book.children("housing")] == ["small_flats"]
    assert book.get("housing").keywords == ("bolig*", "mangel på bolig")
    assert cb.validate(book.path, check_lemmas=False) == []


@pytest.mark.parametrize(
    ("old", "new", "line", "code", "fragment"),
    [
        ("name: Test\n", "", 1, None, "missing field 'name'"),
        ("    label: Boliger\n", "", 5, "housing", "missing field 'label'"),
        ("  - id: small_flats", "  - id: housing", 11, "housing", "duplicate id 'housing' (first on line 5)"),
        (
            "    parent: housing",
            "    parent: husing",
            14,
            "small_flats",
            "unknown parent 'husing' (did you mean 'housing'?)",
        ),
        ("    parent: housing", "    parent: small_flats", 14, "small_flats", "cannot be its own parent"),
        (
            "[bolig*, mangel",
            "[Bolig*, mangel",
            8,
            "housing",
            "keyword 'Bolig*' can never match: not lower case",
        ),
        ("[bolig*, mangel", "[bo*lig, mangel", 8, "housing", "'*' is allowed only at the end"),
        ("  - id: small_flats", "  - id: Small-Flats", 11, "Small-Flats", "must be snake_case"),
        ('"#1F77B4"', "blue", 10, "housing", "color 'blue' must be #RRGGBB"),
        (
            "    label: Boliger\n",
            "    label: Boliger\n    label: Hus\n",
            7,
            None,
            "duplicate key 'label' (first on line 6)",
        ),
        ("    label: Boliger\n", "    label: [a, b]\n", 6, "housing", "must be text"),
        ("    examples: [For få boliger]", "    examples: [[x]]", 9, "housing", "item 1 must be a text"),
        ("language: nb", "language:", 2, None, "is empty"),
    ],
)
def test_each_problem_is_reported_with_file_and_line(
    tmp_path: Path, old: str, new: str, line: int, code: str | None, fragment: str
) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    errors = only(cb.validate(path, check_lemmas=False))
    matching = [p for p in errors if fragment in p.message]
    assert matching, [str(p) for p in errors]
    problem = matching[0]
    assert (problem.file, problem.line, problem.code) == (str(path), line, code)
    assert str(problem).startswith(f"{path}:{line}")
    with pytest.raises(CoderError) as raised:
        cb.load(path)
    assert raised.value.file == str(path) and raised.value.line is not None


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("    label: Boliger", "    label: [Boliger", 1))
    problems = cb.validate(path)
    assert len(problems) == 1 and problems[0].message.startswith("invalid YAML")
    assert problems[0].line is not None and 6 <= problems[0].line <= 8
    with pytest.raises(CoderError, match="invalid YAML"):
        cb.load(path)


def test_parent_cycle_is_reported_once(tmp_path: Path) -> None:
    text = GOOD.replace("    color:", "    parent: small_flats\n    color:", 1)
    path = write(tmp_path, text)
    cycles = [p for p in cb.validate(path, check_lemmas=False) if "cycle" in p.message]
    assert len(cycles) == 1
    assert cycles[0].line == 10 and "housing -> small_flats -> housing" in cycles[0].message


def test_keyword_in_two_codes_is_a_warning_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("    examples: [Trenger hybler]", "    keywords: [hybel, bolig*]", 1))
    problems = cb.validate(path, check_lemmas=False)
    assert only(problems) == []
    (warning,) = only(problems, "warning")
    assert (
        warning.line == 15
        and warning.code == "small_flats"
        and "also a keyword of 'housing'" in warning.message
    )
    assert cb.load(path).get("small_flats").keywords == ("hybel", "bolig*")  # warnings do not stop loading


def test_inflected_keyword_is_a_warning_when_the_lexicon_is_there(tmp_path: Path) -> None:
    pytest.importorskip("coder.lexicon")
    path = write(tmp_path, GOOD.replace("[bolig*, mangel på bolig]", "[boligene, mangel på bolig]", 1))
    warnings = only(cb.validate(path), "warning")
    assert len(warnings) == 1
    assert (
        warnings[0].line == 8 and "inflected form" in warnings[0].message and "'bolig'" in warnings[0].message
    )
    assert only(cb.validate(path, check_lemmas=False), "warning") == []


def test_validate_reports_every_problem_in_file_order(tmp_path: Path) -> None:
    text = (
        GOOD.replace("    label: Boliger\n", "", 1)
        .replace("[bolig*, mangel", "[Bolig, mangel", 1)
        .replace("    parent: housing", "    parent: nowhere", 1)
    )
    problems = cb.validate(write(tmp_path, text), check_lemmas=False)
    messages = [p.message for p in problems]
    assert len(problems) == 3, messages
    assert [p.line for p in problems] == sorted(p.line for p in problems)
    assert any("label" in m for m in messages) and any("Bolig" in m for m in messages)
    assert any("nowhere" in m for m in messages)


# A codebook of labels alone: no description (omitted or explicitly empty), no keywords, no examples.
LABELS_ONLY = """
name: Etiketter
language: nb
version: "1"
codes:
  - id: responsibility
    label: Fragmentert og uklart ansvar
  - id: housing
    label: Tilpassede boliger
    description:
  - id: follow_up
    label: Oppfølging
    description: ""
    parent: housing
"""


def test_a_codebook_of_labels_alone_is_valid_with_a_warning_per_code(tmp_path: Path) -> None:
    path = write(tmp_path, LABELS_ONLY)
    problems = cb.validate(path)
    assert only(problems) == []
    assert [(p.code, p.line, p.severity) for p in problems] == [
        ("responsibility", 5, "warning"),
        ("housing", 7, "warning"),
        ("follow_up", 10, "warning"),
    ]
    for problem in problems:
        assert "neither keywords nor examples" in problem.message
        assert "label" in problem.message and "weak seeds" in problem.message
    book = cb.load(path)
    assert [(c.id, c.description, c.keywords, c.examples) for c in book.codes] == [
        ("responsibility", "", (), ()),
        ("housing", "", (), ()),  # an empty 'description:' is the same as none
        ("follow_up", "", (), ()),
    ]
    assert book.get("follow_up").parent == "housing"


def test_a_code_without_keywords_and_examples_is_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("    examples: [Trenger hybler]", "    keywords: []", 1))
    problems = cb.validate(path, check_lemmas=False)
    assert only(problems) == []
    (warning,) = only(problems, "warning")
    assert (warning.file, warning.line, warning.code) == (str(path), 11, "small_flats")
    assert str(warning).startswith(f"{path}:11, code 'small_flats': warning: the code has neither keywords")
    assert cb.load(path).get("small_flats").keywords == ()


@pytest.mark.parametrize(
    ("old", "new", "line", "key", "fragment"),
    [
        ("    label: Oppfølging\n", "", 10, "label", "missing field 'label'"),
        ("    label: Oppfølging\n", "    label: ''\n", 11, "label", "is empty"),
        ("    label: Oppfølging\n", "    label:\n", 11, "label", "is empty"),
        ("  - id: responsibility\n", "  - label_en: x\n", 5, "id", "missing field 'id'"),
    ],
)
def test_a_code_still_needs_an_id_and_a_label(
    tmp_path: Path, old: str, new: str, line: int, key: str, fragment: str
) -> None:
    path = write(tmp_path, LABELS_ONLY.replace(old, new, 1))
    errors = only(cb.validate(path, check_lemmas=False))
    assert [(p.line, p.key, p.message) for p in errors] == [(line, key, fragment)]
    with pytest.raises(CoderError, match=fragment):
        cb.load(path)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "the file is empty"),
        ("- a\n- b\n", "must be a mapping"),
        ("name: T\nlanguage: nb\nversion: '1'\ncodes: []\n", "non-empty list"),
        ("name: T\nlanguage: nb\nversion: '1'\n", "missing field 'codes'"),
        ("name: T\nlanguage: nb\nversion: '1'\ncodes: [x]\n", "must be a mapping with id"),
    ],
)
def test_structural_problems(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    problems = only(cb.validate(path, check_lemmas=False))
    assert any(fragment in p.message for p in problems), [str(p) for p in problems]


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="file not found"):
        cb.validate(tmp_path / "nope.yaml")
    with pytest.raises(CoderError, match="file not found"):
        cb.load(tmp_path / "nope.yaml")


# ------------------------------------------------------------------------------------------ reference answers

REFERENCE_LINE = 16  # the line of the reference_answers key that with_reference appends to GOOD


def with_reference(directory: Path, table: str | bytes | None, name: str = "ref.csv") -> Path:
    """GOOD with ``reference_answers: name`` in ``directory``, and the table beside it (unless None)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = write(directory, GOOD + f"reference_answers: {name}\n")
    assert path.read_text(encoding="utf-8").splitlines()[REFERENCE_LINE - 1] == f"reference_answers: {name}"
    if isinstance(table, str):
        (directory / name).write_text(table, encoding="utf-8")
    elif table is not None:
        (directory / name).write_bytes(table)
    return path


def test_reference_answers_are_read_relative_to_the_codebook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = (
        "question,text,codes,source\n"
        "styrker,For få boliger,housing,old\n"
        "styrker, Trenger hybler ,housing ; small_flats,old\n"
        "styrker,Kort vei til alle,,old\n"
        "styrker,  ,housing,old\n"
    )
    path = with_reference(tmp_path / "books", table)
    monkeypatch.chdir(tmp_path)  # not the codebook's directory
    book = cb.load(Path("books") / "book.yaml")
    assert book.reference_answers == (
        cb.ReferenceAnswer("For få boliger", ("housing",)),
        cb.ReferenceAnswer("Trenger hybler", ("housing", "small_flats")),
        cb.ReferenceAnswer("Kort vei til alle", ()),  # coded with no code: a negative for every code
    )  # the row without text is left out
    assert book.reference_file == "ref.csv"
    assert cb.validate(path, check_lemmas=False) == []


def test_a_codebook_without_reference_answers_has_none(tmp_path: Path) -> None:
    book = cb.load(write(tmp_path, GOOD))
    assert book.reference_answers == () and book.reference_file is None


@pytest.mark.parametrize(
    ("table", "fragments"),
    [
        (None, ["ref.csv", "file not found"]),
        ("text,code\nFor få boliger,housing\n", ["ref.csv", "column 'codes'", "missing column"]),
        ("answer,codes\nFor få boliger,housing\n", ["ref.csv", "column 'text'", "missing column"]),
        (
            "text,codes\nFor få boliger,housing\nHybler,housing;flats\n",
            ["ref.csv", "row 3", "column 'codes'", "code 'flats' is not in the codebook"],
        ),
    ],
)
def test_reference_answer_problems_are_reported_at_the_reference_key(
    tmp_path: Path, table: str | None, fragments: list[str]
) -> None:
    path = with_reference(tmp_path, table)
    (problem,) = only(cb.validate(path, check_lemmas=False))
    assert (problem.file, problem.line, problem.key) == (str(path), REFERENCE_LINE, "reference_answers")
    assert str(tmp_path / "ref.csv") in problem.message
    for fragment in fragments:
        assert fragment in problem.message
    with pytest.raises(CoderError) as raised:
        cb.load(path)
    assert (raised.value.file, raised.value.line) == (str(path), REFERENCE_LINE)
    assert all(fragment in raised.value.message for fragment in fragments)


def test_every_unknown_code_in_the_reference_answers_is_reported(tmp_path: Path) -> None:
    table = "text,codes\nA,nope\nB,housing\nC,housing;gone\n"
    problems = only(cb.validate(with_reference(tmp_path, table), check_lemmas=False))
    assert [("row 2" in p.message, "row 4" in p.message) for p in problems] == [(True, False), (False, True)]
    assert "'nope'" in problems[0].message and "'gone'" in problems[1].message


def test_an_empty_reference_answers_key_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD + "reference_answers:\n")
    (problem,) = only(cb.validate(path, check_lemmas=False))
    assert (problem.line, problem.key, problem.message) == (REFERENCE_LINE, "reference_answers", "is empty")


def test_reference_answers_from_an_excel_csv_export_are_read(tmp_path: Path) -> None:
    # cp1252 and ';' as Excel in Norwegian writes them; a cell with ';' inside is quoted
    table = 'text;codes\nFor få boliger;housing\nSmå hybler, for få;"housing;small_flats"\n'.encode("cp1252")
    book = cb.load(with_reference(tmp_path, table))
    assert book.reference_answers == (
        cb.ReferenceAnswer("For få boliger", ("housing",)),
        cb.ReferenceAnswer("Små hybler, for få", ("housing", "small_flats")),
    )


@pytest.mark.parametrize(
    ("target", "written"),
    [
        ("a/copy.yaml", "ref.csv"),  # beside the reference file
        ("copy.yaml", "a/ref.csv"),  # above it
        ("a/sub/copy.yaml", None),  # below it: '../ref.csv' would climb out, so absolute
        ("b/copy.yaml", None),  # beside its directory: absolute
    ],
)
def test_dump_yaml_writes_the_reference_path_for_the_new_place(
    tmp_path: Path, target: str, written: str | None
) -> None:
    book = cb.load(with_reference(tmp_path / "a", "text,codes\nFor få boliger,housing\n"))
    out = tmp_path / target
    out.parent.mkdir(parents=True, exist_ok=True)
    cb.dump_yaml(book, out)
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    expected = written if written is not None else (tmp_path / "a" / "ref.csv").resolve().as_posix()
    assert data["reference_answers"] == expected
    assert book.reference_answers == (cb.ReferenceAnswer("For få boliger", ("housing",)),)
    assert cb.load(out).reference_answers == book.reference_answers


def test_default_reference_answers_are_no_test_answers(coded: list[dict[str, str]]) -> None:
    # the held-out split, the independent sets and the example surveys measure the suggester; learning
    # their answers would flatter the figures
    book = cb.load(DEFAULT)
    assert book.reference_answers
    tests = {row["text"] for row in coded if row["split"] == "heldout"}
    independent = REPO / "examples" / "coded" / "independent_answers.csv"
    with independent.open(encoding="utf-8") as handle:
        tests |= {row["text"] for row in csv.DictReader(handle)}
    tests |= set(survey.answers(REPO / "examples" / "oppdal-rissa.yaml")["text"])
    seen = {text.strip().casefold() for text in tests}
    assert len(seen) > 400
    assert not [a.text for a in book.reference_answers if a.text.strip().casefold() in seen]


# ------------------------------------------------------------------------------------------ YAML round trip


def test_dump_yaml_round_trips(tmp_path: Path) -> None:
    book = cb.load(DEFAULT)
    out = cb.dump_yaml(book, tmp_path / "copy.yaml")
    assert cb.load(out) == book
    assert cb.validate(out, check_lemmas=False) == []


# ------------------------------------------------------------------------------------------ REFI-QDA

NS = "{urn:QDA-XML:codebook:1.0}"
GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
RGB_RE = re.compile(r"^#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})$")


def check_codebook_xsd_structure(root: ET.Element) -> None:
    """The structure REFI-QDA's Codebook.xsd (urn:QDA-XML:codebook:1.0) requires, checked by hand.

    CodeBook(origin?) = Codes, Sets?; Codes = Code+; Code(guid, name, isCodable required; color RGB) =
    Description?, Code*.
    """
    assert root.tag == f"{NS}CodeBook"
    assert set(root.attrib) <= {"origin"}
    children = [child.tag for child in root]
    assert children in ([f"{NS}Codes"], [f"{NS}Codes", f"{NS}Sets"])
    codes = root.find(f"{NS}Codes")
    assert codes is not None and len(codes) >= 1

    def check_code(code: ET.Element) -> None:
        assert code.tag == f"{NS}Code"
        assert {"guid", "name", "isCodable"} <= set(code.attrib) <= {"guid", "name", "isCodable", "color"}
        assert GUID_RE.match(code.get("guid", ""))
        assert code.get("isCodable") in {"true", "false", "1", "0"}
        assert code.get("name")
        if "color" in code.attrib:
            assert RGB_RE.match(code.get("color", ""))
        tags = [child.tag for child in code]
        descriptions = [i for i, tag in enumerate(tags) if tag == f"{NS}Description"]
        assert descriptions in ([], [0])  # at most one, and before the child codes
        for child in code:
            if child.tag != f"{NS}Description":
                check_code(child)

    for code in codes:
        check_code(code)


def all_codes(element: ET.Element) -> list[ET.Element]:
    return list(element.iter(f"{NS}Code"))


def test_qdc_round_trip_keeps_everything(tmp_path: Path) -> None:
    book = cb.load(DEFAULT)
    out = cb.export_qdc(book, tmp_path / "book.qdc")
    back = cb.from_qdc(out)
    # name, language, version, every field of every code, in order, and the reference answers: their file
    # stays beside the YAML codebook, its path travels in the origin attribute
    assert back == book and back.reference_answers
    assert back.get("fragmented_responsibility").strength_label == "Tydelig plassert ansvar"
    assert back.reference_file == (DEFAULT.parent / "boligsosialt-reference.csv").resolve().as_posix()
    for code in book.codes:
        twin = back.get(code.id)
        assert (twin.label, twin.keywords, twin.examples, twin.color) == (
            code.label,
            code.keywords,
            code.examples,
            code.color,
        )


def test_qdc_round_trip_keeps_the_hierarchy(tmp_path: Path) -> None:
    # the child is listed before its parent; the round trip keeps the tree (ids, parents), not the order
    text = GOOD.replace(
        "  - id: housing",
        "  - id: flats_first\n    label: Først\n    description: d\n"
        "    examples: [x]\n    parent: small_flats\n  - id: housing",
        1,
    )
    book = cb.load(write(tmp_path, text))
    back = cb.from_qdc(cb.export_qdc(book, tmp_path / "tree.qdc"))
    assert {c.id: c for c in back.codes} == {c.id: c for c in book.codes}
    root = ET.parse(tmp_path / "tree.qdc").getroot()
    top = root.find(f"{NS}Codes")
    assert top is not None
    assert [c.get("name") for c in top.findall(f"{NS}Code")] == ["Boliger"]
    nested = top.find(f"{NS}Code/{NS}Code/{NS}Code")
    assert nested is not None and nested.get("name") == "Først"


def test_qdc_xml_has_the_codebook_schema_structure() -> None:
    book = cb.load(DEFAULT)
    xml = cb.to_qdc(book)
    assert xml.startswith('<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(xml)
    check_codebook_xsd_structure(root)
    codes = all_codes(root)
    assert len(codes) == 8
    assert {c.get("name") for c in codes} == {c.label for c in book.codes}
    assert all(c.get("isCodable") == "true" for c in codes)
    assert "coder" in root.get("origin", "") and "name=Boligsosialt arbeid" in root.get("origin", "")


def test_qdc_description_carries_the_documented_data_block() -> None:
    book = cb.load(DEFAULT)
    root = ET.fromstring(cb.to_qdc(book))
    code = next(c for c in all_codes(root) if c.get("guid") == cb.code_guid("follow_up"))
    description = code.find(f"{NS}Description")
    assert description is not None and description.text is not None
    human, marker, data = description.text.partition(cb.QDC_DATA_MARKER)
    assert marker and human.strip() == book.get("follow_up").description
    assert "id: follow_up" in data and "keywords:" in data and "examples:" in data


def test_guids_are_uuid5_of_the_code_id_and_stable() -> None:
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "urn:coder:codebook:code")
    for code_id in CODE_IDS:
        assert cb.code_guid(code_id) == str(uuid.uuid5(namespace, code_id))
        assert GUID_RE.match(cb.code_guid(code_id))
    book = cb.load(DEFAULT)
    renamed = replace(book, codes=tuple(replace(c, label=c.label + " (ny)") for c in book.codes))
    guids = [c.get("guid") for c in all_codes(ET.fromstring(cb.to_qdc(book)))]
    assert guids == [c.get("guid") for c in all_codes(ET.fromstring(cb.to_qdc(renamed)))]
    assert len(set(guids)) == 8


FOREIGN_QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo 14">
  <Codes>
    <Code guid="{2B0E1B2C-1111-4C4C-9A9A-0123456789AB}" name="Samarbeid på tvers" isCodable="false"
          color="#AA0000">
      <Description>Alt om samarbeid.</Description>
      <Code guid="2b0e1b2c-2222-4c4c-9a9a-0123456789ab" name="Møteplasser" isCodable="true"/>
      <Code guid="2b0e1b2c-3333-4c4c-9a9a-0123456789ab" name="Møteplasser" isCodable="true"/>
    </Code>
    <Code guid="2b0e1b2c-4444-4c4c-9a9a-0123456789ab" name="Økonomi &amp; lån" isCodable="true"/>
  </Codes>
</CodeBook>
"""


def test_import_of_a_codebook_from_another_program(tmp_path: Path) -> None:
    path = tmp_path / "nvivo.qdc"
    path.write_text(FOREIGN_QDC, encoding="utf-8")
    # «Samarbeid på tvers» is not codable (a category): it was imported as a code, and suggested
    with pytest.warns(cb.CategoryWarning, match=r"left out 1 category \('Samarbeid på tvers': not codable"):
        book = cb.from_qdc(path)
    assert book.code_ids == ["moteplasser", "moteplasser_2", "okonomi_lan"]
    assert book.get("moteplasser").parent is None  # its category's place: the top level
    assert book.name == "nvivo" and book.get("okonomi_lan").label == "Økonomi & lån"
    with pytest.warns(cb.CategoryWarning):
        out = cb.import_qdc(path, tmp_path / "nvivo.yaml")
    problems = cb.validate(out, check_lemmas=False)
    # a foreign codebook has no keywords or examples yet: validate warns; missing descriptions are fine
    assert {p.code for p in problems if "neither keywords nor examples" in p.message} == set(book.code_ids)
    # two «Møteplasser» under one parent: one theme twice?
    twice = [p.code for p in problems if "has the label of code 'moteplasser'" in p.message]
    assert twice == ["moteplasser_2"]
    assert len(problems) == 4 and only(problems) == []
    assert cb.load(out).get("moteplasser").description == ""


def test_categories_are_told_apart_by_their_element_and_namesakes_by_their_category(tmp_path: Path) -> None:
    path = tmp_path / "qualcoder.qdc"
    path.write_text(
        """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="QualCoder">
  <Codes>
    <Code guid="g0" name="Hindringer.Tid" isCodable="true"/>
    <Code guid="g1" name="Hindringer" isCodable="false">
      <Code guid="g2" name="Annet" isCodable="true"/>
      <Code guid="g3" name="Økonomi" isCodable="0"><Code guid="g4" name="Lån" isCodable="true"/></Code>
    </Code>
    <Code guid="g5" name="Fremmere" isCodable="false">
      <Code guid="g6" name="Annet" isCodable="true"/>
      <Code guid="g7" name="Samarbeid" isCodable="true"><Code guid="g8" name="Uformelt"/></Code>
    </Code>
    <Code guid="g9" name="Bolig" isCodable="false"><Code guid="g10" name="Tilpasset"/></Code>
    <Code guid="g11" name="Bolig" isCodable="true"><Description>En kode</Description></Code>
  </Codes>
</CodeBook>
""",
        encoding="utf-8",
    )
    with pytest.warns(cb.CategoryWarning, match="left out 4 categories") as caught:
        book = cb.from_qdc(path)
    assert "('Bolig', 'Fremmere', 'Hindringer', 'Hindringer.Økonomi':" in str(caught[0].message)
    assert [(c.id, c.label, c.parent) for c in book.codes] == [
        ("tid", "Tid", None),  # a dotted name before its category's element makes no code of the category
        ("annet", "Annet (Hindringer)", None),  # two «Annet» read as one theme twice
        ("lan", "Lån", None),  # «0» is xs:boolean's false too
        ("annet_2", "Annet (Fremmere)", None),
        ("samarbeid", "Samarbeid", None),
        ("uformelt", "Uformelt", "samarbeid"),
        ("tilpasset", "Tilpasset", None),
        ("bolig", "Bolig", None),  # the codable «Bolig» beside the category of its name was dropped
    ]
    assert book.get("bolig").description == "En kode"


def test_import_of_taguette_dotted_names_builds_the_hierarchy(tmp_path: Path) -> None:
    path = tmp_path / "taguette.qdc"
    path.write_text(TAGUETTE_QDC, encoding="utf-8")
    book = cb.from_qdc(path)
    assert [(c.id, c.label, c.parent) for c in book.codes] == [
        ("ansvar", "Ansvar", None),
        ("uklart_ansvar", "Uklart ansvar", "ansvar"),
        ("bolig", "Bolig", None),  # no code has that name: created as a parent
        ("tilpassede_boliger", "Tilpassede boliger", "bolig"),  # created first, filled in by its own <Code>
        ("omsorgsboliger", "Omsorgsboliger", "tilpassede_boliger"),  # A.B.C chains
        ("tiltak_1_2", "Tiltak 1.2", None),  # a dot between digits does not split
        ("samarbeid_f_eks_med_nav", "Samarbeid, f.eks. med NAV", None),  # nor one in an abbreviation
        ("st_meld", "St.meld", None),  # 'St.meld' is an abbreviation, the dot after it splits
        ("oppfolging", "Oppfølging", "st_meld"),
    ]
    assert book.get("tilpassede_boliger").color == "#00AA00"
    assert all(c.description == "" and not c.keywords and not c.examples for c in book.codes)
    out = cb.import_qdc(path, tmp_path / "taguette.yaml")
    problems = cb.validate(out)
    assert only(problems) == [], [str(p) for p in problems]
    assert {p.code for p in problems} == set(book.code_ids)  # each: neither keywords nor examples
    assert cb.load(out) == book


def test_import_keeps_the_hierarchy_of_nested_codes_and_dotted_names_within(tmp_path: Path) -> None:
    path = tmp_path / "nested.qdc"
    path.write_text(
        """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0">
  <Codes>
    <Code guid="a" name="Samarbeid" isCodable="true">
      <Code guid="b" name="Møter" isCodable="true">
        <Code guid="c" name="Faste møter" isCodable="true"/>
      </Code>
      <Code guid="d" name="Nettverk.Uformelle nettverk" isCodable="true"/>
    </Code>
    <Code guid="e" name="Møter" isCodable="true"/>
  </Codes>
</CodeBook>
""",
        encoding="utf-8",
    )
    book = cb.from_qdc(path)
    assert [(c.id, c.label, c.parent) for c in book.codes] == [
        ("samarbeid", "Samarbeid", None),
        ("moter", "Møter", "samarbeid"),
        ("faste_moter", "Faste møter", "moter"),
        ("nettverk", "Nettverk", "samarbeid"),  # a dotted name below a nested code: its parent is made there
        ("uformelle_nettverk", "Uformelle nettverk", "nettverk"),
        ("moter_2", "Møter", None),  # the same name elsewhere is another code
    ]
    assert only(cb.validate(cb.import_qdc(path, tmp_path / "nested.yaml"))) == []


def test_a_dotted_parent_whose_code_comes_later_takes_its_coder_id(tmp_path: Path) -> None:
    # the <Code> of the parent carries coder's data block: its id replaces the one made from the name
    parent = cb.to_qdc(
        cb.Codebook("T", "nb", "1", (cb.Code("responsibility", "Ansvar", keywords=("ansvar",)),))
    )
    child = '<Code guid="x" name="Ansvar.Uklart ansvar" isCodable="true"/>'
    path = tmp_path / "mixed.qdc"
    path.write_text(parent.replace("<Codes>", f"<Codes>{child}", 1), encoding="utf-8")
    book = cb.from_qdc(path)
    assert [(c.id, c.parent, c.keywords) for c in book.codes] == [
        ("responsibility", None, ("ansvar",)),
        ("uklart_ansvar", "responsibility", ()),
    ]


def test_coder_labels_with_dots_are_not_split_on_the_way_back(tmp_path: Path) -> None:
    book = cb.Codebook("T", "nb", "1", (cb.Code("ref", "Ansvar.Uklart", keywords=("ansvar",)),))
    back = cb.from_qdc(cb.export_qdc(book, tmp_path / "dots.qdc"))
    assert back == book


def reference_book(directory: Path) -> cb.Codebook:
    table = "text,codes\nFor få boliger,housing\nFor få små leiligheter,small_flats\nKort vei til alle,\n"
    return cb.load(with_reference(directory, table))  # every code carried: no warning of a code added since


@pytest.mark.parametrize(
    ("qdc", "written"),
    [
        ("books/book.qdc", "ref.csv"),  # beside the reference file
        ("book.qdc", "books/ref.csv"),  # above it
        ("elsewhere/book.qdc", None),  # '../books/ref.csv' would climb out: absolute
    ],
)
def test_qdc_export_and_import_keep_the_reference_answers(
    tmp_path: Path, qdc: str, written: str | None
) -> None:
    book = reference_book(tmp_path / "books")
    assert len(book.reference_answers) == 3
    (tmp_path / qdc).parent.mkdir(parents=True, exist_ok=True)
    exported = cb.export_qdc(book, tmp_path / qdc)
    expected = written if written is not None else (tmp_path / "books" / "ref.csv").resolve().as_posix()
    origin = ET.parse(exported).getroot().get("origin", "")
    assert origin.endswith(f"; reference_answers={expected}")
    back = cb.from_qdc(exported)
    assert back == book and back.reference_file == expected
    # import writes the path relative to the new YAML; the result validates and loads the same answers
    out = tmp_path / "imported" / "book.yaml"
    out.parent.mkdir()
    cb.import_qdc(exported, out)
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["reference_answers"] == (
        (tmp_path / "books" / "ref.csv").resolve().as_posix()
    )
    assert cb.validate(out) == []
    assert cb.load(out).reference_answers == book.reference_answers


def test_to_qdc_without_a_directory_writes_the_reference_path_as_the_codebook_has_it(tmp_path: Path) -> None:
    book = reference_book(tmp_path)
    assert "; reference_answers=ref.csv" in ET.fromstring(cb.to_qdc(book)).get("origin", "")
    assert "reference_answers" not in ET.fromstring(cb.to_qdc(cb.load(write(tmp_path, GOOD)))).get(
        "origin", ""
    )


@pytest.mark.parametrize(
    ("table", "fragments"),
    [
        (None, ["ref.csv", "file not found"]),
        ("text,codes\nHybler,flats\n", ["ref.csv", "row 2", "code 'flats' is not in the codebook"]),
    ],
)
def test_an_unreadable_reference_file_in_a_qdc_is_a_user_error(
    tmp_path: Path, table: str | None, fragments: list[str]
) -> None:
    exported = cb.export_qdc(reference_book(tmp_path / "books"), tmp_path / "books" / "book.qdc")
    reference = tmp_path / "books" / "ref.csv"
    if table is None:
        reference.unlink()
    else:
        reference.write_text(table, encoding="utf-8")
    with pytest.raises(CoderError) as raised:
        cb.from_qdc(exported)
    assert raised.value.file == str(exported) and raised.value.key == "reference_answers"
    assert str(reference) in raised.value.message
    assert all(fragment in str(raised.value) for fragment in fragments)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("<CodeBook><Codes>", "not well-formed XML"),
        ('<Project xmlns="urn:QDA-XML:project:1.0"/>', "the root element is <Project>"),
        ('<CodeBook xmlns="urn:other"><Codes/></CodeBook>', "unexpected namespace"),
        ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"/>', "no <Codes> element"),
        ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "has no codes"),
        (
            '<CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
            '<Codes><Code guid="x" isCodable="true"/></Codes></CodeBook>',
            "has no name",
        ),
        (
            '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x" name="A" isCodable="true">'
            f"<Description>{cb.QDC_DATA_MARKER}\nkeywords: {{a: 1}}\n</Description>"
            "</Code></Codes></CodeBook>",
            "code 'A': 'keywords' in the coder data block must be a list of texts",
        ),
        (
            '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x" name="A" isCodable="true">'
            f"<Description>{cb.QDC_DATA_MARKER}\nid: a\nkeywords: [a\n</Description>"
            "</Code></Codes></CodeBook>",
            "unreadable coder data block in Description: expected ',' or ']', but got '<stream end>'",
        ),
    ],
)
def test_bad_qdc_files_are_user_errors(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.qdc"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CoderError, match=re.escape(fragment)) as raised:
        cb.from_qdc(path)
    assert raised.value.file == str(path)


# ------------------------------------------------------------------------------------------ example set


@pytest.fixture(scope="module")
def coded() -> list[dict[str, str]]:
    return read_table(CODED).to_dict("records")


def test_coded_answers_shape(coded: list[dict[str, str]]) -> None:
    assert len(coded) >= 300
    assert set(coded[0]) == {"id", "question", "text", "codes", "split"}
    assert len({row["id"] for row in coded}) == len(coded)
    questions = "styrker utfordringer samordning ansvarsavklaring omlop flyktninger fokus motepunkter"
    assert {row["question"] for row in coded} == set(questions.split())


def test_coded_answers_codes(coded: list[dict[str, str]]) -> None:
    known = set(cb.load(DEFAULT).code_ids)
    codes = [[c for c in row["codes"].split(";") if c] for row in coded]
    counts = Counter(c for row in codes for c in row)
    assert set(counts) == known
    assert min(counts.values()) >= 25, counts
    assert all(len(set(row)) == len(row) for row in codes)
    multi = sum(len(row) >= 2 for row in codes) / len(codes)
    empty = sum(not row for row in codes) / len(codes)
    assert 0.18 <= multi <= 0.32 and 0.06 <= empty <= 0.14, (multi, empty)


def test_coded_answers_split_follows_the_documented_rule(coded: list[dict[str, str]]) -> None:
    order = sorted(row["id"] for row in coded)
    random.Random(20261126).shuffle(order)
    heldout = {code_id for i, code_id in enumerate(order) if i % 3 == 2}
    assert {row["id"] for row in coded if row["split"] == "heldout"} == heldout
    assert {row["split"] for row in coded} == {"train", "heldout"}
    share = len(heldout) / len(coded)
    assert 0.3 <= share <= 0.36
    for code_id in CODE_IDS:  # each code is measurable on both sides
        assert sum(code_id in row["codes"].split(";") for row in coded if row["split"] == "heldout") >= 10


def test_coded_answers_do_not_repeat_the_codebook_examples(coded: list[dict[str, str]]) -> None:
    book = cb.load(DEFAULT)
    seen = {text.strip().lower() for code in book.codes for text in (*code.examples, *code.counter_examples)}
    assert not [row["text"] for row in coded if row["text"].strip().lower() in seen]


# ------------------------------------------------------------------------ the first cause first; warnings


def test_a_duplicate_id_is_reported_first_and_its_follow_ons_in_one_line(renamed_code_book: Path) -> None:
    errors = only(cb.validate(renamed_code_book, check_lemmas=False))
    assert len(errors) == 2
    assert errors[0].message == "duplicate id 'fragmented_responsibility' (first on line 45)"
    assert "row(s) name codes that are not in the codebook ('adapted_housing')" in errors[1].message
    assert "fix those first" in errors[1].message
    with pytest.raises(CoderError, match="duplicate id 'fragmented_responsibility'"):
        cb.load(renamed_code_book)


def test_unknown_reference_codes_are_grouped_per_code(tmp_path: Path) -> None:
    table = "text,codes\n" + "".join(f"svar {n},gone\n" for n in range(8))
    (problem,) = only(cb.validate(with_reference(tmp_path, table), check_lemmas=False))
    assert "rows 2, 3, 4, 5, 6, ... (8 rows in all), column 'codes': code 'gone'" in problem.message


def test_a_codebook_with_a_bom_loads(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert cb.load(path).name == "Test"


def test_export_takes_the_format_from_to_or_the_suffix_and_names_what_is_wrong(tmp_path: Path) -> None:
    book = cb.load(write(tmp_path, GOOD))
    assert cb.export(book, tmp_path / "a.yml") == tmp_path / "a.yml"
    assert cb.load(tmp_path / "a.yml").code_ids == book.code_ids  # YAML from the suffix
    assert cb.export(book.path, to="qdc") == tmp_path / "book.qdc"  # beside the codebook by default
    assert cb.from_qdc(tmp_path / "book.qdc").code_ids == book.code_ids
    assert cb.export(book, tmp_path / "b.xml").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    with pytest.raises(CoderError, match="unknown format 'docx'") as raised:
        cb.export(book, tmp_path / "c", to="docx")
    assert raised.value.key == "to"
    with pytest.raises(CoderError, match=r"unknown suffix '\.txt' \(use \.qdc or \.yaml") as raised:
        cb.export(book, tmp_path / "koder.txt")  # it wrote REFI-QDA XML into a .txt
    assert raised.value.key == "out" and not (tmp_path / "koder.txt").exists()
    written = cb.export(book, tmp_path / "koder.txt", to="yaml")  # --to says it: any suffix
    assert cb.load(written).code_ids == book.code_ids
    with pytest.raises(CoderError, match="would overwrite the input"):
        cb.export(book, to="yaml")
    assert cb.load(book.path).name == "Test"


def test_check_coded_answers_is_the_one_id_and_code_check(tmp_path: Path) -> None:
    book = cb.load(write(tmp_path, GOOD))
    first = book.code_ids[0]
    cb.check_coded_answers(["a", "b"], [[first], []], {"a", "b"}, book)  # all known: no error
    with pytest.raises(CoderError, match=r"2 ids are not in the answers: 'x', 'y'") as error:
        cb.check_coded_answers(["a", "x", "y", "x"], [[], [], [], []], ["a"], book, file="k.csv")
    assert (error.value.file, error.value.row, error.value.column) == ("k.csv", 3, "id")
    with pytest.raises(CoderError, match="no such person"):
        cb.check_coded_answers(["x"], [[]], set(), book, why_unknown=lambda ids: f"{ids}: no such person")
    message = f"code 'nope' is not in the codebook 'Test' \\(codes: {first}"
    with pytest.raises(CoderError, match=message) as error:
        cb.check_coded_answers(["x", "a"], [[first], [first, "nope"]], {"a", "x"}, book, column="codes")
    assert (error.value.row, error.value.column) == (3, "codes")


def test_a_code_as_a_dict_and_back(tmp_path: Path) -> None:
    for code in cb.load(DEFAULT).codes:
        data = code.to_dict()
        assert cb.Code.from_dict(data) == code
        assert all(value not in ("", [], None) for value in data.values())  # the YAML's form: no empty fields
    full = dataclasses.asdict(cb.load(DEFAULT).codes[0])  # how a project stores its codes
    assert cb.Code.from_dict({**full, "unknown": 1}) == cb.load(DEFAULT).codes[0]


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("concept: x\nterms: [x]\n", ":1", "expected a list of concepts"),
        ("", ":1", "expected a list of concepts"),
        ("- concept: x\n  terms: []\n", ":2, key 'terms'", "expected a list of words"),
        ("- concept: a\n  terms: [a]\n- concept: b\n  terms: [Fiksern]\n", ":4, key 'terms'", "lower case"),
        ("- concept: a\n  terms:\n    - a\n    - 3\n", ":4, key 'terms'", "term 3 of 'a': not a word"),
        ("- concept: a\n  terms:\n    - a\n    -\n", ":4, key 'terms'", "an empty term in 'a': not a word"),
        ("- concept: a\n  terms: [a]\n- name: b\n  terms: [b]\n", ":3", "(found: name, terms)"),
        ("- concept: ' '\n  terms: [a]\n", ":1, key 'concept'", "needs a name"),
        ("- concept: a\n  terms: [1]\n", ":2, key 'terms'", "not a word"),
    ],
)
def test_a_lexicon_not_of_concepts_and_terms_is_one_clear_error(
    tmp_path: Path, text: str, where: str, message: str
) -> None:
    lexicon = tmp_path / "begreper.yaml"
    lexicon.write_text(text, encoding="utf-8")
    with pytest.raises(CoderError) as caught:
        cb.read_lexicon(lexicon)
    assert str(caught.value).startswith(f"{lexicon}{where}: ") and message in str(caught.value)


def test_a_single_keyword_in_a_qdc_data_block_is_a_list_of_one(tmp_path: Path) -> None:
    path = tmp_path / "one.qdc"  # a number where a list was written: TypeError before
    path.write_text(
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x" name="A" isCodable="true" '
        f'color="red"><Description>{cb.QDC_DATA_MARKER}\nid: a\nkeywords: 7\nexamples: Ett svar\n'
        "</Description></Code></Codes></CodeBook>",
        encoding="utf-8",
    )
    (code,) = cb.from_qdc(path).codes
    assert (code.keywords, code.examples) == (("7",), ("Ett svar",))
    assert code.color is None  # REFI-QDA's colours are #RRGGBB: «red» would make the codebook invalid


def test_a_codebook_written_by_hand_may_leave_out_language_and_version(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("name: Mine temaer\ncodes:\n  - id: bolig\n    label: Bolig\n", encoding="utf-8")
    assert only(cb.validate(path)) == []  # warnings only (a code of a label alone)
    book = cb.load(path)
    assert (book.name, book.language, book.version, book.code_ids) == ("Mine temaer", "nb", "1", ["bolig"])


def test_a_yaml_merge_key_gives_a_code_its_fields_and_its_own_win(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name: M\ncodes:\n  - &base\n    id: a\n    label: A\n    description: Felles\n"
        "    keywords: [bolig]\n  - <<: *base\n    id: b\n    label: B\n    keywords: [møte]\n",
        "felles.yaml",
    )
    assert only(cb.validate(path, check_lemmas=False)) == []
    book = cb.load(path)
    assert [(c.id, c.label, c.description, c.keywords) for c in book.codes] == [
        ("a", "A", "Felles", ("bolig",)),
        ("b", "B", "Felles", ("møte",)),
    ]
    path.write_text("name: M\ncodes:\n  - id: a\n    label: A\n    label: B\n", encoding="utf-8")
    with pytest.raises(CoderError, match="duplicate key 'label'"):  # written twice: still an error
        cb.load(path)


def test_codes_nested_deeper_than_the_limit_are_one_error_not_a_recursion(tmp_path: Path) -> None:
    parent = [""] + [f"    parent: c{i - 1}\n" for i in range(2, 80)]
    chain = "".join(f"  - id: c{i}\n    label: C{i}\n{parent[i - 1]}" for i in range(1, 80))
    path = tmp_path / "dyp.yaml"
    path.write_text(f"name: D\ncodes:\n{chain}", encoding="utf-8")
    errors = only(cb.validate(path, check_lemmas=False))
    assert len(errors) == 1 and f"at most {cb.MAX_DEPTH}" in errors[0].message
    with pytest.raises(CoderError, match="levels deep"):
        cb.load(path)


def test_an_alias_bomb_in_a_qdc_data_block_is_refused_at_once(tmp_path: Path) -> None:
    from xml.sax.saxutils import escape

    # Nested lists of aliases, printed as keywords, grew exponentially: eight levels took minutes and GBs.
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}]" for n in range(1, 9)]
    block = "\n".join([*levels, "id: a", "keywords: *a8"])
    path = tmp_path / "bomb.qdc"
    path.write_text(
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x" name="A" isCodable="true">'
        f"<Description>{cb.QDC_DATA_MARKER}\n{escape(block)}\n</Description></Code></Codes></CodeBook>",
        encoding="utf-8",
    )
    with pytest.raises(CoderError, match="'keywords' in the coder data block must be a list of texts"):
        cb.from_qdc(path)


def test_codes_nested_too_deep_in_a_qdc_are_one_error_not_a_recursion(tmp_path: Path) -> None:
    depth = 1200
    opening = "".join(f'<Code guid="g{n}" name="Kode {n}" isCodable="true">' for n in range(depth))
    path = tmp_path / "deep.qdc"
    path.write_text(
        f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{opening}{"</Code>" * depth}</Codes></CodeBook>',
        encoding="utf-8",
    )
    with pytest.raises(CoderError, match=f"the codes nest more than {cb.MAX_DEPTH} levels deep"):
        cb.from_qdc(path)


def test_a_qdc_keeps_a_name_and_version_with_semicolons_and_control_characters(tmp_path: Path) -> None:
    book = cb.Codebook("Kodebok; Oppdal; version=9", "nb", "2.0; language=en", (cb.Code("a", "Bo\x0bg"),))
    back = cb.from_qdc(cb.export_qdc(book, tmp_path / "book.qdc"))  # the \x0b made XML no reader parses
    assert (back.name, back.version, back.language) == (
        "Kodebok; Oppdal; version=9",
        "2.0; language=en",
        "nb",
    )
    assert back.codes[0].label == "Bo\\x0bg"


def test_importing_a_qdc_over_itself_is_refused(tmp_path: Path) -> None:
    path = cb.export_qdc(cb.Codebook("T", "nb", "1", (cb.Code("a", "A"),)), tmp_path / "book.qdc")
    with pytest.raises(CoderError, match="the output would overwrite the input"):
        cb.import_qdc(path, path)
    assert path.read_text(encoding="utf-8").startswith("<?xml")


def test_two_codes_of_one_label_under_one_parent_are_a_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name: T\ncodes:\n  - id: a\n    label: Bolig\n  - id: b\n    label: ' bolig'\n"
        "  - id: c\n    label: Barn\n    parent: a\n  - id: d\n    label: Barn\n",
    )
    said = [p.message for p in cb.validate(path, check_lemmas=False) if "label of" in p.message]
    assert said == ["code 'b' has the label of code 'a' ('bolig'): one theme twice?"]  # not Barn: two parents


def test_a_strength_name_that_is_another_codes_name_there_is_a_warning(tmp_path: Path) -> None:
    # under a strength question the report would show two themes of one name
    path = write(
        tmp_path,
        "name: T\ncodes:\n  - id: ansvar\n    label: Uklart ansvar\n    strength_label: Tydelig ansvar\n"
        "  - id: tydelig\n    label: Tydelig ansvar\n  - id: bolig\n    label: Bolig\n",
    )
    said = [(p.key, p.message) for p in cb.validate(path, check_lemmas=False) if p.severity == "warning"]
    expected = (
        "code 'tydelig' has the name of code 'ansvar' under strengths ('Tydelig ansvar'): one theme twice?"
    )
    assert ("label", expected) in said and not any("bolig" in message for _key, message in said)


def test_a_code_by_label_is_its_id_unless_two_codes_have_that_label() -> None:
    from coder.codebook import Code, Codebook, check_coded_answers, ids_of_labels

    book = Codebook("t", "nb", "1", (Code("a", "Bolig"), Code("b", "Bolig"), Code("c", "Oppfølging")))
    assert ids_of_labels(["oppfølging", "Bolig", "a"], book) == ["c", "Bolig", "a"]
    three = Codebook("t", "nb", "1", (*book.codes, Code("d", "bolig")))
    with pytest.raises(CoderError, match="the label of codes 'a', 'b' and 'd'"):
        check_coded_answers(["x"], [["Bolig"]], {"x"}, three)
    with pytest.raises(
        CoderError, match="it is the label of codes 'a' and 'b': write the id of the one you mean"
    ):
        check_coded_answers(["x"], [["Bolig"]], {"x"}, book)  # it named 'b' alone, as if the only one
