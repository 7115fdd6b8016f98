"""Fixtures and helpers shared by test_network.py and test_cli_network.py."""

from __future__ import annotations

from pathlib import Path

from coder import survey

REPO = Path(__file__).resolve().parents[2]


OPPDAL = REPO / "examples" / "oppdal" / "manifest.yaml"


BOTH = REPO / "examples" / "oppdal-rissa.yaml"


def write_survey(directory: Path, municipality: str, people: str, contacts: str) -> survey.Survey:
    """A one-municipality survey from CSV text: ``people`` (id,functions), ``contacts`` (from,to,freq)."""
    (directory / "people.csv").write_text(people, encoding="utf-8")
    (directory / "contacts.csv").write_text(contacts, encoding="utf-8")
    (directory / "m.yaml").write_text(
        f"municipality: {municipality}\nfunctions: [A, B]\n"
        "respondents: {file: people.csv, id: id, functions: functions}\n"
        "contacts: {file: contacts.csv, from: from, to: to, frequency: freq}\n",
        encoding="utf-8",
    )
    return survey.load(directory / "m.yaml")
