"""Accept comments are comments: `# spoflint: accept RULE reason` counts only where YAML
(or Ansible's INI) has a comment, never inside a value that looks like one (a quoted,
plain or block scalar: a description, a Kubernetes annotation, an environment value, a
block that documents the syntax), in native and foreign files alike."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from spoflint.errors import InputError
from spoflint.load import load_text
from spoflint.load.comments import accept_comments, ini_accept_comments
from spoflint.load.events import _build
from tests.helpers import ACCEPTED, check_json, invoke

ACCEPT = "# spoflint: accept SPOF001 the lab has one feed"


def accepted(*args) -> set[tuple[str, str]]:
    return {(f["rule"], f["subject"]) for f in check_json(*args)["findings"] if f["suppressed"]}


def native(feed: str) -> str:
    """ACCEPTED with `feed` as the feed's lines (the feed's `accept:` key gone)."""
    return ACCEPTED.replace("  feed-a:\n    kind: feed\n    accept: {ACCEPT}\n", feed)


def test_a_real_comment_accepts(in_tmp):
    Path("t.yaml").write_text(native(f"  feed-a: {{kind: feed}}  {ACCEPT}\n"))
    assert accepted("t.yaml") == {("SPOF001", "feed-a")}


@pytest.mark.parametrize(
    "feed",
    [
        f'  feed-a: {{kind: feed, description: "see {ACCEPT}"}}\n',  # double-quoted
        f"  feed-a: {{kind: feed, description: 'see {ACCEPT}'}}\n",  # single-quoted
        f'  feed-a: {{kind: feed, description: "{ACCEPT}"}}\n',  # the whole value
        f'  feed-a: {{kind: feed, description: "two\n    lines {ACCEPT}"}}\n',  # a quoted value's second line
    ],
)
def test_text_inside_a_value_accepts_nothing(in_tmp, feed):
    Path("t.yaml").write_text(native(feed))
    assert accepted("t.yaml") == set()
    assert ("SPOF001", "feed-a") in {(f["rule"], f["subject"]) for f in check_json("t.yaml")["findings"]}


def test_a_block_scalar_may_document_the_syntax(in_tmp):
    """Before: rejected (`the rule and a reason are required`, `must stand on the line of
    the element`); a block's header may still carry a real comment."""
    documented = (
        "  feed-a:\n    kind: feed\n    description: |\n"
        "      Accept a risk with a comment on the element's line:\n"
        "      # spoflint: accept\n"
        f"      {ACCEPT}\n"
        "    x-notes: >-\n      # spoflint: accept RULE reason\n"
    )
    Path("t.yaml").write_text(native(documented))
    result = invoke("check", "--format", "json", "t.yaml")
    assert result.exit_code == 1, result.output
    assert accepted("t.yaml") == set()
    # a block's header comment is a comment: read, and here on no element's line
    Path("t.yaml").write_text(native(f"  feed-a:\n    kind: feed\n    description: |  {ACCEPT}\n      text\n"))
    result = invoke("check", "t.yaml")
    assert result.exit_code == 2 and "t.yaml:5:21: a `# spoflint: accept` comment must stand on" in result.stderr


def test_a_malformed_comment_is_still_an_error_and_a_malformed_value_is_not(in_tmp):
    Path("t.yaml").write_text(native("  feed-a: {kind: feed}  # spoflint: accept SPOF001\n"))
    result = invoke("check", "t.yaml")
    assert result.exit_code == 2 and "t.yaml:3:25: write `# spoflint: accept RULE-ID reason`" in result.stderr
    Path("t.yaml").write_text(native('  feed-a: {kind: feed, description: "# spoflint: accept SPOF001"}\n'))
    assert invoke("check", "t.yaml").exit_code == 1


def test_a_hash_not_after_whitespace_is_no_comment(in_tmp):
    Path("t.yaml").write_text(native("  feed-a: {kind: feed}\n").replace("kind: external}", "kind: external}#x"))
    assert invoke("check", "t.yaml").exit_code in (0, 1)
    text = b"a: b#spoflint: accept SPOF001 x\n"
    assert accept_comments(text, "t.yaml") == {}


