"""Root causes: which finding explains which.

`link(findings, facts)` sets `cause` on every finding that another one explains: the
fingerprint of the root of its story (followed to the end: the root has no cause
itself). Findings stay separate (their own fingerprint, acceptable and baselinable
alone); the link only tells reporters how to tell them as one story. Every link is read
from the facts and the findings' (rule, subject), never from a message:

- SPOF001 on X, when X's failure matters only through Y (had Y survived it, no service
  would go down: analysis/dominance.py), nearest Y first: Y's SPOF001 when Y takes down
  at least X's services and loses at least X's data (`feed-a` feeding only `ups-a`; a
  host's only cable; a rack holding one box); or, for a service or storage Y, the
  finding that makes Y fragile: STATE002 (a two-node cluster makes each node a single
  point), SVC005, STATE004 (no VIP), SVC004 (no VIP), SVC003, SVC002 (a pool without
  spread), SVC001 (one instance on a pool), STATE005 (one copy over several hosts);
- SPOF002, SPOF003, SPOF004 on an element with a SPOF001: that SPOF001. SPOF002 without
  one: the STATE005 (one copy) or STATE001 of the data it holds; SPOF003 on a node that
  cuts off only hosts cabled to it alone: the first of their NET001; SPOF004 on a host's
  only cable: the host's NET001;
- NET001: the SPOF001 of the one switch, else the host's own SPOF001;
- PWR001: the SPOF001 of the power element its inputs converge on, the nearest first
  (the one with the most elements above it); FAC001: the SPOF001 of the one cooling unit;
- SVC001 on one host, SVC002 with one pool host, STATE005 with one host: that host's
  SPOF001, else its SPOF002; STATE001 on one host, STATE002 of one member: that host's
  SPOF001 (for STATE002, unless that one follows from it);
- SVC002 (shared fate): the SPOF001 (else SPOF002) of a shared element, nearest first;
- SVC003, SVC004, STATE004 (clients address the first instance): the first host's
  SPOF001, unless that one is explained by them; SVC004 on one instance: its SVC001;
- SVC007: the SVC002 of the same service; OBJ001: the SPOF001 of the element the
  service's availability depends on most, among its five most important.

MODEL001 and MODEL002 notes never explain and are never explained; other rules (and a
project's own) are roots. A root that is accepted or in the baseline stays the root:
what follows from it still points at it, and is still reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from ..analysis import Facts
from ..analysis.dominance import BUDGET, Dependants
from ..findings import RANK, Finding, fingerprint

TESTS = 8  # candidate explanations evaluated per SPOF001
# fault-graph nodes the walks and evaluations of one check may visit in all (past it, the
# SPOF001s left are roots): a few seconds at worst
WORK = 2_000_000


def link(findings: list[Finding], facts: Facts) -> list[Finding]:
    """The findings, each derived one with `cause` set to its root's fingerprint."""
    if len(findings) < 2:
        return findings
    direct = _Links(findings, facts).direct()
    roots = _roots(direct)
    return [replace(f, cause=roots[f.fingerprint]) if f.fingerprint in roots else f for f in findings]


def _roots(direct: dict[str, str]) -> dict[str, str]:
    """Each linked fingerprint's root, links followed to the end (a loop, which the
    links never make, would leave its members roots)."""
    roots: dict[str, str] = {}
    for start in direct:
        path, node = [], start
        while node in direct and node not in roots and node not in path:
            path.append(node)
            node = direct[node]
        if node in path:
            continue
        end = roots.get(node, node)
        for p in path:
            roots[p] = end
    return roots


