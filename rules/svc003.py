"""A stateless service with several instances that clients reach through neither a
load balancer, a VIP, nor a client-side list.

Why: clients that address one instance send all their traffic to it; the other
instances never get any, and the service goes down with that one instance however many
others run. Put a load balancer or a VIP in front, or declare `access: client-list` (or
`worker`) where clients really do know every instance.

Options: none.

Fails:

```yaml
version: 1
hosts:
  api-1: {}
  api-2: {}
services:
  api: {kind: nova-api, hosts: [api-1, api-2]}
```

Passes:

```yaml
version: 1
hosts:
  api-1: {}
  api-2: {}
services:
  lb: {kind: haproxy, hosts: [api-1, api-2], vip: keepalived}
  api: {kind: nova-api, hosts: [api-1, api-2], load_balancer: lb}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "SVC003"
NAME = "missing-load-balancer"
SEVERITY = "error"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    for svc in facts.topology.services.values():
        if svc.state != "stateless" or svc.replicas < 2 or not svc.addresses_one or svc.role == "load-balancer":
            continue
        first = svc.hosts[0] if svc.hosts else "one replica"
        yield Problem(
            svc.id,
            f"{svc.id} has {svc.replicas} instances but no load balancer, VIP or "
            f"client-side list: clients address only the first ({first})",
            related=svc.hosts[:1],
        )
