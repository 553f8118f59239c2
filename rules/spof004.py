"""A link whose failure splits the network (a bridge).

Why: a single cable is a single point of failure as surely as a switch: optics,
connectors and patch panels fail, and people unplug the wrong one. Every link whose
loss disconnects two parts of the network is reported, including a host's only link.

Options: none.

Fails:

```yaml
version: 1
network:
  internet: {kind: external}
  sw-1: {kind: switch}
links: [[internet, sw-1]]
hosts:
  app-1: {nics: [sw-1]}
```

Passes:

```yaml
version: 1
network:
  internet: {kind: external}
  sw-1: {kind: switch}
links:
  - {between: [internet, sw-1], name: uplink-a}
  - {between: [internet, sw-1], name: uplink-b}
hosts:
  app-1: {}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "SPOF004"
NAME = "bridge-link"
SEVERITY = "warning"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    for link, (a, b) in facts.bridges.items():
        yield Problem(link, f"link {link} is a bridge: its failure separates {a} from {b}", related=(a, b))
