"""Agreement statistics, `coder evaluate` and `coder agreement`."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score, f1_score, precision_recall_fscore_support
from typer.testing import CliRunner

from coder import store
from coder.cli import app
from coder.codebook import Code, Codebook
from coder.errors import CoderError
from coder.reliability import (
    OVERALL,
    agreement,
    cohen_kappa,
    coverage_at_precision,
    evaluate,
    indicator_matrix,
    krippendorff_alpha,
    percent_agreement,
    precision_recall_f1,
    read_codes,
    read_predictions,
)
from coder.store import Decision

runner = CliRunner()
NAN = math.nan

# -- statistics over 0/1 arrays ------------------------------------------------------------------------------

binary = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=2, max_size=40)


@settings(max_examples=60, deadline=None)
@given(binary)
def test_kappa_matches_scikit_learn(pairs: list[tuple[int, int]]) -> None:
    a, b = np.array(pairs).T
    ours = cohen_kappa(a, b)
    if len(set(a) | set(b)) == 1:
        assert math.isnan(ours)  # both coders gave one value to everything: undefined
    else:
        assert ours == pytest.approx(cohen_kappa_score(a, b))


@settings(max_examples=60, deadline=None)
@given(binary)
def test_two_coder_agreement_is_the_share_of_equal_ratings(pairs: list[tuple[int, int]]) -> None:
    a, b = np.array(pairs).T
    assert percent_agreement(np.vstack([a, b])) == pytest.approx(np.mean(a == b))


def test_missing_ratings_are_left_out() -> None:
    a = [1, 0, NAN, 1]
    b = [1, 1, 0, NAN]
    assert percent_agreement([a, b]) == 0.5  # only the first two answers were rated by both
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score([1, 0], [1, 1]))
    assert math.isnan(percent_agreement([[1, NAN], [NAN, 0]]))
    assert math.isnan(cohen_kappa([1, NAN], [NAN, 0]))


def test_alpha_reproduces_krippendorffs_reliability_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the 4 coders x 12 units example;
    # nominal alpha = 0.743.
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
    assert krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)


def test_alpha_is_undefined_without_variation_and_perfect_with_agreement() -> None:
    assert math.isnan(krippendorff_alpha([[1, 1, 1], [1, 1, 1]]))
    assert math.isnan(krippendorff_alpha([[1, NAN], [NAN, 0]]))  # nothing pairable
    assert krippendorff_alpha([[1, 0, 1, NAN], [1, 0, 1, 0]]) == 1.0


@settings(max_examples=40, deadline=None)
@given(binary)
def test_precision_recall_f1_match_scikit_learn(pairs: list[tuple[int, int]]) -> None:
    gold, pred = np.array(pairs).T
    expected = precision_recall_fscore_support(gold, pred, average="binary", zero_division=0)[:3]
    assert precision_recall_f1(gold, pred) == pytest.approx(expected)


def test_coverage_picks_the_loosest_threshold_reaching_the_target() -> None:
    gold = np.array([[1, 0], [1, 0], [0, 0], [1, 1], [0, 0]])
    conf = np.array([[0.99, NAN], [0.9, NAN], [0.8, NAN], [0.7, 0.6], [NAN, 0.5]])
    # by confidence: 0.99 ok, 0.9 ok, 0.8 wrong (2/3), 0.7 ok (3/4), 0.6 ok (4/5), 0.5 wrong (4/6)
    assert coverage_at_precision(gold, conf, target=0.75) == (0.8, 0.6)  # 4 of 5 answers at >= 0.6
    assert coverage_at_precision(gold, conf, target=0.95) == (0.4, 0.9)
    assert coverage_at_precision(np.array([[0]]), np.array([[0.9]])) == (0.0, None)


# -- evaluate ---------------------------------------------------------------------------------------------


def _random_codes(rng: np.random.Generator, ids: list[str], codes: list[str], p: float) -> pd.DataFrame:
    rows = [(i, c) for i in ids for c in codes if rng.random() < p]
    return pd.DataFrame(rows, columns=["id", "code"])


def test_evaluate_agrees_with_scikit_learn() -> None:
    rng = np.random.default_rng(7)
    ids = [f"r{i}" for i in range(60)]
    codes = ["a", "b", "c"]
    gold = _random_codes(rng, ids, codes, 0.3)
    gold = pd.concat([gold, pd.DataFrame({"id": [i for i in ids if i not in set(gold["id"])], "code": ""})])
    pred = _random_codes(rng, ids + ["extra"], codes, 0.35)
    result = evaluate(gold, pred, codes)
    g = indicator_matrix(gold, ids, codes)
    p = indicator_matrix(pred, ids, codes)
    precision, recall, f1, support = precision_recall_fscore_support(g, p, zero_division=0)
    for j, code in enumerate(codes):
        stats = result["per_code"][code]
        assert stats["support"] == support[j]
        assert (stats["precision"], stats["recall"], stats["f1"]) == pytest.approx(
            (precision[j], recall[j], f1[j])
        )
        assert stats["kappa"] == pytest.approx(cohen_kappa_score(g[:, j], p[:, j]))
        assert stats["alpha"] == pytest.approx(krippendorff_alpha([g[:, j], p[:, j]]))
    assert result["micro_f1"] == pytest.approx(f1_score(g, p, average="micro"))
    assert result["macro_f1"] == pytest.approx(f1_score(g, p, average="macro"))
    assert result["mean_alpha"] == pytest.approx(np.mean([result["per_code"][c]["alpha"] for c in codes]))
    assert result["coverage_at_95"] is None  # no confidences
    assert set(result) == {"micro_f1", "macro_f1", "mean_alpha", "per_code", "coverage_at_95"} | {
        "answers", "gold_codes_not_in_codebook"
    }  # fmt: skip


def test_evaluate_coverage_uses_the_confidences() -> None:
    gold = pd.DataFrame({"id": ["a", "b", "c", "d"], "code": ["x", "x", "", "y"]})
    pred = pd.DataFrame(
        {"id": ["a", "b", "c", "d"], "code": ["x", "x", "x", "y"], "confidence": [0.9, 0.8, 0.7, 0.2]}
    )
    assert evaluate(gold, pred, ["x", "y"])["coverage_at_95"] == 0.5  # a and b, at threshold 0.8


def test_evaluate_unknown_code_is_an_error() -> None:
    gold = pd.DataFrame({"id": ["a"], "code": ["x"]})
    with pytest.raises(CoderError, match="unknown code 'z' in the predictions"):
        evaluate(gold, pd.DataFrame({"id": ["a"], "code": ["z"]}), ["x"])


def test_read_codes_long_and_semicolon_forms_agree(tmp_path: Path) -> None:
    long = tmp_path / "long.csv"
    long.write_text("id,code\nr1,a\nr1,b\nr2,\n", encoding="utf-8")
    short = tmp_path / "short.csv"
    short.write_text('id;codes\nr1;"a; b"\nr2;\n', encoding="utf-8")
    assert (
        read_codes(long).values.tolist()
        == read_codes(short).values.tolist()
        == [["r1", "a"], ["r1", "b"], ["r2", ""]]
    )


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_evaluate_table_and_json(tmp_path: Path) -> None:
    gold = _write(tmp_path / "gold.csv", "id,codes\nr1,follow_up;anchoring\nr2,\nr3,follow_up\n")
    pred = _write(
        tmp_path / "pred.csv",
        "id,code,confidence,evidence\nr1,follow_up,0.9,x\nr2,anchoring,0.6,\nr3,follow_up,0.8,\n",
    )
    result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--pred", str(pred)])
    assert result.exit_code == 0, result.output
    assert "follow_up" in result.output and "anchoring" in result.output
    assert "micro F1 0.667" in result.output  # tp 2, fp 1, fn 1
    assert "coverage at 95 % precision 66.7%" in result.output
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
            str(_write(tmp_path / "gold.csv", gold)),
            "--pred",
            str(_write(tmp_path / "p.csv", pred)),
        ],
    )
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_read_predictions_rejects_confidence_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="row 3, column 'confidence'"):
        read_predictions(_write(tmp_path / "p.csv", "id,code,confidence\nr1,a,0.5\nr2,a,1.2\n"))


# -- agreement in a coding project ---------------------------------------------------------------------------

CODEBOOK = Codebook(
    "test", "nb", "1", (Code("x", "Første", description="T."), Code("y", "Andre", description="T."))
)


@pytest.fixture
def project(tmp_path: Path) -> store.Project:
    answers = pd.DataFrame({"id": [f"a{i}" for i in range(6)], "text": [f"svar {i}" for i in range(6)]})
    opened = store.init(tmp_path / "p.db", answers, CODEBOOK)
    # kari decides a0-a4, ola a0-a3 and a5: only a0-a3 are shared
    opened.record(
        "kari",
        [
            Decision("a0", "x", "add"),
            Decision("a1", "x", "add"),
            Decision("a1", "y", "add"),
            Decision("a2", "", "none"),
            Decision("a3", "y", "add"),
            Decision("a4", "x", "add"),
        ],
    )
    opened.record("ola", [Decision("a0", "x", "add"), Decision("a1", "x", "add"), Decision("a2", "y", "add"),
                          Decision("a3", "y", "add"), Decision("a5", "x", "add")])  # fmt: skip
    opened.add_suggestion_run(
        pd.DataFrame({"id": ["a0", "a1", "a2"], "code": ["x", "x", "y"], "confidence": [0.9, 0.4, 0.7]}),
        threshold=0.5,
    )
    yield opened
    opened.close()


def test_agreement_counts_only_answers_both_decided(project: store.Project) -> None:
    result = agreement(project, ["kari", "ola"])
    table = result.table.set_index(["comparison", "code"])
    kari = {"x": [1, 1, 0, 0], "y": [0, 1, 0, 1]}  # a0..a3
    ola = {"x": [1, 1, 0, 0], "y": [0, 0, 1, 1]}
    for code in ("x", "y"):
        row = table.loc[("kari, ola", code)]
        assert row["answers"] == 4
        assert row["percent_agreement"] == pytest.approx(np.mean(np.equal(kari[code], ola[code])))
        assert row["kappa"] == pytest.approx(cohen_kappa_score(kari[code], ola[code]))
        assert row["alpha"] == pytest.approx(krippendorff_alpha([kari[code], ola[code]]))
    overall = table.loc[("kari, ola", OVERALL)]
    assert overall["percent_agreement"] == pytest.approx(6 / 8)
    assert overall["kappa"] == pytest.approx(cohen_kappa_score(kari["x"] + kari["y"], ola["x"] + ola["y"]))
    # each coder against the model (x for a0, y for a2; the model rated every answer)
    model_x = [1, 0, 0, 0, 0]  # a0..a4 for kari
    row = table.loc[("kari ~ model", "x")]
    assert row["answers"] == 5
    assert row["percent_agreement"] == pytest.approx(np.mean(np.equal([1, 1, 0, 0, 1], model_x)))
    assert set(zip(result.disagreements["id"], result.disagreements["code"], strict=True)) == {
        ("a1", "y"),
        ("a2", "y"),
    }
    assert result.disagreements.set_index(["id", "code"]).loc[("a2", "y"), ["kari", "ola"]].tolist() == [
        "0",
        "1",
    ]


def test_three_coders_with_missing_decisions(project: store.Project) -> None:
    project.record("per", [Decision("a4", "x", "add"), Decision("a5", "y", "add")])
    table = agreement(project, ["kari", "ola", "per"], model=False).table.set_index("code")
    assert math.isnan(table.at["x", "kappa"])  # kappa is for two raters only
    kari = [1, 1, 0, 0, 1, NAN]
    ola = [1, 1, 0, 0, NAN, 1]
    per = [NAN, NAN, NAN, NAN, 1, 0]
    assert table.at["x", "alpha"] == pytest.approx(krippendorff_alpha([kari, ola, per]))
    assert table.at["x", "percent_agreement"] == pytest.approx(percent_agreement([kari, ola, per]))
    assert table.at["x", "answers"] == 6


def test_cli_agreement_writes_the_disagreements(tmp_path: Path, project: store.Project) -> None:
    out = tmp_path / "disagreements.csv"
    result = runner.invoke(app, ["agreement", str(project.path), "--coders", "kari,ola", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "kari ~ model" in result.output and "2 disagreements" in result.output
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(written.columns) == ["id", "respondent_id", "question_id", "code", "kari", "ola", "text"]
    assert written["id"].tolist() == ["a1", "a2"]


def test_cli_agreement_unknown_coder_is_exit_2(project: store.Project) -> None:
    result = runner.invoke(app, ["agreement", str(project.path), "--coders", "kari,nina"])
    assert result.exit_code == 2
    assert "coder 'nina' has no decisions in this project (coders: kari, ola)" in result.output


def test_agreement_compares_decided_cells_not_whole_answers(tmp_path: Path) -> None:
    answers = pd.DataFrame({"id": ["a0", "a1"], "text": ["svar 0", "svar 1"]})
    with store.init(tmp_path / "cells.db", answers, CODEBOOK) as opened:
        suggested = pd.DataFrame({"id": ["a0", "a0"], "code": ["x", "y"], "confidence": [0.95, 0.6]})
        opened.add_suggestion_run(suggested, threshold=0.5)
        # Both decide only code x of a0 (a bulk run, say); neither closes the answer or decides y.
        opened.record("kari", [Decision("a0", "x", "accept")], mode="bulk")
        opened.record("ola", [Decision("a0", "x", "reject")], mode="bulk")
        table = agreement(opened, ["kari", "ola"], model=False).table.set_index("code")
    assert table.loc["x", "answers"] == 1 and table.loc["x", "percent_agreement"] == 0.0
    assert table.loc["y", "answers"] == 0  # nobody decided y: not counted as agreeing on 'absent'


def test_read_codes_leaves_out_conflicts_of_a_project_export(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("id,code,status\na0,x,agreed\na0,y,conflict\na1,,agreed\n", encoding="utf-8")
    assert read_codes(path).values.tolist() == [["a0", "x"], ["a1", ""]]


def test_predictions_for_another_survey_are_a_user_error() -> None:
    gold = pd.DataFrame({"id": ["a", "b"], "code": ["x", ""]})
    with pytest.raises(CoderError, match="share no answer id"):
        evaluate(gold, pd.DataFrame({"id": ["z"], "code": ["x"]}), ["x"])


# -- agreement that comes from a bulk rule is flagged --------------------------------------------------------

BULK_SUGGESTIONS = pd.DataFrame(
    {
        "id": ["a0", "a1", "a2", "a3", "a4", "a5", "a5"],
        "code": ["x", "x", "y", "y", "x", "x", "y"],
        "confidence": [0.95, 0.93, 0.97, 0.05, 0.6, 0.3, 0.04],
    }
)


@pytest.fixture
def suggested(tmp_path: Path) -> store.Project:
    answers = pd.DataFrame({"id": [f"a{i}" for i in range(6)], "text": [f"svar {i}" for i in range(6)]})
    opened = store.init(tmp_path / "s.db", answers, CODEBOOK)
    opened.add_suggestion_run(BULK_SUGGESTIONS, threshold=0.5)
    yield opened
    opened.close()


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


def test_half_read_half_bulk_is_counted_but_not_flagged(suggested: store.Project) -> None:
    from coder.review import bulk_review

    bulk_review(suggested, "kari", accept_from=0.9, reject_below=0.1)
    suggested.record("ola", [Decision("a0", "x", "accept"), Decision("a0", "", "none"),
                             Decision("a2", "y", "reject"), Decision("a2", "", "none")])  # fmt: skip
    table = agreement(suggested, ["kari", "ola"], model=False).table.set_index("code")
    # compared: x and y of a0 and a2 for ola (closed: y of a0 and x of a2 are absent), kari's bulk x of a0
    # and y of a2 only -- kari's bulk rule said nothing about y of a0 or x of a2
    assert table.loc[OVERALL, ["decisions", "bulk_decisions"]].tolist() == [4, 2]
    assert table.loc["y", "percent_agreement"] == 0.0  # a2: kari's rule accepted y, ola read and rejected it
    assert agreement(suggested, ["kari", "ola"], model=False).mostly_bulk() == []


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
    assert set(data) == {"agreement", "disagreements", "conflicts"}
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


def test_split_codes_gives_each_rows_id_and_codes() -> None:
    from coder.reliability import split_codes

    frame = pd.DataFrame({"id": [" a", "b", "c"], "codes": ["x; y", "", " z ;"]})
    assert split_codes(frame) == (["a", "b", "c"], "codes", [["x", "y"], [], ["z"]])
    assert split_codes(pd.DataFrame({"id": ["a"], "code": ["x;y"]}))[2] == [["x;y"]]  # one code a row
    with pytest.raises(CoderError, match="expected a column 'code' or 'codes'"):
        split_codes(pd.DataFrame({"id": ["a"], "tema": ["x"]}), "f.csv")


def test_predictions_from_a_table_already_read_checks_confidences() -> None:
    from coder.reliability import predictions_from

    frame = pd.DataFrame({"id": ["a", "b"], "code": ["x", ""], "confidence": ["0,5", "0.2"]})
    assert predictions_from(frame).values.tolist() == [["a", "x", 0.5]]
    with pytest.raises(CoderError, match="confidence must be a number from 0 to 1") as error:
        predictions_from(frame.assign(confidence=["2", "0"]), "p.csv")
    assert (error.value.file, error.value.row) == ("p.csv", 2)
