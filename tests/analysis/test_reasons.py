"""The whole reason: the redundant inputs one failure takes out together.

Planted topologies (both PDUs fed only by one UPS; two switches sharing one PDU;
storage replicas on hosts in one rack; a switch reachable only through another) say it
in SPOF001's message and its `lost_together`, and `spoflint simulate` says it the same
way. A property test holds every group to the brute-force reference: failing the
element alone loses every member, every cause named, and every "reachable only
through" claim.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from spoflint import lint
from spoflint.analysis import Facts
from spoflint.analysis.reasons import candidates, lost_together
from spoflint.analysis.reference import Evaluation, evaluate, reach_key, usable_key
from spoflint.analysis.simulation import lost_together as simulated_together
from spoflint.analysis.simulation import simulate
from spoflint.errors import InputError
from spoflint.model import DEFAULT_SCOPE, Topology
from spoflint.registry import rules
from spoflint.views.simulation import to_json, to_text
from tests.analysis.test_oracle import WITH_ZONES, as_yaml, topologies
from tests.helpers import topology_of, write

OPENSTACK = """\
services:
  haproxy: {kind: haproxy, role: load-balancer, hosts: [ctl-1, ctl-2, ctl-3], vip: keepalived}
  galera: {kind: mariadb-galera, hosts: [ctl-1, ctl-2, ctl-3], ha: active-active, load_balancer: haproxy}
  keystone: {kind: keystone-api, hosts: [ctl-1, ctl-2, ctl-3], load_balancer: haproxy, depends_on: [galera]}
  glance: {kind: glance-api, hosts: [ctl-1, ctl-2, ctl-3], load_balancer: haproxy, depends_on: [galera, keystone]}
  nova-api: {kind: nova-api, hosts: [ctl-1, ctl-2, ctl-3], load_balancer: haproxy, depends_on: [galera, keystone]}
"""

FABRIC = """\
network:
  internet: {kind: external}
  edge-1: {kind: router, rack: rack-1}
  edge-2: {kind: router, rack: rack-2}
  tor-1: {kind: switch, rack: rack-1}
  tor-2: {kind: switch, rack: rack-2}
links:
  - [internet, edge-1]
  - [internet, edge-2]
  - [edge-1, tor-1]
  - [edge-1, tor-2]
  - [edge-2, tor-1]
  - [edge-2, tor-2]
"""

# Both PDUs are fed from ups-a (pdu-b should be on ups-b): everything is on two PDUs,
# the cooling too, and all of it goes with ups-a.
ONE_UPS = (
    """\
version: 1
entrypoints: [internet]
power:
  feed-a: {kind: feed}
  feed-b: {kind: feed}
  ups-a: {kind: ups, from: [feed-a]}
  ups-b: {kind: ups, from: [feed-b]}
  pdu-a: {kind: pdu, from: [ups-a]}
  pdu-b: {kind: pdu, from: [ups-a]}
cooling:
  crac-1: {power: [pdu-a, pdu-b]}
  crac-2: {power: [pdu-a, pdu-b]}
racks:
  rack-1: {cooling: [crac-1, crac-2], power: [pdu-a, pdu-b]}
  rack-2: {cooling: [crac-1, crac-2], power: [pdu-a, pdu-b]}
"""
    + FABRIC
    + """\
hosts:
  ctl-1: {rack: rack-1, nics: [tor-1, tor-2]}
  ctl-2: {rack: rack-1, nics: [tor-1, tor-2]}
  ctl-3: {rack: rack-2, nics: [tor-1, tor-2]}
"""
    + OPENSTACK
)

# Every host is on two PDUs and cabled to two switches, but both switches are on pdu-a.
SWITCHES_ON_ONE_PDU = (
    """\
version: 1
entrypoints: [internet]
power:
  feed-a: {kind: feed}
  feed-b: {kind: feed}
  pdu-a: {kind: pdu, from: [feed-a]}
  pdu-b: {kind: pdu, from: [feed-b]}
network:
  internet: {kind: external}
  edge-1: {kind: router, power: [pdu-a, pdu-b]}
  edge-2: {kind: router, power: [pdu-a, pdu-b]}
  sw-1: {kind: switch, power: [pdu-a]}
  sw-2: {kind: switch, power: [pdu-a]}
