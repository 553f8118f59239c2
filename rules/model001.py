"""Something spoflint would need to check an element is missing from the description.

Why: spoflint never assumes redundancy where the file is silent. A host with no power
declared, a host cabled to nothing, a topology with no entry point: each is analysed as
far as it is described, and the gap is reported, so that a clean result means
"checked", never "not looked at". Each kind of gap is said once per file, on the first
element written that has it, with a count and the first few ids ("12 hosts have no
power (nor do their racks): ctl-1, ctl-2, ctl-3, ctl-4, ctl-5 and 7 more; power
failures were not checked"); an element that accepts this rule is said on its own, so
that its acceptance matches its own note. A host a reader had to assume (the nodes
Kubernetes manifests imply) is said as that, never as a machine someone left
half-described. A service that is down even with nothing failed (a quorum larger than
its cluster, a host cut off from every entry point) is reported here too, one by one:
the description contradicts itself.

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
from spoflint.analysis.completeness import grouped
from spoflint.findings import Problem

ID = "MODEL001"
NAME = "incomplete-description"
SEVERITY = "note"
OPTIONS: dict[str, Any] = {}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    t = facts.topology
    alone = {eid for eid, risks in t.accepted.items() if any(_names(a.rule) for a in risks)}
    for gap in grouped(t, facts.gaps, alone):
        yield Problem(gap.subject, gap.message, related=gap.related, key=gap.key, at=gap.at)


def _names(rule: str) -> bool:
    """Whether an acceptance names this rule (as the engine matches it: id in any case, or name)."""
    return rule.upper() == ID or rule == NAME
