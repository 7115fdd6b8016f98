"""Agreement statistics, `coder evaluate` and `coder agreement`."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score, f1_score, precision_recall_fscore_support
from support.reliability import (
    CODEBOOK,
    fixture_project,  # noqa: F401
    fixture_suggested,  # noqa: F401
    write_file,
)

from coder import store
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


def test_read_predictions_rejects_confidence_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="row 3, column 'confidence'"):
        read_predictions(write_file(tmp_path / "p.csv", "id,code,confidence\nr1,a,0.5\nr2,a,1.2\n"))


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


def test_decisions_made_seeing_the_other_coders_codes_leave_reliability_as_it_was(
    project: store.Project, tmp_path: Path
) -> None:
    before = agreement(project, ["kari", "ola"], model=False)
    # a consensus meeting: kari, shown ola's codes, takes them over (and undoes one step of it)
    project.record("kari", [Decision("a1", "y", "remove")], blind=False)
    project.record("kari", [Decision("a2", "x", "add")], blind=False)
    assert project.undo("kari", blind=False) == ["a2"]
    project.record("kari", [Decision("a2", "y", "add")], blind=False)
    after = agreement(project, ["kari", "ola"], model=False)
    pd.testing.assert_frame_equal(after.table, before.table)  # agreement reached is not agreement found
    assert len(after.disagreements) == 2 and after.seen_decisions == {"kari": 2}  # the undone one not
    codes = set(zip(project.current_codes()["id"], project.current_codes()["code"], strict=True))
    assert {("a1", "y"), ("a2", "y")} - codes == {("a1", "y")} and ("a2", "x") not in codes  # the consensus
    # a merge keeps which decisions were seen
    store.init(tmp_path / "empty.db", project.answers()[["id", "text"]], CODEBOOK).close()
    with store.Project.open(
        store.merge(project.path, tmp_path / "empty.db", tmp_path / "merged.db")
    ) as merged:
        again = agreement(merged, ["kari", "ola"], model=False)
    pd.testing.assert_frame_equal(again.table, before.table)
    assert again.seen_decisions == {"kari": 2}
    # an undo in the meeting takes a blind decision back from the codes, not from reliability
    project.record("ola", [Decision("a4", "y", "add")])
    assert project.undo("ola", blind=False) == ["a4"]
    assert "a4" not in set(project.cells("ola")["id"])
    blind = project.cells("ola", blind_only=True).set_index(["id", "code"])["present"]
    assert blind[("a4", "y")] == 1


def test_one_string_of_coders_is_refused_not_read_letter_by_letter(project: store.Project) -> None:
    with pytest.raises(TypeError, match="list of names"):
        agreement(project, "kari,ola")


def test_one_coder_named_twice_is_said_so(project: store.Project) -> None:
    # «--coders ola,ola --no-model» said «name at least two coders», though two were named
    with pytest.raises(CoderError, match="name at least two different coders \\('ola' is named twice\\)"):
        agreement(project, ["ola", "Ola"], model=False)


def test_coders_are_named_in_any_case(project: store.Project) -> None:
    same = agreement(project, ["KARI", "Ola"], model=False)
    assert same.coders == ("kari", "ola")
    assert same.table.equals(agreement(project, ["kari", "ola"], model=False).table)


def test_three_coders_with_missing_decisions(project: store.Project) -> None:
    project.record("per", [Decision("a4", "x", "add"), Decision("a5", "y", "add")])
    table = agreement(project, ["kari", "ola", "per"], model=False).table.set_index("code")
    kari = [1, 1, 0, 0, 1, NAN]
    ola = [1, 1, 0, 0, NAN, 1]
    per = [NAN, NAN, NAN, NAN, 1, 0]
    # kappa was «–» for three coders, the legend saying «every rating the same»: now Light's, the mean of
    # Cohen's over the pairs (scikit-learn's, on the answers both rated), an undefined pair left out
    from sklearn.metrics import cohen_kappa_score

    def pair(a: list[float], b: list[float]) -> float:
        both = [(x, y) for x, y in zip(a, b, strict=True) if not (math.isnan(x) or math.isnan(y))]
        if len({v for p in both for v in p}) < 2:
            return NAN  # one value everywhere: chance agreement is 1
        return cohen_kappa_score([x for x, _ in both], [y for _, y in both])

    kappas = [k for k in (pair(kari, ola), pair(kari, per), pair(ola, per)) if not math.isnan(k)]
    assert len(kappas) == 2 and table.at["x", "kappa"] == pytest.approx(sum(kappas) / len(kappas))
    assert table.at["x", "alpha"] == pytest.approx(krippendorff_alpha([kari, ola, per]))
    assert table.at["x", "percent_agreement"] == pytest.approx(percent_agreement([kari, ola, per]))
    assert table.at["x", "answers"] == 6


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
    # changed: a path was «AttributeError: 'str' object has no attribute 'logged_name'»
    with pytest.raises(TypeError, match="agreement takes an open project: coder.store.Project.open"):
        agreement(str(tmp_path / "cells.db"), ["kari", "ola"], model=False)


def test_read_codes_leaves_out_conflicts_of_a_project_export(tmp_path: Path) -> None:
    path = tmp_path / "codes.csv"
    path.write_text("id,code,status\na0,x,agreed\na0,y,conflict\na1,,agreed\n", encoding="utf-8")
    assert read_codes(path).values.tolist() == [["a0", "x"], ["a1", ""]]


def test_predictions_for_another_survey_are_a_user_error() -> None:
    gold = pd.DataFrame({"id": ["a", "b"], "code": ["x", ""]})
    with pytest.raises(CoderError, match="share no answer id"):
        evaluate(gold, pd.DataFrame({"id": ["z"], "code": ["x"]}), ["x"])


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
