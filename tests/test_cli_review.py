"""The command line of coder.review (`coder ...` through typer's CliRunner)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from support.review import (
    ANSWERS,
    CODEBOOK,
    SUGGESTIONS,
    code_pairs,
    fixture_project,  # noqa: F401
)
from typer.testing import CliRunner

from coder import store
from coder.cli import app
from coder.codebook import Code, Codebook
from coder.store import Decision, Project

runner = CliRunner()


def _review(project: Project, keys: str, *args: str):
    return runner.invoke(app, ["review", str(project.path), "--coder", "kari", *args], input=keys)


# -- the interactive loop --------------------------------------------------------------------------


def test_accept_takes_the_models_proposal_and_moves_on(project: Project) -> None:
    result = _review(project, "a\na\nq\n")
    assert result.exit_code == 0, result.output
    log = project.log("kari")
    # a3 first: 0.45 is below the threshold, so "a" rejects it; then a2: both at/above -> accepted;
    # "a" also closes the answer (changed: it used to log only the suggestions)
    assert list(zip(log["answer_id"], log["code"], log["action"], strict=True)) == [
        ("a3", "meeting_places", "reject"),
        ("a3", "", "none"),
        ("a2", "coordination", "accept"),  # suggestions are listed by confidence
        ("a2", "anchoring", "accept"),
        ("a2", "", "none"),
    ]
    assert set(log.loc[log["action"] != "none", "run_id"]) == {project.latest_run()}
    assert project.closed("kari") == {"a2", "a3"}
    assert log.loc[log["code"] == "anchoring", "confidence"].item() == 0.62
    assert code_pairs(project.current_codes("kari")) == {
        ("a3", ""),
        ("a2", "anchoring"),
        ("a2", "coordination"),
    }
    assert "3 decisions saved" in result.output


def test_numbered_add_remove_and_done(project: Project) -> None:
    # a3: skip; a2: accept 2 (anchoring, 0.62), reject 1 (coordination, 0.9), add by label search, remove it
    keys = "s\na 2\nr 1\n+ møteplass\n- meeting\nn\nq\n"
    result = _review(project, keys)
    assert result.exit_code == 0, result.output
    log = project.log("kari")
    assert list(zip(log["code"], log["action"], strict=True)) == [
        ("anchoring", "accept"),
        ("coordination", "reject"),
        ("meeting_places", "add"),
        ("meeting_places", "remove"),
        ("", "none"),  # n closes the answer (changed: it used to log nothing once codes were decided)
    ]
    assert set(log["answer_id"]) == {"a2"}
    assert code_pairs(project.current_codes("kari")) == {("a2", "anchoring")}


def test_done_without_suggestions_records_no_code(project: Project) -> None:
    result = _review(project, "f band=low\nn\nn\n")
    assert result.exit_code == 0, result.output
    assert "Filter: band=low" in result.output
    # a4: its open suggestion is rejected and the answer closed; a5 has none: closed, "no code"
    labels = project.labels("kari").values.tolist()
    assert labels == [["a4", "", 0], ["a4", "meeting_places", 0], ["a5", "", 0]]
    assert project.log("kari")["action"].tolist() == ["reject", "none", "none"]
    # the last screen still showed a5 open: the line says it was saved
    assert "a5 saved with no code. End of the queue" in " ".join(result.output.split())


def test_a_number_twice_decides_once_and_no_number_is_an_error(project: Project) -> None:
    result = _review(project, "a ,\na 1 1\nq\n")
    assert result.exit_code == 0, result.output
    assert "no suggestion number in ','" in result.output
    log = project.log("kari")
    assert log[["answer_id", "code", "action"]].values.tolist() == [["a3", "meeting_places", "accept"]]


def test_minus_alone_asks_which_code_and_capital_keys_work(project: Project) -> None:
    result = _review(project, "+ follow_up\n-\nQ\n")
    assert result.exit_code == 0, result.output
    assert "which code? - CODE (codes here: follow_up)" in result.output
    assert project.log("kari")["action"].tolist() == ["add"]  # not removed; Q quit
    assert "1 decision saved" in result.output


def test_undoing_an_earlier_bulk_run_says_so(project: Project) -> None:
    bulk = _review(project, "", "--accept-from", "0.6")
    assert "accepted 3" in bulk.output
    result = _review(project, "u\n+ forankring\nq\n")
    assert result.exit_code == 0, result.output
    assert "Undone: your last command on a2, a1" in result.output
    said = " ".join(result.output.split())
    assert "1 decision saved in" in said and "3 decisions of an earlier session undone." in said
    assert project.effective_log("kari")["action"].tolist() == ["add"]


def test_undo_goes_back_and_logs_an_undo(project: Project) -> None:
    result = _review(project, "a\nu\n+ forankring\nq\n")
    assert result.exit_code == 0, result.output
    assert "Undone" in result.output
    log = project.log("kari")
    assert log["action"].tolist() == ["reject", "none", "undo", "undo", "add"]  # the close is undone too
    assert log["answer_id"].tolist() == ["a3"] * 5  # back on the answer whose decision was undone
    assert code_pairs(project.current_codes("kari")) == {("a3", "anchoring")}


def test_mistakes_are_reported_and_change_nothing(project: Project) -> None:
    keys = "x\n+ o\n+ zzz\n- follow_up\nr 7\nu\nf band=huge\n?\nq\n"
    result = _review(project, keys)
    assert result.exit_code == 0, result.output
    assert "unknown command 'x'" in result.output
    assert "'o' matches several codes" in result.output
    assert "no code matches 'zzz'" in result.output
    assert "the answer has no codes to remove" in result.output
    assert "no suggestion number '7'" in result.output
    assert "nothing to undo" in result.output
    assert "unknown band 'huge'" in result.output
    assert "accept the model's proposal" in result.output  # the help
    assert project.log().empty


def test_screen_shows_answer_attributes_bars_and_progress(project: Project) -> None:
    project.record("kari", [Decision("a1", "follow_up", "add")])
    result = _review(project, "q\n", "--refit-every", "0")  # the stored run's screen, not one learned anew
    first = result.output
    assert "a3" in first and "Faste møter hver måned" in first
    assert re.search(r"municipality +Rissa", first) and re.search(r"question +styrker", first)
    assert "████░░░░░░ 0.45" in first or "█████░░░░░ 0.45" in first
    assert "decided 1/5" in first and "follow_up 1" in first


def test_end_of_input_quits_cleanly(project: Project) -> None:
    result = _review(project, "a\n")
    assert result.exit_code == 0, result.output
    assert project.log("kari")["action"].tolist() == ["reject", "none"]


def test_review_unknown_project_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["review", str(tmp_path / "none.db"), "--coder", "kari"], input="q\n")
    assert result.exit_code == 2
    assert "project not found" in result.output


def test_cli_bulk(project: Project) -> None:
    result = _review(project, "", "--accept-from", "0.6")
    assert result.exit_code == 0, result.output
    assert "accepted 3, rejected 0 (bulk); 2 suggestions left open for review" in result.output


@pytest.mark.parametrize("name", ["kari,ola", "kari\nola", "  ", "code", "Respondent_id"])
def test_a_coder_name_agreement_could_not_name_is_refused(project: Project, name: str) -> None:
    result = runner.invoke(app, ["review", str(project.path), "--coder", name, "--accept-from", "0.9"])
    assert result.exit_code == 2 and "option --coder: " in result.output
    assert project.log().empty


def test_a_coder_name_typed_with_other_spaces_is_the_same_coder(project: Project) -> None:
    for name in ("kari nordmann", " kari\u00a0nordmann", "kari\u2009nordmann"):  # NBSP, thin space
        result = runner.invoke(app, ["review", str(project.path), "--coder", name, "--accept-from", "0.9"])
        assert result.exit_code == 0, result.output
    assert project.coders() == ["kari nordmann"]
    result = runner.invoke(app, ["agreement", str(project.path), "--coders", "kari\u00a0nordmann"])
    assert result.exit_code == 0, result.output
    assert len(project.log("kari\u00a0nordmann")) == len(project.log("kari nordmann")) > 0
    out = project.path.with_name("codes.csv")
    export = ["codes", "export", str(project.path), "--out", str(out), "--coder", "kari\u00a0nordmann"]
    result = runner.invoke(app, export)
    assert result.exit_code == 0, result.output


def test_cli_bulk_decides_only_the_filtered_answers(project: Project) -> None:
    result = _review(project, "", "--accept-from", "0.6", "--filter", "question=utfordringer")
    assert result.exit_code == 0, result.output
    assert "accepted 2, rejected 0 (bulk); 1 suggestion left open for review" in result.output
    assert set(project.log()["answer_id"]) == {"a2"}


def test_cli_bulk_then_wide_export_shows_only_what_the_rule_decided(tmp_path: Path, project: Project) -> None:
    assert _review(project, "", "--accept-from", "0.9", "--reject-below", "0.1").exit_code == 0
    cells = project.cells("kari")
    # the rule decided three cells and nothing else (a1 and a4 count as decided answers all the same)
    assert code_pairs(cells) == {("a1", "follow_up"), ("a2", "coordination"), ("a4", "meeting_places")}
    assert cells["bulk"].all()
    out = tmp_path / "wide.csv"
    result = runner.invoke(app, ["codes", "export", str(project.path), "--out", str(out), "--layout", "wide"])
    assert result.exit_code == 0, result.output
    wide = pd.read_csv(out, dtype=str, keep_default_na=False).set_index("respondent_id")
    assert wide.at["r1", "styrker__follow_up"] == "1" and wide.at["r1", "utfordringer__coordination"] == "1"
    assert wide.at["r2", "utfordringer__meeting_places"] == "0"
    # never decided by anyone: empty, not 0 (a1 and a4 are decided, but the rule never read them)
    never_decided = [("r1", "styrker__anchoring"), ("r1", "styrker__meeting_places"),
                     ("r2", "utfordringer__follow_up"), ("r2", "anchoring"), ("r3", "follow_up")]  # fmt: skip
    for respondent, column in never_decided:
        assert wide.at[respondent, column] == "", (respondent, column)
    codes = [c for c in wide.columns if c != "municipality"]
    assert sorted(v for v in wide[codes].to_numpy().ravel() if v) == ["0", "1", "1", "1", "1"]
    assert wide.at["r2", "meeting_places"] == ""  # rejected on one answer, another not yet decided


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--accept-from", "0.3", "--reject-below", "0.6"], "option --reject-below: must not exceed"),
        (["--accept-from", "1.5"], "option --accept-from: must be between 0 and 1, got 1.5"),
    ],
)
def test_cli_bulk_bad_thresholds(project: Project, args: list[str], message: str) -> None:
    result = _review(project, "", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert project.log().empty


def test_bulk_without_a_run_is_exit_2(tmp_path: Path) -> None:
    with store.init(tmp_path / "p.db", ANSWERS, CODEBOOK) as bare:
        result = runner.invoke(app, ["review", str(bare.path), "--coder", "kari", "--accept-from", "0.9"])
    assert result.exit_code == 2
    assert "no suggestion run yet" in result.output


# -- user text is never read as rich markup --------------------------------------------------------


def test_markup_in_commands_and_answers_is_shown_literally(tmp_path: Path) -> None:
    answers = ANSWERS.assign(text=ANSWERS["text"].where(ANSWERS["id"] != "a3", "[/b] Faste [bold]møter"))
    answers["municipality"] = answers["municipality"].where(answers["id"] != "a3", "[/x]")
    with store.init(tmp_path / "p.db", answers, CODEBOOK) as bare:
        bare.add_suggestion_run(SUGGESTIONS, threshold=0.5)
        keys = "+ [/x]\nf question=[/]\n"
        result = runner.invoke(app, ["review", str(bare.path), "--coder", "[/k]"], input=keys)
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        assert "no code matches '[/x]'" in result.output
        assert "question '[/]' is not in the project" in result.output  # shown literally, filter unchanged
        assert "[/b] Faste [bold]møter" in result.output and "[/x]" in result.output
        assert bare.log().empty
        result = runner.invoke(app, ["review", str(bare.path), "--coder", "[/k]", "--accept-from", "0.9"])
        assert result.exit_code == 0, result.output
        assert "[/k]: accepted 2, rejected 0 (bulk)" in result.output


def test_markup_in_codebook_keywords_and_paths_is_shown_literally(tmp_path: Path) -> None:
    from coder import codebook as codebook_module

    book = Codebook("t", "nb", "1", (Code("follow_up", "Oppfølging", description="T.", keywords=("[/x]",)),))
    path = tmp_path / "codebook.yaml"
    path.write_text(codebook_module.to_yaml(book), encoding="utf-8")
    result = runner.invoke(app, ["codebook", "validate", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "keyword '[/x]' can never match" in result.output
    qdc = codebook_module.export_qdc(CODEBOOK, tmp_path / "book.qdc")
    out = tmp_path / "[x].yaml"
    result = runner.invoke(app, ["codebook", "import", str(qdc), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"4 codes -> {out}" in result.output.replace("\n", "")


def test_a_filter_that_matches_nothing_keeps_the_session_and_the_old_filter(project: Project) -> None:
    project.close()
    # No suggestion of anchoring is in band "low": the filter is refused, and "a" still decides a3.
    result = _review(project, "f code=anchoring | band=low\na\nq\n")
    assert result.exit_code == 0, result.output
    assert "no answers match the filter" in result.output
    assert "End of the queue" not in result.output
    with Project.open(project.path) as opened:
        assert ("a3", "meeting_places") in {
            (r.answer_id, r.code) for r in opened.log(coder="kari").itertuples()
        }


def test_quitting_after_undoing_everything_saves_no_decisions(project: Project) -> None:
    result = _review(project, "a\nu\nq\n")
    assert result.exit_code == 0, result.output
    assert "0 decisions saved" in result.output


def test_the_screen_names_an_active_filter(project: Project) -> None:
    result = _review(project, "q\n", "--filter", "band=high")
    assert "filter band=high: queue 1/" in result.output


def test_a_filter_given_at_the_start_names_the_option(project: Project) -> None:
    for bulk in ([], ["--accept-from", "0.9"]):
        result = _review(project, "q\n", "--filter", "code=nope", *bulk)
        assert result.exit_code == 2
        assert result.output.strip() == (
            "Error: option --filter: code 'nope' is not in the codebook (codes: follow_up, anchoring, "
            "coordination, meeting_places)"
        )


def test_a_filter_given_at_the_start_that_matches_nothing_says_so(project: Project) -> None:
    result = _review(
        project, "q\n", "--filter", "question=styrker|band=high|code=anchoring", "--refit-every", "0"
    )
    assert result.exit_code == 2, result.output  # it said «End of the queue», as if all were done
    assert (
        "option --filter: no answers match the filter" in result.output
        and "End of the queue" not in result.output
    )


@pytest.mark.parametrize("bulk", [[], ["--accept-from", "0.9"]])
def test_a_negative_refit_interval_is_exit_2(project: Project, bulk: list[str]) -> None:
    result = _review(project, "q\n", "--refit-every", "-1", *bulk)
    assert result.exit_code == 2
    assert "Invalid value for '--refit-every': Input should be greater than or equal to 0" in result.output
    assert project.log().empty


def test_the_end_of_the_queue_still_takes_an_undo(project: Project) -> None:
    # the session used to end at once after the last answer: its decision could not be undone there
    result = _review(project, "f band=low\nn\nn\nu\nq\n")
    assert result.exit_code == 0, result.output
    assert "End of the queue" in result.output and "Undone: your last command on a5" in result.output
    assert project.labels("kari").values.tolist() == [["a4", "", 0], ["a4", "meeting_places", 0]]
    # Enter at the end ends the session: the «u» after it is never read
    undos = (project.log("kari")["action"] == "undo").sum()
    result = _review(project, "f band=low\nn\nn\nn\n\nu\n")
    assert result.exit_code == 0 and result.output.count("End of the queue") == 1
    assert (project.log("kari")["action"] == "undo").sum() == undos == 1
