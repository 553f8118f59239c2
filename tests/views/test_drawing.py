"""The dot and Mermaid pictures (spoflint.views.drawing, dot, mermaid): zones and racks
as clusters, no edge labels but a style per kind, inherited power drawn once, columns
left to right; on a large estate the single points of failure by default (`--all`:
everything); Mermaid within GitHub's limits; Graphviz draws a 2,000-element estate in
seconds at a readable size."""

from __future__ import annotations

import html
import json
import os
import re
import resource
import shutil
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spoflint.cli import run
from spoflint.importers.assemble import read_topology
from spoflint.views import dot as dot_view
from spoflint.views import drawing
from spoflint.views import graph as picture
from spoflint.views import mermaid as mermaid_view
from tests.analysis.test_oracle import as_yaml, topologies
from tests.helpers import EXAMPLES, HIDDEN, REPO, topology_of

OPENSTACK = EXAMPLES / "openstack-ha.yaml"
QUOTED = r'"(?:[^"\\]|\\.)*"'
STYLE_OF_COLOUR = {colour: style for style, (_, colour, _, _) in dot_view.STYLES.items()}


class Dot:
    """The parts of `to_dot`'s text the tests look at."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.nodes: dict[str, tuple[str, ...]] = {}  # node -> the clusters it is in, outermost first
        self.edges: list[tuple[str, str, str]] = []  # (tail, head, style)
        self.ranks: list[list[str]] = []
        self.spof_links: set[str] = set()
        self.links: list[str] = []  # the links drawn, by id
        stack: list[str] = []
        for line in text.splitlines()[1:-1]:
            s = line.strip()
            if s == "subgraph anchors {":  # the columns' invisible anchors: no element in it
                stack.append("#")
            elif m := re.fullmatch(rf"subgraph ({QUOTED}) \{{", s):
                stack.append(json.loads(m[1]).removeprefix("cluster_"))
            elif s == "}":
                stack.pop()
            elif m := re.fullmatch(r"\{rank=same; (.*);\}", s):
                self.ranks.append([json.loads(x) for x in m[1].split("; ")])
            elif m := re.fullmatch(rf"({QUOTED}) -> ({QUOTED}) \[(.*)\];", s):
                colour = re.match(r'color="([^"]*)"', m[3])
                assert colour, s
                spof = colour[1] == dot_view.SPOF
                style = "network" if spof else STYLE_OF_COLOUR[colour[1]]
                assert m[3].startswith(dot_view.STYLES[style][0]) or spof, s
                assert "label=" not in m[3], s
                self.edges.append((json.loads(m[1]), json.loads(m[2]), style))
                if style == "network":
                    self.links.append(json.loads(re.search(rf"tooltip=({QUOTED})", m[3])[1]))
                    if spof:
                        self.spof_links.add(self.links[-1])
            elif m := re.fullmatch(rf"({QUOTED}) \[(.*)\];", s):
                self.nodes[json.loads(m[1])] = tuple(stack)
        assert stack == []

    def styled(self, style: str) -> set[tuple[str, str]]:
        return {(a, b) for a, b, s in self.edges if s == style}

    def column(self, eid: str) -> int:
        return next(i for i, rank in enumerate(self.ranks) if eid in rank)


@pytest.fixture(scope="module")
def openstack():
    return read_topology([OPENSTACK])


@pytest.fixture(scope="module")
def hidden():
    return read_topology([HIDDEN])


def test_zones_and_racks_are_clusters(openstack):
    d = Dot(picture.to_dot(openstack))
    assert d.nodes["dc1"] == ("dc1",)
    assert d.nodes["r1"] == d.nodes["ctl-1"] == d.nodes["sw-1"] == d.nodes["osd-1"] == ("dc1", "r1")
    assert d.nodes["ctl-2"] == ("dc1", "r2") and d.nodes["cmp-3"] == ("dc1", "r3")
    assert d.nodes["crac-1"] == ("dc1",)  # cooling stands in its zone
    for eid in ("feed-a", "pdu-a", "internet", "ceph", "haproxy", "nova-api"):
        assert d.nodes[eid] == (), eid  # in no zone, storage and services: outside
    # placement in a rack or zone is the cluster: no edge for it
    assert not any({a, b} & {"r1", "r2", "r3", "dc1"} and s == "placement" for a, b, s in d.edges)


def test_power_a_rack_gives_its_members_is_drawn_once(openstack, hidden):
    d = Dot(picture.to_dot(openstack))
    assert d.styled("power") == {
        ("feed-a", "ups-a"),
        ("ups-a", "pdu-a"),
        ("feed-b", "ups-b"),
        ("ups-b", "pdu-b"),
        ("pdu-a", "crac-1"),
        ("pdu-b", "crac-2"),
        *((pdu, rack) for pdu in ("pdu-a", "pdu-b") for rack in ("r1", "r2", "r3")),
    }
    power = [(a, b) for a, b, s in d.edges if s == "power"]
    assert len(power) == len(set(power))  # no edge twice
    assert d.styled("cooling") == {(c, r) for c in ("crac-1", "crac-2") for r in ("r1", "r2", "r3")}
    h = Dot(picture.to_dot(hidden))
    # ctl-3 stands in r2 (pdu-a and pdu-b) but draws from pdu-b alone: its own edge
    assert ("pdu-b", "ctl-3") in h.styled("power")
    assert not any(b in {"ctl-1", "ctl-2", "nfs-1", "sw-1", "edge-1"} for _, b in h.styled("power"))


def test_every_kind_has_its_style(hidden):
    d = Dot(picture.to_dot(hidden))
    assert ("nfs-1", "images") in d.styled("placement")  # storage on its host
    assert ("ctl-1", "haproxy") in d.styled("placement")  # an instance on its host
    assert {("galera", "keystone"), ("images", "glance"), ("haproxy", "galera")} <= d.styled("dependency")
    assert ("edge-1", "sw-1") in d.styled("network") and ("internet", "edge-1") in d.styled("network")
    assert re.search(r'"sw-1" -> "ctl-1" \[color="#868e96", dir=none', d.text)  # links: no arrow
    assert "edge [dir=back" in d.text  # an arrow points at what an element needs
    legend = re.search(r"^  label=<(.*)>;$", d.text, re.M)[1]
    for _, _, sample, meaning in dot_view.STYLES.values():
        assert sample in legend and meaning in legend


def test_columns_run_left_to_right(openstack):
    d = Dot(picture.to_dot(openstack))
    assert "newrank=true" in d.text and "rankdir=LR" in d.text
    ranked = [eid for rank in d.ranks for eid in rank if not eid.startswith("#")]
    assert sorted(ranked) == sorted(d.nodes)  # every element in exactly one column
    assert [rank[0] for rank in d.ranks] == [f"#{i}" for i in range(len(d.ranks))]
    assert re.search(rf'^    "#0" -> "#1" -> .* -> "#{len(d.ranks) - 1}";$', d.text, re.M)
    order = ["feed-a", "ups-a", "pdu-a", "crac-1", "r1", "sw-1", "ctl-1", "ceph", "haproxy", "galera", "keystone"]
    assert [d.column(e) for e in order] == sorted(d.column(e) for e in order)
    assert d.column("r1") == d.column("r2") and d.column("ctl-1") == d.column("osd-3")
    for tail, head, style in d.edges:  # what is depended on stands left of what needs it
        assert d.column(tail) < d.column(head) or (style == "network" and d.column(tail) <= d.column(head))


def test_large_estate_draws_the_single_points_of_failure(hidden, monkeypatch, capsys):
    monkeypatch.setattr(drawing, "ALL_UP_TO", 10)
    d = Dot(picture.to_dot(hidden))
    # sw-1, r1, r2, nfs-1; the hosts, links, data and services on their chains; their racks
    subgraph = {"sw-1", "r1", "r2", "nfs-1", "ctl-1", "images", "haproxy", "galera", "glance"}
    assert set(d.nodes) == subgraph
    assert d.nodes["ctl-1"] == ("r1",) and d.nodes["nfs-1"] == ("r2",)
    assert ("sw-1", "ctl-1") in d.styled("network") and d.spof_links == set()
    assert "31 elements: drawn are the 4 single points of failure" in d.text
    assert '(9 of 20)</td></tr><tr><td align="left">`spoflint graph --all` draws everything' in d.text
    everything = picture.to_dot(hidden, everything=True)
    assert len(Dot(everything).nodes) == 20 and "draws everything" not in everything
    nodes = dict(re.findall(r'^\s+(n\d+)\["([^"]*)"\]$', picture.to_mermaid(hidden), re.M))
    assert set(nodes.values()) == subgraph
    assert run(["graph", str(HIDDEN), "--all"]) == 0
    assert capsys.readouterr().out == everything
    assert run(["graph", str(HIDDEN), "-f", "mermaid", "--all"]) == 0
    assert capsys.readouterr().out == picture.to_mermaid(hidden, everything=True)
    assert run(["graph", str(HIDDEN)]) == 0
    assert capsys.readouterr().out == picture.to_dot(hidden)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies(), small=st.booleans())
def test_any_topology_is_drawn_left_to_right_within_the_limits(doc, small):
    """Random topologies (the oracle's): with `--all` every element once, in its
    clusters; every edge from a column to a later one (a link: not an earlier one), none
    twice; Mermaid within its limits, cut down when they are small."""
    t = topology_of(as_yaml(doc))
    drawn = _drawable(t)
    d = Dot(picture.to_dot(t, everything=True))
    assert set(d.nodes) == drawn
    for tail, head, style in d.edges:
        assert d.column(tail) < d.column(head) or (style == "network" and d.column(tail) == d.column(head))
    others = [e for e in d.edges if e[2] != "network"]
    assert len(others) == len(set(others)) and len(d.links) == len(set(d.links))
    with pytest.MonkeyPatch.context() as patch:
        if small:
            patch.setattr(drawing, "ALL_UP_TO", 5)
            patch.setattr(mermaid_view, "MAX_EDGES", 10)
            patch.setattr(mermaid_view, "MAX_TEXT", 1500)
        for everything in (False, True):
            text = picture.to_mermaid(t, everything=everything)
            assert mermaid_view.fits(text, _mermaid_edges(text)) and _mermaid_nodes(text) <= drawn
            assert set(Dot(picture.to_dot(t, everything=everything)).nodes) <= drawn


# --- Mermaid within GitHub's limits --------------------------------------------------


def _drawable(t) -> set[str]:
    return {e["id"] for e in picture.model(t)["elements"] if e["position"] is not None}


def _mermaid_edges(text: str) -> int:
    return len(re.findall(r"^\s+n\d+ (?:-->|---|-\.->|==>) n\d+$", text, re.M))


def _mermaid_nodes(text: str) -> set[str]:
    return set(re.findall(r'^\s+n\d+\["([^"]*)"\]$', text, re.M))


def _within_limits(text: str) -> bool:
    styled = sum(len(m.split(",")) for m in re.findall(r"^\s+linkStyle (\S+) ", text, re.M))
    edges = _mermaid_edges(text)
    assert styled == edges  # every edge styled, by its index
    return edges <= 500 and len(text.encode("utf-16-le")) // 2 <= 50_000


def test_mermaid_is_cut_down_in_the_stated_order(openstack, monkeypatch):
    full = picture.to_mermaid(openstack)
    assert "%%" not in full and _mermaid_nodes(full) == _drawable(openstack)
    edges = _mermaid_edges(full)
    monkeypatch.setattr(mermaid_view, "MAX_EDGES", edges)
    assert picture.to_mermaid(openstack) == full
    monkeypatch.setattr(mermaid_view, "MAX_EDGES", edges - 1)
    cut = picture.to_mermaid(openstack)  # no single point of failure: nothing is left
    assert f"%% everything: {edges} edges and" in cut and f"over GitHub's Mermaid limits ({edges - 1} edges" in cut
    assert "drawn are the 0 single points of failure" in cut and _mermaid_nodes(cut) == set()


def test_mermaid_keeps_the_first_single_points_of_failure_that_fit(hidden, monkeypatch):
    chains = picture.to_mermaid(hidden)
    monkeypatch.setattr(mermaid_view, "MAX_EDGES", 8)
    text = picture.to_mermaid(hidden)
    lines = [line for line in text.splitlines() if line.startswith("  %%")]
    assert lines[0].startswith("  %% everything: ") and "the subgraph: " in lines[1]
    assert "drawn are the 4 single points of failure" in lines[2]
    assert lines[3] == "  %% only the edges along their chains are drawn"
    assert _mermaid_edges(text) <= 8 < _mermaid_edges(chains)
    # along the chains: nfs-1 (2 edges), r1 (3 more), r2 (none: it holds nfs-1), sw-1 (its link)
    monkeypatch.setattr(mermaid_view, "MAX_EDGES", 5)
    text = picture.to_mermaid(hidden)
    assert "%% and only the first 3 of the 4 single points of failure" in text
    assert _mermaid_nodes(text) == {"nfs-1", "images", "glance", "r1", "ctl-1", "haproxy", "galera", "r2"}
    assert _mermaid_edges(text) == 5
    monkeypatch.setattr(mermaid_view, "MAX_EDGES", 4)
    assert "%% and only the first 1 of the 4" in picture.to_mermaid(hidden)


@pytest.fixture(scope="module")
def estates(tmp_path_factory):
    """bench/generate.py's estates of about 2,000 and of its smallest size (682
    elements, 272 of them drawn: 10 racks of 16 hosts)."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    folder = tmp_path_factory.mktemp("estates")
    out = {}
    for size in (2000, 200):
        path = folder / f"estate-{size}.yaml"
        path.write_text(generate(size)[0])
        out[size] = read_topology([path])
    return out


