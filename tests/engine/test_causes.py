"""Root causes (engine/causes.py, analysis/dominance.py): each kind of link on a small
native topology, once where it holds and once where it must not; the links' own
properties (a cause is a root, present, never a note); and, on random topologies, what
each link claims held against the brute-force evaluator."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, reject, settings

from spoflint import engine
from spoflint import graph as fg
from spoflint.analysis import Facts
from spoflint.analysis.dominance import Dependants, _Evaluation
from spoflint.analysis.reference import evaluate
from spoflint.engine import causes
from spoflint.errors import InputError
from spoflint.findings import Finding
from tests.analysis.test_oracle import as_yaml, topologies
from tests.helpers import topology_of


def findings_of(text: str, **config) -> list[Finding]:
    return engine.check(topology_of(text), engine.Config(**config))


def roots(text: str, **config) -> dict[tuple[str, str], tuple[str, str] | None]:
    """(rule, subject) -> the (rule, subject) of its root cause, or None for a root."""
    found = findings_of(text, **config)
    by_fingerprint = {f.fingerprint: f for f in found}
    return {
        (f.rule, f.subject): (by_fingerprint[f.cause].rule, by_fingerprint[f.cause].subject) if f.cause else None
        for f in found
    }


# --- power: one UPS behind a feed, PDUs converging --------------------------------------

ONE_UPS = """
version: 1
power:
  feed-a: {kind: feed}
  feed-b: {kind: feed}
  ups-a: {kind: ups, from: [feed-a]}
  ups-b: {kind: ups, from: [feed-b]}
  pdu-a: {kind: pdu, from: [ups-a]}
  pdu-b: {kind: pdu, from: [ups-a]}
hosts:
  h1: {power: [pdu-a, pdu-b]}
  h2: {power: [pdu-a, pdu-b]}
services:
  web: {kind: nginx, state: stateless, hosts: [h1, h2], access: client-list}
"""


def test_a_feed_that_feeds_one_ups_follows_from_it_and_so_does_everything_converging_on_it():
    found = roots(ONE_UPS)
    assert found[("SPOF001", "ups-a")] is None
    assert found[("SPOF001", "feed-a")] == ("SPOF001", "ups-a")  # feed-a matters only through ups-a
    assert found[("PWR001", "h1")] == found[("PWR001", "h2")] == ("SPOF001", "ups-a")  # the nearest
    assert found[("SVC002", "web")] == ("SPOF001", "ups-a")


def test_a_feed_that_also_feeds_something_else_is_its_own_root():
    text = ONE_UPS.replace("  h2: {power: [pdu-a, pdu-b]}", "  h2: {power: [pdu-a, pdu-b]}\n  h3: {power: [feed-a]}")
    text += "  api: {kind: nginx, state: stateless, hosts: [h3]}\n"
    found = roots(text)
    assert found[("SPOF001", "feed-a")] is None  # it also takes api down, through h3
    assert found[("SPOF001", "ups-a")] is None


# --- a cluster that needs every member ------------------------------------------------

TWO_NODE_GALERA = """
version: 1
racks:
  r1: {}
  r2: {}
hosts:
  db-1: {rack: r1}
  db-2: {rack: r2}
  web-1: {rack: r1}
  web-2: {rack: r2}
services:
  galera: {kind: mariadb-galera, hosts: [db-1, db-2], ha: active-active, quorum: majority, access: client-list}
  web: {kind: nginx, state: stateless, hosts: [web-1, web-2], access: client-list, depends_on: [galera]}
"""


def test_the_members_of_a_two_node_cluster_follow_from_the_cluster():
    found = roots(TWO_NODE_GALERA)
    assert found[("STATE002", "galera")] is None
    assert found[("SPOF001", "db-1")] == found[("SPOF001", "db-2")] == ("STATE002", "galera")
    # a rack matters only through the member it holds (its web host has a peer)
    assert found[("SPOF001", "r1")] == ("STATE002", "galera")


def test_a_member_that_matters_for_another_reason_is_its_own_root():
    text = TWO_NODE_GALERA + "  cron: {kind: nginx, state: stateless, hosts: [db-1]}\n"
    found = roots(text)
    assert found[("SPOF001", "db-1")] is None  # cron runs on it alone
    assert found[("SVC001", "cron")] == ("SPOF001", "db-1")  # a single instance on a flagged host
    assert found[("SPOF001", "db-2")] == ("STATE002", "galera")


# --- network: a host's cable, a single-homed host -------------------------------------

NETWORK = """
version: 1
entrypoints: [internet]
network:
  internet: {kind: external}
  sw-1: {kind: switch}
  sw-2: {kind: switch}
