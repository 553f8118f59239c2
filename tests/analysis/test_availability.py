"""Availability is exact: the BDD over shared elements equals brute-force enumeration.

For random topologies (tests/test_oracle.py's generator, with random figures declared on
some elements), each user-facing service's availability and its elements' Birnbaum
importance are computed by enumerating every up/down state of the elements it depends
on (at most MAX_ELEMENTS of them) with the reference evaluator `spoflint.analysis.reference`, and
compared with `spoflint.analysis.availability`. Hand-checked cases pin the formulas a reader can
verify on paper, including the one that naive multiplication gets wrong (two replicas
behind one shared switch).
"""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spoflint import graph as fg
from spoflint.analysis import availability as av
from spoflint.analysis.reference import evaluate
from spoflint.model import DEFAULT_SCOPE
from tests.analysis.test_oracle import WITH_ZONES, as_yaml, topologies
from tests.helpers import EXAMPLES, topology_of

MAX_ELEMENTS = 14
CHECKED = {"topologies": 0, "services": 0, "states": 0}


@st.composite
def with_figures(draw) -> dict:
    """A random topology, some of whose elements declare `availability` or mtbf/mttr."""
    doc = draw(topologies())
    for section in ("zones", "power", "cooling", "racks", "network", "hosts", "storage"):
        for eid, node in list((doc.get(section) or {}).items()):
            if draw(st.integers(0, 2)) == 0:
                continue
            node = node if isinstance(node, dict) else {}
            if draw(st.booleans()):
                node["availability"] = draw(st.sampled_from([50, 90, 99, 99.9, 100, 100, 100]))
            else:
                node["mtbf"], node["mttr"] = draw(st.sampled_from([(100, 1), (10, 10), (1000, 4)]))
            doc[section][eid] = node
    return doc


def brute_force(t, service: str, elements: list[str], scope: frozenset = DEFAULT_SCOPE):
    """P(up) and each element's P(up | e up) - P(up | e down), by enumeration."""
    q = {e: 1 - av.element_availability(t, e, scope) for e in elements}
    total, if_up, if_down = 0.0, dict.fromkeys(elements, 0.0), dict.fromkeys(elements, 0.0)
    for states in itertools.product((False, True), repeat=len(elements)):
        failed = {e for e, down in zip(elements, states) if down}
        weight = math.prod(q[e] if down else 1 - q[e] for e, down in zip(elements, states))
        CHECKED["states"] += 1
        if evaluate(t, failed).is_up(service):
            total += weight
            for e, down in zip(elements, states):
                if down:
                    if_down[e] += weight / q[e]
                else:
                    if_up[e] += weight / (1 - q[e])
    return total, {e: if_up[e] - if_down[e] for e in elements}


def failing_elements(t, service: str, scope: frozenset = DEFAULT_SCOPE) -> list[str]:
    g = fg.build(t)
    owns = {g.gates[n].own for n in av.support(g, service)}
    return sorted(e for e in owns if e is not None and av.element_availability(t, e, scope) < 1)


@pytest.mark.slow
@pytest.mark.parametrize("scope", [DEFAULT_SCOPE, WITH_ZONES], ids=["default-scope", "zones-too"])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(doc=with_figures())
def test_exact_availability_matches_enumeration(doc, scope):
    """In the failure model of check and cutsets: the candidates of `scope` only (a
    figure on anything else is not counted), with the same figures."""
    t = topology_of(as_yaml(doc), "rand.yaml")
    result = av.compute(t, scope=scope)
    CHECKED["topologies"] += 1
    everything = [e for e in t.section_of if av.element_availability(t, e, scope) < 1]
    assert all(t.can_fail(e, scope) for e in everything)
    for service, found in result.items():
        elements = failing_elements(t, service, scope)
        assert found.exact and found.elements == len(elements)
        # what lies outside the support cannot matter: fail all of it
        outside = set(everything) - set(elements)
        assert evaluate(t, outside).is_up(service) == evaluate(t, set()).is_up(service), as_yaml(doc)
        if len(elements) > MAX_ELEMENTS:
            continue
        CHECKED["services"] += 1
        expected, importance = brute_force(t, service, elements, scope)
        assert found.availability == pytest.approx(expected, abs=1e-12), f"{service}\n" + as_yaml(doc)
        for e, b in found.importance:
            assert b == pytest.approx(importance[e], abs=1e-9), f"{service}: {e}\n" + as_yaml(doc)
        # the largest, where they stand clear of rounding (1e-9)
        shown = [b for _, b in found.importance if b > 1e-9]
        top = sorted((b for b in importance.values() if b > 1e-9), reverse=True)[: len(found.importance)]
        assert shown == pytest.approx(top[: len(shown)], abs=1e-9)
        assert len(shown) == len(top) or len(found.importance) == 5


