"""What a failure cuts off the entry points, three ways that must agree on random
networks: brute force (search again without the removed vertices), the subtree
re-check `_cut_off`, and the low-point `Separation` that answers for one vertex (and
its links) at the cost of the answer."""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spoflint import graph as fg
from spoflint.analysis import Facts
from spoflint.analysis.network import Separation, _center, _cut_off, bfs_tree, separate
from spoflint.errors import InputError
from tests import helpers
from tests.analysis.test_oracle import as_yaml, topologies
from tests.helpers import topology_of


@st.composite
def networks(draw):
    """Adjacency as the fault graph keeps it: ROOT, nodes, and a vertex per link
    (two neighbours, its ends), parallel links included; and which vertices are up."""
    nodes = [f"n{i}" for i in range(draw(st.integers(1, 9)))]
    adjacency: dict[str, list[str]] = {fg.ROOT: [], **{n: [] for n in nodes}}
    for n in draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3, unique=True)):
        adjacency[fg.ROOT].append(n)
        adjacency[n].append(fg.ROOT)
    pairs = st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)).filter(lambda p: p[0] != p[1])
    for index, (a, b) in enumerate(draw(st.lists(pairs, max_size=16))):
        link = f"l{index}"
        adjacency[link] = [a, b]
        adjacency[a].append(link)
        adjacency[b].append(link)
    vertices = [v for v in adjacency if v != fg.ROOT]
    down = set(draw(st.lists(st.sampled_from(vertices), max_size=3)))
    return adjacency, down


def reachable(adjacency, gone) -> set[str]:
    seen, queue = {fg.ROOT}, deque([fg.ROOT])
    while queue:
        for w in adjacency[queue.popleft()]:
            if w not in seen and w not in gone:
                seen.add(w)
                queue.append(w)
    return seen


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(networks(), st.data())
def test_every_way_of_cutting_agrees(network, data):
    adjacency, down = network
    alive = lambda v: v not in down  # noqa: E731
    parent, children = bfs_tree(adjacency, alive)
    separation = Separation(adjacency, alive)
    before = reachable(adjacency, down)
    assert set(parent) == before == set(separation.pre)
    live = sorted(before - {fg.ROOT})
    for v in live:  # one vertex
        truth = before - reachable(adjacency, down | {v})
        assert _cut_off({v}, adjacency, parent, children) == truth
        assert set(separation.cut(v)) | {v} == truth
    if not live:
        return
    removed = set(data.draw(st.lists(st.sampled_from(live), min_size=1, max_size=4)))
    truth = before - reachable(adjacency, down | removed)
    assert _cut_off(removed, adjacency, parent, children) == truth
    # `_cut_off` searches from the root when most of the network hangs below `removed`:
    # the subtree re-check must agree whichever it chose
    assert separate(removed, adjacency, parent, children)[0] == truth
    center = _center(removed, adjacency)
    if center is not None:
        assert removed | set(separation.cut(center)) == truth


@settings(max_examples=200, deadline=None)
@given(networks(), st.data())
def test_a_vertex_and_its_links_have_a_center(network, data):
    adjacency, down = network
    vertex = data.draw(st.sampled_from([v for v in adjacency if v != fg.ROOT]))
    links = [w for w in adjacency[vertex] if w != fg.ROOT and len(adjacency[w]) == 2]
    removed = {vertex} | set(data.draw(st.lists(st.sampled_from(links), unique=True)) if links else ())
    center = _center(removed, adjacency)
    assert center is not None and center in removed


@st.composite
def simple_graphs(draw):
    nodes = [f"n{i}" for i in range(draw(st.integers(1, 10)))]
    pairs = st.tuples(st.sampled_from(nodes), st.sampled_from(nodes)).filter(lambda p: p[0] != p[1])
    adjacency: dict[str, dict[str, None]] = {n: {} for n in nodes}
    for a, b in draw(st.lists(pairs, max_size=18)):
        adjacency[a][b] = adjacency[b][a] = None
    return adjacency


@settings(max_examples=400, deadline=None)
@given(simple_graphs())
def test_articulation_points_and_bridges_match_networkx(adjacency):
    import networkx as nx

    from spoflint.analysis.network import _components_without, cut_vertices_and_bridges

    g = nx.Graph()
    g.add_nodes_from(adjacency)
    g.add_edges_from((a, b) for a in adjacency for b in adjacency[a])
    points, bridges = cut_vertices_and_bridges(adjacency)
    assert sorted(points) == sorted(nx.articulation_points(g)) and len(set(points)) == len(points)
    assert sorted(map(sorted, bridges)) == sorted(map(sorted, nx.bridges(g)))
    for node in adjacency:
        rest = g.subgraph(n for n in g if n != node)
        assert sorted(map(sorted, _components_without(adjacency, node))) == sorted(
            map(sorted, nx.connected_components(rest))
        )


FIXTURES = sorted(helpers.FIXTURES.rglob("*.yaml"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_facts_see_the_network_graph_as_networkx_does(path):
    """Bridges come out as networkx gives them, (a, b) in the order of its edges."""
    import networkx as nx

    try:
        topology = topology_of(path.read_bytes(), path.name)
    except InputError:
        return
    facts = Facts(topology)
    points, bridges = facts._splits
    assert sorted(points) == sorted(nx.articulation_points(facts.network_graph))
    assert set(bridges) == set(nx.bridges(facts.network_graph))


def cut_by_search(t, element: str) -> set[str]:
    """What `cut_from_entries` answers, by searching again: the network nodes and hosts
    reachable from the entry points before `element` goes and not after (hosts never
    route: a host is reachable when one of its links ends at a reachable node)."""
    if not t.entrypoints:
        return set()
    network = fg.network_of(t)

    def reached(gone: set[str]) -> tuple[set[str], set[str]]:
        nodes = reachable(network, gone) & set(t.network)
        hosts = {
            h.id
            for h in t.hosts.values()
            for lid in h.links
            if lid not in gone and ({t.links[lid].a, t.links[lid].b} - {h.id}) & nodes
        }
        return nodes, hosts

    nodes, hosts = reached(set())
    nodes_after, hosts_after = reached({element})
    return ((nodes - nodes_after) | (hosts - hosts_after)) - {element}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies(), swept=st.booleans())
def test_what_one_node_or_link_cuts_off_matches_a_search_again(doc, swept):
    """`cut_from_entries` answers most elements from a table (the hosts whose every way
    out is that one node or link) and the rest from the low points: both agree with
    searching the network again without the element, for every node and link; and so
    do the bridges NET001 reports (which ask the table directly). `swept`: the
    single-failure sweep ran first, so its low points are the ones asked (as in a check)."""
    t = topology_of(as_yaml(doc), "rand.yaml")
    facts = Facts(t)
    if swept:
        assert isinstance(facts.single_points, dict)
    for element in [*t.network, *t.links]:
        assert facts.cut_from_entries(element) == cut_by_search(t, element), element
    expected = {}  # the links NET001 reports, with what each cuts off searched again
    nodes = facts._node_graph
    for a, b in facts._splits[1]:
        if len(nodes[a][b]) == 1:
            expected[nodes[a][b][0]] = (a, b)
    for link in t.links.values():
        if link.id not in expected and cut_by_search(t, link.id):
            expected[link.id] = (link.a, link.b)
    for h in t.hosts.values():
        if len(h.links) == 1:
            expected[h.links[0]] = (t.links[h.links[0]].a, t.links[h.links[0]].b)
    assert facts.bridges == {l: ends for l, ends in sorted(expected.items()) if t.can_fail(l)}
