"""Contact networks: graphs per level, measures checked on hand-made graphs, and the example facts."""

from __future__ import annotations

import math
import random
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from support.network import BOTH, OPPDAL, write_survey

from coder import network, network_figures, survey
from coder.errors import CoderError


@pytest.fixture(scope="module")
def both() -> survey.Survey:
    return survey.load(BOTH)


@pytest.fixture(scope="module")
def report(both: survey.Survey) -> network.NetworkReport:
    return network.network(both)


def figures(report: network.NetworkReport, municipality: str, level: str) -> pd.Series:
    summary = report.summary
    return summary[(summary.municipality == municipality) & (summary.level == level)].iloc[0]


# ---------------------------------------------------------------------------------------------------------
# Graphs: cumulative levels, either side or both
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def tiny(tmp_path: Path) -> survey.Survey:
    """Three people: P1 says daily to P2, P2 says monthly to P1, P1 says weekly to P3."""
    people = "id,functions\nP1,A\nP2,A;B\nP3,B\n"
    return write_survey(tmp_path, "Tiny", people, "from,to,freq\nP1,P2,daily\nP2,P1,monthly\nP1,P3,weekly\n")


def edges(G: nx.Graph) -> set[frozenset]:
    return {frozenset(edge) for edge in G.edges()}


def test_a_contact_reported_by_either_side_counts_at_its_most_frequent(tiny: survey.Survey) -> None:
    assert edges(network.contact_graph(tiny, "daily")) == {frozenset({"P1", "P2"})}
    assert edges(network.contact_graph(tiny, "weekly")) == {frozenset({"P1", "P2"}), frozenset({"P1", "P3"})}
    assert network.contact_graph(tiny, "weekly").nodes["P2"]["group"] == "A"


def test_mutual_needs_both_sides_at_the_level(tiny: survey.Survey) -> None:
    assert edges(network.contact_graph(tiny, "daily", mutual=True)) == set()
    assert edges(network.contact_graph(tiny, "weekly", mutual=True)) == set()
    assert edges(network.contact_graph(tiny, "monthly", mutual=True)) == {frozenset({"P1", "P2"})}


def test_a_survey_without_answers_or_political_contacts(tiny: survey.Survey, tmp_path: Path) -> None:
    report = network.network(tiny)
    assert report.political.counts.loc[0, "respondents"] == 0
    assert (report.political.by_function["with_contact"] == 0).all()
    assert figures(report, "Tiny", "weekly")["ties"] == 2
    written = network_figures.plot(tiny, tmp_path, levels=["daily"], formats=("png",))
    assert [p.name for p in written] == ["tiny_daglig.png"]  # no political picture without political data


def test_levels_are_cumulative_and_mutual_is_thinner(both: survey.Survey) -> None:
    for municipality in both.municipalities:
        daily, weekly, monthly = (
            edges(network.contact_graph(both, lv, municipality=municipality)) for lv in survey.LEVELS
        )
        assert daily <= weekly <= monthly and daily != monthly
        mutual = edges(network.contact_graph(both, "monthly", mutual=True, municipality=municipality))
        assert mutual < monthly
        assert network.contact_graph(both, "daily", municipality=municipality).number_of_nodes() == 29


def test_unknown_level_and_municipality(both: survey.Survey) -> None:
    with pytest.raises(CoderError, match="unknown level 'hourly'"):
        network.contact_graph(both, "hourly")
    with pytest.raises(CoderError, match="unknown municipality 'Volda'"):
        network.contact_graph(both, "weekly", municipality="Volda")


@pytest.mark.parametrize("value", [-0.1, 1.5, float("nan")])
def test_a_broker_threshold_outside_0_to_1_is_an_error(both: survey.Survey, value: float) -> None:
    # normalised betweenness lies in [0, 1]: outside, every or no person would be a broker without a word
    with pytest.raises(CoderError, match="must be between 0 and 1") as caught:
        network.network(both, ["weekly"], broker_betweenness=value)
    assert caught.value.key == "broker_betweenness"
    with pytest.raises(CoderError, match="must be between 0 and 1"):  # positions, which link uses
        network.positions(both, "weekly", broker_betweenness=value)


