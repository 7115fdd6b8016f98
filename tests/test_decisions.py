"""The fold of the decision log (coder.decisions) on hand-written logs, without a project file."""

from __future__ import annotations

import pandas as pd

from coder import decisions
from coder.decisions import make_log

CODES = ["housing", "economy", "follow_up"]
ANSWERS = ["a1", "a2", "a3"]


def _cells(log: pd.DataFrame, needed: dict[str, set[str]] | None = None, **kwargs: bool) -> pd.DataFrame:
    votes = decisions.collect_votes(log, CODES, needed or {}, **kwargs)
    return decisions.cells(votes, ANSWERS, CODES)


def _value(table: pd.DataFrame, answer: str, code: str) -> object:
    row = table[(table["id"] == answer) & (table["code"] == code)]
    assert len(row) == 1, f"no single cell ({answer}, {code}) in\n{table}"
    return row["present"].iloc[0]


# -- the effective log ----------------------------------------------------------------------------------


def test_an_undo_cancels_the_decision_it_names_and_only_that() -> None:
    log = make_log(
        [
            ("a1", "housing", "add", "kari"),
            ("a1", "economy", "add", "kari"),
            ("a1", "housing", "undo", "kari", "interactive", "1"),
        ]
    )
    effective = decisions.effective_log(log)
    assert effective[["answer_id", "code", "action"]].values.tolist() == [["a1", "economy", "add"]]
    assert list(effective.columns) == list(decisions.LOG_COLUMNS)


def test_the_effective_log_of_an_effective_log_is_the_same() -> None:
    log = make_log([("a1", "housing", "add", "kari"), ("a1", "housing", "undo", "kari", "interactive", "1")])
    once = decisions.effective_log(log)
    pd.testing.assert_frame_equal(decisions.effective_log(once), once)


def test_an_undone_decision_restores_the_one_before() -> None:
    log = make_log(
        [
            ("a1", "housing", "add", "kari"),
            ("a1", "housing", "remove", "kari"),
            ("a1", "housing", "undo", "kari", "interactive", "2"),
        ]
    )
    state = decisions.explicit_state(log)
    assert state[["answer_id", "code", "action"]].values.tolist() == [["a1", "housing", "add"]]


def test_an_undone_close_reopens_the_answer() -> None:
    log = make_log([("a1", "", "none", "kari"), ("a1", "", "undo", "kari", "interactive", "1")])
    assert decisions.closed_answers(log) == set()
    assert decisions.closed_answers(log.iloc[:1]) == {"a1"}


# -- explicit state --------------------------------------------------------------------------------------


def test_a_later_decision_overrides_an_earlier_one_of_the_same_coder() -> None:
    log = make_log([("a1", "housing", "add", "kari"), ("a1", "housing", "remove", "kari")])
    state = decisions.explicit_state(log)
    assert state["action"].tolist() == ["remove"]
    assert _value(_cells(log), "a1", "housing") == 0


def test_explicit_state_is_per_coder_and_leaves_out_closes() -> None:
    log = make_log(
        [("a1", "housing", "add", "kari"), ("a1", "housing", "remove", "ola"), ("a1", "", "none", "kari")]
    )
    state = decisions.explicit_state(log)
    assert sorted(zip(state["coder"], state["action"], strict=True)) == [("kari", "add"), ("ola", "remove")]


# -- decided -----------------------------------------------------------------------------------------------


def test_needed_codes_take_the_threshold_as_inclusive() -> None:
    run = pd.DataFrame({"id": ["a1", "a1", "a2"], "code": ["housing", "economy", "housing"],
                        "confidence": [0.5, 0.49, 0.2]})  # fmt: skip
    assert decisions.needed_codes(run, 0.5) == {"a1": {"housing"}}


