"""Analysis: what the description leaves out (docs/format.md, "Unknown is not OK").

spoflint never assumes redundancy where the file is silent: it analyses what is
declared and lists each gap once, so that a clean result means "checked", never "not
looked at". A service that is down with nothing failed is listed too: the description
contradicts itself (a quorum larger than the cluster, a host cut off from the network).
Rules read the list as `Facts.gaps`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..findings import Place
from ..model import Topology


@dataclass(frozen=True, slots=True)
class Gap:
    subject: str
    key: str  # what is missing: power, network, cooling, upstream, entrypoints, never-up, a reader's key
    message: str
    at: Place | None = None  # a reader's note about a file, not an element: where it is written


def gaps(t: Topology, never_up: Mapping[str, str]) -> list[Gap]:
    """Each gap of the description, section by section, then the services down with
    nothing failed (`never_up`: service -> why, from the reference evaluator)."""
    found: list[Gap] = []
    for p in t.power.values():
        if p.kind not in ("feed", "generator") and not p.sources:
            found.append(Gap(p.id, "upstream", f"{p.kind} {p.id} has no `from`: what feeds it was not checked"))
    for c in t.cooling.values():
        if not c.power:
            found.append(Gap(c.id, "power", f"cooling unit {c.id} declares no power: its power was not checked"))
    for r in t.racks.values():
        if not r.cooling:
            found.append(Gap(r.id, "cooling", f"rack {r.id} declares no cooling: cooling failures were not checked"))
    for n in t.network.values():
        if n.kind == "external":
            continue
        if not n.power:
            found.append(
                Gap(n.id, "power", f"{n.kind} {n.id} has no power (nor does its rack): power failures were not checked")
            )
    linked = {end for link in t.links.values() for end in (link.a, link.b)}
    for n in t.network.values():
        if n.id not in linked:
            found.append(Gap(n.id, "network", f"{n.kind} {n.id} has no links"))
    for h in t.hosts.values():
        if not h.power:
            found.append(
                Gap(h.id, "power", f"host {h.id} has no power (nor does its rack): power failures were not checked")
            )
        if t.entrypoints and not h.links:
            found.append(
                Gap(
                    h.id,
                    "network",
                    f"host {h.id} is cabled to nothing (no `nics` or links): its network path was not checked",
                )
            )
    if not t.entrypoints and (t.hosts or t.network):
        first = next(iter(t.network or t.hosts))
        found.append(
            Gap(
                first,
                "entrypoints",
                "no entry points (`entrypoints:` or a network node of kind external): reachability was not checked",
            )
        )
    for service, why in never_up.items():
        found.append(Gap(service, "never-up", f"service {service} is down even with nothing failed: {why}"))
    found.extend(_reader_notes(t))
    return found


def _reader_notes(t: Topology) -> list[Gap]:
    """What the readers of foreign files could not read or see: on the element a note is
    about, else at its place in the file (the subject is then the file's path)."""
    out = []
    for note in t.notes:
        if note.subject is not None and note.subject in t.where:
            out.append(Gap(note.subject, note.key, note.message))
        else:
            at = Place(note.path, note.path, note.line, note.column)
            out.append(Gap(note.path, note.key, note.message, at))
    return out