def test_mermaid_of_a_2000_estate_is_within_githubs_limits(estates):
    t = estates[2000]
    spofs = {p["element"] for p in picture.model(t)["single_points"]} - set(t.links)
    assert len(spofs) == 13
    text = picture.to_mermaid(t)
    assert _within_limits(text) and spofs <= _mermaid_nodes(text)
    assert "`spoflint graph --all` draws everything" in text
    everything = picture.to_mermaid(t, everything=True)
    assert _within_limits(everything) and spofs <= _mermaid_nodes(everything)
    assert re.search(r"^  %% everything: \d+ edges and \d+ characters, over GitHub's Mermaid limits", everything, re.M)
    assert set(Dot(picture.to_dot(t, everything=True)).nodes) == _drawable(t)


# --- Graphviz renders it --------------------------------------------------------------


def _render(text: str) -> tuple[float, float, float, str]:
    """Graphviz's SVG of `text`: its CPU time (s), width and height (pt) and the SVG."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, done.stderr
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    size = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', done.stdout)
    return cpu, float(size[1]), float(size[2]), done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("size,everything", [(2000, False), (200, True)], ids=["2000", "200-all"])
def test_graphviz_draws_an_estate_in_seconds_at_a_readable_size(estates, size, everything):
    if shutil.which("dot") is None:
        if os.environ.get("CI"):
            pytest.fail("graphviz `dot` is missing; under CI this test must run")
        pytest.skip("graphviz `dot` is not installed")
    t = estates[size]
    text = picture.to_dot(t, everything=everything)
    cpu, width, height, svg = _render(text)
    assert cpu < 20, cpu  # 50 s before; about 0.02 s and 0.2 s where measured
    assert width < 32767 and height < 32767, (width, height)
    # drawn at full scale (nothing shrunk to fit), each node at least its label's height
    assert re.search(r'<g id="graph0" class="graph" transform="scale\(1 1\)', svg), svg[:500]
    heights = [float(h) * 2 for h in re.findall(r'<ellipse [^>]*ry="([\d.]+)"', svg)]
    assert heights and min(heights) >= 18
    titles = re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]*)</title>', svg)
    assert {html.unescape(title) for title in titles} >= set(Dot(text).nodes)