links:
  - [internet, sw-1]
  - [internet, sw-2]
hosts:
  web-1: {nics: [sw-1, sw-2]}
  web-2: {nics: [sw-1]}
services:
  web: {kind: nginx, state: stateless, hosts: [web-1, web-2], access: client-list}
"""

ONE_APP = NETWORK.replace("  web-2: {nics: [sw-1]}\n", "  web-2: {nics: [sw-1]}\n  app: {nics: [sw-1]}\n") + (
    "  job: {kind: nginx, state: stateless, hosts: [app]}\n"
)


def test_a_hosts_only_cable_follows_from_the_host():
    found = roots(ONE_APP)
    assert found[("SPOF001", "app")] is None
    assert found[("SPOF001", "app--sw-1")] == ("SPOF001", "app")  # it matters only through app
    assert found[("SPOF004", "app--sw-1")] == ("SPOF001", "app")  # the same cable: its SPOF001, then app
    assert found[("SVC001", "job")] == ("SPOF001", "app")
    # sw-1 is a single point too (job's host hangs on it alone), not only through app
    assert found[("SPOF001", "sw-1")] is None
    assert found[("NET001", "app")] == found[("NET001", "web-2")] == ("SPOF001", "sw-1")
    assert found[("SPOF003", "sw-1")] == ("SPOF001", "sw-1")  # one element, one root


def test_a_single_homed_host_that_is_no_single_point_is_the_root_of_its_cable():
    found = roots(NETWORK)
    assert ("SPOF001", "web-2") not in found and ("SPOF001", "sw-1") not in found  # web-1 carries web
    assert found[("NET001", "web-2")] is None
    assert found[("SPOF004", "web-2--sw-1")] == ("NET001", "web-2")
    assert found[("SPOF003", "sw-1")] == ("NET001", "web-2")  # it cuts off web-2 alone


def test_an_articulation_point_that_cuts_off_more_than_single_homed_hosts_is_a_root():
    text = NETWORK.replace("  - [internet, sw-2]", "  - [internet, sw-2]\n  - [sw-1, leaf]")
    text = text.replace("  sw-2: {kind: switch}", "  sw-2: {kind: switch}\n  leaf: {kind: switch}")
    found = roots(text)
    assert found[("SPOF003", "sw-1")] is None  # it cuts leaf off too
    assert found[("SPOF004", "web-2--sw-1")] == ("NET001", "web-2")


def test_a_switch_that_is_a_single_point_explains_the_hosts_cabled_to_it_alone():
    found = roots(NETWORK.replace("  web-1: {nics: [sw-1, sw-2]}", "  web-1: {nics: [sw-1]}"))
    assert found[("SPOF001", "sw-1")] is None
    assert found[("NET001", "web-1")] == found[("NET001", "web-2")] == ("SPOF001", "sw-1")
    assert found[("SPOF004", "web-1--sw-1")] == ("SPOF001", "sw-1")
    assert found[("SPOF003", "sw-1")] == ("SPOF001", "sw-1")
    assert found[("SPOF001", "internet--sw-1")] is None  # upstream: sw-1 held up is still cut off


# --- storage and data --------------------------------------------------------------------

NFS = """
version: 1
racks:
  r1: {}
  r2: {}
hosts:
  nfs-1: {rack: r2}
  web-1: {rack: r1}
  web-2: {rack: r1}
storage:
  images: {kind: nfs, hosts: [nfs-1]}
services:
  web: {kind: nginx, state: stateless, hosts: [web-1, web-2], access: client-list, storage: [images]}
