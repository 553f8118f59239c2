"""A service whose kind is unknown and whose `state` is not declared.

Why: whether a service keeps data decides whether its failure can lose data and whether
it needs replication; spoflint never guesses "stateless". Declare `state: stateless` or
`state: stateful`, or use a known `kind` (`spoflint kinds` lists them).

Options: none.

Fails:

```yaml
version: 1
hosts:
  app-1: {}
services:
  billing: {kind: in-house-billing, hosts: [app-1]}
```

Passes:

```yaml
version: 1
hosts:
  app-1: {}
services:
  billing: {kind: in-house-billing, state: stateless, hosts: [app-1]}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "SVC006"
NAME = "unclassified-service"
SEVERITY = "warning"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    for svc in facts.topology.services.values():
        if svc.state is None:
            what = f"kind {svc.kind!r} is unknown" if svc.kind else "it has no kind"
            yield Problem(
                svc.id,
                f"{svc.id}: {what} and no `state` is declared, so it was not "
                "checked for data loss; declare `state: stateless` or `state: stateful`",
            )
