"""The html page at three sizes in a real browser (the `browser` fixture): the bundled
examples, a 2,000- and a 100,000-element estate from bench/generate.py. Selecting a
single point of failure lights up exactly what `spoflint simulate --fail ID` says goes
down (elements down, cut off, data lost), the panel lists its services down and data
lost, search finds an element, and the page fits a 1,400 px viewport. A screenshot of
each is written under build/screenshots/ for a person to look at."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from spoflint.analysis import Facts
from spoflint.analysis.simulation import simulate
from spoflint.importers.assemble import read_topology
from spoflint.views.graph import to_html
from spoflint.views.simulation import to_json as simulation_json
from tests.analysis.test_oracle import as_yaml, topologies
from tests.helpers import EXAMPLES, REPO, topology_of

sys.path.insert(0, str(REPO / "bench"))

import generate  # noqa: E402

pytestmark = pytest.mark.slow  # starts Chromium
SCREENSHOTS = REPO / "build" / "screenshots"
WIDTH = 1400

LIT = """return Array.from(document.querySelectorAll('#world .lit')).map(function (n) {
  return n.getAttribute('data-id'); });"""
PANEL = """return {title: document.getElementById('selected').textContent,
  down: Array.from(document.querySelectorAll('#down li')).map(function (li) { return li.getAttribute('data-service'); }),
  lost: Array.from(document.querySelectorAll('#lost li')).map(function (li) { return li.getAttribute('data-holder'); }),
  text: document.getElementById('panel').innerText};"""


def _write(t, path: Path, facts: Facts | None = None) -> Path:
    path.write_text(to_html(t, facts), encoding="utf-8")
    return path


def _expected(t, eid: str) -> dict:
    return json.loads(simulation_json(simulate(t, [eid])))


def _check_selection(browser, t, eid: str, click: bool) -> None:
    """Select `eid` (a real click, or the page's click handler through a dispatched
    event when the node may be out of view) and compare with simulate."""
    css = f'#world .node[data-id="{eid}"] rect' if eid not in t.links else f'#world path.link[data-id="{eid}"]'
    if click:
        browser.click(css)
    else:
        browser.script(
            "document.querySelector(arguments[0]).dispatchEvent(new MouseEvent('click', {bubbles: true}));", css
        )
    expected = _check_lit(browser, t, eid)
    holders = [h["holder"] for h in expected["data_lost"]]
    shown = browser.script(PANEL)
    assert shown["title"].startswith(eid)
    assert shown["down"] == [s["service"] for s in expected["services_down"]]
    assert shown["lost"] == holders
    for s in expected["services_down"]:
        assert s["reason"] in shown["text"]


def _check_lit(browser, t, eid: str) -> dict:
    """What the page lights up for the selected `eid`: exactly what simulate says is down,
    cut off or loses its data, each drawn once; simulate's JSON."""
    expected = _expected(t, eid)
    lit = browser.script(LIT)
    assert browser.script("return document.getElementById('selected').textContent").startswith(eid)
    assert len(lit) == len(set(lit)), "each lit element drawn once"
    holders = [h["holder"] for h in expected["data_lost"]]
    assert set(lit) == set(expected["elements_down"]) | set(expected["cut_off"]) | set(holders), eid
    return expected


def _check_search(browser, eid: str) -> None:
    browser.script(
        "document.getElementById('search').value = arguments[0];"
        "document.getElementById('search').dispatchEvent(new Event('input'));",
        eid,
    )
    first = browser.script(
        "var li = document.querySelector('#matches li'); return li && li.getAttribute('data-match');"
    )
    assert first is not None
    browser.click("#matches li")
    assert browser.script("return document.getElementById('selected').textContent").startswith(eid)
    assert browser.script("return location.hash") == "#" + eid


def _fits(browser) -> None:
    assert browser.script("return document.documentElement.scrollWidth") <= WIDTH
    assert browser.script("return document.body.scrollWidth") <= WIDTH


