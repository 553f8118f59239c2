"""The fast single-failure analysis must agree exactly with the brute-force evaluator.

`Facts.single_points` is computed bottom-up in one pass; `evaluate` re-derives what is up
from docs/format.md element by element. On random topologies (fragile and redundant ones,
every layer, every service option) failing each candidate alone must take down the same
user-facing services (SPOF001) and lose the same data (SPOF002) by both roads.

Topologies are generated as plain dicts in the native format and go through YAML text,
the loader and the model builder, exactly as a user's file would.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spoflint.analysis import Facts
from spoflint.analysis.reference import evaluate
from spoflint.analysis.simulation import chain, simulate
from spoflint.model import DEFAULT_SCOPE, FAILING
from tests.helpers import topology_of

WITH_ZONES = DEFAULT_SCOPE | {"zones"}

# None: a service of no kind, whose state the generator may or may not declare
SERVICE_KINDS = (
    None,
    "haproxy",
    "keepalived",
    "mariadb",
    "mariadb-galera",
    "rabbitmq",
    "memcached",
    "etcd",
    "redis",
    "keystone-api",
    "glance-api",
    "nova-scheduler",
    "cinder-volume",
    # self-managed active/passive and replicated kinds (issue 17): their standbys take over by themselves
    "ceph-mgr",
    "ceph-mds",
    "ovn-northd",
    "redis-sentinel",
    "postgresql-patroni",
)


def pick(draw, items, min_size=0, max_size=None) -> list:
    """Distinct items in a drawn order (order matters: clients may address the first)."""
    items = list(items)
    max_size = len(items) if max_size is None else min(max_size, len(items))
    if max_size == 0:
        return []
    return draw(st.lists(st.sampled_from(items), min_size=min(min_size, max_size), max_size=max_size, unique=True))


class Design:
    """One random topology being drawn, section by section in the order a file lists
    them: careful (two of everything, a rare slip) or careless (a slip half the time),
    with the ids of each layer drawn so far for the next layers to refer to."""

    def __init__(self, draw):
        self.draw = draw
        self.careful = draw(st.booleans())
        self.doc: dict = {"version": 1, "name": "random"}
        self.links: list = []
        self.link_ids: set[str] = set()

    # --- drawing ---------------------------------------------------------------------

    def lapse(self) -> bool:
        return self.draw(st.integers(0, 49)) < (2 if self.careful else 25)

    def count(self, careful_range, careless_range) -> int:
        return self.draw(st.integers(*(careful_range if self.careful else careless_range)))

    def ids(self, prefix: str, careful_range, careless_range) -> list[str]:
        """`prefix`1, `prefix`2, ... as many as `count` draws."""
        return [f"{prefix}{i}" for i in range(1, self.count(careful_range, careless_range) + 1)]

    def some(self, items, enough=2, most=2) -> list:
        """`enough` of the items where a careful design would have them, else 0 to `most`."""
        if self.lapse():
            return pick(self.draw, items, 0, most)
        return pick(self.draw, items, enough, max(enough, most))

    def maybe(self, node: dict, key: str, strategy) -> None:
        if self.draw(st.booleans()):
            value = self.draw(strategy)
            if value is not None and value != []:
                node[key] = value

    def powered(self, node: dict) -> dict:
        inputs = self.some(self.pdus)
        if inputs:
            node["power"] = inputs
        return node

    def place(self, node: dict, index: int) -> dict:
        """Careful designs spread round-robin over racks and zones."""
        draw, racks, zones = self.draw, self.racks, self.zones
        where = draw(st.sampled_from(["rack", "rack", "zone", "both", "nowhere"]))
        spread = not self.lapse()
        if racks and where in ("rack", "both"):
            node["rack"] = racks[index % len(racks)] if spread else draw(st.sampled_from(racks))
        if zones and where in ("zone", "both"):
            node["zone"] = zones[index % len(zones)] if spread else draw(st.sampled_from(zones))
            rack = (self.doc.get("racks") or {}).get(node.get("rack")) or {}
            if rack.get("zone"):  # what a rack holds is in the rack's zone (another is an input error)
                node["zone"] = rack["zone"]
        if "rack" not in node or draw(st.booleans()):  # else the rack's power
            self.powered(node)
        return node

    def cable(self, a: str, b: str) -> None:
        if f"{a}--{b}" in self.link_ids or self.draw(st.integers(0, 9)) == 0:  # a parallel cable needs a name
            name = f"cable{len(self.links)}"
            self.links.append({"between": [a, b], "name": name})
            self.link_ids.add(name)
        else:
            self.links.append([a, b])
            self.link_ids.add(f"{a}--{b}")

    # --- the sections ----------------------------------------------------------------

    def zones_section(self) -> None:
        self.zones = self.ids("z", (0, 3), (0, 2))
        if self.zones:
            self.doc["zones"] = {z: None for z in self.zones}
        self.some_zone = st.sampled_from([None, *self.zones])

    def power_section(self) -> None:
        draw = self.draw
        feeds = self.ids("feed", (2, 3), (1, 2))
        upses = self.ids("ups", (0, 2), (0, 1))
        self.pdus = self.ids("pdu", (2, 4), (1, 3))
        power: dict = {}
        for f in feeds:
            power[f] = {"kind": draw(st.sampled_from(["feed", "generator"]))}
        for u in upses:
            power[u] = {"kind": "ups", "from": self.some(feeds, 1) or feeds[:1]}
        for p in self.pdus:
            power[p] = {"kind": "pdu"}
            self.maybe(power[p], "from", st.just(pick(draw, feeds + upses, 1, 2)))
        for node in power.values():
            self.maybe(node, "zone", self.some_zone)
        self.doc["power"] = power

    def cooling_and_racks(self) -> None:
        self.coolers = self.ids("crac", (1, 3), (0, 2))
        if self.coolers:
            self.doc["cooling"] = {}
            for c in self.coolers:
                node = self.powered({})
                self.maybe(node, "zone", self.some_zone)
                self.doc["cooling"][c] = node or None
        self.racks = self.ids("r", (2, 4), (0, 3))
        if self.racks:
            self.doc["racks"] = {}
            for r in self.racks:
                node = self.powered({})
                self.maybe(node, "zone", self.some_zone)
                self.maybe(node, "cooling", st.just(self.some(self.coolers)))
                self.doc["racks"][r] = node or None

    def network_section(self) -> None:
        draw = self.draw
        self.external = draw(st.integers(0, 9)) > 0  # without one the network is unknown
        self.routers = self.ids("edge", (2, 2), (1, 2))
        self.switches = self.ids("sw", (2, 4), (1, 4))
        network: dict = {}
        if self.external:  # it cannot fail, but what it sits in can
            network["internet"] = self.place({"kind": "external"}, 0) if self.lapse() else {"kind": "external"}
        for i, r in enumerate(self.routers):
            network[r] = self.place({"kind": draw(st.sampled_from(["router", "router", "firewall"]))}, i)
        for i, s in enumerate(self.switches):
            network[s] = self.place({"kind": draw(st.sampled_from(["switch", "switch", "lb-appliance"]))}, i)
        self.doc["network"] = self.network = network
        if draw(st.integers(0, 4)) == 0:  # explicit entry points (several too); a router entry point cannot fail
            ends = (["internet"] if self.external else []) + self.routers + self.switches[:1]
            self.doc["entrypoints"] = pick(draw, ends, 1, 3)

    def uplinks(self) -> None:
        """The cables of the network: internet to routers, routers to switches, a few more."""
        if self.external:
            for r in self.some(self.routers, most=len(self.routers)) or self.routers[:1]:
                self.cable("internet", r)
        for r in self.routers:
            for s in self.some(self.switches, most=3) or self.switches[:1]:
                self.cable(r, s)
        for _ in range(self.draw(st.integers(0, 4))):
            a, b = pick(self.draw, self.routers + self.switches, 2, 2)
            self.cable(a, b)

    def hosts_section(self) -> None:
        draw = self.draw
        self.hosts = self.ids("h", (3, 6), (1, 5))
        self.doc["hosts"] = {}
        for i, h in enumerate(self.hosts):
            node = self.place({}, i)
            nics = self.some(self.switches) if draw(st.integers(0, 4)) else pick(draw, list(self.network), 0, 2)
            if nics and draw(st.integers(0, 4)) == 0:  # the same cable, written in `links` instead
                self.cable(nics.pop(), h)
            if nics:
                node["nics"] = nics
            self.doc["hosts"][h] = node or None
        if self.links:
            self.doc["links"] = self.links

    def storage_section(self) -> None:
        draw = self.draw
        self.storage: dict = {}
        for i in range(1, draw(st.integers(0, 2)) + 1):
            node = self.storage[f"store{i}"] = {}
            if draw(st.integers(0, 3)) == 0:  # one box that fails by itself
                node["kind"] = draw(st.sampled_from(["san", "managed"]))
                self.maybe(node, "zone", self.some_zone)
                continue
            node["kind"] = draw(st.sampled_from(["ceph", "nfs", "drbd"]))
            node["hosts"] = self.some(self.hosts, 3, 4) or self.hosts[:1]
            self.maybe(node, "zone", self.some_zone)  # storage with hosts in a zone (issue 17.5)
            if self.lapse():
                self.maybe(node, "replicas", st.integers(1, len(node["hosts"]) + 1))
                hosts = len(node["hosts"])
                copies = min(node.get("replicas", hosts), hosts) if hosts else node.get("replicas", 1)  # no more
                self.maybe(node, "min_replicas", st.integers(1, min(3, copies)))
            else:
                copies = draw(st.integers(min(2, len(node["hosts"])), len(node["hosts"])))
                node["replicas"] = copies
                self.maybe(node, "min_replicas", st.integers(1, max(1, copies - 1)))
        if self.storage:
            self.doc["storage"] = self.storage

    def services_section(self) -> None:
        services: dict = {}
        for i in range(1, self.count((2, 6), (1, 5)) + 1):
            services[f"svc{i}"] = self.service(list(services))  # references go backwards only: no cycles
        self.doc["services"] = services

    def service(self, earlier: list[str]) -> dict:
        """One service, which may refer to the `earlier` ones."""
        draw = self.draw
        node: dict = {}
        kind = draw(st.sampled_from(SERVICE_KINDS))
        if kind:
            node["kind"] = kind
        self.maybe(node, "state", st.sampled_from(["stateless", "stateful"]))
        self.instances(node)
        self.maybe(node, "ha", st.sampled_from(["none", "active-active", "active-passive"]))
        if self.lapse():  # never above the instances: that is an input error
            most = max(1, min(3, len(node["hosts"]) if "hosts" in node else node["replicas"]))
            self.maybe(node, "quorum", st.sampled_from(["majority", "none", *range(1, most + 1)]))
            self.maybe(node, "min_instances", st.integers(1, most))
        else:
            self.maybe(node, "quorum", st.sampled_from(["majority", "none", 1]))
        self.reached(node, earlier)
        node["depends_on"] = pick(draw, earlier + list(self.storage), 0, 2)
        node["storage"] = pick(draw, list(self.storage), 0, 1)
        self.maybe(node, "public", st.booleans())
        return {k: v for k, v in node.items() if v != []}

    def instances(self, node: dict) -> None:
        """Where a service runs: on listed hosts, or replicas placed in a pool."""
        draw = self.draw
        if draw(st.integers(0, 2)):
            node["hosts"] = self.some(self.hosts, 3, 4) or self.hosts[:1]
            return
        node["pool"] = self.some(self.hosts, 3, 5) or self.hosts[:1]
        spread = draw(st.sampled_from([None, "host", "rack", "zone"] if self.lapse() else ["host", "rack", "zone"]))
        most = len(node["pool"]) if spread == "host" else 4
        node["replicas"] = draw(st.integers(min(2, most), most)) if not self.lapse() else draw(st.integers(1, most))
        if spread:
            node["spread"] = spread

    def reached(self, node: dict, earlier: list[str]) -> None:
        """How clients find instances; a careful design never has them address just one."""
        draw = self.draw
        reached = draw(st.sampled_from(["access", "vip", "load_balancer"] if earlier else ["access", "vip"]))
        if self.lapse():
            reached = None
            self.maybe(node, "access", st.sampled_from(["single", "client-list", "worker"]))
        if reached == "access":
            node["access"] = draw(st.sampled_from(["client-list", "worker"]))
        if reached == "vip" or self.lapse():
            node["vip"] = draw(st.sampled_from(["keepalived", "dns", {"manager": "pacemaker"}]))
        if reached == "load_balancer" or (earlier and self.lapse()):
            node["load_balancer"] = draw(st.sampled_from(earlier))


@st.composite
def topologies(draw) -> dict:
    """A random topology as the dict a user would write.

    A careful design takes two of everything and slips only now and then; a careless one
    slips half the time. Either way every optional field is sometimes left out, so that
    the defaults are exercised too.
    """
    design = Design(draw)
    design.zones_section()
    design.power_section()
    design.cooling_and_racks()
    design.network_section()
    design.uplinks()
    design.hosts_section()
    design.storage_section()
    design.services_section()
    return rename(draw, design.doc)


# The suffixes the fault graph gives its helper nodes: an element may be called `h1@ok`.
LOOKALIKES = ("ok", "reach", "power", "cooling", "nics", "via", "first", "instances", "host:h1", "root")


def rename(draw, doc: dict) -> dict:
    """Ids may hold `@ . : / + = -`: sometimes rename elements to use them, including
    names that read like another element's helper node in the fault graph."""
    style = draw(st.sampled_from(["plain", "plain", "punctuated", "lookalike"]))
    if style == "plain":
        return doc
    ids = [eid for section in doc.values() if isinstance(section, dict) for eid in section]
    ids += [link["name"] for link in doc.get("links", ()) if isinstance(link, dict)]
    names: dict[str, str] = {}
    mimicked: set[str] = set()  # ids that keep their name, so that the lookalike stays one
    for eid in ids:
        if style == "punctuated":
            new = eid + draw(st.sampled_from(["@dc1", ".lab", ":0", "/a", "+b", "=c"]))
        else:
            kept = [other for other in ids if other not in names and other != eid]
            if eid in mimicked or not kept or not draw(st.booleans()):
                continue
            original = draw(st.sampled_from(kept))
            new = f"{original}@{draw(st.sampled_from(LOOKALIKES))}"
            mimicked.add(original)
        if new not in ids and new not in names.values():
            names[eid] = new

    def swap(value):
        if isinstance(value, dict):
            return {names.get(k, k): swap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [swap(v) for v in value]
        return names.get(value, value) if isinstance(value, str) else value

    return swap(doc)


def as_yaml(doc: dict) -> str:
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100)


