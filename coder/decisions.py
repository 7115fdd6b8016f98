"""The fold of a coding project's decision log into states: pure functions over DataFrames, no SQLite.

:class:`coder.store.Project` reads the log, the suggestions and the codebook from its file and hands them
to these functions; the rules they implement (*Fold*, *Decided*, *Cells*, *Consensus*) are spelled out in
the docs of :mod:`coder.store`. Keeping them here lets each rule be read and tested on a few hand-written
rows.

A *log* is a DataFrame with the columns of :data:`LOG_COLUMNS` in fold order (``decided_at``, then
``seq``), as :meth:`coder.store.Project.log` returns it. Every function that takes a log drops undo entries
and the entries they cancel first, so a raw log and an effective log give the same result.

Examples
--------
>>> log = make_log([
...     ("a1", "housing", "add", "kari"),
...     ("a1", "housing", "remove", "kari"),
...     ("a2", "", "none", "kari"),
... ])
>>> explicit_state(log)[["answer_id", "code", "action"]].to_dict("records")
[{'answer_id': 'a1', 'code': 'housing', 'action': 'remove'}]
>>> sorted(closed_answers(log))
['a2']
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pandas as pd

__all__ = [
    "LOG_COLUMNS",
    "NEGATIVE",
    "POSITIVE",
    "CoderView",
    "Vote",
    "cells",
    "closed_answers",
    "coder_view",
    "coders_in_log",
    "collect_votes",
    "conflicts",
    "current_codes",
    "decided_answers",
    "effective_log",
    "explicit_state",
    "labels",
    "make_log",
    "needed_codes",
    "sort_cells",
    "tidy_name",
]

#: Actions that say a code is present (1) / absent (0).
POSITIVE = frozenset({"accept", "add"})
NEGATIVE = frozenset({"reject", "remove"})
#: The columns of a decision log, as the ``decisions`` table of a project holds them.
LOG_COLUMNS = (
    "seq", "uuid", "batch", "answer_id", "code", "action", "coder", "decided_at", "run_id", "confidence",
    "mode", "undoes",
)  # fmt: skip
CELL_COLUMNS = (
    "id", "code", "present", "status", "explicit", "bulk", "coder", "votes", "decided_at", "action", "run_id",
)  # fmt: skip


class Vote(NamedTuple):
    """One coder's value on one (answer, code) cell, and the log entry behind it."""

    coder: str
    value: int
    #: the coder logged this very code (not only closed or decided the answer)
    explicit: bool
    entry: dict[str, Any]


Votes = dict[tuple[str, str], list[Vote]]


@dataclass(frozen=True)
class CoderView:
    """One coder's fold of the log.

    ``explicit``: (answer, code) -> the last entry naming it; ``last``: answer -> the coder's last entry on
    it; ``closed``: answers with a remaining ``none`` entry made when every code of the codebook existed;
    ``decided``: see *Decided* in :mod:`coder.store`; ``read``: answers with a remaining entry the coder
    made by reading it (not by a bulk rule); ``closed_at``: answer -> when its last remaining ``none`` entry
    was made, also one made before a code was added (it closed the answer for the codes of then: the answer
    stays decided, its old codes absent); ``reopened``: such answers with a confident suggestion of a code
    added since, which the coder has not decided: the review queue shows them again.
    """

    coder: str
    explicit: dict[tuple[str, str], dict[str, Any]]
    last: dict[str, dict[str, Any]]
    closed: set[str]
    decided: set[str]
    read: set[str]
    closed_at: dict[str, str] = field(default_factory=dict)
    reopened: set[str] = field(default_factory=set)


