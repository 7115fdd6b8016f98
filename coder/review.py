"""Reviewing suggestions: the state of a coder's review, the order of the queue, and bulk review.

The interactive ``coder review`` screen that drives them is :mod:`coder.review_screen`; this module draws
nothing. Every decision is logged as one committed transaction (see :mod:`coder.store`).

Order of the queue: answers this coder has not decided first; then, unless blind, answers where the other
coders disagree; then the least certain ones -- smallest distance between a confidence and the run's
threshold (a code without a suggestion counts as confidence 0) -- so each decision teaches the model the
most. Blank answers (no letter or digit: «», «-», «...») come after the other undecided ones: they hold
nothing to code, yet an empty text looks uncertain to the model. A *band* is that of the answer's
strongest suggestion: high >= 2/3, mid >= 1/3, low below (or none).

An answer is *decided* (progress, the ``undecided`` filter, the order) when the coder closed it, or
decided on it and no suggestion at or above the threshold is left open on it (see :mod:`coder.store`);
bulk review decides single codes only and never closes an answer, and decides an answer only by deciding
every suggestion at or above the threshold it has (an answer without one stays for a reader). An answer
closed before a code was added is undecided here while that code is suggested on it
(:meth:`coder.store.Project.reopened`); its other codes show as «closed without».
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field

import pandas as pd

from coder import progress
from coder.classify import DEFAULT_THRESHOLD, CodeSuggester, label_matrix, model_cache
from coder.codebook import Codebook
from coder.errors import CoderError
from coder.store import STORED_CONFIDENCE_FLOOR, Decision, Project, coder_name

__all__ = [
    "Filter",
    "Learner",
    "State",
    "bulk_review",
    "option_filter",
    "parse_filter",
    "queue",
    "queue_of",
]

#: Decisions after which ``coder review`` refits the model and orders the queue again.
REFIT_EVERY = 10
BANDS = {"low": (0.0, 1 / 3), "mid": (1 / 3, 2 / 3), "high": (2 / 3, float("inf"))}


@dataclass(frozen=True)
class Filter:
    """Which answers the review shows (all conditions must hold)."""

    code: str | None = None
    question: str | None = None
    band: str | None = None
    undecided: bool = False
    disagreed: bool = False  # the coders' codes differ: a consensus meeting's queue (not blind)

    def describe(self) -> str:
        parts = [
            f"{k}={v}"
            for k, v in (("code", self.code), ("question", self.question), ("band", self.band))
            if v
        ]
        flags = [name for name in ("undecided", "disagreed") if getattr(self, name)]
        return " | ".join(parts + flags) or "none"


def parse_filter(
    text: str, code_ids: list[str] | None = None, question_ids: list[str] | None = None
) -> Filter:
    """Parse ``code=ID | question=ID | band=low|mid|high | undecided | disagreed`` (any subset; empty = no
    filter).

    >>> parse_filter("code=follow_up | undecided")
    Filter(code='follow_up', question=None, band=None, undecided=True, disagreed=False)
    """
    values: dict[str, object] = {}
    split = r"\s*\|\s*(?=code=|question=|band=|undecided|disagreed)"
    for part in (p.strip() for p in re.split(split, text.strip())):
        if not part:
            continue
        if part in ("undecided", "disagreed"):
            values[part] = True
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in ("code", "question", "band") or not value:
            raise CoderError(
                f"cannot read the filter '{part}' (use code=ID, question=ID, band=low|mid|high, undecided, "
                "disagreed)"
            )
        if key == "band" and value not in BANDS:
            raise CoderError(f"unknown band '{value}' (use low, mid or high)")
        if key == "code" and code_ids is not None and value not in code_ids:
            # the filter takes an id, where `+` also finds a code by part of its name: say which ids there are
            raise CoderError(f"code '{value}' is not in the codebook (codes: {', '.join(code_ids)})")
        if key == "question" and question_ids is not None and value not in question_ids:
            raise CoderError(
                f"question '{value}' is not in the project (questions: {', '.join(question_ids)})"
            )
        if key in values and values[key] != value:  # one of each: a queue is not two codes at once
            raise CoderError(f"the filter names two {key}s ('{values[key]}', '{value}'); give one")
        values[key] = value
    return Filter(**values)  # type: ignore[arg-type]


def option_filter(
    text: str, code_ids: list[str] | None = None, question_ids: list[str] | None = None
) -> Filter:
    """:func:`parse_filter` for a filter given when the review starts (``--filter``): its errors name it."""
    try:
        return parse_filter(text, code_ids, question_ids)
    except CoderError as error:
        raise CoderError(error.message, key="filter") from None


# ----------------------------------------------------------------------------------------------------------
# The review state of one coder
# ----------------------------------------------------------------------------------------------------------


@dataclass
class State:
    """What the coder sees: answers, the run's suggestions, and the coder's folded decisions."""

    project: Project
    coder: str
    run_id: str | None
    threshold: float
    answers: pd.DataFrame
    codebook: Codebook
    suggestions: dict[str, list[tuple[str, float, str]]] = field(default_factory=dict)
    mine: dict[tuple[str, str], str] = field(default_factory=dict)  # (answer, code) -> last action
    decided: set[str] = field(default_factory=set)
    closed: set[str] = field(default_factory=set)
    blind: bool = True

    @property
    def question_ids(self) -> list[str]:
        return sorted(q for q in self.answers["question_id"].dropna().astype(str).unique() if q)

    @classmethod
    def load(cls, project: Project, coder: str, run_id: str | None = None) -> State:
        run_id = run_id or project.latest_run()
        threshold = project.run_threshold(run_id) if run_id else 0.5
        state = cls(
            project,
            coder,
            run_id,
            threshold,
            project.answers().set_index("id", drop=False),
            project.codebook(),
        )
        if run_id:
            state.suggestions = _by_answer(project.suggestions(run_id))
        state.refresh()
        return state

    def refresh(self) -> None:
        folded = self.project.decision_state(self.coder)
        self.mine = {
            (a, c): act
            for a, c, act in zip(folded["answer_id"], folded["code"], folded["action"], strict=True)
        }
        if self.project.introduced():  # a code was added: an answer closed before keeps its codes of then
            implied = self.project.cells(self.coder, closed_only=True)
            implied = implied[~implied["explicit"] & (implied["present"] == 0)]
            for key in zip(implied["id"], implied["code"], strict=True):
                self.mine.setdefault(key, "closed")
        # an answer closed before a code was added, with that code suggested, is to be read again
        self.decided = self.project.decided(self.coder, self.run_id) - self.project.reopened(
            self.coder, self.run_id
        )
        self.closed = self.project.closed(self.coder)

    def codes_of(self, answer: str) -> list[str]:
        return [c for c in self.codebook.code_ids if self.mine.get((answer, c)) in ("accept", "add")]

    def open_suggestions(self, answer: str) -> list[tuple[str, float, str]]:
        return [s for s in self.suggestions.get(answer, []) if (answer, s[0]) not in self.mine]

    def margin(self, answer: str) -> float:
        return min(
            [abs(conf - self.threshold) for _, conf, _ in self.suggestions.get(answer, [])] + [self.threshold]
        )

    def band(self, answer: str) -> str:
        top = max([conf for _, conf, _ in self.suggestions.get(answer, [])], default=0.0)
        return next(name for name, (low, high) in BANDS.items() if low <= top < high)


class Learner:
    """The project's suggester for one review session.

    The codebook model is fitted once, in a background thread from the start of the session, so that it is
    ready by the first refit; :meth:`refit` then refits only the coders' model on every decision so far.
    """

    def __init__(self, project: Project, run_id: str | None) -> None:
        self.project = project
        self.answers = project.answers()
        self.codebook = project.codebook()
        seed = project.run_seed(run_id) if run_id else 0
        threshold = project.run_threshold(run_id) if run_id else DEFAULT_THRESHOLD
        self.model = CodeSuggester(
            self.codebook, threshold=threshold, random_state=seed, memory=model_cache()
        )
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._fit, name="coder-review-fit", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _fit(self) -> None:
        try:
            with progress.quiet():  # the review screen owns the terminal
                self.model.fit(self.answers["text"].tolist(), questions=self.answers["question_id"].tolist())
        except BaseException as error:  # re-raised in the session's thread by refit()
            self._error = error

    @property
    def ready(self) -> bool:
        return not self._thread.is_alive()

    def refit(self, coder: str | None = None) -> dict[str, list[tuple[str, float, str]]]:
        """The suggestions (answer -> (code, confidence, evidence)) of the model refitted on the decisions
        of ``coder`` (``None``: the consensus of every coder)."""
        if not self._thread.ident:
            self.start()
        self._thread.join()
        if self._error is not None:
            raise self._error
        ids = self.answers["id"].tolist()
        self.model.update(label_matrix(ids, self.project.labels(coder), self.codebook))
        table = self.model.suggest_corpus(ids, threshold=STORED_CONFIDENCE_FLOOR)
        # the order Project.suggestions gives a stored run: most confident first, then by code
        return _by_answer(table.sort_values(["confidence", "code"], ascending=[False, True], kind="stable"))


def _by_answer(suggestions: pd.DataFrame) -> dict[str, list[tuple[str, float, str]]]:
    """answer -> its suggestions ``(code, confidence, evidence)`` in the order of ``suggestions``."""
    grouped: dict[str, list[tuple[str, float, str]]] = {}
    for row in suggestions.itertuples(index=False):
        grouped.setdefault(row.id, []).append((row.code, float(row.confidence), row.evidence))
    return grouped


def _others_disagree(project: Project, coder: str) -> set[str]:
    """Answers on which the other coders' current codes differ (or differ from this coder's)."""
    codes: dict[str, dict[str, frozenset[str]]] = {}
    for name in project.coders():
        current = project.current_codes(name)
        for answer, group in current.groupby("id"):
            codes.setdefault(answer, {})[name] = frozenset(group["code"]) - {""}
    return {
        a for a, by in codes.items() if len(set(by.values())) > 1 and (len(by) > 1 and set(by) != {coder})
    }


def queue(
    project: Project,
    coder: str,
    *,
    filter: Filter = Filter(),  # noqa: B008 - a frozen dataclass is immutable
    run_id: str | None = None,
    blind: bool = True,
) -> list[str]:
    """The answer ids to review, most informative first (see the module docs for the order)."""
    return queue_of(State.load(project, coder, run_id), filter, blind)


def queue_of(state: State, filter: Filter, blind: bool) -> list[str]:
    """The answer ids of a loaded review ``state`` to review, most informative first, as :func:`queue`."""
    if filter.disagreed and blind:  # it would tell a blind coder where the others differ
        raise CoderError(
            "the filter 'disagreed' shows where the coders differ: review with the others' codes shown"
        )
    disagree = set() if blind else _others_disagree(state.project, state.coder)
    answers = state.answers
    chosen = []
    for position, answer in enumerate(answers["id"]):
        if filter.undecided and answer in state.decided:
            continue
        if filter.disagreed and answer not in disagree:
            continue
        if filter.question is not None and answers.at[answer, "question_id"] != filter.question:
            continue
        if filter.band is not None and state.band(answer) != filter.band:
            continue
        if filter.code is not None:
            suggested = {c for c, _, _ in state.suggestions.get(answer, [])}
            if filter.code not in suggested and filter.code not in state.codes_of(answer):
                continue
        blank = not any(c.isalnum() for c in answers.at[answer, "text"])
        key = (
            answer in state.decided,
            blank,
            answer not in disagree,
            round(state.margin(answer), 9),
            position,
        )
        chosen.append((key, answer))
    return [answer for _, answer in sorted(chosen)]


# ----------------------------------------------------------------------------------------------------------
# Bulk mode
# ----------------------------------------------------------------------------------------------------------


def bulk_review(
    project_path: str | os.PathLike[str] | Project,
    coder: str,
    *,
    accept_from: float | None = None,
    reject_below: float | None = None,
    run_id: str | None = None,
    filter: str = "",
) -> dict[str, int]:
    """Decide the confident suggestions of a run (default: the latest) for ``coder`` in one transaction.

    Every suggestion the coder has not decided yet is accepted when its confidence is at least
    ``accept_from`` (>=, as ``coder review --accept-from``) and rejected when it is below ``reject_below``
    (<); the rest stays open. ``filter`` (:func:`parse_filter`) limits this to the answers it selects,
    and ``code=ID`` to that code's suggestions. Entries are logged with mode ``bulk``.
    Bulk review decides only the codes it touches and never closes an answer (see :mod:`coder.store`).
    Returns counts ``accepted``, ``rejected``, ``open``.
    """
    coder = coder_name(coder)
    if accept_from is None and reject_below is None:
        raise CoderError("give accept_from and/or reject_below")
    for name, value in (("accept_from", accept_from), ("reject_below", reject_below)):
        if value is not None and not 0.0 <= value <= 1.0:
            raise CoderError(f"must be between 0 and 1, got {value}", key=name)
    if accept_from is not None and reject_below is not None and reject_below > accept_from:
        raise CoderError(f"must not exceed the confidence accepted from ({accept_from})", key="reject_below")
    if not isinstance(project_path, Project):
        with Project.open(project_path, writing=True) as project:
            return bulk_review(
                project,
                coder,
                accept_from=accept_from,
                reject_below=reject_below,
                run_id=run_id,
                filter=filter,
            )
    project = project_path
    coder = project.logged_name(coder)
    state = State.load(project, coder, run_id)
    if state.run_id is None:
        raise CoderError(
            "the project has no suggestion run yet: suggest codes for it first", file=project.path
        )
    chosen = option_filter(filter, state.codebook.code_ids, state.question_ids)
    if chosen.disagreed:  # a disagreement is settled by reading the answer, not by the model's confidence
        raise CoderError("a bulk rule does not take the filter 'disagreed': decide those answers by reading")
    decisions, left = [], 0
    for answer in queue_of(state, chosen, blind=True):
        for code, conf, _ in state.open_suggestions(answer):
            if chosen.code is not None and code != chosen.code:
                continue
            if accept_from is not None and conf >= accept_from:
                decisions.append(Decision(answer, code, "accept", state.run_id, conf))
            elif reject_below is not None and conf < reject_below:
                decisions.append(Decision(answer, code, "reject", state.run_id, conf))
            else:
                left += 1
    if decisions:
        project.record(coder, decisions, mode="bulk")
    accepted = sum(d.action == "accept" for d in decisions)
    return {"accepted": accepted, "rejected": len(decisions) - accepted, "open": left}
