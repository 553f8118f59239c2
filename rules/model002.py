"""An accepted risk (an `accept` entry or comment, or a baseline entry) that no finding
matched.

Why: acceptances outlive the risks they were written for. When the finding is gone
(the host got its second power supply) the stale entry stays behind, ready to hide the
next, different problem on that element; an entry naming a rule that does not exist
hides nothing and misleads the reader (in a topology file, an `accept` entry or comment
naming no rule is an input error, with the rule most likely meant). Remove such
entries, or write the baseline again. Acceptances of rules that did not run (`--select`, `--ignore`) are not judged.

Options: none.

Fails:

```yaml
version: 1
hosts:
  app-1: {accept: {SVC001: "the lab has one host"}}
```

Passes:

```yaml
version: 1
hosts:
  app-1: {}
services:
  app: {kind: keystone-api, hosts: [app-1], accept: {SVC001: "the lab has one host"}}
```
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Place, Problem

ID = "MODEL002"
NAME = "unused-acceptance"
SEVERITY = "note"
OPTIONS: dict[str, Any] = {}
AFTER_FINDINGS = True  # judges the acceptances against the other rules' findings


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    for element, rule, why in facts.unused_acceptances():
        yield Problem(element, f"the acceptance of {rule} on {element} {why}: remove it", key=rule)
    for entry in facts.unmatched_baseline_entries():
        yield Problem(
            entry.subject,
            f"baseline entry {entry.rule} on {entry.subject} ({entry.path}) matched no finding: "
            "remove it (or write the baseline again)",
            key=f"{entry.rule}:{entry.path}",
            at=Place(entry.subject, entry.source, entry.line, entry.column),
        )
