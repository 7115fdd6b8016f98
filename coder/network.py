"""Contact networks of a survey: graphs per level, each person's position, and figures per network.

Plain functions over :mod:`networkx` graphs and pandas tables: the measures, their tables and the Gephi
files. The pictures are drawn by :mod:`coder.network_figures`.

Levels are cumulative: ``daily`` holds the daily contacts, ``weekly`` daily + weekly, ``monthly`` daily +
weekly + monthly, as the researchers draw them. A contact reported by either side counts; with
``mutual=True`` both sides must report it (each at that level or more often). Everyone the municipality named
is a node, so people nobody talks to at a level are isolates there.

Groups. A person can hold several functions. Where an analysis needs *one* group per person (Gould–Fernandez
brokerage, colours in pictures) it uses the *primary* function, the first one listed in the respondents file.
Krackhardt's E-I index instead counts a tie as internal when the two people share *any* function, so a
person with several functions belongs to each of their groups.

>>> from pathlib import Path
>>> import coder
>>> from coder import survey, network
>>> s = survey.load(Path(coder.__file__).parents[1] / "examples" / "oppdal" / "manifest.yaml")
>>> network.positions(s, "weekly").query("isolate").person.tolist()
['O07', 'O23', 'O25', 'O26', 'O27', 'O28']
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse.csgraph import connected_components

from coder import progress
from coder.errors import CoderError
from coder.io import atomic_write, output_directory, slug, write_table, xml_text
from coder.survey import DEFAULT_BODIES, LEVELS, DataWarning, Survey, as_survey

ROLES: tuple[str, ...] = ("coordinator", "gatekeeper", "representative", "consultant", "liaison")
"""Gould–Fernandez brokerage roles, in the order of their 1989 paper."""

BROKER_BETWEENNESS = 0.1
"""Default threshold on normalised betweenness for the broker flag (see :func:`positions`)."""

LEVEL_LABELS = {"daily": "Daglig", "weekly": "Daglig + ukentlig", "monthly": "Daglig + ukentlig + månedlig"}
TYPE_LABELS = {
    "gives_information": "gir informasjon",
    "gets_information": "får informasjon",
    "political_discussion": "politisk diskusjon",
    "professional_discussion": "faglig diskusjon",
}
"""Political contact types and their Norwegian labels, in the order of the questionnaire."""

EXPORT_FORMATS: tuple[str, ...] = ("graphml", "gexf")
"""The file formats :func:`export` writes (for Gephi)."""


def check_level(level: str) -> str:
    """One contact level, checked: a CoderError unless ``daily``, ``weekly`` or ``monthly`` (not ``all``).

    >>> check_level("weekly")
    'weekly'
    """
    if level not in LEVELS:
        raise CoderError(f"unknown level '{level}' (use {', '.join(LEVELS)})", key="level")
    return level


def check_levels(levels: Iterable[str]) -> tuple[str, ...]:
    """The levels as a tuple, checked (check options before any work).

    Parameters
    ----------
    levels : iterable of str
        Each of ``daily``, ``weekly``, ``monthly``; ``all`` stands for the three.

    Returns
    -------
    tuple of str

    Raises
    ------
    CoderError
        For an unknown level.

    Examples
    --------
    >>> check_levels(["daily", "weekly"]), check_levels(["all"])
    (('daily', 'weekly'), ('daily', 'weekly', 'monthly'))
    >>> check_levels(["yearly"])
    Traceback (most recent call last):
    ...
    coder.errors.CoderError: key 'level': unknown level 'yearly' (use daily, weekly, monthly or all)
    """
    checked: list[str] = []
    for level in levels:
        if level != "all" and level not in LEVELS:
            raise CoderError(f"unknown level '{level}' (use {', '.join(LEVELS)} or all)", key="level")
        checked += LEVELS if level == "all" else [level]
    return tuple(dict.fromkeys(checked))


def _check_broker_betweenness(value: float) -> None:
    if not 0.0 <= value <= 1.0:  # normalised betweenness; also false for NaN
        raise CoderError(f"must be between 0 and 1, got {value}", key="broker_betweenness")


def check_export_format(fmt: str) -> str:
    """The export format, checked (check options before any work).

    Parameters
    ----------
    fmt : str
        ``graphml`` or ``gexf`` (:data:`EXPORT_FORMATS`).

    Returns
    -------
    str
        ``fmt``.

    Raises
    ------
    CoderError
        For another format.

    Examples
    --------
    >>> check_export_format("gexf")
    'gexf'
    """
    if fmt not in EXPORT_FORMATS:
        known = " or ".join(EXPORT_FORMATS)
        raise CoderError(f"unknown export format '{fmt}' (use {known})", key="export_format")
    return fmt


# ---------------------------------------------------------------------------------------------------------
# Graphs
# ---------------------------------------------------------------------------------------------------------


def contact_graph(
    survey: Survey | str | Path,
    level: str = "weekly",
    *,
    mutual: bool = False,
    municipality: str | None = None,
) -> nx.Graph:
    """The undirected contact network at ``level`` (cumulative), of one municipality or all.

    A contact reported by either side counts, at its most frequent level; with ``mutual`` both sides must
    report it (each at that level or more often). Everyone the municipality named is a node.

    Parameters
    ----------
    survey : coder.survey.Survey
        A loaded survey.
    level : str, default "weekly"
        ``daily``, ``weekly`` (daily + weekly) or ``monthly`` (daily + weekly + monthly).
    mutual : bool, default False
        Keep only the ties both people reported.
    municipality : str, optional
        One municipality (default ``None``: everyone in the survey).

    Returns
    -------
    networkx.Graph
        Nodes carry ``label``, ``municipality``, ``functions`` (tuple), ``group`` (primary function) and
        ``responded``; edges carry ``frequency``, the most frequent level at which the tie exists.

    Raises
    ------
    CoderError
        For an unknown level or municipality.

    Examples
    --------
    >>> from pathlib import Path
    >>> import coder
    >>> from coder import survey
    >>> s = survey.load(Path(coder.__file__).parents[1] / "examples" / "oppdal" / "manifest.yaml")
    >>> G = contact_graph(s, "daily", municipality="Oppdal")
    >>> G.number_of_nodes(), G.number_of_edges()
    (29, 4)
    """
    survey = as_survey(survey)
    check_level(level)
    people = survey.respondents
    if municipality is not None:
        if municipality not in survey.municipalities:
            known = ", ".join(survey.municipalities)
            raise CoderError(f"unknown municipality '{municipality}' (the survey has: {known})")
        people = people[people["municipality"] == municipality]
    G = nx.Graph()
    for person in people.itertuples(index=False):
        G.add_node(
            person.respondent_id,
            label=person.label,
            municipality=person.municipality,
            functions=tuple(person.functions),
            group=person.functions[0] if person.functions else "",
            responded=bool(person.responded),
        )
    rank = LEVELS.index(level)
    reported: dict[tuple[str, str], int] = {}
    contacts = survey.contacts
    if municipality is not None:  # its own reports: each report is read once, not once a municipality
        contacts = contacts[contacts["source"].isin(people["respondent_id"])]
    for contact in contacts.itertuples(index=False):
        if contact.source in G and contact.target in G:
            reported[(contact.source, contact.target)] = LEVELS.index(contact.frequency)
    for (a, b), r_ab in reported.items():
        r_ba = reported.get((b, a))
        if mutual:
            if r_ba is None or a > b:  # each mutual pair once
                continue
            tie = max(r_ab, r_ba)  # both must report it at this level
        else:
            tie = r_ab if r_ba is None else min(r_ab, r_ba)  # either side counts, at its most frequent
        if tie <= rank:
            G.add_edge(a, b, frequency=LEVELS[tie])
    return G


Graphs = dict[tuple[str, str], nx.Graph]
"""Contact graphs by (municipality, level), as :func:`contact_graphs` builds them."""


def contact_graphs(
    survey: Survey | str | Path, levels: Iterable[str] = LEVELS, *, mutual: bool = False
) -> Graphs:
    """:func:`contact_graph` of every municipality at every level, built once for all the tables and files.

    Parameters
    ----------
    survey : coder.survey.Survey or path
        A loaded survey, or its manifest.
    levels : iterable of str, default ("daily", "weekly", "monthly")
        The levels.
    mutual : bool, default False
        Keep only the ties both people reported.

    Returns
    -------
    dict of (str, str) to networkx.Graph
        By (municipality, level).

    Examples
    --------
    >>> from pathlib import Path
    >>> import coder
    >>> from coder import survey
    >>> s = survey.load(Path(coder.__file__).parents[1] / "examples" / "oppdal" / "manifest.yaml")
    >>> graphs = contact_graphs(s, ["weekly"])
    >>> list(graphs), graphs["Oppdal", "weekly"].number_of_nodes()
    ([('Oppdal', 'weekly')], 29)
    """
    survey = as_survey(survey)
    return {
        (municipality, level): contact_graph(survey, level, mutual=mutual, municipality=municipality)
        for level in check_levels(levels)
        for municipality in survey.municipalities
    }


def graph(survey: Survey, graphs: Graphs | None, municipality: str, level: str, mutual: bool) -> nx.Graph:
    """The contact graph of ``municipality`` at ``level``: from ``graphs`` if there, else built now."""
    if graphs is not None and (municipality, level) in graphs:
        return graphs[(municipality, level)]
    return contact_graph(survey, level, mutual=mutual, municipality=municipality)


# ---------------------------------------------------------------------------------------------------------
# Measures on one graph
# ---------------------------------------------------------------------------------------------------------


def brokerage(G: nx.Graph, group: str = "group") -> dict[Hashable, dict[str, int]]:
    """Gould–Fernandez brokerage roles of every node, counted over open two-paths ``a → b → c``.

    For every broker ``b`` and every ordered pair of distinct nodes ``a``, ``c`` with ties ``a → b`` and
    ``b → c`` but no tie ``a → c``, the pair counts towards one role of ``b``, by the ``group`` node
    attribute [1]_:

    - coordinator: a, b and c in the same group;
    - gatekeeper: a outside, b and c in the same group (b decides what comes into the group);
    - representative: a and b in the same group, c outside (b speaks for the group);
    - consultant (itinerant broker): a and c in the same group, b in another;
    - liaison: a, b and c in three different groups.

    An undirected graph is read as ties in both directions, so each open pair is counted once from each
    end: coordinator, consultant and liaison counts are even, and gatekeeper equals representative. The
    counts are raw (not compared with their expected values under random group assignment).

    Parameters
    ----------
    G : networkx.Graph or networkx.DiGraph
        The ties.
    group : str, default "group"
        The node attribute that names each node's group (a node without it is in the group ``None``).

    Returns
    -------
    dict
        node -> ``{role: count}`` with the roles of :data:`ROLES`, in that order.

    References
    ----------
    .. [1] R. V. Gould and R. M. Fernandez, "Structures of mediation: a formal approach to brokerage in
       transaction networks", Sociological Methodology, 19, pp. 89-126, 1989.

    Examples
    --------
    >>> G = nx.path_graph(["a", "b", "c"], create_using=nx.DiGraph)
    >>> nx.set_node_attributes(G, {"a": "NAV", "b": "NAV", "c": "Helse"}, "group")
    >>> brokerage(G)["b"]
    {'coordinator': 0, 'gatekeeper': 0, 'representative': 1, 'consultant': 0, 'liaison': 0}

    Undirected, the open pair is counted from both ends:

    >>> brokerage(G.to_undirected())["b"]
    {'coordinator': 0, 'gatekeeper': 1, 'representative': 1, 'consultant': 0, 'liaison': 0}
    """
    groups = nx.get_node_attributes(G, group)
    # Ties in: predecessors; ties out: successors; an undirected neighbour is both.
    ins, outs = (G.pred, G.succ) if G.is_directed() else (G.adj, G.adj)
    out_sets = {node: set(outs[node]) for node in G}  # sets intersect in C
    roles = {node: dict.fromkeys(ROLES, 0) for node in G}
    for b in G:
        gb, out, counts = groups.get(b), out_sets[b], roles[b]
        out_groups = Counter(groups.get(c) for c in out)
        for a in ins[b]:
            ga = groups.get(a)
            # The pairs a → b → c closed by a tie a → c (or with c = a) are not open: leave them out of
            # the counts of b's out-neighbours by group, instead of testing every c (a clustered graph
            # has far fewer closed pairs than pairs).
            closed = out & out_sets[a]
            if a in out:
                closed.add(a)
            open_pairs = len(out) - len(closed)
            to_b, to_a = out_groups[gb], out_groups[ga]  # c in b's group, c in a's group
            for c in closed:
                gc = groups.get(c)
                to_b -= gc == gb
                to_a -= gc == ga
            if ga == gb:
                counts["coordinator"] += to_b
                counts["representative"] += open_pairs - to_b
            else:
                counts["gatekeeper"] += to_b
                counts["consultant"] += to_a
                counts["liaison"] += open_pairs - to_b - to_a
    return roles


@nx.utils.not_implemented_for("directed")
@nx.utils.not_implemented_for("multigraph")
def degree_centralization(G: nx.Graph) -> float:
    """Freeman's degree centralization of an undirected graph.

    ``sum(max degree - degree) / ((n - 1)(n - 2))`` [1]_: how far the graph is from the most centralized
    graph of its size, the star.

    Parameters
    ----------
    G : networkx.Graph
        Undirected.

    Returns
    -------
    float
        1 for a star, 0 when all degrees are equal; ``nan`` below 3 nodes.

    References
    ----------
    .. [1] L. C. Freeman, "Centrality in social networks: conceptual clarification", Social Networks, 1(3),
       pp. 215-239, 1979.

    Examples
    --------
    >>> degree_centralization(nx.star_graph(5)), degree_centralization(nx.cycle_graph(6))
    (1.0, 0.0)
    >>> degree_centralization(nx.path_graph(2))
    nan
    """
    n = G.number_of_nodes()
    if n < 3:
        return math.nan
    degrees = [d for _, d in G.degree()]
    top = max(degrees)
    return sum(top - d for d in degrees) / ((n - 1) * (n - 2))


def _has_group(value: Any) -> bool:
    if isinstance(value, tuple | list | set | frozenset | str):
        return len(value) > 0
    return value is not None


def ei_index(G: nx.Graph, same: Callable[[Hashable, Hashable], bool] | str = "functions") -> float:
    """Krackhardt's E-I index: (external − internal) / all ties.

    Parameters
    ----------
    G : networkx.Graph
        The ties.
    same : str or callable, default "functions"
        Whether two nodes are in the same group: a node attribute name (two nodes share a group when the
        attribute values are equal, or, for tuples/sets, when they share a member) or a function of two
        nodes.

    Returns
    -------
    float
        −1 when every tie is within a group, +1 when every tie crosses groups; ``nan`` without ties.
        With an attribute name, a tie to a node without the attribute (or with an empty one) is left out:
        its group is unknown, so the tie is neither internal nor external.

    References
    ----------
    .. [1] D. Krackhardt and R. N. Stern, "Informal networks and organizational crises: an experimental
       simulation", Social Psychology Quarterly, 51(2), pp. 123-140, 1988.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c")])
    >>> nx.set_node_attributes(G, {"a": ("NAV",), "b": ("NAV", "Helse"), "c": ("Drift",)}, "functions")
    >>> ei_index(G)
    0.0
    >>> ei_index(G, same=lambda a, b: True)
    -1.0
    """
    edges = list(G.edges())
    if isinstance(same, str):
        attribute = same
        known = {node for node, value in G.nodes(data=attribute) if _has_group(value)}
        edges = [(a, b) for a, b in edges if a in known and b in known]

        def same(a: Hashable, b: Hashable) -> bool:
            x, y = G.nodes[a][attribute], G.nodes[b][attribute]
            if isinstance(x, tuple | list | set | frozenset) and isinstance(
                y, tuple | list | set | frozenset
            ):
                return bool(set(x) & set(y))
            return x == y

    internal = sum(1 for a, b in edges if same(a, b))
    total = len(edges)
    return (total - 2 * internal) / total if total else math.nan


def _component_order(component: set[Hashable]) -> tuple[int, Any]:
    return -len(component), min(component)


def largest_component(G: nx.Graph) -> set[Hashable]:
    """The nodes of the largest connected component; of two as large, the one with the smallest id (C1).

    >>> sorted(largest_component(nx.Graph([("b", "c"), ("c", "d"), ("x", "a"), ("a", "y")])))
    ['a', 'x', 'y']
    """
    return min(nx.connected_components(G), key=_component_order)


def shape_likeness(G: nx.Graph, *, paths: Paths | None = None) -> dict[str, float]:
    """How star-, circle- and line-like the largest component is; each is 1 exactly for its pure shape.

    With ``n`` nodes in the largest component:

    - ``star``: Freeman degree centralization (1 only for a star; a line scores ``2/((n−1)(n−2))``);
    - ``circle``: share of nodes lying on a cycle × share of nodes with exactly two ties (1 only for a
      cycle; 0 for trees such as stars and lines);
    - ``line``: diameter / (n − 1) (1 only for a path; a circle scores about ½, a star ``2/(n−1)``).

    Parameters
    ----------
    G : networkx.Graph
        Undirected.
    paths : Paths, optional
        :func:`shortest_paths` of ``G``, to save computing the diameter again (default ``None``).

    Returns
    -------
    dict of str to float
        ``star``, ``circle``, ``line``; ``nan`` each when the largest component has fewer than three nodes
        (the shapes cannot be told apart there).

    Examples
    --------
    >>> {k: round(v, 2) for k, v in shape_likeness(nx.cycle_graph(8)).items()}
    {'star': 0.0, 'circle': 1.0, 'line': 0.57}
    >>> shape_likeness(nx.path_graph(5))["line"]
    1.0
    """
    if G.number_of_nodes() == 0:
        return {"star": math.nan, "circle": math.nan, "line": math.nan}
    H = G.subgraph(largest_component(G))
    n = H.number_of_nodes()
    if n < 3:
        return {"star": math.nan, "circle": math.nan, "line": math.nan}
    # A node lies on a cycle when its block (biconnected component) is more than one tie, or it has a
    # self-loop: the nodes of a cycle basis, found in linear time.
    on_cycle = {node for block in nx.biconnected_components(H) if len(block) > 2 for node in block}
    on_cycle.update(nx.nodes_with_selfloops(H))
    two = sum(1 for _, d in H.degree() if d == 2)
    if paths is None:
        paths = shortest_paths(H, betweenness=False)
    return {
        "star": degree_centralization(H),
        "circle": (len(on_cycle) / n) * (two / n),
        "line": paths.diameter(H) / (n - 1),
    }


def harmonic_centrality(G: nx.Graph) -> dict[Hashable, float]:
    """Harmonic centrality: the sum of 1/distance to every other reachable node (not normalised).

    As networkx defines it [1]_, but correctly rounded, as :func:`math.fsum` sums, which does not depend on
    the order of the terms: networkx sums in the order of a set of nodes, which changes with Python's
    string hashing from run to run, and so did the last digit of the result. Computed by
    :func:`shortest_paths`.

    Parameters
    ----------
    G : networkx.Graph
        Undirected.

    Returns
    -------
    dict
        node -> float (0 for an isolate).

    References
    ----------
    .. [1] M. Marchiori and V. Latora, "Harmony in the small-world", Physica A, 285(3-4), pp. 539-546, 2000.

    Examples
    --------
    >>> harmonic_centrality(nx.path_graph(3))
    {0: 1.5, 1: 2.0, 2: 1.5}
    """
    return shortest_paths(G, betweenness=False).harmonic


def communities(G: nx.Graph, seed: int = 0) -> dict[Hashable, str]:
    """Louvain communities, named K1, K2, ... by size, then by smallest member.

    Parameters
    ----------
    G : networkx.Graph
        Undirected.
    seed : int, default 0
        The seed of :func:`networkx.community.louvain_communities` [1]_, so the result is the same every run.

    Returns
    -------
    dict
        node -> community name; isolates are communities of their own.

    References
    ----------
    .. [1] V. D. Blondel, J.-L. Guillaume, R. Lambiotte and E. Lefebvre, "Fast unfolding of communities in
       large networks", Journal of Statistical Mechanics, P10008, 2008.

    Examples
    --------
    >>> sorted(communities(nx.Graph([("a", "b"), ("c", "d"), ("d", "e")])).items())
    [('a', 'K2'), ('b', 'K2'), ('c', 'K1'), ('d', 'K1'), ('e', 'K1')]
    """
    found = nx.community.louvain_communities(G, seed=seed) if G.number_of_nodes() else []
    ordered = sorted(found, key=lambda c: (-len(c), min(map(str, c))))
    return {node: f"K{i}" for i, members in enumerate(ordered, start=1) for node in members}


# ---------------------------------------------------------------------------------------------------------
# Shortest paths: one pass over all sources for betweenness, closeness, diameter and mean path length
# ---------------------------------------------------------------------------------------------------------

NETWORKX_BETWEENNESS_NODES = 200
"""Graphs of at most this many nodes take their betweenness from :func:`networkx.betweenness_centrality`
(the same figures to the last bit as always); larger ones from :func:`shortest_paths`, which agrees up to
rounding (relative difference about 1e-14) and is 20 to 100 times faster from a few hundred nodes on."""

_BATCH_CELLS = 200_000
"""Nodes × sources in one batch of :func:`shortest_paths`: about 10 MB of arrays, which stay in the
processor's cache; the fastest of the sizes tried on 5,000 nodes (larger batches fall out of it)."""


