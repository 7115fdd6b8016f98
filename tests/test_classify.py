"""The semi-supervised code suggester and `coder suggest`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from typer.testing import CliRunner

from coder import classify
from coder.cli import app
from coder.codebook import Code, Codebook, load
from coder.errors import CoderError
from coder.nlp import preprocess

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = REPO / "codebooks" / "boligsosialt.yaml"

ANSWERS = [
    "Mangler omsorgsboliger for rusavhengige",
    "Kort vei mellom tjenestene, alle kjenner alle",
    "Ingen tar tak i helheten",
    "Har ingen fast arena for dette",
    "Startlån og bostøtte brukes aktivt",
    "For dårlig oppfølging av beboerne, mange husleierestanser",
    "Politikerne prioriterer ikke boligsosialt arbeid i budsjettet",
    "vet ikke",
    "Godt samarbeid med NAV og informasjonsflyt mellom enhetene",
    "",
]


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    return load(CODEBOOK)


@pytest.fixture(scope="module")
def answers() -> pd.DataFrame:
    return pd.DataFrame({"id": [f"a{i}" for i in range(len(ANSWERS))], "text": ANSWERS})


def _codes(suggestions: pd.DataFrame, answer_id: str) -> set[str]:
    return set(suggestions.loc[suggestions["id"] == answer_id, "code"])


def test_codebook_alone_codes_clear_answers(codebook: Codebook, answers: pd.DataFrame) -> None:
    suggestions = classify.suggest(answers, codebook)
    assert list(suggestions.columns) == ["id", "code", "confidence", "evidence"]
    assert "adapted_housing" in _codes(suggestions, "a0")
    assert "local_knowledge" in _codes(suggestions, "a1")
    assert "fragmented_responsibility" in _codes(suggestions, "a2")
    assert "meeting_places" in _codes(suggestions, "a3")
    assert "financial_instruments" in _codes(suggestions, "a4")
    assert "follow_up" in _codes(suggestions, "a5")
    assert "anchoring" in _codes(suggestions, "a6")
    assert "coordination" in _codes(suggestions, "a8")
    assert _codes(suggestions, "a7") == set() and _codes(suggestions, "a9") == set()
    assert (suggestions["confidence"] >= classify.DEFAULT_THRESHOLD).all()
    assert (suggestions["confidence"] <= 1).all()


def test_evidence_names_the_keywords(codebook: Codebook, answers: pd.DataFrame) -> None:
    suggestions = classify.suggest(answers, codebook)
    evidence = suggestions.loc[(suggestions["id"] == "a4") & (suggestions["code"] == "financial_instruments")]
    assert "startlån" in evidence["evidence"].iloc[0]


def test_same_inputs_and_seed_give_the_same_suggestions(codebook: Codebook, answers: pd.DataFrame) -> None:
    first = classify.suggest(answers, codebook, seed=3)
    second = classify.suggest(answers, codebook, seed=3)
    pd.testing.assert_frame_equal(first, second)


def test_human_labels_teach_the_suggester() -> None:
    codebook = Codebook(
        "t",
        "nb",
        "1",
        (
            Code("housing", "Bolig", keywords=("bolig",), examples=("for få boliger",)),
            Code("economy", "Økonomi", keywords=("startlån",), examples=("startlån fungerer",)),
        ),
    )
    texts = ["mangler husvære", "husvære for unge", "husvære til flyktninger", "startlån", "bolig", "husvære"]
    ids = [f"a{i}" for i in range(len(texts))]
    without = classify.CodeSuggester(codebook).fit(texts)
    labels = pd.DataFrame({"id": ["a0", "a1", "a2"], "code": ["housing"] * 3})
    y = classify.label_matrix(ids, labels, codebook)
    assert y[0].tolist() == [1, 0] and y[5].tolist() == [-1, -1]
    with_labels = classify.CodeSuggester(codebook).fit(texts, y)
    before = without.predict_proba(["husvære"])[0, 0]
    after = with_labels.predict_proba(["husvære"])[0, 0]
    assert after > before + 0.2
    assert with_labels.predict(["husvære"]).tolist() == [[1, 0]]


def test_estimator_follows_scikit_learn_conventions(codebook: Codebook) -> None:
    suggester = classify.CodeSuggester(codebook, threshold=0.7, random_state=5)
    assert suggester.get_params()["threshold"] == 0.7
    copy = clone(suggester)
    assert copy.get_params()["random_state"] == 5 and not hasattr(copy, "models_")
    suggester.fit(ANSWERS)
    assert list(suggester.classes_) == codebook.code_ids
    proba = suggester.predict_proba(ANSWERS)
    assert proba.shape == (len(ANSWERS), len(codebook.codes))
    assert np.array_equal(suggester.predict(ANSWERS), (proba >= 0.7).astype(int))
    with pytest.raises(ValueError, match="shape"):
        suggester.fit(ANSWERS, np.zeros((2, 2)))


def test_labels_with_unknown_ids_or_codes_are_user_errors(codebook: Codebook, answers: pd.DataFrame) -> None:
    with pytest.raises(CoderError, match="id 'zz' is not in the answers"):
        classify.suggest(answers, codebook, labels=pd.DataFrame({"id": ["zz"], "code": ["anchoring"]}))
    with pytest.raises(CoderError, match="code 'nope' is not in the codebook"):
        classify.suggest(answers, codebook, labels=pd.DataFrame({"id": ["a1"], "code": ["nope"]}))


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
    result = CliRunner().invoke(app, [*args[:5], str(out_json), "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(out_json.read_text(encoding="utf-8"))
    assert {"id", "code", "confidence", "evidence"} <= set(records[0])


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


def test_decisions_label_only_the_codes_decided(codebook: Codebook) -> None:
    ids = ["a", "b", "c"]
    decisions = pd.DataFrame(
        {"id": ["a", "a", "b"], "code": ["anchoring", "follow_up", ""], "present": [1, 0, 0]}
    )
    y = classify.label_matrix(ids, decisions, codebook)
    anchoring, follow_up = codebook.code_ids.index("anchoring"), codebook.code_ids.index("follow_up")
    assert y[0, anchoring] == 1 and y[0, follow_up] == 0
    assert (np.delete(y[0], [anchoring, follow_up]) == classify.UNLABELED).all()  # undecided stays unknown
    assert (y[1] == 0).all()  # closed with no code
    assert (y[2] == classify.UNLABELED).all()
    suggester = classify.CodeSuggester(codebook).fit(ANSWERS[:3], y)
    assert suggester.predict_proba(ANSWERS[:3]).shape == (3, len(codebook.codes))


def test_no_answers_give_no_suggestions(codebook: Codebook) -> None:
    empty = classify.suggest(pd.DataFrame({"id": [], "text": []}), codebook)
    assert list(empty.columns) == classify.SUGGESTION_COLUMNS and empty.empty


def test_predicting_before_fitting_is_an_error(codebook: Codebook) -> None:
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        classify.CodeSuggester(codebook).predict(["bolig"])


def test_cli_suggest_writes_provenance_beside_the_output(tmp_path: Path, answers: pd.DataFrame) -> None:
    source = _write(tmp_path / "answers.csv", answers)
    out = tmp_path / "suggestions.csv"
    result = CliRunner().invoke(app, ["suggest", str(source), "--codebook", str(CODEBOOK), "--out", str(out)])
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "suggestions.csv.provenance.json").read_text(encoding="utf-8"))
    assert [item["file"] for item in record["inputs"]] == [str(source), str(CODEBOOK)]
    assert len(record["inputs"][0]["sha256"]) == 64
    assert record["settings"]["threshold"] == classify.DEFAULT_THRESHOLD and record["settings"]["seed"] == 0


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


def test_a_typing_slip_in_a_long_word_still_finds_the_keyword() -> None:
    book = Codebook("t", "nb", "1", (Code("anchoring", "Forankring", keywords=("forankring",)),))
    matcher = classify.KeywordMatcher(book)
    answers = preprocess(["manglende forankirng i ledelsen", "forankring", "forandring"])
    assert [list(matcher.matches(a)) for a in answers] == [["anchoring"], ["anchoring"], []]
    assert classify.one_edit_apart("samarbied", "samarbeid")
    assert not classify.one_edit_apart("bolig", "boliger")
