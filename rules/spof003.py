"""A network node whose failure splits the network (an articulation point).

Why: even where no declared service is affected yet, a node that alone holds two parts
of the network together is one failure away from a partition, and the next service
placed behind it inherits the risk. A node splits the network when removing it cuts
something off every entry point that reached it, divides the graph of network nodes in
two, or leaves a host cabled to it alone with no link while anything else hangs off it.
Hosts are end points: a host cabled to two switches never counts as a path between
them, and hosts count, not cables (a host cabled twice to a lone switch splits nothing).

Options: none.

Fails:

```yaml
version: 1
network:
  internet: {kind: external}
  core: {kind: router}
  sw-1: {kind: switch}
links: [[internet, core], [core, sw-1]]
```

Passes:

```yaml
version: 1
network:
  internet: {kind: external}
  core-1: {kind: router}
  core-2: {kind: router}
  sw-1: {kind: switch}
links: [[internet, core-1], [internet, core-2], [core-1, sw-1], [core-2, sw-1]]
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "SPOF003"
NAME = "network-articulation-point"
SEVERITY = "warning"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    for node, cut in facts.articulation_points.items():
        shown = ", ".join(cut[:6]) + (f" and {len(cut) - 6} more" if len(cut) > 6 else "")
        yield Problem(
            node,
            f"{node} is an articulation point: its failure cuts off {shown} from the rest of the network",
            related=cut[:20],
        )
