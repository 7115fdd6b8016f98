"""The command line of coder.evaluate (`coder ...` through typer's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from coder.cli import app
from coder.codebook import load

REPO = Path(__file__).resolve().parents[1]


OPPDAL_CODES = REPO / "examples" / "oppdal" / "koder.csv"


RISSA_CODES = REPO / "examples" / "rissa" / "koder.csv"


runner = CliRunner()


def _examples_as_predictions(path: Path) -> Path:
    """Both municipalities' hand codes as predictions (with confidences), as `coder suggest` writes them."""
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in (OPPDAL_CODES, RISSA_CODES)]
    pred = pd.concat(frames, ignore_index=True)
    pred = pred[pred["code"] != ""].assign(confidence=0.9, evidence="")
    pred.to_csv(path, index=False)
    return path


def test_cli_evaluate_says_how_many_answers_it_compared(tmp_path: Path) -> None:
    pred = _examples_as_predictions(tmp_path / "pred.csv")
    predicted = pd.read_csv(pred, dtype=str)["id"]
    gold_ids = set(pd.read_csv(OPPDAL_CODES, dtype=str)["id"])
    n_pred, n_both = predicted.nunique(), len(set(predicted) & gold_ids)
    assert (len(gold_ids), n_both) == (70, 69) and n_pred > 120  # Rissa's predictions are not compared
    result = runner.invoke(app, ["evaluate", "--gold", str(OPPDAL_CODES), "--pred", str(pred)])
    assert result.exit_code == 0, result.output
    assert (
        f"Compared 70 answers: all 70 in the gold codes, and 69 of the {n_pred} with predicted codes "
        f"({n_pred - 69} not in the gold codes left out; 1 gold answer without a predicted code counts as "
        "given none)." in " ".join(result.stdout.split())
    )
    assert "micro F1 1.000" in result.stdout and "Warning" not in result.output


def test_cli_evaluate_warns_of_gold_codes_not_in_the_codebook(tmp_path: Path) -> None:
    pred = _examples_as_predictions(tmp_path / "pred.csv")
    gold = tmp_path / "gold.csv"
    codes = pd.read_csv(OPPDAL_CODES, dtype=str, keep_default_na=False)
    codes.loc[[0, 1], "code"] = ["fragmented_responsibilty", "annet"]  # a typo and a code of no codebook
    codes.loc[len(codes)] = ["O02:styrker", "annet"]
    codes.to_csv(gold, index=False)
    warning = (
        "Warning: 2 gold code(s) not in the codebook, not scored: 'annet' (2 answers), "
        "'fragmented_responsibilty' (1 answer); their answers are still scored on their other gold codes "
        "(none, if that was their only one: a typo?)"
    )
    # no --codebook: the built-in one, which the Oppdal codes are of
    result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--pred", str(pred)])
    assert result.exit_code == 0, result.output
    assert " ".join(result.stderr.split()) == warning and "micro F1" in result.stdout
    result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--pred", str(pred), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # the warning goes to stderr: stdout stays one JSON object
    assert data["gold_codes_not_in_codebook"] == {"annet": 2, "fragmented_responsibilty": 1}
    assert data["answers"]["compared"] == 70 and set(data["per_code"]) == set(load().code_ids)
    assert " ".join(result.stderr.split()) == warning


def test_cli_evaluate_checks_the_predictions_against_the_codebook_given(tmp_path: Path) -> None:
    gold = tmp_path / "gold.csv"
    gold.write_text("id,code\nr1,bolig\nr2,\n", encoding="utf-8")
    pred = tmp_path / "pred.csv"
    pred.write_text("id,code\nr1,bolig\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--pred", str(pred)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith(
        f"Error: {pred}, row 2, column 'code': unknown code 'bolig' in the predictions"
    )
    assert len(result.stderr.splitlines()) == 1
    book = tmp_path / "bok.yaml"
    book.write_text(
        "name: Liten\nlanguage: nb\nversion: '1'\ncodes:\n  - id: bolig\n    label: Bolig\n"
        "    description: Boliger og boligmasse.\n    keywords: [bolig]\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["evaluate", "--gold", str(gold), "--pred", str(pred), "--codebook", str(book)]
    )
    assert result.exit_code == 0, result.output
    assert "micro F1 1.000" in result.stdout


def test_cli_evaluate_names_a_gold_file_without_a_coded_answer(tmp_path: Path) -> None:
    pred = tmp_path / "pred.csv"
    pred.write_text("id,code\nr1,follow_up\n", encoding="utf-8")
    for name, text in (
        ("header.csv", "id,code\n"),
        ("conflicts.csv", "id,code,status\nr1,follow_up,conflict\n"),
    ):
        gold = tmp_path / name
        gold.write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--pred", str(pred)])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert result.stderr.strip() == f"Error: {gold}: the codes hold no coded answer"


def test_cli_evaluate_table_fits_an_80_column_terminal(tmp_path: Path) -> None:
    pred = _examples_as_predictions(tmp_path / "pred.csv")
    args = ["evaluate", "--gold", str(OPPDAL_CODES), "--pred", str(pred)]
    result = runner.invoke(app, args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    table = result.stdout.split("micro F1")[0]
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "prec = precision" in table and "rec = recall" in table  # short names explained
    assert sum("│ 1.000 │" in line for line in table.splitlines()) > 3  # one row per code, not folded