def disagreements(doc: dict, scope: frozenset) -> list[str]:
    """Every way the fast analysis and the brute force differ on this topology, failing
    one element at a time of those in the failure scope (sections)."""
    t = topology_of(as_yaml(doc), "rand.yaml")
    facts = Facts(t, scope)
    spofs = facts.single_points
    baseline = evaluate(t, set())
    problems = []
    if set(facts.never_up) != set(baseline.services_down):
        problems.append(f"never up: analysis {sorted(facts.never_up)}, brute force {baseline.services_down}")
    if baseline.lost:
        problems.append(f"data lost with nothing failed: {sorted(baseline.lost)}")
    serving = {s for s, svc in t.services.items() if svc.public and baseline.is_up(s)}
    candidates = [e for e in t.section_of if t.can_fail(e, scope)]
    for e in sorted(set(spofs) - set(candidates)):
        problems.append(f"{e} is reported but cannot fail")
    for e in candidates:
        result = evaluate(t, {e})
        expected = (sorted(s for s in serving if not result.is_up(s)), sorted(result.lost))
        point = spofs.get(e)
        found = (sorted(point.services), sorted(point.data)) if point else ([], [])
        if found != expected:
            problems.append(
                f"fail {e}: analysis downs {found[0]} and loses {found[1]}; "
                f"brute force downs {expected[0]} and loses {expected[1]}"
            )
        elif point and point.services:  # the explanation must name real elements, e first
            path = point.chain
            if path[0] != e or path[-1] != point.services[0] or not set(path) <= set(t.section_of):
                problems.append(
                    f"fail {e}: chain {' -> '.join(path)} does not lead from it to {point.services[0]} through elements"
                )
        if expected[0]:
            problems += simulated(t, [e], expected[0])
    for combo in combinations(candidates):
        result = evaluate(t, set(combo))
        problems += simulated(t, list(combo), [s for s in serving if not result.is_up(s)])
    return problems


