"""A rack or zone with one cooling unit.

Why: servers throttle and then shut down within minutes of losing cooling, and a
cooling unit is a machine with compressors, fans and a power feed of its own. A rack
that lists one cooling unit, or a zone with a single unit for its racks (the units
placed in the zone and those its racks list), loses everything in it with that unit.

Options: none.

Fails:

```yaml
version: 1
power:
  feed-a: {kind: feed}
  feed-b: {kind: feed}
cooling:
  crac-1: {power: [feed-a, feed-b]}
racks:
  r1: {cooling: [crac-1], power: [feed-a, feed-b]}
```

Passes:

```yaml
version: 1
power:
  feed-a: {kind: feed}
  feed-b: {kind: feed}
cooling:
  crac-1: {power: [feed-a]}
  crac-2: {power: [feed-b]}
racks:
  r1: {cooling: [crac-1, crac-2], power: [feed-a, feed-b]}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "FAC001"
NAME = "single-cooling"
SEVERITY = "warning"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    t = facts.topology
    for r in t.racks.values():
        if len(r.cooling) == 1:
            yield Problem(r.id, f"rack {r.id} has one cooling unit, {r.cooling[0]}", related=r.cooling)
    racks_in: dict[str | None, list] = {}  # zone -> its racks, grouped once (not per zone)
    for r in t.racks.values():
        racks_in.setdefault(r.zone, []).append(r)
    units_in: dict[str | None, list[str]] = {}
    for c in t.cooling.values():
        units_in.setdefault(c.zone, []).append(c.id)
    for z in t.zones:
        racks = racks_in.get(z, [])
        # the units placed in the zone and those its racks name (a unit written without
        # its zone still cools the racks that list it)
        units = list(dict.fromkeys(units_in.get(z, []) + [u for r in racks for u in r.cooling]))
        if len(units) == 1 and racks:
            yield Problem(
                z,
                f"zone {z} has one cooling unit, {units[0]}, for its {len(racks)} rack{'s' if len(racks) != 1 else ''}",
                related=tuple(units),
            )
