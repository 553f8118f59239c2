"""A user-facing service, or one a user-facing service depends on, with one instance.

Why: one instance means one process, one host, one restart away from an outage, before
any question of racks or switches. Services that only internal jobs use are left out;
everything a user-facing service needs, directly or through others (its load balancer
included), is in. An instance that nothing recreates when it fails (`recreated: false`,
as a bare Kubernetes Pod) is worse still, and the finding says so.

Options: none.

Fails:

```yaml
version: 1
hosts:
  app-1: {}
services:
  app: {kind: keystone-api, hosts: [app-1]}
```

Passes:

```yaml
version: 1
hosts:
  app-1: {}
  app-2: {}
services:
  app: {kind: keystone-api, hosts: [app-1, app-2], access: client-list}
```

Fixes: another instance on a host that runs what its peers run (as many as its quorum
needs), or `replicas` and `spread` on its pool; a new host like its own when no other
host can take it. Each proposal is kept only if running the analysis again on the
changed model confirms it.
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "SVC001"
NAME = "single-instance"
SEVERITY = "error"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    t = facts.topology
    needed = facts.depended_on_by_public
    for svc in t.services.values():
        if svc.id not in needed or svc.replicas != 1:
            continue
        what = t.assumed.get(svc.hosts[0]) if svc.hosts else None  # an invented host says so
        where = f" (on {svc.hosts[0]}{f', {what}' if what else ''})" if svc.hosts else ""
        role = "user-facing" if svc.public else "needed by a user-facing service"
        message = f"{svc.id} runs a single instance{where} and is {role}"
        if not svc.recreated:
            message += (
                "; nothing recreates it when it fails or its host goes (`recreated: false`, a bare Pod): "
                "worse than one replica, it stays down until someone starts it again"
            )
        yield Problem(svc.id, message, related=svc.hosts)
