"""A load balancer with one instance, or several without a floating VIP.

Why: a load balancer is on the path of every request to what it fronts, so it must be
at least as redundant as its backends. Several instances without a VIP (keepalived,
Pacemaker, or DNS) do not help: clients still address one of them.

Options: none.

Fails:

```yaml
version: 1
hosts:
  lb-1: {}
  lb-2: {}
services:
  lb: {kind: haproxy, hosts: [lb-1, lb-2]}
  api: {kind: nova-api, hosts: [lb-1, lb-2], load_balancer: lb}
```

Passes:

```yaml
version: 1
hosts:
  lb-1: {}
  lb-2: {}
services:
  lb: {kind: haproxy, hosts: [lb-1, lb-2], vip: keepalived}
  api: {kind: nova-api, hosts: [lb-1, lb-2], load_balancer: lb}
```

Fixes: a floating VIP (`vip: keepalived` on the load balancer, or the address manager
it names); for a single instance, a second one (on a new host if no other can take it)
and the VIP. Each proposal is kept only if running the analysis again on the changed
model confirms it.
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "SVC004"
NAME = "load-balancer-not-redundant"
SEVERITY = "error"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    for svc in facts.topology.services.values():
        if svc.role != "load-balancer":
            continue
        if svc.replicas == 1:
            yield Problem(svc.id, f"load balancer {svc.id} has a single instance", related=svc.hosts)
        elif svc.vip is None and svc.access == "single":
            first = svc.hosts[0] if svc.hosts else "one replica"
            yield Problem(
                svc.id,
                f"load balancer {svc.id} has {svc.replicas} instances but no floating VIP: "
                f"clients still address one ({first})",
                related=svc.hosts[:1],
            )
