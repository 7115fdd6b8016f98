"""The coding project: SQLite schema, append-only decision log, folding, merge and exports."""

from __future__ import annotations

import dataclasses
import itertools
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
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

from coder import codebook as codebook_module
from coder import store
from coder.classify import label_matrix, read_labels
from coder.errors import CoderError
from coder.reliability import read_codes
from coder.store import Decision, Project

SUGGESTIONS = pd.DataFrame(
    {
        "id": ["r1:q1", "r1:q2", "r2:q1", "r2:q2", "r2:q2"],
        "code": ["follow_up", "anchoring", "financial_instruments", "coordination", "follow_up"],
        "confidence": [0.95, 0.55, 0.92, 0.7, 0.05],
        "evidence": ["oppfølging; boveiledning", "forankring", "startlån", "samordning", ""],
    }
)


# -- creating and opening --------------------------------------------------------------------------


def test_init_creates_a_private_self_contained_project(tmp_path: Path) -> None:
    path = tmp_path / "project.db"
    with store.init(path, ANSWERS, CODEBOOK) as project:
        project.record("kari", [Decision("r1:q1", "follow_up", "add")])  # forces the -wal file to exist
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            assert name.exists()
            assert stat.S_IMODE(os.stat(name).st_mode) & 0o077 == 0, name
        assert project.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert project.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert project.conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
        answers = project.answers()
        assert answers["id"].tolist() == ANSWERS["id"].tolist()
        assert answers["municipality"].tolist() == ANSWERS["municipality"].tolist()
        assert answers["text"].tolist() == ANSWERS["text"].tolist()
        assert project.codebook() == CODEBOOK  # rebuilt from the file alone
        assert codebook_module.load(write_file(tmp_path / "cb.yaml", project.codebook_yaml())) == CODEBOOK
        assert project.meta()["tool_version"]


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "project.db"
    path.write_text("precious")
    with pytest.raises(CoderError, match="already exists"):
        store.init(path, ANSWERS, CODEBOOK)
    assert path.read_text() == "precious"


def test_a_project_whose_init_was_killed_says_it_is_incomplete(tmp_path: Path) -> None:
    path = tmp_path / "project.db"
    store._create_private_file(path)  # what a SIGKILL inside init's transaction leaves: the schema alone
    conn = store._connect(path)
    store._migrate(conn, path)
    conn.close()
    # it was «already exists» for init and a TypeError traceback for every other command
    with pytest.raises(
        CoderError,
        match="an incomplete project: `coder init` or `coder merge` is still writing it, or was stopped",
    ):
        Project.open(path)
    with pytest.raises(CoderError, match="an incomplete project") as error:
        store.init(path, ANSWERS, CODEBOOK)
    assert error.value.file == str(path)
    folder = tmp_path / "folder.db"
    folder.mkdir()
    with pytest.raises(CoderError, match="already exists"):  # a folder: not «Is a directory»
        store.init(folder, ANSWERS, CODEBOOK)


def test_init_rejects_duplicate_ids_and_leaves_no_file(tmp_path: Path) -> None:
    answers = pd.concat([ANSWERS, ANSWERS.head(1)])
    message = r"duplicate answer id 'r1:q1' in the answers DataFrame \(positions 0, 5\)"
    with pytest.raises(CoderError, match=message):
        store.init(tmp_path / "p.db", answers, CODEBOOK)
    assert not (tmp_path / "p.db").exists()


def test_new_project_file_is_removed_again_on_error(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    with pytest.raises(RuntimeError), store._new_project_file(path) as project:
        project.conn.execute("CREATE TABLE scratch (x)")  # the project is usable inside the block
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []  # no file, no -wal, no -shm
    with store._new_project_file(path) as project:
        assert project.conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    project.close()


def test_open_rejects_missing_foreign_and_newer_files(tmp_path: Path, project: Project) -> None:
    with pytest.raises(CoderError, match="project not found"):
        Project.open(tmp_path / "nope.db")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE x (y)").connection.commit()
    with pytest.raises(CoderError, match="not a coding project"):
        Project.open(other)
    (tmp_path / "text.db").write_text("hello, not sqlite" * 100)
    with pytest.raises(CoderError, match="not a coding project"):
        Project.open(tmp_path / "text.db")
    project.conn.execute(f"PRAGMA user_version = {store.SCHEMA_VERSION + 1}")
    with pytest.raises(CoderError, match="upgrade coder"):
        Project.open(project.path)


def test_open_rejects_a_damaged_project_or_one_without_its_tables(tmp_path: Path, project: Project) -> None:
    project.close()
    damaged = tmp_path / "damaged.db"
    with sqlite3.connect(project.path) as conn:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'answers'").fetchone()
    conn.close()
    data = bytearray(project.path.read_bytes())
    data[(root - 1) * size] = 0xFF  # no b-tree page type: the answers' first page is garbage (a bad disk)
    damaged.write_bytes(bytes(data))
    with pytest.raises(CoderError) as caught:
        Project.open(damaged)
    assert str(caught.value).startswith(f"{damaged}: the coding project is damaged (")
    assert "\n" not in str(caught.value)
    with sqlite3.connect(project.path) as conn:
        conn.execute("DROP TABLE suggestions")
    with pytest.raises(CoderError, match="the project has no table 'suggestions'; restore it from a backup"):
        Project.open(project.path)


# -- suggestion runs -------------------------------------------------------------------------------


def test_suggestion_runs_are_stored_with_parameters(project: Project) -> None:
    assert project.latest_run() is None
    first = project.add_suggestion_run(SUGGESTIONS, {"note": "first"}, seed=3, threshold=0.5)
    second = project.add_suggestion_run(SUGGESTIONS.head(2), {"note": "second"}, seed=4, threshold=0.6)
    assert project.latest_run() == second
    runs = project.runs()
    assert runs["run_id"].tolist() == [first, second]
    assert runs["seed"].tolist() == [3, 4]
    assert runs["suggestions"].tolist() == [5, 2]
    assert runs["codebook_version"].tolist() == ["2.1", "2.1"]
    assert '"note": "first"' in runs["params"].iat[0]
    stored = project.suggestions(first)
    assert code_pairs(stored) == code_pairs(SUGGESTIONS)
    assert project.run_threshold(second) == 0.6
    # the model codes are the suggestions at or above the run's threshold
    assert code_pairs(project.model_codes(first)) == code_pairs(SUGGESTIONS[SUGGESTIONS["confidence"] >= 0.5])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "nobody"}, "unknown answer 'nobody'"),
        ({"code": "housing"}, "not in the codebook: 'housing'"),
        ({"confidence": 1.5}, "not between 0 and 1"),
    ],
)
def test_bad_suggestions_are_refused_whole(project: Project, change: dict, message: str) -> None:
    bad = SUGGESTIONS.copy()
    for column, value in change.items():
        bad.loc[0, column] = value
    with pytest.raises(CoderError, match=message):
        project.add_suggestion_run(bad)
    assert project.runs().empty