def make_log(entries: Iterable[Sequence[Any]]) -> pd.DataFrame:
    """A decision log from short tuples, for examples and tests.

    Parameters
    ----------
    entries : iterable of sequences
        ``(answer_id, code, action, coder)``, optionally followed by ``mode`` (default ``"interactive"``)
        and ``undoes`` (the ``uuid`` of the entry an ``undo`` cancels; entries are numbered ``"1"``,
        ``"2"``, ... in the order given).

    Returns
    -------
    pandas.DataFrame
        The log with the columns of :data:`LOG_COLUMNS`, in the order given (which is fold order: each
        entry is decided one microsecond after the one before, in its own batch).

    Examples
    --------
    >>> make_log([("a1", "housing", "add", "kari")])[["seq", "uuid", "action", "mode"]].to_dict("records")
    [{'seq': 1, 'uuid': '1', 'action': 'add', 'mode': 'interactive'}]
    """
    rows = []
    for seq, entry in enumerate(entries, start=1):
        answer, code, action, coder, *rest = entry
        mode = rest[0] if rest else "interactive"
        undoes = rest[1] if len(rest) > 1 else None
        decided_at = f"2026-01-01T00:00:00.{seq:06d}Z"  # sortable text, as a project stores it
        rows.append(
            (seq, str(seq), f"b{seq}", answer, code, action, coder, decided_at, None, None, mode, undoes)
        )
    return pd.DataFrame(rows, columns=list(LOG_COLUMNS))


def effective_log(log: pd.DataFrame) -> pd.DataFrame:
    """The log without undo entries and the entries they cancel, in fold order.

    Parameters
    ----------
    log : pandas.DataFrame
        A decision log (:data:`LOG_COLUMNS`) in fold order.

    Returns
    -------
    pandas.DataFrame
        The remaining entries, index reset.

    Examples
    --------
    >>> log = make_log([
    ...     ("a1", "housing", "add", "kari"),
    ...     ("a1", "housing", "undo", "kari", "interactive", "1"),  # undoes entry "1"
    ... ])
    >>> len(effective_log(log))
    0
    """
    undone = set(log.loc[log["action"] == "undo", "undoes"])  # an undo is always by its target's coder
    return log[(log["action"] != "undo") & ~log["uuid"].isin(undone)].reset_index(drop=True)


def explicit_state(log: pd.DataFrame) -> pd.DataFrame:
    """The last remaining entry per (answer, code, coder), close (``none``) entries left out.

    Parameters
    ----------
    log : pandas.DataFrame
        A decision log (:data:`LOG_COLUMNS`) in fold order, of one coder or several.

    Returns
    -------
    pandas.DataFrame
        The log's columns, one row per (answer, code, coder), in fold order. This is every coder's own
        explicit state; the consensus of several coders is :func:`cells`.
    """
    log = effective_log(log)
    log = log[log["action"] != "none"]
    return log.drop_duplicates(["answer_id", "code", "coder"], keep="last").reset_index(drop=True)


def closed_answers(log: pd.DataFrame, since: str = "") -> set[str]:
    """The answers closed in ``log``: a remaining ``none`` entry (``n`` or ``a`` in review).

    Parameters
    ----------
    log : pandas.DataFrame
        A decision log (:data:`LOG_COLUMNS`) in fold order.
    since : str, default ""
        When the codebook's newest code was added (:func:`newest`): a ``none`` entry made before it
        closed the answer for the codes of then only, not for this one.

    Returns
    -------
    set of str
        The closed answer ids (of any coder in the log).
    """
    log = effective_log(log)
    return set(log.loc[(log["action"] == "none") & (log["decided_at"] >= since), "answer_id"])


def newest(introduced: Mapping[str, str] | None) -> str:
    """When the newest of the codes added to a project's codebook was added (``""``: none was)."""
    return max((introduced or {}).values(), default="")


def _codes_of_then(code_ids: Sequence[str], introduced: Mapping[str, str] | None, when: str) -> list[str]:
    """The codes of ``code_ids`` that existed at ``when`` (``introduced``: code -> when it was added)."""
    return [code for code in code_ids if (introduced or {}).get(code, "") <= when]


def coders_in_log(log: pd.DataFrame) -> list[str]:
    """Every coder with an entry in ``log`` (undo entries included), in order of first entry (``seq``)."""
    return list(dict.fromkeys(log.sort_values("seq")["coder"]))


