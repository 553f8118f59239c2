"""What the fixers share: a candidate change, and the facts of the unchanged model they
choose from (which elements survive a failure, what feeds what, who runs where).

A `Candidate` is a proposal, not yet a fix: its change in the file's terms and the steps
that make it on a Topology (`edit.py`). `engine/fixes.py` keeps it only once the analysis,
run again on the changed model, confirms it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ... import graph as fg
from ...analysis import DOWN, Facts
from ...model import Host, NetworkNode, Topology
from .edit import Edit

Step = Callable[[Edit], Any]


@dataclass(frozen=True)
class Candidate:
    """A change to propose: what to write (`change`), how it changes the model, and
    whether it needs an element the description does not have yet."""

    change: str
    steps: tuple[Step, ...]
    new_element: bool = False

    def apply(self, topology: Topology) -> Topology:
        edit = Edit(topology)
        for step in self.steps:
            step(edit)
        return edit.result()


def together(parts: list[Candidate]) -> Candidate:
    """Several changes made at once, as one proposal."""
    if len(parts) == 1:
        return parts[0]
    return Candidate(
        "; ".join(p.change for p in parts),
        tuple(s for p in parts for s in p.steps),
        any(p.new_element for p in parts),
    )


def names(ids: Iterable[str], most: int = 4) -> str:
    """`a`, `a and b`, `a, b and c`, `a, b, c, d and 3 more`."""
    ids = list(ids)
    if len(ids) > most + 1:
        return f"{', '.join(ids[:most])} and {len(ids) - most} more"
    return ids[0] if len(ids) == 1 else f"{', '.join(ids[:-1])} and {ids[-1]}"


def listed(ids: Iterable[str]) -> str:
    """A list as YAML writes it inline: `[a, b]`."""
    return f"[{', '.join(ids)}]"


def suffix(a: str, b: str) -> int:
    """How many characters two ids share at their end (`pdu-b`, `ups-b`: 2)."""
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def prefix(a: str, b: str) -> int:
    """How many characters two ids share at their start (`tor-1`, `tor-2`: 4)."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _numbered(stem: str) -> Iterator[str]:
    return (f"{stem}-{n}" for n in itertools.count(2))


