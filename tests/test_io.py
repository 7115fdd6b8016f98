"""Reading survey exports and writing outputs atomically."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.io import write_csv

from coder.errors import CoderError
from coder.io import (
    atomic_write,
    decode_bytes,
    read_answers,
    read_table,
    read_yaml,
    require_columns,
    sniff_separator,
    staged_directory,
    write_json,
    write_table,
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])  # utf-16: «Unicode text»
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_read_answers_handles_excel_csv_variants(tmp_path: Path, encoding: str, sep: str) -> None:
    path = write_csv(tmp_path / "answers.csv", sep, encoding)
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


def test_excels_separator_line_is_read_and_hidden_as_excel_does(tmp_path: Path) -> None:
    # Excel writes «sep=;» on the first line when asked to, and hides it: row numbers count from the header.
    path = tmp_path / "eksport.csv"
    path.write_bytes("sep=,\r\nid,svar\r\nr1,Små forhold; kort vei\r\nr2,Startlån\r\n".encode("cp1252"))
    assert read_answers(path, text_col="svar")["text"].tolist() == ["Små forhold; kort vei", "Startlån"]
    path.write_text('"sep=;"\nid;svar\nr1;Ja\nr2;Nei;ekstra\n', encoding="utf-8")
    with pytest.raises(CoderError, match="row 3: the row has 3 fields and the header 2"):
        read_table(path)
    path.write_text("sep=; \nid;svar\nr1;Ja\n", encoding="utf-8")  # a space after it, as typed
    assert read_table(path)["svar"].tolist() == ["Ja"]
    for text, message in (("sep=;\n\nid;svar\nr1;Ja\n", "row 1: the first row is empty"),
                          ("sep=;\n", "the file is empty but for Excel's «sep=» line")):  # fmt: skip
        path.write_text(text, encoding="utf-8")
        with pytest.raises(CoderError, match=message):  # were «missing column (columns are: )», pandas' words
            read_table(path)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(CoderError, match="file not found") as error:
        read_table(tmp_path / "nope.csv")
    assert "nope.csv" in str(error.value)


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", ",", "utf-8")
    with pytest.raises(CoderError) as error:
        read_answers(path, text_col="svar")
    assert str(error.value).startswith(f"{path}, column 'svar': missing column")


def test_duplicate_ids_name_the_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", ",", "utf-8", rows=[("r1", "a"), ("r2", "b"), ("r1", "c")])
    with pytest.raises(CoderError) as error:
        read_answers(path)
    assert "rows 2, 4" in str(error.value) and "duplicate id 'r1'" in str(error.value)


def test_empty_id_is_an_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", ",", "utf-8", rows=[("r1", "a"), ("", "b")])
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
    # a heading too (a municipality's name heads a column of the report's function table)
    heading = '=HYPERLINK("http://x","klikk")'
    path = write_table(pd.DataFrame({heading: ["r1"]}), tmp_path / "b.xlsx")
    cell = load_workbook(path).active["A1"]
    assert cell.data_type == "s" and cell.value == heading


@pytest.mark.parametrize("header", ["id;text;id \n", " ;\x85\n"])  # «\x85» (NEL) is white space too
def test_a_header_naming_a_column_twice_is_a_clear_error(tmp_path: Path, header: str) -> None:
    # found by test_properties: two names equal once stripped made frame[name] a table, not a column
    path = tmp_path / "a.csv"
    path.write_text(f"{header}r1;a;b\n", encoding="utf-8")
    with pytest.raises(CoderError) as caught:
        read_table(path)
    assert str(caught.value).startswith(f"{path}, row 1: the header names column ")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_header_naming_a_column_twice_exactly_is_a_clear_error(tmp_path: Path, suffix: str) -> None:
    # pandas renames the second «text» «text.1», and the first was read without a word
    frame = pd.DataFrame([["r1", "a", "b"]], columns=["id", "text", "x"])
    path = write_table(frame, tmp_path / f"a{suffix}")
    if suffix == ".csv":
        path.write_text("id,text,text\nr1,a,b\n", encoding="utf-8")
    else:
        from openpyxl import load_workbook

        book = load_workbook(path)
        book.active["C1"] = "text"
        book.save(path)
    with pytest.raises(CoderError) as caught:
        read_table(path)
    assert str(caught.value).startswith(f"{path}, row 1: the header names column 'text' twice")


def test_rows_longer_than_the_header_shift_nothing_and_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id;text\nr1;mangler boliger;\nr2;samarbeid;\n", encoding="utf-8")  # «;» at the end
    assert read_table(path).to_dict("list") == {"id": ["r1", "r2"], "text": ["mangler boliger", "samarbeid"]}
    path.write_text("id,text\nr1,samarbeid, bedre enn før\nr2,mangler boliger\n", encoding="utf-8")
    with pytest.raises(CoderError) as caught:  # pandas would drop « bedre enn før»
        read_table(path)
    assert str(caught.value).startswith(f"{path}, row 2: the row has 3 fields and the header 2")


def test_a_header_only_file_has_no_answers(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id,text\n", encoding="utf-8")
    with pytest.raises(CoderError, match="no answers"):
        read_answers(path)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("name: a\ncodes:\n\t- x\n", 3, "a tab character at column 1"),
        ("name: a\nname: b\n", 2, "duplicate key 'name' (first on line 1)"),
        ("a:\n  b: 1\n  c: 2\n  b: 3\n", 4, "duplicate key 'b' (first on line 2)"),
        ("name: a\nwhen: 2024-02-30\n", 2, "(quote it to keep it as text)"),  # a date that is none
    ],
)
def test_the_yaml_reader_is_strict(tmp_path: Path, text: str, line: int | None, fragment: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CoderError) as raised:
        read_yaml(path)
    assert fragment in raised.value.message and raised.value.line == line


def test_the_yaml_reader_accepts_a_bom_and_keeps_tabs_inside_text(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes("\ufeffsurvey: Åfjord\nnote: |\n  a\n  \tb\n".encode())
    document = read_yaml(path)
    assert document.data == {"survey": "Åfjord", "note": "a\n\tb\n"}
    assert document.node is not None and document.node.value[1][0].start_mark.line == 1


@pytest.mark.parametrize(
    "data",
    [
        "id;svar\n1;Små forhold\n".encode(),
        b"\xef\xbb\xbf" + "id;svar\n1;Små forhold\n".encode(),
        "id;svar\n1;Små forhold\n".encode("cp1252"),
        "id;svar\n1;møte ".encode() + b"\x96 ok\n",  # UTF-8 with a dash pasted from Word
        b"id;svar\n1;" + b"a" * ((1 << 20) - 11) + "ø og å\n".encode(),  # «ø» across two blocks
    ],
)
def test_a_csv_is_read_from_the_file_as_its_bytes_decode(tmp_path: Path, data: bytes) -> None:
    """The file is decoded in blocks by pandas, not whole: the same table as decoding all its bytes."""
    path = tmp_path / "svar.csv"
    path.write_bytes(data)
    expected = decode_bytes(data).split("\n")[1].split(";", 1)[1]
    assert read_table(path)["svar"].tolist() == [expected]
    answers = read_answers(path, text_col="svar")
    assert answers["text"].tolist() == [expected] and list(answers.columns) == ["id", "text"]


def test_provenance_has_one_shape_with_roles_and_settings_after_it(tmp_path: Path) -> None:
    from coder import io

    data = tmp_path / "svar.csv"
    data.write_text("id,text\n", encoding="utf-8")
    record = io.provenance([("manifest", data), data], seed=3, codebook={"name": "x"})
    assert list(record) == ["tool", "created", "inputs", "seed", "codebook"]
    assert record["inputs"][0]["role"] == "manifest" and "role" not in record["inputs"][1]
    assert record["inputs"][1] == {"file": str(data), "sha256": io.file_sha256(data)}
    assert record["created"].endswith("+00:00") and "." not in record["created"]  # UTC, to the second
    with pytest.raises(ValueError, match="created"):
        io.provenance(created="yesterday")  # a setting cannot pass for the time the output was made


def test_file_name_slugs_keep_norwegian_letters_and_are_never_empty() -> None:
    from coder.io import slug

    assert slug("Indre Fosen") == "indre-fosen" and slug("Åfjord/Ørland") == "åfjord-ørland"
    assert slug("  --  ") == "x"


def test_number_and_percent_text_are_the_one_way_to_show_numbers() -> None:
    from coder.io import number_text, percent_text

    assert [number_text(v) for v in (0.1234, None, float("nan"), 1.0)] == ["0.123", "–", "–", "1.000"]
    assert number_text(0.25, 2, decimal_mark=",") == "0,25" and number_text(3.0, whole=True) == "3"
    # half up, as a reader rounds (round() would give 22 % and 24 %)
    assert [percent_text(v) for v in (0.225, 0.235, 0.004, None)] == ["23%", "24%", "0%", "–"]
    # exact halves that a float holds a hair below: 57.5 %, 14.5 %, 28.5 %
    assert [percent_text(k / n) for k, n in ((23, 40), (29, 200), (57, 200))] == ["58%", "15%", "29%"]
    assert percent_text(0.5, space=True) == "50 %"


def test_staged_directory_removes_only_its_own_earlier_files_inside_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "rapport"
    out.mkdir()
    with staged_directory(out) as stage:
        (stage / "a.csv").write_text("a", encoding="utf-8")
        (stage / "figurer").mkdir()
        (stage / "figurer" / "f.png").write_text("f", encoding="utf-8")
    outside = tmp_path / "victim.txt"
    outside.write_text("keep", encoding="utf-8")
    (out / "own.txt").write_text("mine", encoding="utf-8")
    index = out / ".coder-files"
    index.write_text(index.read_text(encoding="utf-8") + f"../victim.txt\n{outside}\n", encoding="utf-8")
    with staged_directory(out) as stage:
        (stage / "b.csv").write_text("b", encoding="utf-8")
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    assert left == [".coder-files", "b.csv", "own.txt"]  # a.csv and figurer/ (left empty) removed
    assert outside.read_text(encoding="utf-8") == "keep"  # listed, but not inside the folder


def test_a_yaml_file_saved_as_cp1252_is_one_error_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "manifest.yaml"
    path.write_bytes("name: test\nmunicipality: Ørland\n".encode("cp1252"))
    with pytest.raises(CoderError) as caught:
        read_yaml(path, "manifest")
    assert str(caught.value) == (
        f"{path}:2: not UTF-8 text ('Ø' is not UTF-8; Notepad or Excel saved it as ANSI/cp1252?): save the "
        "file as UTF-8"
    )


def test_a_figure_draws_dollar_signs_as_written_not_as_math(tmp_path: Path) -> None:
    from matplotlib.figure import Figure

    from coder.io import save_figure

    fig = Figure()
    ax = fig.subplots()
    ax.set_title("$\\foo$")  # an id from a respondents file; as math it is a parse error
    ax.text(0, 0, "$5 og $10")
    files = save_figure(fig, tmp_path / "bilde", ("png", "svg"))
    assert [path.name for path in files] == ["bilde.png", "bilde.svg"]
    assert all(path.stat().st_size for path in files)


def test_a_csv_for_excel_has_a_bom_and_runs_no_formula(tmp_path: Path) -> None:
    from coder.io import write_table

    frame = pd.DataFrame({"text": ['=HYPERLINK("http://x","klikk")', "- for få boliger", "@SUM(A1)", "ok"]})
    frame["n"] = [1, -2, 3, 4]
    write_table(frame, tmp_path / "excel.csv", excel=True)
    raw = (tmp_path / "excel.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(tmp_path / "excel.csv", encoding="utf-8-sig")
    assert list(back["text"]) == ["'" + text for text in frame["text"][:3]] + ["ok"]
    assert list(back["n"]) == [1, -2, 3, 4]  # numbers stay numbers, also negative ones
    write_table(frame, tmp_path / "plain.csv")  # for programs: as written, no mark
    assert pd.read_csv(tmp_path / "plain.csv").equals(frame) and not (
        tmp_path / "plain.csv"
    ).read_bytes().startswith(b"\xef")


def test_a_cp1252_export_in_capitals_is_not_taken_for_utf8(tmp_path: Path) -> None:
    # In cp1252, «Å…» is \xc5\x85 and «Å»» \xc5\xbb: valid UTF-8 («Ņ», «Ż») by chance; «FÅ…» became «FŅ».
    from coder.io import decode_bytes, file_encoding, read_table

    text = "id;text\r\n1;FOR FÅ… BOLIGER\r\n2;«MANGEL PÅ»\r\n3;møte med NAV\r\n"
    path = tmp_path / "caps.csv"
    path.write_bytes(text.encode("cp1252"))
    assert decode_bytes(path.read_bytes()) == text
    assert file_encoding(path) == ("cp1252", "strict")
    assert list(read_table(path)["text"]) == ["FOR FÅ… BOLIGER", "«MANGEL PÅ»", "møte med NAV"]
    # UTF-8 with dashes and quotes pasted from Word keeps its letters, however many the strays
    path.write_bytes("id;text\n1;Bra – men".encode() + b" \x96 x \x96 y \x93sitat\x94 " + "ø\n".encode())
    assert list(read_table(path)["text"]) == ["Bra – men – x – y “sitat” ø"]
    # and a file joined from a UTF-8 export and a cp1252 one keeps the letters of both
    path.write_bytes("id;text\n1;på bolig\n".encode() + "2;på NAV\n".encode("cp1252"))
    assert list(read_table(path)["text"]) == ["på bolig", "på NAV"]


def test_half_an_emoji_in_json_is_a_replacement_character(tmp_path: Path) -> None:
    # A lone surrogate cannot be written or hashed as UTF-8: preprocess stopped with a traceback.
    from coder.io import read_table

    path = tmp_path / "svar.json"
    path.write_text('[{"id": "1", "text": "bad \\ud83d x \\ud83d\\ude00"}]', encoding="utf-8")
    assert read_table(path)["text"].tolist() == ["bad \ufffd x \U0001f600"]


def test_empty_rows_at_the_end_of_an_export_are_no_rows(tmp_path: Path) -> None:
    # Excel writes rows that were only formatted as «;;;»: they were «empty id» errors.
    from coder.io import read_answers

    path = tmp_path / "svar.csv"
    path.write_bytes(b"id;text;x\r\n1;a;\r\n2;b;\r\n;;\r\n ; ;\r\n")
    assert read_answers(path)["id"].tolist() == ["1", "2"]
    # in the middle too (it was an «empty id» error); rows after blank lines keep their spreadsheet numbers
    path.write_bytes(b"id;text;x\r\n1;a;\r\n;;\r\n\r\n\r\n2;b;\r\n")
    assert read_answers(path)["id"].tolist() == ["1", "2"]
    path.write_bytes(b"id;text;x\r\n1;a;\r\n\r\n\r\n;c;\r\n")
    with pytest.raises(CoderError, match="row 5, column 'id': empty id"):
        read_answers(path)
    path.write_bytes(b"id;text;x\r\n1;a;\r\n\r\n1;c;\r\n")
    with pytest.raises(CoderError, match="rows 2, 4, column 'id': duplicate id '1'"):
        read_answers(path)


def test_an_output_through_a_link_writes_the_file_it_points_to(tmp_path: Path) -> None:
    from coder.io import write_table

    target = tmp_path / "target.csv"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    write_table(pd.DataFrame({"id": ["1"]}), link)
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "id\n1\n"


def test_an_output_that_is_no_regular_file_is_refused(tmp_path: Path) -> None:
    import os

    from coder.io import write_table

    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    with pytest.raises(CoderError, match="the output is not a regular file"):
        write_table(pd.DataFrame({"id": ["1"]}), pipe)
    assert pipe.exists() and not pipe.is_file()  # still the pipe


def test_a_table_is_not_written_when_its_provenance_cannot_be(tmp_path: Path) -> None:
    from coder.io import write_with_provenance

    (tmp_path / "forslag.csv.provenance.json").mkdir()
    with pytest.raises(CoderError, match="the output is a directory"):
        write_with_provenance(pd.DataFrame({"id": ["1"]}), tmp_path / "forslag.csv", {"tool": "coder"})
    assert not (tmp_path / "forslag.csv").exists()


def test_a_workbook_header_ending_in_a_number_is_no_duplicate(tmp_path: Path) -> None:
    # «Spørsmål 3» and «Spørsmål 3.1» were «the header names column 'Spørsmål 3' twice».
    import openpyxl

    from coder.io import read_table

    book = openpyxl.Workbook()
    book.active.append(["id", "Spørsmål 3", "Spørsmål 3.1"])
    book.active.append(["1", "a", "b"])
    book.save(tmp_path / "eksport.xlsx")
    assert list(read_table(tmp_path / "eksport.xlsx").columns) == ["id", "Spørsmål 3", "Spørsmål 3.1"]


def test_a_text_longer_than_an_excel_cell_is_cut_with_a_mark_and_a_warning_naming_the_row(
    tmp_path: Path,
) -> None:
    from coder.io import EXCEL_CELL, write_excel

    frame = pd.DataFrame({"text": ["kort", "x" * (EXCEL_CELL + 100)]})
    with pytest.warns(UserWarning, match="sheet 'svar', row 3: a text longer than Excel's 32,767 characters"):
        write_excel(tmp_path / "svar.xlsx", {"svar": frame})
    cell = pd.read_excel(tmp_path / "svar.xlsx")["text"][1]
    assert len(cell) == EXCEL_CELL and cell.endswith(" […]")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc, where no file can be made")
def test_an_output_that_cannot_be_made_is_one_error_naming_it_not_a_temporary_file() -> None:
    with pytest.raises(CoderError, match=r"^/proc/x\.json: ") as error:
        write_json({"a": 1}, "/proc/x.json")
    assert ".tmp" not in str(error.value)


def test_json_outputs_hold_null_for_nan_and_text_for_infinity(tmp_path: Path) -> None:
    path = write_json({"stability": float("nan"), "odds": float("inf")}, tmp_path / "x.json")
    assert path.read_text(encoding="utf-8") == '{\n  "stability": null,\n  "odds": "inf"\n}\n'


def test_staged_directory_never_replaces_an_input_and_leaves_a_live_run_alone(tmp_path: Path) -> None:
    out = tmp_path / "ut"
    out.mkdir()
    data = out / "network.csv"
    data.write_text("fra,til\n", encoding="utf-8")
    with (
        pytest.raises(CoderError, match="would replace this input file"),
        staged_directory(out, inputs=[data]) as stage,
    ):
        (stage / "positions.csv").write_text("p", encoding="utf-8")
        (stage / "network.csv").write_text("n", encoding="utf-8")
    assert data.read_text(encoding="utf-8") == "fra,til\n" and not (out / "positions.csv").exists()
    # the staging of a run still at work (this process) stays; one of a process that is gone is removed
    live = out / f".staging-{os.getpid()}-abc"
    gone = out / ".staging-999999999-abc"
    for folder in (live, gone):
        folder.mkdir()
    with staged_directory(out) as stage:
        (stage / "a.csv").write_text("a", encoding="utf-8")
    assert live.is_dir() and not gone.exists() and (out / "a.csv").is_file()
    # a file an earlier run wrote and this one does not is removed, unless it is now an input
    (out / ".coder-files").write_text("a.csv\nnetwork.csv\n", encoding="utf-8")
    with staged_directory(out, inputs=[data]) as stage:
        (stage / "b.csv").write_text("b", encoding="utf-8")
    assert not (out / "a.csv").exists() and data.read_text(encoding="utf-8") == "fra,til\n"


def test_a_workbook_under_another_suffix_and_an_unknown_sheet_are_named(tmp_path: Path) -> None:
    book = tmp_path / "eksport.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame({"id": ["1"], "svar": ["a"]}).to_excel(writer, sheet_name="Svar", index=False)
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Info", index=False)
    with pytest.raises(CoderError, match=r"no sheet named 'Ark1' \(the sheets are 'Svar', 'Info'\)"):
        read_table(book, sheet="Ark1")
    for suffix in (".xls", ".csv", ".ods"):  # it was «cannot parse CSV: Error tokenizing data»
        renamed = book.with_suffix(suffix)
        renamed.write_bytes(book.read_bytes())
        with pytest.raises(CoderError, match="this is a workbook or another zip file, not a CSV"):
            read_table(renamed)
    old = tmp_path / "gammel.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    with pytest.raises(CoderError, match=r"old Excel workbook \(.xls\)"):
        read_table(old)


def test_a_dated_workbook_is_the_same_bytes_each_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # openpyxl stamped the time of saving on the workbook and its zip: no two runs gave the same file
    import time
    from datetime import datetime

    from coder.io import provenance, write_excel

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # as reproducible builds fix the time
    created = datetime.fromisoformat(provenance([])["created"]).replace(tzinfo=None)
    assert created == datetime(2026, 1, 1)
    frame = pd.DataFrame({"tema": ["Bolig"], "antall": [3]})
    monkeypatch.setattr(time, "time", lambda: 1.0e9)  # the clock the zip's file times are read from
    first = write_excel(tmp_path / "a.xlsx", {"temaer": frame}, created=created).read_bytes()
    monkeypatch.setattr(time, "time", lambda: 1.5e9)  # a run years later
    second = write_excel(tmp_path / "b.xlsx", {"temaer": frame}, created=created).read_bytes()
    assert first == second
    assert pd.read_excel(tmp_path / "b.xlsx").to_dict("records") == [{"tema": "Bolig", "antall": 3}]


def test_broken_tables_are_said_in_spreadsheet_terms_not_in_pandas(tmp_path: Path) -> None:
    import openpyxl

    cases = {
        # pandas: «Error tokenizing data. C error: EOF inside string starting at row 3»
        "quote.csv": (
            'id,text\na1,ok\na2,fint\na3,"hei\na4,ok\n',
            'row 4: a quote (") opens a text that is never',
        ),
        # pandas: «No columns to parse from file»
        "blank.csv": (
            "\n\nid,text\na1,ok\n",
            "row 1: the first row is empty: the header belongs on the first row",
        ),
        # pandas: «Excel file format cannot be determined, you must specify an engine manually.»
        "renamed.xlsx": (
            "id,text\na1,ok\n",
            ": not an Excel workbook, though named so: a CSV or text file renamed?",
        ),
    }
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(CoderError) as raised:
            read_table(tmp_path / name)
        assert message in str(raised.value) and "pandas" not in str(raised.value)
    (tmp_path / "passord.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    )  # OLE2: encrypted
    with pytest.raises(CoderError, match="an old .xls or a password-protected workbook: save it as .xlsx"):
        read_table(tmp_path / "passord.xlsx")
    openpyxl.Workbook().save(tmp_path / "tom.xlsx")  # was an empty table: «missing column (columns are: )»
    with pytest.raises(CoderError, match="the sheet is empty"):
        read_table(tmp_path / "tom.xlsx")


def test_a_column_in_another_case_is_named() -> None:
    frame = pd.DataFrame({"ID": ["a1"], "Text": ["bolig"]})  # another tool's header
    with pytest.raises(CoderError) as raised:
        require_columns(frame, ["id", "text"], "svar.csv")
    assert str(raised.value) == (
        "svar.csv, column 'id': missing column (columns are: ID, Text; 'ID' in another case? names are "
        "matched as written: rename it 'id')"
    )
