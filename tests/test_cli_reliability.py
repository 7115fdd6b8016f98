"""The command line of coder.reliability (`coder ...` through typer's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from support.reliability import (
    fixture_project,  # noqa: F401
    fixture_suggested,  # noqa: F401
    write_file,
)
from typer.testing import CliRunner

from coder import store
from coder.cli import app
from coder.reliability import (
    OVERALL,
    agreement,
)

runner = CliRunner()


def test_cli_evaluate_table_and_json(tmp_path: Path) -> None:
    gold = write_file(tmp_path / "gold.csv", "id,codes\nr1,follow_up;anchoring\nr2,\nr3,follow_up\n")
    pred = write_file(
        tmp_path / "pred.csv",
        "id,code,confidence,evidence\nr1,follow_up,0.9,x\nr2,anchoring,0.6,\nr3,follow_up,0.8,\n",
    )
    result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--pred", str(pred)])
    assert result.exit_code == 0, result.output
    assert "follow_up" in result.output and "anchoring" in result.output
    assert "micro F1 0.667" in result.output  # tp 2, fp 1, fn 1
    assert "coverage at 95% precision 66.7%" in result.output
    result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--pred", str(pred), "--json"])
    data = json.loads(result.output)
    assert set(data) == {"micro_f1", "macro_f1", "mean_alpha", "per_code", "coverage_at_95"} | {
        "answers", "gold_codes_not_in_codebook"
    }  # fmt: skip
    assert data["per_code"]["follow_up"] == {
        "support": 2, "precision": 1.0, "recall": 1.0, "f1": 1.0, "kappa": 1.0, "alpha": 1.0
    }  # fmt: skip
    assert data["per_code"]["anchoring"]["precision"] == 0.0
    assert data["coverage_at_95"] == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("gold", "pred", "message"),
    [
        ("id,label\nr1,a\n", "id,code\nr1,a\n", "expected a column 'code' or 'codes'"),
        ("id,code\n,a\n", "id,code\nr1,a\n", "gold.csv, row 2, column 'id': empty id"),
        ("id,code\nr1,a\n", "id,code,confidence\nr1,a,high\n", "row 2, column 'confidence'"),
        ("id,code\nr1,a\n", "id,kode\nr1,a\n", "column 'code': missing column"),
    ],
)
def test_cli_evaluate_bad_input_is_exit_2(tmp_path: Path, gold: str, pred: str, message: str) -> None:
    result = runner.invoke(
        app,
        [
            "evaluate",
            "--gold",
            str(write_file(tmp_path / "gold.csv", gold)),
            "--pred",
            str(write_file(tmp_path / "p.csv", pred)),
        ],
    )
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_agreement_writes_the_disagreements(tmp_path: Path, project: store.Project) -> None:
    out = tmp_path / "disagreements.csv"
    result = runner.invoke(app, ["agreement", str(project.path), "--coders", "kari,ola", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (
        "kari ~ model" in result.output
        and "2 disagreements (answer × code) between kari, ola" in result.output
    )
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(written.columns) == ["id", "respondent_id", "question_id", "code", "kari", "ola", "text"]
    assert written["id"].tolist() == ["a1", "a2"]


def test_cli_agreement_says_what_it_left_out_as_seen_and_shows_whole_figures(project: store.Project) -> None:
    conflicts = len(project.conflicts())
    project.record("kari", [store.Decision("a2", "y", "add")], blind=False)
    result = runner.invoke(
        app, ["agreement", str(project.path), "--coders", "kari,ola"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    assert " ".join(result.stderr.split()).startswith(
        "Left out: 1 decision(s) of kari made with the other coders' codes shown (review --show-others)"
    )
    assert "2 disagreements (answer × code) between kari, ola" in result.output  # as found blind
    # the consensus keeps the seen decision: one conflict fewer
    assert f"{conflicts - 1} consensus conflicts" in result.output and conflicts > 0
    rows = [line for line in result.stdout.splitlines() if "(all codes)" in line]
    assert rows and all("…" not in row.split("│", 3)[-1] for row in rows)  # figures whole at 80 columns
    assert "Krippendorff's alpha (nominal)" in " ".join(result.stdout.split())
    result = runner.invoke(app, ["agreement", str(project.path), "--coders", "kari,ola", "--json"])
    assert json.loads(result.stdout)["seen_decisions"] == {"kari": 1}  # scripts see it too, not only stderr


def test_cli_agreement_names_the_coders_once_and_lists_no_disagreement_of_one(project: store.Project) -> None:
    result = runner.invoke(app, ["agreement", str(project.path), "--coders", "kari,kari,ola"])
    assert result.exit_code == 0, result.output
    assert "between kari, ola" in result.output  # the raw option was echoed: «kari,kari,ola»
    result = runner.invoke(app, ["agreement", str(project.path), "--coders", "kari"])
    assert result.exit_code == 0, result.output
    assert "give two or more with --coders" in result.output and "0 disagreements" not in result.output


def test_cli_agreement_unknown_coder_is_exit_2(project: store.Project) -> None:
    result = runner.invoke(app, ["agreement", str(project.path), "--coders", "kari,nina"])
    assert result.exit_code == 2
    assert "coder 'nina' has no decisions in this project (coders: kari, ola)" in result.output


def test_two_coders_with_no_answer_in_common_are_told_so(project: store.Project) -> None:
    project.record("per", [store.Decision("a4", "x", "add")])  # kari decided a4 too, ola did not
    assert agreement(project, ["ola", "per"], model=False).nothing_in_common() == ["ola, per"]
    assert agreement(project, ["kari", "per"], model=False).nothing_in_common() == []
    result = runner.invoke(app, ["agreement", str(project.path), "--coders", "ola,per", "--no-model"])
    assert result.exit_code == 0, result.output
    assert "Caution: ola, per: no answer that both decided, nothing to compare" in result.stderr


@pytest.mark.parametrize(
    ("name", "message"), [("d.txt", "unknown output format 'txt'"), ("no/d.csv", "does not exist")]
)
def test_cli_agreement_checks_its_output_before_the_work(
    tmp_path: Path, project: store.Project, name: str, message: str
) -> None:
    args = ["agreement", str(project.path), "--coders", "kari,ola", "--out", str(tmp_path / name)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and message in result.stderr
    assert "Agreement" not in result.stdout  # refused before the tables


def test_two_coders_who_only_bulk_accepted_one_run_are_flagged(suggested: store.Project) -> None:
    from coder.review import bulk_review

    bulk_review(suggested, "kari", accept_from=0.9, reject_below=0.1)
    bulk_review(suggested, "ola", accept_from=0.8, reject_below=0.2)
    result = agreement(suggested, ["kari", "ola"])
    overall = result.table[result.table["code"] == OVERALL].set_index("comparison")
    # each decided the same 5 cells by rule (x of a0, a1; y of a2, a3, a5), and nothing else: a bulk rule
    # implies no absent codes, so only those cells are compared
    assert overall.loc["kari, ola", "percent_agreement"] == 1.0
    assert overall.loc["kari, ola", ["decisions", "bulk_decisions"]].tolist() == [10, 10]
    assert overall.loc["kari ~ model", ["decisions", "bulk_decisions"]].tolist() == [5, 5]
    assert result.mostly_bulk() == [("kari, ola", 10, 10), ("kari ~ model", 5, 5), ("ola ~ model", 5, 5)]
    cli = runner.invoke(app, ["agreement", str(suggested.path), "--coders", "kari,ola"])
    assert cli.exit_code == 0, cli.output
    cautions = [line for line in cli.output.splitlines() if line.startswith("Caution:")]
    assert len(cautions) == 3
    assert cautions[0].startswith("Caution: kari, ola: 10 of 10 compared decisions came from a bulk rule")


def test_coders_who_read_the_answers_get_no_caution(project: store.Project) -> None:
    result = agreement(project, ["kari", "ola"])
    assert set(result.table["bulk_decisions"]) == {0}
    overall = result.table.set_index(["comparison", "code"]).loc[("kari, ola", OVERALL)]
    assert overall["decisions"] == 2 * 8  # a0..a3 × x, y by both
    assert result.mostly_bulk() == []
    cli = runner.invoke(app, ["agreement", str(project.path), "--coders", "kari,ola"])
    assert cli.exit_code == 0 and "Caution" not in cli.output


def test_the_readme_two_coder_example_gives_numbers_from_reading(
    tmp_path: Path, suggested: store.Project
) -> None:
    # As the README shows it: a blind copy for ola, both review answer by answer, merge, agreement.
    suggested.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ola = tmp_path / "ola.db"
    ola.write_bytes(suggested.path.read_bytes())
    ola.chmod(0o600)
    # queue (least certain first): a4 0.6, a5 0.3, a3 0.05, a1 0.93, a0 0.95, a2 0.97
    kari = runner.invoke(app, ["review", str(suggested.path), "--coder", "kari", "--refit-every", "0"],
                         input="a\nn\nn\na\na\na\n")  # fmt: skip
    assert kari.exit_code == 0, kari.output
    ola_review = runner.invoke(app, ["review", str(ola), "--coder", "ola", "--refit-every", "0"],
                               input="n\nn\nn\na\na\n+ Andre\nn\n")  # fmt: skip
    assert ola_review.exit_code == 0, ola_review.output
    merged = tmp_path / "felles.db"
    assert runner.invoke(app, ["merge", str(suggested.path), str(ola), "--out", str(merged)]).exit_code == 0
    with store.Project.open(merged) as opened:
        result = agreement(opened, ["kari", "ola"])
    overall = result.table.set_index(["comparison", "code"]).loc[("kari, ola", OVERALL)]
    assert overall["answers"] == 6 and overall["decisions"] == 2 * 12 and overall["bulk_decisions"] == 0
    assert result.mostly_bulk() == []
    # they differ on x of a4 only (kari accepted it, ola closed the answer without it): a real decision
    assert set(zip(result.disagreements["id"], result.disagreements["code"], strict=True)) == {("a4", "x")}
    assert 0 < overall["percent_agreement"] < 1


def test_cli_agreement_json_is_the_tables_and_nothing_else(tmp_path: Path, project: store.Project) -> None:
    out = tmp_path / "disagreements.csv"
    args = ["agreement", str(project.path), "--coders", "kari,ola", "--json", "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # fails on any other line on stdout
    assert set(data) == {"agreement", "disagreements", "conflicts", "seen_decisions"}
    assert [row["id"] for row in data["disagreements"]] == ["a1", "a2"]
    assert {row["comparison"] for row in data["agreement"]} >= {"kari ~ model", "ola ~ model"}
    assert "disagreements ->" in result.stderr and out.exists()


def test_cli_agreement_table_fits_an_80_column_terminal(project: store.Project) -> None:
    args = ["agreement", str(project.path), "--coders", "kari,ola"]
    result = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    table = result.stdout.split("bulk: how many")[0]
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "agree = percent agreement" in table


def test_cli_errors_name_options_not_keys(project: store.Project) -> None:
    result = runner.invoke(app, ["agreement", str(project.path), "--coders", "nina"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: option --coders: coder 'nina' has no decisions")
    assert "key '" not in result.stderr