links:
  - [internet, edge-1]
  - [internet, edge-2]
  - [edge-1, sw-1]
  - [edge-1, sw-2]
  - [edge-2, sw-1]
  - [edge-2, sw-2]
hosts:
  ctl-1: {power: [pdu-a, pdu-b], nics: [sw-1, sw-2]}
  ctl-2: {power: [pdu-a, pdu-b], nics: [sw-1, sw-2]}
  ctl-3: {power: [pdu-a, pdu-b], nics: [sw-1, sw-2]}
"""
    + OPENSTACK
)

# Three copies of the images on three storage hosts, two of them in rack-1.
REPLICAS_IN_ONE_RACK = (
    """\
version: 1
entrypoints: [internet]
power:
  feed-a: {kind: feed}
  feed-b: {kind: feed}
  pdu-a: {kind: pdu, from: [feed-a]}
  pdu-b: {kind: pdu, from: [feed-b]}
racks:
  rack-1: {power: [pdu-a, pdu-b]}
  rack-2: {power: [pdu-a, pdu-b]}
  rack-3: {power: [pdu-a, pdu-b]}
"""
    + FABRIC
    + """\
hosts:
  ctl-1: {rack: rack-1, nics: [tor-1, tor-2]}
  ctl-2: {rack: rack-2, nics: [tor-1, tor-2]}
  ctl-3: {rack: rack-3, nics: [tor-1, tor-2]}
  stor-1: {rack: rack-1, nics: [tor-1, tor-2]}
  stor-2: {rack: rack-1, nics: [tor-1, tor-2]}
  stor-3: {rack: rack-2, nics: [tor-1, tor-2]}
storage:
  images: {kind: ceph, hosts: [stor-1, stor-2, stor-3], replicas: 3, min_replicas: 2}
"""
    + OPENSTACK.replace(
        "depends_on: [galera, keystone]}\n  nova-api", "depends_on: [galera, keystone], storage: [images]}\n  nova-api"
    )
)

# sw-2 hangs off sw-1: the web hosts' second NIC gives them nothing when sw-1 fails.
DAISY_CHAIN = """\
version: 1
entrypoints: [internet]
network:
  internet: {kind: external}
  sw-1: {kind: switch}
  sw-2: {kind: switch}
links: [[internet, sw-1], [sw-1, sw-2]]
hosts:
  web-1: {nics: [sw-1, sw-2]}
  web-2: {nics: [sw-1, sw-2]}
services:
  web: {kind: nginx, state: stateless, hosts: [web-1, web-2], access: client-list}
"""

ONE_OF_EACH = """\
version: 1
network:
  internet: {kind: external}
  sw-1: {kind: switch}
links: [[internet, sw-1]]
hosts:
  db-1: {nics: [sw-1]}
services:
  db: {kind: postgresql, hosts: [db-1]}
"""


def spof001(text: str) -> dict[str, object]:
    """SPOF001's problems by subject."""
    return {p.subject: p for p in rules()["SPOF001"].check(Facts(topology_of(text)), {})}


# --- messages on planted topologies ------------------------------------------------------


def test_both_pdus_fed_only_by_one_ups():
    problems = spof001(ONE_UPS)
    ups = problems["ups-a"]
    assert ups.message.startswith(
        "ups-a is a single point of failure: pdu-a and pdu-b are both fed only by ups-a, "
        "so crac-1 and crac-2 are both lost, and so ctl-1, ctl-2 and ctl-3 are all lost; "
        "this takes down glance, nova-api (ups-a -> pdu-a -> "
    )
    assert ups.lost_together == (("pdu-a", "pdu-b"), ("crac-1", "crac-2"), ("ctl-1", "ctl-2", "ctl-3"))
    # upstream, the cause is named with how it hangs on the element that fails
    assert "pdu-a and pdu-b are both fed only by ups-a, which is fed only by feed-a" in problems["feed-a"].message


