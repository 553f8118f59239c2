"""The html page's embedded data (spoflint.views.page_data), without a browser: indexes
into the compact model's ids, the containment, the drawn edges, the findings with their
verified fixes, and nothing precomputed per failure candidate."""

from __future__ import annotations

import json
import re
import sys

import pytest

from spoflint.analysis import Facts
from spoflint.engine import Config, check
from spoflint.importers.assemble import read_topology
from spoflint.model import SECTIONS
from spoflint.views import graph, page_data
from spoflint.views.containment import nest
from tests.helpers import EXAMPLES, HIDDEN, REPO

sys.path.insert(0, str(REPO / "bench"))

import generate  # noqa: E402


def _embedded(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="model">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def hidden():
    return read_topology([HIDDEN])


@pytest.fixture(scope="module")
def data(hidden):
    return _embedded(graph.to_html(hidden))


def test_indexes_follow_the_element_order(hidden, data):
    ids = data["compact"]["ids"]
    assert ids == [eid for section in SECTIONS for eid in getattr(hidden, section)]
    assert data["section_names"] == list(SECTIONS)
    assert len(data["codes"]) == len(ids)
    kinds = [data["kinds"][c // page_data.KIND] for c in data["codes"]]
    assert kinds[ids.index("sw-1")] == "switch" and kinds[ids.index("r1")] == "rack"
    assert kinds[ids.index("nfs-1")] == "host" and kinds[ids.index("images")] == "nfs"
    spof = {ids[i] for i, c in enumerate(data["codes"]) if c & page_data.SPOF}
    assert spof == set(Facts(hidden).single_points)
    can_fail = {ids[i] for i, c in enumerate(data["codes"]) if c & page_data.CAN_FAIL}
    assert can_fail == {e for e, ok in hidden.failure_candidates().items() if ok}
    public = {ids[i] for i, c in enumerate(data["codes"]) if c & page_data.PUBLIC}
    assert public == {s for s, svc in hidden.services.items() if svc.public}


def test_nothing_precomputed_per_candidate(data):
    assert "what_if" not in data
    assert not hasattr(graph, "WHAT_IF_BUDGET") and not hasattr(graph, "what_if")
    points = {data["compact"]["ids"][p[0]]: p for p in data["single_points"]}
    ids = data["compact"]["ids"]
    assert [ids[s] for s in points["sw-1"][1]] == ["glance"]
    assert [ids[d] for d in points["nfs-1"][2]] == ["images"]
    assert ids[points["sw-1"][3][0]] == "sw-1" and ids[points["sw-1"][3][-1]] == "glance"


def test_containment_is_the_nest(hidden, data):
    ids = data["compact"]["ids"]
    n = nest(hidden)
    assert {ids[r]: [ids[b] for b in m] for r, m in data["members"]} == {r: list(m) for r, m in n.members.items() if m}
    racks = [ids[r] for z in data["zones"] for r in z[1]]
    assert racks == list(hidden.racks)
    assert {ids[b] for b, _ in data["own_power"]} == set(n.own_power)


def test_edges_leave_containment_to_the_nesting(hidden, data):
    ids = data["compact"]["ids"]
    kinds = data["edge_kinds"]
    edges = {(ids[a], ids[b], kinds[k]) for a, b, k in zip(*[iter(data["edges"])] * 3, strict=True)}
    assert edges
    assert not {e for e in edges if ids.index(e[1]) < len(hidden.zones)}  # no edge to a zone
    assert not {e for e in edges if e[1] in hidden.racks}  # nor to a rack
    n = nest(hidden)
    for a, b, kind in edges:
        if kind == "power" and (a in hidden.hosts or a in hidden.network):
            assert a in n.own_power, (a, b)  # inherited power is drawn once, at the rack
    links = {(link.a, link.b, "network") for link in hidden.links.values()}
    assert links <= edges
    assert ("glance", "galera", "dependency") in edges or ("glance", "keystone", "dependency") in edges


def test_findings_carry_their_verified_fixes(hidden, data):
    ids = data["compact"]["ids"]
    findings = check(hidden, Config())
    about = {ids[int(i)]: f for i, f in data["findings"].items()}
    sw = next(f for f in findings if f.subject == "sw-1" and f.rule == "SPOF001")
    assert sw.fixes
    rule, severity, message, suppressed, fixes = next(f for f in about["sw-1"] if f[0] == "SPOF001")
    assert (severity, message, suppressed) == (sw.severity, sw.message, None)
    assert fixes == [[x.change, len(x.removes), x.new_element] for x in sw.fixes]
    assert {s for f in findings for s in [f.subject] if s in ids} == set(about)


def test_too_many_edges_are_left_to_the_selection(hidden, monkeypatch):
    monkeypatch.setattr(page_data, "EDGES", 3)
    data = _embedded(graph.to_html(hidden))
    assert data["edges"] == []
    assert any("too many to draw at once" in n for n in data["notes"])


def test_everything_is_passed_on(hidden):
    assert _embedded(graph.to_html(hidden))["everything"] is False
    assert _embedded(graph.to_html(hidden, everything=True))["everything"] is True


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_scripts_come_in_order(path):
    page = graph.to_html(read_topology([path]))
    assert page.index("var SpoflintWhatIf") < page.index("SpoflintWhatIf.create(C)")
    assert page.count("<script") == 2


def test_page_grows_with_the_estate_not_with_its_candidates(tmp_path):
    """Bytes per element, a count: the 2,000-element estate's page holds one compact
    model and the layout's indexes, never an answer per candidate."""
    path = tmp_path / "estate-2000.yaml"
    path.write_text(generate.generate(2_000)[0])
    estate = read_topology([path])
    page = graph.to_html(estate)
    data = len(page.encode()) - len(graph._page().encode())  # the template's size is fixed
    assert data < 60 * len(estate.section_of)
