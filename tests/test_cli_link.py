"""The command line of coder.link (`coder ...` through typer's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from support.link import (
    OPPDAL,
    OPPDAL_CODES,
    RISSA_CODES,
    fixture_codes,  # noqa: F401
    fixture_oppdal,  # noqa: F401
    fixture_result,  # noqa: F401
)
from typer.testing import CliRunner

from coder import link, survey
from coder.cli import app
from coder.errors import CoderError

runner = CliRunner()


def test_cli_link_writes_csv_and_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["link", str(OPPDAL), "--codes", str(OPPDAL_CODES), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Themes per question" in result.output and "adapted_housing" in result.output
    for name in ("link_themes.csv", "link_counts.csv", "link_tests.csv", "link.json"):
        assert (tmp_path / name).exists(), name
    payload = json.loads((tmp_path / "link.json").read_text(encoding="utf-8"))
    assert payload["provenance"]["level"] == "weekly"
    codes_input = payload["provenance"]["inputs"][-1]
    assert (codes_input["role"], codes_input["file"]) == ("kodefil", str(OPPDAL_CODES))
    assert len(payload["tests"]) == len(pd.read_csv(tmp_path / "link_tests.csv"))


def test_cli_link_tables_fit_an_80_column_terminal() -> None:
    result = runner.invoke(app, ["link", str(OPPDAL), "--codes", str(OPPDAL_CODES)], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    tables = result.output.split("Base:")[0]  # the base is one sentence that the terminal wraps
    assert max(len(line) for line in tables.splitlines()) <= 80
    assert "too few t…" in tables  # warnings cut short on screen; the whole rows are in link_tests.csv


def test_cli_link_unknown_id_exits_2(tmp_path: Path) -> None:
    codes = tmp_path / "codes.csv"
    codes.write_text("id,code\nO99:styrker,anchoring\n", encoding="utf-8")
    result = runner.invoke(app, ["link", str(OPPDAL), "--codes", str(codes)])
    assert result.exit_code == 2 and "'O99:styrker'" in result.output and "Traceback" not in result.output
    assert f"{codes}, row 2, column 'id'" in result.output


def test_cli_link_missing_codes_file_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["link", str(OPPDAL), "--codes", str(tmp_path / "none.csv")])
    assert result.exit_code == 2 and "file not found" in result.output


def test_cli_link_reads_a_suggestion_file_as_covering_every_answer(tmp_path: Path) -> None:
    suggestions = tmp_path / "suggestions.csv"
    suggestions.write_text(
        "id,code,confidence,evidence\nO01:styrker,financial_instruments,0.9,startlån\n"
        "O02:styrker,financial_instruments,0.8,startlån\nO03:styrker,local_knowledge,0.7,kort vei\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["link", str(OPPDAL), "--codes", str(suggestions), "--level", "monthly"])
    assert result.exit_code == 0, result.output
    assert "financial_instruments" in result.output
    assert "Base: all 70 answers count as coded (the codes are machine suggestions" in result.output
    result = runner.invoke(app, ["link", str(OPPDAL), "--codes", str(suggestions), "--coded-only"])
    assert result.exit_code == 0, result.output
    assert "67 answer(s) are not in the codes" in result.output and "(only these, as asked)" in result.output


def test_cli_link_human_codes_base_and_all_coded(tmp_path: Path) -> None:
    codes = tmp_path / "koder.csv"
    codes.write_text("id,code\nO01:styrker,anchoring\nO02:styrker,\n", encoding="utf-8")
    result = runner.invoke(app, ["link", str(OPPDAL), "--codes", str(codes)])
    assert result.exit_code == 0, result.output
    assert "Base: the 2 answers in the codes; 68 answer(s) are not in the codes" in result.output
    result = runner.invoke(app, ["link", str(OPPDAL), "--codes", str(codes), "--all-coded"])
    assert result.exit_code == 0 and "Base: all 70 answers count as coded (as asked)" in result.output


def test_cli_link_unknown_code_exits_2(tmp_path: Path) -> None:
    codes = tmp_path / "koder.csv"
    codes.write_text("id,code\nO01:styrker,anchorig\n", encoding="utf-8")
    result = runner.invoke(app, ["link", str(OPPDAL), "--codes", str(codes)])
    assert result.exit_code == 2, result.output
    assert f"{codes}, row 2, column 'code': code 'anchorig' is not in the codebook" in result.output
    missing = tmp_path / "none.yaml"
    result = runner.invoke(
        app, ["link", str(OPPDAL), "--codes", str(OPPDAL_CODES), "--codebook", str(missing)]
    )
    assert result.exit_code == 2 and "file not found" in result.output and str(missing) in result.output


@pytest.mark.parametrize("level", ["hourly", "all"])  # all is network's, not link's: one level here
def test_cli_link_bad_level_fails_before_any_work(tmp_path: Path, level: str) -> None:
    # The manifest does not exist: the level is checked first.
    result = runner.invoke(
        app, ["link", str(tmp_path / "none.yaml"), "--codes", str(OPPDAL_CODES), "--level", level]
    )
    assert result.exit_code == 2, result.output
    assert f"unknown level '{level}' (use daily, weekly, monthly)" in result.output, result.output


def test_codes_of_two_municipalities_against_one_say_which_ids_are_unknown_and_why(
    oppdal: survey.Survey,
) -> None:
    rissa = pd.read_csv(RISSA_CODES, dtype=str, keep_default_na=False)
    with pytest.raises(CoderError) as error:
        link.link(oppdal, [OPPDAL_CODES, RISSA_CODES])
    first = list(dict.fromkeys(rissa["id"]))[:3]
    assert str(error.value) == (
        f"{RISSA_CODES}, row 2, column 'id': {rissa['id'].nunique()} ids are answers of no respondent in "
        "this survey (codes from another survey or municipality?): "
        + ", ".join(f"'{i}'" for i in first)
        + ", ..."
    )
    assert rissa["id"].nunique() == 62 and first[0] == "R01:ansvarsavklaring"
    assert "respondent_id:question_id" not in str(error.value)  # the old hint about the id format
    result = runner.invoke(
        app, ["link", str(OPPDAL), "--codes", str(OPPDAL_CODES), "--codes", str(RISSA_CODES)]
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.strip() == f"Error: {error.value}"


def test_cli_link_json_is_the_tables_and_nothing_else(tmp_path: Path) -> None:
    args = ["link", str(OPPDAL), "--codes", str(OPPDAL_CODES), "--json", "-o", str(tmp_path), "--all"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"themes", "counts", "tests", "base"} and data["themes"] and data["tests"]
    assert len(data["counts"]) == len(pd.read_csv(tmp_path / "link_counts.csv"))
    assert all(row["p_value"] is None or 0 <= row["p_value"] <= 1 for row in data["tests"])
    assert (tmp_path / "link.json").exists() and "written" in result.stderr


def _oppdal_project_with_a_run(path: Path) -> tuple[list[str], str]:
    """A project of Oppdal's answers with its own two codes and a run suggesting «lag» for every answer:
    its answer ids and the run's id."""
    from coder import store
    from coder.codebook import Code, Codebook

    own = Codebook("egen", "nb", "1", (Code("bolig", "Bolig"), Code("lag", "Lag")))
    store.init(path, None, own, manifest=OPPDAL).close()
    with store.Project.open(path) as project:
        answers = project.answer_ids()
        return answers, project.add_suggestion_run(
            pd.DataFrame({"id": answers, "code": "lag", "confidence": 0.9})
        )