def test_one_pdu_each_both_on_one_ups():
    """The cooling units have one PDU each, as they should, but both PDUs are on ups-a:
    the message says so first, though no one gate has the two PDUs as inputs."""
    text = ONE_UPS.replace("crac-1: {power: [pdu-a, pdu-b]}", "crac-1: {power: [pdu-a]}")
    text = text.replace("crac-2: {power: [pdu-a, pdu-b]}", "crac-2: {power: [pdu-b]}")
    ups = spof001(text)["ups-a"]
    assert ups.message.startswith(
        "ups-a is a single point of failure: pdu-a and pdu-b are both fed only by ups-a, "
        "so crac-1 and crac-2 are both lost, and so ctl-1, ctl-2 and ctl-3 are all lost; this takes down "
    )
    assert ups.lost_together == (("pdu-a", "pdu-b"), ("crac-1", "crac-2"), ("ctl-1", "ctl-2", "ctl-3"))
    mixed = spof001(text.replace("pdu-b: {kind: pdu, from: [ups-a]}", "pdu-b: {kind: pdu, from: [pdu-a]}"))
    assert mixed["pdu-a"].message.startswith(
        "pdu-a is a single point of failure: pdu-a and pdu-b are both lost: pdu-b is fed only by pdu-a, "
        "so crac-1 and crac-2 are both lost, and so"
    )


def test_two_switches_on_one_pdu():
    problems = spof001(SWITCHES_ON_ONE_PDU)
    assert set(problems) == {"feed-a", "pdu-a"}
    assert problems["pdu-a"].message.startswith(
        "pdu-a is a single point of failure: sw-1 and sw-2 are both powered only by pdu-a, "
        "so ctl-1, ctl-2 and ctl-3 are all lost; this takes down glance, nova-api"
    )
    assert problems["pdu-a"].lost_together == (("sw-1", "sw-2"), ("ctl-1", "ctl-2", "ctl-3"))


def test_storage_replicas_in_one_rack():
    problems = spof001(REPLICAS_IN_ONE_RACK)
    rack = problems["rack-1"]
    assert rack.message.startswith(
        "rack-1 is a single point of failure: stor-1 and stor-2 are both in rack-1 "
        "(images needs 2 of its 3 hosts); this takes down glance (rack-1 -> stor-1 -> images -> glance)"
    )
    assert rack.lost_together == (("stor-1", "stor-2"),)


def test_replicas_spread_over_racks():
    """A spread group stands for the host the failure takes out; the gate counts racks."""
    text = """\
version: 1
power:
  feed-a: {kind: feed}
  feed-b: {kind: feed}
  pdu-a: {kind: pdu, from: [feed-a]}
  pdu-b: {kind: pdu, from: [feed-b]}
racks:
  r1: {power: [pdu-a]}
  r2: {power: [pdu-a]}
  r3: {power: [pdu-b]}
hosts:
  n1: {rack: r1}
  n2: {rack: r2}
  n3: {rack: r3}
services:
  web: {kind: nginx, state: stateless, pool: [n1, n2, n3], replicas: 2, spread: rack, access: client-list}
"""
    pdu = spof001(text)["pdu-a"]
    assert pdu.message.startswith(
        "pdu-a is a single point of failure: n1 and n2 are both powered only by pdu-a "
        "(placed the worst way, web needs 2 of its 3 racks); this takes down web"
    )
    assert pdu.lost_together == (("n1", "n2"),)


def test_a_member_that_is_the_failing_element():
    sw = spof001(DAISY_CHAIN)["sw-1"]
    assert sw.message.startswith(
        "sw-1 is a single point of failure: sw-1 and sw-2 are both lost: sw-2 is reachable only through sw-1, "
        "so web-1 and web-2 are both lost; this takes down web"
    )
    assert sw.lost_together == (("sw-1", "sw-2"), ("web-1", "web-2"))


def test_no_redundancy_no_group():
    """A single instance behind one switch: the chain says it all, as before."""
    problems = spof001(ONE_OF_EACH)
    assert problems["sw-1"].message.startswith("sw-1 is a single point of failure: its failure alone takes down db (")
    assert all(p.lost_together == () for p in problems.values())


def test_findings_carry_lost_together(tmp_path):
    path = write(tmp_path / "ups.yaml", ONE_UPS)
    (finding,) = [f for f in lint([path]) if f.rule == "SPOF001" and f.subject == "ups-a"]
    assert finding.lost_together[0] == ("pdu-a", "pdu-b")


