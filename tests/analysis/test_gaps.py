"""MODEL001's gaps said once per kind and file (analysis/completeness.py `grouped`), and
the elements the readers had to assume (`assumed:`) said as what they are."""

from __future__ import annotations

import textwrap

import pytest

from spoflint import engine, model
from spoflint.errors import InputError
from spoflint.importers import compose, kubernetes
from spoflint.load import load_text
from tests.helpers import FIXTURES, lint_import, topology_of


def model001(*texts: str, names: tuple[str, ...] = ()) -> list:
    """The MODEL001 (and MODEL002) findings of the files `texts` (called `names`, else
    a.yaml, b.yaml, ...), but the note that there are no entry points, which most of
    these small files would have."""
    names = names or tuple(f"{chr(97 + i)}.yaml" for i in range(len(texts)))
    documents = [load_text(textwrap.dedent(text), name) for text, name in zip(texts, names, strict=True)]
    findings = engine.check(model.build(documents), engine.Config(select=frozenset({"MODEL001", "MODEL002"})))
    return [f for f in findings if f.rule in ("MODEL001", "MODEL002") and not f.message.startswith("no entry points")]


def hosts(count: int, prefix: str = "ctl", extra: str = "") -> str:
    return "".join(f"  {prefix}-{i}: {{{extra}}}\n" for i in range(1, count + 1))


def test_twelve_hosts_without_power_are_one_note_on_the_first():
    (note,) = model001("version: 1\nhosts:\n" + hosts(12))
    assert note.subject == "ctl-1" and (note.line, note.column) == (3, 3)
    assert note.message == (
        "12 hosts have no power (nor do their racks): ctl-1, ctl-2, ctl-3, ctl-4, ctl-5 and 7 more; "
        "power failures were not checked"
    )
    assert [r.subject for r in note.related] == ["ctl-2", "ctl-3", "ctl-4", "ctl-5"]


def test_the_first_is_the_first_written_not_the_first_by_name():
    (note,) = model001("version: 1\nhosts:\n  zz-9: {}\n  aa-1: {}\n")
    assert note.subject == "zz-9" and note.message.startswith("2 hosts have no power (nor do their racks): zz-9, aa-1;")


def test_one_element_keeps_the_singular_message():
    (note,) = model001("version: 1\nhosts:\n  db-1: {}\n")
    assert note.message == "host db-1 has no power (nor does its rack): power failures were not checked"


def test_each_kind_is_its_own_note():
    text = """\
    version: 1
    power:
      ups-1: {kind: ups}
      ups-2: {kind: ups}
    cooling:
      crac-1: {}
      crac-2: {}
    racks:
      r1: {cooling: [crac-1]}
      r2: {}
      r3: {}
    network:
      internet: {kind: external}
      sw-1: {kind: switch, rack: r1}
      sw-2: {kind: switch, rack: r1}
      spare: {kind: switch, rack: r1, power: [ups-1]}
    links: [[internet, sw-1], [internet, sw-2]]
    hosts:
      h-1: {rack: r1, nics: [sw-1]}
      h-2: {rack: r1}
      h-3: {rack: r1}
    """
    said = {(f.subject, f.message) for f in model001(text)}
    assert said == {
        ("ups-1", "2 power elements have no `from`: ups-1, ups-2; what feeds them was not checked"),
        ("crac-1", "2 cooling units declare no power: crac-1, crac-2; their power was not checked"),
        ("r2", "2 racks declare no cooling: r2, r3; cooling failures were not checked"),
        ("sw-1", "2 network nodes have no power (nor do their racks): sw-1, sw-2; power failures were not checked"),
        ("spare", "switch spare has no links"),
        ("h-1", "3 hosts have no power (nor do their racks): h-1, h-2, h-3; power failures were not checked"),
        (
            "h-2",
            "2 hosts are cabled to nothing (no `nics` or links): h-2, h-3; their network paths were not checked",
        ),
    }


def test_once_per_file():
    first, second = model001("version: 1\nhosts:\n" + hosts(3), "version: 1\nhosts:\n" + hosts(2, "cmp"))
    assert (first.path, first.subject, first.message.split(":")[0]) == (
        "a.yaml",
        "ctl-1",
        "3 hosts have no power (nor do their racks)",
    )
    assert (second.path, second.subject, second.message.split(":")[0]) == (
        "b.yaml",
        "cmp-1",
        "2 hosts have no power (nor do their racks)",
    )


def test_the_note_stays_the_same_finding_as_elements_join():
    (before,) = model001("version: 1\nhosts:\n" + hosts(3))
    (after,) = model001("version: 1\nhosts:\n" + hosts(4))
    assert before.fingerprint == after.fingerprint and before.message != after.message
    assert "4 hosts" in after.message


def test_an_element_that_accepts_the_rule_is_said_alone():
    text = "version: 1\nhosts:\n  ctl-1: {}\n  ctl-2: {accept: {MODEL001: the lab has no PDU map}}\n  ctl-3: {}\n"
    found = model001(text)
    assert [f.rule for f in found] == ["MODEL001", "MODEL001"]  # and no MODEL002: the acceptance matched
    group, alone = found
    assert group.subject == "ctl-1" and group.suppressed is None
    assert group.message.startswith("2 hosts have no power (nor do their racks): ctl-1, ctl-3;")
    assert alone.subject == "ctl-2" and alone.suppressed == "the lab has no PDU map"
    assert alone.message == "host ctl-2 has no power (nor does its rack): power failures were not checked"


