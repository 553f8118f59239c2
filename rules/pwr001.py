"""A host or network node with one power input, or several that converge on one
upstream element.

Why: dual power supplies protect against a failed PSU only if they draw from
independent paths. Two cords into the same PDU, or two PDUs behind one UPS, fail
together. Each finding names the element where the paths converge; where that element
also takes a user-facing service down, SPOF001 reports it there too, and the message
says so.

Options: none.

Fails:

```yaml
version: 1
power:
  feed-a: {kind: feed}
  ups-a: {kind: ups, from: [feed-a]}
  pdu-a: {kind: pdu, from: [ups-a]}
  pdu-b: {kind: pdu, from: [ups-a]}
hosts:
  db-1: {power: [pdu-a, pdu-b]}
```

Passes:

```yaml
version: 1
power:
  feed-a: {kind: feed}
  feed-b: {kind: feed}
  pdu-a: {kind: pdu, from: [feed-a]}
  pdu-b: {kind: pdu, from: [feed-b]}
hosts:
  db-1: {power: [pdu-a, pdu-b]}
```

Fixes: the paths made independent where they converge, nearest first (`feed pdu-b from
ups-b instead of ups-a`), or a second input that none of the convergence points feeds
(`also power ctl-3 from pdu-a`). Each proposal is kept only if running the analysis
again on the changed model confirms it.
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem, listed

ID = "PWR001"
NAME = "single-power-path"
SEVERITY = "warning"
OPTIONS: dict[str, Any] = {}
SHOWN = 10  # elements a message names in each list; past it, how many more


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    t = facts.topology
    boxes = [(h.id, "host", h.power) for h in t.hosts.values()]
    boxes += [(n.id, n.kind, n.power) for n in t.network.values() if n.kind != "external"]
    for eid, what, inputs in boxes:
        if not inputs:
            continue  # no power described: MODEL001
        common = facts.power_convergence(eid)
        if not common:
            continue
        flagged = [e for e in common if facts.single_points.get(e) and facts.single_points[e].services]
        note = f"; SPOF001 flags {listed(flagged, SHOWN)}" if flagged else ""
        if len(inputs) == 1:
            message = f"{what} {eid} has one power input, {inputs[0]}{note}"
        else:
            converge = listed(common, SHOWN)
            message = f"the power inputs of {what} {eid} ({listed(inputs, SHOWN)}) converge on {converge}{note}"
        yield Problem(eid, message, related=common)