def test_only_findings_are_explained():
    """Explanations are computed on demand, per single point, and kept."""
    facts = Facts(topology_of(ONE_UPS))
    assert facts._lost_together == {}
    first = facts.lost_together("ups-a")
    assert facts.lost_together("ups-a") is first
    assert set(facts._lost_together) == {"ups-a"}


def test_the_walk_keeps_to_its_budget():
    facts = Facts(topology_of(ONE_UPS))
    sf = facts.single_failures
    assert lost_together(sf, "ups-a", ["glance"], budget=3) == []
    assert len(lost_together(sf, "ups-a", ["glance"])) == 3


# --- simulate -----------------------------------------------------------------------------


def test_simulate_text_names_the_lost_group():
    out = to_text(simulate(topology_of(ONE_UPS), ["ups-a"]))
    assert (
        "  glance: it needs galera, which is down; pdu-a and pdu-b are both fed only by ups-a, "
        "so crac-1 and crac-2 are both lost, and so ctl-1, ctl-2 and ctl-3 are all lost [ups-a -> "
    ) in out


def test_simulate_json_has_lost_together():
    document = json.loads(to_json(simulate(topology_of(REPLICAS_IN_ONE_RACK), ["rack-1"])))
    (glance,) = [s for s in document["services_down"] if s["service"] == "glance"]
    assert glance["lost_together"] == [["stor-1", "stor-2"]]
    assert list(glance) == ["service", "public", "reason", "chain", "lost_together", "explained", "down_before"]


def test_simulate_several_failures():
    out = to_text(simulate(topology_of(REPLICAS_IN_ONE_RACK), ["stor-1", "stor-3"]))
    assert (
        "  glance: it needs images, which is down; stor-1 and stor-3 both failed (images needs 2 of its 3 hosts)" in out
    )
    mixed = to_text(simulate(topology_of(SWITCHES_ON_ONE_PDU), ["sw-1", "pdu-a"]))
    assert "sw-1 and sw-2 are both lost: sw-1 failed, sw-2 is powered only by pdu-a" in mixed


def test_simulate_without_groups_is_unchanged():
    out = to_text(simulate(topology_of(ONE_OF_EACH), ["sw-1"]))
    assert "  db: clients address its first instance, on db-1, which is down [sw-1 -> db-1--sw-1 -> db-1 -> db]" in out
    document = json.loads(to_json(simulate(topology_of(ONE_OF_EACH), ["sw-1"])))
    assert [s["lost_together"] for s in document["services_down"]] == [[]]


# --- held to the brute-force reference ----------------------------------------------------


def lost(result: Evaluation, eid: str) -> bool:
    """Down, unusable (a host) or unreachable (a network node) in the reference."""
    down = result.down
    return eid in result.failed or eid in down or usable_key(eid) in down or reach_key(eid) in down


def wrong_reasons(t: Topology, failed: str, group, result: Evaluation) -> list[str]:
    """Every claim of a group's reasons (and of its upstream group's) that the reference
    does not bear out."""
    problems = []
    if group.upstream is not None:
        problems += [
            f"{m} of upstream {group.upstream.members} stays up" for m in group.upstream.members if not lost(result, m)
        ]
        problems += wrong_reasons(t, failed, group.upstream, result)
    for reason in group.reasons:
        for m in reason.members:
            if reason.relation == "reachable":  # every path to m crosses the cause
                if not lost(evaluate(t, {reason.cause}), m):
                    problems.append(f"{m} is not reachable only through {reason.cause}")
            elif reason.relation not in ("failed", "unreachable") and (reason.relation, reason.cause) not in candidates(
                t, m
            ):
                problems.append(f"{m} is not {reason.relation} {reason.cause}")
        if reason.cause is not None and not lost(result, reason.cause):
            problems.append(f"{reason.cause} is named as a cause but stays up when {failed} fails")
        if reason.through is not None and reason.through not in candidates(t, reason.cause):
            problems.append(f"{reason.cause} is not {reason.through}")
    return problems


def built(doc: dict) -> Topology:
    """The topology of a drawn document; one the model rejects has nothing to explain."""
    try:
        return topology_of(as_yaml(doc), "rand.yaml")
    except InputError:
        assume(False)
        raise