def test_kubernetes_annotation_accepts_nothing(in_tmp):
    manifest = (
        "apiVersion: apps/v1\nkind: Deployment\n"
        'metadata: {{name: app, namespace: default, annotations: {{note: "{note}"}}}}{comment}\n'
        "spec:\n  replicas: 1\n  selector: {{matchLabels: {{app: app}}}}\n"
        "  template:\n    metadata: {{labels: {{app: app}}}}\n"
        '    spec:\n      containers: [{{name: c, image: "postgres:16"}}]\n'
    )
    note = "restore # spoflint: accept STATE001 restored from nightly dumps"
    Path("m.yaml").write_text(manifest.format(note=note, comment=""))
    args = ("--input-format", "kubernetes", "m.yaml")
    assert accepted(*args) == set()
    assert ("STATE001", "app") in {(f["rule"], f["subject"]) for f in check_json(*args)["findings"]}
    Path("m.yaml").write_text(manifest.format(note="ok", comment="  # spoflint: accept STATE001 restored nightly"))
    assert accepted(*args) == {("STATE001", "app")}


def test_compose_environment_value_accepts_nothing(in_tmp):
    compose = (
        "services:\n"
        "  db:{comment}\n"
        "    image: postgres:16\n"
        "    environment: {{NOTE: '{note}'}}\n"
        "    volumes: [data:/var/lib/postgresql/data]\n"
        "volumes:\n  data: {{}}\n"
    )
    Path("compose.yaml").write_text(compose.format(comment="", note="x # spoflint: accept STATE001 dumps"))
    before = {(f["rule"], f["subject"]) for f in check_json("compose.yaml")["findings"]}
    assert ("STATE001", "db") in before and accepted("compose.yaml") == set()
    Path("compose.yaml").write_text(compose.format(comment="  # spoflint: accept STATE001 dumps", note="x"))
    assert ("STATE001", "db") in accepted("compose.yaml")


def test_kolla_inventory_comments_as_ansible_reads_them():
    text = (
        "[control]\n"
        'ctl01 note="x # spoflint: accept SPOF001 quoted"\n'
        "ctl02  # spoflint: accept SPOF001 a real comment\n"
        "# spoflint: accept SPOF001 a whole line\n"
        "ctl03 a=b#spoflint: accept SPOF001 shlex starts a comment mid-word\n"
    )
    assert ini_accept_comments(text, "inv") == {
        3: [("SPOF001", "a real comment", 8)],
        4: [("SPOF001", "a whole line", 1)],
        5: [("SPOF001", "shlex starts a comment mid-word", 10)],
    }
    assert ini_accept_comments("[control]\nctl01 ansible_host=10.0.0.1\n", "inv") == {}


def test_the_spans_the_builder_gathers_agree_with_a_second_parse():
    text = (
        b"a: 'q # spoflint: accept A in a quote'  # spoflint: accept B after it\n"
        b'"key # spoflint: accept C": |  # spoflint: accept D on the header\n'
        b"  # spoflint: accept E in the block\n"
        b"# spoflint: accept F after the block\n"
        b'c: ["x\n  # spoflint: accept G folded", y]  # spoflint: accept H flow\n'
    )
    for loader in (yaml.CSafeLoader, yaml.SafeLoader):
        spans: list = []
        _build(text, "t.yaml", loader, spans=spans)
        assert accept_comments(text, "t.yaml", spans) == accept_comments(text, "t.yaml")
    found = accept_comments(text, "t.yaml")
    assert {rule for entries in found.values() for rule, _, _ in entries} == {"B", "D", "F", "H"}
    assert found[1] == [("B", "after it", 41)] and found[2][0][2] == 32


def test_columns_count_characters_and_lines_count_yaml_breaks():
    text = "a: 'données'  # spoflint: accept A x\r\nb: 1 # spoflint: accept B y\rc: 2\n".encode()
    assert accept_comments(text, "t.yaml") == {1: [("A", "x", 15)], 2: [("B", "y", 6)]}


def test_load_text_hands_its_spans_over(monkeypatch):
    from spoflint.load import comments

    calls = []
    monkeypatch.setattr(comments, "_spans", lambda data: calls.append(data) or [])
    root = load_text(f"version: 1\nhosts:\n  h: {{}}  {ACCEPT}\n", "t.yaml")
    assert root.comments == {3: [("SPOF001", "the lab has one feed", 10)]} and calls == []
    with pytest.raises(InputError, match="rule and a reason"):
        load_text("version: 1\nhosts:\n  h: {}  # spoflint: accept\n", "t.yaml")
