"""Pictures of contact networks: each municipality at each level, and its political contacts.

The drawing of :mod:`coder.network`, apart from its measures: the positions and tables come from
:func:`coder.network.network` (pass its ``report`` to draw without computing them again), the pictures are
matplotlib figures made without pyplot (no display, no global state) and written as PNG and SVG.

All levels of a municipality share one layout (:func:`layout`), so the pictures can be compared; people with
no contact at a level are set apart in a row below; nodes are coloured by primary function and brokers get a
black ring.

>>> import tempfile
>>> from coder import survey, network_figures
>>> s = survey.load("examples/oppdal/manifest.yaml")
>>> paths = network_figures.plot(s, Path(tempfile.mkdtemp()) / "figurer", levels=["weekly"])
>>> [p.name for p in paths]
['oppdal_ukentlig.png', 'oppdal_ukentlig.svg', 'oppdal_politisk.png', 'oppdal_politisk.svg']
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import Any

import networkx as nx

from coder import progress
from coder.io import output_directory, save_figure
from coder.network import (
    LEVEL_LABELS,
    TYPE_LABELS,
    Graphs,
    NetworkReport,
    check_levels,
    file_stem,
    graph,
    report_for,
    report_graphs,
)
from coder.survey import FREQUENCY_LABELS, LEVELS, Survey, as_survey, function_groups, function_labels

LARGE_NETWORK = 400
"""Networks of more connected people than this get the seeded spring layout alone, without Kamada–Kawai.

