"""Fixtures and helpers shared by test_network.py and test_cli_network.py."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


OPPDAL = REPO / "examples" / "oppdal" / "manifest.yaml"


BOTH = REPO / "examples" / "oppdal-rissa.yaml"
