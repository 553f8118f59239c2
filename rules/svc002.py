"""Instances that look redundant but all share one host, rack, power path, switch or zone.

Why: several instances protect a service only if no single element takes them all down
together. Three replicas on hosts in one rack, behind one switch, or fed by one PDU fail
as one; a pool without `spread` may place every replica on one host; a `spread: rack`
over a pool that spans fewer racks than replicas cannot keep its promise. The finding
names each element every instance shares and, for one that none of them names
directly, how they hang on it (`app-2 is cabled only to sw-1, which is in r1`); where that element also takes a user-facing
service down, SPOF001 reports it there too, and the message says so.

The same holds for a storage backend that keeps several copies over several hosts:
Ceph's CRUSH rule should put each copy in another failure domain, and three OSD hosts
in one rack keep every copy behind that rack. SVC002 reports the backend whose hosts
all share an element (or, with fewer replicas than hosts, an element that takes down as
many hosts as it keeps copies), whether or not a service uses it yet.

Options: none.

Fails:

```yaml
version: 1
power:
  feed-a: {kind: feed}
  pdu-a: {kind: pdu, from: [feed-a]}
racks:
  r1: {power: [pdu-a]}
hosts:
  app-1: {rack: r1}
  app-2: {rack: r1}
services:
  app: {kind: keystone-api, hosts: [app-1, app-2], access: client-list}
```

Passes:

```yaml
version: 1
power:
  feed-a: {kind: feed}
  feed-b: {kind: feed}
  pdu-a: {kind: pdu, from: [feed-a]}
  pdu-b: {kind: pdu, from: [feed-b]}
racks:
  r1: {power: [pdu-a, pdu-b]}
  r2: {power: [pdu-a, pdu-b]}
hosts:
  app-1: {rack: r1}
  app-2: {rack: r2}
services:
  app: {kind: keystone-api, hosts: [app-1, app-2], access: client-list}
```

Fixes: `spread: host`, `rack` or `zone` where the pool spans enough of them; a pool host
in a rack or zone the pool does not cover yet; an instance on a host that shares none of
the shared elements (`add an instance of keystone on ctl-4 (away from rack-1)`); or a
second input or cable for the shared element itself. Each proposal is kept only if
running the analysis again on the changed model confirms it.
"""

from collections.abc import Iterator
from typing import Any

from spoflint import graph as fg
from spoflint.analysis import Facts
from spoflint.analysis.reasons import explain, lost_together
from spoflint.findings import Problem, listed

ID = "SVC002"
NAME = "shared-fate"
SEVERITY = "error"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    t = facts.topology
    for svc in t.services.values():
        if svc.replicas < 2:
            continue
        if svc.pool and svc.spread is None:
            if len(svc.pool) == 1:  # no "may": one host is all there is (plain Compose's `scale`)
                every = "both replicas" if svc.replicas == 2 else f"all {svc.replicas} replicas"
                message = f"{every} of {svc.id} run on one host, {svc.pool[0]}: its failure takes every instance down"
            else:
                message = (
                    f"{svc.id} has {svc.replicas} replicas on a pool without `spread`: they may all land on one host"
                )
            yield Problem(svc.id, message, related=svc.pool[:20])
            continue
        if svc.pool:
            groups = facts.pool_groups(svc.id)
            if len(groups) < svc.replicas:
                yield Problem(
                    svc.id,
                    f"{svc.id} promises `spread: {svc.spread}` for {svc.replicas} replicas, "
                    f"but its pool spans only {len(groups)} {svc.spread}{'' if len(groups) == 1 else 's'}",
                    related=svc.pool[:20],
                    key="spread",
                )
                continue
        shared = facts.shared_fate.get(svc.id, ())
        if not shared:
            continue
        every = "both instances" if svc.replicas == 2 else f"all {svc.replicas} instances"
        yield Problem(
            svc.id,
            f"{every} of {svc.id} share {listed(shared, 4)}: one failure takes every instance down"
            f"{_how(facts, fg.helper(svc.id, 'instances'), shared)}{_flagged(facts, shared)}",
            related=shared,
        )
    yield from _storage(facts)


def _storage(facts: Facts) -> Iterator[Problem]:
    """Replicated storage whose hosts share a failure domain (Ceph's CRUSH mistake)."""
    for s in facts.topology.storage.values():
        shared = facts.shared_fate.get(s.id, ())
        if not shared:
            continue
        how, flagged = _how(facts, s.id, shared), _flagged(facts, shared)
        if s.replicas >= len(s.hosts):
            every = "both hosts" if len(s.hosts) == 2 else f"all {len(s.hosts)} hosts"
            message = f"{every} of storage {s.id} share {listed(shared, 4)}: one failure takes every copy of its data"
        else:
            message = (
                f"storage {s.id} keeps {s.replicas} copies over {len(s.hosts)} hosts, and {listed(shared, 4)} "
                f"each take down {s.replicas} of them: placed the worst way, one failure takes every copy of some data"
            )
        yield Problem(s.id, f"{message} offline{how}{flagged}", related=shared, key="hosts")


def _how(facts: Facts, root: str, shared: tuple[str, ...]) -> str:
    """How the instances (or hosts) hang on a shared element that none of them names
    directly (`app-2 is cabled only to sw-1, which is in r1`), the shortest said; nothing
    when each shared element is their own rack, power input, switch or zone."""
    said = []
    for e in shared[:4]:
        groups = lost_together(facts.single_failures, e, [root])
        direct = len(groups) == 1 and len(groups[0].reasons) == 1 and groups[0].reasons[0].through is None
        if groups and not (direct and len(groups[0].reasons[0].members) == len(groups[0].members)):
            said.append(explain(groups, e, most=2))
    return f" ({min(said, key=len)})" if said else ""


def _flagged(facts: Facts, shared: tuple[str, ...]) -> str:
    flagged = [e for e in shared if facts.single_points.get(e) and facts.single_points[e].services]
    return f"; SPOF001 flags {listed(flagged, 4)}" if flagged else ""