"""


def test_one_nfs_server_is_one_story():
    found = roots(NFS)
    assert found[("SPOF001", "nfs-1")] is None
    assert found[("SPOF002", "nfs-1")] == ("SPOF001", "nfs-1")
    assert found[("STATE005", "images")] == ("SPOF001", "nfs-1")
    assert found[("SPOF001", "r2")] == ("SPOF001", "nfs-1")  # the rack holds nothing else
    assert found[("SPOF001", "r1")] is None  # both web hosts: not through one element


def test_one_copy_over_several_hosts_is_the_storages_story():
    text = NFS.replace("images: {kind: nfs, hosts: [nfs-1]}", "images: {kind: lvm, hosts: [nfs-1, web-1], replicas: 1}")
    found = roots(text)
    assert found[("STATE005", "images")] is None
    assert found[("SPOF001", "nfs-1")] == ("STATE005", "images")  # it matters only through images
    assert found[("SPOF002", "nfs-1")] == ("STATE005", "images")  # through its SPOF001
    data_only = text.replace(", storage: [images]", "")  # nothing user-facing uses it: data loss alone
    found = roots(data_only)
    assert ("SPOF001", "nfs-1") not in found
    assert found[("SPOF002", "nfs-1")] == found[("SPOF002", "web-1")] == ("STATE005", "images")


def test_a_single_copy_held_by_an_unreplicated_service_follows_from_it():
    text = """
version: 1
hosts:
  db-1: {}
services:
  db: {kind: mariadb, hosts: [db-1]}
"""
    found = roots(text)  # db is not needed by anything user-facing... it is user-facing itself
    assert found[("SPOF001", "db-1")] is None
    assert found[("SPOF002", "db-1")] == ("SPOF001", "db-1")
    assert found[("STATE001", "db")] == ("SPOF001", "db-1")
    assert found[("SVC001", "db")] == ("SPOF001", "db-1")


# --- services -------------------------------------------------------------------------


def test_replicas_on_a_pool_without_spread_make_every_pool_host_a_single_point_of_the_service():
    text = """
version: 1
hosts:
  n1: {}
  n2: {}
  n3: {}
services:
  web: {kind: nginx, state: stateless, replicas: 2, pool: [n1, n2, n3], access: client-list}
"""
    found = roots(text)
    assert found[("SVC002", "web")] is None
    assert {found[("SPOF001", n)] for n in ("n1", "n2", "n3")} == {("SVC002", "web")}


def test_a_best_effort_spread_follows_from_the_shared_fate_it_allows():
    text = """
version: 1
racks:
  r1: {}
hosts:
  n1: {rack: r1}
  n2: {rack: r1}
services:
  web: {kind: nginx, state: stateless, replicas: 2, pool: [n1, n2], spread: rack, spread_strength: preferred,
        access: client-list}
"""
    found = roots(text)
    assert found[("SVC002", "web")] is None  # the pool spans one rack
    assert found[("SVC007", "web")] == ("SVC002", "web")


def test_a_load_balancer_without_vip_is_the_root_of_its_first_host():
    text = """
version: 1
hosts:
  lb-1: {}
  lb-2: {}
  web-1: {}
  web-2: {}
services:
  lb: {kind: haproxy, role: load-balancer, hosts: [lb-1, lb-2]}
  web: {kind: nginx, state: stateless, hosts: [web-1, web-2], load_balancer: lb}
"""
    found = roots(text)
    assert found[("SVC004", "lb")] is None
    assert found[("SPOF001", "lb-1")] == ("SVC004", "lb")  # lb-1 matters only because clients address it
    one = roots(text.replace("hosts: [lb-1, lb-2]", "hosts: [lb-1]"))
    assert one[("SPOF001", "lb-1")] is None  # one instance: the host is the story
    assert one[("SVC001", "lb")] == one[("SVC004", "lb")] == ("SPOF001", "lb-1")


def test_an_objective_missed_because_of_a_single_point_follows_from_it():
    text = ONE_UPS.replace("version: 1", "version: 1\nobjectives: {availability: 99.999}")
    found = roots(text)
    assert found[("OBJ001", "web")] == ("SPOF001", "ups-a")
    redundant = text.replace("pdu-b: {kind: pdu, from: [ups-a]}", "pdu-b: {kind: pdu, from: [ups-b]}")
    found = roots(redundant.replace("99.999", "99.99999999"))
    assert found[("OBJ001", "web")] is None  # no single point to blame


def test_one_cooling_unit_follows_from_its_single_point():
    text = """
