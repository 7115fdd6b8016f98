"""Reading survey exports and writing outputs atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from coder.cli import app
from coder.errors import CoderError
from coder.io import atomic_write, decode_bytes, read_answers, read_table, sniff_separator, write_table

ROWS = [("r1", "Mangler omsorgsboliger"), ("r2", "Kort vei, alle kjenner alle"), ("r3", "  ")]


def _write_csv(path: Path, sep: str, encoding: str, rows=ROWS, header=("id", "text")) -> Path:
    lines = [sep.join(header)] + [sep.join(f'"{v}"' if sep in v else v for v in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [",", ";"])
def test_read_answers_handles_excel_csv_variants(tmp_path: Path, encoding: str, sep: str) -> None:
    path = _write_csv(tmp_path / "answers.csv", sep, encoding)
    answers = read_answers(path)
    assert list(answers.columns) == ["id", "text"]
    assert answers["id"].tolist() == ["r1", "r2", "r3"]
    assert answers.loc[1, "text"] == "Kort vei, alle kjenner alle"
    assert answers.loc[2, "text"].strip() == ""  # blank answers are kept as uncoded, not dropped


def test_read_answers_reads_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "answers.xlsx"
    pd.DataFrame({"respondent": ["r1", "r2"], "svar": ["Få møteplasser", None]}).to_excel(path, index=False)
    answers = read_answers(path, id_col="respondent", text_col="svar")
    assert answers["text"].tolist() == ["Få møteplasser", ""]


def test_decode_bytes_prefers_utf8_then_cp1252() -> None:
    assert decode_bytes("æøå".encode()) == "æøå"
    assert decode_bytes("æøå".encode("cp1252")) == "æøå"
    assert decode_bytes(b"\xef\xbb\xbfid") == "id"


def test_semicolon_export_with_commas_in_the_question_header(tmp_path: Path) -> None:
    path = tmp_path / "questback.csv"
    text = "id;Hva er styrkene, svakhetene, og mulighetene?\nr1;Små forhold, kort vei\nr2;Startlån\n"
    path.write_bytes(text.encode("cp1252"))
    answers = read_answers(path, text_col="Hva er styrkene, svakhetene, og mulighetene?")
    assert answers["text"].tolist() == ["Små forhold, kort vei", "Startlån"]


def test_sniff_separator_ignores_quoted_separators() -> None:
    assert sniff_separator('id;text\n1;"a, b, c"') == ";"
    assert sniff_separator('"a;b",c\n') == ","


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="file not found") as error:
        read_table(tmp_path / "nope.csv")
    assert "nope.csv" in str(error.value)


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", ",", "utf-8")
    with pytest.raises(CoderError) as error:
        read_answers(path, text_col="svar")
    assert str(error.value).startswith(f"{path}, column 'svar': missing column")


def test_duplicate_ids_name_the_rows(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", ",", "utf-8", rows=[("r1", "a"), ("r2", "b"), ("r1", "c")])
    with pytest.raises(CoderError) as error:
        read_answers(path)
    assert "rows 2, 4" in str(error.value) and "duplicate id 'r1'" in str(error.value)


def test_empty_id_is_an_error(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "a.csv", ",", "utf-8", rows=[("r1", "a"), ("", "b")])
    with pytest.raises(CoderError, match="row 3, column 'id': empty id"):
        read_answers(path)


def test_atomic_write_keeps_old_file_when_the_block_fails(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    path.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(path) as handle:
        handle.write("half")
        raise RuntimeError("crash")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "json"])
def test_write_table_round_trips_norwegian_text(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame({"id": ["r1"], "text": ["Bolig for rusavhengige – æøå"]})
    path = write_table(frame, tmp_path / f"out.{suffix}")
    if suffix == "json":
        assert "æøå" in path.read_text(encoding="utf-8")
    else:
        assert read_table(path)["text"].tolist() == ["Bolig for rusavhengige – æøå"]


@given(st.lists(st.text(alphabet="abcæøåÆØÅ ,;\"'-é", min_size=0, max_size=30), min_size=1, max_size=5))
def test_csv_round_trip_preserves_any_text(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str]
) -> None:
    path = tmp_path_factory.mktemp("rt") / "a.csv"
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(len(texts))], "text": texts})
    write_table(frame, path)
    assert read_answers(path)["text"].tolist() == texts


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["preprocess", "{dir}/missing.csv", "--out", "{dir}/t.csv"], "missing.csv: file not found"),
        (["preprocess", "{dir}/a.csv", "--out", "{dir}/t.csv", "--text-col", "svar"], "column 'svar'"),
        (["preprocess", "{dir}/dup.csv", "--out", "{dir}/t.csv"], "duplicate id 'r1'"),
    ],
)
def test_cli_bad_input_gives_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    _write_csv(tmp_path / "a.csv", ";", "cp1252")
    _write_csv(tmp_path / "dup.csv", ",", "utf-8", rows=[("r1", "a"), ("r1", "b")])
    result = CliRunner().invoke(app, [a.format(dir=tmp_path) for a in args])
    assert result.exit_code == 2
    output = result.output.strip()
    assert message in output and output.startswith("Error:")
    assert "Traceback" not in output and len(output.splitlines()) == 1


def test_outputs_get_the_usual_permissions(tmp_path: Path) -> None:
    import os
    import stat

    old = os.umask(0o022)
    try:
        path = write_table(pd.DataFrame({"id": ["r1"]}), tmp_path / "out.csv")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_stray_cp1252_byte_does_not_garble_a_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("id,text\n1,Savner faste møtepunkter\n".encode() + b"2,Bost\xc3\xb8tte \x96 fungerer\n")
    assert read_answers(path)["text"].tolist() == ["Savner faste møtepunkter", "Bostøtte – fungerer"]


def test_suggestions_written_as_json_read_back(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": ["r1"], "code": ["anchoring"], "confidence": [0.9]})
    path = write_table(frame, tmp_path / "s.json")
    assert read_table(path).to_dict("records") == [{"id": "r1", "code": "anchoring", "confidence": "0.9"}]


def test_an_output_that_is_a_directory_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="the output is a directory"):
        write_table(pd.DataFrame({"id": ["r1"]}), tmp_path)


def test_answers_that_look_like_formulas_stay_text_in_xlsx(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = write_table(
        pd.DataFrame({"id": ["r1"], "text": ["=SUM(A1) er ikke en formel"]}), tmp_path / "a.xlsx"
    )
    cell = load_workbook(path).active["B2"]
    assert cell.data_type == "s" and cell.value == "=SUM(A1) er ikke en formel"


def test_a_header_only_file_has_no_answers(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,text\n", encoding="utf-8")
    with pytest.raises(CoderError, match="no answers"):
        read_answers(path)
