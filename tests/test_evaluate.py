"""`evaluate` and `coder evaluate`: gold codes outside the codebook, and how many answers were compared."""

from __future__ import annotations

import pandas as pd
import pytest

from coder.errors import CoderError
from coder.reliability import PredictionWarning, evaluate


def _codes(ids: list[str], codes: list[str], **columns: list) -> pd.DataFrame:
    return pd.DataFrame({"id": ids, "code": codes, **columns})


def test_a_gold_code_not_in_the_codebook_is_reported_and_left_out_of_the_scores() -> None:
    gold = _codes(["a", "a", "b", "c", "d"], ["x", "annet", "annet", "y", "x"])
    pred = _codes(["a", "b", "c", "d"], ["x", "y", "y", "x"])
    result = evaluate(gold, pred, ["x", "y"])
    assert result["gold_codes_not_in_codebook"] == {"annet": 2}
    # scored as if the gold answers carried only their codebook codes (b: coded, no code)
    expected = evaluate(_codes(["a", "b", "c", "d"], ["x", "", "y", "x"]), pred, ["x", "y"])
    assert result["per_code"] == expected["per_code"] and result["micro_f1"] == expected["micro_f1"]
    assert result["per_code"]["y"]["precision"] == 0.5  # b's predicted y is a false positive
    assert "annet" not in result["per_code"]
    assert expected["gold_codes_not_in_codebook"] == {}


def test_a_predicted_code_not_in_the_codebook_is_still_an_error() -> None:
    gold = _codes(["a"], ["x"])
    with pytest.raises(CoderError, match="unknown code 'z' in the predictions .*another codebook"):
        evaluate(gold, _codes(["a"], ["z"]), ["x"])


def test_evaluate_counts_the_answers_compared_out_of_each_table() -> None:
    gold = _codes(["a", "b", "b", "c", "d"], ["x", "x", "y", "", "y"])
    pred = _codes(["a", "b", "v", "w", "w"], ["x", "y", "x", "x", "y"])
    result = evaluate(gold, pred, ["x", "y"])
    # every gold answer is compared (c and d with no prediction count as given no code); v, w are ignored
    counts = {"compared": 4, "gold": 4, "predicted": 4, "predicted_compared": 2, "hand_coded": 0}
    assert result["answers"] == counts
    assert result["per_code"]["y"]["support"] == 2 and result["per_code"]["y"]["recall"] == 0.5


def test_a_code_neither_in_the_gold_nor_predicted_has_no_scores() -> None:
    gold = _codes(["a", "b"], ["x", ""])
    result = evaluate(gold, _codes(["a", "b"], ["x", "y"]), ["x", "y", "z"])
    assert result["per_code"]["z"] == {
        "support": 0, "precision": None, "recall": None, "f1": None, "kappa": None, "alpha": None
    }  # fmt: skip
    assert result["per_code"]["y"]["precision"] == 0.0  # predicted, never right: 0, not undefined
    assert result["per_code"]["y"]["recall"] is None  # no gold answer carries it: 0 of 0, not 0
    assert result["macro_f1"] == 0.5  # x 1.0, y 0.0; z left out


def test_predictions_without_a_code_warn_as_the_wrong_file() -> None:
    gold = _codes(["a", "b"], ["x", ""])
    with pytest.warns(PredictionWarning, match="the predictions hold no code"):
        result = evaluate(gold, _codes([], []), ["x"])
    assert result["per_code"]["x"]["recall"] == 0.0


def test_answers_the_suggester_learned_from_are_left_out_of_the_scores(tmp_path) -> None:
    from coder.reliability import read_predictions

    path = tmp_path / "suggestions.csv"
    rows = ["a,x,1.0,coded by hand", "b,x,0.9,keywords: x", "c,y,0.8,y", "e,,1.0,coded by hand"]  # e: none
    path.write_text("id,code,confidence,evidence\n" + "\n".join(rows) + "\n", encoding="utf-8")
    pred = read_predictions(path)
    assert pred["hand_coded"].tolist() == [True, False, False, True]
    gold = _codes(["a", "b", "c", "e"], ["x", "y", "y", ""])
    with pytest.warns(PredictionWarning, match="2 of the 4 gold answers are left out"):
        result = evaluate(gold, pred, ["x", "y"])
    # a and e (the gold itself) would have been right: scored on b and c alone
    alone = evaluate(gold[gold["id"].isin(["b", "c"])], pred[pred["id"].isin(["b", "c"])], ["x", "y"])
    assert result["micro_f1"] == alone["micro_f1"]
    counts = {"compared": 2, "gold": 4, "predicted": 4, "predicted_compared": 2, "hand_coded": 2}
    assert result["answers"] == counts
    with pytest.raises(CoderError, match="every gold answer is one the suggester learned from"):
        evaluate(gold[gold["id"] == "a"], pred, ["x", "y"])
