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