def needed_codes(suggestions: pd.DataFrame, threshold: float) -> dict[str, set[str]]:
    """answer -> the codes a run suggests at or above its threshold: a coder must decide them all.

    Parameters
    ----------
    suggestions : pandas.DataFrame
        One run's suggestions: ``id, code, confidence``.
    threshold : float
        The run's decision threshold (a suggestion at exactly ``threshold`` is needed).

    Returns
    -------
    dict of str to set of str
        Only answers with at least one needed code.

    Examples
    --------
    >>> run = pd.DataFrame({"id": ["a1", "a1", "a2"], "code": ["x", "y", "x"], "confidence": [0.9, 0.5, 0.1]})
    >>> needed_codes(run, 0.5) == {"a1": {"x", "y"}}
    True
    """
    needed: dict[str, set[str]] = {}
    chosen = suggestions[suggestions["confidence"] >= threshold]
    for answer, code in zip(chosen["id"], chosen["code"], strict=True):
        needed.setdefault(str(answer), set()).add(str(code))
    return needed


def coder_view(
    log: pd.DataFrame,
    coder: str,
    needed: Mapping[str, set[str]],
    introduced: Mapping[str, str] | None = None,
) -> CoderView:
    """Fold ``coder``'s entries of ``log`` into explicit cells and closed, decided and read answers.

    Parameters
    ----------
    log : pandas.DataFrame
        A decision log (:data:`LOG_COLUMNS`) in fold order; entries of other coders are ignored.
    coder : str
        Whose view.
    needed : mapping of str to set of str
        answer -> the codes whose open suggestion keeps it undecided (:func:`needed_codes`).
    introduced : mapping of str to str, optional
        code -> when it was added to the project's codebook, for codes added after the first codebook: an
        answer closed before is closed for the codes of then only (``closed_at``), and decided only as a
        partial decision is.

    Returns
    -------
    CoderView

    Examples
    --------
    A partial decision leaves an answer undecided while a confident suggestion is still open:

    >>> log = make_log([("a1", "x", "add", "kari")])
    >>> coder_view(log, "kari", {"a1": {"x", "y"}}).decided
    set()
    >>> coder_view(log, "kari", {"a1": {"x"}}).decided
    {'a1'}
    """
    log = effective_log(log[log["coder"] == coder])
    explicit = {
        (row["answer_id"], row["code"]): row
        for row in log[log["action"] != "none"].to_dict("records")  # fold order: the last entry wins
    }
    last = {row["answer_id"]: row for row in log.to_dict("records")}
    closings = log[log["action"] == "none"]
    closed_at = dict(zip(closings["answer_id"], closings["decided_at"], strict=True))  # the last one wins
    closed = {answer for answer, when in closed_at.items() if when >= newest(introduced)}

    def settled(answer: str, code: str) -> bool:  # logged, or closed when the code existed
        closing = closed_at.get(answer)
        return (answer, code) in explicit or (
            closing is not None and (introduced or {}).get(code, "") <= closing
        )

    read = set(log.loc[log["mode"] != "bulk", "answer_id"])
    # A bulk rule alone settles an answer only by deciding its confident suggestions: rejecting an unlikely
    # code (`--reject-below`) on an answer without one read nothing, so it stays in the queue.
    settled_all = {
        answer
        for answer in last
        if (answer in read or needed.get(answer)) and all(settled(answer, c) for c in needed.get(answer, ()))
    }
    decided = set(closed_at) | settled_all  # a closing decides the answer, for the codes of its time
    reopened = set(closed_at) - closed - settled_all
    return CoderView(coder, explicit, last, closed, decided, read, closed_at, reopened)


def decided_answers(
    log: pd.DataFrame,
    needed: Mapping[str, set[str]],
    coders: Sequence[str] | None = None,
    introduced: Mapping[str, str] | None = None,
) -> set[str]:
    """The answers some coder decided (the union over ``coders``; default: every coder in the log).

    Parameters
    ----------
    log : pandas.DataFrame
        A decision log (:data:`LOG_COLUMNS`) in fold order.
    needed : mapping of str to set of str
        answer -> the codes that must be decided (:func:`needed_codes`).
    coders : sequence of str, optional
        The coders whose decisions count (default ``None``: everyone in ``log``).
    introduced : mapping of str to str, optional
        As in :func:`coder_view`.

    Returns
    -------
    set of str
    """
    return _over_coders("decided", log, needed, coders, introduced)


