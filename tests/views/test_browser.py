"""The html picture in a real browser (the `browser` fixture, tests/views/chromium.py):
the page `spoflint graph --format html` writes for the hidden-spof example, its views,
its answers and its controls.

Skipped only when chromium or chromedriver is missing and CI is unset: under CI the
browser is installed by .ci/run and this test must run.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from spoflint.analysis import Facts
from spoflint.importers.assemble import read_topology
from tests.helpers import HIDDEN, python_m_spoflint

pytestmark = pytest.mark.slow  # starts Chromium
SPOF_FILL = "rgb(244, 166, 166)"  # #f4a6a6, the page's colour for a single point of failure

NODES = """return Array.from(document.querySelectorAll('#world .node')).map(function (n) {
  return {id: n.getAttribute('data-id'), spof: n.classList.contains('spof'),
          fill: getComputedStyle(n.querySelector('rect')).fill, classes: n.getAttribute('class'),
          opacity: getComputedStyle(n).opacity};
});"""
LINKS = "return Array.from(document.querySelectorAll('#world path.link')).map(function (n) { return n.getAttribute('data-id'); });"
SHOWN = """return {title: document.getElementById('selected').textContent,
  down: Array.from(document.querySelectorAll('#down li')).map(function (li) { return li.getAttribute('data-service'); }),
  lost: Array.from(document.querySelectorAll('#lost li')).map(function (li) { return li.getAttribute('data-holder'); }),
  marked: Array.from(document.querySelectorAll('#world .lit')).map(function (n) { return n.getAttribute('data-id'); }),
  down_marked: Array.from(document.querySelectorAll('#world .down')).map(function (n) { return n.getAttribute('data-id'); }),
  cut_marked: Array.from(document.querySelectorAll('#world .cut')).map(function (n) { return n.getAttribute('data-id'); }),
  lost_marked: Array.from(document.querySelectorAll('#world .lost')).map(function (n) { return n.getAttribute('data-id'); }),
  causes: Array.from(document.querySelectorAll('#edges path.edge.cause')).map(function (n) {
    return [n.getAttribute('data-from'), n.getAttribute('data-to')]; }),
  focus: document.getElementById('graph').classList.contains('focus'),
  text: document.getElementById('panel').innerText};"""


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    """The page `spoflint graph --format html` writes for the hidden-spof example."""
    out = tmp_path_factory.mktemp("page") / "hidden-spof.html"
    done = python_m_spoflint("graph", str(HIDDEN), "--format", "html", "--output", str(out))
    assert done.returncode == 0, done.stderr
    return out


def _json(*args: str) -> dict:
    done = python_m_spoflint(*args, "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def _key(browser, key: str) -> None:
    browser.script(
        "document.body.dispatchEvent(new KeyboardEvent('keydown', {key: arguments[0], bubbles: true}));", key
    )


def test_page_in_chromium(browser, page):
    started = time.monotonic()
    browser.resize(1400, 900)
    browser.open(page.as_uri())
    t = read_topology([HIDDEN])
    facts = Facts(t)
    spofs = set(facts.single_points)
    assert "sw-1" in spofs
    # it opens on the single points of failure: they, their chains, what they take down,
    # and what holds them (their racks and zones, a rack's PDUs)
    about = spofs | {e for p in facts.single_points.values() for e in (*p.chain, *p.data_chain, *p.services, *p.data)}
    holders = {t.hosts[e].rack if e in t.hosts else t.network[e].rack for e in about if e in t.hosts or e in t.network}
    holders |= set(t.zones) | {p for r in holders if r for p in t.racks[r].power}
    drawn = {n["id"]: n for n in browser.script(NODES)}
    assert spofs <= set(drawn) <= (about - set(t.links)) | holders
    assert "edge-2" not in drawn  # on no chain
    assert {i for i, n in drawn.items() if n["spof"]} == spofs
    assert {i for i, n in drawn.items() if n["fill"] == SPOF_FILL} == spofs
    assert browser.script("return document.documentElement.scrollWidth") <= 1400

    # everything: every element but the links as a box, every link as a line
    browser.click("#view-all")
    drawn = {n["id"]: n for n in browser.script(NODES)}
    assert set(drawn) == set(t.section_of) - set(t.links)
    assert sorted(browser.script(LINKS)) == sorted(t.links)
    assert {i for i, n in drawn.items() if n["fill"] == SPOF_FILL} == spofs
    # hosts stand inside their racks' boxes
    for host in ("ctl-1", "nfs-1"):
        rack = t.hosts[host].rack
        box = browser.script(
            "var r = document.querySelector('.node[data-id=\"' + arguments[0] + '\"] rect').getBoundingClientRect(),"
            " h = document.querySelector('.node[data-id=\"' + arguments[1] + '\"] rect').getBoundingClientRect();"
            " return [r.left <= h.left, r.right >= h.right, r.top < h.top];",
            rack,
            host,
        )
        assert box == [True, True, True], (rack, host)
    # a self-contained page fetched nothing
    assert browser.script("return performance.getEntriesByType('resource').length") == 0

    check = _json("check", str(HIDDEN))
    for eid in ("sw-1", "nfs-1"):
        browser.click(f'#world .node[data-id="{eid}"] rect')
        shown = browser.script(SHOWN)
        expected = _json("simulate", str(HIDDEN), "--fail", eid)
        services = [s["service"] for s in expected["services_down"]]
        holders_lost = [h["holder"] for h in expected["data_lost"]]
        assert shown["title"].startswith(eid)
        assert shown["down"] == services
        assert shown["lost"] == holders_lost
        assert sorted(shown["marked"]) == sorted(
            set(expected["elements_down"]) | set(expected["cut_off"]) | set(holders_lost)
        )
        assert sorted(shown["down_marked"]) == sorted(expected["elements_down"])
        assert sorted(shown["cut_marked"]) == sorted(expected["cut_off"])
        assert sorted(shown["lost_marked"]) == sorted(holders_lost)
        assert set(services) <= set(shown["marked"])
        assert shown["focus"] and shown["causes"]  # the path thickened, the rest dimmed
        lit = set(shown["marked"])
        assert all(a in lit and b in lit for a, b in shown["causes"])
        for s in expected["services_down"]:  # an AND gate that lost several inputs: each branch
            gate = s["chain"][s["chain"].index(s["lost_together"][0][0]) + 1] if s["lost_together"] else None
            if gate is not None:
                assert {b for a, b in shown["causes"] if a == gate} >= set(s["lost_together"][0]), s
        for s in expected["services_down"]:
            assert s["reason"] in shown["text"]
        fixes = [x["change"] for f in check["findings"] if f["subject"] == eid for x in f["fixes"]]
        assert fixes or eid != "sw-1"
        for change in fixes:  # the verified fix of the finding about it
            assert change in shown["text"]
    assert services and holders_lost == ["images"]  # nfs-1 takes glance down and loses images
    dimmed = {n["id"]: float(n["opacity"]) for n in browser.script(NODES)}
    assert dimmed["nfs-1"] == 1 and dimmed["edge-2"] < 1

    # keys: n and p step through the single points of failure, Esc clears, / finds
    order = [p for p in facts.single_points]
    _key(browser, "Escape")
    assert not browser.script(SHOWN)["focus"] and browser.script("return location.hash") == ""
    _key(browser, "n")
    assert browser.script(SHOWN)["title"].startswith(order[0])
    _key(browser, "n")
    assert browser.script(SHOWN)["title"].startswith(order[1])
    _key(browser, "p")
    assert browser.script(SHOWN)["title"].startswith(order[0])
    assert browser.script("return location.hash") == "#" + order[0]
    _key(browser, "/")
    assert browser.script("return document.activeElement.id") == "search"
    browser.call("POST", f"/element/{browser.find('#search')}/value", {"text": "glan"})
    assert browser.script("return document.querySelector('#matches li').getAttribute('data-match')") is not None
    browser.call("POST", f"/element/{browser.find('#search')}/value", {"text": "\ue007"})  # Enter
    assert browser.script(SHOWN)["title"].startswith("glance")
    # zoom in and out, fit to width
    scale = "return +/scale\\(([^)]+)\\)/.exec(document.getElementById('world').getAttribute('transform'))[1]"
    before = browser.script(scale)
    browser.click("#zoom-in")
    assert browser.script(scale) > before
    browser.click("#fit")
    assert browser.script(scale) == before
    assert browser.script("return document.documentElement.scrollWidth") <= 1400

    # `--all` opens on everything
    everything = page.with_name("hidden-spof-all.html")
    done = python_m_spoflint("graph", str(HIDDEN), "--format", "html", "--all", "--output", str(everything))
    assert done.returncode == 0, done.stderr
    browser.open(everything.as_uri())
    assert browser.script("return document.getElementById('view-all').getAttribute('aria-pressed')") == "true"
    assert {n["id"] for n in browser.script(NODES)} == set(t.section_of) - set(t.links)

    # a deep link selects its element
    browser.open(page.as_uri() + "#nfs-1")
    shown = browser.script(SHOWN)
    assert shown["title"].startswith("nfs-1") and shown["lost"] == ["images"]
    assert time.monotonic() - started < 60
