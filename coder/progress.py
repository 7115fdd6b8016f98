"""Progress bars for long work: rich bars on stderr with counts and time left, quiet off a terminal.

Library functions take no console; they report through :func:`steps` / :func:`track`, and the bars show only
when stderr is a terminal (so pipes, CI logs and tests stay clean) and :func:`quiet` is not in force.

>>> for _ in track(range(3), "counting"):  # off a terminal: no output
...     pass
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

T = TypeVar("T")

_state = {"active": None}
_thread = threading.local()  # quiet is per thread: a background fit kept quiet must not silence the caller


def enabled() -> bool:
    """Whether bars are drawn: stderr is a terminal and :func:`quiet` is not in force."""
    return not getattr(_thread, "quiet", False) and sys.stderr.isatty()


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No bars inside this block (e.g. inside ``coder review``, whose screen is the terminal)."""
    before = getattr(_thread, "quiet", False)
    _thread.quiet = True
    try:
        yield
    finally:
        _thread.quiet = before


class Step:
    """One task on the bar: ``advance(n)`` as work is done; a no-op when bars are off."""

    def __init__(self, progress: Progress | None, task: int | None) -> None:
        self._progress = progress
        self._task = task

    def advance(self, n: float = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)

    def total(self, total: float) -> None:
        if self._progress is not None:
            self._progress.update(self._task, total=total)


@contextlib.contextmanager
def step(description: str, total: float | None = None) -> Iterator[Step]:
    """A bar for ``total`` units of work (unknown: a pulsing bar); a step inside a step shares its display."""
    if not enabled():
        yield Step(None, None)
        return
    outer = _state["active"]
    if outer is not None:  # a step inside a step: one more line on the same display
        task = outer.add_task(description, total=total)
        try:
            yield Step(outer, task)
        finally:
            outer.remove_task(task)
        return
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=Console(stderr=True, emoji=False),
        transient=True,
    )
    _state["active"] = progress
    try:
        with progress:
            yield Step(progress, progress.add_task(description, total=total))
    finally:
        _state["active"] = None


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate ``items`` with a bar (``total`` defaults to ``len(items)`` where it has one)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with step(description, total) as bar:
        for item in items:
            yield item
            bar.advance()
