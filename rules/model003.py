"""An element that exists to be depended on, and that nothing depends on.

Why: a UPS that feeds nothing, a cooling unit that cools no rack, a rack that holds
nothing, a switch or router that serves no host, a storage backend no service uses: it
was written down to matter, and in the model it does not, so its failure is never
checked and it adds no redundancy. Most often a reference elsewhere is wrong: with both
PDUs fed from ups-a, "ups-b feeds nothing" points at the `from` that should name it. A
power element counts as used when any `from` or `power` names it (a rack's too); a
cooling unit when a rack lists it, or it sits in a zone that holds anything; a rack when a
host or network node is in it; storage when a service lists it in `storage` or
`depends_on`; a switch or router when a host is cabled to it or it lies on a path from
an entry point to a node a host is cabled to (only where there are entry points; one
cabled to nothing is MODEL001's). Entry points, external nodes, firewalls and
load-balancer appliances (often one-armed, off the path by design) are never reported.
A spare kept on purpose: accept the note on it (`accept: {MODEL003: cold spare}`).

Options: none.

Fails:

```yaml
version: 1
power:
  feed-a: {kind: feed}
  feed-b: {kind: feed}
  ups-a: {kind: ups, from: [feed-a]}
  ups-b: {kind: ups, from: [feed-b]}
  pdu-a: {kind: pdu, from: [ups-a]}
  pdu-b: {kind: pdu, from: [ups-a]}
hosts:
  app-1: {power: [pdu-a, pdu-b]}
```

Passes:

```yaml
version: 1
power:
  feed-a: {kind: feed}
  feed-b: {kind: feed}
  ups-a: {kind: ups, from: [feed-a]}
  ups-b: {kind: ups, from: [feed-b]}
  pdu-a: {kind: pdu, from: [ups-a]}
  pdu-b: {kind: pdu, from: [ups-b]}
hosts:
  app-1: {power: [pdu-a, pdu-b]}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "MODEL003"
NAME = "unused-element"
SEVERITY = "note"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    t = facts.topology
    for eid in facts.unused:
        section, name = t.section_of[eid], t.describe(eid)
        if section == "power":
            message = (
                f"{t.power[eid].kind} {name} feeds nothing: no `from` or `power` names it, so it backs "
                "nothing up; name it where it should feed, or remove it"
            )
        elif section == "cooling":
            zone = t.cooling[eid].zone
            where = f", and nothing is placed in its zone {zone}" if zone else ""
            message = (
                f"cooling unit {name} cools nothing: no rack lists it in `cooling`{where}; "
                "list it in the racks it cools, or remove it"
            )
        elif section == "racks":
            message = (
                f"rack {name} holds nothing: no host or network node is placed in it (`rack: {eid}`); "
                "place what it holds in it, or remove it"
            )
        elif section == "network":
            message = (
                f"{t.network[eid].kind} {name} serves no host: none is cabled to it, and it is on no path "
                "from an entry point to one; cable the hosts it serves to it, or remove it"
            )
        else:
            message = (
                f"storage {name} is used by no service: none lists it in `storage` or `depends_on`; "
                "name it in the services that keep their data there, or remove it"
            )
        yield Problem(eid, message)
