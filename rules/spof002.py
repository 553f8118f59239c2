"""An element whose failure alone destroys the only copy of some data.

Why: downtime ends when the element comes back; lost data does not come back. Only a
host's failure destroys data (a rack, PDU or switch makes it unavailable, not lost). A
stateful service on local storage without replication keeps one copy per instance; a
storage backend keeps its data while one of the hosts holding a copy survives
(`replicas` copies, at most one per host; default one on every host).

Options: none.

Fails:

```yaml
version: 1
hosts:
  db-1: {}
services:
  db: {kind: postgresql, hosts: [db-1]}
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

Fixes: a second copy of each data set the host holds alone: another host for the storage
backend (`add ctl-2 to the hosts of storage images`) or `replicas: 2`; more members for
a replicated service; `replicas` and `spread` for a pool; or the service's data on a
replicated backend (`keep the data of db on storage ceph`). A second instance of a
service that keeps its data on its own host is never proposed: it would hold a second
only copy. Each proposal is kept only if running the analysis again on the changed model
confirms it.
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "SPOF002"
NAME = "single-copy-of-data"
SEVERITY = "error"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    for element, point in facts.single_points.items():
        if not point.data:
            continue
        down = f"; it also takes down {', '.join(point.services)} (SPOF001)" if point.services else ""
        yield Problem(
            element,
            f"{facts.topology.describe(element)} holds the only copy of the data of {', '.join(point.data)}: "
            f"its failure alone loses it{down}",
            related=point.data,
            services=point.services,
            impact=("data-loss", "downtime") if point.services else ("data-loss",),
            chain=point.data_chain,
        )
