"""Tests for the codebook side of the command line: the built-in codebook as the default."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from coder import codebook as cb
from coder.cli import app


def test_cli_info_says_which_codebook_is_the_default_and_where() -> None:
    result = CliRunner().invoke(app, ["info", "--spacy-model", "embedded", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["default codebook file"] == str(cb.default_codebook_path())
    assert shown["default codebook"].startswith(cb.load().name)
    assert shown["reference answers"].endswith("boligsosialt-reference.csv")


def test_cli_suggest_without_codebook_uses_the_built_in_one(tmp_path: Path) -> None:
    source, out = tmp_path / "answers.csv", tmp_path / "suggestions.csv"
    texts = ["Vi mangler egnede boliger for rusavhengige", "Godt samarbeid med NAV og tett oppfølging"]
    pd.DataFrame({"id": ["a1", "a2"], "text": texts}).to_csv(source, index=False)
    args = ["suggest", str(source), "--out", str(out), "--spacy-model", "embedded"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "suggestions.csv.provenance.json").read_text(encoding="utf-8"))
    assert [item["file"] for item in record["inputs"]] == [str(source), str(cb.default_codebook_path())]
    assert set(pd.read_csv(out)["code"]) <= set(cb.load().code_ids)


def test_cli_codebook_show_and_validate_default_to_the_built_in_codebook() -> None:
    shown = CliRunner().invoke(app, ["codebook", "show"])
    assert shown.exit_code == 0, shown.output
    assert cb.load().name in shown.output
    checked = CliRunner().invoke(app, ["codebook", "validate", "--no-lemmas"])
    assert checked.exit_code == 0, checked.output
    assert f"ok ({len(cb.load().codes)} codes" in checked.output
