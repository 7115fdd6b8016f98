"""The command line of coder.store (`coder ...` through typer's CliRunner)."""

from __future__ import annotations

import dataclasses
import os
import stat
import warnings
from pathlib import Path

import pandas as pd
import pytest
from support.store import (
    ANSWERS,
    CODEBOOK,
    code_pairs,
    copy_project,
    fixture_coded,  # noqa: F401
    fixture_project,  # noqa: F401
    write_file,
)
from typer.testing import CliRunner

from coder import codebook as codebook_module
from coder import store
from coder.cli import app
from coder.codebook import Code
from coder.errors import CoderError
from coder.reliability import read_codes
from coder.store import Decision, Project

runner = CliRunner()


def test_cli_init_duplicate_id_names_the_file_and_the_id(tmp_path: Path) -> None:
    source = tmp_path / "answers.csv"
    source.write_text("id,text\na1,hei\na2,hallo\n a1 ,igjen\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path / "p.db"), "--answers", str(source)])
    assert result.exit_code == 2
    assert f"{source}, rows 2, 4, column 'id': duplicate id 'a1'" in result.output
    assert not (tmp_path / "p.db").exists()


def test_cli_init_reads_columns_and_attributes(tmp_path: Path) -> None:
    source = tmp_path / "answers.csv"
    pd.DataFrame(
        {"svar_id": ["a1", "a2"], "svar": ["Lite oppfølging", ""], "person": ["p1", "p1"], "sp": ["q1", "q2"],
         "kommune": ["Volda", "Volda"]}
    ).to_csv(source, index=False)  # fmt: skip
    book = write_file(tmp_path / "codebook.yaml", codebook_module.to_yaml(CODEBOOK))
    out = tmp_path / "p.db"
    result = runner.invoke(
        app,
        ["init", str(out), "--answers", str(source), "--codebook", str(book), "--id-col", "svar_id",
         "--text-col", "svar", "--respondent-col", "person", "--question-col", "sp",
         "--attr-cols", "kommune"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2 answers" in result.output
    with Project.open(out) as project:
        answers = project.answers()
        assert answers.to_dict("records")[1] == {
            "id": "a2", "respondent_id": "p1", "question_id": "q2", "text": "", "kommune": "Volda"
        }  # fmt: skip
        assert project.codebook_yaml() == book.read_text(encoding="utf-8")


def test_cli_init_missing_column_is_one_line_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "answers.csv"
    source.write_text("id,svar\na1,hei\n", encoding="utf-8")
    result = runner.invoke(app, ["init", str(tmp_path / "p.db"), "--answers", str(source)])
    assert result.exit_code == 2
    assert "column 'text'" in result.output and "missing column" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "p.db").exists()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("text", "Noe annet", "answer 'r3:q1' has a different text"),
        # the merged project kept the first project's: a question the second gave was lost, by argument order
        ("question_id", "q9", "answer 'r3:q1' has question_id 'q1' in {a} and 'q9' in"),
    ],
)
def test_merge_refuses_different_answers(
    tmp_path: Path, project: Project, column: str, value: str, message: str
) -> None:
    changed = ANSWERS.copy()
    changed.loc[4, column] = value
    with store.init(tmp_path / "other.db", changed, CODEBOOK):
        pass
    result = runner.invoke(
        app, ["merge", str(project.path), str(tmp_path / "other.db"), "--out", str(tmp_path / "c.db")]
    )
    assert result.exit_code == 2
    assert f"cannot merge projects with different answers: {message.format(a=project.path)}" in result.output
    assert not (tmp_path / "c.db").exists()


def test_merge_refuses_different_codebooks(tmp_path: Path, project: Project) -> None:
    lean = dataclasses.replace(CODEBOOK, codes=CODEBOOK.codes[:-1])
    with store.init(tmp_path / "other.db", ANSWERS, lean):
        pass
    result = runner.invoke(
        app, ["merge", str(project.path), str(tmp_path / "other.db"), "--out", str(tmp_path / "c.db")]
    )
    assert result.exit_code == 2
    dropped = CODEBOOK.codes[-1].id
    expected = f"cannot merge projects with different codebooks: code '{dropped}' is only in {project.path}"
    assert expected in result.output.replace("\n", "")
    assert not (tmp_path / "c.db").exists()


