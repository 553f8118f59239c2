"""MODEL003 (unused-element): what exists to be depended on and that nothing depends on,
on hand-checked topologies, and the network part against brute force (every simple path
enumerated) on random graphs."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from spoflint import engine
from spoflint.analysis.orphans import _on_some_path
from spoflint.errors import InputError
from tests.helpers import CORPUS, EXAMPLES, FIXTURES, needs_corpus, topology_of

SELECT = engine.Config(select=frozenset({"MODEL003"}))


def unused(text: str) -> dict[str, str]:
    """Subject -> message of the MODEL003 findings of one file."""
    found = engine.check(topology_of(textwrap.dedent(text)), SELECT)
    return {f.subject: f.message for f in found}


POWERED = """\
version: 1
power:
  feed-a: {kind: feed}
  pdu-a: {kind: pdu, from: [feed-a]}
"""


def test_the_idle_ups_of_the_planted_case_is_the_one_finding():
    path = FIXTURES / "MODEL003" / "both-pdus-from-one-ups.yaml"
    (finding,) = [f for f in engine.lint([path]) if f.rule == "MODEL003"]
    assert (finding.subject, finding.line, finding.severity) == ("ups-b", 12, "note")
    assert finding.message.startswith("ups ups-b feeds nothing: no `from` or `power` names it")


def test_a_power_element_named_only_by_a_rack_feeds_what_the_rack_holds():
    said = unused(
        POWERED
        + "  pdu-b: {kind: pdu, from: [feed-a]}\nracks:\n  r1: {power: [pdu-a, pdu-b]}\nhosts:\n  h: {rack: r1}\n"
    )
    assert said == {}


def test_each_layer():
    said = unused(
        POWERED
        + """\
  pdu-x: {kind: pdu, from: [feed-a]}
cooling:
  crac-1: {power: [pdu-a]}
  crac-x: {power: [pdu-a]}
racks:
  r1: {cooling: [crac-1]}
  r-x: {cooling: [crac-1]}
hosts:
  h-1: {rack: r1}
storage:
  data: {kind: nfs, hosts: [h-1]}
  data-x: {kind: nfs, hosts: [h-1]}
services:
  app: {kind: nginx, hosts: [h-1], storage: [data]}
"""
    )
    assert said == {
        "pdu-x": "pdu pdu-x feeds nothing: no `from` or `power` names it, so it backs nothing up; "
        "name it where it should feed, or remove it",
        "crac-x": "cooling unit crac-x cools nothing: no rack lists it in `cooling`; "
        "list it in the racks it cools, or remove it",
        "r-x": "rack r-x holds nothing: no host or network node is placed in it (`rack: r-x`); "
        "place what it holds in it, or remove it",
        "data-x": "storage data-x is used by no service: none lists it in `storage` or `depends_on`; "
        "name it in the services that keep their data there, or remove it",
    }


def test_a_cooling_unit_in_a_zone_that_holds_something_is_used():
    zoned = POWERED + "zones: {dc1: {}, mmr: {}}\ncooling:\n  crac-1: {power: [pdu-a]}\n  crac-z: {zone: %s}\n"
    zoned += "racks:\n  r1: {cooling: [crac-1], zone: dc1}\nhosts:\n  h-1: {rack: r1}\n"
    assert unused(zoned % "dc1") == {}
    assert unused(zoned % "mmr") == {
        "crac-z": "cooling unit crac-z cools nothing: no rack lists it in `cooling`, and nothing is placed in "
        "its zone mmr; list it in the racks it cools, or remove it"
    }


NETWORK = """\
version: 1
network:
  internet: {kind: external}
  edge-1: {kind: router}
  edge-2: {kind: router}
  core-1: {kind: switch}
  core-2: {kind: switch}
%s
links:
  - [internet, edge-1]
  - [internet, edge-2]
  - [edge-1, core-1]
  - [edge-2, core-2]
  - [core-1, core-2]
%s
hosts:
  h-1: {nics: [core-1, core-2]}
