"""A user-facing service whose failover is slower than `objectives.recovery_time`.

Why: redundancy only helps as fast as something moves the traffic. When a host under a
service fails, the slowest mechanism on the service's path sets the outage: its own
(a VRRP VIP in seconds, a load balancer's health check, Galera's eviction, a client's
retry, Pacemaker's fencing and restart in tens of seconds, Kubernetes rescheduling in
minutes, a manual restart in hours), its load balancer's and those of everything it
depends on. Use a faster mechanism, or relax the objective to what it can deliver.
Only checked when the topology sets `objectives.recovery_time` (`2m`, `30s`, `1h`, or
seconds). The default time per mechanism is listed in docs/analyses.md.

Options: none.

Fails:

```yaml
version: 1
objectives: {recovery_time: 2m}
hosts:
  db-1: {}
services:
  db: {kind: mariadb, hosts: [db-1]}
```

Passes:

```yaml
version: 1
objectives: {recovery_time: 2m}
hosts:
  lb-1: {}
  lb-2: {}
services:
  lb: {kind: haproxy, hosts: [lb-1, lb-2], vip: keepalived}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "OBJ002"
NAME = "failover-slower-than-objective"
SEVERITY = "warning"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    objective = facts.topology.objectives.get("recovery_time")
    if objective is None:
        return
    from spoflint.analysis import recovery

    limit = recovery.parse_duration(objective)
    for service, found in facts.recovery.items():
        if found.seconds <= limit:
            continue
        where = "" if found.via == service else f" (through {found.via})"
        yield Problem(
            service,
            f"{service} recovers from the loss of a host in about {recovery.describe(found.seconds)} "
            f"by {recovery.label(found.mechanism)}{where}; the objective is {recovery.describe(limit)}",
            related=() if found.via == service else (found.via,),
            services=(service,),
        )
