"""The kinds of fix each rule's findings get, best first (`PROPOSERS`): which fixers a
finding calls, with what. Each yields candidates; `engine/fixes.py` verifies them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ...findings import Finding, fingerprint
from .context import Candidate, Context, together
from .moves import move_out
from .network import recable, switch_twin
from .placement import add_instances, add_storage_hosts, add_to_pool, instances_to_add, spread_out
from .power import alternatives, inputs_candidate, power_twin, recool, repower
from .settings import (
    data_on_storage,
    fewer_members,
    pool_replicas,
    spread,
    storage_minimum,
    storage_replicas,
    vip,
)

Proposer = Callable[[Context, Finding], Iterator[Candidate | None]]


def _first_addressed(ctx: Context, failed: str) -> list[Candidate | None]:
    """A `vip` for every service whose clients address one instance that `failed`
    takes down (while others would still serve)."""
    down = ctx.downed(failed)
    taken = set(down.get("instances", ()))
    return [vip(ctx, s) for h in down.get("usable", ()) for s in ctx.addressed.get(h, ()) if s not in taken]


def _placed(ctx: Context, failed: str, skip: int = 0, new: bool = False) -> Candidate | None:
    """More instances outside `failed`, and a `vip` where clients address the one it takes."""
    parts = _first_addressed(ctx, failed)
    services_hit = spread_out(ctx, failed, skip, new)
    if services_hit is not None:
        parts.append(services_hit)
    if not parts or any(p is None for p in parts):
        return None
    return together([p for p in parts if p is not None])


def spof001(ctx: Context, finding: Finding) -> Iterator[Candidate | None]:
    """What the failing element takes down is given another way: a second input in the
    power and cooling chains, a second cable, a member moved out of the rack, instances
    elsewhere; a new element beside it when nothing that exists survives it."""
    e = finding.subject
    section = ctx.t.section_of[e]
    if section == "power":
        yield from repower(ctx, e)
    if section == "racks":
        yield move_out(ctx, e)
    if section in ("power", "cooling", "zones"):
        yield from recool(ctx, e)
    if section in ("power", "racks", "zones", "network", "links"):
        yield from recable(ctx, e)
    yield _placed(ctx, e)
    yield _placed(ctx, e, skip=1)
    yield from power_twin(ctx, e)
    yield from switch_twin(ctx, e)
    yield _placed(ctx, e, new=True)


def spof002(ctx: Context, finding: Finding) -> Iterator[Candidate | None]:
    """A second copy for every data holder whose only copy the host keeps."""
    h = finding.subject
    point = ctx.facts.single_points.get(h)
    if point is None:
        return
    parts = []
    for holder in point.data:
        if holder in ctx.t.storage:
            s = ctx.t.storage[holder]
            if "replicas" in ctx.t.declared.get(holder, ()) and len(s.hosts) > 1:
                parts.append(storage_replicas(ctx, holder, 2))
            else:
                parts.append(add_storage_hosts(ctx, holder, h) or add_storage_hosts(ctx, holder, h, new=True))
            continue
        svc = ctx.t.services[holder]
        if svc.ha == "active-active" and svc.hosts:
            extra = instances_to_add(ctx, holder, None)
            more = extra and (
                add_instances(ctx, holder, None, extra) or add_instances(ctx, holder, None, extra, new=True)
            )
            parts.append(more or None)
        elif svc.pool:
            parts.append(add_to_pool(ctx, holder, h) or add_to_pool(ctx, holder, h, new=True))
        else:
            parts.append(data_on_storage(ctx, holder, h))
    if parts and all(p is not None for p in parts):
        yield together([p for p in parts if p is not None])


def svc001(ctx: Context, finding: Finding) -> Iterator[Candidate | None]:
    """A second instance (or as many as its quorum needs)."""
    svc = ctx.t.services[finding.subject]
    if svc.hosts:
        extra = instances_to_add(ctx, svc.id, None)
        if extra:
            yield add_instances(ctx, svc.id, None, extra)
            yield add_instances(ctx, svc.id, None, extra, skip=1)
            yield add_instances(ctx, svc.id, None, extra, new=True)
    else:
        yield add_to_pool(ctx, svc.id, None)
        yield add_to_pool(ctx, svc.id, None, new=True)


def svc002(ctx: Context, finding: Finding) -> Iterator[Candidate | None]:
    """Instances apart: `spread: host`, a pool host in another group, an instance on a
    host that shares none of the shared elements, or those elements given a second path."""
    svc = ctx.t.services.get(finding.subject)
    if svc is None:  # a storage backend's hosts in one failure domain: no fix proposed yet
        return
    if svc.pool and svc.spread is None:
        for level in ("host", "rack", "zone"):
            yield spread(ctx, svc.id, level)
        return
    if svc.pool:
        yield add_to_pool(ctx, svc.id, None)
        return
    shared = ctx.facts.shared_fate.get(svc.id, ())
    if not shared:
        return
    yield add_instances(ctx, svc.id, None, 1, avoid=set(shared))
    for e in shared[:2]:
        if e in ctx.t.power:
            yield from repower(ctx, e)
        elif e in ctx.t.network or e in ctx.t.links:
            yield from recable(ctx, e)


def svc004(ctx: Context, finding: Finding) -> Iterator[Candidate | None]:
    """A floating VIP; a second instance first where there is one."""
    lb = ctx.t.services[finding.subject]
    if lb.replicas > 1:
        yield vip(ctx, lb.id)
        return
    if lb.hosts:
        options = [add_instances(ctx, lb.id, None, 1), add_instances(ctx, lb.id, None, 1, new=True)]
    else:
        options = [add_to_pool(ctx, lb.id, None), add_to_pool(ctx, lb.id, None, new=True)]
    address = vip(ctx, lb.id, instances=2) if lb.vip is None and lb.access == "single" else None
    for more in options:
        yield together([more, address]) if more is not None and address is not None else more


def state002(ctx: Context, finding: Finding) -> Iterator[Candidate | None]:
    """Members up to the smallest odd number the rule accepts."""
    svc = ctx.t.services[finding.subject]
    smallest = ctx.options.get("STATE002", {}).get("min_members", 3)
    target = max(smallest, svc.replicas + 1)
    target += 1 - target % 2  # odd
    if svc.hosts:
        yield add_instances(ctx, svc.id, None, target - svc.replicas)
        yield add_instances(ctx, svc.id, None, target - svc.replicas, skip=1)
    else:
        yield pool_replicas(ctx, svc.id, target)
    if svc.replicas % 2 == 0 and svc.replicas > smallest:  # one member fewer survives as many failures
        yield fewer_members(ctx, svc.id)
    if svc.hosts:
        yield add_instances(ctx, svc.id, None, target - svc.replicas, new=True)


def state005(ctx: Context, finding: Finding) -> Iterator[Candidate | None]:
    """Hosts, `replicas` or `min_replicas`, by what the finding is about."""
    s = ctx.t.storage[finding.subject]
    key = next((k for k in ("hosts", "replicas", "min_replicas") if _is(finding, k)), None)
    wanted = ctx.options.get("STATE005", {}).get("min_replicas", 3) if s.kind == "ceph" else 2
    if key == "min_replicas":
        yield storage_minimum(ctx, s.id, 2)
        more = storage_replicas(ctx, s.id, max(wanted, s.replicas + 1))
        least = storage_minimum(ctx, s.id, 2, replicas=max(wanted, s.replicas + 1))
        if more is not None and least is not None:
            yield together([more, least])
    elif key == "hosts" and s.kind != "ceph":
        yield add_storage_hosts(ctx, s.id, s.hosts[0])
        yield add_storage_hosts(ctx, s.id, s.hosts[0], new=True)
    elif key in ("hosts", "replicas"):
        yield storage_replicas(ctx, s.id, wanted)


def net001(ctx: Context, finding: Finding) -> Iterator[Candidate | None]:
    """A cable to a second network node that survives the first; a new one beside it."""
    h = ctx.t.hosts[finding.subject]
    ends = {ctx.t.links[lid].b if ctx.t.links[lid].a == h.id else ctx.t.links[lid].a for lid in h.links}
    if len(ends) != 1:
        return
    (node,) = ends
    yield from recable(ctx, node, hosts=[h.id])
    yield from switch_twin(ctx, node, hosts=[h.id])


def pwr001(ctx: Context, finding: Finding) -> Iterator[Candidate | None]:
    """The paths made independent where they converge (nearest first), or a second
    input that none of the convergence points feeds."""
    box = finding.subject
    common = ctx.facts.power_convergence(box)
    path = _power_path(ctx, box)
    for e in sorted(common, key=lambda p: (path.get(p, len(path)), ctx.index[p])):
        yield from repower(ctx, e, within=set(path) | {box, ctx.box(box).rack or box})
    yield from _second_input(ctx, box, set(common))


def _power_path(ctx: Context, box: str) -> dict[str, int]:
    """Power elements a box draws from -> how many steps up they are."""
    depth: dict[str, int] = {}
    level, step = list(ctx.box(box).power), 0
    while level:
        nxt: list[str] = []
        for p in level:
            if p not in depth and p in ctx.t.power:
                depth[p] = step
                nxt.extend(ctx.t.power[p].sources)
        level, step = nxt, step + 1
    return depth


def _second_input(ctx: Context, box: str, failed: set[str]) -> Iterator[Candidate]:
    element = ctx.box(box)
    consumer = box if box in ctx.consumers else element.rack
    if consumer is None or consumer not in ctx.consumers:
        return
    own = ctx.consumers[consumer]
    kind = ctx.t.power[own[0]].kind if own[0] in ctx.t.power else None
    for alt in alternatives(ctx, consumer, failed, kind):
        yield inputs_candidate(ctx, consumer, (*own, alt), own, alt)


def _is(finding: Finding, key: str) -> bool:
    """Whether a finding is the one its rule reports with `key` (a fingerprint's part)."""
    return fingerprint(finding.rule, finding.path, finding.subject, key) == finding.fingerprint


PROPOSERS: dict[str, Proposer] = {
    "SPOF001": spof001,
    "SPOF002": spof002,
    "SVC001": svc001,
    "SVC002": svc002,
    "SVC004": svc004,
    "STATE002": state002,
    "STATE005": state005,
    "NET001": net001,
    "PWR001": pwr001,
}
