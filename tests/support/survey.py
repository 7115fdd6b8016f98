"""Fixtures and helpers shared by test_survey.py and test_cli_survey.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


OPPDAL = REPO / "examples" / "oppdal" / "manifest.yaml"


BOTH = REPO / "examples" / "oppdal-rissa.yaml"


@pytest.fixture(name="copy")
def fixture_copy(tmp_path: Path) -> Path:
    """A writable copy of the Oppdal example; returns its manifest."""
    shutil.copytree(OPPDAL.parent, tmp_path / "oppdal")
    return tmp_path / "oppdal" / "manifest.yaml"


def edit(path: Path, old: str, new: str, encoding: str = "utf-8") -> None:
    text = path.read_text(encoding=encoding)
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding=encoding)
