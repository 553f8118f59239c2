"""Foreign formats wired into `spoflint check`: detection, --input-format, native
overlays that refine imported elements by id, and `spoflint import`."""

from __future__ import annotations

import shutil

import yaml

from spoflint.engine import Config, lint
from tests.helpers import REPO, invoke

BLOG = REPO / "fixtures" / "import" / "compose" / "blog.compose.yaml"

OVERLAY = """\
version: 1
power:
  feed-a: {kind: feed}
  pdu-a: {kind: pdu, from: [feed-a]}
racks:
  r1: {power: [pdu-a]}
hosts:
  blog-host: {rack: r1}
"""


def subjects(findings, rule):
    return {f.subject for f in findings if f.rule == rule and f.suppressed is None}


def test_a_compose_file_is_detected_and_findings_point_into_it(tmp_path):
    findings = lint([BLOG])
    assert "blog-host" in subjects(findings, "SPOF001")
    assert all(f.path.endswith("blog.compose.yaml") for f in findings)


def test_an_overlay_refines_the_imported_host_by_id(tmp_path):
    overlay = tmp_path / "site.yaml"
    overlay.write_text(OVERLAY)
    before = lint([BLOG])
    after = lint([BLOG, overlay])
    # the host now sits in a rack on one PDU: those become single points of failure too
    assert {"blog-host", "r1", "pdu-a", "feed-a"} <= subjects(after, "SPOF001")
    assert "blog-host" not in {f.subject for f in after if f.rule == "MODEL001" and "power" in f.message}
    assert "blog-host" in {f.subject for f in before if f.rule == "MODEL001" and "power" in f.message}
    # the refined host keeps its place in the original file
    host = next(f for f in after if f.rule == "SPOF001" and f.subject == "blog-host")
    assert host.path.endswith("blog.compose.yaml")
    rack = next(f for f in after if f.rule == "SPOF001" and f.subject == "r1")
    assert rack.path.endswith("site.yaml")


def test_an_overlay_error_points_into_the_overlay(tmp_path):
    overlay = tmp_path / "site.yaml"
    overlay.write_text("version: 1\nhosts:\n  blog-host: {rakc: r1}\n")
    result = invoke("check", BLOG, overlay)
    assert result.exit_code == 2
    assert "site.yaml:3:" in result.output and "rakc" in result.output


def test_input_format_forces_a_reader(tmp_path):
    copy = tmp_path / "anything.txt"
    shutil.copy(BLOG, copy)
    forced = invoke("check", "--input-format", "compose", copy)
    assert forced.exit_code == 1 and "SPOF001" in forced.output
    native = invoke("check", "--input-format", "native", copy)
    assert native.exit_code == 2


def test_import_writes_a_native_topology_that_lints_the_same(tmp_path):
    out = tmp_path / "blog.yaml"
    result = invoke("import", "compose", BLOG, "-o", out)
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(out.read_text())
    assert data["version"] == 1 and "blog-host" in data["hosts"]
    rules = lambda fs: {(f.rule, f.subject) for f in fs if f.rule != "MODEL002"}
    # the same findings (an accept comment of the original is not carried over: it is unsuppressed)
    assert rules(lint([out], Config())) == rules(lint([BLOG], Config()))
