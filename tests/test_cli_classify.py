"""The command line of coder.classify (`coder suggest` through typer's CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from support.classify import (
    ANSWERS,
    CODEBOOK,
    QUESTION_ANSWERS,
    QUESTION_BOOK,
    fixture_answers,  # noqa: F401
    fixture_reference_book,  # noqa: F401
)
from typer.testing import CliRunner

from coder import classify
from coder import codebook as codebook_module
from coder.cli import app
from coder.codebook import Codebook


def _write(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_cli_suggest_csv_and_json(tmp_path: Path, answers: pd.DataFrame) -> None:
    source = _write(tmp_path / "answers.csv", answers)
    labels = _write(
        tmp_path / "labels.csv", pd.DataFrame({"id": ["a7", "a0"], "code": ["", "adapted_housing"]})
    )
    out = tmp_path / "suggestions.csv"
    args = ["suggest", str(source), "--codebook", str(CODEBOOK), "--out", str(out), "--labels", str(labels)]
    result = CliRunner().invoke(app, [*args, "--threshold", "0.6", "--seed", "1"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns) == ["id", "code", "confidence", "evidence"]
    assert (table["confidence"] >= 0.6).all() and "adapted_housing" in set(
        table.loc[table["id"] == "a0", "code"]
    )
    out_json = tmp_path / "suggestions.json"
    result = CliRunner().invoke(app, [*args[:4], "-o", str(out_json)])  # JSON from the suffix
    assert result.exit_code == 0, result.output
    records = json.loads(out_json.read_text(encoding="utf-8"))
    assert {"id", "code", "confidence", "evidence"} <= set(records[0])
    result = CliRunner().invoke(app, [*args[:5], str(out_json), "--format", "json"])
    assert result.exit_code == 2  # no --format: the suffix says it


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (
            pd.DataFrame({"id": ["nobody"], "code": ["anchoring"]}),
            "row 2, column 'id': id 'nobody' is not in",
        ),
        (pd.DataFrame({"id": ["a1"], "code": ["made_up"]}), "row 2, column 'code': code 'made_up' is not in"),
        (pd.DataFrame({"answer": ["a1"], "code": ["anchoring"]}), "column 'id': missing column"),
    ],
)
def test_cli_suggest_bad_labels(
    tmp_path: Path, answers: pd.DataFrame, labels: pd.DataFrame, message: str
) -> None:
    source = _write(tmp_path / "answers.csv", answers)
    path = _write(tmp_path / "labels.csv", labels)
    result = CliRunner().invoke(
        app,
        [
            "suggest",
            str(source),
            "--codebook",
            str(CODEBOOK),
            "--out",
            str(tmp_path / "o.csv"),
            "--labels",
            str(path),
        ],
    )
    assert result.exit_code == 2
    assert message in result.output and "labels.csv" in result.output
    assert not (tmp_path / "o.csv").exists()


def test_cli_suggest_writes_provenance_beside_the_output(tmp_path: Path, answers: pd.DataFrame) -> None:
    source = _write(tmp_path / "answers.csv", answers)
    out = tmp_path / "suggestions.csv"
    result = CliRunner().invoke(app, ["suggest", str(source), "--codebook", str(CODEBOOK), "--out", str(out)])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "suggestions.csv.provenance.json").read_text(encoding="utf-8"))
    assert [item["file"] for item in record["inputs"]] == [str(source), str(CODEBOOK)]
    assert len(record["inputs"][0]["sha256"]) == 64
    assert record["threshold"] == classify.DEFAULT_THRESHOLD and record["seed"] == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--out", "{dir}/s.parquet"], "unknown output format 'parquet'"),
        (["--out", "{dir}/s.csv", "--project", "{dir}/p.db"], "--project takes no INPUT"),
    ],
)
def test_cli_suggest_rejects_bad_options_before_any_work(
    tmp_path: Path, answers: pd.DataFrame, extra: list[str], message: str
) -> None:
    source = _write(tmp_path / "answers.csv", answers)
    args = ["suggest", str(source), "--codebook", str(CODEBOOK), *[a.format(dir=tmp_path) for a in extra]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and message in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.csv"]


def test_suggest_caches_the_model_and_info_shows_it(
    reference_book: Codebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(classify, "model_cache_dir", lambda: tmp_path / "models")  # empty; lexicon kept
    answers = pd.DataFrame({"id": [f"a{i}" for i in range(len(ANSWERS))], "text": ANSWERS})
    first = classify.suggest(answers, reference_book)
    assert classify.model_cache_info()["fitted codebook models"].startswith("1 (")
    assert classify.suggest(answers, reference_book).equals(first)
    assert "1 (" in classify.model_cache_info()["fitted codebook models"]  # reused, not stored twice
    result = CliRunner().invoke(app, ["info"])
    assert result.exit_code == 0 and "fitted codebook models" in result.output


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["--threshold", "2"], "Error: option --threshold: must be a float in the range [0.0, 1.0], got 2.0"),
        (
            ["--seed", "-1"],
            "Error: Invalid value for '--seed': Input should be greater than or equal to 0"
            " (see root suggest --help)",
        ),
    ],
)
def test_cli_suggest_option_out_of_range_is_one_line_and_exit_2(
    tmp_path: Path, answers: pd.DataFrame, extra: list[str], expected: str
) -> None:
    source = _write(tmp_path / "answers.csv", answers)
    out = tmp_path / "s.csv"
    args = ["suggest", str(source), "--codebook", str(CODEBOOK), "--out", str(out), *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and result.output.strip() == expected
    assert not out.exists()
    # with --project too, before the project is opened (it does not exist)
    result = CliRunner().invoke(app, ["suggest", "--project", str(tmp_path / "p.db"), *extra])
    assert result.exit_code == 2 and result.output.strip() == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.csv"]


def test_cli_suggest_learns_which_codes_go_with_which_question(tmp_path: Path) -> None:
    answers = pd.DataFrame(
        {
            "id": [f"a{i}" for i in range(len(QUESTION_ANSWERS))],
            "spørsmål": [question for question, _ in QUESTION_ANSWERS],
            "svar": [text for _, text in QUESTION_ANSWERS],
        }
    )
    source = _write(tmp_path / "answers.csv", answers)
    coded = {f"a{i}": "responsibility" for i in range(4)} | {f"a{i}": "meetings" for i in range(6, 10)}
    labels = _write(tmp_path / "labels.csv", pd.DataFrame({"id": list(coded), "code": list(coded.values())}))
    book = tmp_path / "book.yaml"
    book.write_text(codebook_module.to_yaml(QUESTION_BOOK, tmp_path), encoding="utf-8")
    args = ["suggest", str(source), "--codebook", str(book), "--text-col", "svar", "--labels", str(labels)]
    out = tmp_path / "suggestions.csv"
    result = CliRunner().invoke(
        app, [*args, "--question-col", "spørsmål", "-o", str(out), "--threshold", "0"]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, keep_default_na=False).set_index(["id", "code"])
    assert "question: ansvar" in table.loc[("a5", "responsibility"), "evidence"]
    assert "question: moter" in table.loc[("a11", "meetings"), "evidence"]
    result = CliRunner().invoke(app, [*args, "--question-col", "spm", "-o", str(out)])
    assert result.exit_code == 2 and "column 'spm': missing column" in result.output
    for clash in ("svar", "id"):
        result = CliRunner().invoke(app, [*args, "--question-col", clash, "-o", str(out)])
        assert result.exit_code == 2 and "is the answers' id or text column" in result.output
    result = CliRunner().invoke(app, ["suggest", "--project", str(tmp_path / "p.db"), "--question-col", "q"])
    assert result.exit_code == 2 and "--project takes no" in result.output
