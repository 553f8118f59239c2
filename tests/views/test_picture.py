"""spoflint graph: the dot, mermaid, json and html pictures of a topology."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from spoflint.analysis import Facts
from spoflint.cli import run
from spoflint.importers.assemble import read_topology
from spoflint.views import graph as picture
from tests.helpers import EXAMPLES, HIDDEN

TOPOLOGIES = sorted(EXAMPLES.glob("*.yaml"))


@pytest.fixture(scope="module")
def hidden():
    return read_topology([HIDDEN])


def _dot_tokens(text: str) -> list[str]:
    """Graphviz tokens: quoted strings (escapes kept), punctuation, bare words."""
    return re.findall(r'"(?:[^"\\]|\\.)*"|->|[{}\[\];=,]|[^\s{}\[\];=,"]+', text)


@pytest.mark.parametrize("path", TOPOLOGIES, ids=lambda p: p.stem)
def test_dot_is_structurally_sound(path):
    t = read_topology([path])
    text = picture.to_dot(t)
    tokens = _dot_tokens(text)
    assert tokens[0] == "digraph" and tokens[2] == "{" and tokens[-1] == "}"
    depth = 0
    for token in tokens:
        depth += {"{": 1, "}": -1}.get(token, 0)
        assert depth >= 0
    assert depth == 0
    declared = set(re.findall(r'^\s+("(?:[^"\\]|\\.)*") \[', text, re.M))
    # every edge has attributes; only the invisible chain of column anchors ("#0" -> "#1"
    # -> ...: "#" is in no element id) has none
    edges = re.findall(r'^\s+("(?:[^"\\]|\\.)*") -> ("(?:[^"\\]|\\.)*") \[(.*)\];$', text, re.M)
    assert edges
    for a, b, attributes in edges:
        assert a in declared and b in declared, (a, b)
        assert "label=" not in attributes
    unattributed = re.findall(r'^\s+("[^\[]*" -> [^\[]*);$', text, re.M)
    assert [e for e in unattributed if not e.startswith('"#0" -> ')] == [] and len(unattributed) <= 1
    drawn = {e["id"] for e in picture.model(t)["elements"] if e["position"] is not None}
    assert {json.loads(d) for d in declared} == drawn
    for spof in Facts(t).single_points:
        if spof in t.links:
            assert re.search(rf'color="#b00020".*tooltip="{re.escape(spof)}"', text)
        else:
            assert re.search(rf'^\s+"{re.escape(spof)}" \[.*fillcolor="#f4a6a6"', text, re.M)


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz `dot` is not installed")
@pytest.mark.parametrize("path", TOPOLOGIES, ids=lambda p: p.stem)
def test_graphviz_reads_the_dot(path):
    done = subprocess.run(
        ["dot", "-Tsvg"], input=picture.to_dot(read_topology([path])), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "<svg" in done.stdout


@pytest.mark.parametrize("path", TOPOLOGIES, ids=lambda p: p.stem)
def test_mermaid_declares_every_element(path):
    t = read_topology([path])
    text = picture.to_mermaid(t)
    lines = text.splitlines()
    assert lines[0].startswith("flowchart")
    nodes = dict(re.findall(r'^\s+(n\d+)\["([^"]*)"\]$', text, re.M))
    drawn = {e["id"] for e in picture.model(t)["elements"] if e["position"] is not None}
    assert set(nodes.values()) == drawn
    edges = re.findall(r"^\s+(n\d+) (?:-->|---|-\.->|==>) (n\d+)$", text, re.M)
    assert edges
    for a, b in edges:
        assert a in nodes and b in nodes
    other = re.compile(r"\s+(n\d+\[.*\]|subgraph s\d+\[.*\]|end|%% .*|classDef .*|class .*|linkStyle .*)$")
    assert len(lines) == 1 + len(edges) + sum(1 for line in lines[1:] if other.match(line))
    assert text.count("subgraph ") == len(re.findall(r"^\s+end$", text, re.M))
    spofs = {n for n, eid in nodes.items() if eid in Facts(t).single_points}
    marked = re.search(r"^\s+class (\S+) spof$", text, re.M)
    assert (set(marked.group(1).split(",")) if marked else set()) == spofs


def test_json_shape(hidden):
    document = json.loads(picture.to_json(hidden))
    assert document["format"] == "spoflint-graph" and document["version"] == 1
    assert document["layers"] == ["power", "cooling", "racks", "network", "hosts", "storage", "services"]
    ids = {e["id"] for e in document["elements"]}
    assert ids == set(hidden.section_of)
    for e in document["elements"]:
        assert {"id", "section", "kind", "layer", "position", "can_fail", "single_point", "location"} <= set(e)
        if e["section"] == "links":
            assert e["position"] is None and len(e["ends"]) == 2
        else:
            assert document["layers"][e["position"]["column"]] == e["layer"]
    for edge in document["edges"]:
        assert edge["from"] in ids and edge["to"] in ids
        assert (edge["kind"] == "link") == ("link" in edge)
    points = {p["element"]: p for p in document["single_points"]}
    assert set(points) == {"nfs-1", "r1", "r2", "sw-1"}
    assert points["sw-1"]["services"] == ["glance"]
    assert points["sw-1"]["chain"][0] == "sw-1" and points["sw-1"]["chain"][-1] == "glance"
    assert points["nfs-1"]["data"] == ["images"]
    assert {e["id"] for e in document["elements"] if e["single_point"]} == set(points)
    assert all(set(a) == {"element", "cut_off"} for a in document["articulation_points"])
    assert any(b["link"] == "ctl-1--sw-1" for b in document["bridges"])
    glance = next(e for e in document["elements"] if e["id"] == "glance")
    assert (glance["section"], glance["kind"], glance["public"]) == ("services", "glance-api", True)
    assert document["never_up"] == []


@pytest.mark.parametrize("render", [picture.to_json, picture.to_dot, picture.to_mermaid, picture.to_html])
def test_output_is_deterministic(render):
    first = render(read_topology([HIDDEN]))
    second = render(read_topology([HIDDEN]))
    assert first == second


def _embedded(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="model">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_html_is_self_contained(hidden):
    page = picture.to_html(hidden)
    assert page.startswith("<!DOCTYPE html>")
    assert "http://" not in page and "https://" not in page
    assert not re.search(r"\b(src|href)\s*=", page, re.I)
    assert not re.search(r"<link\b|@import|url\(|<iframe|<img", page, re.I)
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert "fetch(" not in page and "XMLHttpRequest" not in page


def test_html_data_cannot_close_its_script(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(HIDDEN.read_text().replace("name: hidden-spof", 'name: "</script><img src=x>"'))
    page = picture.to_html(read_topology([path]))
    assert page.count("</script>") == 2 and "<img" not in page
    assert _embedded(page)["name"] == "</script><img src=x>"


# --- the command ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "json", "html"])
def test_cli_graph(fmt, hidden, capsys):
    assert run(["graph", str(HIDDEN), "--format", fmt]) == 0
    assert capsys.readouterr().out == getattr(picture, f"to_{fmt}")(hidden)


def test_cli_graph_output_file(tmp_path, capsys):
    out = tmp_path / "graph.html"
    assert run(["graph", str(HIDDEN), "-f", "html", "--output", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert out.read_text().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    "argv",
    [
        ["graph", "missing.yaml"],
        ["graph", str(HIDDEN), "--format", "svg"],
        ["graph", str(HIDDEN), "--output", "/nonexistent-dir/graph.dot"],
    ],
)
def test_cli_graph_bad_input_exits_2(argv, capsys):
    assert run(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_cli_graph_invalid_topology(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nhosts: {a: {rack: nope}}\n")
    assert run(["graph", str(bad), "-f", "json"]) == 2
    assert "bad.yaml:2:" in capsys.readouterr().err
