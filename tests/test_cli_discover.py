"""The command line of coder.discover (`coder discover` through typer's CliRunner)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
from support.discover import CODEBOOK, NOTES, PLANTED, WORKSHOP
from typer.testing import CliRunner

from coder import codebook as codebook_module
from coder import discover, store
from coder.cli import app
from coder.codebook import Code, Codebook
from coder.store import Decision

runner = CliRunner()


def test_cli_groups_each_workshop_question_and_writes_groups_and_candidates(tmp_path: Path) -> None:
    groups, candidates = tmp_path / "grupper.csv", tmp_path / "kandidater.yaml"
    args = ["discover", str(WORKSHOP), "--text-col", "lapp", "--question-col", "spørsmål", "--seed", "1"]
    result = runner.invoke(app, [*args, "--groups", str(groups), "--write", str(candidates)])
    assert result.exit_code == 0, result.output
    assert "stability" in result.output and "communities" in result.output
    notes = pd.read_csv(WORKSHOP)
    written = pd.read_csv(groups)
    assert list(written.columns) == ["id", "spørsmål", "group", "label"]
    assert sorted(written["id"]) == sorted(notes["id"])
    assert written["group"].str.fullmatch(r"G\d+|rest").all()
    # each note's group with its name, for the researcher to rename into the workshop file's group column
    labelled = written.fillna("").drop_duplicates("group").set_index("group")["label"]
    assert labelled.get("rest", "") == "" and (labelled.drop("rest", errors="ignore") != "").all()
    record = json.loads(Path(f"{groups}.provenance.json").read_text(encoding="utf-8"))
    assert set(record["grouping"]) == set(notes["spørsmål"])
    assert record["seed"] == 1
    # the table names each candidate as kandidater.yaml does («Tid, folk»; it showed «tid / folk»)
    names = [code.label for code in codebook_module.load(candidates).codes]
    assert names and all(name.split(",")[0] in result.output for name in names) and " / " not in result.output
    merged = tmp_path / "merged.yaml"
    result = runner.invoke(app, ["codebook", "merge", str(CODEBOOK), str(candidates), "-o", str(merged)])
    assert result.exit_code == 0, result.output
    assert len(codebook_module.load(merged).codes) > len(codebook_module.load(CODEBOOK).codes)


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["discover"])
    assert result.exit_code == 2 and "give INPUT" in result.output
    result = runner.invoke(app, ["discover", str(WORKSHOP), "--project", str(tmp_path / "p.db")])
    assert result.exit_code == 2 and "--project takes no INPUT" in result.output
    result = runner.invoke(app, ["discover", str(WORKSHOP), "--text-col", "nope"])
    assert result.exit_code == 2 and "nope" in result.output and "Traceback" not in result.output


def test_project_codes_decided_by_coders_win_over_suggestions(tmp_path: Path) -> None:
    texts = [text for group in NOTES.values() for text in group]
    answers = pd.DataFrame({"id": [f"a{i}" for i in range(len(texts))], "text": texts})
    book = Codebook("t", "nb", "1", (Code("x", "Møter", keywords=("møte",)),))
    path = tmp_path / "p.db"
    with store.init(path, answers, book) as project:
        suggested = pd.DataFrame({"id": ["a0", "a1", "a3"], "code": "x", "confidence": 0.9})
        run = project.add_suggestion_run(suggested)
        project.record("kari", [Decision("a1", "", "none"), Decision("a2", "x", "add")])
        project.record("kari", [Decision("a3", "x", "accept", run), Decision("a3", "", "none")])
        project.record("ola", [Decision("a3", "x", "reject", run), Decision("a3", "", "none")])
    _, _, codes = discover.project_inputs(path)
    strong = set(codes.loc[codes["confidence"] >= discover.WEAK_BELOW, "id"])
    # a1: a coder closed it without codes, whatever the model said; a3: x is in dispute, not the model's
    assert strong == {"a0", "a2"}
    assert run
    result = runner.invoke(app, ["discover", "--project", str(path), "--min-size", "2"])
    assert result.exit_code == 0, result.output
    assert "10 of 12 answers carry no strong code" in result.output


def test_cli_checks_outputs_before_grouping_and_never_overwrites_a_codebook(tmp_path: Path) -> None:
    args = ["discover", str(WORKSHOP), "--text-col", "lapp"]
    result = runner.invoke(app, [*args, "--groups", str(tmp_path / "nodir" / "g.csv")])
    assert result.exit_code == 2 and "output directory does not exist" in result.output
    result = runner.invoke(app, [*args, "--groups", str(tmp_path / "g.txt")])
    assert result.exit_code == 2 and "unknown output format" in result.output
    codebook = tmp_path / "kodebok.yaml"
    codebook.write_text("x", encoding="utf-8")
    result = runner.invoke(app, [*args, "--write", str(codebook)])
    assert result.exit_code == 2 and "--force" in result.output
    assert codebook.read_text(encoding="utf-8") == "x"
    result = runner.invoke(app, ["discover", "--project", str(tmp_path / "p.db"), "--question-col", "q"])
    assert result.exit_code == 2 and "--question-col" in result.output
    notes = tmp_path / "lapper.csv"
    notes.write_bytes(WORKSHOP.read_bytes())
    own = ["discover", str(notes), "--text-col", "lapp", "--write", str(notes), "--force"]
    result = runner.invoke(app, own)
    assert result.exit_code == 2 and "would overwrite the input" in result.output  # --force or not
    assert notes.read_bytes() == WORKSHOP.read_bytes()
    same = tmp_path / "same.csv"
    result = runner.invoke(app, [*args, "--write", str(same), "--groups", str(same)])
    assert result.exit_code == 2 and "--write and --groups (or its provenance) name the same" in result.output
    assert not same.exists()
    sidecar = tmp_path / "same.csv.provenance.json"  # it would replace the groups' provenance
    result = runner.invoke(app, [*args, "--write", str(sidecar), "--groups", str(same), "--force"])
    assert result.exit_code == 2 and "name the same file" in result.output
    assert not same.exists() and not sidecar.exists()


def test_cli_without_candidates_writes_no_codebook_and_valid_json_provenance(tmp_path: Path) -> None:
    few = tmp_path / "seks.csv"
    texts = pd.read_csv(WORKSHOP)["lapp"][6:12].tolist()  # six notes of six themes: no group of three
    pd.DataFrame({"id": [f"s{i}" for i in range(6)], "text": texts}).to_csv(few, index=False)
    groups, candidates = tmp_path / "g.csv", tmp_path / "k.yaml"
    result = runner.invoke(app, ["discover", str(few), "--groups", str(groups), "--write", str(candidates)])
    assert result.exit_code == 0, result.output
    assert "No candidate to write" in result.output and not candidates.exists()
    provenance = (tmp_path / "g.csv.provenance.json").read_text(encoding="utf-8")
    record = json.loads(provenance, parse_constant=_fail)
    assert record["grouping"][""]["stability"] is None  # NaN, which JSON does not have


def _fail(constant: str) -> None:
    raise AssertionError(f"{constant} is not JSON")


def test_cli_discover_json_is_the_groups_and_nothing_else(tmp_path: Path) -> None:
    groups = tmp_path / "groups.csv"
    args = ["discover", str(PLANTED), "--text-col", "svar", "--json", "--groups", str(groups)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    (discovery,) = found.values()
    first = discovery["candidates"][0]
    assert {"group", "size", "label", "typical_answers", "nearest_code"} <= set(first)
    assert sum(c["size"] for c in discovery["candidates"]) + discovery["rest"] == discovery["grouped"]
    assert groups.exists() and "written" in result.stderr


def test_cli_takes_a_researchers_lexicon_and_names_it_among_the_inputs(tmp_path: Path) -> None:
    lexicon, groups = tmp_path / "begreper.yaml", tmp_path / "grupper.csv"
    lexicon.write_text("- concept: driftstjeneste\n  terms: [fiksern, møte, husvert]\n", encoding="utf-8")
    args = ["discover", str(WORKSHOP), "--text-col", "lapp", "--question-col", "spørsmål"]
    result = runner.invoke(app, [*args, "--lexicon", str(lexicon), "--groups", str(groups)])
    assert result.exit_code == 0, result.output
    assert "1 of its 3 terms are in the answers; in none: fiksern, husvert" in result.output
    record = json.loads(Path(f"{groups}.provenance.json").read_text(encoding="utf-8"))
    assert any(str(entry).endswith("begreper.yaml") for entry in json.dumps(record["inputs"]).split('"'))
    lexicon.write_text("- concept: driftstjeneste\n  terms: [Fiksern]\n", encoding="utf-8")
    groups.unlink()
    result = runner.invoke(app, [*args, "--lexicon", str(lexicon), "--groups", str(groups)])
    assert result.exit_code == 2 and "begreper.yaml:2, key 'terms'" in result.output
    assert "Traceback" not in result.output and not groups.exists()


def test_the_headline_says_how_many_answers_had_no_words_to_group_by(tmp_path: Path) -> None:
    answers = pd.read_csv(PLANTED, keep_default_na=False)
    blanks = pd.DataFrame({"id": ["b1", "b2", "b3"], "svar": ["", "vet ikke", "-"]})
    path = tmp_path / "svar.csv"
    pd.concat([answers, blanks], ignore_index=True).to_csv(path, index=False)
    args = ["discover", str(path), "--text-col", "svar"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    (found,) = json.loads(result.stdout).values()
    assert found["without_words"] == 3 and found["rest"] >= 3
    shown = runner.invoke(app, args)  # (with --codebook: «… carry no strong code (3 of them without …»)
    assert shown.exit_code == 0, shown.output
    assert f"{len(answers) + 3} answers (3 without words to group by: empty" in shown.stdout
    assert "fits no group; 3 without" in shown.stdout  # the rest row (its last word wraps)


def test_the_rest_row_shows_a_few_of_its_answers(tmp_path: Path) -> None:
    # changed: the rest row showed none of its answers; now three with words, as a group shows its typical
    groups = tmp_path / "grupper.csv"
    args = ["discover", str(PLANTED), "--text-col", "svar", "--codebook", str(CODEBOOK), "--min-size", "5"]
    shown = runner.invoke(app, [*args, "--groups", str(groups)])
    assert shown.exit_code == 0, shown.output
    rest = pd.read_csv(groups, keep_default_na=False).query("group == 'rest'")["id"].tolist()
    texts = pd.read_csv(PLANTED, keep_default_na=False).set_index("id")["svar"]
    assert len(rest) > 3
    flat = " ".join(shown.stdout.replace("│", " ").split())
    assert sum(" ".join(texts[i].split())[:25] in flat for i in rest) == 3
    assert f"(and {len(rest) - 3} more: --groups lists them)" in flat


def test_groups_asked_for_say_how_many_were_kept() -> None:
    # «9 groups as asked» above a table of fewer groups and a rest group: the groups too small had gone
    shown = runner.invoke(app, ["discover", str(WORKSHOP), "--text-col", "lapp", "--question-col", "spørsmål",
                                "--n-groups", "9"])  # fmt: skip
    assert shown.exit_code == 0, shown.output
    first = shown.stdout.split("Hva skal til")[0]
    kept = len(re.findall(r"^│ G\d+ ", first, flags=re.MULTILINE))
    assert 0 < kept < 9
    flat = " ".join(first.split())
    assert f"9 groups as asked, {kept} kept: {9 - kept} with fewer than 3 answers went to the rest group" in (
        flat
    )


def test_answers_without_words_are_not_blamed_on_min_size(tmp_path: Path) -> None:
    answers = tmp_path / "emoji.csv"
    answers.write_text("id,text\n" + "".join(f"a{i},👍 !!\n" for i in range(5)), encoding="utf-8")
    result = runner.invoke(app, ["discover", str(answers)])
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: only 0 of 5 answers have words to group by (at least 6 needed for two groups of 3)"
    )