# ---------------------------------------------------------------------------------------------------------
# Measures on hand-made graphs
# ---------------------------------------------------------------------------------------------------------


def test_gould_fernandez_on_a_hand_computed_directed_example() -> None:
    # Groups: a, b, h in A; c, d, f in B; e in C.
    G = nx.DiGraph([("a", "b"), ("e", "b"), ("b", "c"), ("c", "d"), ("f", "c"), ("a", "e"), ("h", "e")])
    nx.set_node_attributes(G, {"a": "A", "b": "A", "h": "A", "c": "B", "d": "B", "f": "B", "e": "C"}, "group")
    roles = network.brokerage(G)
    # b: a→b→c (A A B) representative; e→b→c (C A B) liaison.
    assert roles["b"] == {
        "coordinator": 0,
        "gatekeeper": 0,
        "representative": 1,
        "consultant": 0,
        "liaison": 1,
    }
    # c: b→c→d (A B B) gatekeeper; f→c→d (B B B) coordinator.
    assert roles["c"] == {
        "coordinator": 1,
        "gatekeeper": 1,
        "representative": 0,
        "consultant": 0,
        "liaison": 0,
    }
    # e: h→e→b (A C A) consultant; a→e→b is closed by a→b and does not count.
    assert roles["e"] == {
        "coordinator": 0,
        "gatekeeper": 0,
        "representative": 0,
        "consultant": 1,
        "liaison": 0,
    }
    assert all(sum(roles[n].values()) == 0 for n in "adfh")


def test_gould_fernandez_undirected_counts_each_open_pair_from_both_ends() -> None:
    G = nx.path_graph(["a", "b", "c"])
    nx.set_node_attributes(G, {"a": "A", "b": "A", "c": "B"}, "group")
    assert network.brokerage(G)["b"] == {
        "coordinator": 0, "gatekeeper": 1, "representative": 1, "consultant": 0, "liaison": 0,
    }  # fmt: skip
    G.add_edge("a", "c")  # a closed triad has no brokerage
    assert sum(network.brokerage(G)["b"].values()) == 0


@pytest.mark.parametrize(
    "shape, graph",
    [("star", nx.star_graph(9)), ("circle", nx.cycle_graph(10)), ("line", nx.path_graph(10))],
)
def test_each_pure_shape_scores_one_on_its_own_measure_only(shape: str, graph: nx.Graph) -> None:
    scores = network.shape_likeness(graph)
    assert scores[shape] == pytest.approx(1.0)
    assert all(value < 0.6 for name, value in scores.items() if name != shape), scores


def test_shape_likeness_uses_the_largest_component_and_needs_three_nodes() -> None:
    G = nx.disjoint_union(nx.star_graph(6), nx.path_graph(3))
    assert network.shape_likeness(G)["star"] == pytest.approx(1.0)
    assert all(math.isnan(v) for v in network.shape_likeness(nx.path_graph(2)).values())


def test_degree_centralization_and_ei_index() -> None:
    assert network.degree_centralization(nx.star_graph(5)) == pytest.approx(1.0)
    assert network.degree_centralization(nx.complete_graph(5)) == pytest.approx(0.0)
    G = nx.Graph([("a", "b"), ("b", "c"), ("c", "d")])
    nx.set_node_attributes(G, {"a": ("A",), "b": ("A", "B"), "c": ("C",), "d": ("C",)}, "functions")
    # internal: a-b (share A), c-d; external: b-c -> (1 - 2) / 3
    assert network.ei_index(G) == pytest.approx(-1 / 3)
    assert math.isnan(network.ei_index(nx.empty_graph(3)))
    # a tie to someone of unknown function is neither internal nor external (it was internal: None == None)
    assert math.isnan(network.ei_index(nx.path_graph(3)))
    H = nx.Graph([("a", "b"), ("b", "c"), ("c", "d")])
    nx.set_node_attributes(H, {"a": ("NAV",), "b": ("NAV",), "c": (), "d": ("Helse",)}, "functions")
    assert network.ei_index(H) == -1.0