version: 1
cooling:
  crac-1: {}
  crac-2: {}
racks:
  r1: {cooling: [crac-1]}
  r2: {cooling: [crac-1, crac-2]}
hosts:
  h1: {rack: r1}
  h2: {rack: r2}
services:
  web: {kind: nginx, state: stateless, hosts: [h1, h2], access: client-list}
  api: {kind: nginx, state: stateless, hosts: [h1]}
"""
    found = roots(text)
    assert found[("SPOF001", "crac-1")] == ("SPOF001", "h1")  # it matters only through r1, then h1
    assert found[("FAC001", "r1")] == ("SPOF001", "h1")  # through crac-1's SPOF001
    assert ("SPOF001", "crac-2") not in found


# --- what links never do ----------------------------------------------------------------


@pytest.mark.parametrize("text", [ONE_UPS, TWO_NODE_GALERA, NETWORK, NFS])
def test_causes_are_roots_present_and_never_notes(text):
    found = findings_of(text)
    by_fingerprint = {f.fingerprint: f for f in found}
    for f in found:
        if f.cause is None:
            continue
        root = by_fingerprint[f.cause]
        assert root.cause is None
        assert root.rule not in ("MODEL001", "MODEL002") and f.rule not in ("MODEL001", "MODEL002")


def test_links_leave_every_finding_its_own_identity():
    plain = findings_of(NFS)
    assert len({f.fingerprint for f in plain}) == len(plain)
    unlinked = causes.link(plain[:1], Facts(topology_of(NFS)))  # one finding: nothing to link
    assert unlinked == plain[:1]


def test_an_accepted_root_is_still_the_root_of_what_follows_from_it():
    text = NFS.replace("  nfs-1: {rack: r2}", '  nfs-1: {rack: r2, accept: {SPOF001: "a lab"}}')
    found = findings_of(text)
    root = next(f for f in found if (f.rule, f.subject) == ("SPOF001", "nfs-1"))
    assert root.suppressed == "a lab"
    derived = [f for f in found if f.cause == root.fingerprint]
    assert {(f.rule, f.subject) for f in derived} == {("SPOF002", "nfs-1"), ("STATE005", "images"), ("SPOF001", "r2")}
    assert all(f.suppressed is None for f in derived)


def test_only_the_rules_that_ran_are_linked():
    found = roots(NFS, select=frozenset({"STATE005", "SPOF002"}))
    assert found[("STATE005", "images")] == ("SPOF002", "nfs-1")  # no SPOF001 ran: the host's SPOF002
    assert found[("SPOF002", "nfs-1")] is None


# --- on random topologies -----------------------------------------------------------------


def direct_links(text: str) -> tuple[list[Finding], dict[str, str], Facts]:
    try:
        topology = topology_of(text)
    except InputError:  # a drawn description that is not valid (a quorum above the replicas)
        reject()
    found = engine.check(topology, engine.Config())
    facts = Facts(topology)
    return found, causes._Links(found, facts).direct(), facts


def down(evaluation, element: str) -> bool:
    return not evaluation.is_up(element) or not evaluation.is_up(f"{element}#ok")


# what an element needs, by section: without it, the element stays up unless it fails itself
NEEDS = {
    "power": ("from", "zone"),
    "cooling": ("power", "zone"),
    "racks": ("cooling", "zone"),
    "network": ("rack", "zone", "power"),
    "hosts": ("rack", "zone", "power"),
}


def held_up(doc: dict, element: str) -> dict | None:
    """The description with `element` needing nothing (so that it survives any other
    failure), where that leaves the rest as it was: not a rack or host a spread reads."""
    if any(s and s.get("spread") for s in doc.get("services", {}).values()):
        return None
    changed = copy.deepcopy(doc)
    for section, needs in NEEDS.items():
        entries = changed.get(section) or {}
        if element in entries:
            entries[element] = {k: v for k, v in (entries[element] or {}).items() if k not in needs}
            return changed
    return None


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies())
def test_what_a_link_claims_holds_by_brute_force(doc):
    """A SPOF001 explained through another element: failing it takes that element down
    (for a SPOF001 there, it takes down no service that one does not); every cause is a
    root; and the downstream part, evaluated with nothing held up, is down throughout."""
    found, links, facts = direct_links(as_yaml(doc))
    by_fingerprint = {f.fingerprint: f for f in found}
    for f in found:
        assert f.cause is None or by_fingerprint[f.cause].cause is None
    t = facts.topology
    dependants = Dependants(facts.single_failures, facts.single_points)
    for fp, target in links.items():
        f, cause = by_fingerprint[fp], by_fingerprint[target]
        if f.rule != "SPOF001" or cause.subject == f.subject:
            continue
        alone = evaluate(t, {f.subject})
        assert down(alone, cause.subject), (f.subject, cause.rule, cause.subject)
        if cause.rule == "SPOF001":
            assert set(alone.public_down) <= set(evaluate(t, {cause.subject}).public_down)
        part = dependants.downstream(f.subject)
        assert part is not None
        assert all(_Evaluation(part, set()).down.values())
        # had the cause's element survived, failing this one would have taken down nothing
        changed = held_up(doc, cause.subject)
        host = t.hosts.get(cause.subject)
        if changed is not None and not (host and f.subject in host.links):  # a host's cable is part of it
            spared = evaluate(topology_of(as_yaml(changed)), {f.subject})
            assert not set(spared.public_down) & set(f.services), (f.subject, cause.subject)


def test_a_cluster_of_one_member_is_its_hosts_story_unless_the_host_matters_only_through_it():
    text = """