def test_an_accept_comment_by_the_rules_name_works_the_same():
    text = "version: 1\nhosts:\n  ctl-1: {}  # spoflint: accept incomplete-description lab\n  ctl-2: {}\n  ctl-3: {}\n"
    found = {f.subject: f for f in model001(text)}
    assert set(found) == {"ctl-1", "ctl-2"}
    assert found["ctl-1"].suppressed == "lab" and found["ctl-2"].message.startswith("2 hosts have no power")


def test_services_down_with_nothing_failed_stay_one_by_one():
    # two services on a host cabled to a switch with no uplink: each is down with its own reason
    path = FIXTURES / "MODEL001" / "host-cut-off.yaml"
    text = path.read_text() + "  archive: {kind: archive, state: stateless, hosts: [rpt-1]}\n"
    found = [f for f in model001(text) if "is down even with nothing failed" in f.message]
    assert [f.subject for f in found] == ["reports", "archive"]
    assert all("on rpt-1, which is down" in f.message for f in found)


def test_reader_notes_are_said_as_the_readers_wrote_them():
    path = FIXTURES / "import" / "kubernetes" / "custom-resources.yaml"
    topology, findings = lint_import(kubernetes, path)
    said = [f.message for f in findings if f.rule == "MODEL001"]
    assert topology.notes and all(any(note.message == m for m in said) for note in topology.notes)


# --- elements a reader had to assume ------------------------------------------------------


def test_the_nodes_the_manifests_imply_are_one_note_and_said_as_such():
    path = FIXTURES / "import" / "kubernetes" / "shop.yaml"
    topology, findings = lint_import(kubernetes, path)
    nodes = [h for h in topology.hosts if h.startswith("k8s-node-")]
    assert len(nodes) > 1 and all(topology.assumed[h] == "a node the manifests imply" for h in nodes)
    notes = [f for f in findings if f.rule == "MODEL001" and any(h in f.message for h in nodes)]
    assert [f.message for f in notes] == [
        f"{len(nodes)} hosts are not described: {', '.join(nodes[:5])}"
        f"{f' and {len(nodes) - 5} more' if len(nodes) > 5 else ''} (each a node the manifests imply); "
        "their power was not checked; describe them in an overlay"
    ]
    assert notes[0].subject == nodes[0]
    assert not [f for f in findings if f.message.startswith("host k8s-node-")]


def test_zones_the_manifests_imply_are_assumed_too():
    topology, _ = lint_import(kubernetes, FIXTURES / "import" / "kubernetes" / "zoned-database.yaml")
    zones = [z for z in topology.zones if z.startswith("k8s-zone-")]
    assert zones and all(topology.assumed[z] == "a zone the manifests imply" for z in zones)


def test_the_docker_host_of_a_compose_project_is_said_as_such():
    topology, findings = lint_import(compose, FIXTURES / "import" / "compose" / "blog.compose.yaml")
    assert topology.describe("blog-host") == "blog-host (the Docker host the Compose file implies)"
    (note,) = [f for f in findings if f.rule == "MODEL001" and "blog-host" in f.message]
    assert note.message == (
        "blog-host (the Docker host the Compose file implies) is not described: its power was not checked; "
        "describe it in an overlay"
    )


def test_the_nodes_of_a_swarm_stack_are_said_as_such():
    topology, findings = lint_import(compose, FIXTURES / "import" / "compose" / "swarm")
    nodes = ("swarm-node-1", "swarm-node-2", "swarm-node-3")
    assert [topology.describe(h) for h in nodes] == [f"{h} (a node the stack file implies)" for h in nodes]
    notes = [f.message for f in findings if f.rule == "MODEL001" and "swarm-node-" in f.message]
    assert notes == [
        "3 hosts are not described: swarm-node-1, swarm-node-2, swarm-node-3 (each a node the stack file implies); "
        "their power was not checked; describe them in an overlay"
    ]


def test_an_assumed_host_cabled_to_nothing_says_both():
    text = """\
    version: 1
    network:
      internet: {kind: external}
    hosts:
      node-a: {assumed: a node the inventory implies}
      node-b: {assumed: a node the inventory implies}
      real-1: {}
    """
    said = {(f.subject, f.message) for f in model001(text)}
    assert (
        "node-a",
        (
            "2 hosts are not described: node-a, node-b (each a node the inventory implies); "
            "their power and network path were not checked; describe them in an overlay"
        ),
    ) in said
    assert {s for s, _ in said} == {"internet", "node-a", "real-1"}  # nothing of node-b's on its own
    assert {m.split(" (")[0] for s, m in said if s == "real-1"} == {
        "host real-1 has no power",
        "host real-1 is cabled to nothing",
    }


def test_describe():
    t = topology_of(
        "version: 1\nhosts:\n  a: {assumed: a node the manifests imply}\n  b: {assumed: true}\n"
        "  c: {assumed: false}\n  d: {}\n"
    )
    assert [t.describe(h) for h in "abcd"] == ["a (a node the manifests imply)", "b (assumed, not described)", "c", "d"]
    assert t.assumed == {"a": "a node the manifests imply", "b": "assumed, not described"}


@pytest.mark.parametrize("value", ["3", '""', "[node]"])
def test_assumed_is_words_or_a_boolean(value):
    with pytest.raises(InputError, match="assumed"):
        topology_of(f"version: 1\nhosts:\n  a: {{assumed: {value}}}\n")
