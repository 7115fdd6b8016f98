"""Fixtures and helpers shared by test_codebook.py and test_cli_codebook.py."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from coder import codebook as cb

REPO = Path(__file__).resolve().parents[2]
DEFAULT = REPO / "codebooks" / "boligsosialt.yaml"
CODE_IDS = {
    "fragmented_responsibility",
    "adapted_housing",
    "follow_up",
    "anchoring",
    "meeting_places",
    "coordination",
    "financial_instruments",
    "local_knowledge",
}


def write(tmp_path: Path, text: str, name: str = "book.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


# A small valid codebook; tests derive broken variants from it, so line numbers are easy to read off.
GOOD = """
name: Test
language: nb
version: "1.10"
codes:
  - id: housing
    label: Boliger
    description: Om boligene.
    keywords: [bolig*, mangel på bolig]
    examples: [For få boliger]
    color: "#1F77B4"
  - id: small_flats
    label: Små leiligheter
    description: Små boliger.
    parent: housing
    examples: [Trenger hybler]
"""


def only(problems: list[cb.CodebookProblem], severity: str = "error") -> list[cb.CodebookProblem]:
    return [p for p in problems if p.severity == severity]


# As Taguette 1.5 exports its tags: flat codes with name and guid only, the hierarchy only in the names.
TAGUETTE_QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taguette 1.5.1">
  <Codes>
    <Code guid="6f1c1d38-1b0e-4f57-9d38-000000000001" name="Ansvar" isCodable="true"/>
    <Code guid="6f1c1d38-1b0e-4f57-9d38-000000000002" name="Ansvar.Uklart ansvar" isCodable="true"/>
    <Code guid="6f1c1d38-1b0e-4f57-9d38-000000000003" name="Bolig.Tilpassede boliger.Omsorgsboliger"
          isCodable="true"/>
    <Code guid="6f1c1d38-1b0e-4f57-9d38-000000000004" name="Bolig.Tilpassede boliger" isCodable="true"
          color="#00AA00"/>
    <Code guid="6f1c1d38-1b0e-4f57-9d38-000000000005" name="Tiltak 1.2" isCodable="true"/>
    <Code guid="6f1c1d38-1b0e-4f57-9d38-000000000006" name="Samarbeid, f.eks. med NAV" isCodable="true"/>
    <Code guid="6f1c1d38-1b0e-4f57-9d38-000000000007" name="St.meld.Oppfølging" isCodable="true"/>
  </Codes>
</CodeBook>
"""


DEFAULT_BOOK = REPO / "codebooks"


@pytest.fixture(name="renamed_code_book")
def fixture_renamed_code_book(tmp_path: Path) -> Path:
    """The default codebook with 'adapted_housing' renamed to the id above it: a duplicate id whose
    reference answers (coded adapted_housing) then name a code that is gone."""
    for source in DEFAULT_BOOK.iterdir():
        shutil.copy(source, tmp_path / source.name)
    path = tmp_path / "boligsosialt.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - id: adapted_housing", "  - id: fragmented_responsibility", 1), "utf-8")
    return path