def test_an_answer_with_an_open_confident_suggestion_is_not_decided() -> None:
    log = make_log([("a1", "housing", "accept", "kari")])
    assert decisions.decided_answers(log, {"a1": {"housing", "economy"}}) == set()
    more = make_log([("a1", "housing", "accept", "kari"), ("a1", "economy", "reject", "kari")])
    assert decisions.decided_answers(more, {"a1": {"housing", "economy"}}) == {"a1"}


def test_closing_decides_an_answer_whatever_is_open() -> None:
    log = make_log([("a1", "", "none", "kari")])
    assert decisions.decided_answers(log, {"a1": {"housing"}}) == {"a1"}


def test_decided_counts_only_the_coders_named() -> None:
    log = make_log([("a1", "", "none", "kari"), ("a2", "", "none", "ola")])
    assert decisions.decided_answers(log, {}) == {"a1", "a2"}
    assert decisions.decided_answers(log, {}, ["ola"]) == {"a2"}


def test_coders_are_listed_in_order_of_first_entry() -> None:
    log = make_log([("a1", "", "none", "ola"), ("a2", "", "none", "kari"), ("a3", "", "none", "ola")])
    assert decisions.coders_in_log(log) == ["ola", "kari"]


# -- cells -------------------------------------------------------------------------------------------------


def test_a_closed_answers_undecided_codes_count_as_absent() -> None:
    log = make_log([("a1", "housing", "add", "kari"), ("a1", "", "none", "kari")])
    table = _cells(log)
    assert _value(table, "a1", "housing") == 1
    assert _value(table, "a1", "economy") == 0 and _value(table, "a1", "follow_up") == 0
    implied = table[table["code"] != "housing"]
    assert not implied["explicit"].any()


def test_a_bulk_rule_decides_only_the_codes_it_names() -> None:
    log = make_log([("a1", "housing", "accept", "kari", "bulk")])
    table = _cells(log, {"a1": {"housing"}})
    assert table[["code", "present", "bulk"]].values.tolist() == [["housing", 1, True]]


def test_a_bulk_rule_alone_decides_an_answer_only_by_deciding_its_confident_suggestions() -> None:
    # `--reject-below 0.1` rejects an unlikely code of an answer nobody read: it was left out of the queue
    # and exported as «no code» (79 answers of a researcher's 139)
    unlikely = make_log([("a1", "housing", "reject", "kari", "bulk")])
    assert decisions.coder_view(unlikely, "kari", {}).decided == set()
    assert decisions.coder_view(unlikely, "kari", {"a1": {"housing"}}).decided == {"a1"}  # a confident one
    accepted = make_log([("a1", "housing", "accept", "kari", "bulk")])
    assert decisions.coder_view(accepted, "kari", {"a1": {"housing"}}).decided == {"a1"}
    assert decisions.coder_view(accepted, "kari", {}).decided == set()  # accepted under the threshold
    read = make_log([("a1", "housing", "reject", "kari")])
    assert decisions.coder_view(read, "kari", {}).decided == {"a1"}


def test_a_read_and_decided_answer_implies_its_other_codes_absent() -> None:
    log = make_log([("a1", "housing", "accept", "kari")])
    table = _cells(log, {"a1": {"housing"}})
    assert _value(table, "a1", "housing") == 1 and _value(table, "a1", "economy") == 0


def test_two_coders_disagreeing_give_a_conflict() -> None:
    log = make_log([("a1", "housing", "add", "kari"), ("a1", "housing", "reject", "ola")])
    table = _cells(log)
    row = table[(table["id"] == "a1") & (table["code"] == "housing")].iloc[0]
    assert row["status"] == "conflict" and pd.isna(row["present"])
    assert row["votes"] == "kari=1, ola=0" and row["coder"] == "kari, ola"
    votes = decisions.collect_votes(log, CODES, {})
    listed = decisions.conflicts(votes, ["kari", "ola"], ANSWERS, CODES)
    assert listed.values.tolist() == [["a1", "housing", "1", "0"]]


