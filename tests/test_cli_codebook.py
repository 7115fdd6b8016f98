"""The command line of coder.codebook (`coder codebook ...` through typer's CliRunner); the built-in codebook
as the default."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from support.codebook import (
    CODE_IDS,
    DEFAULT,
    GOOD,
    TAGUETTE_QDC,
    fixture_renamed_code_book,  # noqa: F401
    only,
    write,
)
from typer.testing import CliRunner

from coder import codebook as cb
from coder.cli import app

runner = CliRunner()


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
    assert "under strengths: Tydelig plassert ansvar" in shown.output  # the report's name under strengths
    checked = CliRunner().invoke(app, ["codebook", "validate", "--no-lemmas"])
    assert checked.exit_code == 0, checked.output
    assert f"ok ({len(cb.load().codes)} codes" in checked.output


def test_cli_import_then_validate_a_taguette_codebook(tmp_path: Path) -> None:
    path = tmp_path / "taguette.qdc"
    path.write_text(TAGUETTE_QDC, encoding="utf-8")
    out = tmp_path / "out.yaml"
    imported = runner.invoke(app, ["codebook", "import", str(path), "-o", str(out)])
    assert imported.exit_code == 0, imported.output
    validated = runner.invoke(app, ["codebook", "validate", str(out)])
    assert validated.exit_code == 0, validated.output
    assert "ok (" in validated.stdout and "Error:" not in validated.stderr
    assert cb.load(out).get("uklart_ansvar").parent == "ansvar"


def test_a_warning_every_code_shares_is_one_line(tmp_path: Path) -> None:
    # changed: a codebook of names alone printed one identical warning per code (NVivo lists run to 40)
    names = ["Bolig", "Samarbeid", "Oppfølging", "Ansvar", "Økonomi", "Politikk", "Tjenester"]
    path = tmp_path / "koder.csv"
    path.write_text("code\n" + "\n".join(names) + "\n", encoding="utf-8")
    out = tmp_path / "koder.yaml"
    assert runner.invoke(app, ["codebook", "import", str(path), "-o", str(out)]).exit_code == 0
    validated = runner.invoke(app, ["codebook", "validate", str(out)])
    assert validated.exit_code == 0, validated.output
    lines = [line for line in validated.stderr.splitlines() if "neither keywords nor examples" in line]
    assert len(lines) == 1
    assert "7 codes ('bolig' (line" in lines[0] and "and 2 more" in lines[0]
    assert "7 warning(s)" in validated.stdout


def test_cli_validate_ok() -> None:
    result = runner.invoke(app, ["codebook", "validate", str(DEFAULT), "--no-lemmas"])
    assert result.exit_code == 0, result.output
    assert "ok (8 codes" in result.stdout


def test_cli_validate_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    text = GOOD.replace("    label: Boliger\n", "", 1).replace(
        "    parent: housing", "    parent: nowhere", 1
    )
    path = write(tmp_path, text)
    result = runner.invoke(app, ["codebook", "validate", str(path)])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 2
    assert lines[0].startswith(f"Error: {path}:5, key 'housing.label': missing field 'label'")
    assert f"{path}:13, key 'small_flats.parent': unknown parent 'nowhere'" in lines[1]
    assert "2 error(s)" in result.stderr


def test_cli_validate_strict_fails_on_warnings(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("    examples: [Trenger hybler]", "    keywords: [bolig*]", 1))
    relaxed = runner.invoke(app, ["codebook", "validate", str(path), "--no-lemmas"])
    assert relaxed.exit_code == 0 and "1 warning(s)" in relaxed.stdout
    assert "Warning:" in relaxed.stderr and f"{path}:15" in relaxed.stderr
    strict = runner.invoke(app, ["codebook", "validate", str(path), "--no-lemmas", "--strict"])
    assert strict.exit_code == 2


def test_cli_validate_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["codebook", "validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {tmp_path / 'nope.yaml'}: file not found"


def test_cli_show_prints_the_tree(tmp_path: Path) -> None:
    result = runner.invoke(app, ["codebook", "show", str(write(tmp_path, GOOD)), "--full"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Test" in out and "Boliger" in out and "small_flats" in out and "«Trenger hybler»" in out
    assert out.index("Boliger") < out.index("Små leiligheter")  # the child under its parent
    default = runner.invoke(app, ["codebook", "show", str(DEFAULT)])
    assert default.exit_code == 0
    for code_id in CODE_IDS:
        assert code_id in default.stdout
    book = cb.load(DEFAULT)
    assert f"reference answers ({len(book.reference_answers)}," in default.stdout
    assert "reference answers" not in out  # GOOD has none


def test_cli_show_bad_codebook_is_one_error_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("    label: Boliger\n", "", 1))
    result = runner.invoke(app, ["codebook", "show", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {path}:5, key 'housing.label': missing field 'label'"


def test_cli_export_and_import_round_trip(tmp_path: Path) -> None:
    source = tmp_path / "boligsosialt.yaml"
    source.write_text(DEFAULT.read_text(encoding="utf-8"), encoding="utf-8")
    reference = DEFAULT.with_name("boligsosialt-reference.csv")
    source.with_name(reference.name).write_bytes(reference.read_bytes())
    exported = runner.invoke(app, ["codebook", "export", str(source), "--to", "qdc"])
    assert exported.exit_code == 0, exported.output
    qdc = tmp_path / "boligsosialt.qdc"
    assert qdc.exists() and "8 codes" in exported.stdout
    imported = runner.invoke(app, ["codebook", "import", str(qdc), "-o", str(tmp_path / "back.yaml")])
    assert imported.exit_code == 0, imported.output
    back = cb.load(tmp_path / "back.yaml")
    assert back == cb.load(DEFAULT) and back.reference_answers  # the reference answers too
    assert back.reference_file == "boligsosialt-reference.csv"  # relative to back.yaml
    again = runner.invoke(app, ["codebook", "import", str(qdc), "-o", str(tmp_path / "back.yaml")])
    assert again.exit_code == 2 and "use --force" in again.stderr
    forced = runner.invoke(
        app, ["codebook", "import", str(qdc), "-o", str(tmp_path / "back.yaml"), "--force"]
    )
    assert forced.exit_code == 0


def test_cli_export_unknown_format(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["codebook", "export", str(DEFAULT), "--to", "docx", "-o", str(tmp_path / "x")]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: option --to: unknown format 'docx' (use qdc or yaml)"


def test_cli_export_takes_the_format_from_the_out_suffix(tmp_path: Path) -> None:
    result = runner.invoke(app, ["codebook", "export", str(DEFAULT), "--out", str(tmp_path / "copy.yaml")])
    assert result.exit_code == 0, result.output
    assert cb.load(tmp_path / "copy.yaml").code_ids == cb.load(DEFAULT).code_ids  # YAML, not a .qdc inside
    result = runner.invoke(app, ["codebook", "export", str(DEFAULT), "-o", str(tmp_path / "book.xml")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "book.xml").read_text(encoding="utf-8").lstrip().startswith("<?xml")  # else qdc
    result = runner.invoke(app, ["codebook", "export", str(DEFAULT), "--output", str(tmp_path / "x.qdc")])
    assert result.exit_code == 2  # the old --output is gone: one way to say it


def test_cli_export_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    result = runner.invoke(app, ["codebook", "export", str(path), "--to", "yaml"])
    assert result.exit_code == 2 and "overwrite the input" in result.stderr
    assert cb.load(path).name == "Test"


@pytest.mark.parametrize("name", ["edited.yaml", "edited.qdc"])
def test_cli_export_replaces_an_existing_codebook_only_with_force(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    target.write_text("my edits", encoding="utf-8")
    result = runner.invoke(app, ["codebook", "export", str(DEFAULT), "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {target}: the codebook file exists; use --force to overwrite it"
    assert target.read_text(encoding="utf-8") == "my edits"
    result = runner.invoke(app, ["codebook", "export", str(DEFAULT), "-o", str(target), "--force"])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") != "my edits"


def test_cli_import_bad_xml(tmp_path: Path) -> None:
    path = tmp_path / "bad.qdc"
    path.write_text("<CodeBook>\n<Codes>\n", encoding="utf-8")
    result = runner.invoke(app, ["codebook", "import", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}:3: not well-formed XML")
    assert not (tmp_path / "bad.yaml").exists()


def test_cli_import_says_what_to_do_with_an_invalid_result(tmp_path: Path) -> None:
    path, out = tmp_path / "a.qdc", tmp_path / "a.yaml"
    path.write_text(
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="x" name="A" color="red" '
        f'isCodable="true"><Description>{cb.QDC_DATA_MARKER}\nid: a\nkeywords: [bo*lig]\n</Description>'
        "</Code></Codes></CodeBook>",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["codebook", "import", str(path)])
    assert result.exit_code == 2 and "key 'a.keywords'" in result.stderr and "color" not in result.stderr
    assert f"{out} is written with 1 error(s) to fix in it" in result.stderr.replace("\n", " ")


def test_cli_validate_and_suggest_name_the_duplicate_id_first(
    renamed_code_book: Path, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["codebook", "validate", str(renamed_code_book), "--no-lemmas"])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 3, lines
    assert "duplicate id 'fragmented_responsibility' (first on line 45)" in lines[0]
    assert lines[-1].endswith("2 error(s), 0 warning(s)")
    answers = tmp_path / "answers.csv"
    answers.write_text("id,text\nr1,For få boliger\n", encoding="utf-8")
    args = ["suggest", str(answers), "--codebook", str(renamed_code_book), "--out", str(tmp_path / "s.csv")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert "duplicate id 'fragmented_responsibility' (first on line 45)" in result.output


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        ("    description: Om boligene.", "    descripton: Om boligene.", 7, "did you mean 'description'?"),
        ("name: Test\n", "name: Test\nlangauge: nb\n", 2, "did you mean 'language'?"),
        ("name: Test\n", "name: Test\nowner: NTNU\n", 2, "(known: name, language, version, codes"),
    ],
)
def test_an_unknown_field_is_a_warning_naming_the_nearest_field(
    tmp_path: Path, old: str, new: str, line: int, fragment: str
) -> None:
    path = write(tmp_path, GOOD.replace(old, new, 1))
    problems = cb.validate(path, check_lemmas=False)
    assert not only(problems)
    (warning,) = [p for p in only(problems, "warning") if "unknown" in p.message]
    assert warning.line == line and fragment in warning.message and "is ignored" in warning.message
    assert cb.load(path).codes  # loads: a warning does not stop it
    result = runner.invoke(app, ["codebook", "validate", str(path), "--no-lemmas"])
    assert result.exit_code == 0 and "Warning:" in result.output and fragment in result.output


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("    label: Boliger\n", "\tlabel: Boliger\n", "a tab character at column 1"),
        ("version:", "name: Again\nversion:", "duplicate key 'name' (first on line 1)"),
    ],
)
def test_tabs_and_duplicate_keys_are_one_clear_line(
    tmp_path: Path, old: str, new: str, fragment: str
) -> None:
    path = write(tmp_path, GOOD.replace(old, new, 1))
    (problem,) = cb.validate(path, check_lemmas=False)
    assert fragment in problem.message and problem.line is not None
    result = runner.invoke(app, ["codebook", "validate", str(path), "--no-lemmas"])
    assert result.exit_code == 2 and fragment in result.output and "Traceback" not in result.output


def test_show_prints_a_label_with_colons_as_written_not_as_an_emoji(tmp_path: Path) -> None:
    path = tmp_path / "emoji.yaml"
    path.write_text("name: T\ncodes:\n  - id: bolig\n    label: 'Bolig :house: :x:'\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["codebook", "show", str(path)])
    assert result.exit_code == 0, result.output
    assert "Bolig :house: :x:" in result.output


def test_import_a_taguette_csv_and_a_text_list_of_code_names(tmp_path: Path) -> None:
    # A list of names was «not well-formed XML»: the codebook of a program that exports no .qdc.
    taguette = tmp_path / "taguette.csv"
    taguette.write_text(
        "tag,description,number of highlights\nBolig,Om boliger,3\nBolig.Tilpasset,,1\nOppfølging,,2\n"
        "Ansvar,Hvem har ansvaret,0\nAnsvar.Uklart,,4\nAnsvar.Uklart.Delt,,1\nBosetting,,0\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["codebook", "import", str(taguette), "--out", str(tmp_path / "t.yaml")])
    assert result.exit_code == 0, result.output
    book = cb.load(tmp_path / "t.yaml")
    # «Ansvar» has no highlights and heads other tags: it only groups them (it was a code, suggested);
    # «Bolig» was used, «Bosetting» heads nothing: codes
    assert [(c.id, c.label, c.parent, c.description) for c in book.codes] == [
        ("bolig", "Bolig", None, "Om boliger"),
        ("tilpasset", "Tilpasset", "bolig", ""),
        ("oppfolging", "Oppfølging", None, ""),
        ("uklart", "Uklart", None, ""),
        ("delt", "Delt", "uklart", ""),
        ("bosetting", "Bosetting", None, ""),
    ]
    assert "left out 1 category ('Ansvar': tags with no highlights heading other tags" in " ".join(
        result.stderr.split()
    )
    # before any coding every count is 0: no tag is told from a category by it
    fresh = tmp_path / "ny.csv"
    fresh.write_text(
        "tag,description,number of highlights\nBolig,Om boliger,0\nBolig.Tilpasset,,0\n", "utf-8"
    )
    result = runner.invoke(app, ["codebook", "import", str(fresh), "--out", str(tmp_path / "ny.yaml")])
    assert result.exit_code == 0 and "categor" not in result.output
    codes = cb.load(tmp_path / "ny.yaml").codes
    assert [(c.id, c.parent) for c in codes] == [("bolig", None), ("tilpasset", "bolig")]
    names = tmp_path / "koder.txt"
    names.write_text("# fra NVivo\nBolig\n\nOppfølging\n", encoding="utf-8")
    result = runner.invoke(app, ["codebook", "import", str(names), "--out", str(tmp_path / "n.yaml")])
    assert result.exit_code == 0, result.output
    assert cb.load(tmp_path / "n.yaml").code_ids == ["bolig", "oppfolging"]


def test_a_table_without_a_column_of_code_names_is_one_error(tmp_path: Path) -> None:
    table = tmp_path / "liste.csv"
    table.write_text("tema,antall\nBolig,3\n", encoding="utf-8")
    result = runner.invoke(app, ["codebook", "import", str(table), "--out", str(tmp_path / "t.yaml")])
    assert result.exit_code == 2
    assert "no column of code names (one of: tag, name, code" in result.output
    assert not (tmp_path / "t.yaml").exists()


def test_a_file_of_another_kind_where_a_codebook_belongs_is_said_so(tmp_path: Path) -> None:
    names = tmp_path / "koder.csv"
    names.write_text("tag\nBolig\n", encoding="cp1252")
    # a list of names given as the codebook: was «not UTF-8 text … save the file as UTF-8» (or a YAML error)
    result = runner.invoke(app, ["codebook", "validate", str(names)])
    assert result.exit_code == 2 and result.stderr.strip() == (
        f"Error: {names}: expected a YAML codebook (.yaml), not a .csv file: a .qdc or a list of code names "
        "becomes one by coder codebook import"
    )
    # coder's own codebook given to import: was «not well-formed XML: syntax error: line 1, column 0»,
    # and with no --out (FILE.yaml, itself) «the codebook file exists; use --force to overwrite it»
    for out in (["--out", str(tmp_path / "x.yaml")], []):
        result = runner.invoke(app, ["codebook", "import", str(DEFAULT), *out])
        assert result.exit_code == 2 and "already a YAML codebook, coder's own" in result.stderr
    # JSON is YAML: a codebook saved as JSON is read (it was refused as «not a .json file»)
    as_json = tmp_path / "kodebok.json"
    codes = [{"id": "bolig", "label": "Bolig", "keywords": ["bolig"]}]
    as_json.write_text(json.dumps({"name": "t", "language": "nb", "version": "1", "codes": codes}), "utf-8")
    result = runner.invoke(app, ["codebook", "validate", str(as_json)])
    assert result.exit_code == 0 and "ok (1 codes" in result.output
    tsv = tmp_path / "koder.tsv"  # no import reads it: no hint to import it
    tsv.write_text("tag\nBolig\n", encoding="utf-8")
    result = runner.invoke(app, ["codebook", "validate", str(tsv)])
    assert result.stderr.strip() == f"Error: {tsv}: expected a YAML codebook (.yaml), not a .tsv file"
    # a folder as the output: was «the codebook file exists; use --force», then with --force another error
    folder = tmp_path / "ut"
    folder.mkdir()
    result = runner.invoke(app, ["codebook", "export", str(DEFAULT), "--out", str(folder)])
    assert (
        result.exit_code == 2
        and result.stderr.strip() == f"Error: {folder}: the output is a directory; give a file name"
    )