def _shot(browser, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.screenshot(SCREENSHOTS / f"{name}.png")
    assert (SCREENSHOTS / f"{name}.png").stat().st_size > 1000


@pytest.fixture(scope="module")
def sized(browser):
    browser.resize(WIDTH, 900)
    return browser


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_examples(sized, path, tmp_path):
    t = read_topology([path])
    page = _write(t, tmp_path / f"{path.stem}.html")
    sized.open(page.as_uri())
    _fits(sized)
    points = list(Facts(t).single_points)
    drawn = set(sized.script(LIT.replace("#world .lit", "#world [data-id]")))
    assert set(points) <= drawn  # the view opens on them (or on everything, when there are none)
    for eid in points:
        _check_selection(sized, t, eid, click=eid not in t.links)
    _shot(sized, f"page-{path.stem}")
    _check_search(sized, next(iter(t.hosts)))
    _fits(sized)
    # every other failure candidate, through its deep link (#ID): the same answer as simulate
    for eid, ok in t.failure_candidates().items():
        if ok and eid not in points:
            sized.script("location.hash = '#' + encodeURIComponent(arguments[0]);", eid)
            _check_lit(sized, t, eid)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("random-pages")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies())
def test_random_topologies(sized, folder, doc):
    """Any topology (boxes in no rack, shared PDUs, zones, ...) is drawn and every
    failure candidate answered as simulate does (the first 12, through deep links); 8 topologies a run."""
    t = topology_of(as_yaml(doc), "rand.yaml")
    page = folder / "random.html"
    page.write_text(to_html(t), encoding="utf-8")
    sized.open("about:blank")
    sized.open(page.as_uri())
    assert sized.script("return !!window.spoflintPage"), "the page's script ran"
    _fits(sized)
    drawn = set(sized.script(LIT.replace("#world .lit", "#world [data-id]")))
    assert set(Facts(t).single_points) <= drawn
    candidates = [eid for eid, ok in t.failure_candidates().items() if ok][:12]
    for eid in candidates:
        sized.script("location.hash = '#' + encodeURIComponent(arguments[0]);", eid)
        _check_lit(sized, t, eid)
    sized.click("#view-all")
    drawn = set(sized.script(LIT.replace("#world .lit", "#world .node")))
    assert drawn == set(t.section_of) - set(t.links)


@pytest.fixture(scope="session")
def estate_2k(tmp_path_factory):
    path = tmp_path_factory.mktemp("estate") / "estate-2000.yaml"
    path.write_text(generate.generate(2_000)[0])
    t = read_topology([path])
    return t, Facts(t)


@pytest.fixture(scope="session")
def estate_100k(tmp_path_factory):
    path = tmp_path_factory.mktemp("estate") / "estate-100000.yaml"
    path.write_text(generate.generate(100_000)[0])
    t = read_topology([path])
    return t, Facts(t)


def test_estate_2000(sized, estate_2k, tmp_path):
    t, facts = estate_2k
    sized.open(_write(t, tmp_path / "estate-2000.html", facts).as_uri())
    _fits(sized)
    points = list(facts.single_points)
    rack = next(p for p in points if p in t.racks)
    host = next(p for p in points if p in t.hosts)
    _check_selection(sized, t, rack, click=False)
    _shot(sized, "page-estate-2000")
    _check_selection(sized, t, host, click=False)
    # one element of each kind that is no single point of failure (a UPS, a feed, ...)
    kinds = {}
    for section in ("zones", "power", "cooling", "network", "links", "hosts"):
        for eid, element in getattr(t, section).items():
            kinds.setdefault((section, getattr(element, "kind", section)), eid)
    candidates = t.failure_candidates()
    for eid in kinds.values():
        if candidates[eid] and eid not in points:
            sized.script("location.hash = '#' + encodeURIComponent(arguments[0]);", eid)
            _check_lit(sized, t, eid)
    sized.click("#view-all")
    assert len(sized.script(LIT.replace("#world .lit", "#world .node"))) >= len(t.racks)
    _fits(sized)
    _check_detail_on_zoom(sized, t)
    _check_search(sized, "spine-0")


MEMBER = "var n = document.querySelector('#world .node[data-id=\"' + arguments[0] + '\"]'); return n && n.getAttribute('class')"
TOGGLES = (
    "var want = arguments[0]; return Array.from(document.querySelectorAll('#world [data-toggle]'))"
    ".filter(function (n) { return n.textContent === want; }).map(function (n) { return +n.getAttribute('data-toggle'); });"
)
WHEEL = """var b = document.querySelector(arguments[0]).getBoundingClientRect();
document.getElementById('stage').dispatchEvent(new WheelEvent('wheel', {deltaY: -100, ctrlKey: true, bubbles: true,
  clientX: b.left + b.width / 2, clientY: b.top + b.height / 2}));"""


