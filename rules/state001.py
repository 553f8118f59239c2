"""A stateful service with neither replication (active/active) nor managed failover
(active/passive).

Why: a database or queue with `ha: none` keeps its state on one instance: its host's
failure takes the service down until someone restores it, and loses whatever was not
backed up. More instances behind a load balancer do not help: each one has its own
state, and nothing keeps them in step. Replicate it (`ha: active-active`, e.g. Galera,
RabbitMQ quorum queues) or let a cluster manager move it (`ha: active-passive` with a
manager such as Pacemaker).

Options: none.

Fails:

```yaml
version: 1
hosts:
  db-1: {}
services:
  db: {kind: mariadb, hosts: [db-1]}
```

Passes:

```yaml
version: 1
hosts:
  db-1: {}
  db-2: {}
  db-3: {}
services:
  db: {kind: mariadb-galera, hosts: [db-1, db-2, db-3], ha: active-active, vip: keepalived}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "STATE001"
NAME = "unprotected-stateful-service"
SEVERITY = "error"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    for svc in facts.topology.services.values():
        if svc.state == "stateful" and svc.ha == "none":
            kind = f" ({svc.kind})" if svc.kind else ""
            yield Problem(
                svc.id,
                f"{svc.id}{kind} is stateful with neither replication (ha: active-active) "
                "nor managed failover (ha: active-passive)",
                related=svc.hosts,
            )