version: 1
hosts:
  db-1: {}
  app-1: {}
services:
  galera: {kind: mariadb-galera, hosts: [db-1], ha: active-active, quorum: majority, access: client-list}
  web: {kind: nginx, state: stateless, hosts: [app-1], depends_on: [galera]}
"""
    found = roots(text)
    assert found[("STATE002", "galera")] is None  # db-1 matters only through galera: the cluster is the story
    assert found[("SPOF001", "db-1")] == ("STATE002", "galera")
    shared = roots(text.replace("hosts: [app-1]", "hosts: [db-1]"))  # web on db-1 too
    assert shared[("SPOF001", "db-1")] is None
    assert shared[("STATE002", "galera")] == shared[("SVC001", "galera")] == ("SPOF001", "db-1")


def _reachable_by_walk(evaluation: _Evaluation) -> set[str]:
    """The vertices `_Evaluation._reach` stands for, by a walk of the whole network from
    the entry points past the part's downed vertices (what it did before it asked the
    sweep's BFS tree)."""
    sf = evaluation.part.dependants.sf
    inside, seen, queue = evaluation.part.nodes, {fg.ROOT}, [fg.ROOT]
    while queue:
        for w in sf.g.network[queue.pop()]:
            if w not in seen and not (evaluation.down[w] if w in inside else sf.value(w) is None):
                seen.add(w)
                queue.append(w)
    return seen


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies())
def test_what_an_evaluation_reaches_is_what_a_walk_of_the_network_reaches(doc):
    """`_reach` reads the BFS tree below the downed vertices; a walk of the whole network
    is the definition: the same vertices, for every single point held against each
    element its failure takes down."""
    facts = Facts(topology_of(as_yaml(doc)))
    sf = facts.single_failures
    points = sorted(facts.single_points)
    dependants = Dependants(sf, points)
    vertices = list(facts.graph.network)
    for element in points:
        part = dependants.downstream(element)
        if part is None or not any(v in dependants.vertices for v in part.order):
            continue
        for other in [None, *part.elements()]:
            evaluation = _Evaluation(part, {other} if other else set())
            reached = evaluation._reach()
            walked = _reachable_by_walk(evaluation)
            assert {v for v in vertices if v in reached} == walked, (element, other)