def test_a_later_decision_of_one_coder_never_overrides_another_coders() -> None:
    log = make_log([("a1", "housing", "add", "kari"), ("a1", "housing", "remove", "ola")])
    assert _value(_cells(log), "a1", "housing") is pd.NA


def test_closing_without_a_code_disagrees_with_another_coders_add() -> None:
    log = make_log([("a1", "housing", "add", "kari"), ("a1", "", "none", "ola")])
    table = _cells(log)
    assert table.loc[(table["id"] == "a1") & (table["code"] == "housing"), "status"].item() == "conflict"
    assert _value(table, "a1", "economy") == 0  # both say absent: kari by default, ola by closing


def test_an_unclosed_default_never_contradicts_another_coder() -> None:
    # kari decided a1 (no open suggestion) without closing: economy absent only by default
    log = make_log([("a1", "housing", "add", "kari"), ("a1", "economy", "add", "ola")])
    table = _cells(log)
    assert _value(table, "a1", "economy") == 1
    assert table.loc[(table["id"] == "a1") & (table["code"] == "economy"), "votes"].item() == "ola=1"


def test_two_coders_agreeing_give_one_agreed_cell() -> None:
    log = make_log([("a1", "housing", "add", "kari"), ("a1", "housing", "accept", "ola")])
    table = _cells(log)
    row = table[(table["id"] == "a1") & (table["code"] == "housing")].iloc[0]
    assert row["status"] == "agreed" and row["present"] == 1 and row["action"] == "accept"


def test_cells_are_sorted_by_answer_then_codebook_order() -> None:
    log = make_log([("a2", "follow_up", "add", "kari"), ("a1", "economy", "add", "kari"),
                    ("a1", "housing", "add", "kari")])  # fmt: skip
    table = _cells(log)
    assert table[["id", "code"]].values.tolist()[:4] == [
        ["a1", "housing"], ["a1", "economy"], ["a1", "follow_up"], ["a2", "housing"],
    ]  # fmt: skip


# -- current codes and labels -----------------------------------------------------------------------------


def test_current_codes_give_a_blank_row_to_a_decided_answer_without_codes() -> None:
    log = make_log([("a1", "housing", "add", "kari"), ("a2", "", "none", "kari")])
    table = _cells(log)
    current = decisions.current_codes(table, {"a1", "a2"}, ANSWERS, CODES)
    assert current[["id", "code"]].values.tolist() == [["a1", "housing"], ["a2", ""]]


def test_current_codes_leave_out_undecided_answers_and_conflicts() -> None:
    log = make_log(
        [
            ("a1", "housing", "add", "kari"),
            ("a1", "housing", "remove", "ola"),
            ("a2", "economy", "add", "kari"),
        ]
    )
    table = _cells(log)
    current = decisions.current_codes(table, {"a1"}, ANSWERS, CODES)
    # a1's only open matter is a conflict: no row for housing and no blank row either; a2 is not decided
    assert current.empty


def test_labels_imply_absent_codes_only_for_closed_answers() -> None:
    log = make_log(
        [("a1", "housing", "add", "kari"), ("a2", "economy", "add", "kari"), ("a2", "", "none", "kari")]
    )
    table = _cells(log, closed_only=True)
    labels = decisions.labels(table, decisions.closed_answers(log), ANSWERS, CODES)
    assert labels.values.tolist() == [["a1", "housing", 1], ["a2", "", 0], ["a2", "economy", 1]]


def test_labels_leave_out_codes_no_longer_in_the_codebook_and_conflicts() -> None:
    log = make_log(
        [
            ("a1", "retired", "add", "kari"),
            ("a1", "housing", "add", "kari"),
            ("a1", "housing", "remove", "ola"),
            ("a1", "", "none", "kari"),
        ]
    )
    votes = decisions.collect_votes(log, [*CODES, "retired"], {}, closed_only=True)
    table = decisions.cells(votes, ANSWERS, [*CODES, "retired"])
    labels = decisions.labels(table, decisions.closed_answers(log), ANSWERS, CODES)
    # housing is in conflict: unknown; a1 has a conflict, so its agreed absent codes are spelled out
    assert labels.values.tolist() == [["a1", "economy", 0], ["a1", "follow_up", 0]]