def test_cli_link_counts_a_coding_projects_reviewed_codes(tmp_path: Path) -> None:
    from coder import store
    from coder.store import Decision

    path = tmp_path / "p.db"
    answers, run = _oppdal_project_with_a_run(path)
    with store.Project.open(path) as project:
        project.record("kari", [Decision(answers[0], "bolig", "add"), Decision(answers[0], "", "none")])
        project.record("kari", [Decision(answers[1], "lag", "reject", run), Decision(answers[1], "", "none")])
    args = ["link", str(OPPDAL), "--project", str(path), "-o", str(tmp_path / "out"), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output  # no --codebook: the project's own, not the built-in one
    themes = pd.read_csv(tmp_path / "out" / "link_themes.csv")
    # every answer counts as coded, kari's codes where she decided, the run's elsewhere
    assert set(themes["code"]) == {"bolig", "lag"} and themes["mentions"].sum() == len(answers) - 1
    provenance = json.loads((tmp_path / "out" / "link.json").read_text(encoding="utf-8"))["provenance"]
    assert provenance["inputs"][-1]["role"] == "kodeprosjekt" and "coders' codes" in provenance["base"]
    both = runner.invoke(app, ["link", str(OPPDAL), "--project", str(path), "--codes", str(OPPDAL_CODES)])
    assert both.exit_code == 2 and "give --codes or --project (one of them)" in both.output
    assert runner.invoke(app, ["link", str(OPPDAL)]).exit_code == 2


def test_a_project_of_one_municipality_counts_only_its_own_answers_within_the_survey(tmp_path: Path) -> None:
    from coder import link, summary

    path = tmp_path / "p.db"
    answers, _run = _oppdal_project_with_a_run(path)
    # the survey of both municipalities: Rissa's answers were never coded (they counted as coded, no theme)
    both = OPPDAL.parents[1] / "oppdal-rissa.yaml"
    linked = link.link(both, None, project=path)
    assert linked.provenance["coded_answers"] == len(answers)
    assert "62 answer(s) of the survey are not in the project" in linked.provenance["base"]
    per_question = pd.Series([a.rpartition(":")[2] for a in answers]).value_counts()
    assert (linked.themes["answers"] == linked.themes["question_id"].map(per_question)).all()
    with pytest.warns(UserWarning, match="is not a code of the codebook"):  # the manifest's topics
        reported = summary.summarize(both, None, project=path)
    assert reported.provenance["coded_answers"] == len(answers)
    # not «62 svar er ikke kodet ennå»: they are outside the project, not waiting in it
    assert (reported.provenance["uncoded_answers"], reported.provenance["answers_outside_project"]) == (0, 62)
    assert not any(answer.startswith("R") for answer in reported.uncoded["answer_id"])  # Rissa's: not coded


def test_cli_link_takes_the_broker_threshold_coder_network_takes() -> None:
    # changed: only `coder network` had --broker-betweenness, so link could not follow a threshold set there
    def brokers(*extra: str) -> int:
        args = ["link", str(OPPDAL), "--codes", str(OPPDAL_CODES), "--json", "--all", *extra]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        counts = pd.DataFrame(json.loads(result.stdout)["counts"])
        return int(counts.loc[(counts["variable"] == "broker") & (counts["category"] == "yes"), "n"].sum())

    monthly = brokers("--level", "monthly")
    assert 0 < brokers("--level", "monthly", "--broker-betweenness", "0.2") < monthly