def test_suggest_passes_the_spacy_model(project: Project) -> None:
    with pytest.raises(CoderError, match="spaCy pipeline 'no_such_pipeline' is neither"):
        store.suggest(project.path, seed=1, spacy_model="no_such_pipeline")
    assert project.runs().empty


def test_suggest_learns_from_the_decisions_with_the_real_classifier(project: Project) -> None:
    project.record("kari", [Decision("r1:q1", "follow_up", "add"), Decision("r3:q1", "", "none")])
    run_id = store.suggest(project.path, seed=1)
    runs = project.runs()
    assert runs["run_id"].tolist() == [run_id]
    assert runs["n_labels"].tolist() == [2]  # two decided answers
    from coder.classify import DEFAULT_THRESHOLD

    assert runs["threshold"].iat[0] == DEFAULT_THRESHOLD
    suggestions = project.suggestions(run_id)
    assert set(suggestions["code"]) <= set(CODEBOOK.code_ids)
    assert (suggestions["confidence"].between(0, 1)).all()


# -- the decision log ------------------------------------------------------------------------------


def test_log_is_append_only(project: Project) -> None:
    project.record("kari", [Decision("r1:q1", "follow_up", "add")])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        project.conn.execute("UPDATE decisions SET coder = 'ola'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        project.conn.execute("DELETE FROM decisions")
    assert project.log()["coder"].tolist() == ["kari"]


def test_current_codes_fold_last_action_per_answer_code_coder(project: Project) -> None:
    run = project.add_suggestion_run(SUGGESTIONS, threshold=0.5)
    project.record("kari", [Decision("r1:q1", "follow_up", "accept", run, 0.95)])
    project.record("kari", [Decision("r1:q2", "anchoring", "reject", run, 0.55)])
    project.record("kari", [Decision("r1:q2", "coordination", "add")])
    project.record("kari", [Decision("r1:q2", "coordination", "remove")])
    project.record("kari", [Decision("r1:q2", "anchoring", "add")])  # changed her mind
    current = project.current_codes("kari")
    assert code_pairs(current) == {("r1:q1", "follow_up"), ("r1:q2", "anchoring")}
    row = current[current["id"] == "r1:q1"].iloc[0]
    assert (row["coder"], row["action"], row["run_id"]) == ("kari", "accept", run)
    assert project.decided("kari") == {"r1:q1", "r1:q2"}


def test_decided_without_codes_is_an_empty_code_row(project: Project) -> None:
    project.record("kari", [Decision("r3:q1", "", "none")])
    run = project.add_suggestion_run(SUGGESTIONS, threshold=0.5)
    project.record("kari", [Decision("r2:q2", "coordination", "reject", run, 0.7)])
    assert code_pairs(project.current_codes()) == {("r3:q1", ""), ("r2:q2", "")}
    # changed: labels() is id, code, present; only the closed r3:q1 implies its other codes absent
    assert project.labels().values.tolist() == [["r2:q2", "coordination", 0], ["r3:q1", "", 0]]


def test_partial_decisions_do_not_become_negatives(tmp_path: Path, project: Project) -> None:
    two = pd.DataFrame(
        {"id": ["r1:q1", "r1:q1"], "code": ["follow_up", "anchoring"], "confidence": [0.95, 0.6]}
    )
    run = project.add_suggestion_run(two, threshold=0.5)
    project.record("kari", [Decision("r1:q1", "follow_up", "accept", run, 0.95)], mode="bulk")  # like `a 1`
    assert project.decided("kari") == set() and project.decided() == set()
    assert project.current_codes("kari").empty
    assert project.labels("kari").values.tolist() == [["r1:q1", "follow_up", 1]]  # anchoring etc. unknown
    wide = store.wide_codes(project).set_index("respondent_id")
    assert wide.at["r1", "q1__follow_up"] == 1
    assert pd.isna(wide.at["r1", "q1__anchoring"]) and pd.isna(wide.at["r1", "q1__coordination"])
    # rejecting the last open confident suggestion decides the answer; its unnamed codes are then absent
    # in the exports, but not for training: only closing the answer (`n`, `a`) says so
    project.record("kari", [Decision("r1:q1", "anchoring", "reject", run, 0.6)])
    assert project.decided("kari") == {"r1:q1"} and project.closed("kari") == set()
    assert code_pairs(project.current_codes("kari")) == {("r1:q1", "follow_up")}
    assert project.labels("kari").values.tolist() == [["r1:q1", "follow_up", 1], ["r1:q1", "anchoring", 0]]
    assert store.wide_codes(project).set_index("respondent_id").at["r1", "q1__coordination"] == 0
    project.record("kari", [Decision("r1:q1", "", "none")])
    assert project.labels("kari").values.tolist() == [
        ["r1:q1", "", 0], ["r1:q1", "follow_up", 1], ["r1:q1", "anchoring", 0]
    ]  # fmt: skip
    from coder.classify import label_matrix

    y = label_matrix(project.answer_ids(), project.labels(), CODEBOOK)
    assert y[0].tolist() == [1, 0, 0, 0] and (y[1:] == -1).all()


def test_undo_is_a_new_entry_and_restores_the_previous_state(project: Project) -> None:
    project.record("kari", [Decision("r1:q1", "follow_up", "add")])
    project.record("kari", [Decision("r1:q1", "follow_up", "remove"), Decision("r1:q1", "anchoring", "add")])
    project.record("ola", [Decision("r2:q1", "financial_instruments", "add")])
    assert project.undo("kari") == ["r1:q1"]  # the whole latest batch of kari, not ola's later one
    assert code_pairs(project.current_codes("kari")) == {("r1:q1", "follow_up")}
    assert project.undo("kari") == ["r1:q1"]
    assert project.current_codes("kari").empty
    assert project.undo("kari") == []
    log = project.log()
    assert len(log) == 4 + 3  # nothing deleted: four decisions, three undo entries
    assert set(log.loc[log["action"] == "undo", "undoes"]) == set(
        log.loc[log["coder"] == "kari"].head(3)["uuid"]
    )
    assert code_pairs(project.current_codes("ola")) == {("r2:q1", "financial_instruments")}


def test_a_coder_name_typed_in_another_case_is_the_same_coder(project: Project) -> None:
    # changed: «kari» after «Kari» was a second coder, who agreed with the first on every answer both decided
    project.record("Kari", [Decision("r1:q1", "follow_up", "add")])
    project.record("kari", [Decision("r1:q1", "anchoring", "add")])
    project.record("ÅSE", [Decision("r2:q1", "anchoring", "add")])
    project.record("åse", [Decision("r2:q1", "follow_up", "remove")])
    assert project.coders() == ["Kari", "ÅSE"]
    assert code_pairs(project.current_codes("KARI")) == {("r1:q1", "follow_up"), ("r1:q1", "anchoring")}
    assert len(project.log("kari")) == 2 and project.latest_entries("kari", "r1:q1")[0] > 0
    assert project.undo("kari") == ["r1:q1"]
    assert code_pairs(project.current_codes("Kari")) == {("r1:q1", "follow_up")}


def _record_as_an_older_coder(path: Path, decisions: list[tuple[str, Decision]]) -> None:
    """Record as coder before stop 36 did: each name as typed, «Kari» and «kari» two coders."""
    with Project.open(path) as opened, pytest.MonkeyPatch.context() as older:
        older.setattr(Project, "logged_name", lambda self, name: name)
        for coder, decision in decisions:
            opened.record(coder, [decision])


def test_an_older_project_with_kari_and_kari_keeps_each_exact_name(project: Project) -> None:
    _record_as_an_older_coder(
        project.path,
        [("kari", Decision("r1:q1", "follow_up", "add")), ("Kari", Decision("r2:q1", "anchoring", "add"))],
    )
    assert project.coders() == ["kari", "Kari"]
    assert project.log("kari")["answer_id"].tolist() == ["r1:q1"]
    assert project.undo("kari") == ["r1:q1"]  # kari's own batch, not Kari's
    assert code_pairs(project.current_codes("Kari")) == {("r2:q1", "anchoring")}


def test_merge_joins_a_coder_whose_name_the_copies_spell_in_another_case(
    tmp_path: Path, project: Project
) -> None:
    b_path = copy_project(project, tmp_path / "b.db")
    project.record("Kari", [Decision("r1:q1", "follow_up", "add")])
    _record_as_an_older_coder(b_path, [("KARI", Decision("r2:q2", "coordination", "add"))])
    assert store.coders_in_both(project.path, b_path) == ["Kari"]  # warned: two sessions of one name
    with Project.open(store.merge(project.path, b_path, tmp_path / "c.db")) as merged:
        assert merged.coders() == ["Kari"]
        assert code_pairs(merged.current_codes("kari")) == {("r1:q1", "follow_up"), ("r2:q2", "coordination")}


def test_merge_keeps_apart_the_coders_an_older_copy_kept_apart_by_case(
    tmp_path: Path, project: Project
) -> None:
    # found in review: B's «kari», another person than «Kari», was merged into A's «Kari» unseen
    b_path = copy_project(project, tmp_path / "b.db")
    project.record("Kari", [Decision("r1:q1", "follow_up", "add")])
    _record_as_an_older_coder(
        b_path,
        [("Kari", Decision("r2:q1", "anchoring", "add")), ("kari", Decision("r2:q2", "coordination", "add"))],
    )
    assert store.coders_in_both(project.path, b_path) == ["Kari"]  # both copies' «Kari» decided
    with Project.open(store.merge(project.path, b_path, tmp_path / "c.db")) as merged:
        assert merged.coders() == ["Kari", "kari"]
        assert code_pairs(merged.current_codes("kari")) == {("r2:q2", "coordination")}
        with pytest.raises(CoderError, match="could be any of the coders 'Kari', 'kari'"):
            merged.log("KARI")


def test_consensus_needs_every_deciding_coder_to_agree(project: Project) -> None:
    # changed: the consensus used to be the latest decision by any coder (ola's remove won)
    project.record("kari", [Decision("r1:q1", "follow_up", "add"), Decision("r1:q1", "anchoring", "add")])
    project.record("ola", [Decision("r1:q1", "anchoring", "remove")])
    consensus = project.current_codes()
    assert code_pairs(consensus) == {("r1:q1", "follow_up")}  # only kari decided follow_up: her value stands
    assert consensus["coder"].tolist() == ["kari"]
    assert code_pairs(project.current_codes("kari")) == {("r1:q1", "follow_up"), ("r1:q1", "anchoring")}
    assert project.coders() == ["kari", "ola"]
    assert project.conflicts().values.tolist() == [["r1:q1", "anchoring", "1", "0"]]
    assert list(project.conflicts().columns) == ["id", "code", "kari", "ola"]
    assert project.labels().values.tolist() == [["r1:q1", "follow_up", 1]]  # the conflict is unknown
    project.record("ola", [Decision("r1:q1", "anchoring", "add")])  # ola changes her mind: agreed again
    assert project.conflicts().empty
    assert code_pairs(project.current_codes()) == {("r1:q1", "follow_up"), ("r1:q1", "anchoring")}


def test_a_later_blind_decision_does_not_wipe_accepts(tmp_path: Path, project: Project) -> None:
    run = project.add_suggestion_run(SUGGESTIONS, threshold=0.5)
    b_path = copy_project(project, tmp_path / "b.db")
    accept = Decision("r1:q1", "follow_up", "accept", run, 0.95)
    project.record("kari", [accept, Decision("r1:q1", "", "none")])
    project.record("kari", [Decision("r2:q1", "financial_instruments", "accept", run, 0.92)])
    with Project.open(b_path) as b:  # later, blind: ola closes r1:q1 without codes
        b.record("ola", [Decision("r1:q1", "", "none")])
        b.record("ola", [Decision("r2:q2", "coordination", "accept", run, 0.7)])
    out = store.merge(project.path, b_path, tmp_path / "c.db")
    with Project.open(out) as merged:
        cells = merged.cells().set_index(["id", "code"])
        assert cells.at[("r1:q1", "follow_up"), "status"] == "conflict"
        assert cells.at[("r1:q1", "follow_up"), "votes"] == "kari=1, ola=0"
        assert cells.at[("r1:q1", "anchoring"), "present"] == 0  # both closed it without anchoring
        assert ("r1:q1", "follow_up") not in code_pairs(merged.current_codes())
        only_one = {("r2:q1", "financial_instruments"), ("r2:q2", "coordination")}
        assert only_one <= code_pairs(merged.current_codes())
        labels = merged.labels()
        assert ("r1:q1", "follow_up") not in code_pairs(labels)
        assert ("r1:q1", "") not in code_pairs(labels)  # closed with a conflict: absent codes spelled out
        assert labels[labels["id"] == "r1:q1"]["present"].tolist() == [0, 0, 0]
        from coder.classify import label_matrix

        y = label_matrix(merged.answer_ids(), labels, CODEBOOK)
        assert y[0].tolist() == [-1, 0, 0, 0]


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        (Decision("nobody", "follow_up", "add"), "no answer 'nobody'"),
        (Decision("r1:q1", "housing", "add"), "code 'housing' is not in the codebook"),
        (Decision("r1:q1", "follow_up", "delete"), "unknown action 'delete'"),
        (Decision("r1:q1", "follow_up", "none"), "takes no code"),
    ],
)
def test_bad_decisions_are_refused(project: Project, decision: Decision, message: str) -> None:
    with pytest.raises(CoderError, match=message):
        project.record("kari", [Decision("r1:q1", "follow_up", "add"), decision])
    assert project.log().empty  # all or nothing
    with pytest.raises(CoderError, match="coder name is empty"):
        project.record("  ", [Decision("r1:q1", "follow_up", "add")])


