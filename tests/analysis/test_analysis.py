"""The single-failure analysis on tiny topologies, one per trap of performance.md.

Each case is small enough to check by hand; each also states what the brute-force
evaluator says, so that a wrong expectation here cannot hide behind a wrong analysis.
"""

from __future__ import annotations

import textwrap

from spoflint import graph as fg
from spoflint.analysis import Facts
from spoflint.analysis.reference import evaluate
from tests.helpers import EXAMPLES, FIXTURES, topology_of

POWER = """
power:
  feed-a: {kind: feed}
  feed-b: {kind: feed}
  pdu-a: {kind: pdu, from: [feed-a]}
  pdu-b: {kind: pdu, from: [feed-b]}
"""


def facts(*parts: str) -> Facts:
    text = "version: 1\n" + "".join(textwrap.dedent(part) for part in parts)
    return Facts(topology_of(text, "test.yaml"))


def downtime(f: Facts) -> dict[str, set[str]]:
    """Single points of failure -> the user-facing services each takes down."""
    return {e: set(p.services) for e, p in f.single_points.items() if p.services}


def brute_force(f: Facts, *failed: str) -> list[str]:
    return evaluate(f.topology, set(failed)).public_down


# --- correlated failures in the network ---------------------------------------------

SWITCH_PAIR = (
    POWER
    + """
network:
  internet: {kind: external}
  sw-1: {kind: switch, power: [pdu-a]}
  sw-2: {kind: switch, power: [%s]}
links:
  - [internet, sw-1]
  - [internet, sw-2]
hosts:
  h-1: {power: [pdu-a, pdu-b], nics: [sw-1, sw-2]}
  h-2: {power: [pdu-a, pdu-b], nics: [sw-1, sw-2]}
services:
  web: {kind: nginx, hosts: [h-1, h-2], vip: keepalived}
"""
)


def test_switch_pair_on_one_pdu_makes_the_pdu_a_single_point():
    f = facts(SWITCH_PAIR % "pdu-a")
    spofs = downtime(f)
    assert spofs["pdu-a"] == {"web"}
    assert spofs["feed-a"] == {"web"}  # pdu-a's only source
    assert "sw-1" not in spofs and "sw-2" not in spofs  # each alone is covered by the other
    assert brute_force(f, "pdu-a") == ["web"] and brute_force(f, "sw-1") == []


def test_switch_pair_on_two_pdus_has_no_single_point():
    f = facts(SWITCH_PAIR % "pdu-b")
    assert downtime(f) == {}
    assert brute_force(f, "sw-1", "sw-2") == ["web"]  # the pair together still matters


# --- hosts do not route -------------------------------------------------------------


def test_a_dual_homed_host_does_not_join_its_two_switches():
    # sw-2 hangs off sw-1 by one cable; h-1 is cabled to both switches, which would be a
    # second way to sw-2 if hosts forwarded traffic. They do not: the cable is a single
    # point of failure for `app` on h-2, which only sw-2 reaches.
    f = facts(
        POWER,
        """
    network:
      internet: {kind: external}
      sw-1: {kind: switch, power: [pdu-a, pdu-b]}
      sw-2: {kind: switch, power: [pdu-a, pdu-b]}
    links:
      - [internet, sw-1]
      - [sw-1, sw-2]
    hosts:
      h-1: {power: [pdu-a, pdu-b], nics: [sw-1, sw-2]}
      h-2: {power: [pdu-a, pdu-b], nics: [sw-2]}
    services:
      app: {kind: nginx, hosts: [h-2]}
    """,
    )
    spofs = downtime(f)
    assert spofs["sw-1--sw-2"] == {"app"}
    assert spofs["sw-1"] == {"app"}
    assert "h-1" not in spofs and "h-1--sw-2" not in spofs
    assert brute_force(f, "sw-1--sw-2") == ["app"]


def test_a_switch_reached_only_through_a_host_is_unreachable():
    f = facts(
        POWER,
        """
    network:
      internet: {kind: external}
      sw-1: {kind: switch, power: [pdu-a]}
      sw-2: {kind: switch, power: [pdu-a]}
    links:
      - [internet, sw-1]
    hosts:
      h-1: {power: [pdu-a], nics: [sw-1, sw-2]}
      h-2: {power: [pdu-a], nics: [sw-2]}
    services:
      app: {kind: nginx, hosts: [h-2]}
    """,
    )
    assert "app" in f.never_up
    assert brute_force(f) == ["app"]


# --- links fail too -----------------------------------------------------------------


def test_a_single_cable_is_a_single_point():
    f = facts(
        POWER,
        """
    network:
      internet: {kind: external}
      edge: {kind: router, power: [pdu-a, pdu-b]}
      sw-1: {kind: switch, power: [pdu-a, pdu-b]}
      sw-2: {kind: switch, power: [pdu-a, pdu-b]}
    links:
      - [internet, edge]
      - [edge, sw-1]
      - [edge, sw-2]
    hosts:
      h-1: {power: [pdu-a, pdu-b], nics: [sw-1, sw-2]}
      h-2: {power: [pdu-a, pdu-b], nics: [sw-1]}
    services:
      web: {kind: nginx, hosts: [h-1, h-2], vip: keepalived, min_instances: 2}
    """,
    )
    spofs = downtime(f)
    assert spofs["internet--edge"] == {"web"}
    assert spofs["h-2--sw-1"] == {"web"}  # h-2's only cable
    assert "h-1--sw-1" not in spofs and "h-1--sw-2" not in spofs  # h-1 has two
    assert "edge--sw-2" not in spofs
    assert spofs["edge--sw-1"] == {"web"}  # the way to h-2's only switch
    assert f.single_points["h-2--sw-1"].chain == ("h-2--sw-1", "h-2", "web")
    assert brute_force(f, "h-2--sw-1") == ["web"] and brute_force(f, "h-1--sw-1") == []


