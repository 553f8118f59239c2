"""A host cabled to one switch.

Why: a host with one uplink, or several into the same switch, loses the network with
that switch (its firmware upgrade, its power supply, its reboot). Cable each host to two
switches. Where the switch also takes a user-facing service down, SPOF001 reports it
there, and this message says so.

Options: none.

Fails:

```yaml
version: 1
network:
  internet: {kind: external}
  sw-1: {kind: switch}
  sw-2: {kind: switch}
links: [[internet, sw-1], [internet, sw-2]]
hosts:
  app-1: {nics: [sw-1]}
```

Passes:

```yaml
version: 1
network:
  internet: {kind: external}
  sw-1: {kind: switch}
  sw-2: {kind: switch}
links: [[internet, sw-1], [internet, sw-2]]
hosts:
  app-1: {nics: [sw-1, sw-2]}
```

Fixes: a cable to a second network node of the same kind that does not fail with the
first, in the host's rack first (`cable ctl-3 to tor-2`); a new switch beside the first
when there is none. Each proposal is kept only if running the analysis again on the
changed model confirms it.
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "NET001"
NAME = "single-homed-host"
SEVERITY = "warning"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    t = facts.topology
    for h in t.hosts.values():
        switch = facts.cabled_to(h.id)
        if switch is None:
            continue
        point = facts.single_points.get(switch)
        note = f"; SPOF001 flags {switch}" if point and point.services else ""
        cables = f"{len(h.links)} links" if len(h.links) > 1 else "one link"
        named = facts.topology.describe(switch)
        yield Problem(h.id, f"host {h.id} is cabled to one network node, {named} ({cables}){note}", related=(switch,))
