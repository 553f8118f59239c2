"""An active/passive service whose members have no fencing (STONITH).

Why: when the cluster manager loses contact with the active member it cannot tell a
dead host from a partitioned one. Without fencing (IPMI, iDRAC, SBD, a switched PDU) it
either waits forever or starts a second active copy, and two writers corrupt the data.
The OpenStack HA Guide makes fencing a requirement for Pacemaker clusters. Declare
`fencing:` on every member host. A manager that elects the active member by its own
consensus needs none: Patroni (a leader key in its DCS), Redis Sentinel (a quorum of
sentinels), the Ceph monitors (for ceph-mgr and ceph-mds) and the OVSDB lock (for
ovn-northd) make a cut-off leader step down by itself.

Options: none.

Fails:

```yaml
version: 1
hosts:
  ctl-1: {}
  ctl-2: {}
services:
  volume: {kind: cinder-volume, hosts: [ctl-1, ctl-2], ha: active-passive, manager: pacemaker}
```

Passes:

```yaml
version: 1
hosts:
  ctl-1: {fencing: ipmi}
  ctl-2: {fencing: ipmi}
services:
  volume: {kind: cinder-volume, hosts: [ctl-1, ctl-2], ha: active-passive, manager: pacemaker}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem
from spoflint.model.kinds import ELECTING

ID = "STATE003"
NAME = "failover-without-fencing"
SEVERITY = "error"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    t = facts.topology
    for svc in t.services.values():
        if svc.ha != "active-passive" or svc.manager in ELECTING:
            continue
        unfenced = tuple(h for h in (svc.hosts or svc.pool) if not t.hosts[h].fencing)
        if unfenced:
            yield Problem(
                svc.id,
                f"{svc.id} fails over (active/passive) but {', '.join(unfenced)} "
                f"{'has' if len(unfenced) == 1 else 'have'} no fencing: a partition can "
                "run two active copies",
                related=unfenced,
            )