@dataclass(frozen=True, eq=False)
class Paths:
    """Shortest-path figures of every node of one graph, as :func:`shortest_paths` computes them.

    - ``betweenness``: normalised, as :func:`networkx.betweenness_centrality` (None when not asked for);
    - ``harmonic``: the sum of 1/distance to every other reachable node, as :func:`harmonic_centrality`;
    - ``eccentricity``: the largest distance to a node of the same component (0 for an isolate);
    - ``distance_sum``: the sum of the distances to the nodes of the same component.
    """

    betweenness: dict[Hashable, float] | None
    harmonic: dict[Hashable, float]
    eccentricity: dict[Hashable, int]
    distance_sum: dict[Hashable, int]

    def diameter(self, component: Iterable[Hashable]) -> int:
        """The diameter of a connected component: its largest eccentricity.

        Parameters
        ----------
        component : iterable of hashable
            The nodes of one connected component of the graph these figures were computed for (at least
            one node; an isolate alone has diameter 0).

        Returns
        -------
        int
            The largest distance between two nodes of the component.

        Examples
        --------
        >>> p = shortest_paths(nx.Graph([(0, 1), (1, 2), (3, 4)]), betweenness=False)
        >>> p.diameter([0, 1, 2]), p.diameter([3, 4]), p.diameter({0, 1, 2})
        (2, 1, 2)
        """
        return max(self.eccentricity[node] for node in component)

    def mean_path_length(self, component: Collection[Hashable]) -> float:
        """The mean distance between two nodes of a connected component of at least two nodes.

        Summed as integers and divided once, like :func:`networkx.average_shortest_path_length`.

        Parameters
        ----------
        component : collection of hashable
            The nodes of one connected component of the graph these figures were computed for, each once
            (at least two nodes: there is no distance in a component of one).

        Returns
        -------
        float
            The mean of the distances over all ordered pairs of different nodes of the component.

        Examples
        --------
        >>> p = shortest_paths(nx.Graph([(0, 1), (1, 2), (3, 4)]), betweenness=False)
        >>> p.mean_path_length([0, 1, 2]), p.mean_path_length([3, 4])
        (1.3333333333333333, 1.0)
        """
        n = len(component)
        return sum(self.distance_sum[node] for node in component) / (n * (n - 1))