def combinations(candidates: list[str], count: int = 6) -> list[tuple[str, ...]]:
    """A few sets of 2 or 3 candidates, the same ones for the same topology."""
    import random

    rng = random.Random(len(candidates) * 7919 + sum(map(len, candidates)))
    ordered = sorted(candidates)
    return [tuple(rng.sample(ordered, min(len(ordered), rng.choice((2, 3))))) for _ in range(count)] if ordered else []


def simulated(t, failed: list[str], down: list[str]) -> list[str]:
    """`spoflint simulate` on these failures: the user-facing services it says are down
    are those the brute force downs, each with a chain from a failed element through
    elements to the service."""
    sim = simulate(t, failed)
    said = sorted(s for s in sim.newly_down if t.services[s].public)
    problems = [f"simulate {failed}: downs {said}, brute force {sorted(down)}"] if said != sorted(down) else []
    for s in said:
        path = chain(sim.after, s)
        if path[0] not in failed or path[-1] != s or not set(path) <= set(t.section_of):
            problems.append(f"simulate {failed}: chain {' -> '.join(path)} does not lead from a failed element to {s}")
    return problems


def check(doc: dict, scope: frozenset) -> None:
    problems = disagreements(doc, scope)
    assert not problems, "\n".join(problems) + f"\n\nscope: {sorted(scope)}\ntopology:\n" + as_yaml(doc)


@pytest.mark.slow
@pytest.mark.parametrize("scope", [DEFAULT_SCOPE, WITH_ZONES], ids=["default-scope", "zones-too"])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies())
def test_single_failures_match_brute_force(doc, scope):
    check(doc, scope)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies(), scope=st.frozensets(st.sampled_from(FAILING)))
def test_single_failures_match_brute_force_in_any_scope(doc, scope):
    check(doc, scope)
