"""Analysis: what the description leaves out (docs/format.md, "Unknown is not OK").

spoflint never assumes redundancy where the file is silent: it analyses what is
declared and lists each gap, so that a clean result means "checked", never "not
looked at". A service that is down with nothing failed is listed too: the description
contradicts itself (a quorum larger than the cluster, a host cut off from the network).
Rules read the list as `Facts.gaps`, one gap per element; `grouped` says them once per
kind of gap and file ("12 hosts have no power: ctl-1, ctl-2, ..."), and an element that
a reader had to assume (`Topology.assumed`) as what it is, never as a machine someone
left half-described.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from ..findings import Place
from ..model import Topology

SHOWN = 5  # ids a grouped note names before "and N more"
ENTRYPOINTS = "entrypoints"  # the subject of the note on a topology without entry points

# kind of gap -> how a group of them is said: (what has it, its consequence)
PLURAL = {
    "upstream": ("power elements have no `from`", "what feeds them was not checked"),
    "cooling-power": ("cooling units declare no power", "their power was not checked"),
    "rack-cooling": ("racks declare no cooling", "cooling failures were not checked"),
    "network-power": ("network nodes have no power (nor do their racks)", "power failures were not checked"),
    "network-links": ("network nodes have no links", "nothing reaches them"),
    "host-power": ("hosts have no power (nor do their racks)", "power failures were not checked"),
    "host-network": (
        "hosts are cabled to nothing (no `nics` or links)",
        "their network paths were not checked",
    ),
}
ASSUMED = "assumed"  # the kind of every gap of an element the files only imply
_WHAT = {"power": "power", "network": "network path"}  # of an assumed host, what was not checked


@dataclass(frozen=True, slots=True)
class Gap:
    subject: str
    key: str  # what is missing: power, network, cooling, upstream, entrypoints, never-up, a reader's key
    message: str
    at: Place | None = None  # a reader's note about a file, not an element: where it is written
    kind: str = ""  # the kind of gap `grouped` says once per file ("host-power"); "": always alone
    related: tuple[str, ...] = ()  # the other elements a grouped note names


def gaps(t: Topology, never_up: Mapping[str, str]) -> list[Gap]:
    """Each gap of the description, one per element and what it lacks, section by
    section, then the services down with nothing failed (`never_up`: service -> why,
    from the reference evaluator), then the readers' notes."""
    found: list[Gap] = []
    for p in t.power.values():
        if p.kind not in ("feed", "generator") and not p.sources:
            found.append(
                Gap(p.id, "upstream", f"{p.kind} {p.id} has no `from`: what feeds it was not checked", kind="upstream")
            )
    for c in t.cooling.values():
        if not c.power:
            found.append(
                Gap(
                    c.id,
                    "power",
                    f"cooling unit {c.id} declares no power: its power was not checked",
                    kind="cooling-power",
                )
            )
    for r in t.racks.values():
        if not r.cooling:
            found.append(
                Gap(
                    r.id,
                    "cooling",
                    f"rack {r.id} declares no cooling: cooling failures were not checked",
                    kind="rack-cooling",
                )
            )
    found += _network_gaps(t)
    found += _host_gaps(t)
    if not t.entrypoints and (t.hosts or t.network):
        # about the topology's `entrypoints`, not an element: at line 1 of the file that
        # describes the network, under the same subject whatever the file is called
        path = t.where[next(iter(t.network or t.hosts))].path
        found.append(
            Gap(
                ENTRYPOINTS,
                "entrypoints",
                "no entry points (`entrypoints:` or a network node of kind external): reachability was not checked",
                Place(ENTRYPOINTS, path, 1, 1),
            )
        )
    for service, why in never_up.items():
        found.append(Gap(service, "never-up", f"service {service} is down even with nothing failed: {why}"))
    found.extend(_reader_notes(t))
    return found


def _network_gaps(t: Topology) -> list[Gap]:
    found = []
    for n in t.network.values():
        if n.kind != "external" and not n.power:
            found.append(
                Gap(
                    n.id,
                    "power",
                    f"{n.kind} {n.id} has no power (nor does its rack): power failures were not checked",
                    kind="network-power",
                )
            )
    linked = {end for link in t.links.values() for end in (link.a, link.b)}
    for n in t.network.values():
        if n.id not in linked:
            found.append(Gap(n.id, "network", f"{n.kind} {n.id} has no links", kind="network-links"))
    return found