Kamada–Kawai spaces small networks best, but its time grows steeply: about 4 s for 300 people, 13 s for 500,
50 s for 1,000 and 5-6 minutes for 2,000; the spring layout 0.5 s, 6 s and 10-15 s from 500 on
(the layout steps of ``benchmarks/network.py``, see the README). Real municipal networks have 20-300
people and keep Kamada–Kawai, with room to spare."""


def layout(
    survey: Survey, municipality: str, *, seed: int = 0, mutual: bool = False, graphs: Graphs | None = None
) -> dict[Hashable, Any]:
    """One set of node positions per municipality, shared by all levels so pictures can be compared.

    Computed from the monthly network (which contains the others): a Kamada–Kawai layout started from a
    seeded spring layout; networks of more than :data:`LARGE_NETWORK` connected people (400) get the seeded
    spring (Fruchterman–Reingold) layout alone, as Kamada–Kawai takes minutes on thousands. People with no
    contact at all are placed in a row below. ``graphs`` (from :func:`contact_graphs`) saves building the
    monthly graph again.
    """
    G = graph(survey, graphs, municipality, "monthly", mutual)
    connected = G.subgraph([n for n in G if G.degree(n) > 0])
    # Kamada–Kawai spaces small networks evenly and is deterministic; the seeded spring layout seeds it, and
    # alone lays out large networks (readable enough at thousands, minutes faster; see LARGE_NETWORK).
    start = nx.spring_layout(connected, seed=seed) if len(connected) else {}
    small = 1 < len(connected) <= LARGE_NETWORK
    pos = nx.kamada_kawai_layout(connected, pos=start) if small else start
    pos = _spread(pos, connected.edges) if 1 < len(connected) <= SPREAD_LIMIT else pos
    pos = {node: (float(x), float(y)) for node, (x, y) in pos.items()}
    pos.update(_bottom_rows(sorted(n for n in G if n not in pos)))
    return pos


NODE_GAP = 0.2
"""The least distance between two people in a picture, and between a person and a line they are not on
(the layout spans [-1, 1]; a dot is about 0.11 wide): touching dots of two pairs read as a chain of three.
A network too many for the square at this gap gets a smaller one (:func:`_spread`)."""

SPREAD_LIMIT = 150
"""Connected people up to which :func:`_spread` runs (a network of more is too dense for it to help, and
each round is quadratic in its size)."""


def _spread(
    pos: dict[Hashable, Any], edges: Iterable[tuple[Hashable, Hashable]] = (), gap: float = NODE_GAP
) -> dict[Hashable, Any]:
    """Positions pushed apart towards ``gap`` between two people and, in a sparse network (at most two lines
    a person), half of it between a person and a line (``edges``) between two others, in a fixed number of
    rounds, kept within [-1, 1]. The gap shrinks with the number of people (at most 1.6 / sqrt(n): room for
    all in the square); people on one spot or on a line are first moved a hair in a fixed direction, so the
    result is deterministic.

    >>> import math
    >>> spread = _spread({"a": (0.0, 0.0), "b": (0.0, 0.0), "c": (1.0, 1.0)})
    >>> round(math.dist(spread["a"], spread["b"]), 2) >= NODE_GAP * 0.9
    True
    """
    import numpy as np

    nodes = list(pos)
    index = {node: i for i, node in enumerate(nodes)}
    xy = np.array([pos[n] for n in nodes], dtype=float).reshape(-1, 2)
    if not np.isfinite(xy).all():  # a layout that failed: left as it is, not made all NaN
        return pos
    gap = min(gap, 1.6 / math.sqrt(max(len(nodes), 1)))
    ends = np.array([(index[a], index[b]) for a, b in edges if a in index and b in index], dtype=int)
    ends = ends.reshape(-1, 2)
    hair = 1e-4  # the fixed first move of people on one spot or on a line
    # lines only in a sparse network, and only in the first rounds: in a dense one lines pass everywhere
    # and moving people off them pushed people onto each other (Rissa's nearest pair 0.21 -> 0.07)
    lines = len(ends) <= 2 * len(nodes)
    for round_ in range(100):
        apart = xy[:, None, :] - xy[None, :, :]
        distance = np.hypot(apart[..., 0], apart[..., 1])
        same = np.triu(distance < hair, k=1)  # one spot: parted along a direction of the later one's own
        angle = np.nonzero(same)[1] * 2.399963  # the golden angle: a crowd on one spot spreads all round
        apart[same] = hair * np.stack([np.cos(angle), np.sin(angle)], axis=1)
        apart[same.T] = -apart[same]
        distance = np.hypot(apart[..., 0], apart[..., 1])
        np.fill_diagonal(distance, np.inf)
        push = np.clip(gap - distance, 0, None) / 2 / distance  # each moves half the lack
        move = (apart * push[..., None]).sum(axis=1)
        if len(ends) and lines and round_ < 60:
            move += _off_lines(xy, ends, gap / 2, hair)
        if not move.any():
            break
        xy += move
        xy /= max(float(np.abs(xy).max()), 1.0)  # kept in the square each round: no shrinking after
    return {node: tuple(point) for node, point in zip(nodes, xy, strict=True)}


def _off_lines(xy: Any, ends: Any, clearance: float, hair: float) -> Any:
    """The move of each person (rows of ``xy``) off the lines between two others (``ends``: index pairs)
    that pass within ``clearance``: square to the line, by the lack; one on the line itself to its left."""
    import numpy as np

    a, b = xy[ends[:, 0]], xy[ends[:, 1]]
    along = b - a
    length = np.maximum((along**2).sum(axis=1), 1e-12)
    t = ((xy[None, :, :] - a[:, None, :]) * along[:, None, :]).sum(axis=2) / length[:, None]
    nearest = a[:, None, :] + np.clip(t, 0, 1)[..., None] * along[:, None, :]
    off = xy[None, :, :] - nearest
    d = np.hypot(off[..., 0], off[..., 1])
    square = np.stack([-along[:, 1], along[:, 0]], axis=1) / np.sqrt(length)[:, None]
    on = d < hair
    off = np.where(on[..., None], square[:, None, :] * hair, off)
    d = np.where(on, hair, d)
    inside = (t > 0) & (t < 1) & (d < clearance)
    inside[np.arange(len(ends)), ends[:, 0]] = inside[np.arange(len(ends)), ends[:, 1]] = False  # its own
    return (off * np.where(inside, (clearance - d) / d, 0.0)[..., None]).sum(axis=0)


def _bottom_rows(nodes: list[Hashable], per_row: int = 12) -> dict[Hashable, tuple[float, float]]:
    """Positions for nodes set apart below the network, up to ``per_row`` to a row."""
    width = min(len(nodes), per_row)
    return {
        node: (-1.0 + 2.0 * (i % per_row + 0.5) / width, -1.35 - 0.17 * (i // per_row))
        for i, node in enumerate(nodes)
    }


def plot(
    survey: Survey | str | Path,
    directory: str | Path,
    *,
    levels: Iterable[str] = LEVELS,
    mutual: bool = False,
    seed: int = 0,
    report: NetworkReport | None = None,
    formats: tuple[str, ...] = ("png", "svg"),
    labels: bool = True,
) -> list[Path]:
    """Draw each municipality at each level, and its political contacts, as PNG and SVG.

    Nodes are labelled with the person id (``labels``; a report leaves ids out) and coloured by primary
    function; brokers get a black ring; people who did not respond are squares (in the network as others
    named them); people without contact at a level are set apart in a row at the bottom; all levels share
    one layout.
    """
    survey = as_survey(survey)
    # Figures are made without pyplot: no display, no global state, nothing to close.
    from matplotlib.figure import Figure

    levels = check_levels(levels)
    directory = output_directory(directory)
    report = report_for(survey, report, levels, mutual=mutual, seed=seed)
    graphs = report_graphs(report, mutual)
    colours = _function_colours(survey)
    labels_of = function_labels(survey)
    written: list[Path] = []
    # Per municipality: its layout (the slow part on large networks), a picture per level, the political one.
    with progress.step("Layouts and pictures", total=len(survey.municipalities) * (len(levels) + 2)) as bar:
        for municipality in survey.municipalities:
            base = layout(survey, municipality, seed=seed, mutual=mutual, graphs=graphs)
            bar.advance()
            for level in levels:
                G = graph(survey, graphs, municipality, level, mutual)
                table = report.positions[
                    (report.positions.municipality == municipality) & (report.positions.level == level)
                ].set_index("person")
                isolates = sorted(n for n in G if G.degree(n) == 0)
                pos = dict(base)
                pos.update(_bottom_rows(isolates))  # set apart, below the line
                fig = Figure(figsize=(9, 8))
                ax = fig.subplots()
                if isolates:  # the band below the line holds them; without any, no empty band
                    ax.axhline(-1.2, color="0.85", linewidth=0.8)
                for frequency, (style, width) in _EDGE_STYLES.items():
                    edges = [(a, b) for a, b, f in G.edges(data="frequency") if f == frequency]
                    if edges:
                        nx.draw_networkx_edges(
                            G, pos, edgelist=edges, ax=ax, width=width, style=style, edge_color="0.45"
                        )
                brokers = [n for n in G if bool(table.at[n, "broker"])]
                if brokers:
                    nx.draw_networkx_nodes(G, pos, nodelist=brokers, ax=ax, node_size=900, node_color="black")
                # who did not answer is a square: their own contacts are unknown, only others' naming them
                for answered, shape in ((True, "o"), (False, "s")):
                    people = [n for n in G if G.nodes[n]["responded"] == answered]
                    nx.draw_networkx_nodes(
                        G,
                        pos,
                        nodelist=people,
                        ax=ax,
                        node_size=520 if answered else 440,
                        node_shape=shape,
                        node_color=[colours[G.nodes[n]["group"]] for n in people],
                        edgecolors="white",
                        linewidths=1.0,
                    )
                if labels:
                    nx.draw_networkx_labels(G, pos, ax=ax, font_size=7)
                _legend(ax, colours, G, labels_of)
                ties, bridging = (
                    _count(G.number_of_edges(), "kontakt", "er"),
                    _count(len(brokers), "brobygger", "e"),
                )
                ax.set_title(
                    f"{municipality}: {LEVEL_LABELS[level]}  "
                    f"({ties}, {len(isolates)} uten kontakt, {bridging})"
                )
                if isolates:
                    ax.text(-1.0, -1.25, "Uten kontakt på dette nivået:", fontsize=8, color="0.4")
                # The layouts lie within [-1, 1], the people without contact below: fixed limits keep a
                # network of one person (no spread to scale by) a picture of the usual size.
                floor = -1.35 if isolates else -1.05
                lowest = min((y for _, y in pos.values()), default=floor)
                ax.set_xlim(-1.15, 1.15)
                ax.set_ylim(min(lowest, floor) - 0.12, 1.15)
                ax.set_axis_off()
                written += save_figure(fig, directory / file_stem(municipality, level), formats)
                bar.advance()
            written += _plot_political(survey, municipality, directory, colours, labels_of, formats, labels)
            bar.advance()
    return written


def _function_colours(survey: Survey) -> dict[str, Any]:
    import matplotlib

    palette = matplotlib.colormaps["tab20"]
    colours = {f: palette(i % 20) for i, f in enumerate(survey.functions["function"])}
    colours[""] = (0.8, 0.8, 0.8, 1.0)
    return colours


_EDGE_STYLES = {"daily": ("-", 2.4), "weekly": ("-", 1.4), "monthly": (":", 0.9)}


def _count(n: int, word: str, plural_ending: str) -> str:
    """«1 brobygger», «3 brobyggere»."""
    return f"{n} {word}{'' if n == 1 else plural_ending}"


def _legend(ax: Any, colours: dict[str, Any], G: nx.Graph, labels_of: dict[str, str]) -> None:
    """Functions (colours, by their labels as the report's tables), the broker ring and the contact
    frequencies (line styles)."""
    from matplotlib.lines import Line2D

    used = [f for f in colours if f and any(G.nodes[n]["group"] == f for n in G)]
    dot = {"marker": "o", "linestyle": "", "markeredgecolor": "white"}
    handles = [Line2D([], [], markersize=9, markerfacecolor=colours[f], **dot) for f in used]
    labels = [*(labels_of.get(f, f) for f in used), "brobygger"]
    handles.append(Line2D([], [], marker="o", linestyle="", markersize=11, markerfacecolor="white",
                          markeredgecolor="black", markeredgewidth=3))  # fmt: skip
    if not all(responded for _, responded in G.nodes(data="responded")):
        handles.append(Line2D([], [], marker="s", linestyle="", markersize=8, markerfacecolor="0.6",
                              markeredgecolor="white"))  # fmt: skip
        labels.append("svarte ikke (kontaktene er andres)")
    for frequency, (style, width) in _EDGE_STYLES.items():
        handles.append(Line2D([], [], color="0.45", linestyle=style, linewidth=width))
        labels.append(FREQUENCY_LABELS[frequency])
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False,
              title="Primærfunksjon", title_fontsize=8)  # fmt: skip


def _plot_political(
    survey: Survey,
    municipality: str,
    directory: Path,
    colours: dict[str, Any],
    labels_of: dict[str, str],
    formats: tuple[str, ...],
    labels: bool,
) -> list[Path]:
    """People with political contact on the left (without ids, by their primary function's label), bodies
    on the right, lines coloured by contact type."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    contacts = survey.political_contacts[survey.political_contacts.municipality == municipality]
    if contacts.empty:  # nothing to draw
        return []
    groups = function_groups(survey)
    people = sorted(contacts["respondent_id"].unique())
    if not labels:  # people of one function together, in the survey's order of functions
        order = {function: n for n, function in enumerate(survey.functions["function"])}
        people.sort(key=lambda person: order.get(groups.get(person, ""), len(order)))
    bodies = list(dict.fromkeys(contacts["body"]))
    type_colours = dict(zip(TYPE_LABELS, ("tab:blue", "tab:green", "tab:red", "tab:orange"), strict=True))
    fig = Figure(figsize=(8, max(3.0, 0.35 * len(people) + 1)))
    ax = fig.subplots()
    ys = {p: 1 - i / max(len(people) - 1, 1) for i, p in enumerate(people)}
    yb = {b: 1 - i / max(len(bodies) - 1, 1) for i, b in enumerate(bodies)}
    offsets = {t: (i - 1.5) * 0.012 for i, t in enumerate(TYPE_LABELS)}
    for row in contacts.itertuples(index=False):
        off = offsets[row.type]
        ax.plot(
            [0, 1],
            [ys[row.respondent_id] + off, yb[row.body] + off],
            color=type_colours[row.type],
            linewidth=1.4,
            alpha=0.8,
        )
    for p in people:
        ax.scatter(
            [0], [ys[p]], s=260, color=colours.get(groups.get(p, ""), "0.8"), zorder=3, edgecolors="white"
        )
        # Without ids (a report), the person's primary function: what the colour stands for.
        function = groups.get(p, "")
        shown = p if labels else labels_of.get(function, function)
        ax.text(-0.04, ys[p], shown, ha="right", va="center", fontsize=8)
    for b in bodies:
        ax.scatter([1], [yb[b]], s=320, marker="s", color="0.3", zorder=3)
        ax.text(1.04, yb[b], b, ha="left", va="center", fontsize=9)
    handles = [Line2D([], [], color=c, linewidth=2) for c in type_colours.values()]
    ax.legend(
        handles,
        list(TYPE_LABELS.values()),
        loc="lower center",
        bbox_to_anchor=(0.5, -0.18),
        ncol=4,
        fontsize=7,
        frameon=False,
    )
    # A count, not a share: the share of respondents is the report's table (network.political_contacts,
    # the same bodies), which the picture should not repeat in another form.
    ax.set_title(f"{municipality}: politisk kontakt ({len(people)} personer, {len(bodies)} organer)")
    ax.set_xlim(-0.3, 1.5)
    ax.set_axis_off()
    written = save_figure(fig, directory / file_stem(municipality, "political"), formats)
    return written