# --- quorum is k-of-n -----------------------------------------------------------------


def galera(members: int) -> Facts:
    hosts = [f"db-{i}" for i in range(1, members + 1)]
    lines = "\n".join(f"  {h}: {{power: [pdu-a, pdu-b]}}" for h in hosts)
    return facts(
        POWER,
        f"hosts:\n{lines}\nservices:\n"
        f"  galera: {{kind: mariadb-galera, hosts: [{', '.join(hosts)}], vip: keepalived}}\n",
    )


def test_three_node_quorum_survives_one_failure_not_two():
    f = galera(3)
    assert f.topology.services["galera"].quorum == 2
    assert downtime(f) == {}
    assert brute_force(f, "db-1") == []
    assert brute_force(f, "db-1", "db-2") == ["galera"]


def test_two_node_quorum_survives_no_failure():
    f = galera(2)
    assert f.topology.services["galera"].quorum == 2
    assert downtime(f) == {"db-1": {"galera"}, "db-2": {"galera"}}
    assert f.single_points["db-1"].data == ()  # replicated: the other member keeps a copy


# --- clients that address one instance ---------------------------------------------

ONE_ADDRESS = (
    POWER
    + """
hosts:
  h-1: {power: [pdu-a, pdu-b]}
  h-2: {power: [pdu-a, pdu-b]}
  h-3: {power: [pdu-a, pdu-b]}
services:
  api: {kind: nginx, hosts: [h-2, h-1, h-3]%s}
"""
)


def test_clients_addressing_one_instance_depend_on_the_first_only():
    f = facts(ONE_ADDRESS % "")
    assert f.topology.services["api"].addresses_one
    assert downtime(f) == {"h-2": {"api"}}  # the first listed, not the first by name
    assert brute_force(f, "h-2") == ["api"] and brute_force(f, "h-1", "h-3") == []


def test_clients_behind_a_vip_or_a_list_depend_on_no_one_instance():
    assert downtime(facts(ONE_ADDRESS % ", vip: keepalived")) == {}
    assert downtime(facts(ONE_ADDRESS % ", access: client-list")) == {}


# --- ids may hold `@` ---------------------------------------------------------------


def test_ids_that_read_like_helper_nodes_are_elements_like_any_other():
    # `web@instances` is a valid id; it must not be mistaken for (or overwrite) the node
    # that counts web's instances, nor be cut short to `web` in a chain.
    f = facts(
        POWER,
        """
    hosts:
      a: {power: [pdu-a, pdu-b]}
      b: {power: [pdu-a, pdu-b]}
      web@instances: {power: [pdu-a, pdu-b]}
    services:
      web: {kind: nginx, hosts: [a, b], access: client-list}
      other: {kind: nginx, hosts: [web@instances]}
    """,
    )
    assert downtime(f) == {"web@instances": {"other"}}
    assert f.single_points["web@instances"].chain == ("web@instances", "other")
    assert brute_force(f, "web@instances") == ["other"]


def test_a_host_named_like_another_hosts_usability_is_a_host_of_its_own():
    f = facts(
        POWER,
        """
    hosts:
      h1: {power: [pdu-a, pdu-b]}
      h1@ok: {power: [pdu-a, pdu-b]}
    services:
      a: {kind: nginx, hosts: [h1]}
      b: {kind: nginx, hosts: [h1@ok]}
    """,
    )
    assert downtime(f) == {"h1": {"a"}, "h1@ok": {"b"}}
    assert brute_force(f, "h1") == ["a"] and brute_force(f, "h1@ok") == ["b"]


def test_helper_separator_is_outside_the_id_alphabet():
    # The fault graph and the evaluator name helper nodes `<id>#<what>`; that is only
    # unambiguous while no id can contain `#`.
    import re

    from spoflint import graph
    from spoflint.analysis import reference
    from spoflint.model import schema

    pattern = schema()["$defs"]["id"]["pattern"]
    assert graph.SEP == reference.SEP
    assert not re.search(pattern, f"a{graph.SEP}b")


# --- the fault graph's names --------------------------------------------------------


def test_a_gate_names_a_helper_node_by_the_key_it_was_made_under():
    """`h#ok` and `n#reach`, wherever a gate names them (a host's ways out, storage
    copies, a service's instances), are the very key objects of those nodes, not new
    strings of the same text (graph.py, `_usable`): the analyses' lookups then match on
    identity. Every example (storage over hosts, services on hosts) and two fixtures of
    pools spread over hosts and racks."""
    paths = [*sorted(EXAMPLES.glob("*.yaml")), FIXTURES / "SPOF001" / "kubernetes-redundant.yaml"]
    texts = [p.read_text(encoding="utf-8") for p in [*paths, FIXTURES / "SVC007" / "required-spread.yaml"]]
    checked = 0
    for text in texts:
        g = fg.build(topology_of(text))
        keys = {k: k for k in g.gates}
        for gate in g.gates.values():
            for name in gate.inputs:
                if fg.SEP in name and name in keys:
                    assert name is keys[name], name
                    checked += 1
    assert checked > 50