def test_communities_are_deterministic_and_named_by_size() -> None:
    G = nx.disjoint_union(nx.complete_graph(5), nx.complete_graph(3))
    G.add_node("alone")
    first = network.communities(G, seed=1)
    assert first == network.communities(G, seed=1)
    assert {first[n] for n in range(5)} == {"K1"} and {first[n] for n in range(5, 8)} == {"K2"}
    assert first["alone"] == "K3"


# ---------------------------------------------------------------------------------------------------------
# The example facts: Oppdal weakly integrated, Rissa dense
# ---------------------------------------------------------------------------------------------------------


def test_oppdal_is_weakly_integrated_and_better_at_the_monthly_level(report: network.NetworkReport) -> None:
    weekly = figures(report, "Oppdal", "weekly")
    monthly = figures(report, "Oppdal", "monthly")
    assert 4 <= weekly["isolates"] <= 8  # several people without weekly contact
    assert weekly["largest_component"] <= 8 and weekly["components"] >= 8  # small clusters
    assert weekly["ei_index"] <= -0.8  # the clusters keep to their own functions
    assert weekly["brokers"] <= 2  # few brokers
    assert monthly["isolates"] <= 1 and monthly["largest_component"] >= 25
    assert monthly["density"] > 2 * weekly["density"]
    assert monthly["brokers"] <= 29 // 4


def test_rissa_is_dense_and_integrated(report: network.NetworkReport) -> None:
    rissa, oppdal = figures(report, "Rissa", "weekly"), figures(report, "Oppdal", "weekly")
    assert rissa["components"] == 1 and rissa["isolates"] == 0
    assert rissa["density"] > 3 * oppdal["density"]
    assert rissa["ei_index"] > oppdal["ei_index"]
    assert rissa["modularity"] < oppdal["modularity"]


def test_positions_table(report: network.NetworkReport) -> None:
    table = report.positions
    assert len(table) == 58 * 3 and list(table.columns) == network.POSITION_COLUMNS
    weekly = table[(table.level == "weekly") & (table.municipality == "Oppdal")].set_index("person")
    assert set(weekly.index[weekly["isolate"]]) == {"O07", "O23", "O25", "O26", "O27", "O28"}
    assert (weekly.loc[weekly["isolate"], "harmonic_closeness"] == 0).all()
    assert weekly.loc["O16", "group"] == "Drift"
    brokers = table[table.broker]
    assert (brokers["betweenness"] >= network.BROKER_BETWEENNESS).all()
    assert brokers.groupby("municipality").size().min() >= 1
    sizes = weekly.groupby("component").size()
    assert (weekly["component_size"] == weekly["component"].map(sizes)).all()


def test_positions_are_deterministic_for_a_seed(both: survey.Survey) -> None:
    pd.testing.assert_frame_equal(
        network.positions(both, "monthly", seed=3), network.positions(both, "monthly", seed=3)
    )


def test_political_contact_counts(both: survey.Survey) -> None:
    political = network.political_contacts(both)
    counts = political.counts.set_index("municipality")
    assert (counts.loc["Oppdal", "with_contact"], counts.loc["Oppdal", "respondents"]) == (10, 23)
    oppdal = political.by_body[political.by_body.municipality == "Oppdal"]
    types = oppdal[list(network.TYPE_LABELS)].sum()
    assert (
        types.idxmax() == "gives_information"
        and types["gives_information"] > types.drop("gives_information").sum()
    )
    by_function = political.by_function[political.by_function.municipality == "Oppdal"].set_index("function")
    assert by_function.loc["Politisk folkevalgt", "with_contact"] == 1  # the mayor responded, two did not
    assert (by_function["with_contact"] <= by_function["respondents"]).all()
    only_mayor = network.political_contacts(both, bodies=["ordfører"]).counts.set_index("municipality")
    assert only_mayor.loc["Oppdal", "with_contact"] < 10