def _until(browser, script: str, *args, want) -> object:
    """The script's answer once `want` holds of it (the page redraws on the next frame)."""
    for _ in range(60):
        got = browser.script(script, *args)
        if want(got):
            return got
        time.sleep(0.05)
    return got


def _check_detail_on_zoom(browser, t) -> None:
    """Everything, past EXPAND boxes in racks, opens with racks collapsed; zoomed in over
    one, the racks in view open (their hosts drawn as boxes), the others stay closed;
    fit to width closes them again."""
    collapsed = browser.script(TOGGLES, "\u25b8")
    assert len(collapsed) > 1
    ids = list(t.section_of)
    rack, far = ids[collapsed[0]], ids[collapsed[-1]]
    host = next(h for h, box in t.hosts.items() if box.rack == rack)
    assert "cell" in browser.script(MEMBER, host).split()
    while browser.script("return window.spoflintPage.scale()") < 2:
        browser.script(WHEEL, f'#world .node[data-id="{rack}"]')
    got = _until(browser, MEMBER, host, want=lambda c: c and "cell" not in c.split())
    assert got and "cell" not in got.split(), got
    opened = browser.script(TOGGLES, "\u25be")
    assert collapsed[0] in opened and collapsed[-1] not in opened and len(opened) < len(collapsed)
    far_host = next(h for h, box in t.hosts.items() if box.rack == far)
    assert "cell" in (browser.script(MEMBER, far_host) or "cell").split()  # a cell, or not drawn at all
    _shot(browser, "page-estate-2000-zoomed")
    browser.click("#fit")
    got = _until(browser, MEMBER, host, want=lambda c: c and "cell" in c.split())
    assert got and "cell" in got.split(), got


def test_estate_100000(sized, estate_100k, tmp_path):
    t, facts = estate_100k
    page = _write(t, tmp_path / "estate-100000.html", facts)
    assert page.stat().st_size < 8_000_000  # a few MB: nothing precomputed per candidate
    sized.open(page.as_uri())
    _fits(sized)
    assert sized.script("return document.querySelectorAll('#world .node').length") < 2000
    points = list(facts.single_points)
    rack = next(p for p in points if p in t.racks)
    _check_selection(sized, t, rack, click=False)
    _shot(sized, "page-estate-100000")
    sized.click("#view-all")  # everything: collapsed racks, only what is near the viewport in the DOM
    assert sized.script("return document.querySelectorAll('#world .node').length") < 5000
    # racks collapsed: their counts, their members as cells; one expanded by its toggle
    collapsed = sized.script(
        "return Array.from(document.querySelectorAll('#world [data-toggle]')).filter(function (n) {"
        " return n.textContent === '\u25b8'; }).map(function (n) { return +n.getAttribute('data-toggle'); });"
    )
    assert collapsed
    first = list(t.section_of)[collapsed[0]]
    inside = [h for h, host in t.hosts.items() if host.rack == first]
    assert f"{len(inside)} hosts" in sized.script("return document.getElementById('world').textContent")
    member = "return document.querySelector('#world .node[data-id=\"' + arguments[0] + '\"]').getAttribute('class')"
    assert "cell" in sized.script(member, inside[0]).split()
    toggle = f'[data-toggle="{collapsed[0]}"]'
    sized.script(
        "document.querySelector(arguments[0]).dispatchEvent(new MouseEvent('click', {bubbles: true}));", toggle
    )
    assert "cell" not in sized.script(member, inside[0]).split()
    nodes = LIT.replace("#world .lit", "#world .node")
    before = set(sized.script(nodes))
    sized.script(  # scroll far down: what comes into view is drawn
        "document.getElementById('stage').dispatchEvent(new WheelEvent('wheel', {deltaY: 6000, bubbles: true}));"
    )
    for _ in range(50):  # drawn on the next animation frame
        after = set(sized.script(nodes))
        if after != before:
            break
        time.sleep(0.05)
    assert after and after != before
    assert any(e in t.racks for e in after - before)
    _fits(sized)
    _check_search(sized, points[0])
    _shot(sized, "page-estate-100000-everything")
