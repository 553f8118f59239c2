"""A user-facing service whose estimated availability is below `objectives.availability`.

Why: single failures are what HA promises to survive, but availability is what users
get. Every element fails now and then; spoflint gives each its availability (a default
per kind, or `availability:` in percent, or `mtbf:` and `mttr:` in hours on the element)
and computes each user-facing service's availability exactly over shared elements
(series, parallel and k-of-n combined, a shared switch or feed counted once), then names
the elements that matter most (Birnbaum importance). Raise their availability, add
redundancy around them, or override a default with a figure from your own history. Only
checked when the topology sets `objectives.availability`. `spoflint availability PATH`
shows every figure.

Options: none.

Fails:

```yaml
version: 1
objectives: {availability: 99.99}
hosts:
  web-1: {}
services:
  web: {kind: nginx, hosts: [web-1]}
```

Passes:

```yaml
version: 1
objectives: {availability: 99.9}
hosts:
  web-1: {}
  web-2: {}
  web-3: {}
services:
  web: {kind: nginx, hosts: [web-1, web-2, web-3], access: client-list}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "OBJ001"
NAME = "availability-below-objective"
SEVERITY = "warning"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    objective = facts.topology.objectives.get("availability")
    if objective is None:
        return
    from spoflint.analysis import availability

    for service, found in facts.availability.items():
        if found.availability * 100 >= objective:
            continue
        estimate = availability.percent(found.availability)
        if found.exact:
            said = estimate
        elif found.upper * 100 >= objective:  # a bound that may meet it: not a miss
            yield Problem(
                service,
                f"{service}'s availability is only bounded, between {estimate} and "
                f"{availability.percent(found.upper)} (too many shared elements for the work budget), "
                f"so it may or may not meet the objective of {objective:g}%",
                services=(service,),
            )
            continue
        else:
            said = f"no more than {availability.percent(found.upper)} (a bound: too many shared elements to be exact)"
        weakest = ", ".join(e for e, _ in found.importance)
        yield Problem(
            service,
            f"{service} is estimated at {said}, {found.nines:.1f} nines, about "
            f"{found.downtime_minutes:.0f} minutes down a year; the objective is {objective:g}%"
            + (f"; it depends most on {weakest}" if weakest else ""),
            related=tuple(e for e, _ in found.importance),
            services=(service,),
        )
