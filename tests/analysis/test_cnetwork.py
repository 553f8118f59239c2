"""The network's walks in C (`analysis/_cnetwork.c`) held to their Python twins.

A sweep asks three walks over every vertex of the network: the BFS tree from the entry
points (`bfs_tree`), the low points of a depth-first tree (`Separation`) and each
candidate's event (`single._events`); and, for an event that takes down much of the
network, a search from the root around it (`reached_around`). Built in C, they make what the Python code
makes: the same dicts and lists, with their keys in the same order (the explanations
walk the BFS tree, and the order of a dict is part of the output's). The brute-force
property tests (test_oracle.py) run on whichever is built; these hold the one to the other.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spoflint import graph as fg
from spoflint.analysis import Facts, network, single
from spoflint.errors import InputError
from tests.analysis.test_bounds import EXAMPLES
from tests.analysis.test_oracle import as_yaml, topologies
from tests.helpers import estate_text, topology_of

cnetwork = network._cnetwork
pytestmark = pytest.mark.skipif(cnetwork is None, reason="spoflint was installed without its network walks in C")


def walks(adjacency, up, monkeypatch, loops) -> tuple:
    """The three walks' results, in C (`loops` the module) or in Python (None), each as
    its items in order (so that two dicts equal but in another order differ)."""
    monkeypatch.setattr(network, "_cnetwork", loops)
    parent, children = network.bfs_tree(adjacency)
    separation = network.Separation(adjacency)
    vertices = [v for v in adjacency if v != fg.ROOT]
    events = single._events(vertices, parent, up) if up is not None else {}
    around = [{v} for v in vertices[:40]] + [set(vertices[::2]), set(vertices[1::3])]  # what events remove
    return (
        [list(network.reached_around(removed, adjacency, parent)) for removed in around],
        list(parent.items()),
        list(children.items()),
        separation.order,
        *(list(getattr(separation, name).items()) for name in ("pre", "low", "children", "end")),
        list(events.items()),
    )


def same_both_ways(adjacency, monkeypatch, up=None) -> tuple:
    in_c = walks(adjacency, up, monkeypatch, cnetwork)
    in_python = walks(adjacency, up, monkeypatch, None)
    assert in_c == in_python
    return in_c


def of_topology(t, monkeypatch) -> tuple:
    """The walks over a topology's network, with the events of its sets as a sweep has them."""
    g = Facts(t).graph
    sf = single.SingleFailures(t, g)
    up = {v: sf.value(v) for v in g.vertices()}
    return same_both_ways(g.network, monkeypatch, up)


@st.composite
def networks(draw) -> dict[str, list[str]]:
    """A random undirected graph as the fault graph keeps one: ROOT joined to some
    vertices, each edge in both lists, sometimes parts that ROOT does not reach."""
    n = draw(st.integers(1, 14))
    names = [f"v{i}" for i in range(n)]
    adjacency: dict[str, list[str]] = {fg.ROOT: [], **{v: [] for v in names}}
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
    for a, b in draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []:
        adjacency[a].append(b)
        adjacency[b].append(a)
    for v in draw(st.lists(st.sampled_from(names), min_size=0, max_size=3, unique=True)):
        adjacency[fg.ROOT].append(v)
        adjacency[v].append(fg.ROOT)
    return adjacency


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(adjacency=networks())
def test_the_walks_agree_on_random_graphs(adjacency, monkeypatch):
    _, parent, *_ = same_both_ways(adjacency, monkeypatch)
    assert parent[0] == (fg.ROOT, None)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(doc=topologies())
def test_the_walks_agree_on_random_topologies(doc, monkeypatch):
    of_topology(topology_of(as_yaml(doc)), monkeypatch)


def test_the_walks_agree_on_an_estate(monkeypatch):
    text = estate_text(3000)
    around, _, _, order, _, low, _, _, events = of_topology(topology_of(text), monkeypatch)
    assert any(len(seen) < len(order) for seen in around)  # some removals cut some vertices off
    assert len(order) > 100 and any(k != v for (_, k), (_, v) in zip(low, low[1:]))
    assert len(events) > 100 and any(len(vertices) > 1 for _, vertices in events)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_walks_agree_on_every_fixture(path, monkeypatch):
    try:
        t = topology_of(path.read_text(encoding="utf-8"), path.name)
    except InputError:
        pytest.skip("a fixture of bad input")
    of_topology(t, monkeypatch)


def test_neighbours_may_be_any_sequence_and_a_missing_vertex_is_a_key_error():
    as_tuples = {fg.ROOT: ("a",), "a": (fg.ROOT, "b"), "b": ("a",)}
    assert cnetwork.bfs_tree(as_tuples, fg.ROOT)[0] == {fg.ROOT: None, "a": fg.ROOT, "b": "a"}
    assert cnetwork.separation(as_tuples, fg.ROOT)[0] == [fg.ROOT, "a", "b"]
    broken = {fg.ROOT: ["a"], "a": [fg.ROOT, "nowhere"]}
    for walk in (cnetwork.bfs_tree, cnetwork.separation):
        with pytest.raises(KeyError):
            walk(broken, fg.ROOT)
    with pytest.raises(TypeError):
        cnetwork.bfs_tree({fg.ROOT: 3}, fg.ROOT)
    with pytest.raises(KeyError):
        cnetwork.reached_around(broken, fg.ROOT, {fg.ROOT, "a", "nowhere"}, set())


def test_an_event_is_every_reachable_vertex_a_candidate_takes_down(monkeypatch):
    up = {"s1": frozenset({"pdu", "s1"}), "s2": frozenset({"pdu", "s2"}), "far": frozenset({"x"}), "off": None}
    parent = {fg.ROOT: None, "s1": fg.ROOT, "s2": "s1", "off": "s2"}  # "far" is not reached
    events = cnetwork.events(["s1", "s2", "far", "off"], parent, up)
    assert events == {"pdu": {"s1", "s2"}, "s1": {"s1"}, "s2": {"s2"}}
    monkeypatch.setattr(network, "_cnetwork", None)
    assert list(events.items()) == list(single._events(["s1", "s2", "far", "off"], parent, up).items())


def test_each_reach_set_is_kept_under_its_gates_own_key():
    """The sweep sets a network node's REACH value under the string object its gate is
    keyed by (`FaultGraph.reach_keys`), so that every later lookup matches by identity."""
    text = estate_text(1000)
    t = topology_of(text)
    g = Facts(t).graph
    sf = single.SingleFailures(t, g)
    sf.value(next(iter(g.gates)))
    assert g.reach_keys and set(g.reach_keys) == set(t.network)
    kept = {key: key for key in sf.values}
    for node, key in g.reach_keys.items():
        assert g.gates[key].op == fg.REACH and g.gates[key].inputs == (node,)
        assert kept[key] is key, node
