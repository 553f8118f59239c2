"""The compact model: what the page's "if this fails" evaluator (page/evaluate.js) needs
of a topology, as small plain data, and nothing else.

`encode(t)` gives a dict whose first key, `ids`, is every element id in the element
order (the sections in `SECTIONS` order, each as written); everything else is integers
indexing `ids`:

- `sections`: how many elements each section has, in `SECTIONS` order (so element i is
  in the section whose range holds it);
- `entrypoints`: the entry points;
- `sets`: the lists of elements the columns name, each once (set 0 is the empty list);
- one object per section with one column per field the evaluator reads, one value per
  element of the section: an element (-1 for none), a set, a number or flags. A
  column is delta-coded: its i-th value is the field's value minus the previous
  element's (the first as is), so a column of ids written in order is mostly small
  numbers; a column whose values are all the same is that one number instead;
- `order`: storage and services (the holders of data) sorted by id, as `spoflint
  simulate` lists them.

A host's links are not stored: they are the links with it at one end, in link order,
as the model has them. A service's flags: 1 user-facing, 2 clients address one
instance, 4 * spread (0 none, 1 host, 2 rack, 3 zone), 16 * data (0 not a holder of
its own data, 1 state nothing replicates, 2 replicated state).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..analysis.data import replicated
from ..model import SECTIONS, Host, NetworkNode, Service, Topology

SPREAD = {None: 0, "host": 1, "rack": 2, "zone": 3}


def encode(t: Topology) -> dict[str, Any]:
    """The compact model of `t` (see the module's docstring)."""
    ids = [eid for section in SECTIONS for eid in getattr(t, section)]
    to = _Numbering({eid: i for i, eid in enumerate(ids)})
    boxes: list[NetworkNode | Host] = [*t.network.values(), *t.hosts.values()]
    links = t.links.values()
    compact: dict[str, Any] = {
        "ids": ids,
        "sections": [len(getattr(t, section)) for section in SECTIONS],
        "entrypoints": [to.index[e] for e in t.entrypoints],
        "power": {
            "zone": to.ones(p.zone for p in t.power.values()),
            "sources": to.sets(p.sources for p in t.power.values()),
        },
        "cooling": {
            "zone": to.ones(c.zone for c in t.cooling.values()),
            "power": to.sets(c.power for c in t.cooling.values()),
        },
        "racks": {
            "zone": to.ones(r.zone for r in t.racks.values()),
            "cooling": to.sets(r.cooling for r in t.racks.values()),
        },
        "boxes": {  # network nodes, then hosts
            "rack": to.ones(b.rack for b in boxes),
            "zone": to.ones(b.zone for b in boxes),
            "power": to.sets(b.power for b in boxes),
        },
        "links": {"a": to.ones(link.a for link in links), "b": to.ones(link.b for link in links)},
        "storage": _storage(t, to),
        "services": _services(t, to),
        "order": [to.index[h] for h in sorted([*t.storage, *t.services])],
    }
    compact["sets"] = [list(members) for members in to.numbered]  # in the order they were numbered
    return compact


class _Numbering:
    """Element ids to their index, and lists of them to the number of their set."""

    def __init__(self, index: dict[str, int]):
        self.index = index
        self.numbered: dict[tuple[int, ...], int] = {(): 0}

    def ones(self, eids: Iterable[str | None]) -> list[int] | int:
        """A column of elements (-1 for none)."""
        index = self.index
        return _delta([-1 if eid is None else index[eid] for eid in eids])

    def sets(self, lists: Iterable[tuple[str, ...]]) -> list[int] | int:
        """A column of lists of elements, each list numbered once."""
        index, numbered = self.index, self.numbered
        return _delta([numbered.setdefault(tuple(index[m] for m in members), len(numbered)) for members in lists])


def _storage(t: Topology, to: _Numbering) -> dict[str, list[int] | int]:
    storage = t.storage.values()
    return {
        "zone": to.ones(s.zone for s in storage),
        "hosts": to.sets(s.hosts for s in storage),
        "replicas": _delta([s.replicas for s in storage]),
        "min_replicas": _delta([s.min_replicas for s in storage]),
    }


def _services(t: Topology, to: _Numbering) -> dict[str, list[int] | int]:
    services = t.services.values()
    return {
        "needs": to.sets(s.needs for s in services),
        "load_balancer": to.ones(s.load_balancer for s in services),
        "hosts": to.sets(s.hosts for s in services),
        "pool": to.sets(s.pool for s in services),
        "replicas": _delta([s.replicas for s in services]),
        "need": _delta([s.need for s in services]),
        "flags": _delta([_flags(s) for s in services]),
    }


def _flags(svc: Service) -> int:
    data = 0
    if svc.state == "stateful" and not svc.storage:
        data = 2 if replicated(svc) else 1
    return int(svc.public) | 2 * svc.addresses_one | 4 * SPREAD[svc.spread] | 16 * data


def _delta(values: list[int]) -> list[int] | int:
    """Each value minus the one before it (the first as is); one number when they are
    all that number (none at all: 0)."""
    if not values or values.count(values[0]) == len(values):
        return values[0] if values else 0
    return [v - w for v, w in zip(values, [0, *values[:-1]], strict=True)]
