"""The command line of coder.survey (`coder ...` through typer's CliRunner)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from support.survey import (
    BOTH,
    OPPDAL,
    edit,
    fixture_copy,  # noqa: F401
)
from typer.testing import CliRunner

from coder import survey
from coder.cli import app

runner = CliRunner()


# ---------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------


def test_cli_check_prints_the_summary() -> None:
    result = runner.invoke(app, ["survey", "check", str(BOTH)])
    assert result.exit_code == 0, result.output
    for text in ("79%", "83%", "functions in total", "2.70", "4.00", "Oppdal", "Rissa"):
        assert text in result.output


def test_cli_check_plots_the_rating_distribution(tmp_path: Path) -> None:
    result = runner.invoke(app, ["survey", "check", str(BOTH), "--out-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "figurer" / "vurdering_samordning.png").read_bytes().startswith(b"\x89PNG")
    svg = (tmp_path / "figurer" / "vurdering_samordning.svg").read_text(encoding="utf-8")
    assert "Vet ikke" in svg and "snitt 4,0, n = 22, vet ikke 2" in svg  # as the table: n without «Vet ikke»
    assert "snitt 2,7, n = 20, vet ikke 3" in svg and "%" in svg  # decimal comma, percent like the others
    assert "23 svarte: snitt 2,7" in svg  # the bars are shares of the 23, «Vet ikke» among them
    assert svg.count("Prosent av dem som svarte") == 1  # one shared axis ...
    assert svg.count("<!-- Oppdal") == 1 and svg.count("<!-- Rissa") == 1  # ... and a panel per municipality


def test_cli_check_reports_every_problem_and_exits_2(copy: Path) -> None:
    edit(copy.parent / "kontakter.csv", "O01,O02,ukentlig", "O01,O99,ukentlig")
    edit(copy.parent / "kontakter.csv", "O01,O03,ukentlig", "O01,O01,ukentlig")
    result = runner.invoke(app, ["survey", "check", str(copy)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 2
    assert "kontakter.csv, row 2, column 'til': unknown person 'O99'" in lines[0]
    assert "row 3" in lines[1] and "self-contact" in lines[1]
    assert "Traceback" not in result.output


def test_cli_check_reports_a_duplicate_question_id(copy: Path, tmp_path: Path) -> None:
    edit(
        copy,
        "id: samordning\n      label: Utfordringer ved samordning",
        "id: styrker\n      label: Samordning",
    )
    result = runner.invoke(app, ["survey", "check", str(copy)])
    assert result.exit_code == 2, result.output
    assert (
        "manifest.yaml:" in result.output
        and "key 'questions.columns[2].id': duplicate id 'styrker'" in result.output
    )
    result = runner.invoke(app, ["survey", "answers", str(copy), "--out", str(tmp_path / "answers.csv")])
    assert result.exit_code == 2 and "duplicate id 'styrker'" in result.output
    assert not (tmp_path / "answers.csv").exists()


def test_cli_answers_writes_the_long_table(tmp_path: Path) -> None:
    out = tmp_path / "answers.csv"
    result = runner.invoke(app, ["survey", "answers", str(OPPDAL), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(written.columns) == ["id", "respondent_id", "question_id", "municipality", "text"]
    pd.testing.assert_frame_equal(written, survey.answers(OPPDAL).reset_index(drop=True))


def test_cli_answers_never_overwrite_a_file_the_manifest_reads(copy: Path) -> None:
    people = copy.parent / "personer.csv"
    before = people.read_bytes()
    result = runner.invoke(app, ["survey", "answers", str(copy), "--out", str(people)])
    assert result.exit_code == 2 and "personer.csv: the output would overwrite the input" in result.output
    assert people.read_bytes() == before


def test_cli_answers_bad_manifest_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["survey", "answers", str(tmp_path / "none.yaml"), "--out", "x.csv"])
    assert result.exit_code == 2 and "manifest not found" in result.output


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("  file: personer.csv", "\tfile: personer.csv", "a tab character at column 1"),
        ("  label: rolle", "  label: rolle\n  id: navn", "duplicate key 'id' (first on line"),
    ],
)
def test_tabs_and_duplicate_keys_in_a_manifest(copy: Path, old: str, new: str, fragment: str) -> None:
    edit(copy, old, new)
    (problem,) = survey.check(copy)
    assert fragment in problem.message and problem.line is not None and problem.file == str(copy)
    result = runner.invoke(app, ["survey", "check", str(copy)])
    assert result.exit_code == 2 and fragment in result.output and "Traceback" not in result.output


def warning_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Warning:")]


def test_cli_check_warns_about_an_unknown_field_once_and_still_passes(copy: Path) -> None:
    edit(copy, "  label: rolle", "  label: rolle\n  separtor: ';'")
    result = runner.invoke(app, ["survey", "check", str(copy)])
    assert result.exit_code == 0, result.output
    (line,) = warning_lines(result.output)  # printed by the check, not again by the load after it
    assert "key 'respondents.separtor'" in line and "did you mean 'separator'?" in line


def test_cli_check_warns_once_before_the_errors_the_typo_causes(copy: Path) -> None:
    edit(copy, "      missing: [Vet ikke]", "      mising: [Vet ikke]")
    result = runner.invoke(app, ["survey", "check", str(copy)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.startswith(("Warning:", "Error:"))]
    assert lines[0] == f"Warning: {survey.check_warnings(copy)[0]}" and ".mising'" in lines[0]
    assert len(warning_lines(result.output)) == 1 and "is not a value on the scale" in lines[1]


def test_a_command_that_loads_the_manifest_shows_its_warning_once(copy: Path, tmp_path: Path) -> None:
    edit(copy, "  label: rolle", "  label: rolle\n  separtor: ';'")
    out = tmp_path / "answers.csv"
    result = runner.invoke(app, ["survey", "answers", str(copy), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert warning_lines(result.output) == [f"Warning: {survey.check_warnings(copy)[0]}"]
    assert len(pd.read_csv(out)) > 0


def test_cli_check_json_is_the_tables_and_nothing_else() -> None:
    import json

    result = runner.invoke(app, ["survey", "check", str(BOTH), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"overview", "functions", "ratings", "answers"}
    assert {row["municipality"] for row in data["overview"]} == {"Oppdal", "Rissa"}


def test_cli_check_shows_a_municipality_name_with_brackets_as_written(copy: Path) -> None:
    # Rich reads «[/]» and «[test]» as markup: a header of the functions table with them was a traceback.
    edit(copy, "municipality: Oppdal", "municipality: Oppdal [/]")
    result = runner.invoke(app, ["survey", "check", str(copy)], terminal_width=200)
    assert result.exit_code == 0, result.output
    functions = result.output[result.output.index("Functions per municipality") :]
    assert "Oppdal [/]" in functions.splitlines()[2]  # the header row


def test_cli_check_shows_a_data_warning_once(copy: Path) -> None:
    # a pair reported with two frequencies: a DataWarning of the check, printed again by the load after it
    edit(copy.parent / "kontakter.csv", "O01,O03,ukentlig", "O01,O03,ukentlig\nO01,O03,daglig")
    result = runner.invoke(app, ["survey", "check", str(copy)])
    assert result.exit_code == 0, result.output
    (line,) = warning_lines(result.output)
    assert "'O01' -> 'O03'" in line


def test_the_export_given_for_the_manifest_is_said_so(tmp_path: Path) -> None:
    export = OPPDAL.parent / "questback_eksport.csv"  # cp1252: was «not UTF-8 text … save it as UTF-8»
    result = runner.invoke(app, ["survey", "answers", str(export), "--out", str(tmp_path / "a.csv")])
    assert result.exit_code == 2 and not (tmp_path / "a.csv").exists()
    assert " ".join(result.stderr.split()) == (
        f"Error: {export}: expected a YAML manifest (.yaml), not a .csv file: give the survey's manifest, "
        "which names its files"
    )