def test_political_contact_counts_the_bodies_as_the_manifest_spells_them(both: survey.Survey) -> None:
    # «Formannskapet, Ordføreren» declared in the manifest: counted as none («0 of 23»), without a word
    import dataclasses

    expected = network.political_contacts(both).counts
    contacts = both.political_contacts
    spelling = {"formannskap": "Formannskapet", "kommunestyre": "Kommunestyret", "ordfører": "Ordføreren"}
    definite = contacts.assign(body=contacts["body"].map(spelling).fillna(contacts["body"]))
    spelled = network.political_contacts(dataclasses.replace(both, political_contacts=definite))
    pd.testing.assert_frame_equal(spelled.counts, expected)
    assert set(spelling.values()) <= set(spelled.bodies)


def test_political_contact_is_one_definition_every_body_of_the_data(both: survey.Survey) -> None:
    # changed: the counts and the table by function counted formannskap, kommunestyre and ordfører only, the
    # positions (and coder link) every declared body: Rissa «12 of 24» beside 14 people with contact
    political = network.political_contacts(both)
    assert "hovedutvalg helse og velferd" in political.bodies  # Rissa's committee is a political body too
    positions = network.positions(both, "weekly")
    with_contact = positions[positions["responded"]].groupby("municipality")["political_contact"].sum()
    counts = political.counts.set_index("municipality")["with_contact"]
    assert counts.to_dict() == with_contact.to_dict() == {"Oppdal": 10, "Rissa": 14}
    rissa = political.by_function[political.by_function["municipality"] == "Rissa"].set_index("function")
    holders = positions[(positions["municipality"] == "Rissa") & positions["responded"]]
    for function in ("Tjenester", "Tildeling"):
        held = holders[holders["functions"].str.split(";").map(lambda fs, f=function: f in fs)]
        assert rissa.loc[function, "with_contact"] == held["political_contact"].sum()


# ---------------------------------------------------------------------------------------------------------
# Output: CSV, Gephi, command line (the pictures: test_network_figures.py)
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_export_for_gephi(tmp_path: Path, fmt: str, reader) -> None:
    oppdal = survey.load(OPPDAL)
    written = network.export(oppdal, tmp_path, fmt, levels=["monthly"])
    assert [p.name for p in written] == [f"oppdal_månedlig.{fmt}"]
    G = reader(written[0])
    assert G.number_of_nodes() == 29
    assert G.number_of_edges() == network.contact_graph(oppdal, "monthly").number_of_edges()
    assert G.nodes["O01"]["functions"] == "Øk. virkemidler;Tildeling;Boligsosial plan"
    assert {"community", "broker", "betweenness"} <= set(G.nodes["O01"])


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_an_id_with_a_control_character_still_gives_a_file_gephi_opens(
    tmp_path: Path, fmt: str, reader
) -> None:
    # A vertical tab pasted from Word: XML 1.0 cannot hold it, so the file could not be read at all.
    people = "id,functions\nx\x0by,A\nz,B\n"
    test = write_survey(tmp_path, "Testby", people, "from,to,freq\nx\x0by,z,daily\n")
    (path,) = network.export(test, tmp_path / "g", fmt, levels=["weekly"])
    G = reader(path)
    assert sorted(G.nodes) == ["x\\x0by", "z"] and G.number_of_edges() == 1
    assert G.nodes["z"]["label"] == "z"  # no label column: Gephi shows the id
    assert b"lastmodifieddate" not in path.read_bytes()  # the same network gives the same bytes any day


def test_export_unknown_format(tmp_path: Path, both: survey.Survey) -> None:
    with pytest.raises(CoderError, match="unknown export format 'pajek'"):
        network.export(both, tmp_path, "pajek")


def test_check_levels_and_export_format() -> None:
    assert network.check_levels(["monthly", "daily"]) == ("monthly", "daily")
    with pytest.raises(CoderError, match="unknown level 'yearly'"):
        network.check_levels(["daily", "yearly"])
    assert network.check_export_format("gexf") == "gexf"
    with pytest.raises(CoderError, match="unknown export format 'pdf'"):
        network.check_export_format("pdf")