def reopened_answers(
    log: pd.DataFrame,
    needed: Mapping[str, set[str]],
    coders: Sequence[str] | None = None,
    introduced: Mapping[str, str] | None = None,
) -> set[str]:
    """The answers closed before a code was added that a confident suggestion of it opens again for review
    (``CoderView.reopened``, the union over ``coders``; arguments as in :func:`decided_answers`). They stay
    decided for the codes of their closing."""
    return _over_coders("reopened", log, needed, coders, introduced)


def _over_coders(
    answers: str,
    log: pd.DataFrame,
    needed: Mapping[str, set[str]],
    coders: Sequence[str] | None,
    introduced: Mapping[str, str] | None,
) -> set[str]:
    """The union over ``coders`` (default: everyone in ``log``) of one set of answers of their views."""
    names = coders_in_log(log) if coders is None else coders
    return set().union(*(getattr(coder_view(log, name, needed, introduced), answers) for name in names))


def collect_votes(
    log: pd.DataFrame,
    code_ids: Sequence[str],
    needed: Mapping[str, set[str]],
    coders: Sequence[str] | None = None,
    *,
    closed_only: bool = False,
    introduced: Mapping[str, str] | None = None,
) -> Votes:
    """(answer, code) -> the votes on each decided cell, coders in the order of ``coders``.

    A coder votes on every cell they logged explicitly (1 for accept/add, 0 for reject/remove). Closing an
    answer is a vote "absent" on each of its codes the coder did not name. A decided answer the coder read
    but did not close gives its unnamed codes "absent" only as a default, used when no coder voted on the
    cell; a bulk rule never read the answer, so it implies nothing.

    Parameters
    ----------
    log : pandas.DataFrame
        A decision log (:data:`LOG_COLUMNS`) in fold order.
    code_ids : sequence of str
        The codebook's codes (the cells an answer has).
    needed : mapping of str to set of str
        answer -> the codes that must be decided (:func:`needed_codes`).
    coders : sequence of str, optional
        The coders who vote, in the order their votes are listed (default ``None``: everyone in ``log``).
    closed_only : bool, default False
        Only closed answers imply absent codes (the stricter rule of :func:`labels`).
    introduced : mapping of str to str, optional
        As in :func:`coder_view`: an answer implies absent only the codes that existed when it was
        closed, or when the coder last decided on it.

    Returns
    -------
    dict of (str, str) to list of Vote
    """
    names = coders_in_log(log) if coders is None else coders
    votes: Votes = {}
    defaults: Votes = {}
    for name in names:
        view = coder_view(log, name, needed, introduced)
        for key, row in view.explicit.items():
            votes.setdefault(key, []).append(Vote(name, int(row["action"] in POSITIVE), True, row))
        # A bulk rule never read the answer: it decides the codes it names and implies nothing else.
        closings = set(view.closed_at)  # closed, also before a code was added (for the codes of then)
        implying = closings if closed_only else closings | (view.decided & view.read)
        for answer in implying:
            # closing an answer is a vote "absent" on its unnamed codes; a decided, unclosed answer only
            # gives them absent as a default, which never contradicts another coder's decision
            into = votes if answer in closings else defaults
            when = view.closed_at.get(answer, view.last[answer]["decided_at"])
            for code in _codes_of_then(code_ids, introduced, when):
                if (answer, code) not in view.explicit:
                    into.setdefault((answer, code), []).append(Vote(name, 0, False, view.last[answer]))
    for key, cast in defaults.items():
        votes.setdefault(key, cast)
    return votes


def sort_cells(frame: pd.DataFrame, answer_ids: Sequence[str], code_ids: Sequence[str]) -> pd.DataFrame:
    """``frame`` (with ``id`` and ``code``) by answer position, then codebook order (``""`` first, unknown
    codes last, by name).

    Examples
    --------
    >>> frame = pd.DataFrame({"id": ["a2", "a1", "a1", "a1"], "code": ["x", "zz", "x", ""]})
    >>> sort_cells(frame, ["a1", "a2"], ["y", "x"]).values.tolist()
    [['a1', ''], ['a1', 'x'], ['a1', 'zz'], ['a2', 'x']]
    """
    order = {answer: i for i, answer in enumerate(answer_ids)}
    codes = {code: i for i, code in enumerate(code_ids)}
    codes[""] = -1
    frame = frame.assign(_a=frame["id"].map(order), _c=frame["code"].map(codes).fillna(len(codes)))
    return frame.sort_values(["_a", "_c", "code"]).drop(columns=["_a", "_c"]).reset_index(drop=True)


