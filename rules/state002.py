"""A quorum cluster with fewer than 3 members, or an even number of them.

Why: a cluster that needs a majority survives the loss of a minority. Two members
survive nothing (one of two is not a majority); four survive one, like three, while
adding a member that can fail; and an even split in a network partition stops both
halves. Galera, etcd, ZooKeeper, RabbitMQ quorum queues and Ceph monitors all want 3, 5
or 7 members.

A quorum cluster is an active/active service whose kind needs a majority (Galera, etcd,
...) or that declares a `quorum` (`majority`, or a number: that many members, not a
majority, must be up). `quorum: none` needs one instance up and is no quorum cluster.
The number of failures a small cluster survives counts what it needs up (its quorum,
or `min_instances` when that is more). An even cluster is reported only when its
quorum is a majority.

Options: `min_members` (default 3): the smallest acceptable cluster.

Fails:

```yaml
version: 1
hosts:
  db-1: {}
  db-2: {}
services:
  db: {kind: mariadb-galera, hosts: [db-1, db-2], ha: active-active}
```

Passes:

```yaml
version: 1
hosts:
  db-1: {}
  db-2: {}
  db-3: {}
services:
  db: {kind: mariadb-galera, hosts: [db-1, db-2, db-3], ha: active-active}
```

Fixes: members up to the smallest odd number the rule accepts, on hosts that run what
the members run (`add a third galera member on ctl-3`); for an even cluster, also one
member fewer; a new host when no other can take a member. Each proposal is kept only if
running the analysis again on the changed model confirms it.
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "STATE002"
NAME = "quorum-unsafe-cluster"
SEVERITY = "warning"
OPTIONS: dict[str, Any] = {"min_members": 3}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    smallest = options["min_members"]
    for svc in facts.topology.services.values():
        if not facts.is_quorum_cluster(svc.id):
            continue
        n = svc.replicas
        if n < smallest:
            spare = max(n - svc.need, 0)
            yield Problem(
                svc.id,
                f"{svc.id} is a quorum cluster of {n} member{'s' if n != 1 else ''}, "
                f"fewer than {smallest}: it survives {spare} failure{'' if spare == 1 else 's'}",
                related=svc.hosts,
            )
        elif n % 2 == 0 and svc.quorum == n // 2 + 1:  # a majority: an explicit quorum says otherwise
            yield Problem(
                svc.id,
                f"{svc.id} is a quorum cluster of {n} members, an even number: it survives "
                f"no more failures than {n - 1} would, and a partition can split it evenly",
                related=svc.hosts,
            )
