"""Fixes in the network: cable a host to a second switch, a switch to a second router,
a second cable beside a lone one; or a new switch beside the failing one.

What a failure cuts off is read from the single-failure sets: a host that stays up but
is no longer usable, a network node that stays up but is no longer reachable. The other
end of a new cable must itself survive the failure; among those, the fix prefers one of
the kind the host or node is cabled to already, in the same rack (the second switch of
a rack), then one whose id reads like the failing one's (`tor-1`, `tor-2`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from ... import graph as fg
from .context import Candidate, Context, names, prefix
from .edit import Edit, add_link, new_network_node

ENDS = 3  # network nodes tried as the other end of new cables


def cut_hosts(ctx: Context, failed: str) -> list[str]:
    """Hosts that carry something and survive `failed` but lose the network with it."""
    down = ctx.downed(failed)
    gone = set(down.get("hosts", ()))
    return [h for h in down.get("usable", ()) if h != failed and h not in gone and h in ctx.runs]


def cut_nodes(ctx: Context, failed: str) -> list[str]:
    """Network nodes that survive `failed` but lose every path to the entry points, and
    are next to what `failed` takes down (where a new cable goes)."""
    t = ctx.t
    if not t.entrypoints:
        return []
    down = ctx.downed(failed)
    gone = set(down.get("nodes", ()))
    cut = [n for n in down.get("reach", ()) if n != failed and n not in gone]
    return [n for n in cut if _neighbour(ctx, n, failed) is not None]


def _ends(ctx: Context, failed: str, like: str | None, near: str | None, skip: set[str]) -> list[str]:
    """Network nodes of the kind of `like` (a switch for a switch) that stay reachable
    when `failed` fails, best first: in rack `near`, with an id close to `like`'s."""
    t = ctx.t
    kind = t.network[like].kind if like in t.network else None
    ranked = []
    for n in t.network.values():
        if n.id == failed or n.id in skip or n.kind != kind and (kind is not None or n.kind == "external"):
            continue
        if not ctx.survives(fg.reach(n.id), {failed}):
            continue
        ranked.append((near is None or n.rack != near, -prefix(n.id, like or ""), ctx.index[n.id], n.id))
    return [n for *_, n in sorted(ranked)[:ENDS]]


def _cable(edit: Edit, ends: tuple[tuple[str, str], ...]) -> None:
    for a, b in ends:
        add_link(edit, a, b)


def recable(ctx: Context, failed: str, hosts: list[str] | None = None) -> Iterator[Candidate]:
    """Cable what `failed` cuts off to a network node that survives it: the network
    nodes next to the cut first (one uplink mends what hangs below it), then the hosts
    (`hosts`: those only)."""
    t = ctx.t
    if hosts is None:
        yield from _uplinks(ctx, failed)
        if failed in t.links and t.links[failed].a in t.network and t.links[failed].b in t.network:
            yield _second_cable(ctx, failed)
        hosts = cut_hosts(ctx, failed)
    if not hosts:
        return
    first = hosts[0]
    current = [other for _, other in ctx.links_of.get(first, ())]
    like = failed if failed in t.network else (current[0] if current else None)
    for end in _ends(ctx, failed, like, t.hosts[first].rack, set()):
        pairs = tuple((h, end) for h in hosts if not ctx.cabled(h, end) and f"{h}--{end}" not in t.section_of)
        if len(pairs) == len(hosts):
            whose = "its" if len(pairs) == 1 else "their"
            yield Candidate(
                f"cable {names(hosts)} to {end} (add {end} to {whose} `nics`)", (partial(_cable, ends=pairs),)
            )


def _uplinks(ctx: Context, failed: str) -> Iterator[Candidate]:
    """The network nodes `failed` cuts off, cabled to one that survives it."""
    t = ctx.t
    nodes = cut_nodes(ctx, failed)
    if not nodes:
        return
    like = failed if failed in t.network else _neighbour(ctx, nodes[0], failed)
    for end in _ends(ctx, failed, like, None, set(nodes)):
        pairs = tuple((n, end) for n in nodes if not ctx.cabled(n, end))
        if pairs and all(f"{a}--{b}" not in t.section_of for a, b in pairs):
            yield Candidate(f"cable {names(n for n, _ in pairs)} to {end}", (partial(_cable, ends=pairs),))


def _neighbour(ctx: Context, node: str, failed: str) -> str | None:
    """The network node next to `node` that `failed` takes down (or cuts the cable to)."""
    for lid, other in ctx.links_of.get(node, ()):
        if other in ctx.t.network and (lid == failed or other == failed or ctx.lost_to(other, failed)):
            return other
    return None


def _second_cable(ctx: Context, link: str) -> Candidate:
    a, b = ctx.t.links[link].a, ctx.t.links[link].b
    name = ctx.fresh(f"{a}--{b}", plain=True)[0]

    def make(edit: Edit) -> None:
        add_link(edit, a, b, name=name)

    return Candidate(f"add a second cable between {a} and {b} (`{{between: [{a}, {b}], name: {name}}}`)", (make,))


def switch_twin(ctx: Context, failed: str, hosts: list[str] | None = None) -> Iterator[Candidate]:
    """A new network node beside `failed` (its kind, rack, power and cables to other
    network nodes), with the hosts it cuts off (or `hosts`) cabled to it."""
    if failed not in ctx.t.network:
        return
    if hosts is None:  # the hosts cabled to it that it cuts off (the others hang below other nodes)
        hosts = [h for h in cut_hosts(ctx, failed) if ctx.cabled(h, failed)]
    node = ctx.t.network[failed]
    twin = ctx.fresh(failed)[0]

    def make(edit: Edit) -> None:
        new_network_node(edit, failed, twin)
        for h in hosts:
            add_link(edit, h, twin)

    where = f" in {node.rack}" if node.rack else ""
    cabled = f", and cable {names(hosts)} to it" if hosts else ""
    yield Candidate(
        f"add a second {node.kind} {twin}{where}, cabled and powered as {failed} is{cabled}", (make,), new_element=True
    )