@pytest.mark.slow  # with the property test above, whose cases it counts
def test_enumeration_covered_enough():
    """Run after the property test (file order): it must have compared real cases."""
    if CHECKED["topologies"] == 0:
        pytest.skip("run with the property test")
    assert CHECKED["services"] >= 100, CHECKED


def availability_of(text: str, service: str) -> float:
    return av.compute(topology_of(text))[service].availability


def test_two_independent_replicas():
    a = 0.99
    text = """
version: 1
hosts:
  h1: {availability: 99}
  h2: {availability: 99}
services:
  web: {kind: nginx, hosts: [h1, h2], access: client-list}
"""
    assert availability_of(text, "web") == pytest.approx(1 - (1 - a) ** 2, abs=1e-15)


def test_two_replicas_behind_one_switch_count_the_switch_once():
    a, a_sw = 0.99, 0.999
    text = """
version: 1
network:
  internet: {kind: external}
  sw: {kind: switch, availability: 99.9}
links:
  - {between: [internet, sw], availability: 100}
  - {between: [h1, sw], availability: 100}
  - {between: [h2, sw], availability: 100}
hosts:
  h1: {availability: 99}
  h2: {availability: 99}
services:
  web: {kind: nginx, hosts: [h1, h2], access: client-list}
"""
    found = availability_of(text, "web")
    assert found == pytest.approx(a_sw * (1 - (1 - a) ** 2), abs=1e-15)
    naive = 1 - (1 - a_sw * a) ** 2  # two independent paths: wrong, the switch is shared
    assert abs(found - naive) > 1e-4
    top = av.compute(topology_of(text))["web"].importance
    assert top[0][0] == "sw" and top[0][1] == pytest.approx(1 - (1 - a) ** 2)


def test_two_of_three_quorum():
    a = 0.999
    text = """
version: 1
hosts:
  db-1: {mtbf: 999, mttr: 1}
  db-2: {mtbf: 999, mttr: 1}
  db-3: {mtbf: 999, mttr: 1}
services:
  galera: {kind: mariadb-galera, hosts: [db-1, db-2, db-3], quorum: majority, access: client-list}
"""
    assert availability_of(text, "galera") == pytest.approx(a**3 + 3 * a**2 * (1 - a), abs=1e-15)


def test_defaults_apply_per_kind():
    t = topology_of("""
version: 1
power:
  feed-a: {kind: feed}
  pdu-a: {kind: pdu, from: [feed-a]}
hosts:
  h1: {power: [pdu-a]}
services:
  web: {kind: nginx, hosts: [h1]}
""")
    assert av.element_availability(t, "feed-a") == pytest.approx(0.999)
    assert av.element_availability(t, "pdu-a") == pytest.approx(0.99999)
    assert av.element_availability(t, "h1") == pytest.approx(0.9995)
    assert av.compute(t)["web"].availability == pytest.approx(0.999 * 0.99999 * 0.9995)


def test_budget_gives_a_bound():
    t = topology_of("""
version: 1
hosts:
  h1: {availability: 99}
  h2: {availability: 99}
  h3: {availability: 99}
services:
  web: {kind: nginx, hosts: [h1, h2, h3], access: client-list}
""")
    exact = av.compute(t)["web"].availability
    g = fg.build(t)
    bounded = av.service_availability(t, g, "web", max_nodes=2, max_branches=3)
    assert not bounded.exact
    assert bounded.lower <= exact <= bounded.upper
    factored = av.service_availability(t, g, "web", max_nodes=2)  # past the BDD budget, factoring finishes
    assert factored.exact and factored.availability == pytest.approx(exact, abs=1e-15)
    assert dict(factored.importance) == pytest.approx(dict(av.compute(t)["web"].importance))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hosts: {h1: {availability: 99, mtbf: 10, mttr: 1}}", "not both"),
        ("hosts: {h1: {mtbf: 10}}", "go together"),
    ],
)
def test_figures_must_be_consistent(text, message):
    from spoflint.errors import InputError

    with pytest.raises(InputError, match=message):
        topology_of("version: 1\n" + text + "\n")