def test_a_bad_mode_or_a_decision_that_is_not_a_decision_is_refused_by_name(project: Project) -> None:
    # changed: a bare ValueError for the mode; a tuple failed with "'tuple' object has no attribute 'action'"
    with pytest.raises(CoderError, match="unknown mode 'x' \\(use interactive, bulk, import\\)"):
        project.record("kari", [Decision("r1:q1", "follow_up", "add")], mode="x")
    with pytest.raises(TypeError, match="must be coder.store.Decision objects, got \\('r1:q1'"):
        project.record("kari", [("r1:q1", "follow_up", "add")])
    assert project.log().empty


def test_merge_keeps_every_coder_and_run_and_is_idempotent(tmp_path: Path, project: Project) -> None:
    run = project.add_suggestion_run(SUGGESTIONS, threshold=0.5)
    project.record("kari", [Decision("r1:q1", "follow_up", "accept", run, 0.95)])
    b_path = copy_project(project, tmp_path / "b.db")
    project.record("kari", [Decision("r2:q1", "financial_instruments", "accept", run, 0.92)])
    with Project.open(b_path) as b:
        b.record("ola", [Decision("r1:q1", "anchoring", "add")])
        b.undo("ola")
        b.record("ola", [Decision("r2:q2", "coordination", "add")])
        run_b = b.add_suggestion_run(SUGGESTIONS.head(1))
    out = store.merge(project.path, b_path, tmp_path / "c.db")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    with Project.open(out) as merged:
        assert merged.coders() == ["kari", "ola"]
        assert len(merged.log()) == 2 + 3  # the shared first decision once
        assert set(merged.runs()["run_id"]) == {run, run_b}
        assert code_pairs(merged.current_codes("kari")) == code_pairs(project.current_codes("kari"))
        assert code_pairs(merged.current_codes("ola")) == {("r2:q2", "coordination")}
        assert merged.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert merged.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    again = store.merge(out, b_path, tmp_path / "d.db")
    with Project.open(again) as twice, Project.open(out) as once:
        assert sorted(twice.log()["uuid"]) == sorted(once.log()["uuid"])