def test_graphs_are_built_once_for_tables_pictures_and_export(
    both: survey.Survey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, str | None]] = []
    build = network.contact_graph

    def counting(survey_: survey.Survey, level: str = "weekly", **kwargs) -> nx.Graph:
        calls.append((level, kwargs.get("municipality")))
        return build(survey_, level, **kwargs)

    monkeypatch.setattr(network, "contact_graph", counting)
    report = network.network(both, ["weekly", "monthly"])
    levels = ["weekly", "monthly"]
    network_figures.plot(both, tmp_path / "plots", levels=levels, report=report, formats=("png",))
    network.export(both, tmp_path / "gephi", "graphml", levels=["weekly", "monthly"], report=report)
    # one graph per municipality and level: positions, summary, layout, pictures and export share them
    assert sorted(calls) == sorted((lv, m) for lv in ("weekly", "monthly") for m in ("Oppdal", "Rissa"))
    # the export writes its attributes on a copy: the shared graphs keep their tuples of functions
    assert isinstance(report.graphs["Oppdal", "weekly"].nodes["O01"]["functions"], tuple)
    monkeypatch.undo()
    assert report.positions.equals(network.network(both, ["weekly", "monthly"]).positions)


def test_positions_are_the_same_whatever_the_string_hashing(tmp_path: Path) -> None:
    # Python salts string hashes per process; set order (and float sums over it) must not leak into results.
    import os
    import subprocess
    import sys

    script = (
        "import sys; from coder import network, survey; "
        "network.positions(survey.load(sys.argv[1]), 'monthly').to_csv(sys.argv[2], index=False)"
    )
    outputs = []
    for hashseed in ("1", "2"):
        out = tmp_path / f"positions_{hashseed}.csv"
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        subprocess.run([sys.executable, "-c", script, str(BOTH), str(out)], check=True, env=env)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_harmonic_centrality_equals_networkx() -> None:
    G = nx.karate_club_graph()
    ours, theirs = network.harmonic_centrality(G), nx.harmonic_centrality(G)
    assert ours.keys() == theirs.keys() and all(ours[n] == pytest.approx(theirs[n]) for n in G)


# ---------------------------------------------------------------------------------------------------------
# Shortest paths at scale: one search shared by every measure, equal to networkx
# ---------------------------------------------------------------------------------------------------------


def fsum_harmonic(G: nx.Graph) -> dict:
    """The reference: one networkx search per node, 1/distance summed with math.fsum."""
    return {
        node: math.fsum(1 / d for d in nx.single_source_shortest_path_length(G, node).values() if d > 0)
        for node in G
    }