class _Links:
    """The direct links of one unit's findings."""

    def __init__(self, findings: list[Finding], facts: Facts):
        self.findings, self.facts, self.t = findings, facts, facts.topology
        self.by: dict[tuple[str, str], list[Finding]] = {}
        for f in findings:
            self.by.setdefault((f.rule, f.subject), []).append(f)
        self.links: dict[str, str] = {}
        self._dependants: Dependants | None = None
        self.work = WORK

    def direct(self) -> dict[str, str]:
        # SPOF001 first: SVC003, SVC004, STATE002 and STATE004 look at how their host's is linked
        for f in sorted(self.findings, key=lambda f: f.rule != "SPOF001"):
            explain = EXPLAIN.get(f.rule)
            target = explain(self, f) if explain and f.subject in self.t.where else None
            if target is not None and target.fingerprint != f.fingerprint:
                self.links[f.fingerprint] = target.fingerprint
        return self.links

    # --- looking findings up ----------------------------------------------------------

    def get(self, rule: str, subject: str, key: str | None = None) -> Finding | None:
        """The finding of `rule` on `subject` (with that key, when given)."""
        found = self.by.get((rule, subject))
        if not found:
            return None
        if key is None:
            return found[0]
        at = self.t.where.get(subject)
        fp = fingerprint(rule, at.path, subject, key) if at else ""
        return next((f for f in found if f.fingerprint == fp), None)

    def is_(self, f: Finding, key: str) -> bool:
        """Whether a finding is its rule's problem of that key."""
        return self.get(f.rule, f.subject, key) is f

    def spof(self, element: str) -> Finding | None:
        """The element's SPOF001, else its SPOF002."""
        return self.get("SPOF001", element) or self.get("SPOF002", element)

    def nearest(self, elements: Iterable[str], rules: tuple[str, ...] = ("SPOF001",)) -> Finding | None:
        """The finding of the first rule on the nearest element that has one: the element
        with the most elements above it (its single-failure set), then report order."""
        sf = self.facts.single_failures
        found = [(e, f) for e in elements for f in [next(filter(None, (self.get(r, e) for r in rules)), None)] if f]
        if not found:
            return None
        found.sort(key=lambda ef: (-sf.size(ef[0]), -RANK[ef[1].severity], ef[1].sort_key()))
        return found[0][1]

    # --- SPOF001: what its failure goes through ---------------------------------------

    def dominated(self, f: Finding) -> Finding | None:
        point = self.facts.single_points.get(f.subject)
        if point is None or not point.services or self.work <= 0:
            return None
        if self._dependants is None:
            subjects = [s for rule, s in self.by if rule == "SPOF001"]
            self._dependants = Dependants(self.facts.single_failures, subjects)
        budget = min(self.work, BUDGET)
        part = self._dependants.downstream(f.subject, budget)
        self.work -= budget if part is None else len(part.order)
        if part is None:
            return None
        tested = 0
        for element in part.elements():
            target = self.explainer(element, point.services, point.data)
            if target is None:
                continue
            if self.work < part.cost:
                break
            self.work -= part.cost
            if part.spared(element, point.services):
                return target
            tested += 1
            if tested >= TESTS:
                break
        return None

    def explainer(self, element: str, services: tuple[str, ...], data: tuple[str, ...]) -> Finding | None:
        """The finding that would explain a failure going through `element`: its SPOF001
        when it covers the services and the data; for a service or a storage backend,
        what makes it fragile."""
        t = self.t
        other = self.facts.single_points.get(element)
        if other is not None:
            covers = set(services) <= set(other.services) and set(data) <= set(other.data)
            return self.get("SPOF001", element) if covers else None
        if not set(data) <= {element}:
            return None
        if element in t.storage:
            return self.get("STATE005", element, "replicas")
        svc = t.services.get(element)
        if svc is None:
            return None
        candidates = [
            self.get("STATE002", element),
            self.get("SVC005", element),
            self.get("STATE004", element, "vip"),
            self.get("SVC004", element) if svc.replicas > 1 else None,
            self.get("SVC003", element),
            self.get("SVC002", element, "spread"),
            self.get("SVC002", element) if svc.pool and svc.spread is None and len(svc.pool) > 1 else None,
            self.get("SVC001", element) if not svc.hosts and len(svc.pool) != 1 else None,
        ]
        return next(filter(None, candidates), None)

    # --- the other rules ----------------------------------------------------------------

    def spof002(self, f: Finding) -> Finding | None:
        own = self.get("SPOF001", f.subject)
        if own is not None:
            return own
        point = self.facts.single_points.get(f.subject)
        if point is None or not point.data:
            return None
        found = [self.get("STATE005", d, "replicas") or self.get("STATE001", d) for d in point.data]
        return found[0] if all(found) else None

    def spof003(self, f: Finding) -> Finding | None:
        own = self.get("SPOF001", f.subject)
        if own is not None:
            return own
        cut = self.facts.articulation_points.get(f.subject, ())
        homed = [self.get("NET001", h) if self._only_end(h) == f.subject else None for h in cut]
        return homed[0] if homed and all(homed) else None

    def spof004(self, f: Finding) -> Finding | None:
        own = self.get("SPOF001", f.subject)
        if own is not None:
            return own
        link = self.t.links.get(f.subject)
        if link is None:
            return None
        for end in (link.a, link.b):
            host = self.t.hosts.get(end)
            if host is not None and host.links == (link.id,):
                return self.get("NET001", end)
        return None

    def net001(self, f: Finding) -> Finding | None:
        switch = self._only_end(f.subject)
        return (self.get("SPOF001", switch) if switch else None) or self.get("SPOF001", f.subject)

    def pwr001(self, f: Finding) -> Finding | None:
        if f.subject not in self.t.hosts and f.subject not in self.t.network:
            return None
        return self.nearest(self.facts.power_convergence(f.subject))

    def fac001(self, f: Finding) -> Finding | None:
        t = self.t
        rack = t.racks.get(f.subject)
        if rack is not None:
            units = list(rack.cooling)
        else:  # a zone: the units placed in it and those its racks name, as FAC001 counts them
            placed = [c.id for c in t.cooling.values() if c.zone == f.subject]
            named = [u for r in t.racks.values() if r.zone == f.subject for u in r.cooling]
            units = list(dict.fromkeys(placed + named))
        return self.get("SPOF001", units[0]) if len(units) == 1 else None

    def svc001(self, f: Finding) -> Finding | None:
        svc = self.t.services[f.subject]
        hosts = svc.hosts or (svc.pool if len(svc.pool) == 1 else ())
        return self.spof(hosts[0]) if len(hosts) == 1 else None

    def state001(self, f: Finding) -> Finding | None:
        """On one host: that host's SPOF001 (not its SPOF002, which says it the other way)."""
        hosts = self.t.services[f.subject].hosts
        return self.get("SPOF001", hosts[0]) if len(hosts) == 1 else None

    def state002(self, f: Finding) -> Finding | None:
        """A cluster of one member: its host's SPOF001, unless that one follows from it."""
        hosts = self.t.services[f.subject].hosts
        host = self.get("SPOF001", hosts[0]) if len(hosts) == 1 else None
        return host if host is not None and self.links.get(host.fingerprint) != f.fingerprint else None

    def svc002(self, f: Finding) -> Finding | None:
        svc = self.t.services.get(f.subject)
        if svc is None:  # a storage backend's hosts in one failure domain
            return self.nearest(self.facts.shared_fate.get(f.subject, ()), ("SPOF001", "SPOF002"))
        if svc.pool and svc.spread is None:
            return self.spof(svc.pool[0]) if len(svc.pool) == 1 else None
        if self.is_(f, "spread"):
            return None
        return self.nearest(self.facts.shared_fate.get(svc.id, ()), ("SPOF001", "SPOF002"))

    def first_host(self, f: Finding) -> Finding | None:
        """SVC003, SVC004 and STATE004's vip: clients address the first instance."""
        svc = self.t.services[f.subject]
        if f.rule == "SVC004" and svc.replicas == 1:
            return self.get("SVC001", svc.id) or self.svc001(f)
        if not svc.addresses_one or not svc.hosts or (f.rule == "STATE004" and not self.is_(f, "vip")):
            return None
        host = self.get("SPOF001", svc.hosts[0])
        return host if host is not None and self.links.get(host.fingerprint) != f.fingerprint else None

    def svc007(self, f: Finding) -> Finding | None:
        return self.get("SVC002", f.subject)

    def state005(self, f: Finding) -> Finding | None:
        storage = self.t.storage.get(f.subject)
        if storage is None or len(storage.hosts) != 1 or not self.is_(f, "hosts"):
            return None
        return self.spof(storage.hosts[0])

    def obj001(self, f: Finding) -> Finding | None:
        found = self.facts.availability.get(f.subject)
        return next(filter(None, (self.get("SPOF001", e) for e, _ in found.importance)), None) if found else None

    def _only_end(self, host: str) -> str | None:
        """The one network node a host is cabled to, if it is cabled to one."""
        h = self.t.hosts.get(host)
        if h is None:
            return None
        links = self.t.links
        ends = {links[l].b if links[l].a == host else links[l].a for l in h.links}
        return next(iter(ends)) if len(ends) == 1 else None


EXPLAIN: dict[str, Callable[[_Links, Finding], Finding | None]] = {
    "SPOF001": _Links.dominated,
    "SPOF002": _Links.spof002,
    "SPOF003": _Links.spof003,
    "SPOF004": _Links.spof004,
    "NET001": _Links.net001,
    "PWR001": _Links.pwr001,
    "FAC001": _Links.fac001,
    "SVC001": _Links.svc001,
    "STATE001": _Links.state001,
    "STATE002": _Links.state002,
    "SVC002": _Links.svc002,
    "SVC003": _Links.first_host,
    "SVC004": _Links.first_host,
    "STATE004": _Links.first_host,
    "SVC007": _Links.svc007,
    "STATE005": _Links.state005,
    "OBJ001": _Links.obj001,
}
