"""Tests for coder.network_figures: the pictures of the contact networks."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from support.network import write_survey

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


def test_no_two_people_touch_nor_sit_on_a_line_between_others(both: survey.Survey) -> None:
    import itertools
    import math

    # Oppdal's daily pairs O09–O15 and O11–O12 were drawn as dots on each other: a chain of three
    pos = network_figures.layout(both, "Oppdal", seed=0)
    monthly = network.contact_graph(both, "monthly", municipality="Oppdal")
    connected = [n for n in monthly if monthly.degree(n) > 0]
    gap = network_figures.NODE_GAP
    assert min(math.dist(pos[a], pos[b]) for a, b in itertools.combinations(connected, 2)) >= gap * 0.95

    def off_line(c: str, a: str, b: str) -> float:
        (ax, ay), (bx, by), (cx, cy) = pos[a], pos[b], pos[c]
        t = ((cx - ax) * (bx - ax) + (cy - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)
        return math.inf if not 0 < t < 1 else math.dist(pos[c], (ax + t * (bx - ax), ay + t * (by - ay)))

    others = [off_line(c, a, b) for a, b in monthly.edges for c in connected if c not in (a, b)]
    assert min(others) >= gap / 2 * 0.9
    # in Rissa's dense network lines pass everywhere: moving people off them pushed two within 0.07
    rissa = network_figures.layout(both, "Rissa", seed=0)
    assert min(math.dist(rissa[a], rissa[b]) for a, b in itertools.combinations(rissa, 2)) >= gap * 0.95


def test_people_on_one_spot_are_parted_and_many_get_a_smaller_gap() -> None:
    import itertools
    import math

    import networkx as nx

    parted = network_figures._spread({"a": (0.0, 0.0), "b": (0.0, 0.0), "c": (1.0, 1.0)})
    assert math.dist(parted["a"], parted["b"]) >= network_figures.NODE_GAP * 0.9
    # a crowd on one spot was parted along one line only and squeezed back: 40 people 0.0007 apart
    crowd = network_figures._spread({i: (0.0, 0.0) for i in range(40)})
    assert min(math.dist(crowd[a], crowd[b]) for a, b in itertools.combinations(crowd, 2)) >= 0.9 * 0.2
    off = network_figures._spread({"a": (-1.0, 0.0), "b": (1.0, 0.0), "c": (0.0, 0.0)}, [("a", "b")])
    assert abs(off["c"][1]) >= network_figures.NODE_GAP / 2 * 0.9  # off the line it sat on
    # 80 people do not fit the square 0.2 apart: the last rescaling had brought the nearest to 0.05
    G = nx.gnm_random_graph(80, 160, seed=1)
    spread = network_figures._spread(nx.kamada_kawai_layout(G, pos=nx.spring_layout(G, seed=0)), G.edges)
    nearest = min(math.dist(spread[a], spread[b]) for a, b in itertools.combinations(G, 2))
    assert nearest >= 0.9 * 1.6 / math.sqrt(80) and max(abs(v) for p in spread.values() for v in p) <= 1


def test_who_did_not_respond_is_named_in_the_legend(both: survey.Survey) -> None:
    from matplotlib.figure import Figure

    G = network.contact_graph(both, "daily", municipality="Oppdal")
    assert not all(responded for _, responded in G.nodes(data="responded"))
    ax = Figure().subplots()
    colours = network_figures._function_colours(both)
    network_figures._legend(ax, colours, G, survey.function_labels(both))
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "svarte ikke (kontaktene er andres)" in labels


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
    monkeypatch.setattr(network, "network", lambda *a, **k: pytest.fail("measures computed again"))
    written = network_figures.plot(both, tmp_path, levels=["weekly"], report=report, formats=("png",))
    assert sorted(p.name for p in written) == [
        "oppdal_politisk.png", "oppdal_ukentlig.png", "rissa_politisk.png", "rissa_ukentlig.png"
    ]  # fmt: skip


def test_network_draws_nothing_itself() -> None:
    # the measures module needs no matplotlib: the drawing is all in network_figures
    source = Path(network.__file__).read_text(encoding="utf-8")
    assert "matplotlib" not in source and "def plot(" not in source and "def layout(" not in source


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> survey.Survey:
    """One municipality of LARGE_NETWORK + 20 connected people (a ring with seeded chords) and 3 without
    contact: just above the size where the layout leaves Kamada–Kawai."""
    directory = tmp_path_factory.mktemp("large")
    people = network_figures.LARGE_NETWORK + 23
    ids = [f"P{i:04d}" for i in range(people)]
    connected = people - 3
    rng = random.Random(0)
    ties = [(i, (i + 1) % connected) for i in range(connected)]
    ties += [(i, rng.randrange(connected)) for i in range(connected)]
    people_csv = "id,functions\n" + "".join(f"{p},{'AB'[i % 2]}\n" for i, p in enumerate(ids))
    contacts = "from,to,freq\n" + "".join(f"{ids[a]},{ids[b]},monthly\n" for a, b in ties if a != b)
    return write_survey(directory, "Stor", people_csv, contacts)


def test_a_large_network_gets_a_seeded_spring_layout(
    large: survey.Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        network_figures.nx,
        "kamada_kawai_layout",
        lambda *a, **k: pytest.fail("Kamada–Kawai on a large network"),
    )
    first = network_figures.layout(large, "Stor", seed=0)
    assert set(first) == set(large.respondents["respondent_id"])
    assert first == network_figures.layout(large, "Stor", seed=0)
    connected = [xy for xy in first.values() if xy[1] >= -1.2]
    assert len(connected) == network_figures.LARGE_NETWORK + 20
    assert all(
        -1.0 <= x <= 1.0 and -1.0 <= y <= 1.0 for x, y in connected
    )  # above the line, as Kamada–Kawai's
    alone = [f"P{network_figures.LARGE_NETWORK + 20 + i:04d}" for i in range(3)]
    assert all(first[p][1] < -1.2 for p in alone)  # no contact: set apart below


def test_the_threshold_counts_connected_people(both: survey.Survey, monkeypatch: pytest.MonkeyPatch) -> None:
    called = []
    kamada_kawai = network_figures.nx.kamada_kawai_layout
    monkeypatch.setattr(
        network_figures.nx, "kamada_kawai_layout", lambda *a, **k: called.append(1) or kamada_kawai(*a, **k)
    )
    kept = network_figures.layout(both, "Oppdal", seed=0)
    connected = sum(y >= -1.2 for _, y in kept.values())
    monkeypatch.setattr(network_figures, "LARGE_NETWORK", connected)  # at the threshold: Kamada–Kawai
    assert network_figures.layout(both, "Oppdal", seed=0) == kept and len(called) == 2
    monkeypatch.setattr(network_figures, "LARGE_NETWORK", connected - 1)  # above it: spring layout alone
    spring = network_figures.layout(both, "Oppdal", seed=0)
    assert len(called) == 2 and set(spring) == set(kept) and spring != kept


def test_a_network_of_one_person_is_a_picture_of_the_usual_size(tmp_path: Path) -> None:
    # With nothing to scale by, the picture was 8,164 pixels wide with the person in a corner.
    import warnings

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the survey has no contacts: said elsewhere
        alone = write_survey(tmp_path, "Testby", "id,functions\na,A\n", "from,to,freq\n")
        (picture,) = network_figures.plot(alone, tmp_path / "p", levels=["weekly"], formats=("png",))
    width, height = Image.open(picture).size
    assert width < 1500 and height < 1500


def _drawn_axes(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The axes of every picture :func:`network_figures.plot` draws from now on, by file name; none saved."""
    drawn: dict[str, Any] = {}

    def keep(fig: Any, stem: Path, formats: tuple[str, ...]) -> list[Path]:
        drawn[stem.name] = fig.axes[0]
        return [stem]

    monkeypatch.setattr(network_figures, "save_figure", keep)
    return drawn


