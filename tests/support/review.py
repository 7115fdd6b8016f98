"""Fixtures and helpers shared by test_review.py and test_cli_review.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coder import store
from coder.codebook import Code, Codebook
from coder.store import Project

CODEBOOK = Codebook(
    name="test",
    language="nb",
    version="1",
    codes=(
        Code("follow_up", "Oppfølging av beboere", description="Tema."),
        Code("anchoring", "Politisk og administrativ forankring", description="Tema."),
        Code("coordination", "Samordning og samarbeid på tvers", description="Tema."),
        Code("meeting_places", "Formelle møteplasser", description="Tema."),
    ),
)


ANSWERS = pd.DataFrame(
    {
        "id": ["a1", "a2", "a3", "a4", "a5"],
        "respondent_id": ["r1", "r1", "r2", "r2", "r3"],
        "question_id": ["styrker", "utfordringer", "styrker", "utfordringer", "styrker"],
        "text": [
            "God oppfølging av beboerne",
            "Lite politisk forankring og dårlig samordning",
            "Faste møter hver måned",
            "Ingen arena for dette",
            "Kort vei",
        ],
        "municipality": ["Oppdal", "Oppdal", "Rissa", "Rissa", "Volda"],
    }
)


# Confidences chosen so the informativeness order is known: distance to the threshold 0.5.
SUGGESTIONS = pd.DataFrame(
    {
        "id": ["a1", "a2", "a2", "a3", "a4"],
        "code": ["follow_up", "anchoring", "coordination", "meeting_places", "meeting_places"],
        "confidence": [0.97, 0.62, 0.9, 0.45, 0.08],
        "evidence": ["oppfølging; beboer", "keywords: forankring*", "samordning", "møte", "arena"],
    }
)


# margins: a1 0.47, a2 0.12, a3 0.05, a4 0.42, a5 0.5 (no suggestion) -> a3, a2, a4, a1, a5


@pytest.fixture(name="project")
def fixture_project(tmp_path: Path) -> Project:
    opened = store.init(tmp_path / "project.db", ANSWERS, CODEBOOK)
    opened.add_suggestion_run(SUGGESTIONS, {"test": True}, seed=0, threshold=0.5)
    yield opened
    opened.close()


def code_pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["id"], frame["code"], strict=True))
