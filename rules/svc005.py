"""After losing one instance, fewer than `min_instances` remain (no N+1 capacity).

Why: `min_instances` says how many instances it takes to carry the load. With exactly
that many, the first failure leaves the survivors overloaded, and an overloaded service
is down in all but name. Run at least one more than it needs. (A service whose need is a
single instance is SVC001's concern.)

Options: none.

Fails:

```yaml
version: 1
hosts:
  web-1: {}
  web-2: {}
services:
  web: {kind: nginx, hosts: [web-1, web-2], access: client-list, min_instances: 2}
```

Passes:

```yaml
version: 1
hosts:
  web-1: {}
  web-2: {}
  web-3: {}
services:
  web: {kind: nginx, hosts: [web-1, web-2, web-3], access: client-list, min_instances: 2}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "SVC005"
NAME = "no-spare-capacity"
SEVERITY = "warning"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    for svc in facts.topology.services.values():
        if svc.min_instances >= 2 and svc.replicas - 1 < svc.min_instances:
            left = svc.replicas - 1
            yield Problem(
                svc.id,
                f"{svc.id} needs {svc.min_instances} instances to carry its load and runs "
                f"{svc.replicas}: after one failure only {left} remain{'s' if left == 1 else ''}",
                related=(svc.hosts or svc.pool)[:20],
            )
