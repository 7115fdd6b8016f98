"""`coder demo`: the main job on the bundled examples in one command."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from coder import store
from coder.cli import app


def test_the_demo_writes_the_whole_report_from_the_reviewed_project(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    out = tmp_path / "demo"
    steps = ("suggest", "review", "network", "link", "discover", "report")
    assert all(step in result.output for step in steps) and "micro-F1" in result.output
    page = (out / "rapport" / "rapport.html").read_text(encoding="utf-8")
    for section in ("Undersøkelsen", "Kontaktnettet", "Kontakt med politikerne", "Temaer etter posisjon",
                    "Idédugnad", "Om tallene"):  # fmt: skip
        assert section in page
    with store.Project.open(out / "prosjekt.db") as project:
        assert project.coders() == ["demo"] and len(project.log()) > 0
    assert (out / "kandidater.yaml").is_file() and (out / "posisjon" / "link.json").is_file()
