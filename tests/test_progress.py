"""Progress bars: drawn on a terminal, quiet elsewhere."""

from __future__ import annotations

import io
import sys

import pytest

from coder import progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert list(progress.track(range(3), "counting")) == [0, 1, 2]
    assert not progress.enabled()
    assert capsys.readouterr().err == ""


def test_a_bar_on_a_terminal_with_counts_and_nested_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert progress.enabled()
    with progress.step("outer", total=2) as bar:
        for _ in range(2):
            assert list(progress.track(["a", "b"], "inner")) == ["a", "b"]
            bar.advance()
    assert "outer" in terminal.getvalue() and "2/2" in terminal.getvalue()


def test_quiet_turns_bars_off_inside_its_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", _Terminal())
    with progress.quiet():
        assert not progress.enabled()
    assert progress.enabled()


def test_quiet_in_a_background_thread_leaves_the_caller_its_bars(monkeypatch: pytest.MonkeyPatch) -> None:
    """`coder review` fits in a background thread kept quiet; the main thread's bars stay on meanwhile."""
    import threading

    monkeypatch.setattr(sys, "stderr", _Terminal())
    inside, release = threading.Event(), threading.Event()

    def background() -> None:
        with progress.quiet():
            assert not progress.enabled()
            inside.set()
            release.wait(timeout=10)

    thread = threading.Thread(target=background)
    thread.start()
    try:
        assert inside.wait(timeout=10)
        assert progress.enabled()  # the caller is not silenced while the other thread is quiet
    finally:
        release.set()
        thread.join()
