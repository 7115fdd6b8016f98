"""The command line of coder.io (`coder ...` through typer's CliRunner)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from support.io import write_csv
from typer.testing import CliRunner

from coder.cli import app
from coder.errors import CoderError
from coder.io import (
    read_answers,
    read_table,
)
from coder.reliability import read_codes

OVERWRITE = "a.csv: the output would overwrite the input"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["preprocess", "{dir}/missing.csv", "--out", "{dir}/t.csv"], "missing.csv: file not found"),
        (["preprocess", "{dir}/a.csv", "--out", "{dir}/t.csv", "--text-col", "svar"], "column 'svar'"),
        (["preprocess", "{dir}/dup.csv", "--out", "{dir}/t.csv"], "duplicate id 'r1'"),
        (["preprocess", "{dir}/a.csv", "--out", "{dir}/a.csv"], OVERWRITE),
        (["preprocess", "{dir}/a.csv", "--out", "{dir}/no/t.csv"], "no: output directory does not exist"),
        (["suggest", "{dir}/a.csv", "--out", "{dir}/./a.csv"], OVERWRITE),
        # a value the option parser refuses, or a missing argument: one line as well, not a boxed usage text
        (["discover", "{dir}/a.csv", "--min-size", "0"], "Invalid value for '--min-size'"),
        (["preprocess", "--out", "{dir}/t.csv"], "Missing argument 'input'. (see root preprocess --help)"),
        (["discover", "{dir}/a.csv", "--bogus"], "No such option: --bogus"),
        (["--bogus"], "No such option: --bogus (see root --help)"),  # the top group's own options
        (["codebook", "valdate"], "No such command 'valdate'. Did you mean 'validate'?"),
        # an OSError of a named file (here ENAMETOOLONG from Path.exists) is a user error like the others
        (["preprocess", "{dir}/" + "x" * 300 + ".csv", "--out", "{dir}/t.csv"], ".csv: File name too long"),
    ],
)
def test_cli_bad_input_gives_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    write_csv(tmp_path / "a.csv", ";", "cp1252")
    write_csv(tmp_path / "dup.csv", ",", "utf-8", rows=[("r1", "a"), ("r1", "b")])
    result = CliRunner().invoke(app, [a.format(dir=tmp_path) for a in args])
    assert result.exit_code == 2
    output = result.output.strip()
    assert message in output and output.startswith("Error:")
    assert "Traceback" not in output and len(output.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        # click kept the last one unsaid: `init` coded the second question alone and said «12 answers»
        (["suggest", "x.csv", "--text-col", "Q1", "--text-col", "Q2"], "--text-col is given twice"),
        (["codes", "export", "p.db", "--out", "a.csv", "-o", "b.csv"], "-o is given twice (as --out before)"),
        (["agreement", "p.db", "--model", "--no-model"], "--no-model is given twice (as --model before)"),
        (["codes", "export", "p.db", "--out", "a.csv", "-ob.csv"], "-o is given twice (as --out before)"),
    ],
)
def test_an_option_of_one_value_given_twice_is_an_error(args: list[str], fragment: str) -> None:
    output = _cli_error(args)
    assert fragment in output and f" {' '.join(args[: 2 if args[0] == 'codes' else 1])} --help)" in output


def test_an_options_value_that_looks_like_an_option_is_a_value_and_help_is_help() -> None:
    # click reads «--filter --coder» as a filter of «--coder»: not the option --coder given twice
    output = _cli_error(["review", "p.db", "--coder", "kari", "--filter", "--coder"])
    assert "given twice" not in output and "project not found" in output
    shown = CliRunner().invoke(app, ["suggest", "x.csv", "--text-col", "a", "--text-col", "b", "--help"])
    assert shown.exit_code == 0 and "Usage" in shown.output


def test_the_usage_error_caught_is_clicks() -> None:
    from coder.cli import USAGE_ERROR

    assert USAGE_ERROR.__name__ == "UsageError" and issubclass(typer.BadParameter, USAGE_ERROR)


def test_a_command_group_alone_shows_its_help_not_an_error() -> None:
    result = CliRunner().invoke(app, ["codebook"])
    assert "Usage:" in result.output and "validate" in result.output and "Error" not in result.output


# ------------------------------------------------------------------------------ bad inputs, one clear line


def _cli_error(args: list[str]) -> str:
    result = CliRunner().invoke(app, args)
    output = result.output.strip()
    assert result.exit_code == 2 and output.startswith("Error:") and len(output.splitlines()) == 1, output
    assert "Traceback" not in output
    return output


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("title.csv", "Undersøkelse 2024\nid;text\nr1;a\n", "row 1: row 1 is not a header: it has one field"),
        ("two.csv", "Q1;Q2\nid;text\nr1;a\n", "column 'id': not in the header (row 1) but in row 2"),
        ("again.csv", "id;text\nr1;a\nid;text\nr2;b\n", "row 3: this row repeats the header"),
        # it was pandas' «cannot parse CSV: Error tokenizing data. C error: Expected 2 fields in line 4…»
        (
            "semi.csv",
            'id;text\nr1;"to\nlinjer"\nr2;a\nr3;Uklart ansvar; ingen tar tak\n',
            "row 4: the row has 3 fields and the header 2: a text with ';' in it without quotes?",
        ),
        ("semi2.csv", "id;text\nr1;a; b\nr2;b\nr3;c; d; e\n", "row 2: the row has 3 fields and the header 2"),
        (
            "empty.csv",
            "id;text\nr1;a;;\nr2;b;;;\n",
            "row 2: the row has more fields than the header, the extra",
        ),
        (
            "tab.tsv",
            "id\ttext\nr1\ta\tb\n",
            "row 2: the row has 3 fields and the header 2: a text with a tab in",
        ),
    ],
)
def test_header_problems_from_excel_give_file_and_row(
    tmp_path: Path, name: str, content: str, fragment: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content.encode("cp1252"))
    with pytest.raises(CoderError) as raised:
        read_answers(path)
    assert fragment in str(raised.value) and raised.value.file == str(path)
    output = _cli_error(["preprocess", str(path), "--out", str(tmp_path / "t.csv")])
    assert fragment in output


def _decoded_twice(text: str) -> bytes:
    """``text`` as Excel saves a UTF-8 export it opened as ANSI: «CSV UTF-8» of the cp1252 reading."""
    return b"\xef\xbb\xbf" + text.encode("utf-8").decode("cp1252").encode("utf-8")


QUESTION = "Hva er de største utfordringene?"


@pytest.mark.parametrize(
    ("content", "id_col", "text_col", "fragment"),
    [
        # read on, «Kort vei til rÃ¥dmannen» was coded as garbled words, `coder init` saying «12 answers»
        (
            _decoded_twice("id;text\nr1;Kort vei til rådmannen\nr2;startlån og bostøtte\n"),
            "id",
            "text",
            "row 2, column 'text': the text looks decoded twice («Ã¥» where one letter belongs",
        ),
        (
            _decoded_twice(f"id;{QUESTION}\nr1;a\n"),
            "id",
            QUESTION,
            "row 1, column 'Hva er de stÃ¸rste utfordringene?': the text looks decoded twice",
        ),
        # SurveyXact's second header row, the questions' labels, was coded as an answer of id «Respondent»
        (
            f"respondent;text\nRespondent;{QUESTION}\n11;a\n12;b\n13;c\n".encode("cp1252"),
            "respondent",
            "text",
            "row 2, column 'respondent': id 'Respondent' is a word and every other id a number",
        ),
    ],
    ids=["text-decoded-twice", "header-decoded-twice", "label-row"],
)
def test_an_export_excel_or_a_survey_tool_changed_is_named(
    tmp_path: Path, content: bytes, id_col: str, text_col: str, fragment: str
) -> None:
    path = tmp_path / "svar.csv"
    path.write_bytes(content)
    with pytest.raises(CoderError) as raised:
        read_answers(path, id_col=id_col, text_col=text_col)
    assert fragment in str(raised.value)
    project = tmp_path / "p.db"
    output = _cli_error(
        ["init", str(project), "--answers", str(path), "--id-col", id_col, "--text-col", text_col]
    )
    assert fragment in output and not project.exists()


def test_an_export_without_an_id_column_says_to_add_one(tmp_path: Path) -> None:
    # Google Forms exports a time stamp and the answers, no id: «missing column (columns are: …)» alone
    path = tmp_path / "skjema.csv"
    path.write_text("Tidsstempel,Hva fungerer godt?\n10.03.2026 09:15:44,Kort vei\n", encoding="utf-8")
    with pytest.raises(CoderError, match="add a column 'id' numbering the rows"):
        read_answers(path, text_col="Hva fungerer godt?")
    # a file of codes must use the answers' ids: numbering its rows would mislabel every answer
    codes = tmp_path / "koder.csv"
    codes.write_text("answer_id,code\na1,x\n", encoding="utf-8")
    with pytest.raises(CoderError, match="missing column") as raised:
        read_codes(codes)
    assert "numbering" not in str(raised.value)
    # a header «ID» is the id in another case: one hint, to rename it, not also to add one
    path.write_text("ID,Hva fungerer godt?\n1,Kort vei\n", encoding="utf-8")
    with pytest.raises(CoderError, match="rename it 'id'\\)$"):
        read_answers(path, text_col="Hva fungerer godt?")


def test_a_decoded_twice_letter_beside_healthy_ones_is_one_answer_to_check(tmp_path: Path) -> None:
    # an answer about the survey form itself («fikk Ã¸ for ø») refused the whole file, also when the healthy
    # letters came after the first five rows (the first look at a file), and warned twice
    path = tmp_path / "svar.csv"
    rows = [
        "r1;Jeg fikk Ã¸ i stedet for o i skjemaet",
        *(f"r{i};kort vei" for i in range(2, 8)),
        "r8;største",
    ]
    path.write_text("id;text\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.warns(
        UserWarning, match="row 2, column 'text': «Ã¸» looks like a letter decoded twice"
    ) as caught:
        assert len(read_answers(path)) == 8
    assert len(caught) == 1
    # more cells decoded twice than healthy ones: the file, not one answer
    path.write_text("id;text\n1;stÃ¸rste\n2;pÃ¥ jobb\n3;Ã¦rlig\n4;største\n", encoding="utf-8")
    with pytest.raises(CoderError, match="row 2, column 'text': the text looks decoded twice"):
        read_answers(path)


@pytest.mark.parametrize(
    "labels", ["Respondent;Hva fungerer godt? *", "Respondent-ID;Hva fungerer godt (fritekst)"]
)
def test_a_label_row_marked_by_the_tool_is_named(tmp_path: Path, labels: str) -> None:
    # a «?» before a tool's «*», or the id column's usual label, mark a row of labels too
    path = tmp_path / "svar.csv"
    path.write_text(f"respondent;text\n{labels}\n11;a\n12;b\n13;c\n", encoding="utf-8")
    with pytest.raises(CoderError, match="row 2, column 'respondent': id '.*' is a word"):
        read_answers(path, id_col="respondent")


def test_a_first_id_of_letters_without_labels_is_a_real_id(tmp_path: Path) -> None:
    # a paper form typed in first («A-17») was refused as a second header row
    rows = [("A-17", "Kort vei"), ("101", "a"), ("102", "b"), ("103", "c")]
    path = write_csv(tmp_path / "svar.csv", ";", "utf-8", rows=rows)
    assert read_answers(path)["id"].tolist() == ["A-17", "101", "102", "103"]


def test_a_text_column_of_numbers_is_warned_of(tmp_path: Path) -> None:
    # a rating column given as the text: «0 suggestions for 0 of 12 answers», not a word of why
    path = write_csv(
        tmp_path / "svar.csv", ";", "utf-8", rows=[("r1", "4"), ("r2", "5,5"), ("r3", "2"), ("r4", "")]
    )
    with pytest.warns(UserWarning, match="column 'text': every answer is a number"):
        assert len(read_answers(path)) == 4
    write_csv(path, ";", "utf-8", rows=[("r1", "4"), ("r2", "5 boliger"), ("r3", "2")])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_answers(path)


@pytest.mark.parametrize(
    "rows",
    [
        [["Svar fra Questback", None, None], ["id", "text", "kommune"], ["r1", "a", "Oppdal"]],
        [["Bakgrunn", None, "Svar", None], ["id", "rolle", "text", "annet"], ["r1", "x", "a", "b"]],
    ],
    ids=["title-row", "merged-header-cells"],
)
def test_xlsx_title_row_or_merged_header_is_named(tmp_path: Path, rows: list[list[object]]) -> None:
    path = _xlsx(tmp_path / "svar.xlsx", {"Svar": rows})
    with pytest.raises(CoderError, match="is not a header|both look like header rows") as raised:
        read_table(path)
    assert raised.value.row in (1, "1, 2")
    assert "svar.xlsx, row" in _cli_error(["preprocess", str(path), "--out", str(tmp_path / "t.csv")])


def test_a_workbook_with_several_sheets_of_data_needs_a_choice(tmp_path: Path) -> None:
    rows = [["id", "text"], ["r1", "a"]]
    path = _xlsx(tmp_path / "svar.xlsx", {"Svar": rows, "Info": [["Eksportert", "2024"]], "Ark3": []})
    with pytest.raises(CoderError, match="2 sheets with data \\('Svar', 'Info'\\)"):
        read_table(path)
    assert read_table(path, sheet="Svar")["text"].tolist() == ["a"]
    assert "sheets with data" in _cli_error(["preprocess", str(path), "--out", str(tmp_path / "t.csv")])
    single = _xlsx(tmp_path / "one.xlsx", {"Svar": rows, "Ark2": [], "Ark3": []})  # empty sheets: fine
    assert read_answers(single)["id"].tolist() == ["r1"]


@pytest.mark.parametrize(
    ("ids", "fragment"),
    [
        (["R7", "r2", "r7"], "rows 2, 4, column 'id': duplicate id 'R7' ('R7' and 'r7' differ only in case)"),
        (["r7", "r2", " r7 "], "rows 2, 4, column 'id': duplicate id 'r7' ('r7' and ' r7 ' differ only in"),
    ],
)
def test_ids_equal_but_for_case_or_spaces_name_both_rows(
    tmp_path: Path, ids: list[str], fragment: str
) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id;text\n" + "".join(f"{i};svar\n" for i in ids), encoding="utf-8-sig")
    with pytest.raises(CoderError) as raised:
        read_answers(path)
    assert fragment in str(raised.value)
    assert fragment in _cli_error(["preprocess", str(path), "--out", str(tmp_path / "t.csv")])


def test_the_terminal_and_the_report_show_a_share_alike() -> None:
    from coder import summary
    from coder.cli import _frame_table

    frame = pd.DataFrame({"code": ["a", "b"], "share": [0.225, float("nan")], "kappa": [0.5, None]})
    table = _frame_table(frame, "t", percent=("share",))
    cells = [list(column.cells) for column in table.columns]
    assert cells[1] == ["23%", "–"] and cells[2] == ["0.500", "–"]
    assert summary._percent(0.225) == "23 %" and summary._decimal(0.5, 3) == "0,500"


def _commands_with(option: str) -> list[list[str]]:
    """The command paths (``["codes", "export"]``) of every command that takes ``option``."""
    import typer.main

    found, todo = [], [([], typer.main.get_command(app))]
    while todo:
        path, command = todo.pop()
        for name, sub in getattr(command, "commands", {}).items():
            todo.append(([*path, name], sub))
        if any(option in p.opts for p in command.params):
            found.append(path)
    return sorted(found)


@pytest.mark.parametrize("value", ["-1", str(2**32)])
def test_every_seed_option_takes_the_range_numpy_takes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.chdir(tmp_path)  # where a default output (demo's out/demo) would be written
    commands = _commands_with("--seed")
    assert {"suggest", "network", "link", "discover", "summary", "demo"} <= {c[0] for c in commands}
    for command in commands:
        output = _cli_error([*command, "--seed", value])
        assert output.startswith("Error: Invalid value for '--seed'"), output
        assert output.endswith(f"{' '.join(command)} --help)"), output
    assert list(tmp_path.iterdir()) == []  # refused before anything was read or written


def test_ctrl_c_is_one_line_saying_what_became_of_the_work(monkeypatch: pytest.MonkeyPatch) -> None:
    from coder import codebook

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(codebook, "validate", interrupted)
    result = CliRunner().invoke(app, ["codebook", "validate", "codebooks/boligsosialt.yaml"])
    assert result.exit_code == 130  # as a shell reports Ctrl-C; it printed nothing at all
    assert result.output.strip().startswith("Interrupted: outputs are written whole or not at all")
    assert "Traceback" not in result.output
