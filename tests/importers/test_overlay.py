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


def test_an_overlay_may_say_only_what_the_import_cannot(tmp_path):
    """A partial service (no `hosts`, no `replicas` + `pool`) refines the imported one; its
    own values are still checked, at their place in the overlay."""
    overlay = tmp_path / "site.yaml"
    overlay.write_text("version: 1\nservices:\n  mysql: {ha: active-passive, manager: pacemaker, vip: keepalived}\n")
    findings = lint([BLOG, overlay])
    assert "mysql" not in subjects(findings, "STATE001")
    overlay.write_text("version: 1\nservices:\n  mysql: {ha: sometimes}\n")
    result = invoke("check", BLOG, overlay)
    assert result.exit_code == 2, result.output
    assert "site.yaml:3:" in result.stderr and "sometimes" in result.stderr


def test_an_overlay_answers_the_reader_note_it_settles(tmp_path):
    """A reader's note with `unless: ha` ("replication of X is not described") is dropped
    once an overlay sets `ha` on X."""
    from spoflint.importers._native import Native
    from spoflint.importers._overlay import overlay as refine
    from spoflint.load import load_text

    native = Native("apps.yaml", "apps")
    native.element("hosts", "node-1", (1, 1))
    db = native.element("services", "db", (3, 5))
    db.update({"kind": "mysql", "hosts": ["node-1"]})
    db.where.update({"kind": (3, 5, 3, 5), "hosts": (3, 5, 3, 5)})
    native.note((3, 5), "replication", "replication of db is not described", subject="db", unless="ha")
    native.note((1, 1), "unread", "2 objects of kinds Kafka not read")
    site = load_text(b"version: 1\nservices:\n  db: {ha: active-active}\n", "site.yaml")
    documents = refine([native.root], [site])
    assert [n.key for n in documents[0].notes] == ["unread"]
