"""Minimal sets of 2..k elements whose joint failure takes a user-facing service down.

Why: high availability promises to survive one failure; the second one is where outages
come from (maintenance on one switch while its twin dies, two controllers of a three-node
quorum). A service's minimal cut sets up to order k are the smallest such combinations,
found across every layer at once: two PDUs, two racks, a switch and a cable. The finding
lists them per service, the smallest and most probable first (by each element's declared
availability, else its kind's default figure: docs/analyses.md), so that the weakest
pairs get looked at first.
Single points of failure (sets of one) are SPOF001's, not repeated here.

Options: `order` (default 0: off) is the largest set size k; the rule reports nothing
unless it is at least 2. Set it with `spoflint check --order 2` or in the config file
(`options: {SPOF005: {order: 2}}`). The examples below are checked with `order: 2`
(EXAMPLE_OPTIONS). `spoflint cutsets PATH --order K` lists every set.

Fails:

```yaml
version: 1
hosts:
  web-1: {}
  web-2: {}
services:
  web: {kind: nginx, state: stateless, hosts: [web-1, web-2], access: client-list}
```

Passes:

```yaml
version: 1
hosts:
  web-1: {}
  web-2: {}
  web-3: {}
services:
  web: {kind: nginx, state: stateless, hosts: [web-1, web-2, web-3], access: client-list}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "SPOF005"
NAME = "low-fault-tolerance"
SEVERITY = "note"
OPTIONS: dict[str, Any] = {"order": 0}
EXAMPLE_OPTIONS = {"order": 2}  # the documented examples are checked with these
SHOWN = 5  # sets named in the message


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    order = options.get("order", 0)
    if order < 2:
        return
    for result in facts.cut_sets(order):
        sets = [s for s in result.sets if len(s) >= 2]
        if not sets:
            continue
        shown = "; ".join("{" + ", ".join(s) + "}" for s in sets[:SHOWN])
        more = f" and {len(sets) - SHOWN} more" if len(sets) > SHOWN else ""
        cut_short = " (list truncated)" if result.truncated else ""
        smallest = len(sets[0])
        yield Problem(
            result.service,
            f"{result.service} goes down when {smallest} elements fail together: "
            f"{len(sets)} minimal cut set{'s' if len(sets) > 1 else ''} of 2 to {order} elements"
            f"{cut_short}: {shown}{more}",
            related=tuple(dict.fromkeys(e for s in sets[:SHOWN] for e in s)),
            services=(result.service,),
            impact=("downtime",),
        )