@nx.utils.not_implemented_for("directed")  # one decorator with both would refuse only directed multigraphs
@nx.utils.not_implemented_for("multigraph")
def shortest_paths(G: nx.Graph, *, betweenness: bool = True) -> Paths:
    """Betweenness, harmonic closeness, eccentricities and distance sums, from one pass over all sources.

    A breadth-first search from every node, run for a batch of sources at once as sparse matrix products
    (scipy, in C) within each connected component: path counts and distances forward, level by level,
    then Brandes's dependencies [2]_ back, level by level. Exact: distances, eccentricities and their sums
    are integers; ``harmonic`` is the correctly rounded sum of 1/distance, equal to
    :func:`harmonic_centrality` and to :func:`math.fsum` of the terms to the last bit; ``betweenness``
    (Freeman's [1]_, normalised) sums the same terms as :func:`networkx.betweenness_centrality` in another
    order (it comes from networkx itself on graphs of at most :data:`NETWORKX_BETWEENNESS_NODES` nodes).
    Time grows with nodes × ties × diameter, memory with nodes only: 5,000 people with 40,000 ties take
    about two seconds.

    Parameters
    ----------
    G : networkx.Graph
        Undirected, not a multigraph.
    betweenness : bool, default True
        Also compute betweenness (the backward pass).

    Returns
    -------
    Paths

    References
    ----------
    .. [1] L. C. Freeman, "A set of measures of centrality based on betweenness", Sociometry, 40(1),
       pp. 35-41, 1977.
    .. [2] U. Brandes, "A faster algorithm for betweenness centrality", Journal of Mathematical Sociology,
       25(2), pp. 163-177, 2001.

    Examples
    --------
    >>> p = shortest_paths(nx.path_graph(4))
    >>> p.betweenness
    {0: 0.0, 1: 0.6666666666666666, 2: 0.6666666666666666, 3: 0.0}
    >>> p.harmonic[0], p.eccentricity, p.diameter(range(4)), p.mean_path_length(range(4))
    (1.8333333333333333, {0: 3, 1: 2, 2: 2, 3: 3}, 3, 1.6666666666666667)
    >>> shortest_paths(nx.path_graph(4), betweenness=False).betweenness is None
    True
    """
    nodes = list(G)
    n = len(nodes)
    between = np.zeros(n)
    harmonic = [0.0] * n
    eccentricity = np.zeros(n, dtype=np.int64)
    distance_sum = np.zeros(n, dtype=np.int64)
    with progress.step("Shortest paths from each person", total=n) as bar:
        if n:
            A = nx.to_scipy_sparse_array(G, nodelist=nodes, weight=None, dtype=np.float64, format="csr")
            _, labels = connected_components(A, directed=False)
            for members in np.split(np.argsort(labels, kind="stable"), np.cumsum(np.bincount(labels))[:-1]):
                if len(members) == 1:  # an isolate: no paths, all figures 0
                    bar.advance()
                    continue
                Ac = A[members][:, members].tocsr()
                batch = max(1, _BATCH_CELLS // len(members))
                for start in range(0, len(members), batch):
                    sources = np.arange(start, min(start + batch, len(members)))
                    counts, dependency = _sweep(Ac, sources, betweenness)
                    if dependency is not None:
                        between[members] += dependency
                    done = members[sources]
                    levels = np.arange(counts.shape[1])
                    eccentricity[done] = counts.shape[1] - 1 - np.argmax(counts[:, ::-1] > 0, axis=1)
                    distance_sum[done] = counts @ levels
                    for node, row in zip(done.tolist(), counts.tolist(), strict=True):
                        harmonic[node] = _harmonic_sum(row)
                    bar.advance(len(sources))
    if not betweenness:
        scores = None
    elif n <= NETWORKX_BETWEENNESS_NODES:
        scores = nx.betweenness_centrality(G, normalized=True)
    else:
        # Normalised by the (n − 1)(n − 2) ordered pairs of other nodes, as networkx does from 3 nodes on.
        scores = dict(zip(nodes, (between / max((n - 1) * (n - 2), 1)).tolist(), strict=True))
    return Paths(
        betweenness=scores,
        harmonic=dict(zip(nodes, harmonic, strict=True)),
        eccentricity=dict(zip(nodes, eccentricity.tolist(), strict=True)),
        distance_sum=dict(zip(nodes, distance_sum.tolist(), strict=True)),
    )


def _sweep(A: Any, sources: np.ndarray, dependencies: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Breadth-first searches from ``sources`` in the connected graph with adjacency matrix ``A``.

    Returns, per source, how many nodes lie at each distance (a sources × levels array; the source itself
    at 0), and, if asked, each node's dependency summed over the sources (Brandes 2001: the betweenness
    before normalising). Arrays are nodes × sources, so one sparse product advances every search a level.
    """
    m, k = A.shape[0], len(sources)
    columns = np.arange(k)
    sigma = np.zeros((m, k))  # shortest paths from each source to each node
    sigma[sources, columns] = 1.0
    distance = np.zeros((m, k), dtype=np.int16 if m < 2**15 else np.int32)  # half the memory traffic
    unseen = np.empty((m, k), dtype=bool)
    frontier = sigma.copy()
    depth = 0
    while True:
        np.equal(sigma, 0, out=unseen)
        if not unseen.any():
            break
        depth += 1
        distance += unseen  # a node's distance: the number of levels it was not yet reached at
        frontier = A @ frontier
        frontier *= unseen
        sigma += frontier
    counts = np.bincount((distance + columns * (depth + 1)).ravel(), minlength=k * (depth + 1))
    counts = counts.reshape(k, depth + 1)
    if not dependencies:
        return counts, None
    delta = np.zeros((m, k))
    coefficient = np.empty((m, k))
    at, below = distance == depth, np.empty((m, k), dtype=bool)
    for level in range(depth, 1, -1):  # the sources (level 0) get no dependency of their own
        # Brandes: delta[v] += sigma[v] / sigma[w] * (1 + delta[w]) for each w one level further than v.
        np.add(delta, 1.0, out=coefficient)
        coefficient /= sigma
        coefficient *= at
        pulled = A @ coefficient
        np.equal(distance, level - 1, out=below)
        pulled *= sigma
        pulled *= below
        delta += pulled
        at, below = below, at
    return counts, delta.sum(axis=1)


def _harmonic_sum(counts: list[int]) -> float:
    """Σ counts[d] × (1/d) over d ≥ 1, correctly rounded: what :func:`math.fsum` gives for the terms.

    Each 1/d is a float, an integer over a power of two; the sum is taken exactly over the largest of
    those powers and divided once (integer division by ``/`` is correctly rounded).
    """
    terms = [(c, (1.0 / d).as_integer_ratio()) for d, c in enumerate(counts) if d and c]
    if not terms:
        return 0.0
    scale = max(denominator for _, (_, denominator) in terms)
    return sum(c * numerator * (scale // denominator) for c, (numerator, denominator) in terms) / scale


PathsByGraph = dict[tuple[str, str], Paths]
"""Shortest-path figures by (municipality, level), as :func:`paths_of` computes them."""


def paths_of(graphs: Graphs, *, betweenness: bool = True) -> PathsByGraph:
    """:func:`shortest_paths` of every graph, computed once for the positions and the network figures.

    Parameters
    ----------
    graphs : dict of (str, str) to networkx.Graph
        From :func:`contact_graphs`.
    betweenness : bool, default True
        Also compute betweenness.

    Returns
    -------
    dict of (str, str) to Paths
        By (municipality, level), as ``graphs``.

    Examples
    --------
    >>> from pathlib import Path
    >>> import coder
    >>> from coder import survey
    >>> s = survey.load(Path(coder.__file__).parents[1] / "examples" / "oppdal" / "manifest.yaml")
    >>> oppdal = paths_of(contact_graphs(s, ["weekly"]))["Oppdal", "weekly"]
    >>> oppdal.eccentricity["O01"], oppdal.harmonic["O01"]
    (2, 3.5)
    """
    return {
        key: shortest_paths(G, betweenness=betweenness)
        for key, G in progress.track(graphs.items(), "Shortest paths per network")
    }


def _paths(
    paths: PathsByGraph | None, municipality: str, level: str, G: nx.Graph, *, betweenness: bool
) -> Paths:
    """The figures from ``paths`` when they are there (with betweenness if asked for), else computed now."""
    found = paths.get((municipality, level)) if paths is not None else None
    if found is None or (betweenness and found.betweenness is None):
        found = shortest_paths(G, betweenness=betweenness)
    return found


# ---------------------------------------------------------------------------------------------------------
# Tables over a survey
# ---------------------------------------------------------------------------------------------------------

POSITION_COLUMNS = [
    "municipality",
    "level",
    "person",
    "label",
    "functions",
    "group",
    "responded",
    "degree",
    "betweenness",
    "harmonic_closeness",
    "isolate",
    "component",
    "component_size",
    "community",
    "broker",
    *ROLES,
    "brokerage",
    "political_contact",
]


def positions(
    survey: Survey | str | Path,
    level: str = "weekly",
    *,
    mutual: bool = False,
    seed: int = 0,
    broker_betweenness: float = BROKER_BETWEENNESS,
    graphs: Graphs | None = None,
    paths: PathsByGraph | None = None,
) -> pd.DataFrame:
    """Each person's position at ``level``: one row per person (and municipality).

    A person is a *broker* when their normalised betweenness is at least ``broker_betweenness`` and they
    have a contact in another community than their own: they lie on many shortest paths, and those paths
    join groups that otherwise talk among themselves.

    Parameters
    ----------
    survey : coder.survey.Survey or path
        A loaded survey, or its manifest.
    level : str, default "weekly"
        The contact level (see :func:`contact_graph`).
    mutual : bool, default False
        Keep only the ties both people reported.
    seed : int, default 0
        The seed of the community detection (:func:`communities`).
    broker_betweenness : float, default :data:`BROKER_BETWEENNESS`
        The least normalised betweenness of a broker.
    graphs : dict, optional
        From :func:`contact_graphs` with the same ``mutual``, to save building the graphs again.
    paths : dict, optional
        From :func:`paths_of` those graphs, to save searching their paths again.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`POSITION_COLUMNS`: ``degree``; ``betweenness`` (Freeman's, normalised, see
        :func:`shortest_paths`); ``harmonic_closeness`` (normalised by n − 1, so isolates score 0 and
        disconnected networks still compare); ``isolate``; ``component`` (C1 the largest) and its size;
        Louvain ``community``; the five Gould–Fernandez role counts of :func:`brokerage` (groups = primary
        function) and their sum across groups (``brokerage``, coordinator left out); ``broker``;
        ``political_contact`` (any declared body).

    Examples
    --------
    >>> from pathlib import Path
    >>> import coder
    >>> from coder import survey
    >>> s = survey.load(Path(coder.__file__).parents[1] / "examples" / "oppdal" / "manifest.yaml")
    >>> table = positions(s, "weekly")
    >>> table.query("isolate").person.tolist()
    ['O07', 'O23', 'O25', 'O26', 'O27', 'O28']
    >>> table.loc[table.person == "O01", ["degree", "component", "broker"]].values.tolist()
    [[3, 'C2', False]]
    """
    survey = as_survey(survey)
    check_level(level)
    _check_broker_betweenness(broker_betweenness)
    political = set(survey.political_contacts["respondent_id"])
    frames = []
    for municipality in survey.municipalities:
        G = graph(survey, graphs, municipality, level, mutual)
        n = G.number_of_nodes()
        found = _paths(paths, municipality, level, G, betweenness=True)
        betweenness, harmonic = found.betweenness, found.harmonic
        components = sorted(nx.connected_components(G), key=_component_order)
        component_of = {node: (f"C{i}", len(c)) for i, c in enumerate(components, start=1) for node in c}
        community = communities(G, seed=seed)
        roles = brokerage(G)
        rows = []
        for node, data in G.nodes(data=True):
            crosses = any(community[other] != community[node] for other in G[node])
            row = {
                "municipality": municipality,
                "level": level,
                "person": node,
                "label": data["label"],
                "functions": ";".join(data["functions"]),
                "group": data["group"],
                "responded": data["responded"],
                "degree": G.degree(node),
                "betweenness": betweenness[node],
                "harmonic_closeness": harmonic[node] / (n - 1) if n > 1 else 0.0,
                "isolate": G.degree(node) == 0,
                "component": component_of[node][0],
                "component_size": component_of[node][1],
                "community": community[node],
                "broker": betweenness[node] >= broker_betweenness and crosses,
                **roles[node],
                "brokerage": sum(roles[node][r] for r in ROLES if r != "coordinator"),
                "political_contact": node in political,
            }
            rows.append(row)
        frames.append(pd.DataFrame(rows, columns=POSITION_COLUMNS))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=POSITION_COLUMNS)


SUMMARY_COLUMNS = [
    "municipality",
    "level",
    "people",
    "ties",
    "density",
    "components",
    "isolates",
    "largest_component",
    "mean_path_length",
    "diameter",
    "degree_centralization",
    "communities",
    "modularity",
    "ei_index",
    "brokers",
    "star",
    "circle",
    "line",
]


def network_summary(
    survey: Survey | str | Path,
    level: str = "weekly",
    *,
    mutual: bool = False,
    seed: int = 0,
    positions_table: pd.DataFrame | None = None,
    graphs: Graphs | None = None,
    paths: PathsByGraph | None = None,
) -> pd.DataFrame:
    """Figures per municipality at ``level``: density, components, isolates, paths, centralization, ...

    ``mean_path_length`` and ``diameter`` are those of the largest component; ``degree_centralization`` is
    Freeman's (:func:`degree_centralization`) over the whole network; ``modularity`` is that of the Louvain
    communities; ``ei_index`` is Krackhardt's by function (:func:`ei_index`, see the module notes);
    ``star``/``circle``/``line`` are :func:`shape_likeness`; ``brokers`` counts the broker flags of
    :func:`positions`.

    Parameters
    ----------
    survey : coder.survey.Survey or path
        A loaded survey, or its manifest.
    level : str, default "weekly"
        The contact level.
    mutual : bool, default False
        Keep only the ties both people reported.
    seed : int, default 0
        The seed of the community detection.
    positions_table : pandas.DataFrame, optional
        :func:`positions` of the same survey and level, to save computing it again.
    graphs : dict, optional
        From :func:`contact_graphs`.
    paths : dict, optional
        From :func:`paths_of` those graphs.

    Returns
    -------
    pandas.DataFrame
        One row per municipality, the columns of :data:`SUMMARY_COLUMNS`.

    Examples
    --------
    >>> from pathlib import Path
    >>> import coder
    >>> from coder import survey
    >>> s = survey.load(Path(coder.__file__).parents[1] / "examples" / "oppdal" / "manifest.yaml")
    >>> summary = network_summary(s, "weekly")
    >>> summary[["municipality", "people", "ties", "isolates", "components", "diameter"]].values.tolist()
    [['Oppdal', 29, 20, 6, 12, 4]]
    """
    survey = as_survey(survey)
    check_level(level)
    here = {(m, level): graph(survey, graphs, m, level, mutual) for m in survey.municipalities}
    if paths is None:  # one search of the paths, shared with the positions
        paths = paths_of(here, betweenness=positions_table is None)
    if positions_table is None:
        positions_table = positions(survey, level, mutual=mutual, seed=seed, graphs=here, paths=paths)
    rows = []
    for municipality in survey.municipalities:
        G = here[municipality, level]
        found = _paths(paths, municipality, level, G, betweenness=False)
        mine = positions_table[
            (positions_table.municipality == municipality) & (positions_table.level == level)
        ]
        largest = G.subgraph(largest_component(G)) if len(G) else G
        connected = largest.number_of_nodes() > 1
        parts: dict[str, set] = {}
        for person, community in zip(mine["person"], mine["community"], strict=True):
            parts.setdefault(community, set()).add(person)
        rows.append(
            {
                "municipality": municipality,
                "level": level,
                "people": G.number_of_nodes(),
                "ties": G.number_of_edges(),
                "density": nx.density(G),
                "components": nx.number_connected_components(G),
                "isolates": nx.number_of_isolates(G),
                "largest_component": largest.number_of_nodes(),
                "mean_path_length": found.mean_path_length(largest) if connected else math.nan,
                "diameter": found.diameter(largest) if connected else math.nan,
                "degree_centralization": degree_centralization(G),
                "communities": len(parts),
                "modularity": nx.community.modularity(G, parts.values()) if G.number_of_edges() else math.nan,
                "ei_index": ei_index(G),
                "brokers": int(mine["broker"].sum()),
                **shape_likeness(G, paths=found),
            }
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


@dataclass(frozen=True, eq=False)
class PoliticalContacts:
    """Contact with political bodies.

    - ``counts``: per municipality: ``respondents``, ``with_contact`` (with any of ``bodies``), ``share``.
    - ``by_body``: per municipality and body: respondents with ``any`` contact, and with each type
      (``gives_information``, ``gets_information``, ``political_discussion``, ``professional_discussion``).
    - ``by_function``: per municipality and function: respondents holding it, those with contact.
    - ``people``: per respondent with contact: ``bodies`` and ``types`` (``;``-joined).
    """

    bodies: tuple[str, ...]
    counts: pd.DataFrame
    by_body: pd.DataFrame
    by_function: pd.DataFrame
    people: pd.DataFrame


def political_contacts(survey: Survey | str | Path, bodies: Iterable[str] | None = None) -> PoliticalContacts:
    """Who has contact with which political bodies, of which type, and the counts the report uses.

    Parameters
    ----------
    survey : coder.survey.Survey or path
        A loaded survey, or its manifest.
    bodies : iterable of str, optional
        The bodies counted in ``counts`` and ``by_function`` («10 of 23 have contact with a political
        body»); default ``None``: every body of the data, as the manifest declares them (a committee such
        as hovedutvalg helse og velferd is a political body too), which is what the ``political_contact``
        of :func:`positions`, and so of ``coder link``, counts. ``by_body`` always shows every body.

    Returns
    -------
    PoliticalContacts

    Examples
    --------
    >>> from pathlib import Path
    >>> import coder
    >>> from coder import survey
    >>> s = survey.load(Path(coder.__file__).parents[1] / "examples" / "oppdal" / "manifest.yaml")
    >>> political_contacts(s).counts[["municipality", "respondents", "with_contact"]].values.tolist()
    [['Oppdal', 23, 10]]
    """
    survey = as_survey(survey)
    contacts = survey.political_contacts
    chosen = tuple(bodies) if bodies is not None else tuple(dict.fromkeys(contacts["body"])) or DEFAULT_BODIES
    wanted = {b.casefold() for b in chosen}
    people = survey.respondents
    respondents = people[people["responded"]]
    with_contact = set(contacts.loc[contacts["body"].str.casefold().isin(wanted), "respondent_id"])
    counts = []
    for municipality in survey.municipalities:
        mine = respondents[respondents.municipality == municipality]
        k = int(mine["respondent_id"].isin(with_contact).sum())
        counts.append(
            {
                "municipality": municipality,
                "respondents": len(mine),
                "with_contact": k,
                "share": k / len(mine) if len(mine) else math.nan,
            }
        )
    body_rows = []
    for (municipality, body), group in contacts.groupby(["municipality", "body"], sort=False):
        row = {"municipality": municipality, "body": body, "any": group["respondent_id"].nunique()}
        row.update({t: group.loc[group["type"] == t, "respondent_id"].nunique() for t in TYPE_LABELS})
        body_rows.append(row)
    by_body = pd.DataFrame(body_rows, columns=["municipality", "body", "any", *TYPE_LABELS])
    by_function = []
    for municipality in survey.municipalities:
        mine = respondents[respondents.municipality == municipality]
        for function in survey.functions["function"]:
            holders = mine.loc[mine["functions"].map(lambda fs, f=function: f in fs).astype(bool)]
            k = int(holders["respondent_id"].isin(with_contact).sum())
            by_function.append(
                {
                    "municipality": municipality,
                    "function": function,
                    "respondents": len(holders),
                    "with_contact": k,
                }
            )
    per_person = (
        contacts.groupby(["municipality", "respondent_id"], sort=True)
        .agg(
            bodies=("body", lambda s: ";".join(dict.fromkeys(s))),
            types=("type", lambda s: ";".join(dict.fromkeys(s))),
        )
        .reset_index()
        if len(contacts)
        else pd.DataFrame(columns=["municipality", "respondent_id", "bodies", "types"])
    )
    return PoliticalContacts(
        bodies=chosen,
        counts=pd.DataFrame(counts, columns=["municipality", "respondents", "with_contact", "share"]),
        by_body=by_body,
        by_function=pd.DataFrame(
            by_function, columns=["municipality", "function", "respondents", "with_contact"]
        ),
        people=per_person,
    )


@dataclass(frozen=True, eq=False)
class NetworkReport:
    """What ``coder network`` shows and writes: positions and figures per level, and political contact.

    ``graphs`` holds the contact graphs by (municipality, level) that the tables were computed on, so the
    pictures and Gephi files use the same graphs without building them again.
    """

    levels: tuple[str, ...]
    positions: pd.DataFrame
    summary: pd.DataFrame
    political: PoliticalContacts
    graphs: Graphs = field(default_factory=dict)
    mutual: bool = False


def network(
    survey: Survey | str | Path,
    levels: Iterable[str] = LEVELS,
    *,
    mutual: bool = False,
    seed: int = 0,
    broker_betweenness: float = BROKER_BETWEENNESS,
) -> NetworkReport:
    """Positions and network figures at each level, and the political contacts, of every municipality.

    The contact graphs are built once (kept in the report) and shared by every table, and so is one search
    of each graph's shortest paths (:func:`paths_of`). Progress bars on stderr (at a terminal) show the
    searches, the positions and the figures per level.

    Parameters
    ----------
    survey : coder.survey.Survey or path
        A loaded survey, or its manifest.
    levels : iterable of str, default ("daily", "weekly", "monthly")
        The levels.
    mutual : bool, default False
        Keep only the ties both people reported.
    seed : int, default 0
        The seed of the community detection.
    broker_betweenness : float, default :data:`BROKER_BETWEENNESS`
        The least normalised betweenness of a broker (see :func:`positions`).

    Returns
    -------
    NetworkReport

    Raises
    ------
    CoderError
        For an unknown level.

    Examples
    --------
    >>> from pathlib import Path
    >>> import coder
    >>> from coder import survey
    >>> s = survey.load(Path(coder.__file__).parents[1] / "examples" / "oppdal" / "manifest.yaml")
    >>> report = network(s, ["daily", "weekly"])
    >>> report.levels, len(report.positions), report.summary["ties"].tolist()
    (('daily', 'weekly'), 58, [4, 20])
    """
    survey = as_survey(survey)
    levels = check_levels(levels)
    _check_broker_betweenness(broker_betweenness)
    if survey.contacts.empty and len(survey.respondents):
        # A manifest without `contacts:`, or an empty file: every figure below would read as a finding.
        warnings.warn(DataWarning("the survey has no contacts: everyone is an isolate"), stacklevel=2)
    else:
        without = [m for m in survey.municipalities if not (survey.contacts["municipality"] == m).any()]
        for municipality in without:  # a contacts file of one municipality left out of its manifest
            warnings.warn(
                DataWarning(f"{municipality} has no contacts in the survey: everyone there is an isolate"),
                stacklevel=2,
            )
    graphs = contact_graphs(survey, levels, mutual=mutual)
    paths = paths_of(graphs)
    table = pd.concat(
        [
            positions(
                survey,
                lv,
                mutual=mutual,
                seed=seed,
                broker_betweenness=broker_betweenness,
                graphs=graphs,
                paths=paths,
            )
            for lv in progress.track(levels, "Positions per level")
        ],
        ignore_index=True,
    )
    summary = pd.concat(
        [
            network_summary(
                survey, lv, mutual=mutual, seed=seed, positions_table=table, graphs=graphs, paths=paths
            )
            for lv in progress.track(levels, "Network figures per level")
        ],
        ignore_index=True,
    )
    return NetworkReport(
        levels=levels,
        positions=table,
        summary=summary,
        political=political_contacts(survey),
        graphs=graphs,
        mutual=mutual,
    )


def report_graphs(report: NetworkReport, mutual: bool) -> Graphs | None:
    """The report's graphs when they were built with the same ``mutual`` (else they are built anew)."""
    return report.graphs if report.mutual == mutual else None


def write_report(report: NetworkReport, directory: str | Path) -> list[Path]:
    """Write the tables of a :class:`NetworkReport` as CSV files into ``directory``.

    Parameters
    ----------
    report : NetworkReport
        From :func:`network`.
    directory : str or pathlib.Path
        Created if needed.

    Returns
    -------
    list of pathlib.Path
        ``positions.csv``, ``network.csv`` and the four ``political_*.csv`` tables.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import coder
    >>> from coder import survey
    >>> s = survey.load(Path(coder.__file__).parents[1] / "examples" / "oppdal" / "manifest.yaml")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [path.name for path in write_report(network(s, ["weekly"]), folder)][:2]
    ['positions.csv', 'network.csv']
    """
    directory = output_directory(directory)
    tables = {
        "positions.csv": report.positions,
        "network.csv": report.summary,
        "political_counts.csv": report.political.counts,
        "political_by_body.csv": report.political.by_body,
        "political_by_function.csv": report.political.by_function,
        "political_people.csv": report.political.people,
    }
    return [write_table(frame, directory / name) for name, frame in tables.items()]


FILE_NAMES = {"daily": "daglig", "weekly": "ukentlig", "monthly": "månedlig", "political": "politisk"}


def file_stem(municipality: str, network: str) -> str:
    """The file name, without suffix, of a municipality's network (a level, or ``"political"``): Norwegian, as
    the picture it names.

    >>> file_stem("Indre Fosen", "weekly")
    'indre-fosen_ukentlig'
    """
    return f"{slug(municipality)}_{FILE_NAMES[network]}"


# ---------------------------------------------------------------------------------------------------------
# Export for Gephi
# ---------------------------------------------------------------------------------------------------------


def report_for(
    survey: Survey, report: NetworkReport | None, levels: tuple[str, ...], *, mutual: bool, seed: int
) -> NetworkReport:
    """``report`` when it was computed for these ``levels`` and ``mutual``; computed now when None."""
    if report is None:
        return network(survey, levels, mutual=mutual, seed=seed)
    missing = [level for level in levels if level not in report.levels]
    if missing or report.mutual != mutual:  # a caller's slip, not the data's: no CoderError
        raise ValueError(
            f"the report was computed for levels {', '.join(report.levels)} and mutual={report.mutual}, not "
            f"for levels {', '.join(levels)} and mutual={mutual}"
        )
    return report


def export(
    survey: Survey | str | Path,
    directory: str | Path,
    fmt: str = "graphml",
    *,
    levels: Iterable[str] = LEVELS,
    mutual: bool = False,
    seed: int = 0,
    report: NetworkReport | None = None,
) -> list[Path]:
    """Write one GraphML or GEXF file per municipality and level, with the positions as node attributes.

    Parameters
    ----------
    survey : coder.survey.Survey
        A loaded survey.
    directory : str or pathlib.Path
        Created if needed.
    fmt : str, default "graphml"
        ``graphml`` or ``gexf`` (for Gephi).
    levels : iterable of str, default ("daily", "weekly", "monthly")
        The levels.
    mutual : bool, default False
        Keep only the ties both people reported.
    seed : int, default 0
        The seed of the community detection.
    report : NetworkReport, optional
        From :func:`network`, to save computing the positions again (default ``None``).

    Returns
    -------
    list of pathlib.Path
        One file per municipality and level, named by :func:`file_stem`.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import coder
    >>> from coder import survey
    >>> s = survey.load(Path(coder.__file__).parents[1] / "examples" / "oppdal" / "manifest.yaml")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [path.name for path in export(s, folder, "gexf", levels=["weekly"])]
    ['oppdal_ukentlig.gexf']
    """
    survey = as_survey(survey)
    check_export_format(fmt)
    levels = check_levels(levels)
    directory = output_directory(directory)
    report = report_for(survey, report, levels, mutual=mutual, seed=seed)
    graphs = report_graphs(report, mutual)
    columns = ["community", "component", "broker", "isolate", "degree", "betweenness", "harmonic_closeness"]
    columns += ["brokerage", *ROLES]
    written = []
    files = [(municipality, level) for municipality in survey.municipalities for level in levels]
    for municipality, level in progress.track(files, f"Writing {fmt} files"):
        # A copy: the attributes written below are for the file only, not for the shared graph.
        G = graph(survey, graphs, municipality, level, mutual).copy()
        table = report.positions[
            (report.positions.municipality == municipality) & (report.positions.level == level)
        ].set_index("person")
        # Plain Python values (to_dict converts numpy's), one row per node: far faster than a lookup a cell.
        rows = table[columns].to_dict("index")
        for node in G:
            data = G.nodes[node]
            data["functions"] = ";".join(data["functions"])
            data.update(rows[node])
            data["label"] = data.get("label") or str(node)  # Gephi shows the label: the id when none
            for key, value in data.items():
                if isinstance(value, str):
                    data[key] = xml_text(value)
        G = nx.relabel_nodes(G, {node: xml_text(str(node)) for node in G})
        path = directory / f"{file_stem(municipality, level)}.{fmt}"
        buffer = io.BytesIO()
        if fmt == "graphml":
            nx.write_graphml(G, buffer)
        else:
            nx.write_gexf(G, buffer)
        # The same network gives the same bytes: no date of writing.
        content = re.sub(rb' lastmodifieddate="[0-9-]+"', b"", buffer.getvalue(), count=1)
        with atomic_write(path, "wb") as handle:
            handle.write(content)
        written.append(path)
    return written