@pytest.mark.parametrize(
    "text", ["hosts: {h1: {availability: 0}}", "hosts: {h1: {availability: 101}}", "hosts: {h1: {mtbf: -1, mttr: 1}}"]
)
def test_figures_out_of_range_are_input_errors(text):
    from spoflint.errors import InputError

    with pytest.raises(InputError):
        topology_of("version: 1\n" + text + "\n")


# --- recovery time (OBJ002's facts) ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"), [("2m", 120), ("30s", 30), ("1h", 3600), (90, 90), ("1.5m", 90), ("500ms", 0.5), ("45", 45)]
)
def test_parse_duration(value, seconds):
    from spoflint.analysis.recovery import parse_duration

    assert parse_duration(value) == pytest.approx(seconds)


def test_recovery_is_the_slowest_mechanism_on_the_path():
    from spoflint.analysis.recovery import MECHANISMS, recoveries

    t = topology_of("""
version: 1
hosts:
  ctl-1: {fencing: ipmi}
  ctl-2: {fencing: ipmi}
  ctl-3: {fencing: ipmi}
services:
  lb: {kind: haproxy, hosts: [ctl-1, ctl-2], vip: keepalived}
  db: {kind: mariadb-galera, hosts: [ctl-1, ctl-2, ctl-3], load_balancer: lb}
  mq: {kind: rabbitmq, hosts: [ctl-1, ctl-2, ctl-3], ha: active-active}
  vol: {kind: cinder-volume, hosts: [ctl-1, ctl-2], ha: active-passive, manager: pacemaker, vip: pacemaker}
  web: {kind: nginx, hosts: [ctl-1, ctl-2], load_balancer: lb, public: true}
  api: {kind: nova-api, hosts: [ctl-1, ctl-2], load_balancer: lb, depends_on: [db], public: true}
  worker: {kind: nova-conductor, hosts: [ctl-1, ctl-2], depends_on: [mq], public: true}
  single: {kind: nginx, hosts: [ctl-3], depends_on: [vol], public: true}
""")
    found = recoveries(t)
    assert (found["web"].mechanism, found["web"].seconds) == ("load-balancer", MECHANISMS["load-balancer"])
    assert (found["api"].mechanism, found["api"].via) == ("galera", "db")
    assert found["worker"].seconds == max(MECHANISMS["worker"], MECHANISMS["rabbitmq"])
    assert found["single"].mechanism == "manual"


def test_recovery_of_openstack_ha_within_its_objective():
    from spoflint.analysis.recovery import parse_duration, recoveries
    from spoflint.importers.assemble import read_topology

    t = read_topology([EXAMPLES / "openstack-ha.yaml"])
    limit = parse_duration(t.objectives["recovery_time"])
    assert all(r.seconds <= limit for r in recoveries(t).values())


# --- the command ------------------------------------------------------------------------


def test_availability_command(capsys):
    import json

    from spoflint.cli import run

    assert run(["availability", str(EXAMPLES / "openstack-ha.yaml")]) == 0
    out = capsys.readouterr().out
    assert "objective 99.99%" in out and "nova-api: 99.99" in out and "recovery after a host failure" in out
    assert run(["availability", str(EXAMPLES / "single-controller.yaml"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {s["service"] for s in data["services"]} == {"nova-api", "nova-compute"}
    assert all(s["exact"] and s["availability_percent"] < 99.9 for s in data["services"])


def test_availability_command_bad_input(tmp_path, capsys):
    from spoflint.cli import run

    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nhosts: {h1: {availability: 120}}\n")
    assert run(["availability", str(bad)]) == 2
    assert "bad.yaml:2" in capsys.readouterr().err
