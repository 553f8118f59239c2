"""Fixes in the power and cooling chains: feed a PDU from the other UPS, power a rack
from a second PDU, cool a rack with a second unit; or, when no element that survives
the failure exists, add one beside the failing element.

A consumer is lost to an element when every one of its inputs is that element or fails
with it (an `any` gate whose inputs all go at once: "pdu-a and pdu-b are both fed only
by ups-a"). The fix gives it an input that survives: an existing one where there is,
preferring one that feeds nothing (an idle UPS is most likely the one the file meant),
then one of the kind it replaces, then one whose id matches (`pdu-b` with `ups-b`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from .context import Candidate, Context, listed, names, suffix
from .edit import Edit, new_cooling, new_power, set_cooling, set_power, set_sources

PER_CONSUMER = 3  # alternatives tried per consumer
CONSUMERS = 12  # consumers looked at per failing element


def _set_inputs(edit: Edit, eid: str, inputs: tuple[str, ...]) -> None:
    if eid in edit.base.power:
        set_sources(edit, eid, inputs)
    else:
        set_power(edit, eid, inputs)


def inputs_candidate(ctx: Context, consumer: str, inputs: tuple[str, ...], old: tuple[str, ...], new: str) -> Candidate:
    """`feed pdu-b from ups-b instead of ups-a (`from: [ups-b]`)`, `also power r1 from pdu-b (...)`."""
    verb, key = ("feed", "from") if consumer in ctx.t.power else ("power", "power")
    replaced = [i for i in old if i not in inputs]
    if replaced:
        change = f"{verb} {consumer} from {new} instead of {names(replaced)} (`{key}: {listed(inputs)}`)"
    else:
        change = f"also {verb} {consumer} from {new} (`{key}: {listed(inputs)}`)"
    return Candidate(change, (partial(_set_inputs, eid=consumer, inputs=inputs),))


def lost_consumers(ctx: Context, failed: str, within: set[str] | None = None) -> list[str]:
    """Consumers whose every power input is `failed` or fails with it: the ones fed by it
    directly first, then power elements, cooling, racks and boxes, each in the order written."""
    order = {"power": 0, "cooling": 1, "racks": 2, "network": 3, "hosts": 3}
    lost = {failed, *ctx.downed(failed).get("power", ())}
    near = {c for i in lost for c in ctx.feeds.get(i, ())}  # consumers of something lost
    found = []
    for eid in near:
        inputs = ctx.consumers[eid]
        if within is not None and eid not in within:
            continue
        if eid != failed and all(i in lost for i in inputs):
            found.append((failed not in inputs, order[ctx.t.section_of[eid]], ctx.index[eid], eid))
    return [eid for *_, eid in sorted(found)]


def alternatives(ctx: Context, consumer: str, failed: set[str], kind: str | None) -> list[str]:
    """Power elements of `kind` (any kind when None) that `consumer` could draw from and
    that survive `failed`, best first: a PDU is replaced by a PDU, not by the feed
    behind it."""
    inputs = ctx.consumers[consumer]
    below = ctx.downstream(consumer) if consumer in ctx.t.power else set()  # once per consumer, not per candidate
    ranked = []
    for p in ctx.t.power.values():
        if p.id in inputs or p.id == consumer or (kind is not None and p.kind != kind):
            continue
        if p.id in below or not ctx.survives(p.id, failed):
            continue  # it would feed itself, or it fails too
        ranked.append((p.id in ctx.fed, p.kind != kind, -suffix(consumer, p.id), ctx.index[p.id], p.id))
    return [p for *_, p in sorted(ranked)[:PER_CONSUMER]]


def repower(ctx: Context, failed: str, within: set[str] | None = None) -> Iterator[Candidate]:
    """Give what `failed` powers (alone or through others) an input that survives it.
    Where `failed` feeds power elements, one of them fed from elsewhere is usually
    enough (what they feed draws from both); where it powers boxes, racks or cooling
    units directly, every one of them needs the second input."""
    consumers = lost_consumers(ctx, failed, within)[:CONSUMERS]
    if not consumers:
        return
    kind = ctx.t.power[failed].kind if failed in ctx.t.power else None
    direct = [c for c in consumers if failed in ctx.consumers[c]]
    singles = []
    for c in consumers:
        own = ctx.consumers[c]
        wanted = kind if c in direct else (ctx.t.power[own[0]].kind if own[0] in ctx.t.power else None)
        for rank, alt in enumerate(alternatives(ctx, c, {failed}, wanted)):
            idle = alt not in ctx.fed
            inputs = tuple(alt if i == failed else i for i in own) if idle and c in direct else (*own, alt)
            key = (not idle, c not in direct, rank, -suffix(c, alt), ctx.index[c])
            singles.append((key, inputs_candidate(ctx, c, inputs, own, alt)))
    singles.sort(key=lambda pair: pair[0])
    group = _group(ctx, failed, direct) if len(direct) > 1 else None
    ends = direct and all(c not in ctx.t.power for c in direct)
    if group and ends:
        yield group
    yield from (c for _, c in singles)
    if group and not ends:
        yield group


def _group(ctx: Context, failed: str, direct: list[str]) -> Candidate | None:
    """Every consumer `failed` feeds directly, given the same second input."""
    common = None
    for c in direct:
        options = alternatives(ctx, c, {failed}, ctx.t.power[failed].kind if failed in ctx.t.power else None)
        common = options if common is None else [o for o in common if o in options]
    if not common:
        return None
    alt = common[0]
    steps = tuple(partial(_set_inputs, eid=c, inputs=(*ctx.consumers[c], alt)) for c in direct)
    verb = "feed" if all(c in ctx.t.power for c in direct) else "power"
    return Candidate(f"also {verb} {names(direct)} from {alt}", steps)


def power_twin(ctx: Context, failed: str) -> Iterator[Candidate]:
    """A new power element beside `failed` (its kind, zone and sources), as a second
    input of everything `failed` feeds directly and alone takes down."""
    if failed not in ctx.t.power:
        return
    direct = [c for c in lost_consumers(ctx, failed) if failed in ctx.consumers[c]][:CONSUMERS]
    if not direct:
        return
    p = ctx.t.power[failed]
    twin = ctx.fresh(failed)[0]

    def make(edit: Edit) -> None:
        new_power(edit, failed, twin)
        for c in direct:
            _set_inputs(edit, c, (*edit_inputs(edit, c), twin))

    source = f", `from: {listed(p.sources)}`" if p.sources else ""
    verb = "feed" if all(c in ctx.t.power for c in direct) else "power"
    yield Candidate(
        f"add a second {p.kind} {twin} beside {failed} (`kind: {p.kind}`{source}) and also {verb} {names(direct)} from it",
        (make,),
        new_element=True,
    )


def edit_inputs(edit: Edit, eid: str) -> tuple[str, ...]:
    element = edit.get(edit.base.section_of[eid], eid)
    return element.sources if eid in edit.base.power else element.power


# --- cooling --------------------------------------------------------------------------


def lost_racks(ctx: Context, failed: str) -> list[str]:
    """Racks whose every cooling unit is `failed` or fails with it."""
    lost = {failed, *ctx.downed(failed).get("cooling", ())}
    return [r.id for r in ctx.t.racks.values() if r.cooling and r.id != failed and all(u in lost for u in r.cooling)]


def recool(ctx: Context, failed: str) -> Iterator[Candidate]:
    """Cool the racks `failed` leaves without cooling with a unit that survives it."""
    racks = lost_racks(ctx, failed)
    if not racks:
        return
    used = {u for r in ctx.t.racks.values() for u in r.cooling}
    zones = {ctx.t.racks[r].zone for r in racks}
    ranked = sorted(
        (u.id in used, u.zone not in zones, ctx.index[u.id], u.id)
        for u in ctx.t.cooling.values()
        if ctx.survives(u.id, {failed})
    )
    for *_, unit in ranked[:PER_CONSUMER]:
        steps = tuple(partial(_add_cooling, rack=r, unit=unit) for r in racks)
        shown = f" (`cooling: {listed((*ctx.t.racks[racks[0]].cooling, unit))}`)" if len(racks) == 1 else ""
        yield Candidate(f"also cool {names(racks)} with {unit}{shown}", steps)
    if failed in ctx.t.cooling:
        twin = ctx.fresh(failed)[0]

        def make(edit: Edit) -> None:
            new_cooling(edit, failed, twin)
            for r in racks:
                _add_cooling(edit, r, twin)

        model = ctx.t.cooling[failed]
        power = f" (`power: {listed(model.power)}`)" if model.power else ""
        yield Candidate(
            f"add a second cooling unit {twin} beside {failed}{power} and also cool {names(racks)} with it",
            (make,),
            new_element=True,
        )


def _add_cooling(edit: Edit, rack: str, unit: str) -> None:
    set_cooling(edit, rack, (*edit.get("racks", rack).cooling, unit))
