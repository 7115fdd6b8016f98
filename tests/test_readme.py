"""The README's Python example runs as written: a user copies it first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def python_example() -> str:
    """The code block of the README's section «Python»."""
    section = (REPO / "README.md").read_text(encoding="utf-8").split("\n## Python\n", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_python_example_runs_and_gives_what_it_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # its paths are relative to the checkout, as the quick start's
    names: dict = {}
    exec(compile(python_example(), "README.md (Python)", "exec"), names)
    assert {"id", "code", "confidence", "evidence"} <= set(names["suggestions"].columns)
    assert set(names["suggestions"]["id"]) <= set(names["answers"]["id"])
    assert names["y"].shape[0] == len(names["answers"])
    assert names["found"].candidates and all(c.size >= 3 for c in names["found"].candidates)
    assert not names["positions"].empty and not names["linked"].themes.empty
