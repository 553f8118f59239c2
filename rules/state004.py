"""An active/passive service with no cluster manager, or that clients reach by address
with no VIP to move along with it.

Why: active/passive means something notices the active member's failure and starts the
passive one (Pacemaker, keepalived): without a `manager`, failover is a person paged at
night. And when clients connect to the active member's own address, the move does not
help them unless a floating address (`vip`) moves too.

Options: none.

Fails:

```yaml
version: 1
hosts:
  db-1: {fencing: ipmi}
  db-2: {fencing: ipmi}
services:
  db: {kind: postgresql, hosts: [db-1, db-2], ha: active-passive}
```

Passes:

```yaml
version: 1
hosts:
  db-1: {fencing: ipmi}
  db-2: {fencing: ipmi}
services:
  db: {kind: postgresql, hosts: [db-1, db-2], ha: active-passive, manager: pacemaker, vip: pacemaker}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "STATE004"
NAME = "failover-without-manager"
SEVERITY = "error"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    for svc in facts.topology.services.values():
        if svc.ha != "active-passive":
            continue
        if not svc.manager:
            yield Problem(
                svc.id,
                f"{svc.id} is active/passive with no `manager`: nothing moves it when the active member fails",
                key="manager",
            )
        if svc.addresses_one:
            yield Problem(
                svc.id,
                f"{svc.id} is active/passive, but clients reach it by the first member's "
                "address: there is no `vip` (or load balancer) to move along with it",
                key="vip",
            )
