"""Something spoflint would need to check an element is missing from the description.

Why: spoflint never assumes redundancy where the file is silent. A host with no power
declared, a host cabled to nothing, a topology with no entry point: each is analysed as
far as it is described, and the gap is reported once, so that a clean result means
"checked", never "not looked at". A service that is down even with nothing failed (a
quorum larger than its cluster, a host cut off from every entry point) is reported here
too: the description contradicts itself.

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
power:
  feed-a: {kind: feed}
  pdu-a: {kind: pdu, from: [feed-a]}
cooling:
  crac-1: {power: [pdu-a]}
racks:
  r1: {cooling: [crac-1], power: [pdu-a]}
network:
  internet: {kind: external}
  sw-1: {kind: switch, rack: r1}
links: [[internet, sw-1]]
hosts:
  app-1: {rack: r1, nics: [sw-1]}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "MODEL001"
NAME = "incomplete-description"
SEVERITY = "note"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    for gap in facts.gaps:
        yield Problem(gap.subject, gap.message, key=gap.key, at=gap.at)
