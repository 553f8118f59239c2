"""A storage backend with one host, fewer replicas than it needs, or a `min_replicas`
of 1.

Why: a backend on one host is one disk controller, one motherboard, one kernel panic
from losing everything on it; so is a backend over several hosts that keeps one copy of
each piece of data (`replicas: 1`). Ceph keeps its promises with three replicas (`size`)
and refuses writes below two (`min_size`); a Ceph pool that accepts writes with a single
copy left (`min_replicas: 1`, also the default when it is not declared) acknowledges
data that the next failure destroys. A backend without hosts (a SAN or a managed service
described as one box) is judged as a box by SPOF001, not here.

Options: `min_replicas` (default 3): the replicas a Ceph backend should keep.

Fails:

```yaml
version: 1
hosts:
  nfs-1: {}
storage:
  images: {kind: nfs, hosts: [nfs-1]}
```

Passes:

```yaml
version: 1
hosts:
  osd-1: {}
  osd-2: {}
  osd-3: {}
storage:
  volumes: {kind: ceph, hosts: [osd-1, osd-2, osd-3], replicas: 3, min_replicas: 2}
```

Fixes: by what the finding is about: another host for a backend on one host (a new one
like it when none is free); `replicas: 3` on Ceph, with the hosts to hold them;
`min_replicas: 2`, with a third replica where two copies would stop writes at the first
failure. Each proposal is kept only if running the analysis again on the changed model
confirms it.
"""

from collections.abc import Iterator
from typing import Any

from spoflint.analysis import Facts
from spoflint.findings import Problem

ID = "STATE005"
NAME = "under-replicated-storage"
SEVERITY = "error"
OPTIONS: dict[str, Any] = {"min_replicas": 3}


def check(facts: Facts, options: dict[str, Any]) -> Iterator[Problem]:
    t = facts.topology
    for s in t.storage.values():
        if not s.hosts:
            continue
        if len(s.hosts) == 1:
            flagged = _flagged(facts, s.hosts[0])
            yield Problem(
                s.id,
                f"storage {s.id} ({s.kind}) has a single host, {s.hosts[0]}{flagged}",
                related=s.hosts,
                key="hosts",
            )
            continue
        if s.kind == "ceph" and s.replicas < options["min_replicas"]:
            hosts = f" (it has only {len(s.hosts)} hosts)" if s.replicas == len(s.hosts) else ""
            yield Problem(
                s.id,
                f"ceph backend {s.id} keeps {s.replicas} replica{'' if s.replicas == 1 else 's'}{hosts}, fewer than {options['min_replicas']}",
                related=s.hosts,
                key="replicas",
            )
        elif s.replicas < 2:  # several hosts, but each piece of data on one of them
            yield Problem(
                s.id,
                f"storage {s.id} ({s.kind}) keeps one copy of its data (replicas: 1) over "
                f"{len(s.hosts)} hosts: any one of them failing loses data",
                related=s.hosts,
                key="replicas",
            )
        if s.kind == "ceph" and s.min_replicas == 1 and s.replicas > 1:
            default = "" if "min_replicas" in t.declared.get(s.id, ()) else ", the default when not declared"
            yield Problem(
                s.id,
                f"ceph backend {s.id} accepts writes with a single copy left (min_replicas: 1{default})",
                related=s.hosts,
                key="min_replicas",
            )


def _flagged(facts, host):
    point = facts.single_points.get(host)
    rules = [r for r, hit in (("SPOF001", point and point.services), ("SPOF002", point and point.data)) if hit]
    return f" ({' and '.join(rules)} flag {host})" if rules else ""
