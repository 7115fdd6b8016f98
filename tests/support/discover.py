"""Fixtures and helpers shared by test_discover.py and test_cli_discover.py."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORKSHOP = REPO / "examples" / "rissa" / "idedugnad.csv"
PLANTED = REPO / "examples" / "discover" / "svar.csv"
CODEBOOK = REPO / "codebooks" / "boligsosialt.yaml"

# Three themes a reader separates at once, four notes each, and one note about nothing of them.
NOTES = {
    "møte": ["Faste møter med mandat", "Fast møtepunkt hver måned", "Månedlige møter for alle", "Møteplass"],
    "husleie": [
        "Trekk av husleie fra NAV",
        "Varsle tidlig ved husleierestanse",
        "Husleie betales ikke",
        "Rutine for husleie og restanse",
    ],
    "politikk": [
        "Politikerne må eie temaet",
        "Orientere politikerne jevnlig",
        "Politisk forankring i kommunestyret",
        "Politikere på befaring",
    ],
}
