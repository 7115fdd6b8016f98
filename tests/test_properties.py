"""Property tests: preprocessing takes any text; the loaders either load or raise CoderError, nothing else.

Each loader gets generated documents: YAML of random structure around the fields it knows (so the checks
below the YAML level are reached, not only the parser), raw text, and text with a BOM, tabs or control
characters. Few examples each (the ``coder`` profile in conftest.py) keep the file fast.
"""

from __future__ import annotations

import tempfile
import unicodedata
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from coder import codebook as cb
from coder import nlp, survey
from coder.classify import read_labels
from coder.errors import CoderError

# Any Unicode: surrogates cannot be written to a UTF-8 file, so they are left out of file contents only.
ANY_TEXT = st.text(max_size=60)
FILE_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False, allow_infinity=False, width=16)
    | st.sampled_from(["", " ", "a", "1.10", "2024-02-30", "ja", "~", "*", "housing", "#FFF", "x.csv"])
    | st.text(max_size=8)
)


def yaml_values(keys: list[str]) -> st.SearchStrategy[Any]:
    """Nested YAML values whose mapping keys are mostly ``keys`` (the loader's own field names)."""
    key = st.sampled_from(keys) | st.text(max_size=6)
    return st.recursive(
        SCALARS,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(key, inner, max_size=4),
        max_leaves=12,
    )


def as_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def with_noise(documents: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """YAML documents as generated, cut short, with a BOM or with text inserted somewhere."""
    cut = st.tuples(documents, st.integers(0, 400)).map(lambda pair: pair[0][: pair[1]])
    bom = documents.map(lambda text: "\ufeff" + text)
    inserted = st.tuples(
        documents, st.integers(0, 400), st.sampled_from(["\t", ":", "- ", "\n  ", "{", "&a"])
    )
    noisy = inserted.map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :])
    return documents | cut | bom | noisy | FILE_TEXT


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------- preprocess


@pytest.fixture(scope="module")
def embedded() -> Any:
    return nlp.load_pipeline("embedded")


@given(texts=st.lists(ANY_TEXT, min_size=1, max_size=3))
@example(texts=["\u0f9d", "A\ufeff\u0300 og \u1100\u1161"])  # found by hypothesis: NFC lengthens; apart marks
def test_preprocess_takes_any_unicode_text(embedded: Any, texts: list[str]) -> None:
    answers = nlp.preprocess(texts, embedded, use_cache=False)
    assert [answer.original for answer in answers] == texts
    for text, answer in zip(texts, answers, strict=True):
        assert answer.normalized == nlp.normalize_text(text)
        for token in answer.tokens:  # every token points back into the answer as written
            assert text[token.idx : token.idx + len(token.text)] == token.text


@given(text=ANY_TEXT | st.text(alphabet=" \t\n\u00a0\u00ad\u200b\ufeffa\u030a\u0301«»–…'", max_size=30))
@example(text="A\ufeff\u0300")  # found by hypothesis: an invisible character kept the mark from composing
@example(text="\u0f9d")  # found by hypothesis: NFC makes it two characters, which broke the offset map
def test_normalize_text_is_idempotent(text: str) -> None:
    once = nlp.normalize_text(text)
    assert nlp.normalize_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip() and "  " not in once


# ----------------------------------------------------------------------------------------------- codebook

CODE_KEYS = [*cb._CODE_FIELDS, "keyword"]
CODEBOOK_DOCUMENTS = st.fixed_dictionaries(
    {
        "name": SCALARS,
        "language": st.just("nb") | SCALARS,
        "version": SCALARS,
        "codes": st.lists(
            st.fixed_dictionaries(
                {"id": st.sampled_from(["housing", "flats", "Bad-Id"]) | SCALARS, "label": SCALARS},
                optional=dict.fromkeys(set(CODE_KEYS) - {"id", "label"}, yaml_values(CODE_KEYS)),
            )
            | yaml_values(CODE_KEYS),
            max_size=3,
        )
        | yaml_values(CODE_KEYS),
    },
    optional={"reference_answers": st.just("ref.csv") | SCALARS, "extra": SCALARS},
).map(as_yaml)

