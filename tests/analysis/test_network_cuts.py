"""What a failure cuts off the entry points, three ways that must agree on random
networks: brute force (search again without the removed vertices), the subtree
re-check `_cut_off`, and the low-point `Separation` that answers for one vertex (and
its links) at the cost of the answer."""

from __future__ import annotations

from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spoflint import graph as fg
from spoflint.analysis import Facts
from spoflint.analysis.network import Separation, _center, _cut_off, bfs_tree
from spoflint.errors import InputError
from tests import helpers
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
