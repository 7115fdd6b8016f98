"""Fixtures and helpers shared by test_io.py and test_cli_io.py."""

from __future__ import annotations

from pathlib import Path

ROWS = [("r1", "Mangler omsorgsboliger"), ("r2", "Kort vei, alle kjenner alle"), ("r3", "  ")]


def write_csv(path: Path, sep: str, encoding: str, rows=ROWS, header=("id", "text")) -> Path:
    lines = [sep.join(header)] + [sep.join(f'"{v}"' if sep in v else v for v in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path