CSV_TEXT = st.lists(
    st.lists(
        st.sampled_from(["text", "codes", "id", "code", "present", "housing", "a;b", "", "1", '"'])
        | st.text(max_size=6),
        max_size=4,
    ),
    max_size=5,
).map(lambda rows: "\n".join(",".join(row) for row in rows))


@given(document=with_noise(CODEBOOK_DOCUMENTS), reference=CSV_TEXT)
def test_the_codebook_loader_loads_or_raises_coder_error(document: str, reference: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = write(Path(scratch), "book.yaml", document)
        write(Path(scratch), "ref.csv", reference)
        try:
            book = cb.load(path)
        except CoderError as error:
            assert str(error)
        else:
            assert book.codes and all(code.id and code.label for code in book.codes)
        problems = cb.validate(path, check_lemmas=False)  # the same file: a list, never a crash
        assert all(problem.severity in ("error", "warning") for problem in problems)


# ----------------------------------------------------------------------------------------------- manifest

MANIFEST_KEYS = sorted(
    {*survey._TOP_KEYS, *(k for keys in survey._SECTION_KEYS.values() for k in keys), "columns", "scale"}
    | {"column", "kind", "label", "missing", "min", "max", "labels"}
)
FILE_KEYS = {"id": st.just("id"), "columns": st.just([{"column": "q", "id": "q"}])}
MANIFEST_DOCUMENTS = st.fixed_dictionaries(
    {"functions": st.just(["A"]) | yaml_values(MANIFEST_KEYS)},
    optional={
        "survey": SCALARS,
        "municipality": st.just("Oppdal") | SCALARS,
        "include": st.just(["m.yaml"]) | yaml_values(MANIFEST_KEYS),
        **{
            section: st.fixed_dictionaries(
                {"file": st.just("t.csv") | SCALARS},
                optional={**dict.fromkeys(set(keys) - {"file"}, SCALARS), **FILE_KEYS},
            )
            | yaml_values(MANIFEST_KEYS)
            for section, keys in survey._SECTION_KEYS.items()
        },
    },
).map(as_yaml)
TABLE_TEXT = st.lists(
    st.lists(
        st.sampled_from(["id", "q", "A", "O1", "o1 ", "ja", "3", "daglig", ""]) | st.text(max_size=5),
        max_size=4,
    ),
    max_size=5,
).map(lambda rows: "\n".join(";".join(row) for row in rows))


@settings(max_examples=30, deadline=None)  # each example reads a manifest and its table twice
@given(document=with_noise(MANIFEST_DOCUMENTS), table=TABLE_TEXT)
@example(document='functions:\n- A\ninclude:\n- "\\0"\n', table="")  # found by hypothesis: a NUL in a path
def test_the_manifest_loader_loads_or_raises_coder_error(document: str, table: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = write(Path(scratch), "m.yaml", document)
        write(Path(scratch), "t.csv", table)
        with warnings.catch_warnings(record=True) as caught:  # fields nothing reads: one warning each
            warnings.simplefilter("always", survey.ManifestWarning)
            try:
                loaded = survey.load(path)
            except CoderError as error:
                assert str(error)
            else:
                assert list(loaded.answers.columns)[:2] == ["id", "respondent_id"]
        found = survey.check_warnings(path)
        assert all(isinstance(warning, CoderError) for warning in found)
        issued = [str(w.message) for w in caught if issubclass(w.category, survey.ManifestWarning)]
        assert issued == [str(warning) for warning in found]


# ------------------------------------------------------------------------------------------------- labels

BOOK = cb.Codebook("T", "nb", "1", (cb.Code("housing", "Bolig"), cb.Code("flats", "Hybler")))


@given(table=CSV_TEXT | FILE_TEXT, suffix=st.sampled_from([".csv", ".json"]))
@example(table=" ,\x85\ntext", suffix=".csv")  # found by hypothesis: two header names equal once stripped
def test_the_labels_loader_loads_or_raises_coder_error(table: str, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path = write(Path(scratch), f"labels{suffix}", table)
        try:
            labels = read_labels(path, ["1", "a;b", "housing"], BOOK)
        except CoderError as error:
            assert str(error)
        else:
            assert set(labels["code"]) <= {"", "housing", "flats"}
