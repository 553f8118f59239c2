"""An element whose failure alone takes down a user-facing service.

Why: high availability promises that any one failure is survived. spoflint evaluates
every layer at once (power, cooling, racks, network, hosts, storage, services), so it
finds the element that breaks that promise even when every service looks redundant on
its own: three replicas behind one switch, a Galera cluster with two members in one
rack, a database everything depends on. The finding lists every user-facing service the
element takes down and the chain that makes it so (`pdu-a -> sw-1 -> ctl-1 -> galera`).

Options: none.

Fails:

```yaml
version: 1
network:
  internet: {kind: external}
  sw-1: {kind: switch, power: [pdu-a]}
power:
  feed-a: {kind: feed}
  pdu-a: {kind: pdu, from: [feed-a]}
links: [[internet, sw-1]]
hosts:
  web-1: {power: [pdu-a], nics: [sw-1]}
  web-2: {power: [pdu-a], nics: [sw-1]}
services:
  web: {kind: nginx, state: stateless, hosts: [web-1, web-2], access: client-list}
```

Passes:

```yaml
version: 1
network:
  internet: {kind: external}
  sw-1: {kind: switch, power: [pdu-a, pdu-b]}
  sw-2: {kind: switch, power: [pdu-a, pdu-b]}
power:
  feed-a: {kind: feed}
  feed-b: {kind: feed}
  pdu-a: {kind: pdu, from: [feed-a]}
  pdu-b: {kind: pdu, from: [feed-b]}
links:
  - {between: [internet, sw-1], name: uplink-1}
  - {between: [internet, sw-2], name: uplink-2}
hosts:
  web-1: {power: [pdu-a, pdu-b], nics: [sw-1, sw-2]}
  web-2: {power: [pdu-a, pdu-b], nics: [sw-1, sw-2]}
services:
  web: {kind: nginx, state: stateless, hosts: [web-1, web-2], access: client-list}
```

Fixes: a change that gives what the element takes down another way: feed a PDU from the
other UPS, or power a rack, host or cooling unit from a second input, an idle one first
(`feed pdu-b from ups-b instead of ups-a`); cool a rack with a second unit; cable the
hosts or switches it cuts off to a second switch or router (`cable ctl-3 to tor-2`), or
add a second cable; add instances of what it takes down on hosts it does not take down
(`add an instance of keystone on ctl-4 (outside rack-1)`), with a `vip` where clients
address one instance; or, when no element that exists survives it, a new one beside it
(a second PDU, switch, cooling unit or host), said as such. The fix must also add no
SPOF001 or SPOF002. Each proposal is kept only if running the analysis again on the
changed model confirms it.
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.analysis.reasons import explain, member_sets
from spoflint.findings import Problem, listed

ID = "SPOF001"
NAME = "single-point-of-failure"
SEVERITY = "error"
OPTIONS: dict[str, Any] = {}
MESSAGE_GROUPS = 3  # groups of inputs lost together that the message words (the JSON has them all)


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    for element, point in facts.single_points.items():
        if not point.services:
            continue
        groups = facts.lost_together(element)
        chain = point.chain  # past CHAIN_SHOWN elements, its ends (facts.py)
        also = f"; it also destroys the only copy of {', '.join(point.data)} (SPOF002)" if point.data else ""
        yield Problem(
            element,
            f"{facts.topology.describe(element)} is a single point of failure: {_reason(element, groups)}"
            f"{listed(point.services, 5)} ({' -> '.join(chain)}){also}",
            related=tuple(e for e in chain[1:] if e != element and e in facts.topology.where),
            services=point.services,
            impact=("downtime", "data-loss") if point.data else ("downtime",),
            chain=chain,
            lost_together=member_sets(groups),
        )


def _reason(element, groups):
    """The redundant inputs it takes out together, the first few, then what it takes down."""
    if not groups:
        return "its failure alone takes down "
    return explain(groups, element, MESSAGE_GROUPS) + "; this takes down "
