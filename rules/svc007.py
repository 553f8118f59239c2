"""Replicas spread over hosts, racks or zones only by the scheduler's best effort.

Why: `spread_strength: preferred` says that nothing forces the replicas apart: the
scheduler spreads them when it can (kube-scheduler's default spreading, a preferred
pod anti-affinity or a `ScheduleAnyway` constraint; Swarm's spread strategy), and
stacks them when it cannot: when nodes are full, cordoned or drained, or after a node
comes back, and nothing moves them apart again afterwards. The analysis takes the
usual placement (distinct hosts, racks or zones), so no single-failure finding blames
the stacking that may never happen; this warning reports the risk that it can, once
per service, with the constraint that removes it. Make the spread a constraint the
scheduler must keep, or, when that is so already, say it (`spread_strength: required`,
the default).

Options: none.

Fails:

```yaml
version: 1
hosts:
  node-1: {kind: k8s-node}
  node-2: {kind: k8s-node}
services:
  web: {kind: nginx, replicas: 2, pool: [node-1, node-2], spread: host, spread_strength: preferred,
        vip: kube-proxy}
```

Passes:

```yaml
version: 1
hosts:
  node-1: {kind: k8s-node}
  node-2: {kind: k8s-node}
services:
  web: {kind: nginx, replicas: 2, pool: [node-1, node-2], spread: host, vip: kube-proxy}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "SVC007"
NAME = "best-effort-spread"
SEVERITY = "warning"
OPTIONS: dict[str, Any] = {}

# the topology key of each spread level, in Kubernetes' well-known labels
_KUBERNETES_KEYS = {"host": "kubernetes.io/hostname", "zone": "topology.kubernetes.io/zone"}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    t = facts.topology
    for svc in t.services.values():
        if svc.spread is None or svc.spread_strength != "preferred" or svc.replicas < 2:
            continue
        kinds = {t.hosts[h].kind for h in svc.pool}
        yield Problem(
            svc.id,
            f"{svc.id} has {svc.replicas} replicas spread over {svc.spread}s only by the scheduler's best effort: "
            f"nothing stops them sharing one {svc.spread}; {_fix(svc.spread, kinds)}",
            related=svc.pool[:20],
        )


def _fix(level: str, kinds: set[str | None]) -> str:
    """What makes the spread a constraint, in the pool's scheduler's terms."""
    if kinds == {"k8s-node"} and level in _KUBERNETES_KEYS:
        return (
            "add a required podAntiAffinity or a topologySpreadConstraint with "
            f"whenUnsatisfiable: DoNotSchedule on {_KUBERNETES_KEYS[level]}"
        )
    if kinds == {"swarm-node"} and level == "host":
        return "add deploy.placement.max_replicas_per_node: 1"
    return f"make one replica per {level} a constraint the scheduler must keep (then `spread_strength: required`)"