def test_the_band_of_people_without_contact_is_drawn_only_when_there_are_some(
    both: survey.Survey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = _drawn_axes(monkeypatch)
    report = network.network(both, ["weekly"])
    network_figures.plot(both, tmp_path, levels=["weekly"], report=report)
    isolates = report.positions.groupby("municipality")["isolate"].any()
    assert isolates["Oppdal"] and not isolates["Rissa"]  # the example has both cases

    def band(name: str) -> bool:
        return any(list(line.get_ydata()) == [-1.2] * 2 for line in drawn[name].get_lines())

    assert band("oppdal_ukentlig") and not band("rissa_ukentlig")  # Rissa drew an empty band


def test_legends_and_political_rows_name_functions_by_their_labels(
    both: survey.Survey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = _drawn_axes(monkeypatch)
    network_figures.plot(both, tmp_path, levels=["weekly"], labels=False)

    def texts(name: str) -> set[str]:
        legend = drawn[name].get_legend()
        return {t.get_text() for t in [*drawn[name].texts, *(legend.get_texts() if legend else [])]}

    # the report's tables say «Økonomiske virkemidler / rådgivning»; the pictures said «Øk. virkemidler»
    assert "Økonomiske virkemidler / rådgivning" in texts("oppdal_ukentlig")
    assert "Øk. virkemidler" not in texts("oppdal_ukentlig") | texts("oppdal_politisk")
    assert set(both.functions["label"]) & texts("oppdal_politisk")
    # one word for it, as the caption and the report's table say it: the legend said «Hovedfunksjon»
    assert drawn["oppdal_ukentlig"].get_legend().get_title().get_text() == "Primærfunksjon"