def test_cli_merge(tmp_path: Path, project: Project) -> None:
    project.record("kari", [Decision("r1:q1", "follow_up", "add")])
    b_path = copy_project(project, tmp_path / "b.db")
    with Project.open(b_path) as b:
        b.record("ola", [Decision("r1:q1", "anchoring", "add")])
    result = runner.invoke(app, ["merge", str(project.path), str(b_path), "--out", str(tmp_path / "c.db")])
    assert result.exit_code == 0, result.output
    assert "2 log entries by kari, ola" in result.output
    assert "Warning" not in result.output  # kari's one entry is in both files because b is a copy: one coder
    result = runner.invoke(app, ["merge", str(project.path), str(b_path), "--out", str(tmp_path / "c.db")])
    assert result.exit_code == 2 and "already exists" in result.output
    # a project merged with itself changed nothing, «without a word»
    again = project.path.parent / ".." / project.path.parent.name / project.path.name  # the same file
    twice = ["merge", str(project.path), str(again)]
    result = runner.invoke(app, [*twice, "--out", str(tmp_path / "d.db")])
    assert result.exit_code == 2 and not (tmp_path / "d.db").exists()
    assert "the same project twice" in result.stderr


def test_merge_warns_when_a_coder_of_one_name_decided_in_both(tmp_path: Path, project: Project) -> None:
    project.record("kari", [Decision("r1:q1", "follow_up", "add")])
    b_path = copy_project(project, tmp_path / "b.db")
    project.record("kari", [Decision("r1:q2", "anchoring", "add")])
    project.record("per", [Decision("r3:q1", "", "none")])
    with Project.open(b_path) as b:
        b.record("kari", [Decision("r2:q1", "coordination", "add")])  # another kari, or kari again, on b
        b.record("ola", [Decision("r1:q1", "anchoring", "add")])
    assert store.coders_in_both(project.path, b_path) == ["kari"]
    result = runner.invoke(app, ["merge", str(project.path), str(b_path), "--out", str(tmp_path / "c.db")])
    assert result.exit_code == 0, result.output  # a warning, not an error: the merge is made
    warnings = [line for line in result.output.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1 and warnings[0].startswith("Warning: coder 'kari' decided in both")
    assert "counts them as one coder" in result.output
    with Project.open(tmp_path / "c.db") as merged:
        assert merged.coders() == ["kari", "per", "ola"]


def test_open_makes_a_shared_copy_private_with_a_warning(tmp_path: Path, project: Project) -> None:
    project.record("kari", [Decision("r1:q1", "follow_up", "add")])
    shared = tmp_path / "shared.db"
    project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shared.write_bytes(project.path.read_bytes())
    shared.chmod(0o644)  # as an archive or a mail attachment leaves it
    with (
        pytest.warns(
            store.ProjectPermissionWarning, match=r"open to other users \(mode 0644\); it is now 0600"
        ),
        Project.open(shared) as opened,
    ):
        assert len(opened.log()) == 1  # opened and usable
    for name in (shared, Path(f"{shared}-wal"), Path(f"{shared}-shm")):
        if name.exists():
            assert stat.S_IMODE(os.stat(name).st_mode) == 0o600, name
    shared.chmod(0o640)
    out = tmp_path / "codes.csv"
    result = runner.invoke(app, ["codes", "export", str(shared), "--out", str(out)])
    assert result.exit_code == 0, result.output
    warning = [line for line in result.output.splitlines() if "mode 0640" in line]
    assert len(warning) == 1 and warning[0].startswith("Warning: ")  # one line, as the errors
    assert stat.S_IMODE(os.stat(shared).st_mode) == 0o600
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a private project opens without a word
        Project.open(shared).close()


def test_export_long_with_cooccurrence(tmp_path: Path, coded: Project) -> None:
    out = tmp_path / "codes.csv"
    result = runner.invoke(app, ["codes", "export", str(coded.path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    long = pd.read_csv(out, dtype=str, keep_default_na=False)
    # changed: a status column (agreed | conflict)
    columns = ["id", "respondent_id", "question_id", "code", "coder", "decided_at", "status", "votes"]
    assert list(long.columns) == columns
    assert code_pairs(long) == code_pairs(coded.current_codes())
    assert set(long["status"]) == {"agreed"}
    assert ("r3:q1", "") in code_pairs(long)
    assert set(long["coder"]) == {"kari"}
    co = pd.read_csv(tmp_path / "codes.cooccurrence.csv", index_col="code")
    assert co.at["coordination", "coordination"] == 2
    assert co.at["coordination", "follow_up"] == co.at["follow_up", "coordination"] == 1
    assert co.at["anchoring", "coordination"] == 0


def test_export_wide_one_row_per_respondent(tmp_path: Path, coded: Project) -> None:
    out = tmp_path / "wide.xlsx"
    result = runner.invoke(app, ["codes", "export", str(coded.path), "--out", str(out), "--layout", "wide"])
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["codes", "cooccurrence", "provenance"]
    provenance = dict(sheets["provenance"].values.tolist())
    assert provenance["codebook"] == "test 2.1" and str(provenance["decided_answers"]) == "4"
    wide = sheets["codes"].set_index("respondent_id")
    assert wide.index.tolist() == ["r1", "r2", "r3"]
    assert wide.at["r1", "follow_up"] == 1 and wide.at["r1", "anchoring"] == 1
    assert wide.at["r1", "q1__follow_up"] == 1 and wide.at["r1", "q2__follow_up"] == 0
    assert pd.isna(wide.at["r2", "q2__coordination"])  # answered, not yet decided
    assert wide.at["r3", "follow_up"] == 0  # decided: no code
    assert wide.at["r2", "municipality"] == "Rissa"


def test_export_long_flags_conflicts(tmp_path: Path, coded: Project) -> None:
    coded.record("ola", [Decision("r1:q1", "coordination", "remove"), Decision("r1:q1", "", "none")])
    out = tmp_path / "codes.csv"
    result = runner.invoke(app, ["codes", "export", str(coded.path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    long = pd.read_csv(out, dtype=str, keep_default_na=False)
    rows = long[long["id"] == "r1:q1"][["code", "coder", "status"]].values.tolist()
    assert rows == [["follow_up", "kari, ola", "conflict"], ["coordination", "kari, ola", "conflict"]]
    # «kari, ola» alone did not say who found the code
    assert long.loc[long["id"] == "r1:q1", "votes"].tolist() == ["kari=1, ola=0", "kari=1, ola=0"]
    labels = tmp_path / "labels.csv"
    store.export_codes(coded.path, labels, layout="labels")
    assert "r1:q1" not in set(read_codes(labels)["id"])  # a codes file lists settled answers
    result = runner.invoke(app, ["agreement", str(coded.path), "--coders", "kari,ola", "--no-model"])
    assert result.exit_code == 0, result.output
    assert "2 consensus conflicts" in result.output


def test_export_unknown_layout_is_exit_2_naming_the_option(tmp_path: Path, coded: Project) -> None:
    out = tmp_path / "codes.csv"
    args = ["codes", "export", str(coded.path), "-o", str(out)]
    result = runner.invoke(app, [*args, "--layout", "tall"])
    assert result.exit_code == 2
    assert "Error: option --layout: unknown export layout 'tall' (use long, wide or labels)" in result.output
    assert not out.exists()
    assert runner.invoke(app, [*args, "--layout", "wide"]).exit_code == 0
    assert "respondent_id" in pd.read_csv(out).columns
    assert runner.invoke(app, [*args, "--wide"]).exit_code == 2  # the old alias is gone: one way to say it


def test_export_bad_suffix_is_exit_2(tmp_path: Path, coded: Project) -> None:
    result = runner.invoke(app, ["codes", "export", str(coded.path), "--out", str(tmp_path / "codes.txt")])
    assert result.exit_code == 2
    assert "must end in .csv or .xlsx" in result.output


def test_cli_suggest_project_prints_what_the_run_holds(project: Project) -> None:
    project.record("kari", [Decision("r1:q1", "follow_up", "add"), Decision("r1:q1", "", "none")])
    result = runner.invoke(app, ["suggest", "--project", str(project.path)])
    assert result.exit_code == 0, result.output
    counts = project.run_counts()
    assert counts["answers"] == 5 and counts["coded_answers"] == 1
    expected = f"{counts['suggestions']} suggestions for {counts['answers_suggested']} of 5 answers"
    assert expected in result.output
    assert "learned from 1 coded answers" in result.output


def test_export_long_says_which_decided_codes_it_leaves_out(tmp_path: Path, project: Project) -> None:
    # r1:q1 has two suggestions; kari accepted one: the answer is not decided in full, so the long table
    # (answers decided in full) leaves the accepted code out, and wide and labels hold it.
    suggestions = pd.DataFrame(
        {"id": ["r1:q1", "r1:q1"], "code": ["follow_up", "coordination"], "confidence": [0.9, 0.8]}
    )
    run = project.add_suggestion_run(suggestions, threshold=0.5)
    project.record("kari", [Decision("r1:q1", "follow_up", "accept", run_id=run, confidence=0.9)])
    partly = "1 code.s. decided present on 1 answer.s. not decided in full"
    with pytest.warns(store.PartlyDecidedWarning, match=partly):
        store.export_codes(project.path, tmp_path / "library.csv")
    result = runner.invoke(app, ["codes", "export", str(project.path), "--out", str(tmp_path / "c.csv")])
    assert result.exit_code == 0, result.output
    assert "Warning: 1 code(s) decided present on 1 answer(s) not decided in full are not in" in (
        " ".join(result.output.split())
    )
    assert ("r1:q1", "follow_up") not in code_pairs(pd.read_csv(tmp_path / "c.csv", dtype=str))


def test_a_project_takes_a_merged_codebook_and_reopens_closed_answers_for_its_new_code(
    tmp_path: Path, project: Project
) -> None:
    # changed: suggest --project refused --codebook, so a code merged from discover needed a new project
    project.record("kari", [Decision("r2:q2", "", "none"), Decision("r3:q1", "", "none")])
    assert project.closed() == {"r2:q2", "r3:q1"}
    extra = Code("local_knowledge", "Lokalkunnskap", keywords=("kort vei",), examples=("alle kjenner alle",))
    merged = dataclasses.replace(CODEBOOK, codes=(*CODEBOOK.codes, extra))
    path = codebook_module.dump_yaml(merged, tmp_path / "merged.yaml")
    result = runner.invoke(app, ["suggest", "--project", str(project.path), "--codebook", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Codebook {path} is the project's now; new codes: local_knowledge" in " ".join(
        result.output.split()
    )
    assert project.codebook().code_ids == merged.code_ids
    # the closures stand for the codes of then; the new code is unknown on them, and open where suggested
    assert project.closed() == set() and "local_knowledge" in project.introduced()
    labels = project.labels()
    assert "" not in set(labels["code"]) and "local_knowledge" not in set(labels["code"])
    assert set(labels["id"]) == {"r2:q2", "r3:q1"} and (labels["present"] == 0).all()
    # still decided (exports, agreement), and open again in review where the new code is suggested
    assert {"r2:q2", "r3:q1"} <= project.decided()
    assert project.reopened() == {"r3:q1"}  # «Kort vei, alle kjenner alle»; «Dårlig samordning …» not
    # the review screen shows the codes of then as closed without, not as open suggestions again
    from coder import review

    state = review.State.load(project, "kari")
    assert state.mine[("r3:q1", "follow_up")] == "closed" and ("r3:q1", "local_knowledge") not in state.mine
    assert "local_knowledge" in {code for code, *_ in state.open_suggestions("r3:q1")}
    # found in review: the same codebook again said «new codes: none»; an earlier one was ignored unsaid
    again = runner.invoke(app, ["suggest", "--project", str(project.path), "--codebook", str(path)])
    assert again.exit_code == 0 and "is the project's already: nothing changed" in " ".join(
        again.output.split()
    )
    assert project.add_codebook(dataclasses.replace(merged, version="2.2")) == []
    with pytest.raises(CoderError, match="the project had this codebook before, and a later one replaced it"):
        project.add_codebook(merged)
    # a codebook that drops a code the decisions may name is refused, and changes nothing
    path.write_text(path.read_text(encoding="utf-8").replace("id: follow_up", "id: oppfolging"), "utf-8")
    refused = runner.invoke(app, ["suggest", "--project", str(project.path), "--codebook", str(path)])
    assert refused.exit_code == 2 and "lacks 'follow_up' of the project's codebook" in refused.output
    assert "Traceback" not in refused.output and project.codebook().code_ids == merged.code_ids


def test_copies_that_took_added_codes_at_different_times_are_not_merged(
    tmp_path: Path, project: Project
) -> None:
    # found in review: the merged file kept one copy's time, so the other's closings read otherwise
    extra = Code("local_knowledge", "Lokalkunnskap", keywords=("kort vei",))
    merged = dataclasses.replace(CODEBOOK, codes=(*CODEBOOK.codes, extra))
    copy = copy_project(project, tmp_path / "copy.db")
    project.add_codebook(merged)
    with Project.open(copy, writing=True) as other:
        other.add_codebook(merged)
    with pytest.raises(CoderError, match="took their added codes at different times"):
        store.merge(project.path, copy, tmp_path / "both.db")
    assert not (tmp_path / "both.db").exists()


def test_cli_codes_import_logs_hand_codes_and_names_a_bad_row(tmp_path: Path, project: Project) -> None:
    hand = write_file(tmp_path / "hand.csv", "id;codes\nr1:q1;Oppfølging av beboere\nr2:q1;\n")
    result = runner.invoke(app, ["codes", "import", str(project.path), str(hand), "--coder", "kari"])
    assert result.exit_code == 0, result.output
    assert "2 answer(s) imported for kari: 2 coded in full, 1 code(s)" in " ".join(result.output.split())
    assert code_pairs(project.current_codes("kari")) == {("r1:q1", "follow_up"), ("r2:q1", "")}
    bad = write_file(tmp_path / "bad.csv", "id,code\nr1:q2,anchoring\nr2:q2,Boligmangel\n")
    refused = runner.invoke(app, ["codes", "import", str(project.path), str(bad), "--coder", "ola"])
    assert refused.exit_code == 2 and len(refused.output.strip().splitlines()) == 1
    assert "bad.csv, row 3, column 'code': code 'Boligmangel' is not in the codebook" in refused.output
    assert "ola" not in project.coders()  # nothing logged