class Context:
    """The unchanged model as the fixers see it: `facts` of the check being fixed, and
    the options of each rule (`options[rule id]`)."""

    def __init__(self, facts: Facts, options: dict[str, dict[str, Any]]):
        self.facts = facts
        self.t = facts.topology
        self.sf = facts.single_failures
        self.options = options

    # --- what one failure does, from the single-failure sets -------------------------

    def value(self, key: str) -> frozenset[str] | None:
        """The single-failure set of a fault-graph node (DOWN for a node not in the graph)."""
        return self.sf.of(key) if key in self.sf.g.gates else DOWN

    def lost_to(self, key: str, failed: str) -> bool:
        """Up with nothing failed, and down once `failed` fails."""
        value = self.value(key)
        return value is not DOWN and failed in value

    def survives(self, key: str, failed: Iterable[str]) -> bool:
        """Up with nothing failed, and still up once any one of `failed` fails."""
        if key not in self.sf.g.gates or self.sf.value(key) is DOWN:
            return False
        failed = set(failed)  # asked of the kept set, not a copy: a node deep in a chain holds the chain
        return fg.element_of(key) not in failed and not any(self.sf.contains(key, f) for f in failed)

    def downed(self, failed: str) -> dict[str, list[str]]:
        """What `failed` alone takes down, by kind, each in the order written:
        `instances` (services whose instances it takes), `storage`, `hosts`, `usable`
        (hosts it makes unusable), `nodes`, `reach` (network nodes it cuts off), `power`,
        `cooling`, `racks`. Read from an index built once over the single-failure sets,
        so that each question costs what its answer holds, not the size of the estate."""
        return self._downs.get(failed, {})

    @cached_property
    def _downs(self) -> dict[str, dict[str, list[str]]]:
        t = self.t
        families = (
            ("instances", [(s, fg.helper(s, "instances")) for s in t.services]),
            ("storage", [(s.id, s.id) for s in t.storage.values() if s.hosts]),
            ("hosts", [(h, h) for h in t.hosts]),
            ("usable", [(h, fg.usable(h)) for h in t.hosts]),
            ("nodes", [(n, n) for n in t.network]),
            ("reach", [(n, fg.reach(n)) for n in t.network] if t.entrypoints else []),
            ("power", [(p, p) for p in t.power]),
            ("cooling", [(c, c) for c in t.cooling]),
            ("racks", [(r, r) for r in t.racks]),
        )
        out: dict[str, dict[str, list[str]]] = {}
        for family, keys in families:
            for eid, key in keys:
                for e in self.value(key) or ():
                    out.setdefault(e, {}).setdefault(family, []).append(eid)
        return out

    def fresh(self, like: str, count: int = 1, plain: bool = False) -> list[str]:
        """`count` ids no element has, named after `like` as a person would name the
        next one: `ctl-3` after `ctl-2`, `pdu-b` beside `pdu-a`, else (or `plain`)
        `like-2`, `like-3`."""
        taken = self.t.section_of
        stem, tail = like.rstrip("0123456789"), like[len(like.rstrip("0123456789")) :]
        series: Iterator[str]
        if plain:
            series = _numbered(like)
        elif tail and stem:
            numbers = (int(i[len(stem) :]) for i in taken if i.startswith(stem) and i[len(stem) :].isdigit())
            series = (f"{stem}{n}" for n in itertools.count(max(numbers, default=int(tail)) + 1))
        elif len(like) > 2 and like[-2] in "-_." and like[-1].isalpha() and like[-1].islower():
            series = itertools.chain((like[:-1] + c for c in "abcdefghijklmnopqrstuvwxyz"), _numbered(like))
        else:
            series = _numbered(like)
        return list(itertools.islice((i for i in series if i not in taken), count))

    # --- the model's layout, computed once ---------------------------------------------

    @cached_property
    def index(self) -> dict[str, int]:
        """Element id -> its place in the order written (the tie-break of every ranking)."""
        return {eid: i for i, eid in enumerate(self.t.section_of)}

    @cached_property
    def consumers(self) -> dict[str, tuple[str, ...]]:
        """What takes power, and from what: power elements (`from`), cooling units, racks,
        and the network nodes and hosts that declare `power` of their own (the others
        take their rack's, so a change is made on the rack)."""
        t = self.t
        out: dict[str, tuple[str, ...]] = {p.id: p.sources for p in t.power.values() if p.sources}
        out.update((c.id, c.power) for c in t.cooling.values() if c.power)
        out.update((r.id, r.power) for r in t.racks.values() if r.power)
        for box in self.boxes:
            if box.power and (box.rack is None or "power" in t.declared.get(box.id, ())):
                out[box.id] = box.power
        return out

    @cached_property
    def feeds(self) -> dict[str, list[str]]:
        """Power element -> the consumers that list it."""
        out: dict[str, list[str]] = {}
        for eid, inputs in self.consumers.items():
            for i in inputs:
                out.setdefault(i, []).append(eid)
        return out

    @cached_property
    def addressed(self) -> dict[str, list[str]]:
        """Host -> the services (that users need) whose clients address the instance on it."""
        out: dict[str, list[str]] = {}
        for svc in self.t.services.values():
            if svc.addresses_one and svc.hosts and self.relevant(svc.id):
                out.setdefault(svc.hosts[0], []).append(svc.id)
        return out

    @cached_property
    def fed(self) -> set[str]:
        """Power elements something takes power from; the others feed nothing."""
        used = {i for inputs in self.consumers.values() for i in inputs}
        used.update(i for box in self.boxes for i in box.power)
        return used

    @cached_property
    def boxes(self) -> list[Host | NetworkNode]:
        """Network nodes and hosts: what draws power in a rack."""
        return [*self.t.network.values(), *self.t.hosts.values()]

    def downstream(self, power: str) -> set[str]:
        """Power elements that draw from `power`, transitively (itself included)."""
        seen, stack = set(), [power]
        while stack:
            p = stack.pop()
            if p not in seen and p in self.t.power:
                seen.add(p)
                stack.extend(self.feeds.get(p, ()))
        return seen

    @cached_property
    def runs(self) -> dict[str, list[str]]:
        """Host -> the services and storage backends placed on it (hosts, pools)."""
        out: dict[str, list[str]] = {}
        for svc in self.t.services.values():
            for h in svc.hosts or svc.pool:
                out.setdefault(h, []).append(svc.id)
        for s in self.t.storage.values():
            for h in s.hosts:
                out.setdefault(h, []).append(s.id)
        return out

    @cached_property
    def links_of(self) -> dict[str, list[tuple[str, str]]]:
        """Host or network node -> (link, the element at its other end), as written."""
        out: dict[str, list[tuple[str, str]]] = {}
        for link in self.t.links.values():
            out.setdefault(link.a, []).append((link.id, link.b))
            out.setdefault(link.b, []).append((link.id, link.a))
        return out

    def cabled(self, a: str, b: str) -> bool:
        """Whether a cable joins `a` and `b`."""
        return any(other == b for _, other in self.links_of.get(a, ()))

    @cached_property
    def usable(self) -> dict[str, frozenset[str]]:
        """Host -> the elements whose failure alone makes it unusable (usable hosts only)."""
        out = {}
        for h in self.t.hosts:
            value = self.value(fg.usable(h))
            if value is not DOWN:
                out[h] = value
        return out

    def hosts_for(self, members: tuple[str, ...], avoid: Iterable[str], count: int | None = None) -> list[str]:
        """Usable hosts for new instances beside `members` (the first `count`), none of
        which an element of `avoid` takes down: the hosts that run most of what the
        members run first (a third controller, not a compute node), then those sharing
        the fewest single points with the members, then in the order written."""
        key = (members, frozenset(avoid))
        ranked = self._ranked.get(key)
        if ranked is None:
            ranked = self._ranked[key] = self._rank(members, key[1])
        return ranked if count is None else ranked[:count]

    @cached_property
    def _ranked(self) -> dict[tuple[tuple[str, ...], frozenset[str]], list[str]]:
        return {}

    def _rank(self, members: tuple[str, ...], avoid: frozenset[str]) -> list[str]:
        usable, placed = self.usable, set(members)
        together: set[str] = set()
        for m in members:
            together |= usable.get(m, frozenset())
        alongside = {s for m in members for s in self.runs.get(m, ())}
        ranked = []
        for h, value in usable.items():
            if h in placed or h in avoid or value & avoid or h in self.t.assumed:  # not a machine to use
                continue
            peers = sum(1 for s in self.runs.get(h, ()) if s in alongside)
            ranked.append((-peers, len(value & together), self.index[h], h))
        ranked.sort()
        return [h for *_, h in ranked]

    def native(self, eid: str) -> bool:
        """Whether an element is written in a native topology (or a file that is no longer
        there to say): a fix is said in the native format's terms, which a Compose file or
        a Kubernetes manifest cannot take."""
        path = self.t.where[eid].path
        if path not in self._formats:
            from ...load.discover import sniff_format

            self._formats[path] = sniff_format(Path(path), None)
        return self._formats[path] is None

    @cached_property
    def _formats(self) -> dict[str, str | None]:
        return {}

    def box(self, eid: str) -> Host | NetworkNode:
        """A host or network node (what PWR001 is about)."""
        return self.t.hosts.get(eid) or self.t.network[eid]

    def relevant(self, service: str) -> bool:
        """A user-facing service, or one a user-facing service needs."""
        return self.t.services[service].public or service in self.facts.depended_on_by_public
