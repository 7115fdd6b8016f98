"""Survey manifests: loading, checking, the answers table, and the facts the example data must reproduce."""

from __future__ import annotations

import math
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest
from support.survey import (
    BOTH,
    OPPDAL,
    REPO,
    edit,
    fixture_copy,  # noqa: F401
)

from coder import survey
from coder.errors import CoderError

RISSA = REPO / "examples" / "rissa" / "manifest.yaml"


# The published network sizes of the domain brief (functions per municipality).
PUBLISHED = {
    "Oppdal": {
        "Øk. virkemidler": 12, "Tjenester": 10, "Tildeling": 7, "Husleiekontrakt": 2, "Utbygging": 2,
        "Skaffe bolig": 3, "Arealplan": 3, "Drift": 2, "Boligsosial plan": 5, "Samfunnsplan": 4,
        "Politisk folkevalgt": 3,
    },
    "Rissa": {
        "Øk. virkemidler": 3, "Tjenester": 13, "Tildeling": 7, "Husleiekontrakt": 2, "Utbygging": 2,
        "Skaffe bolig": 4, "Arealplan": 2, "Drift": 2, "Boligsosial plan": 3, "Samfunnsplan": 4,
        "Politisk folkevalgt": 2,
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def oppdal() -> survey.Survey:
    return survey.load(OPPDAL)


# ---------------------------------------------------------------------------------------------------------
# The example data reproduce the domain facts
# ---------------------------------------------------------------------------------------------------------


def test_oppdal_people_respondents_and_response_rate(oppdal: survey.Survey) -> None:
    overview = survey.summary(oppdal).overview.set_index("municipality")
    assert overview.loc["Oppdal", "people"] == 29
    assert overview.loc["Oppdal", "respondents"] == 23
    assert round(overview.loc["Oppdal", "response_rate"] * 100) == 79


@pytest.mark.parametrize("manifest, municipality", [(OPPDAL, "Oppdal"), (RISSA, "Rissa")])
def test_function_counts_match_the_published_column(manifest: Path, municipality: str) -> None:
    table = survey.summary(survey.load(manifest)).functions.set_index("function")[municipality]
    for function, count in PUBLISHED[municipality].items():
        assert table[function] == count, function
    assert table["functions in total"] == sum(PUBLISHED[municipality].values())
    assert table["people in the network"] == 29


def test_rating_means_leave_vet_ikke_out() -> None:
    ratings = survey.summary(survey.load(BOTH)).ratings.set_index("municipality")
    assert ratings.loc["Oppdal", "mean"] == pytest.approx(2.7, abs=0.05)
    assert ratings.loc["Rissa", "mean"] == pytest.approx(4.0, abs=0.05)
    assert ratings.loc["Oppdal", "missing"] >= 2
    loaded = survey.load(OPPDAL).ratings
    vet_ikke = loaded[loaded["raw"].str.casefold() == "vet ikke"]
    assert len(vet_ikke) == ratings.loc["Oppdal", "missing"] and vet_ikke["value"].isna().all()
    assert loaded["value"].mean() == pytest.approx(ratings.loc["Oppdal", "mean"])  # pandas skips NaN too


def test_rissa_response_rate_and_responded_column() -> None:
    rissa = survey.load(RISSA)
    assert len(rissa.respondents) == 29 and rissa.respondents["responded"].sum() == 24
    assert round(rissa.respondents["responded"].mean() * 100) == 83


def test_answers_table_is_long_without_empty_answers(oppdal: survey.Survey) -> None:
    answers = survey.answers(oppdal)
    assert list(answers.columns) == ["id", "respondent_id", "question_id", "municipality", "text"]
    assert (answers["text"].str.strip() != "").all()
    assert (answers["id"] == answers["respondent_id"] + ":" + answers["question_id"]).all()
    assert answers["id"].is_unique
    counts = answers["question_id"].value_counts()
    general = min(counts["styrker"], counts["utfordringer"])
    assert all(general > counts[q] for q in ("samordning", "ansvarsavklaring", "motepunkter"))
    assert set(answers["respondent_id"]) <= set(oppdal.respondents.query("responded")["respondent_id"])
    # The export is cp1252: Norwegian letters and guillemets survive the decoding.
    assert answers["text"].str.contains("å").any() and answers["text"].str.contains("ø").any()


def test_the_generator_reproduces_the_example_files(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_synthetic", REPO / "examples" / "make_synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for municipality in ("oppdal", "rissa"):
        made = sorted(p.name for p in (tmp_path / municipality).iterdir())
        assert "koder.csv" in made and "kontakter.csv" in made
        for name in made:
            expected = (REPO / "examples" / municipality / name).read_bytes()
            assert (tmp_path / municipality / name).read_bytes() == expected, f"{municipality}/{name}"


def test_oppdal_export_is_semicolon_cp1252() -> None:
    raw = (OPPDAL.parent / "questback_eksport.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("cp1252").splitlines()[0].count(";") >= 6


def test_functions_keep_primary_first(oppdal: survey.Survey) -> None:
    people = oppdal.respondents.set_index("respondent_id")
    assert people.loc["O16", "functions"] == ("Drift", "Utbygging", "Skaffe bolig", "Husleiekontrakt")
    assert survey.function_groups(oppdal)["O16"] == "Drift"


def test_included_manifests_are_concatenated() -> None:
    both = survey.load(BOTH)
    assert both.municipalities == ["Oppdal", "Rissa"]
    assert len(both.respondents) == 58
    assert set(both.contacts["municipality"]) == {"Oppdal", "Rissa"}
    assert len(both.answers) == len(survey.load(OPPDAL).answers) + len(survey.load(RISSA).answers)


def test_norwegian_and_english_frequencies_are_read() -> None:
    both = survey.load(BOTH)
    assert set(both.contacts["frequency"]) == set(survey.LEVELS)
    assert "månedlig" in (OPPDAL.parent / "kontakter.csv").read_text(encoding="utf-8")


def test_xlsx_export_reads_like_the_csv(copy: Path) -> None:
    export = copy.parent / "questback_eksport.csv"
    frame = pd.read_csv(export, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    frame.to_excel(copy.parent / "eksport.xlsx", index=False)
    text = copy.read_text(encoding="utf-8").replace("file: questback_eksport.csv", "file: eksport.xlsx")
    copy.write_text(text, encoding="utf-8")
    from_xlsx = survey.load(copy)
    from_csv = survey.load(OPPDAL)
    pd.testing.assert_frame_equal(from_xlsx.answers, from_csv.answers)
    pd.testing.assert_frame_equal(from_xlsx.ratings, from_csv.ratings)


# ---------------------------------------------------------------------------------------------------------
# Problems: each with file, row and column; check collects all, load raises the first
# ---------------------------------------------------------------------------------------------------------


def only_problem(manifest: Path) -> CoderError:
    problems = survey.check(manifest)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def test_contact_naming_an_unknown_person(copy: Path) -> None:
    edit(copy.parent / "kontakter.csv", "O01,O02,ukentlig", "O01,O99,ukentlig")
    problem = only_problem(copy)
    assert "unknown person 'O99'" in problem.message
    assert (Path(problem.file).name, problem.row, problem.column) == ("kontakter.csv", 2, "til")


def test_self_contact(copy: Path) -> None:
    edit(copy.parent / "kontakter.csv", "O01,O02,ukentlig", "O01,O01,ukentlig")
    problem = only_problem(copy)
    assert "self-contact" in problem.message and problem.row == 2


def test_bad_frequency(copy: Path) -> None:
    edit(copy.parent / "kontakter.csv", "O01,O02,ukentlig", "O01,O02,av og til")
    problem = only_problem(copy)
    assert "bad frequency 'av og til'" in problem.message and "dagleg/vekentleg/månadleg" in problem.message
    assert (problem.row, problem.column) == (2, "hyppighet")
    edit(copy.parent / "kontakter.csv", "O01,O02,av og til", "O01,O02,Ukentleg")  # Nynorsk with «uke»
    assert survey.check(copy) == []


def test_extra_frequency_values_can_be_declared(copy: Path) -> None:
    edit(copy.parent / "kontakter.csv", "O01,O02,ukentlig", "O01,O02,flere ganger i uka")
    assert "bad frequency" in only_problem(copy).message
    edit(copy, "frequency: hyppighet", "frequency: hyppighet\n  frequencies: {flere ganger i uka: weekly}")
    assert survey.check(copy) == []
    contacts = survey.load(copy).contacts.set_index(["source", "target"])
    assert contacts.loc[("O01", "O02"), "frequency"] == "weekly"
    edit(copy, "{flere ganger i uka: weekly}", "{flere ganger i uka: ukentlig}")  # a level as files write it
    assert (
        survey.load(copy).contacts.set_index(["source", "target"]).loc[("O01", "O02"), "frequency"]
        == "weekly"
    )
    edit(copy, "{flere ganger i uka: ukentlig}", "{flere ganger i uka: ukentlig, årlig: yearly}")
    lines = copy.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("  frequencies:"))
    first, *_ = survey.check(copy)  # the manifest's mistake first, not a row of the file that uses it
    assert str(first) == (
        f"{copy}:{line}, key 'contacts.frequencies.årlig': 'årlig' maps to 'yearly', not a level (daily,"
        " weekly, monthly)"
    )


def test_rating_outside_the_scale(copy: Path) -> None:
    export = copy.parent / "questback_eksport.csv"
    lines = export.read_bytes().decode("cp1252").split("\r\n")
    assert lines[1].startswith("O01;") and lines[1].endswith(";2")
    lines[1] = lines[1][:-1] + "7"
    export.write_bytes("\r\n".join(lines).encode("cp1252"))
    problem = only_problem(copy)
    assert "rating 7 is outside the scale 1–6" in problem.message
    assert problem.row == 2 and problem.column.startswith("Hvor godt")


def test_rating_that_is_no_value(copy: Path) -> None:
    export = copy.parent / "questback_eksport.csv"
    edit(export, ";Vet ikke", ";kanskje", encoding="cp1252")
    assert "'kanskje' is not a value on the scale" in only_problem(copy).message


def test_function_not_in_the_declared_list(copy: Path) -> None:
    edit(copy.parent / "personer.csv", "O02,NAV-veileder A,Øk. virkemidler", "O02,NAV-veileder A,Barnevern")
    problem = only_problem(copy)
    assert "function 'Barnevern' is not in the declared list" in problem.message
    assert (problem.row, problem.column) == (3, "funksjoner")


def test_duplicate_respondent_id(copy: Path) -> None:
    edit(copy.parent / "personer.csv", "O02,NAV-veileder A", "O01,NAV-veileder A")
    problems = survey.check(copy)
    duplicate = [p for p in problems if "duplicate id 'O01'" in p.message]
    assert duplicate and duplicate[0].row == 3 and duplicate[0].column == "id"


def test_respondent_without_municipality(copy: Path) -> None:
    edit(copy, "municipality: Oppdal", "")
    problems = survey.check(copy)
    assert len(problems) == 29
    assert "respondent 'O01' has no municipality" in problems[0].message and problems[0].row == 2


def test_unknown_respondent_in_the_export(copy: Path) -> None:
    edit(copy.parent / "questback_eksport.csv", "O29;", "O30;", encoding="cp1252")
    problem = only_problem(copy)
    assert "unknown respondent 'O30'" in problem.message and problem.column == "Respondent-ID"


def test_unknown_political_body_and_type(copy: Path) -> None:
    edit(copy.parent / "politisk_kontakt.csv", "O01,formannskap,gir informasjon", "O01,bystyre,sladder")
    messages = [p.message for p in survey.check(copy)]
    assert any("unknown body 'bystyre'" in m for m in messages)
    assert any("unknown contact type 'sladder'" in m for m in messages)


def test_check_collects_every_problem_and_load_raises_the_first(copy: Path) -> None:
    edit(copy.parent / "kontakter.csv", "O01,O02,ukentlig", "O01,O99,ukentlig")
    edit(copy.parent / "kontakter.csv", "O01,O03,ukentlig", "O01,O03,hver dag")
    edit(copy.parent / "personer.csv", "O02,NAV-veileder A,Øk. virkemidler", "O02,NAV-veileder A,Barnevern")
    problems = survey.check(copy)
    assert len(problems) == 3
    with pytest.raises(CoderError) as raised:
        survey.load(copy)
    assert str(raised.value) == f"{problems[0]} (the first of 3 problems in this survey)"


def test_missing_column_is_named(copy: Path) -> None:
    edit(copy, "frequency: hyppighet", "frequency: hvor ofte")
    problem = only_problem(copy)
    assert problem.column == "hvor ofte" and "missing column" in problem.message


def test_missing_file_is_named(copy: Path) -> None:
    (copy.parent / "kontakter.csv").unlink()
    problem = only_problem(copy)  # at the manifest's line, as the data file's «file not found» was not
    assert problem.message == f"'kontakter.csv' names no file (looked for {copy.parent / 'kontakter.csv'})"
    assert problem.file == str(copy) and problem.key == "contacts.file"
    assert (
        copy.read_text(encoding="utf-8").splitlines()[problem.line - 1].strip().startswith("file: kontakter")
    )


def test_invalid_yaml_gives_the_line(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("survey: x\nfunctions: [a, b\nrespondents: {}\n", encoding="utf-8")
    problem = only_problem(manifest)
    assert problem.message.startswith("invalid YAML") and problem.line is not None


def test_missing_manifest(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="manifest not found"):
        survey.load(tmp_path / "nope.yaml")


def test_unknown_key_is_a_warning_and_missing_section_an_error(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("survey: x\nfunctions: [A]\nkontakter: {}\n", encoding="utf-8")
    problems = survey.check(manifest)
    assert {p.key for p in problems} == {"respondents"}
    (warning,) = survey.check_warnings(manifest)
    assert (warning.key, warning.line) == ("kontakter", 3)
    assert "known: contacts, functions" in warning.message


def test_a_misspelt_section_field_warns_with_the_nearest_field(copy: Path) -> None:
    edit(copy, "  frequency:", "  frequncy:")
    found = survey.check_warnings(copy)
    assert [(w.key, w.message) for w in found] == [
        ("contacts.frequncy", "unknown field, ignored (did you mean 'frequency'?)")
    ]
    assert found[0].line is not None and "frequncy" in copy.read_text().splitlines()[found[0].line - 1]


def test_load_issues_each_unread_field_as_a_warning_once(copy: Path) -> None:
    edit(copy, "  label: rolle", "  label: rolle\n  separtor: ';'")
    edit(copy, "survey:", "kommentar: x\nsurvey:")
    expected = [str(w) for w in survey.check_warnings(copy)]
    assert len(expected) == 2
    for _ in range(2):  # every load says so, not only the first
        with pytest.warns(survey.ManifestWarning) as record:
            loaded = survey.load(copy)
        assert [str(w.message) for w in record] == expected
    assert len(loaded.respondents) == 29  # the manifest is used without the fields
    assert f"{copy}:" in expected[0] and "key 'kommentar'" in expected[0]
    assert "key 'respondents.separtor'" in expected[1] and "did you mean 'separator'?" in expected[1]


def test_the_warning_comes_before_the_error_it_explains(copy: Path) -> None:
    edit(copy, "      missing: [Vet ikke]", "      mising: [Vet ikke]")
    with (
        pytest.warns(
            survey.ManifestWarning, match=r"key 'ratings\.columns\[0\]\.mising'.*'missing'\?"
        ) as record,
        pytest.raises(CoderError, match="'Vet ikke' is not a value on the scale"),
    ):
        survey.load(copy)
    assert len(record) == 1


def test_a_field_in_an_included_manifest_warns_naming_that_manifest(copy: Path) -> None:
    edit(copy, "  frequency:", "  frequncy: hyppighet\n  frequency:")
    both = copy.parent.parent / "both.yaml"
    both.write_text("include: [oppdal/manifest.yaml]\n", encoding="utf-8")
    with pytest.warns(survey.ManifestWarning) as record:
        survey.load(both)
    assert [str(w.message) for w in record] == [
        f"{copy}:{copy.read_text().splitlines().index('  frequncy: hyppighet') + 1}, key 'contacts.frequncy':"
        " unknown field, ignored (did you mean 'frequency'?)"
    ]


@pytest.mark.parametrize("manifest", [OPPDAL, RISSA, BOTH], ids=["oppdal", "rissa", "both"])
def test_the_bundled_manifests_load_without_a_warning(manifest: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        survey.load(manifest)
    assert [str(w.message) for w in caught if issubclass(w.category, survey.ManifestWarning)] == []


def test_bad_responded_value(tmp_path: Path) -> None:
    shutil.copytree(RISSA.parent, tmp_path / "rissa")
    edit(tmp_path / "rissa" / "personer.csv", "Husleiekontrakt,ja", "Husleiekontrakt,tja")
    problem = only_problem(tmp_path / "rissa" / "manifest.yaml")
    assert "'tja' is not ja/nei" in problem.message and problem.column == "svart"


def test_a_respondent_marked_as_not_responded_who_answered_is_named(tmp_path: Path) -> None:
    shutil.copytree(RISSA.parent, tmp_path / "rissa")
    edit(tmp_path / "rissa" / "personer.csv", "Husleiekontrakt,ja", "Husleiekontrakt,nei")
    problem = only_problem(tmp_path / "rissa" / "manifest.yaml")
    # «Svarte 23» in the report, beside 24 ratings and R01's quotes
    assert "respondent 'R01' is marked as not responded ('nei') but has answers or ratings" in problem.message
    assert (Path(problem.file).name, problem.row, problem.column) == ("personer.csv", 2, "svart")
    edit(tmp_path / "rissa" / "personer.csv", "Husleiekontrakt,nei", "Husleiekontrakt,")
    assert (
        "as not responded (an empty cell) but" in only_problem(tmp_path / "rissa" / "manifest.yaml").message
    )


def test_duplicate_ids_across_included_manifests(tmp_path: Path) -> None:
    shutil.copytree(OPPDAL.parent, tmp_path / "a")
    shutil.copytree(OPPDAL.parent, tmp_path / "b")
    manifest = tmp_path / "both.yaml"
    manifest.write_text("include: [a/manifest.yaml, b/manifest.yaml]\n", encoding="utf-8")
    problems = survey.check(manifest)
    assert len(problems) == 29 and "several included manifests" in problems[0].message


def test_an_included_name_with_a_nul_character_is_a_clear_error(tmp_path: Path) -> None:
    # found by test_properties: Path.resolve() raised ValueError («embedded null byte»)
    manifest = tmp_path / "both.yaml"
    manifest.write_text('include: ["a\\0b.yaml"]\n', encoding="utf-8")
    with pytest.raises(CoderError) as caught:
        survey.load(manifest)
    assert str(caught.value) == f"{manifest}, key 'include[0]': not a file name: 'a\\x00b.yaml'"
    manifest.write_text("include: [5, null]\n", encoding="utf-8")  # not «examples/5: manifest not found»
    assert [str(p) for p in survey.check(manifest)] == [
        f"{manifest}, key 'include[0]': not a file name: 5",
        f"{manifest}, key 'include[1]': not a file name: None",
    ]
    assert survey.check_warnings(manifest) == [] and survey.data_files(manifest) == []
    (tmp_path / "mappe").mkdir()
    manifest.write_text("include: [borte.yaml, mappe]\n", encoding="utf-8")  # was «borte.yaml: manifest
    assert [str(p) for p in survey.check(manifest)] == [  # not found», with no word of where it was named
        f"{manifest}, key 'include[0]': 'borte.yaml' not found ({tmp_path / 'borte.yaml'})",
        f"{manifest}, key 'include[1]': 'mappe' is no file ({tmp_path / 'mappe'})",
    ]


def test_a_workshop_lexicon_is_read_beside_the_manifest(tmp_path: Path) -> None:
    examples = tmp_path / "examples"
    shutil.copytree(REPO / "examples", examples)
    manifest, both = examples / "rissa" / "manifest.yaml", examples / "oppdal-rissa.yaml"
    assert survey.load(manifest).lexicons == ()
    edit(manifest, "# lexicon: ../begreper.yaml", "lexicon: ../begreper.yaml")
    assert survey.load(manifest).lexicons == (manifest.parent / "../begreper.yaml",)
    assert survey.load(both).lexicons == survey.load(manifest).lexicons  # the included manifest's
    assert survey.check_warnings(manifest) == []
    lines = manifest.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("  lexicon:"))
    edit(manifest, "lexicon: ../begreper.yaml", "lexicon: ../mine.yaml")
    (problem,) = survey.check(manifest)
    assert str(problem).startswith(f"{manifest}:{line}, key 'workshop.lexicon': lexicon file not found")
    (examples / "mine.yaml").write_text("- concept: drift\n  terms: [Fiksern]\n", encoding="utf-8")
    (problem,) = survey.check(manifest)  # checked as grouping reads it
    mine = manifest.parent / "../mine.yaml"
    assert str(problem).startswith(f"{mine}:2, key 'terms'") and "lower case" in str(problem)
    edit(manifest, "lexicon: ../mine.yaml", "lexicon: [a, b]")
    with pytest.raises(CoderError, match="'lexicon' names a YAML file of concepts"):
        survey.load(manifest)


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("id: styrker", "id: [styrker, svakheter]", "columns[0].id': 'id' must be a text, found a list"),
        ("id: styrker", "id:", "key 'questions.columns[0].id': 'id' must be a text, found nothing"),
        ("label: De to viktigste styrkene", "label: {a: 1}", "'label' must be a text, found a mapping"),
        ("municipality: Oppdal ", "municipality: [Oppdal]", "'municipality': 'municipality' must be a text"),
    ],
)
def test_a_manifest_value_that_is_not_a_text_is_an_error(copy: Path, old: str, new: str, where: str) -> None:
    # it was written as its Python form: answer ids such as «O01:['styrker', 'svakheter']»
    edit(copy, old, new)
    problems = [str(problem) for problem in survey.check(copy)]
    assert any(problem.startswith(f"{copy}:") and where in problem for problem in problems), problems


def test_duplicate_question_id_in_the_manifest(copy: Path) -> None:
    edit(
        copy,
        "id: samordning\n      label: Utfordringer ved samordning",
        "id: styrker\n      label: Samordning",
    )
    lines = copy.read_text(encoding="utf-8").splitlines()
    line = [n for n, text in enumerate(lines, start=1) if text == "      id: styrker"][1]  # the second one
    problem = only_problem(copy)
    assert problem.message == "duplicate id 'styrker' (first in questions.columns[0])"
    assert (Path(problem.file).name, problem.key, problem.line) == (
        "manifest.yaml",
        "questions.columns[2].id",
        line,
    )
    with pytest.raises(CoderError, match="duplicate id 'styrker'"):
        survey.load(copy)  # so `coder init --manifest` and `survey answers` stop with the same message


def test_duplicate_rating_id_in_the_manifest(copy: Path) -> None:
    edit(
        copy,
        "      missing: [Vet ikke]\n",
        "      missing: [Vet ikke]\n    - column: Respondent-ID\n      id: samordning\n"
        "      scale: {min: 1, max: 6}\n",
    )
    lines = copy.read_text(encoding="utf-8").splitlines()
    problem = only_problem(copy)
    assert problem.message == "duplicate id 'samordning' (first in ratings.columns[0])"
    assert (problem.key, problem.line) == (
        "ratings.columns[1].id",
        len(lines) - lines[::-1].index("      id: samordning"),
    )


def test_summary_counts_answers_per_question(oppdal: survey.Survey) -> None:
    counts = survey.summary(oppdal).answers.set_index("question_id")["answers"]
    assert counts.sum() == len(oppdal.answers)
    assert not math.isnan(survey.summary(oppdal).overview["response_rate"].iloc[0])


# ------------------------------------------------------------------ the shared YAML reader; ids; warnings


def test_a_manifest_with_a_bom_loads(copy: Path) -> None:
    copy.write_bytes(b"\xef\xbb\xbf" + copy.read_bytes())
    assert len(survey.load(copy).respondents) == 29


def test_respondent_ids_equal_but_for_case_are_an_error_naming_both_rows(copy: Path) -> None:
    edit(copy.parent / "personer.csv", "O02,NAV-veileder A", "o01,NAV-veileder A")
    problem = next(p for p in survey.check(copy) if p.column == "id")
    assert str(problem).endswith(
        "row 3, column 'id': id 'o01' differs only in case from 'O01' (first in row 2)"
    )


def test_a_manifest_including_itself_is_an_error_not_a_recursion(tmp_path: Path) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text("include: [m.yaml]\n", encoding="utf-8")
    assert any("includes itself" in p.message for p in survey.check(manifest))


def test_include_cycles_twins_and_empty_lists_say_what_they_are(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("include: [b.yaml]\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("include: [a.yaml]\n", encoding="utf-8")
    assert [p.message for p in survey.check(tmp_path / "a.yaml")] == ["'a.yaml' includes this one (a cycle)"]
    shutil.copytree(OPPDAL.parent, tmp_path / "oppdal")
    (tmp_path / "twice.yaml").write_text(
        "include: [oppdal/manifest.yaml, oppdal/manifest.yaml]\n", encoding="utf-8"
    )
    assert [p.message for p in survey.check(tmp_path / "twice.yaml")] == [
        "'oppdal/manifest.yaml' is included twice (first as include[0])"
    ]  # not one «in several included manifests» per person
    (tmp_path / "none.yaml").write_text("include: []\n", encoding="utf-8")
    assert [p.message for p in survey.check(tmp_path / "none.yaml")] == ["'include' lists no manifest"]


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("labels: {1: Svært dårlig, 6: Svært godt}", "labels: [1, 2]", "scale labels map values"),
        ("labels: {1: Svært dårlig, 6: Svært godt}", "labels: {x: y}", "values of scale labels are"),
        ("  file: personer.csv", "  file: personer.csv\n  separator: ''", "'separator' is empty"),
    ],
)
def test_odd_manifest_values_are_problems_not_crashes(copy: Path, old: str, new: str, fragment: str) -> None:
    edit(copy, old, new)
    assert any(fragment in p.message for p in survey.check(copy))


def test_a_manifest_names_the_sheet_of_a_workbook_with_several(copy: Path) -> None:
    people = pd.read_csv(copy.parent / "personer.csv", dtype=str, keep_default_na=False)
    with pd.ExcelWriter(copy.parent / "personer.xlsx") as writer:
        people.to_excel(writer, sheet_name="Personer", index=False)
        pd.DataFrame({"Eksportert": ["2024"]}).to_excel(writer, sheet_name="Info", index=False)
    edit(copy, "  file: personer.csv", "  file: personer.xlsx")
    problem = survey.check(copy)[0]  # the others follow from it: nobody is known
    assert "2 sheets with data ('Personer', 'Info')" in str(problem) and problem.file.endswith(
        "personer.xlsx"
    )
    edit(copy, "  file: personer.xlsx", "  file: personer.xlsx\n  sheet: Personer")
    assert len(survey.load(copy).respondents) == 29 and survey.check_warnings(copy) == []


def test_data_files_lists_included_manifests_then_their_files() -> None:
    files = survey.data_files(BOTH)
    assert files[0] == BOTH.parent / "oppdal" / "manifest.yaml"
    assert all(path.is_file() for path in files)
    assert any(path.parent.name == "rissa" and path.suffix != ".yaml" for path in files)
    assert survey.data_files(BOTH.parent / "missing.yaml") == []  # check() reports it, provenance names none


def test_a_pair_reported_twice_at_two_frequencies_is_a_warning_and_counts_its_most_frequent(
    copy: Path,
) -> None:
    contacts = copy.parent / "kontakter.csv"
    with contacts.open("a", encoding="utf-8") as handle:
        handle.write("O01,O02,daglig\nO01,O03,ukentlig\n")  # O01 -> O03 again at its own frequency: no news
    with pytest.warns(survey.DataWarning) as caught:
        loaded = survey.load(copy)
    rows = len(contacts.read_text(encoding="utf-8").splitlines())
    again = "'O01' -> 'O02' is daily here and weekly in row 2"
    expected = f"{contacts}, row {rows - 1}: {again}; the most frequent counts"
    assert [str(w.message) for w in caught] == [expected]
    pair = loaded.contacts.query("source == 'O01' and target == 'O02'")
    assert pair["frequency"].tolist() == ["daily"]


def test_an_unknown_question_kind_is_a_warning_at_its_line(copy: Path) -> None:
    edit(copy, "kind: strength", "kind: styrke")
    line = copy.read_text(encoding="utf-8").splitlines().index("      kind: styrke") + 1
    warnings = [str(w) for w in survey.check_warnings(copy)]
    assert warnings == [
        f"{copy}:{line}, key 'questions.columns[0].kind': unknown kind 'styrke' (known: strength, challenge,"
        " reason, other); the report draws its questions for discussion from the challenge questions"
    ]


def test_a_scale_with_min_above_max_is_one_error_at_its_key(copy: Path) -> None:
    edit(copy, "scale: {min: 1, max: 6,", "scale: {min: 6, max: 1,")
    problems = [str(p) for p in survey.check(copy)]
    assert problems == [f"{copy}, key 'ratings.columns[0].scale': scale min (6) must be below max (1)"]


@pytest.mark.parametrize(
    ("new_id", "message"),
    [
        # Their figures would share one file name (temaer_styrker.png); answer ids would differ in case only.
        ("Styrker", "id 'Styrker' and 'styrker' differ only in case or punctuation "
                    "(first in questions.columns[0])"),
        # Answer ids are «respondent:question»: respondent «A» on «s:t» and «A:s» on «t» would be one id.
        ("sam:ordning", "question id 'sam:ordning' has a ':', which would make answer ids "
                        "(respondent:question) ambiguous"),
    ],
)  # fmt: skip
def test_a_question_id_that_would_give_two_answers_one_id_or_two_figures_one_file(
    copy: Path, new_id: str, message: str
) -> None:
    edit(
        copy,
        "id: samordning\n      label: Utfordringer ved samordning",
        f"id: {new_id}\n      label: Samordning",
    )
    problem = only_problem(copy)
    assert (problem.message, problem.key) == (message, "questions.columns[2].id")


def test_a_municipality_spelled_two_ways_is_an_error(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples" / "rissa", tmp_path / "rissa")
    people = tmp_path / "rissa" / "personer.csv"
    text = people.read_text(encoding="utf-8")
    people.write_text(text.replace(",Rissa,", ",RISSA,", 1), encoding="utf-8")
    problems = [p for p in survey.check(tmp_path / "rissa" / "manifest.yaml") if "municipality" in p.message]
    assert [p.message for p in problems] == [
        "municipality 'Rissa' and 'RISSA' differ only in case or punctuation: one municipality spelled two "
        "ways?"
    ]


@pytest.mark.parametrize("value", ["2-3", "1,2,3", "4 / 5", "3.5-4", "1.2.3"])
def test_a_rating_that_is_a_range_or_a_list_is_no_value(copy: Path, value: str) -> None:
    # It was read as its first number (2, 1.2, 4) without a word.
    export = copy.parent / "questback_eksport.csv"
    edit(export, ";Vet ikke", f";{value}", encoding="cp1252")
    assert f"'{value}' is not a value on the scale 1–6" in only_problem(copy).message


def test_a_rating_between_two_scale_values_keeps_its_count(copy: Path) -> None:
    export = copy.parent / "questback_eksport.csv"
    edit(export, ";Vet ikke", ";3,5", encoding="cp1252")
    loaded = survey.load(copy)
    row = survey.summary(loaded).ratings.iloc[0]
    assert row["distribution"][3.5] == 1 and sum(row["distribution"].values()) == row["n"]
    assert survey.scale_values(1, 6, [3.5]) == [1.0, 2.0, 3.0, 3.5, 4.0, 5.0, 6.0]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "labels: {1: Svært dårlig,",
            "labels: {99: Svært dårlig,",
            "label value 99 is outside the scale 1–6",
        ),
        ("scale: {min: 1, max: 6,", "scale: {min: 1, max: .inf,", "a scale of 1–inf is no rating scale"),
        ("scale: {min: 1, max: 6,", "scale: {min: 1, max: 100000,", "a scale of 1–100000 is no rating scale"),
    ],
)
def test_a_scale_that_cannot_be_is_one_error_at_its_key(copy: Path, old: str, new: str, message: str) -> None:
    edit(copy, old, new)
    problem = only_problem(copy)
    assert message in problem.message and problem.key.startswith("ratings.columns[0].scale")


def test_included_manifests_that_define_a_rating_or_question_differently_are_an_error(tmp_path: Path) -> None:
    # The combined survey kept the first definition: Rissa's ratings on 1–10 were shown on Oppdal's 1–6.
    for name in ("oppdal", "rissa"):
        shutil.copytree(REPO / "examples" / name, tmp_path / name)
    shutil.copy(REPO / "examples" / "oppdal-rissa.yaml", tmp_path / "begge.yaml")
    rissa = tmp_path / "rissa" / "manifest.yaml"
    edit(rissa, "scale: {min: 1, max: 6,", "scale: {min: 1, max: 10,")
    edit(rissa, "kind: strength", "kind: other")
    edit(rissa, "topic: meeting_places", "topic: coordination")
    edit(rissa, "      topic: fragmented_responsibility\n", "")
    problems = {p.message for p in survey.check(tmp_path / "begge.yaml")}
    assert problems == {
        "question 'styrker' has kind 'strength' and 'other' in different included manifests",
        "question 'motepunkter' has topic 'meeting_places' and 'coordination' in different included "
        "manifests",
        "question 'ansvarsavklaring' has topic 'fragmented_responsibility' and no topic in different "
        "included manifests",
        "rating 'samordning' has max '6' and '10' in different included manifests",
    }


def test_a_header_that_differs_only_in_white_space_or_case_is_the_column(copy: Path) -> None:
    # Excel headers carry no-break spaces and line breaks that a manifest written by hand does not.
    export = copy.parent / "questback_eksport.csv"
    edit(export, "de to viktigste styrkene", "de to viktigste\u00a0Styrkene", encoding="cp1252")
    loaded = survey.load(copy)
    before = survey.load(OPPDAL).answers
    assert (
        (loaded.answers["question_id"] == "styrker").sum() == (before["question_id"] == "styrker").sum() > 0
    )


def test_a_missing_question_column_names_the_nearest_header(copy: Path) -> None:
    edit(copy, "de to viktigste styrkene", "de to viktigste styrkane")
    problem = only_problem(copy)
    assert problem.message.startswith("missing column for question 'styrker' (nearest in the header: 'Ut fra")
    assert "styrkene" in problem.message


def test_question_ids_of_included_manifests_that_differ_only_in_case_are_an_error(tmp_path: Path) -> None:
    for name in ("oppdal", "rissa"):
        shutil.copytree(REPO / "examples" / name, tmp_path / name)
    shutil.copy(REPO / "examples" / "oppdal-rissa.yaml", tmp_path / "begge.yaml")
    edit(tmp_path / "rissa" / "manifest.yaml", "id: styrker", "id: Styrker")
    problems = [p.message for p in survey.check(tmp_path / "begge.yaml")]
    assert problems == [
        "question ids 'styrker' and 'Styrker' in different included manifests differ only in case or "
        "punctuation"
    ]


def test_a_column_two_headers_match_but_for_case_is_named_as_such(tmp_path: Path) -> None:
    reader = survey._Reader(tmp_path / "m.yaml")
    frame = pd.DataFrame(columns=["id", "Styrker", "STYRKER "])
    assert survey._export_column(reader, frame, tmp_path / "e.csv", "styrker", "question 'q'") is None
    assert [p.message for p in reader.problems] == [
        "question 'q': the headers 'Styrker' and 'STYRKER ' differ from it only in case or space"
    ]


def test_a_workshop_note_without_a_question_is_an_error_and_no_notes_a_warning(tmp_path: Path) -> None:
    examples = tmp_path / "examples"
    shutil.copytree(REPO / "examples", examples)
    manifest, notes = examples / "rissa" / "manifest.yaml", examples / "rissa" / "idedugnad.csv"
    table = pd.read_csv(notes, dtype=str, keep_default_na=False)
    question = next(c for c in table.columns if c.startswith("sp"))
    table.loc[3, question] = ""
    table.to_csv(notes, index=False)
    (problem,) = survey.check(manifest)
    assert str(problem) == f"{notes}, row 5, column '{question}': a note without a question " + (
        "(the report lists each note under its question)"
    )
    table.iloc[:0].to_csv(notes, index=False)
    with pytest.warns(survey.DataWarning, match="the workshop has no notes"):
        assert survey.load(manifest).workshop.empty


def test_rows_after_blank_lines_and_empty_rows_keep_their_spreadsheet_numbers(copy: Path) -> None:
    # two blank lines and an empty «,,» row above the bad row: it was named as row 2, and «,,» was 3 errors
    edit(copy.parent / "kontakter.csv", "O01,O02,ukentlig\n", "\n\n,,\nO01,O99,ukentlig\n")
    (problem,) = survey.check(copy)
    assert (Path(problem.file).name, problem.row, problem.column) == ("kontakter.csv", 5, "til")


def test_letters_written_decomposed_and_headers_in_another_case_are_the_same(copy: Path) -> None:
    # a Mac writes «Å» as «A» and a ring (NFD), Excel capitalises a header: both were errors
    import unicodedata

    contacts = copy.parent / "kontakter.csv"
    text = contacts.read_text(encoding="utf-8").replace("fra,til,hyppighet", "Fra,Til,Hyppighet", 1)
    contacts.write_text(unicodedata.normalize("NFD", text.replace("O02", "Å02")), encoding="utf-8")
    people = copy.parent / "personer.csv"
    people.write_text(people.read_text(encoding="utf-8").replace("O02", "Å02"), encoding="utf-8")
    for name in ("questback_eksport.csv", "politisk_kontakt.csv"):
        data = copy.parent / name
        encoding = "cp1252" if name.startswith("questback") else "utf-8"  # as Questback exports it
        data.write_text(data.read_text(encoding=encoding).replace("O02", "Å02"), encoding=encoding)
    assert survey.check(copy) == []
    loaded = survey.load(copy)
    assert "Å02" in set(loaded.contacts["source"]) | set(loaded.contacts["target"])
    assert all(unicodedata.is_normalized("NFC", s) for s in loaded.contacts["source"])


def test_a_section_beside_include_is_an_error_not_lost(copy: Path) -> None:
    both = copy.parent.parent / "both.yaml"
    both.write_text(
        "include: [oppdal/manifest.yaml]\nworkshop: {file: idedugnad.csv, note: lapp}\n", encoding="utf-8"
    )
    (problem,) = survey.check(both)
    assert problem.key == "workshop" and "move 'workshop' into one of them" in problem.message


def test_a_respondents_file_that_cannot_be_read_is_one_problem_not_every_id(copy: Path) -> None:
    edit(copy, "file: personer.csv", "file: Personer.csv")
    (problem,) = survey.check(copy)  # it was 28: the cause, then every id of the other files «unknown»
    assert "'Personer.csv' names no file" in problem.message
    assert problem.message.endswith("the folder has 'personer.csv': another case?")


def test_rating_figures_write_percent_with_a_space_as_the_text_does(
    oppdal: survey.Survey, tmp_path: Path
) -> None:
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as text, to read the axis
        written = survey.plot_ratings(oppdal, tmp_path, formats=("svg",))
    svg = written[0].read_text(encoding="utf-8")
    assert "20 %" in svg and "20%" not in svg


def test_an_unknown_id_that_lost_its_leading_zeros_or_case_says_which_id_it_is(copy: Path) -> None:
    # the respondents file kept «05» (typed as text); Excel saved the export's and contacts' ids as numbers
    folder = copy.parent
    people = folder / "personer.csv"
    people.write_text(people.read_text(encoding="utf-8").replace("O05,", "05,"), encoding="utf-8")
    edit(folder / "questback_eksport.csv", "\nO05;", "\n5;", encoding="cp1252")
    contacts = folder / "kontakter.csv"
    contacts.write_text(contacts.read_text(encoding="utf-8").replace("O05", "5"), encoding="utf-8")
    edit(folder / "questback_eksport.csv", "\nO07;", "\no07;", encoding="cp1252")
    edit(folder / "kontakter.csv", "\n5,", "\n5.0,")  # a number again, as pandas writes one back
    said = [problem.message for problem in survey.check(copy)]
    excel = "'05': one file saved by Excel as a number?"
    assert f"unknown respondent '5' (not in the respondents file, which has {excel})" in said
    assert f"unknown person '5' (the respondents file has {excel})" in said
    assert f"unknown person '5.0' (the respondents file has {excel})" in said
    case = "'O07': another case?"
    assert f"unknown respondent 'o07' (not in the respondents file, which has {case})" in said


def test_a_function_label_that_is_a_list_is_an_error_at_its_line(copy: Path) -> None:
    # «Drift: [a, b]» was read as the label «['a', 'b']»
    edit(copy, "  Drift: Drift og vedlikehold", "  Drift: [a, b]")
    said = [str(problem) for problem in survey.check(copy)]
    assert said == [
        f"{copy}:14, key 'functions.Drift': the label of function 'Drift' must be a text, found a list"
    ]


def test_an_export_of_a_header_only_or_a_manifest_without_questions_is_an_error(copy: Path) -> None:
    manifest = copy.parent / "uten_sporsmal.yaml"
    text = copy.read_text(encoding="utf-8")
    manifest.write_text(text.replace("\nquestions:", "\nquestons:"), encoding="utf-8")  # a typo: a warning
    with pytest.warns(survey.ManifestWarning), pytest.raises(CoderError, match="names no open questions"):
        survey.answers(manifest)  # was an empty table, and «0 answers» written
    export = copy.parent / "questback_eksport.csv"
    export.write_bytes(export.read_bytes().splitlines(keepends=True)[0])  # «respondents 0, 0 %», exit 0
    problems = survey.check(copy)
    assert [str(p) for p in problems] == [f"{export}: the export has a header only: no respondent's row"]