def cells(votes: Votes, answer_ids: Sequence[str], code_ids: Sequence[str]) -> pd.DataFrame:
    """Every voted (answer, code) cell with its consensus value.

    Parameters
    ----------
    votes : dict of (str, str) to list of Vote
        From :func:`collect_votes`.
    answer_ids, code_ids : sequence of str
        The order of the rows (:func:`sort_cells`).

    Returns
    -------
    pandas.DataFrame
        Columns ``id, code, present`` (1, 0, or ``<NA>`` when the voters disagree), ``status``
        (``agreed`` or ``conflict``), ``explicit`` (some coder logged this very code), ``bulk`` (every vote
        came from a bulk rule), ``coder`` (the voters, ``", "``-joined), ``votes`` (``kari=1, ola=0``),
        ``decided_at`` (the latest), ``action``, ``run_id`` (of the latest explicit entry).

    Examples
    --------
    >>> log = make_log([("a1", "x", "add", "kari"), ("a1", "x", "reject", "ola")])
    >>> table = cells(collect_votes(log, ["x"], {}), ["a1"], ["x"])
    >>> table[["id", "code", "present", "status", "votes"]].values.tolist()
    [['a1', 'x', <NA>, 'conflict', 'kari=1, ola=0']]
    """
    rows = []
    for (answer, code), cast in votes.items():
        values = {vote.value for vote in cast}
        latest = max(
            cast, key=lambda vote: (vote.explicit, vote.entry["decided_at"], vote.entry["seq"])
        ).entry
        rows.append(
            {
                "id": answer,
                "code": code,
                "present": next(iter(values)) if len(values) == 1 else pd.NA,
                "status": "agreed" if len(values) == 1 else "conflict",
                "explicit": any(vote.explicit for vote in cast),
                "bulk": all(vote.explicit and vote.entry["mode"] == "bulk" for vote in cast),
                "coder": ", ".join(vote.coder for vote in cast),
                "votes": ", ".join(f"{vote.coder}={vote.value}" for vote in cast),
                "decided_at": max(vote.entry["decided_at"] for vote in cast),
                "action": latest["action"],
                "run_id": latest["run_id"],
            }
        )
    frame = pd.DataFrame(rows, columns=list(CELL_COLUMNS))
    frame["present"] = frame["present"].astype("Int64")
    return sort_cells(frame, answer_ids, code_ids)


def conflicts(
    votes: Votes, coders: Sequence[str], answer_ids: Sequence[str], code_ids: Sequence[str]
) -> pd.DataFrame:
    """The cells whose voters disagree: ``id, code``, one column per coder (``"1"``, ``"0"``, ``""`` =
    did not vote).

    Examples
    --------
    >>> log = make_log([("a1", "x", "add", "kari"), ("a1", "x", "remove", "ola"), ("a1", "y", "add", "ola")])
    >>> conflicts(collect_votes(log, ["x", "y"], {}), ["kari", "ola"], ["a1"], ["x", "y"]).values.tolist()
    [['a1', 'x', '1', '0']]
    """
    rows = []
    for (answer, code), cast in votes.items():
        by = {vote.coder: str(vote.value) for vote in cast}
        if len(set(by.values())) > 1:
            rows.append({"id": answer, "code": code, **{name: by.get(name, "") for name in coders}})
    return sort_cells(pd.DataFrame(rows, columns=["id", "code", *coders]), answer_ids, code_ids)