def test_a_project_busy_beyond_the_timeout_is_a_clear_error_and_saves_nothing(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_SECONDS", 0.2)
    other = sqlite3.connect(project.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        with Project.open(project.path) as waiting:
            with pytest.raises(CoderError, match="the project is busy: another process has been writing"):
                waiting.record("kari", [Decision("r1:q1", "follow_up", "add")])
            other.execute("COMMIT")
            waiting.record("kari", [Decision("r1:q1", "follow_up", "add")])  # and works once it is free
            assert len(waiting.log()) == 1
    finally:
        other.close()


def test_a_schema_1_file_keeps_its_decisions_and_their_bulk_mode(tmp_path: Path, project: Project) -> None:
    # The decision log has said how each entry was made (mode: interactive, bulk, import) since schema 1,
    # so an old file needs no new column to tell a bulk rule from a reading.
    run = project.add_suggestion_run(SUGGESTIONS, threshold=0.5)
    project.record("kari", [Decision("r1:q1", "follow_up", "accept", run, 0.95)], mode="bulk")
    project.record("ola", [Decision("r1:q1", "follow_up", "accept", run, 0.95)])
    old = copy_project(project, tmp_path / "old.db")
    with sqlite3.connect(old, isolation_level=None) as conn:
        conn.execute("DROP TABLE reference_answers")
        conn.execute("DROP TABLE seen_batches")  # schema 3: every decision of an older file counts as blind
        conn.execute("PRAGMA user_version = 1")
    with Project.open(old) as migrated:
        assert migrated.conn.execute("PRAGMA user_version").fetchone()[0] == store.SCHEMA_VERSION
        assert migrated.log()["uuid"].tolist() == project.log()["uuid"].tolist()
        cells = migrated.cells("kari")
        assert cells[["id", "code", "bulk"]].values.tolist() == [["r1:q1", "follow_up", True]]
        cells = migrated.cells("ola")
        assert not cells["bulk"].any() and len(cells) == 4  # read: its other codes are implied absent
        assert migrated.seen_decisions("ola") == 0 and len(migrated.log(blind_only=True)) == 2


def test_a_schema_2_project_that_cannot_be_written_is_read_as_it_is(
    tmp_path: Path, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.record("kari", [Decision("r1:q1", "follow_up", "add")])
    old = copy_project(project, tmp_path / "archived.db")
    with sqlite3.connect(old, isolation_level=None) as conn:
        conn.execute("DROP TABLE seen_batches")
        conn.execute("PRAGMA user_version = 2")
    connect = store._connect

    def read_only(path: Path) -> sqlite3.Connection:  # as an archived copy or a read-only share opens
        conn = connect(path)
        conn.close()
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        conn.row_factory = sqlite3.Row
        return conn

    monkeypatch.setattr(store, "_connect", read_only)
    with Project.open(old) as archived:  # it was «attempt to write a readonly database», a traceback
        assert archived.seen_decisions("kari") == 0 and len(archived.cells("kari", blind_only=True)) > 0
    with sqlite3.connect(f"{old.resolve().as_uri()}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2  # not upgraded
    with sqlite3.connect(old, isolation_level=None) as conn:
        conn.execute("DROP TABLE reference_answers")
        conn.execute("PRAGMA user_version = 1")  # older still: the temporary table is not enough
    with pytest.raises(CoderError, match="cannot be written"):
        Project.open(old)


def test_export_wide_after_a_bulk_review_leaves_undecided_codes_empty(project: Project) -> None:
    from coder.review import bulk_review

    project.add_suggestion_run(SUGGESTIONS, threshold=0.5)
    assert bulk_review(project, "kari", accept_from=0.9, reject_below=0.1) == {
        "accepted": 2, "rejected": 1, "open": 2,
    }  # fmt: skip
    wide = store.wide_codes(project).set_index("respondent_id")
    # 1/0 only where the rule decided: follow_up of r1:q1, financial_instruments of r2:q1 (accepted),
    # follow_up of r2:q2 (rejected); every other code of those answers was never looked at
    assert wide.at["r1", "q1__follow_up"] == 1 and wide.at["r2", "q1__financial_instruments"] == 1
    assert wide.at["r2", "q2__follow_up"] == 0
    never_looked_at = [("r1", "q1__anchoring"), ("r1", "q1__coordination"), ("r1", "anchoring"),
                       ("r2", "q1__coordination"), ("r2", "q2__anchoring"), ("r3", "follow_up")]  # fmt: skip
    for respondent, column in never_looked_at:
        assert pd.isna(wide.at[respondent, column]), (respondent, column)
    decided = wide.drop(columns="municipality").notna().sum().sum()
    # each decided cell shows twice, per question and per respondent, but r2's rejected follow_up: its
    # other answer may still have follow_up (it was 0, as if r2 had not mentioned it)
    assert decided == 3 * 2 - 1 and pd.isna(wide.at["r2", "follow_up"])
    # an answer the coder read (closed) has every other code decided absent
    project.record("kari", [Decision("r1:q1", "", "none")])
    wide = store.wide_codes(project).set_index("respondent_id")
    assert wide.at["r1", "q1__anchoring"] == 0 and wide.at["r1", "q1__follow_up"] == 1
    assert pd.isna(wide.at["r2", "q1__coordination"])


def test_an_export_whose_second_file_cannot_be_written_writes_neither(tmp_path: Path, coded: Project) -> None:
    (tmp_path / "codes.cooccurrence.csv").mkdir()  # the co-occurrence table's name is taken by a folder
    with pytest.raises(CoderError, match="the output is a directory"):
        store.export_codes(coded.path, tmp_path / "codes.csv")
    assert not (tmp_path / "codes.csv").exists()


def test_export_labels_feeds_the_classifier(tmp_path: Path, coded: Project) -> None:
    out = tmp_path / "labels.csv"
    store.export_codes(coded.path, out, layout="labels")
    labels = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(labels.columns) == ["id", "code", "present"]
    assert labels.values.tolist() == coded.labels().astype(str).values.tolist()
    y = label_matrix(coded.answer_ids(), read_labels(out, coded.answer_ids(), CODEBOOK), CODEBOOK)
    assert np.array_equal(y, label_matrix(coded.answer_ids(), coded.labels(), CODEBOOK))


def test_export_labels_keeps_partial_decisions_partial(tmp_path: Path, coded: Project) -> None:
    # a bulk review decides single codes and closes nothing: the other codes stay undecided
    coded.record("kari", [Decision("r2:q2", "follow_up", "accept", None, 0.95)], mode="bulk")
    out = tmp_path / "labels.csv"
    store.export_codes(coded.path, out, layout="labels")
    labels = read_labels(out, coded.answer_ids(), CODEBOOK)
    y = label_matrix(coded.answer_ids(), labels, CODEBOOK)
    row = y[coded.answer_ids().index("r2:q2")]
    assert row[CODEBOOK.code_ids.index("follow_up")] == 1
    assert (np.delete(row, CODEBOOK.code_ids.index("follow_up")) == -1).all()  # not "absent"
    # read as a codes file (link, summary, evaluate), a partly decided answer is not coded at all
    assert set(read_codes(out)["id"]) == coded.closed() == {"r3:q1"}


def test_init_from_a_survey_manifest(tmp_path: Path) -> None:
    manifest = Path(__file__).resolve().parents[1] / "examples" / "oppdal" / "manifest.yaml"
    if not manifest.exists():
        pytest.skip("examples/oppdal is absent")
    from coder import survey

    expected = survey.load(manifest).answers
    with store.init(tmp_path / "p.db", None, CODEBOOK, manifest=manifest) as project:
        answers = project.answers()
    assert answers["id"].tolist() == expected["id"].tolist()
    assert (answers["id"] == answers["respondent_id"] + ":" + answers["question_id"]).all()
    assert set(answers["municipality"]) == {"Oppdal"}
    assert answers["functions"].str.len().gt(0).all()  # every respondent has a function


@pytest.mark.parametrize("kind", ["empty", "other database"])
def test_opening_a_file_that_is_not_a_project_leaves_it_untouched(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x.db"
    if kind == "empty":
        path.write_bytes(b"")
    else:
        other = sqlite3.connect(path)
        other.execute("CREATE TABLE t (x)")
        other.commit()
        other.close()
    before = path.read_bytes()
    with pytest.raises(CoderError, match="not a coding project"):
        Project.open(path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]


def test_init_takes_answers_or_a_manifest_not_both(tmp_path: Path) -> None:
    answers = pd.DataFrame({"id": ["a1"], "text": ["svar"]})
    with pytest.raises(CoderError, match="not both"):
        store.init(tmp_path / "p.db", answers, manifest=Path("examples/oppdal/manifest.yaml"))
    assert not (tmp_path / "p.db").exists()


def test_a_project_keeps_the_codebooks_reference_answers_and_suggests_as_the_file_workflow(
    tmp_path: Path,
) -> None:
    from coder import classify

    reference = pd.DataFrame(
        {
            "text": ["Treffes hver torsdag over lunsj", "Mangler husvære for unge", "Vet ikke"],
            "codes": ["coordination", "follow_up", ""],
        }
    )
    reference.to_csv(tmp_path / "ref.csv", index=False)
    book_path = tmp_path / "book.yaml"
    with_reference = dataclasses.replace(CODEBOOK, path=book_path, reference_file="ref.csv")
    book_path.write_text(codebook_module.to_yaml(with_reference, tmp_path), encoding="utf-8")
    book = codebook_module.load(book_path)
    assert len(book.reference_answers) == 3
    with store.init(tmp_path / "p.db", ANSWERS, book_path) as project:
        assert project.codebook().reference_answers == book.reference_answers
        project.record("kari", [Decision("r1:q1", "follow_up", "add"), Decision("r3:q1", "", "none")])
        labels = project.labels()
        run_id = store.suggest(project.path, seed=2)
        stored = project.suggestions(run_id)
    # the file workflow: the same answers, codebook file, decisions and seed
    expected = classify.suggest(
        ANSWERS[["id", "question_id", "text"]],
        book,
        labels=labels,
        threshold=store.STORED_CONFIDENCE_FLOOR,
        seed=2,
        keep_human_codes=False,
    )
    pd.testing.assert_frame_equal(
        stored[["id", "code", "confidence"]].sort_values(["id", "code"]).reset_index(drop=True),
        expected[["id", "code", "confidence"]].sort_values(["id", "code"]).reset_index(drop=True),
    )
    # a merged project keeps them too
    copy = tmp_path / "copy.db"
    shutil.copy(tmp_path / "p.db", copy)
    with store.Project.open(store.merge(tmp_path / "p.db", copy, tmp_path / "m.db")) as merged:
        assert merged.codebook().reference_answers == book.reference_answers


# -- two coders on one file at once ----------------------------------------------------------------

# One decision per transaction, each followed by a read of the coder's state, as `coder review` does; the
# worker waits for "go" on stdin so that both processes write at the same time.
_CODING_WORKER = """
import sys
from coder.store import Decision, Project

path, coder, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with Project.open(path) as project:
    ids, codes = project.answer_ids(), project.codebook().code_ids
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(count):
        action = "add" if i % 2 == 0 else "remove"
        project.record(coder, [Decision(ids[i % len(ids)], codes[(i // len(ids)) % len(codes)], action)])
        project.decision_state(coder)
print("done", flush=True)
"""


def _sent_decisions(count: int) -> list[tuple[str, str, str]]:
    ids, codes = ANSWERS["id"].tolist(), CODEBOOK.code_ids
    return [
        (ids[i % len(ids)], codes[(i // len(ids)) % len(codes)], "add" if i % 2 == 0 else "remove")
        for i in range(count)
    ]


def test_two_processes_coding_one_file_at_once_lose_no_decision(project: Project) -> None:
    count = 300
    path = project.path
    project.close()
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _CODING_WORKER, str(path), coder, str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for coder in ("kari", "ola")
    ]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        for worker in workers:
            out, err = worker.communicate(timeout=120)
            assert worker.returncode == 0 and out.strip() == "done", err
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    with Project.open(path) as reopened:
        log = reopened.log()
        for coder in ("kari", "ola"):
            mine = log[log["coder"] == coder]
            assert list(zip(mine["answer_id"], mine["code"], mine["action"], strict=True)) == _sent_decisions(
                count
            )
        assert len(log) == 2 * count and log["uuid"].is_unique
        # the two really wrote at the same time: their commits interleave in the log
        by_seq = log.sort_values("seq")["coder"].tolist()
        assert sum(a != b for a, b in itertools.pairwise(by_seq)) >= 10
        assert reopened.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("missing", [None, float("nan"), "  "])
def test_init_refuses_an_answers_dataframe_with_an_empty_id(tmp_path: Path, missing: object) -> None:
    answers = ANSWERS.astype(object).copy()
    answers.loc[2, "id"] = missing
    with pytest.raises(CoderError, match=r"^empty answer id in the answers DataFrame \(position 2\)$"):
        store.init(tmp_path / "p.db", answers, CODEBOOK)
    assert not (tmp_path / "p.db").exists()


def test_a_project_that_cannot_be_written_is_refused_when_opened_or_written(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project.path
    project.close()
    real_access = os.access
    monkeypatch.setattr(store.os, "access", lambda p, mode: Path(p) != path and real_access(p, mode))
    with pytest.raises(
        CoderError, match="the project file is read-only; make it writable, or work on a copy"
    ):
        Project.open(path, writing=True)
    with Project.open(path) as archived:  # a read-only copy can still be read: an archive, a colleague's
        assert len(archived.answer_ids()) == len(ANSWERS)
    folder = path.parent
    monkeypatch.setattr(store.os, "access", lambda p, mode: Path(p) != folder and real_access(p, mode))
    with pytest.raises(CoderError, match="the project's folder is read-only"):
        Project.open(path)
    monkeypatch.undo()
    with Project.open(path) as opened:  # made read-only while open: SQLite refuses the write
        before = len(opened.log())
        opened.conn.execute("PRAGMA query_only = ON")
        with pytest.raises(CoderError, match="read-only\\); nothing was saved"):
            opened.record("kari", [Decision(opened.answer_ids()[0], "", "none")])
        opened.conn.execute("PRAGMA query_only = OFF")
        assert len(opened.log()) == before


def test_init_refuses_column_options_it_would_ignore_for_a_dataframe(tmp_path: Path) -> None:
    answers = pd.DataFrame({"id": ["a", "b"], "text": ["x", "y"], "spm": ["q1", "q2"]})
    with pytest.raises(
        CoderError, match="question_col names a column of an answers file, not of a DataFrame"
    ):
        store.init(tmp_path / "p.db", answers, question_col="spm")  # spm became a plain attribute
    assert not (tmp_path / "p.db").exists()
    named = answers.rename(columns={"spm": "question_id"})
    with store.init(tmp_path / "p.db", named, question_col="question_id") as project:  # its own name: fine
        assert project.answers()["question_id"].tolist() == ["q1", "q2"]


def test_a_copy_of_the_project_file_alone_holds_every_committed_decision(
    tmp_path: Path, project: Project
) -> None:
    project.record("kari", [Decision(project.answer_ids()[0], "", "none")])
    copy = tmp_path / "kopi.db"
    shutil.copy2(project.path, copy)  # while open, as after a kill: the -wal file is not copied
    with Project.open(copy) as copied:
        assert copied.log("kari")["action"].tolist() == ["none"]


@pytest.mark.parametrize("name", ["koder.xlsx", "prosjekt.CSV"])
def test_a_project_named_as_a_table_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(CoderError, match="a project is an SQLite file, not"):
        store.init(tmp_path / name, ANSWERS, CODEBOOK)  # merge -o koder.xlsx made an SQLite .xlsx
    assert not (tmp_path / name).exists()


# -- codes coded outside the project ------------------------------------------------------------------


def test_codes_coded_by_hand_are_imported_as_blind_decisions(tmp_path: Path, project: Project) -> None:
    # a researcher's hand codes (by label, as NVivo names them) could not enter a project: coded again
    hand = write_file(
        tmp_path / "hand.csv",
        "id,code\nr1:q1,Oppfølging av beboere\nr1:q1,coordination\nr2:q1,\nr3:q1,Økonomiske virkemidler\n",
    )
    counts = store.import_codes(project.path, hand, coder="kari")
    assert counts == {"answers": 3, "closed": 3, "codes": 3, "coder": "kari"}
    assert project.closed("kari") == project.decided("kari") == {"r1:q1", "r2:q1", "r3:q1"}
    assert code_pairs(project.current_codes("kari")) == {
        ("r1:q1", "follow_up"), ("r1:q1", "coordination"), ("r2:q1", ""), ("r3:q1", "financial_instruments")
    }  # fmt: skip
    log = project.log("kari")
    assert set(log["mode"]) == {"import"} and project.seen_decisions("kari") == 0  # blind: for agreement
    labels = project.labels("kari")
    assert set(labels.loc[labels["code"] == "", "id"]) == {"r1:q1", "r2:q1", "r3:q1"}  # in full, as closed
    with pytest.raises(CoderError, match=r"coder 'kari' has decided 3 of these answers .*first: 'r1:q1'"):
        store.import_codes(project.path, hand, coder="Kari")
    assert len(project.log("kari")) == len(log)  # nothing logged by the refused import


def test_a_labels_export_imported_as_another_coder_agrees_with_it(tmp_path: Path, coded: Project) -> None:
    coded.record("kari", [Decision("r2:q2", "coordination", "add")])  # open: a partial decision stays partial
    exported = store.export_codes(coded.path, tmp_path / "kari.csv", layout="labels", coder="kari")[0]
    assert store.import_codes(coded.path, exported, coder="ola")["closed"] == 1  # r3:q1, closed by kari
    kari, ola = coded.cells("kari"), coded.cells("ola")
    assert len(kari) > 5
    columns = ["id", "code", "present"]
    pd.testing.assert_frame_equal(
        kari[columns].sort_values(columns[:2]).reset_index(drop=True),
        ola[columns].sort_values(columns[:2]).reset_index(drop=True),
    )
    assert coded.closed("ola") == coded.closed("kari") and coded.decided("ola") == coded.decided("kari")


def test_an_import_reads_what_a_spreadsheet_or_an_export_gives_and_ignores_unread_entries(
    tmp_path: Path, project: Project
) -> None:
    # «Present» from Excel was ignored: 0 imported as present; a long export's conflict rows as codes
    partial = write_file(tmp_path / "p.csv", "id,code,Present\nr1:q1,follow_up,FALSE\nr1:q1,anchoring,TRUE\n")
    store.import_codes(project.path, partial, coder="kari")
    assert sorted(project.labels("kari").values.tolist()) == [
        ["r1:q1", "anchoring", 1],
        ["r1:q1", "follow_up", 0],
    ]
    assert project.closed("kari") == set()  # a partial decision stays partial
    long = write_file(
        tmp_path / "l.csv", "id,code,status\nr2:q1,follow_up,agreed\nr2:q1,anchoring,conflict\n"
    )
    store.import_codes(project.path, long, coder="ola")
    assert code_pairs(project.current_codes("ola")) == {("r2:q1", "follow_up")}
    # a bulk rule's entry and an undone one are no reading: the import is not refused for them
    project.record("per", [Decision("r3:q1", "anchoring", "reject")], mode="bulk")
    project.record("per", [Decision("r2:q2", "coordination", "add")])
    project.undo("per")
    twice = pd.DataFrame({"id": [" r3:q1", "r3:q1", "r2:q2"], "codes": ["follow_up", "follow_up", ""]})
    counts = store.import_codes(project.path, twice, coder="per")
    assert counts["codes"] == 1 and counts["answers"] == 2
    imported = project.log("per")
    imported = imported[imported["mode"] == "import"]
    assert imported[["answer_id", "code", "action"]].values.tolist() == [
        ["r3:q1", "follow_up", "add"], ["r3:q1", "", "none"], ["r2:q2", "", "none"]
    ]  # fmt: skip


def test_an_answer_imported_in_full_drops_a_code_a_bulk_rule_accepted_that_the_file_leaves_out(
    tmp_path: Path, project: Project
) -> None:
    suggested = {"id": ["r1:q1", "r1:q1"], "code": ["anchoring", "follow_up"], "confidence": [0.9, 0.8]}
    run = project.add_suggestion_run(pd.DataFrame(suggested), threshold=0.5)
    project.record("kari", [Decision("r1:q1", "anchoring", "accept", run, 0.9)], mode="bulk")
    store.import_codes(project.path, pd.DataFrame({"id": ["r1:q1"], "code": ["follow_up"]}), coder="kari")
    assert code_pairs(project.current_codes("kari")) == {("r1:q1", "follow_up")}  # anchoring stayed


def test_a_bad_code_of_an_id_codes_file_is_named_at_its_row(tmp_path: Path, project: Project) -> None:
    # made long first, the rows were numbered anew: «row 5, column 'code'» for row 4 of a file without 'code'
    text = "id,codes\nr1:q1,follow_up;anchoring\nr1:q2,anchoring\nr3:q1,nope\n"
    hand = write_file(tmp_path / "h.csv", text)
    with pytest.raises(CoderError) as refused:
        store.import_codes(project.path, hand, coder="kari")
    assert (refused.value.row, refused.value.column) == (4, "codes") and "nope" in str(refused.value)
    assert project.coders() == []