# -- a code added after answers were closed -------------------------------------------------------------


def test_an_answer_closed_before_a_code_was_added_is_closed_for_the_codes_of_then_only() -> None:
    # a coder closed a1 (no code) and gave a2 housing; then follow_up came into the codebook (discover)
    log = make_log([("a1", "", "none", "kari"), ("a2", "housing", "add", "kari"), ("a2", "", "none", "kari")])
    later = {"follow_up": "2026-02-01T00:00:00.000000Z"}  # after every entry of the log
    assert decisions.closed_answers(log) == {"a1", "a2"}
    assert decisions.closed_answers(log, decisions.newest(later)) == set()
    # still decided (for the codes of then), and reopened for review while the new code is suggested
    assert decisions.decided_answers(log, {"a1": {"follow_up"}}, introduced=later) == {"a1", "a2"}
    assert decisions.reopened_answers(log, {"a1": {"economy"}}, introduced=later) == set()
    assert decisions.reopened_answers(log, {"a1": {"follow_up"}}, introduced=later) == {"a1"}
    table = _cells(log, closed_only=True, introduced=later)
    assert _value(table, "a1", "economy") == 0 and _value(table, "a2", "housing") == 1
    assert not (table["code"] == "follow_up").any()  # no one judged it: unknown, not absent
    labels = decisions.labels(table, decisions.closed_answers(log, decisions.newest(later)), ANSWERS, CODES)
    assert "" not in set(labels["code"])  # a "" row would make follow_up absent too
    assert sorted(map(tuple, labels.values.tolist())) == [
        ("a1", "economy", 0), ("a1", "housing", 0), ("a2", "economy", 0), ("a2", "housing", 1)
    ]  # fmt: skip
    # without codes added, the fold is as it always was
    plain = decisions.labels(_cells(log, closed_only=True), {"a1", "a2"}, ANSWERS, CODES)
    assert sorted(map(tuple, plain.values.tolist())) == [("a1", "", 0), ("a2", "", 0), ("a2", "housing", 1)]


def test_a_closing_before_a_code_was_added_keeps_its_votes_when_the_new_code_is_suggested() -> None:
    # found in review: once the new code was suggested, kari's earlier closing stopped voting: the
    # conflict with ola vanished (ola's 1 stood alone) and her explicit code left the exports
    log = make_log(
        [("a1", "", "none", "kari"), ("a2", "housing", "add", "kari"), ("a2", "", "none", "kari"),
         ("a1", "economy", "add", "ola"), ("a1", "", "none", "ola")]
    )  # fmt: skip
    later = {"follow_up": "2026-01-01T00:00:00.000004Z"}  # after kari's entries, before ola's
    needed = {"a1": {"follow_up"}, "a2": {"follow_up"}}  # a run after the addition suggests it on both
    table = _cells(log, needed, introduced=later)
    assert _value(table, "a1", "economy") is pd.NA  # kari=0 (closed without it), ola=1: a conflict
    assert _value(table, "a1", "follow_up") == 0  # ola closed after the addition; kari never saw it
    assert "kari" not in table.loc[(table["id"] == "a1") & (table["code"] == "follow_up"), "votes"].iloc[0]
    decided = decisions.decided_answers(log, needed, introduced=later)
    current = decisions.current_codes(table, decided, ANSWERS, CODES)
    assert ("a2", "housing") in set(zip(current["id"], current["code"], strict=True))
    assert decisions.reopened_answers(log, needed, ["kari"], later) == {"a1", "a2"}
    assert decisions.reopened_answers(log, needed, ["ola"], later) == set()
