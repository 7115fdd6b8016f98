"""Fixtures and helpers shared by test_store.py and test_cli_store.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from coder import store
from coder.codebook import Code, Codebook
from coder.store import Decision, Project

CODEBOOK = Codebook(
    name="test",
    language="nb",
    version="2.1",
    codes=(
        Code(
            "follow_up",
            "Oppfølging av beboere",
            description="Tema.",
            keywords=("oppfølging", "boveiledning"),
            examples=("trenger boveiledning",),
        ),
        Code(
            "anchoring",
            "Politisk og administrativ forankring",
            description="Tema.",
            keywords=("forankring",),
            examples=("mangler politisk forankring",),
        ),
        Code(
            "coordination",
            "Samordning og samarbeid på tvers",
            description="Tema.",
            keywords=("samordning",),
            examples=("lite samordning mellom etatene",),
        ),
        Code(
            "financial_instruments",
            "Økonomiske virkemidler",
            description="Tema.",
            keywords=("startlån", "bostøtte"),
            examples=("startlån fra Husbanken",),
        ),
    ),
)


ANSWERS = pd.DataFrame(
    {
        "id": ["r1:q1", "r1:q2", "r2:q1", "r2:q2", "r3:q1"],
        "respondent_id": ["r1", "r1", "r2", "r2", "r3"],
        "question_id": ["q1", "q2", "q1", "q2", "q1"],
        "text": [
            "Lite oppfølging og boveiledning",
            "Ingen politisk forankring",
            "Startlån og bostøtte brukes aktivt",
            "Dårlig samordning mellom NAV og helse",
            "Kort vei, alle kjenner alle",
        ],
        "municipality": ["Oppdal", "Oppdal", "Rissa", "Rissa", "Oppdal"],
    }
)


@pytest.fixture(name="project")
def fixture_project(tmp_path: Path) -> Project:
    opened = store.init(tmp_path / "project.db", ANSWERS, CODEBOOK)
    yield opened
    opened.close()


def code_pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["id"], frame["code"], strict=True))


def write_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- merge -----------------------------------------------------------------------------------------


def copy_project(project: Project, path: Path) -> Path:
    project.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path.write_bytes(project.path.read_bytes())
    path.chmod(0o600)  # as `cp` keeps it; a copy open to others is test_open_makes_a_shared_copy_private's
    return path


# -- exports ---------------------------------------------------------------------------------------


@pytest.fixture(name="coded")
def fixture_coded(project: Project) -> Project:
    project.record(
        "kari",
        [
            Decision("r1:q1", "follow_up", "add"),
            Decision("r1:q1", "coordination", "add"),
            Decision("r1:q2", "anchoring", "add"),
            Decision("r2:q1", "financial_instruments", "add"),
            Decision("r2:q1", "coordination", "add"),
            Decision("r3:q1", "", "none"),
        ],
    )
    return project
