"""Fixes that move hosts: a rack that holds too many members of one cluster gives one of
them to another rack (`move ctl-2 to rack r2`), with the cables it then needs, and the
hosts that hang off a switch in that rack are cabled to one outside it.

Moving is smaller than adding where a rack holds a majority: a Galera cluster with two
of its three members in rack r1 needs two more members outside r1 to survive it, or one
of the two moved out. A moved host takes the power of its new rack (unless it declares
its own) and keeps its cables; where none of them leads out of the old rack's reach, it
is cabled to a switch that survives the rack, in its new rack first.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from ... import graph as fg
from .context import Candidate, Context, names
from .edit import Edit, add_link
from .network import cut_hosts
from .placement import hit

MOVES = 3  # hosts moved by one fix at most


def _set_rack(edit: Edit, host: str, rack: str) -> None:
    """A host's `rack`, and with it the rack's power unless it declares its own."""
    h = edit.get("hosts", host)
    power = h.power if "power" in edit.declared(host) else edit.get("racks", rack).power
    edit.put("hosts", replace(h, rack=rack, power=power))
    edit.declare(host, "rack")


def _cable(edit: Edit, hosts: tuple[str, ...], end: str) -> None:
    for h in hosts:
        add_link(edit, h, end)


def _deficits(ctx: Context, services: list[str], lost: dict[str, set[str]], spared: set[str]) -> dict[str, int]:
    """Per service: how many more of its members must survive the rack."""
    out = {}
    for s in services:
        svc = ctx.t.services[s]
        standing = len(svc.hosts) - len(lost[s] - spared)
        out[s] = max(0, svc.need - standing)
    return out


def move_out(ctx: Context, failed: str) -> Candidate | None:
    """Members moved out of rack `failed`, and cables for what it cuts off, until every
    service whose instances it takes down keeps enough of them."""
    t = ctx.t
    if failed not in t.racks:
        return None
    services, _ = hit(ctx, failed)
    racks = [r for r in t.racks if r != failed and ctx.survives(r, {failed})]
    if not services or not racks or any(not t.services[s].hosts for s in services):
        return None
    cut = cut_hosts(ctx, failed)
    moved = _to_move(ctx, failed, services, cut)
    if moved is None:
        return None
    members = {h for s in services for h in t.services[s].hosts}
    target = min(racks, key=lambda r: (sum(1 for h in members if t.hosts[h].rack == r), ctx.index[r]))
    steps = [partial(_set_rack, host=h, rack=target) for h in moved]
    said = [f"move {h} to rack {target} (`rack: {target}`)" for h in moved]
    stranded = [*(h for h in moved if not _leads_out(ctx, h, failed)), *cut]
    if stranded:
        end = _switch(ctx, failed, target, stranded)
        if end is None:
            return None
        steps.append(partial(_cable, hosts=tuple(stranded), end=end))
        whose = "its" if len(stranded) == 1 else "their"
        said.append(f"cable {names(stranded)} to {end} (add {end} to {whose} `nics`)")
    return Candidate("; ".join(said), tuple(steps))


def _to_move(ctx: Context, failed: str, services: list[str], cut: list[str]) -> list[str] | None:
    """The hosts of rack `failed` to move out (those in the most clusters still short of
    members first, the last written first), or None when MOVES do not suffice."""
    t = ctx.t
    lost = {s: {h for h in t.services[s].hosts if ctx.lost_to(fg.usable(h), failed)} for s in services}
    inside = [h for h in reversed(t.hosts) if t.hosts[h].rack == failed]
    moved: list[str] = []
    while True:
        short = {s for s, d in _deficits(ctx, services, lost, {*cut, *moved}).items() if d}
        if not short:
            return moved
        free = [h for h in inside if h not in moved]
        choice = max(free, key=lambda h: sum(1 for s in short if h in lost[s]), default=None)
        if choice is None or not any(choice in lost[s] for s in short) or len(moved) == MOVES:
            return None
        moved.append(choice)


def _leads_out(ctx: Context, host: str, failed: str) -> bool:
    """Whether one of a host's cables leads to a network node that survives `failed`."""
    return any(ctx.survives(fg.reach(end), {failed}) for _, end in ctx.links_of.get(host, ()) if end in ctx.t.network)


def _switch(ctx: Context, failed: str, rack: str, hosts: list[str]) -> str | None:
    """A network node of the kind the hosts are cabled to that survives `failed` and none
    of them is cabled to yet, in `rack` first."""
    t = ctx.t
    kinds = {t.network[end].kind for h in hosts for _, end in ctx.links_of.get(h, ()) if end in t.network}
    ranked = sorted(
        (n.rack != rack, ctx.index[n.id], n.id)
        for n in t.network.values()
        if n.kind in kinds
        and ctx.survives(fg.reach(n.id), {failed})
        and not any(ctx.cabled(h, n.id) or f"{h}--{n.id}" in t.section_of for h in hosts)
    )
    return ranked[0][-1] if ranked else None
