"""Tests for coder.network_figures: the pictures of the contact networks."""

from __future__ import annotations

from pathlib import Path

import pytest

from coder import network, network_figures, survey

REPO = Path(__file__).resolve().parents[1]
OPPDAL = REPO / "examples" / "oppdal" / "manifest.yaml"
BOTH = REPO / "examples" / "oppdal-rissa.yaml"


@pytest.fixture(scope="module")
def both() -> survey.Survey:
    return survey.load(BOTH)


def test_layout_is_shared_and_deterministic(both: survey.Survey) -> None:
    first = network_figures.layout(both, "Oppdal", seed=0)
    assert first == network_figures.layout(both, "Oppdal", seed=0)
    assert set(first) == set(both.respondents.query("municipality == 'Oppdal'")["respondent_id"])
    assert first["O27"][1] < -1.2  # no contact at all: set apart below


def test_plot_writes_png_and_svg_deterministically(tmp_path: Path) -> None:
    oppdal = survey.load(OPPDAL)
    written = network_figures.plot(oppdal, tmp_path / "a", levels=["weekly"])
    names = sorted(p.name for p in written)
    assert names == [
        "oppdal_politisk.png",
        "oppdal_politisk.svg",
        "oppdal_ukentlig.png",
        "oppdal_ukentlig.svg",
    ]
    assert (tmp_path / "a" / "oppdal_ukentlig.png").read_bytes().startswith(b"\x89PNG")
    svg = (tmp_path / "a" / "oppdal_ukentlig.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "O01" in svg
    again = network_figures.plot(oppdal, tmp_path / "b", levels=["weekly"], formats=("svg",))
    assert again[0].read_bytes() == (tmp_path / "a" / "oppdal_ukentlig.svg").read_bytes()


def test_a_report_given_is_drawn_without_computing_the_measures_again(
    both: survey.Survey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = network.network(both, ["weekly"])
    monkeypatch.setattr(network_figures, "network", lambda *a, **k: pytest.fail("measures computed again"))
    written = network_figures.plot(both, tmp_path, levels=["weekly"], report=report, formats=("png",))
    assert sorted(p.name for p in written) == [
        "oppdal_politisk.png", "oppdal_ukentlig.png", "rissa_politisk.png", "rissa_ukentlig.png"
    ]  # fmt: skip


def test_network_draws_nothing_itself() -> None:
    # the measures module needs no matplotlib: the drawing is all in network_figures
    source = Path(network.__file__).read_text(encoding="utf-8")
    assert "matplotlib" not in source and "def plot(" not in source and "def layout(" not in source