def scattered(n: int, seed: int) -> nx.Graph:
    """A random graph of ``n`` nodes: a large sparse component with long paths, small ones, isolates."""
    G = nx.connected_watts_strogatz_graph(n * 3 // 4, 4, 0.1, seed=seed)
    G = nx.disjoint_union(G, nx.gnp_random_graph(n - len(G) - 5, 0.08, seed=seed))
    G.add_nodes_from(range(len(G), len(G) + 5))  # isolates
    return nx.relabel_nodes(G, {node: f"P{node:03d}" for node in G})  # string ids, as the surveys have


@pytest.mark.parametrize("batch_cells", [network._BATCH_CELLS, 500])  # one batch a component, and many
def test_shortest_paths_equal_networkx_on_a_random_graph(
    batch_cells: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(network, "_BATCH_CELLS", batch_cells)
    G = scattered(network.NETWORKX_BETWEENNESS_NODES + 60, seed=1)  # betweenness from the sweep
    paths = network.shortest_paths(G)
    assert paths.harmonic == fsum_harmonic(G)  # to the last bit
    reference = nx.betweenness_centrality(G)
    assert paths.betweenness.keys() == reference.keys()
    assert all(paths.betweenness[v] == pytest.approx(reference[v], rel=1e-12, abs=1e-15) for v in G)
    for component in nx.connected_components(G):
        H = G.subgraph(component)
        eccentricity = nx.eccentricity(H)
        assert all(paths.eccentricity[v] == eccentricity[v] for v in component)
        if len(component) > 1:
            assert paths.diameter(component) == nx.diameter(H)
            assert paths.mean_path_length(component) == nx.average_shortest_path_length(H)  # exactly
        distances = {v: sum(nx.single_source_shortest_path_length(H, v).values()) for v in component}
        assert all(paths.distance_sum[v] == distances[v] for v in component)


def test_small_graphs_keep_networkx_betweenness_to_the_last_bit() -> None:
    G = nx.karate_club_graph()
    assert network.shortest_paths(G).betweenness == nx.betweenness_centrality(G)


@pytest.mark.parametrize(
    "graph", [nx.empty_graph(0), nx.empty_graph(1), nx.path_graph(2), nx.empty_graph(4), nx.star_graph(3)]
)
@pytest.mark.parametrize("networkx_below", [network.NETWORKX_BETWEENNESS_NODES, -1])
def test_shortest_paths_of_tiny_and_tieless_graphs(
    graph: nx.Graph, networkx_below: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(network, "NETWORKX_BETWEENNESS_NODES", networkx_below)  # -1: always the sweep
    paths = network.shortest_paths(graph)
    assert paths.betweenness == pytest.approx(nx.betweenness_centrality(graph))
    assert paths.harmonic == fsum_harmonic(graph)
    assert paths.eccentricity == {
        v: max(nx.single_source_shortest_path_length(graph, v).values()) for v in graph
    }
    assert network.shortest_paths(graph, betweenness=False).betweenness is None


def test_network_searches_each_graph_once_and_stays_quiet_off_a_terminal(
    both: survey.Survey, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[int] = []
    search = network.shortest_paths

    def counting(G: nx.Graph, **kwargs) -> network.Paths:
        calls.append(len(G))
        return search(G, **kwargs)

    monkeypatch.setattr(network, "shortest_paths", counting)
    report = network.network(both, ["weekly", "monthly"])
    assert len(calls) == len(report.graphs) == 4  # positions, summary and shapes share one search a graph
    assert capsys.readouterr().err == ""  # no progress bars when stderr is not a terminal


def test_brokerage_equals_the_definition_on_random_graphs() -> None:
    def by_definition(G: nx.Graph) -> dict:  # every two-path a → b → c, tested one by one
        D = G if G.is_directed() else G.to_directed()
        groups = nx.get_node_attributes(D, "group")
        roles = {node: dict.fromkeys(network.ROLES, 0) for node in D}
        for b in D:
            for a in D.predecessors(b):
                for c in D.successors(b):
                    if c == a or D.has_edge(a, c):
                        continue
                    ga, gb, gc = groups.get(a), groups.get(b), groups.get(c)
                    if ga == gb == gc:
                        role = "coordinator"
                    elif gb == gc:
                        role = "gatekeeper"
                    elif ga == gb:
                        role = "representative"
                    elif ga == gc:
                        role = "consultant"
                    else:
                        role = "liaison"
                    roles[b][role] += 1
        return roles

    for seed, directed in [(1, False), (2, True), (3, False), (4, True)]:
        G = nx.gnp_random_graph(40, 0.15, seed=seed, directed=directed)
        G.add_edge(3, 3)  # a self-loop
        rng = random.Random(seed)
        nx.set_node_attributes(G, {v: rng.choice("ABC") for v in G if rng.random() < 0.9}, "group")
        assert network.brokerage(G) == by_definition(G)


def test_circle_likeness_counts_the_nodes_of_a_cycle_basis() -> None:
    for seed in range(5):
        G = nx.gnp_random_graph(30, 0.07, seed=seed)
        G.add_edge(0, 0)  # a self-loop is a cycle
        H = G.subgraph(max(nx.connected_components(G), key=len))
        on_cycle = {v for cycle in nx.cycle_basis(H) for v in cycle}
        two = sum(1 for _, d in H.degree() if d == 2)
        expected = (len(on_cycle) / len(H)) * (two / len(H))
        assert network.shape_likeness(G)["circle"] == expected


def test_the_figures_of_the_largest_component_do_not_depend_on_the_order_of_the_people(
    tmp_path: Path,
) -> None:
    # A path of three and a triangle: two largest components. C1 is the one with the smallest id, and the
    # path length, diameter and shape describe C1 whichever order the respondents file lists people in.
    contacts = "from,to,freq\na,b,daily\nb,c,daily\nx,y,daily\ny,z,daily\nz,x,daily\n"
    figures = []
    for name, order in (("one", "abcxyz"), ("two", "xyzabc")):
        (tmp_path / name).mkdir()
        people = "id,functions\n" + "".join(f"{person},A\n" for person in order)
        report = network.network(write_survey(tmp_path / name, "Testby", people, contacts), ["daily"])
        figures.append(report.summary.drop(columns=["municipality"]).to_dict("records"))
        c1 = report.positions.loc[report.positions.component == "C1", "person"]
        assert sorted(c1) == ["a", "b", "c"]
    assert figures[0] == figures[1]
    assert figures[0][0]["diameter"] == 2 and figures[0][0]["line"] == 1.0


def test_a_survey_without_contacts_says_so(tmp_path: Path) -> None:
    # Else everyone is an isolate and every figure reads as a finding.
    empty = write_survey(tmp_path, "Testby", "id,functions\na,A\nb,B\n", "from,to,freq\n")
    with pytest.warns(survey.DataWarning, match="the survey has no contacts: everyone is an isolate"):
        report = network.network(empty, ["weekly"])
    assert report.positions["isolate"].all()


def test_a_municipality_without_contacts_says_so(both: survey.Survey) -> None:
    # Rissa's contacts file left out of its manifest: Rissa was all isolates, without a word
    import dataclasses

    oppdal_only = both.contacts[both.contacts["municipality"] == "Oppdal"]
    with pytest.warns(survey.DataWarning, match="Rissa has no contacts in the survey") as caught:
        network.network(dataclasses.replace(both, contacts=oppdal_only), ["weekly"])
    assert not any("Oppdal" in str(w.message) for w in caught)


def test_a_report_of_other_settings_is_refused_not_mixed_in(tmp_path: Path, both: survey.Survey) -> None:
    # It wrote the plain graph with the mutual positions: degrees that did not match the edges in the file.
    mutual = network.network(both, ["weekly"], mutual=True)
    with pytest.raises(ValueError, match="computed for levels weekly and mutual=True"):
        network.export(both, tmp_path, "gexf", levels=["weekly"], report=mutual)
    with pytest.raises(ValueError, match="not for levels daily"):
        network_figures.plot(both, tmp_path, levels=["daily"], mutual=True, report=mutual)


def test_the_gephi_file_holds_closeness_and_brokerage(tmp_path: Path) -> None:
    (path,) = network.export(survey.load(OPPDAL), tmp_path, "graphml", levels=["weekly"])
    assert {"harmonic_closeness", "brokerage"} <= set(nx.read_graphml(path).nodes["O01"])


@pytest.mark.parametrize(
    "measure", [network.shortest_paths, network.harmonic_centrality, network.degree_centralization]
)
@pytest.mark.parametrize("kind", [nx.DiGraph, nx.MultiGraph])
def test_measures_of_undirected_simple_graphs_refuse_other_graphs(measure, kind) -> None:  # noqa: ANN001
    G = kind()
    G.add_edge("a", "b")  # a directed graph made the breadth-first search loop for ever
    with pytest.raises(nx.NetworkXNotImplemented):
        measure(G)


def test_the_network_functions_take_a_manifest_as_the_commands_do() -> None:
    loaded = survey.load(OPPDAL)  # «'str' object has no attribute 'political_contacts'»
    pd.testing.assert_frame_equal(network.positions(OPPDAL), network.positions(loaded))
    pd.testing.assert_frame_equal(network.network_summary(str(OPPDAL)), network.network_summary(loaded))
    assert network.political_contacts(OPPDAL).counts.equals(network.political_contacts(loaded).counts)
    assert network.contact_graph(OPPDAL).number_of_edges() == network.contact_graph(loaded).number_of_edges()
    assert survey.summary(OPPDAL).overview.equals(survey.summary(loaded).overview)