def _host_gaps(t: Topology) -> list[Gap]:
    """A host's missing power and network; for a host the files only imply, in those terms."""
    found = []
    for h in t.hosts.values():
        missing = []
        if not h.power:
            missing.append("power")
        if t.entrypoints and not h.links:
            missing.append("network")
        for key in missing:
            if h.id in t.assumed:
                found.append(Gap(h.id, key, _assumed_message(t, [h.id], [key]), kind=ASSUMED))
            elif key == "power":
                found.append(
                    Gap(
                        h.id,
                        key,
                        f"host {h.id} has no power (nor does its rack): power failures were not checked",
                        kind="host-power",
                    )
                )
            else:
                found.append(
                    Gap(
                        h.id,
                        key,
                        f"host {h.id} is cabled to nothing (no `nics` or links): its network path was not checked",
                        kind="host-network",
                    )
                )
    return found


def _assumed_message(t: Topology, hosts: list[str], keys: Collection[str]) -> str:
    """What is not described of hosts that the files only imply (all of one kind: the
    same `assumed` words): "k8s-node-1 (a node the manifests imply) is not described:
    its power was not checked; describe it in an overlay"."""
    what = " and ".join(_WHAT[k] for k in _WHAT if k in keys)
    was = "was" if len(keys) == 1 else "were"
    if len(hosts) == 1:
        return f"{t.describe(hosts[0])} is not described: its {what} {was} not checked; describe it in an overlay"
    return (
        f"{len(hosts)} hosts are not described: {_some(hosts)} (each {t.assumed[hosts[0]]}); "
        f"their {what} {was} not checked; describe them in an overlay"
    )


def _some(ids: list[str]) -> str:
    """The first few ids, and how many more."""
    shown = ", ".join(ids[:SHOWN])
    return shown + (f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else "")


def grouped(t: Topology, found: list[Gap], alone: Collection[str] = ()) -> list[Gap]:
    """The gaps as MODEL001 says them: each kind of gap once per file, on the element of
    that kind written first there, with a count and the first few ids; the gaps of the
    elements in `alone` (those that accept the rule: each acceptance matches its own
    note) and those of no kind (entry points, never-up services, readers' notes) one by
    one. The key stays what is missing (`power`, ...; `assumed` for the hosts the files
    only imply), so a grouped note's fingerprint is (rule, file, first element, what is
    missing): it does not change as elements join or leave the group behind the first."""
    groups: dict[tuple[str, str, str], list[Gap]] = {}
    order: list[Gap | tuple[str, str, str]] = []  # a gap said alone, or where a group's first gap was
    for gap in found:
        if not gap.kind or gap.subject in alone or gap.at is not None:
            order.append(gap)
            continue
        group = (gap.kind, source(t.where[gap.subject].path), t.assumed.get(gap.subject, ""))
        if group not in groups:
            groups[group] = []
            order.append(group)
        groups[group].append(gap)
    return [item if isinstance(item, Gap) else _said(t, groups[item]) for item in order]


def source(path: str) -> str:
    """Where an element was read from, as notes are grouped: its file, or for an object
    of its own page on a server (NetBox's `https://host/dcim/devices/12/`) the server."""
    scheme, sep, rest = path.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}/" if sep else path


def _said(t: Topology, members: list[Gap]) -> Gap:
    """One note for a group of gaps of one kind in one file."""
    order = {eid: i for i, eid in enumerate(dict.fromkeys(g.subject for g in members))}
    where = t.where
    ids = sorted(order, key=lambda e: (where[e].line, where[e].column, order[e]))
    first = members[0]
    if first.kind == ASSUMED:
        keys = {g.key for g in members}
        return Gap(ids[0], ASSUMED, _assumed_message(t, ids, keys), kind=ASSUMED, related=tuple(ids[1:SHOWN]))
    if len(ids) == 1:
        return first
    has, consequence = PLURAL[first.kind]
    message = f"{len(ids)} {has}: {_some(ids)}; {consequence}"
    return Gap(ids[0], first.key, message, kind=first.kind, related=tuple(ids[1:SHOWN]))


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