"""


def test_routers_that_only_carry_traffic_are_used():
    assert unused(NETWORK % ("", "")) == {}


def test_a_dangling_chain_of_switches_is_unused_all_along():
    said = unused(NETWORK % ("  agg: {kind: switch}\n  leaf: {kind: switch}", "  - [core-1, agg]\n  - [agg, leaf]"))
    assert set(said) == {"agg", "leaf"}
    assert said["agg"] == (
        "switch agg serves no host: none is cabled to it, and it is on no path from an entry point to one; "
        "cable the hosts it serves to it, or remove it"
    )


def test_a_redundant_pair_with_nothing_below_is_unused():
    # agg-1 and agg-2 make a cycle with the core, but no path to a host goes through them
    pair = "  agg-1: {kind: switch}\n  agg-2: {kind: switch}"
    cables = "  - [core-1, agg-1]\n  - [core-2, agg-2]\n  - [agg-1, agg-2]"
    assert set(unused(NETWORK % (pair, cables))) == set()  # core-1 - agg-1 - agg-2 - core-2 is a path to h-1
    cables = "  - [core-1, agg-1]\n  - [core-1, agg-2]\n  - [agg-1, agg-2]"
    assert set(unused(NETWORK % (pair, cables))) == {"agg-1", "agg-2"}  # they hang off core-1 alone


def test_a_router_on_the_only_path_is_used_even_far_from_the_hosts():
    # internet - edge-1 - transit - core-1: transit serves h-1 though no host is cabled to it
    text = NETWORK % ("  transit: {kind: router}", "  - [edge-1, transit]\n  - [transit, core-2]")
    assert unused(text) == {}


def test_firewalls_entry_points_and_external_nodes_are_never_reported():
    extra = "  fw-1: {kind: firewall}\n  lb-1: {kind: lb-appliance}\n  partner: {kind: external}"
    assert unused(NETWORK % (extra, "  - [edge-1, fw-1]\n  - [edge-2, lb-1]\n  - [edge-2, partner]")) == {}


def test_a_switch_cabled_to_nothing_is_model001s():
    assert unused(NETWORK % ("  lonely: {kind: switch}", "")) == {}


def test_without_entry_points_the_network_is_not_judged():
    text = NETWORK.replace("  internet: {kind: external}\n", "").replace(
        "  - [internet, edge-1]\n  - [internet, edge-2]\n", ""
    )
    assert unused(text % ("  agg: {kind: switch}", "  - [core-1, agg]")) == {}


def test_a_layer_described_on_its_own_is_not_judged():
    facility = POWERED + "  pdu-b: {kind: pdu, from: [feed-a]}\nracks:\n  r1: {}\n  r2: {}\ncooling:\n  crac-1: {}\n"
    assert unused(facility) == {}
    network = "version: 1\nnetwork:\n  internet: {kind: external}\n  core: {kind: router}\nlinks: [[internet, core]]\n"
    assert unused(network) == {}
    storage = "version: 1\nhosts:\n  h: {}\nstorage:\n  s: {kind: nfs, hosts: [h]}\nservices:\n  a: {kind: nginx, hosts: [h]}\n"
    assert unused(storage) == {}


def test_a_spare_kept_on_purpose_is_accepted():
    text = (
        POWERED
        + "  pdu-spare: {kind: pdu, from: [feed-a], accept: {MODEL003: cold spare}}\nhosts:\n  h: {power: [pdu-a]}\n"
    )
    (finding,) = engine.check(topology_of(text), engine.Config(select=frozenset({"MODEL003", "MODEL002"})))
    assert (finding.rule, finding.subject, finding.suppressed) == ("MODEL003", "pdu-spare", "cold spare")


def test_an_assumed_element_is_named_as_such():
    text = POWERED + "racks:\n  r1: {}\n  r9: {assumed: a rack the inventory implies}\nhosts:\n  h: {rack: r1}\n"
    assert unused(text)["r9"].startswith("rack r9 (a rack the inventory implies) holds nothing")


def test_the_examples_have_nothing_unused_but_the_planted_ups():
    for path in [*sorted(EXAMPLES.glob("*.yaml")), FIXTURES / "stories" / "planted-mistakes.yaml"]:
        found = [(f.subject, f.line) for f in engine.lint([path], SELECT)]
        assert found == ([("ups-b", 18)] if path.name == "planted-mistakes.yaml" else []), path.name


@needs_corpus
def test_the_corpus_has_nothing_unused():
    # what readers import exists because it is deployed; a backend no service is seen to
    # use (OpenStack-Ansible's Ceph when the glance store is not in the files) is MODEL001's
    checked = 0
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir() and p.name != "netbox"):
        files = [p for p in folder.rglob("*") if p.is_file() and p.name != "LICENSE"]
        for path in [folder, *files]:  # as a directory is checked, and each file alone
            try:
                result = engine.run([path], SELECT)
            except InputError:  # a folder with no topology file of its own (openstack-ansible's)
                assert path == folder
                continue
            checked += result.checked
            assert not result.findings, (path, [f.message for f in result.findings])
    assert checked > 30


# --- the network part against brute force ---------------------------------------------------


def brute_force(adjacency: dict[str, set[str]], sources: list[str], targets: list[str]) -> set[str]:
    """Every vertex on some simple path from a source to a target, by enumerating them."""
    found: set[str] = set()
    goal = set(targets)

    def walk(path: list[str], seen: set[str]) -> None:
        v = path[-1]
        if v in goal:
            found.update(path)
        for w in adjacency[v]:
            if w not in seen:
                seen.add(w)
                path.append(w)
                walk(path, seen)
                path.pop()
                seen.discard(w)

    for s in sources:
        walk([s], {s})
    return found


@st.composite
def graphs(draw):
    n = draw(st.integers(2, 8))
    vertices = [f"v{i}" for i in range(n)]
    pairs = [(a, b) for i, a in enumerate(vertices) for b in vertices[i + 1 :]]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=12))
    adjacency: dict[str, set[str]] = {v: set() for v in vertices}
    for a, b in edges:
        adjacency[a].add(b)
        adjacency[b].add(a)
    sources = draw(st.lists(st.sampled_from(vertices), min_size=1, max_size=3, unique=True))
    targets = draw(st.lists(st.sampled_from(vertices), min_size=1, max_size=3, unique=True))
    return adjacency, sources, targets


@settings(max_examples=400, deadline=None)
@given(graphs())
def test_on_some_path_is_what_enumerating_paths_finds(graph):
    adjacency, sources, targets = graph
    assert _on_some_path(adjacency, sources, targets) == brute_force(adjacency, sources, targets)
