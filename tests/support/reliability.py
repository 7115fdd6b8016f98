"""Fixtures and helpers shared by test_reliability.py and test_cli_reliability.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coder import store
from coder.codebook import Code, Codebook
from coder.store import Decision


def write_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- agreement in a coding project ---------------------------------------------------------------------------

CODEBOOK = Codebook(
    "test", "nb", "1", (Code("x", "Første", description="T."), Code("y", "Andre", description="T."))
)


@pytest.fixture(name="project")
def fixture_project(tmp_path: Path) -> store.Project:
    answers = pd.DataFrame({"id": [f"a{i}" for i in range(6)], "text": [f"svar {i}" for i in range(6)]})
    opened = store.init(tmp_path / "p.db", answers, CODEBOOK)
    # kari decides a0-a4, ola a0-a3 and a5: only a0-a3 are shared
    opened.record(
        "kari",
        [
            Decision("a0", "x", "add"),
            Decision("a1", "x", "add"),
            Decision("a1", "y", "add"),
            Decision("a2", "", "none"),
            Decision("a3", "y", "add"),
            Decision("a4", "x", "add"),
        ],
    )
    opened.record("ola", [Decision("a0", "x", "add"), Decision("a1", "x", "add"), Decision("a2", "y", "add"),
                          Decision("a3", "y", "add"), Decision("a5", "x", "add")])  # fmt: skip
    opened.add_suggestion_run(
        pd.DataFrame({"id": ["a0", "a1", "a2"], "code": ["x", "x", "y"], "confidence": [0.9, 0.4, 0.7]}),
        threshold=0.5,
    )
    yield opened
    opened.close()


# -- agreement that comes from a bulk rule is flagged --------------------------------------------------------

BULK_SUGGESTIONS = pd.DataFrame(
    {
        "id": ["a0", "a1", "a2", "a3", "a4", "a5", "a5"],
        "code": ["x", "x", "y", "y", "x", "x", "y"],
        "confidence": [0.95, 0.93, 0.97, 0.05, 0.6, 0.3, 0.04],
    }
)


@pytest.fixture(name="suggested")
def fixture_suggested(tmp_path: Path) -> store.Project:
    answers = pd.DataFrame({"id": [f"a{i}" for i in range(6)], "text": [f"svar {i}" for i in range(6)]})
    opened = store.init(tmp_path / "s.db", answers, CODEBOOK)
    opened.add_suggestion_run(BULK_SUGGESTIONS, threshold=0.5)
    yield opened
    opened.close()
