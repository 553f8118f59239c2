"""The fast single-failure analysis must agree exactly with the brute-force evaluator.

`Facts.single_points` is computed bottom-up in one pass; `evaluate` re-derives what is up
from topology.md element by element. On random topologies (fragile and redundant ones,
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
from spoflint.load import load_text
from spoflint.model import DEFAULT_SCOPE, FAILING, build

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
)


def pick(draw, items, min_size=0, max_size=None) -> list:
    """Distinct items in a drawn order (order matters: clients may address the first)."""
    items = list(items)
    max_size = len(items) if max_size is None else min(max_size, len(items))
    if max_size == 0:
        return []
    return draw(st.lists(st.sampled_from(items), min_size=min(min_size, max_size), max_size=max_size, unique=True))


@st.composite
def topologies(draw) -> dict:
    """A random topology as the dict a user would write.

    A careful design takes two of everything and slips only now and then; a careless one
    slips half the time. Either way every optional field is sometimes left out, so that
    the defaults are exercised too.
    """
    careful = draw(st.booleans())

    def lapse() -> bool:
        return draw(st.integers(0, 49)) < (2 if careful else 25)

    def count(careful_range, careless_range) -> int:
        return draw(st.integers(*(careful_range if careful else careless_range)))

    def some(items, enough=2, most=2) -> list:
        """`enough` of the items where a careful design would have them, else 0 to `most`."""
        if lapse():
            return pick(draw, items, 0, most)
        return pick(draw, items, enough, max(enough, most))

    def maybe(node: dict, key: str, strategy) -> None:
        if draw(st.booleans()):
            value = draw(strategy)
            if value is not None and value != []:
                node[key] = value

    doc: dict = {"version": 1, "name": "random"}
    zones = [f"z{i}" for i in range(1, count((0, 3), (0, 2)) + 1)]
    if zones:
        doc["zones"] = {z: None for z in zones}
    some_zone = st.sampled_from([None, *zones])

    feeds = [f"feed{i}" for i in range(1, count((2, 3), (1, 2)) + 1)]
    upses = [f"ups{i}" for i in range(1, count((0, 2), (0, 1)) + 1)]
    pdus = [f"pdu{i}" for i in range(1, count((2, 4), (1, 3)) + 1)]
    power: dict = {}
    for f in feeds:
        power[f] = {"kind": draw(st.sampled_from(["feed", "generator"]))}
    for u in upses:
        power[u] = {"kind": "ups", "from": some(feeds, 1) or feeds[:1]}
    for p in pdus:
        power[p] = {"kind": "pdu"}
        maybe(power[p], "from", st.just(pick(draw, feeds + upses, 1, 2)))
    for node in power.values():
        maybe(node, "zone", some_zone)
    doc["power"] = power

    def powered(node: dict) -> dict:
        inputs = some(pdus)
        if inputs:
            node["power"] = inputs
        return node

    coolers = [f"crac{i}" for i in range(1, count((1, 3), (0, 2)) + 1)]
    if coolers:
        doc["cooling"] = {}
        for c in coolers:
            node = powered({})
            maybe(node, "zone", some_zone)
            doc["cooling"][c] = node or None
    racks = [f"r{i}" for i in range(1, count((2, 4), (0, 3)) + 1)]
    if racks:
        doc["racks"] = {}
        for r in racks:
            node = powered({})
            maybe(node, "zone", some_zone)
            maybe(node, "cooling", st.just(some(coolers)))
            doc["racks"][r] = node or None

    def place(node: dict, index: int) -> dict:
        """Careful designs spread round-robin over racks and zones."""
        where = draw(st.sampled_from(["rack", "rack", "zone", "both", "nowhere"]))
        spread = not lapse()
        if racks and where in ("rack", "both"):
            node["rack"] = racks[index % len(racks)] if spread else draw(st.sampled_from(racks))
        if zones and where in ("zone", "both"):
            node["zone"] = zones[index % len(zones)] if spread else draw(st.sampled_from(zones))
        if "rack" not in node or draw(st.booleans()):  # else the rack's power
            powered(node)
        return node

    external = draw(st.integers(0, 9)) > 0  # without one the network is unknown
    routers = [f"edge{i}" for i in range(1, count((2, 2), (1, 2)) + 1)]
    switches = [f"sw{i}" for i in range(1, count((2, 4), (1, 4)) + 1)]
    fabric = routers + switches
    network: dict = {}
    if external:  # it cannot fail, but what it sits in can
        network["internet"] = place({"kind": "external"}, 0) if lapse() else {"kind": "external"}
    for i, r in enumerate(routers):
        network[r] = place({"kind": draw(st.sampled_from(["router", "router", "firewall"]))}, i)
    for i, s in enumerate(switches):
        network[s] = place({"kind": draw(st.sampled_from(["switch", "switch", "lb-appliance"]))}, i)
    doc["network"] = network
    if draw(st.integers(0, 4)) == 0:  # explicit entry points; a router entry point cannot fail
        doc["entrypoints"] = pick(draw, (["internet"] if external else []) + routers, 1, 2)

    links: list = []
    link_ids: set[str] = set()

    def cable(a: str, b: str) -> None:
        if f"{a}--{b}" in link_ids:  # a parallel cable needs a name
            name = f"cable{len(links)}"
            links.append({"between": [a, b], "name": name})
            link_ids.add(name)
        else:
            links.append([a, b])
            link_ids.add(f"{a}--{b}")

    if external:
        for r in some(routers, most=len(routers)) or routers[:1]:
            cable("internet", r)
    for r in routers:
        for s in some(switches, most=3) or switches[:1]:
            cable(r, s)
    for _ in range(draw(st.integers(0, 4))):
        a, b = pick(draw, fabric, 2, 2)
        cable(a, b)

    hosts = [f"h{i}" for i in range(1, count((3, 6), (1, 5)) + 1)]
    doc["hosts"] = {}
    for i, h in enumerate(hosts):
        node = place({}, i)
        nics = some(switches) if draw(st.integers(0, 4)) else pick(draw, list(network), 0, 2)
        if nics and draw(st.integers(0, 4)) == 0:  # the same cable, written in `links` instead
            cable(nics.pop(), h)
        if nics:
            node["nics"] = nics
        doc["hosts"][h] = node or None
    if links:
        doc["links"] = links

    storage: dict = {}
    for i in range(1, draw(st.integers(0, 2)) + 1):
        node = storage[f"store{i}"] = {}
        if draw(st.integers(0, 3)) == 0:  # one box that fails by itself
            node["kind"] = draw(st.sampled_from(["san", "managed"]))
            maybe(node, "zone", some_zone)
            continue
        node["kind"] = draw(st.sampled_from(["ceph", "nfs", "drbd"]))
        node["hosts"] = some(hosts, 3, 4) or hosts[:1]
        if lapse():
            maybe(node, "replicas", st.integers(1, len(node["hosts"]) + 1))
            maybe(node, "min_replicas", st.integers(1, 3))
        else:
            copies = draw(st.integers(min(2, len(node["hosts"])), len(node["hosts"])))
            node["replicas"] = copies
            maybe(node, "min_replicas", st.integers(1, max(1, copies - 1)))
    if storage:
        doc["storage"] = storage

    services: dict = {}
    for i in range(1, count((2, 6), (1, 5)) + 1):
        earlier = list(services)  # references go backwards only: no cycles
        node: dict = {}
        kind = draw(st.sampled_from(SERVICE_KINDS))
        if kind:
            node["kind"] = kind
        maybe(node, "state", st.sampled_from(["stateless", "stateful"]))
        if draw(st.integers(0, 2)):
            node["hosts"] = some(hosts, 3, 4) or hosts[:1]
        else:
            node["pool"] = some(hosts, 3, 5) or hosts[:1]
            spread = draw(st.sampled_from([None, "host", "rack", "zone"] if lapse() else ["host", "rack", "zone"]))
            most = len(node["pool"]) if spread == "host" else 4
            node["replicas"] = draw(st.integers(min(2, most), most)) if not lapse() else draw(st.integers(1, most))
            if spread:
                node["spread"] = spread
        maybe(node, "ha", st.sampled_from(["none", "active-active", "active-passive"]))
        if lapse():
            maybe(node, "quorum", st.sampled_from(["majority", "none", 1, 2, 3]))
            maybe(node, "min_instances", st.integers(1, 3))
        else:
            maybe(node, "quorum", st.sampled_from(["majority", "none", 1]))
        # how clients find instances; a careful design never has them address just one
        reached = draw(st.sampled_from(["access", "vip", "load_balancer"] if earlier else ["access", "vip"]))
        if lapse():
            reached = None
            maybe(node, "access", st.sampled_from(["single", "client-list", "worker"]))
        if reached == "access":
            node["access"] = draw(st.sampled_from(["client-list", "worker"]))
        if reached == "vip" or lapse():
            node["vip"] = draw(st.sampled_from(["keepalived", "dns", {"manager": "pacemaker"}]))
        if reached == "load_balancer" or (earlier and lapse()):
            node["load_balancer"] = draw(st.sampled_from(earlier))
        node["depends_on"] = pick(draw, earlier + list(storage), 0, 2)
        node["storage"] = pick(draw, list(storage), 0, 1)
        maybe(node, "public", st.booleans())
        services[f"svc{i}"] = {k: v for k, v in node.items() if v != []}
    doc["services"] = services
    return rename(draw, doc)


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
    t = build([load_text(as_yaml(doc), "rand.yaml")])
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
            chain = point.chain
            if chain[0] != e or chain[-1] != point.services[0] or not set(chain) <= set(t.section_of):
                problems.append(
                    f"fail {e}: chain {' -> '.join(chain)} does not lead from it to "
                    f"{point.services[0]} through elements"
                )
    return problems


def check(doc: dict, scope: frozenset) -> None:
    problems = disagreements(doc, scope)
    assert not problems, "\n".join(problems) + f"\n\nscope: {sorted(scope)}\ntopology:\n" + as_yaml(doc)


@pytest.mark.parametrize("scope", [DEFAULT_SCOPE, WITH_ZONES], ids=["default-scope", "zones-too"])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies())
def test_single_failures_match_brute_force(doc, scope):
    check(doc, scope)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies(), scope=st.frozensets(st.sampled_from(FAILING)))
def test_single_failures_match_brute_force_in_any_scope(doc, scope):
    check(doc, scope)