def wrong_groups(doc: dict, scope: frozenset) -> list[str]:
    t = built(doc)
    facts = Facts(t, scope)
    problems = []
    for e, point in facts.single_points.items():
        if not point.services:
            continue
        result = evaluate(t, {e})
        for group in facts.lost_together(e):
            for m in group.members:
                if not lost(result, m):
                    problems.append(f"fail {e}: {m} of {group.members} stays up")
            if len(group.members) < 2:
                problems.append(f"fail {e}: a group of one, {group.members}")
            problems += [f"fail {e}: {p}" for p in wrong_reasons(t, e, group, result)]
    for problem in rules()["SPOF001"].check(facts, {}):  # what the finding carries
        result = evaluate(t, {problem.subject})
        for members in problem.lost_together:
            problems += [
                f"SPOF001 on {problem.subject}: {m} of {members} stays up" for m in members if not lost(result, m)
            ]
    return problems


def wrong_simulated_groups(doc: dict, failed: list[str]) -> list[str]:
    t = built(doc)
    candidates_ = [
        e for e in failed if t.can_fail(e) and e in t.section_of and not (e in t.storage and t.storage[e].hosts)
    ]
    if not candidates_:
        return []
    result = simulate(t, candidates_).after
    problems = []
    for s in result.services_down:
        for group in simulated_together(result, s):
            for m in group.members:
                if not lost(result, m):
                    problems.append(f"fail {candidates_}: {m} of {group.members} (for {s}) stays up")
            if group.upstream is not None:
                problems += [
                    f"{m} of {group.upstream.members} is up" for m in group.upstream.members if not lost(result, m)
                ]
            for reason in group.reasons + (group.upstream.reasons if group.upstream else ()):
                if reason.relation == "failed":
                    problems += [f"{m} did not fail" for m in reason.members if m not in result.failed]
                elif reason.relation == "unreachable":
                    problems += [f"{m} is reachable" for m in reason.members if reach_key(m) not in result.down]
                else:
                    problems += [
                        f"{m} is not {reason.relation} {reason.cause}"
                        for m in reason.members
                        if (reason.relation, reason.cause) not in candidates(t, m)
                    ]
                    if not lost(result, reason.cause):
                        problems.append(f"{reason.cause} is named as a cause but is up")
    return problems


def check_groups(doc: dict, scope: frozenset) -> None:
    problems = wrong_groups(doc, scope)
    assert not problems, "\n".join(problems) + f"\n\nscope: {sorted(scope)}\ntopology:\n" + as_yaml(doc)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies())
def test_every_group_is_lost_by_the_failure_alone(doc):
    check_groups(doc, DEFAULT_SCOPE)


@pytest.mark.slow
@pytest.mark.parametrize("scope", [DEFAULT_SCOPE, WITH_ZONES], ids=["default-scope", "zones-too"])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies())
def test_every_group_is_lost_by_the_failure_alone_many(doc, scope):
    check_groups(doc, scope)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies(), data=st.data())
def test_simulated_groups_are_lost(doc, data):
    ids = sorted(e for section in doc.values() if isinstance(section, dict) for e in section)
    failed = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True)) if ids else []
    problems = wrong_simulated_groups(doc, failed)
    assert not problems, "\n".join(problems) + "\n\ntopology:\n" + as_yaml(doc)


def test_simulate_fails_a_service_itself_not_its_hosts():
    """Issue 12, item 9: a software failure (a bad config push) of galera takes down what
    needs it, keeps its hosts and their other services up, and loses no data."""
    from spoflint.analysis.simulation import simulate
    from spoflint.importers.assemble import read_topology
    from tests.helpers import HA

    t = read_topology([str(HA)])
    assert t is not None
    result = simulate(t, ["galera"])
    assert "galera" in result.after.services_down and "keystone" in result.newly_down
    assert result.after.down["galera"][0] == "failed itself (its software, not its hosts)"
    assert result.after.is_up("memcached") and not result.lost
    storage = next(s for s in t.storage.values() if s.hosts)
    assert storage.id in simulate(t, [storage.id]).after.down and not simulate(t, [storage.id]).lost
