"""The command line of coder.nlp (`coder ...` through typer's CliRunner)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

import coder
from coder.cli import app


def test_cli_preprocess_writes_tokens(tmp_path: Path) -> None:
    source = tmp_path / "answers.csv"
    source.write_bytes("svarid;svar\nr1;Mangler omsorgsboliger\nr2;\n".encode("cp1252"))
    out = tmp_path / "tokens.csv"
    result = CliRunner().invoke(
        app,
        [
            "preprocess",
            str(source),
            "--out",
            str(out),
            "--id-col",
            "svarid",
            "--text-col",
            "svar",
            "--spacy-model",
            "embedded",
        ],
    )
    assert result.exit_code == 0, result.output
    tokens = pd.read_csv(out, keep_default_na=False)
    assert tokens["text"].tolist() == ["Mangler", "omsorgsboliger"]
    assert tokens["idx"].tolist() == [0, 8]
    assert tokens["parts"].tolist() == ["", "omsorg+bolig"]


def test_cli_info_names_the_pipeline_and_why() -> None:
    result = CliRunner().invoke(app, ["info", "--spacy-model", "embedded"])
    assert result.exit_code == 0
    assert "embedded" in result.output and "spacy" in result.output and "scikit-learn" in result.output


def test_cli_info_json_is_the_table_and_nothing_else() -> None:
    import json

    result = CliRunner().invoke(app, ["info", "--spacy-model", "embedded", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert isinstance(shown, dict) and "embedded" in json.dumps(shown) and len(shown) > 3


def test_cli_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"coder {coder.__version__}"