def current_codes(
    cell_table: pd.DataFrame, decided: set[str], answer_ids: Sequence[str], code_ids: Sequence[str]
) -> pd.DataFrame:
    """The codes of the decided answers, long: one row per answer × present code.

    Parameters
    ----------
    cell_table : pandas.DataFrame
        From :func:`cells`.
    decided : set of str
        The decided answers (:func:`decided_answers`); cells of other answers are left out.
    answer_ids, code_ids : sequence of str
        The order of the rows (:func:`sort_cells`).

    Returns
    -------
    pandas.DataFrame
        Columns ``id, code, coder, decided_at, action, run_id``. A decided answer without any present code
        has one row with ``code == ""``; a code in conflict is left out, and an answer whose only open
        matter is a conflict gets no ``""`` row either.

    Examples
    --------
    >>> log = make_log([("a1", "x", "add", "kari"), ("a2", "", "none", "kari")])
    >>> table = cells(collect_votes(log, ["x"], {}), ["a1", "a2"], ["x"])
    >>> current_codes(table, {"a1", "a2"}, ["a1", "a2"], ["x"])[["id", "code"]].values.tolist()
    [['a1', 'x'], ['a2', '']]
    """
    cell_table = cell_table[cell_table["id"].isin(decided)]
    present = cell_table[(cell_table["status"] == "agreed") & (cell_table["present"] == 1)]
    in_conflict = set(cell_table.loc[cell_table["status"] == "conflict", "id"])
    blank = cell_table[~cell_table["id"].isin(set(present["id"]) | in_conflict)]
    blank = blank.sort_values("decided_at").drop_duplicates("id", keep="last").assign(code="")
    columns = ["id", "code", "coder", "decided_at", "action", "run_id"]
    frame = pd.concat([present[columns], blank[columns]], ignore_index=True)
    return sort_cells(frame, answer_ids, code_ids)


def labels(
    cell_table: pd.DataFrame, closed: set[str], answer_ids: Sequence[str], code_ids: Sequence[str]
) -> pd.DataFrame:
    """Classifier labels: long ``id, code, present`` for :func:`coder.classify.label_matrix`.

    Parameters
    ----------
    cell_table : pandas.DataFrame
        From :func:`cells` over votes collected with ``closed_only=True``.
    closed : set of str
        The closed answers (:func:`closed_answers`).
    answer_ids, code_ids : sequence of str
        The project's answers and the codebook's codes, in order; codes not in ``code_ids`` are left out.

    Returns
    -------
    pandas.DataFrame
        One row per explicitly decided cell (``present`` 1 or 0), plus one row ``code == "", present == 0``
        per closed answer: every code of it no other row sets is absent. Conflicts stay unknown (a closed
        answer with a conflict gets its agreed absent codes spelled out instead of the ``""`` row).

    Examples
    --------
    >>> log = make_log([("a1", "x", "add", "kari"), ("a1", "", "none", "kari")])
    >>> table = cells(collect_votes(log, ["x", "y"], {}, closed_only=True), ["a1"], ["x", "y"])
    >>> labels(table, {"a1"}, ["a1"], ["x", "y"]).values.tolist()
    [['a1', '', 0], ['a1', 'x', 1]]
    """
    cell_table = cell_table[cell_table["code"].isin(code_ids)]
    in_conflict = set(cell_table.loc[cell_table["status"] == "conflict", "id"])
    agreed = cell_table[cell_table["status"] == "agreed"]
    # an answer closed before a code was added has its absent codes of then spelled out, not a "" row
    keep = agreed["explicit"] | agreed["id"].isin(in_conflict) | ~agreed["id"].isin(closed)
    rows = agreed.loc[keep, ["id", "code", "present"]]
    ends = [a for a in answer_ids if a in closed and a not in in_conflict]
    frame = pd.concat([rows, pd.DataFrame({"id": ends, "code": "", "present": 0})], ignore_index=True).astype(
        {"id": str, "code": str}
    )
    frame["present"] = frame["present"].astype(int)
    return sort_cells(frame, answer_ids, code_ids)[["id", "code", "present"]]


def tidy_name(name: str) -> str:
    """``name`` stripped, each non-breaking or other Unicode space an ordinary one, letters composed (NFC:
    «Åse» typed as A + ring is one coder with «Åse»).

    Runs of spaces are kept: a project may hold names typed with two, before this rule.

    >>> tidy_name(" kari\u00a0nordmann "), tidy_name("A\u030ase") == "\u00c5se"
    ('kari nordmann', True)
    """
    name = unicodedata.normalize("NFC", name)
    return "".join(" " if unicodedata.category(c) == "Zs" else c for c in name).strip()
