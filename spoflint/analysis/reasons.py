"""The whole reason: the redundant inputs one failure takes out together.

A chain (`ups-a -> pdu-a -> crac-1 -> rack-1 -> ...`) shows one path through the
fault graph; where that path crosses an `any` or `k-of-n` gate, the failure had to take
out several of the gate's inputs at once, and the chain names only one of them. For a
failed element X, `lost_together` walks the fault graph from what X takes down back to
X, following at an `all` gate the one input the chain follows and at an `any` or
`k-of-n` gate every input X takes out, and returns, deepest first, each such gate's lost
inputs as a `LostGroup`, in the description's terms: a host for `h#ok`, the network
node at the other end of a link for `lid#via`, the host a spread group loses for
`svc#rack:r1`.

A group says how its members hang on what failed (`pdu-a and pdu-b are both fed only
by ups-a`): each `Reason` is read from the description (a rack, a zone, a sole power
input, source or cooling unit, the one switch a host is cabled to) or, for a network
node, from the single-failure sets (every path to it crosses that vertex), and names an
element that X takes down, so that it holds exactly. `describe` words a group;
`spoflint check` and `spoflint simulate` (analysis/simulation.py builds its groups from
the reference evaluator) say it alike.

It runs only for the single points that become findings, each once: a walk over the
part of the graph that X takes down, within a budget of nodes per element. Past `LONG`
steps to first inputs in a row, it crosses the rest of such a run by bisection (runs.py):
a long chain of PDUs or of services then costs each of its findings a few steps.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .. import graph as fg
from ..model import Topology
from .runs import LONG, nested
from .single import DOWN, SingleFailures

BUDGET = 20_000  # fault-graph nodes one element's walk may visit (groups past it are left out)

# how a member hangs on an element, worded (`failed` and `unreachable` name no element)
PHRASES = {
    "in": "in",
    "fed": "fed only by",
    "powered": "powered only by",
    "cooled": "cooled only by",
    "cabled": "cabled only to",
    "reachable": "reachable only through",
    "failed": "failed",
    "unreachable": "unreachable",
}


class Reason(NamedTuple):
    """Some members of a group and why they are lost: `relation` (a key of PHRASES) to
    `cause`, an element the failure takes down (None for `failed`, `unreachable`)."""

    relation: str
    cause: str | None
    members: tuple[str, ...]
    through: tuple[str, str] | None = None  # (relation, failed element) of a cause that did not fail itself


@dataclass(frozen=True, slots=True)
class LostGroup:
    """Inputs of one `any` or `k-of-n` gate that fail together."""

    members: tuple[str, ...]  # element ids, in the gate's order
    owner: str  # the element the gate belongs to (crac-1, galera, images)
    what: str  # what the inputs are to the owner, for a k-of-n gate: "hosts", "racks", "zones"
    need: int  # inputs the gate needs up (1 for `any`)
    of: int  # its inputs in all
    reasons: tuple[Reason, ...] = ()  # why members (but the failed element) are lost, where known
    follows: bool = False  # it is lost through groups found deeper down
    upstream: LostGroup | None = None  # the causes of its reasons, where they are lost together for one reason


def candidates(t: Topology, member: str) -> list[tuple[str, str]]:
    """(relation, element) pairs that the description alone makes true of `member`,
    each enough to take it down: its rack and zone, its only power input, source or
    cooling unit, the one network node a host is cabled to. Nearest first."""
    found: list[tuple[str, str]] = []
    box = t.hosts.get(member) or t.network.get(member)
    if box is not None:
        found += [("in", e) for e in (box.rack, box.zone, t.racks[box.rack].zone if box.rack else None) if e]
        if len(box.power) == 1:
            found.append(("powered", box.power[0]))
        host = t.hosts.get(member)
        if host is not None and host.links:
            ends = {t.links[l].b if t.links[l].a == member else t.links[l].a for l in host.links}
            if len(ends) == 1:
                found.append(("cabled", ends.pop()))
        return found
    sole: tuple[str, tuple[str, ...]] = ("", ())
    if member in t.power:
        zone, sole = t.power[member].zone, ("fed", t.power[member].sources)
    elif member in t.cooling:
        zone, sole = t.cooling[member].zone, ("powered", t.cooling[member].power)
    elif member in t.racks:
        zone, sole = t.racks[member].zone, ("cooled", t.racks[member].cooling)
    else:
        return found
    if len(sole[1]) == 1:
        found.append((sole[0], sole[1][0]))
    if zone:
        found.append(("in", zone))
    return found


def reasons_for(
    t: Topology,
    members: Sequence[str],
    options: Mapping[str, Sequence[tuple[str, str | None]]],
    failed: Container[str],
) -> tuple[Reason, ...]:
    """One reason that holds for every member when there is one (the first such in
    the first member's order of preference), else each member's first, grouped (the
    members without one left out). A cause that did not fail itself says how it hangs
    on what failed, where the description says so directly."""
    covered = [m for m in members if options.get(m)]
    chosen: dict[tuple[str, str | None], list[str]] = {}
    every = bool(covered) and all(options.get(m) for m in members if m not in failed)
    common = next((o for o in options[covered[0]] if all(o in options[m] for m in covered)), None) if every else None
    if common is not None:
        chosen[common] = covered
    else:
        for m in covered:
            chosen.setdefault(options[m][0], []).append(m)
    return tuple(Reason(r, c, tuple(ms), _through(t, c, failed)) for (r, c), ms in chosen.items())


def lift(
    t: Topology,
    members: Sequence[str],
    reasons: Sequence[Reason],
    options_of: Callable[[str], Sequence[tuple[str, str | None]]],
    failed: Container[str],
) -> LostGroup | None:
    """Where each member is lost through an element of its own in the same way (crac-1
    powered only by pdu-a, crac-2 only by pdu-b) and those elements are lost together
    for one reason (both fed only by ups-a): the group of those elements, said first."""
    covered = {m for r in reasons for m in r.members}
    if len(reasons) < 2 or len({r.relation for r in reasons}) > 1 or any(m not in covered for m in members):
        return None
    causes = tuple(dict.fromkeys(r.cause for r in reasons if r.cause is not None))
    if len(causes) < len(reasons):
        return None
    up = reasons_for(t, causes, {c: options_of(c) for c in causes}, failed)
    if len(up) != 1 or any(c not in up[0].members and c not in failed for c in causes):
        return None
    return LostGroup(causes, "", "", 1, len(causes), up)


def _through(t: Topology, cause: str | None, failed: Container[str]) -> tuple[str, str] | None:
    if cause is None or cause in failed:
        return None
    return next(((r, e) for r, e in candidates(t, cause) if e in failed), None)


def describe(group: LostGroup, failed: str | None = None) -> str:
    """`pdu-a and pdu-b are both fed only by ups-a`; `ctl-1 and ctl-2 are both in r1
    (galera needs 2 of its 3 hosts)`; `sw-1 and sw-2 are both lost: sw-1 is in r1, sw-2
    is reachable only through border`; `so web-1 and web-2 are both lost` (through the
    groups said before it); else `... are both lost when X fails`."""
    names, reasons = group.members, group.reasons
    both = "both" if len(names) == 2 else "all"
    if len(reasons) == 1 and len(reasons[0].members) == len(names):
        text = f"{join(names)} {_clause(reasons[0], both)}"
    elif group.follows:
        text = f"so {join(names)} are {both} lost"
    elif group.upstream is not None:
        text = f"{describe(group.upstream, failed)}, so {join(names)} are {both} lost"
    elif reasons:
        covered = {m for r in reasons for m in r.members}
        when = f" when {failed} fails" if failed and any(m not in covered and m != failed for m in names) else ""
        text = f"{join(names)} are {both} lost{when}: {', '.join(f'{join(r.members)} {_clause(r)}' for r in reasons)}"
    else:
        text = f"{join(names)} are {both} lost" + (f" when {failed} fails" if failed else "")
    if group.need > 1 and len(names) < group.of:
        worst = "placed the worst way, " if group.what != "hosts" else ""  # replicas spread over racks or zones
        text += f" ({worst}{group.owner} needs {group.need} of its {group.of} {group.what})"
    return text


def member_sets(groups: Iterable[LostGroup]) -> tuple[tuple[str, ...], ...]:
    """The members of each group, deepest first, each set once: a group's upstream
    elements (pdu-a and pdu-b, one feeding each cooling unit) before its own members."""
    found: dict[tuple[str, ...], None] = {}
    for group in groups:
        if group.upstream is not None:
            found[group.upstream.members] = None
        found[group.members] = None
    return tuple(found)


def explain(groups: Sequence[LostGroup], failed: str | None = None, most: int = 0) -> str:
    """The groups described one after the other (the first `most` of them, then a count,
    when `most` is given): a group lost through the ones before it follows with a comma."""
    shown = groups[:most] if most else groups
    text, so = "", False
    for group in shown:
        sentence = describe(group, failed)
        if not text:
            text = sentence
        elif sentence.startswith("so "):
            text += (", and " if so else ", ") + sentence
        else:
            text += "; " + sentence
        so = sentence.startswith("so ") or ", so " in sentence
    if len(groups) > len(shown):
        text += f"; {len(groups) - len(shown)} more groups of inputs are lost together"
    return text


def _clause(reason: Reason, both: str = "") -> str:
    """`are both fed only by ups-a`, `is in r1`, `both failed`, `are unreachable`."""
    plural = len(reason.members) > 1
    adverb = f"{both} " if both else ""
    if reason.relation == "failed":
        return f"{adverb}failed"
    verb = "are" if plural else "is"
    cause = f" {reason.cause}" if reason.cause else ""
    through = f", which is {PHRASES[reason.through[0]]} {reason.through[1]}" if reason.through else ""
    return f"{verb} {adverb}{PHRASES[reason.relation]}{cause}{through}"


def join(names: Iterable[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def lost_together(sf: SingleFailures, failed: str, roots: Iterable[str], budget: int = BUDGET) -> list[LostGroup]:
    """The groups of inputs that `failed` takes out together on its way to each of
    `roots` (nodes its failure takes down), deepest first, each set of members once."""
    gates = sf.g.gates
    steps = [0]  # steps to first inputs walked in a row

    def expand(key: str, walked: int) -> tuple[bool, list[str]] | None:
        if walked >= budget:
            return None
        sf.walked += 1
        gate = gates[key]
        if gate.own == failed:
            return False, []
        # steps to first inputs lose no group: past LONG of them in a row, straight to the last that `failed` downs
        steps[0] = steps[0] + 1 if nested(gate) else 0
        if steps[0] > LONG and key in sf.runs.below:
            last = sf.runs.last(key, lambda k: _hit(sf, k, failed))
            if last != key:
                return False, [last]
        if gate.op == fg.REACH:
            cut = sf.cut_by(failed, gate.inputs[0])
            return False, [cut] if cut is not None and cut != failed else []
        if gate.op == fg.ALL:
            return False, [next((i for i in gate.inputs if _hit(sf, i, failed)), key)]
        return True, [i for i in gate.inputs if _hit(sf, i, failed)]

    return collect_groups(roots, expand, lambda key, follows: _group(sf, failed, key, follows))


def collect_groups(
    roots: Iterable[str],
    expand: Callable[[str, int], tuple[bool, list[str]] | None],
    group_of: Callable[[str, bool], LostGroup | None],
) -> list[LostGroup]:
    """Depth first from `roots`, the groups of the gates met, deepest first, each set of
    members once. `expand(key, walked)`: None to stop at `key` (nodes walked so far:
    `walked`), else (whether `key` is a gate whose group comes once its inputs are
    walked, the keys below it to follow); `group_of(key, follows)`: a gate's group, where
    `follows` says some group was met below it."""
    groups: list[LostGroup] = []
    seen: set[tuple[str, ...]] = set()
    visited: set[str] = set()
    met = 0  # groups met so far, new or seen before: a gate met some below it when this grew
    stack: list[tuple[str, int]] = [(r, -1) for r in reversed(list(roots))]
    while stack:
        key, before = stack.pop()
        if before >= 0:  # its lost inputs are walked: the gate's own group comes next
            group = group_of(key, met > before)
            if group is not None:
                met += 1
                if group.members not in seen:
                    seen.add(group.members)
                    groups.append(group)
            continue
        step = None if key in visited else expand(key, len(visited))
        if step is None:
            continue
        visited.add(key)
        gate, below = step
        if gate:
            stack.append((key, met))
        stack.extend((i, -1) for i in reversed(below) if i not in visited)
    return groups


def _hit(sf: SingleFailures, key: str, failed: str) -> bool:
    return sf.contains(key, failed)


def _lost(sf: SingleFailures, eid: str, failed: str) -> bool:
    """`failed` takes the element down or (a network node) cuts it off."""
    return eid == failed or _hit(sf, eid, failed) or (eid in sf.t.network and _hit(sf, fg.reach(eid), failed))


def _group(sf: SingleFailures, failed: str, key: str, follows: bool) -> LostGroup | None:
    """The group of an `any` or `k-of-n` gate, or None when it loses fewer than two
    elements (the chain says that much)."""
    gate, t = sf.g.gates[key], sf.t
    owner = fg.element_of(key)
    names = list(dict.fromkeys(_element(sf, failed, owner, i) for i in gate.inputs if _hit(sf, i, failed)))
    if len(names) < 2:
        return None
    members = tuple(names)
    options = {m: _options(sf, m, failed) for m in members if m != failed}
    need, what = (gate.k, _what(t, key, owner)) if gate.op == fg.KOFN else (1, "")
    reasons = reasons_for(t, members, options, (failed,))
    options_of = lambda e: _options(sf, e, failed) if e != failed else []  # noqa: E731
    upstream = lift(t, [m for m in members if m != failed], reasons, options_of, (failed,))
    return LostGroup(members, owner, what, need, len(gate.inputs), reasons, follows, upstream)


def _options(sf: SingleFailures, member: str, failed: str) -> list[tuple[str, str | None]]:
    """The reasons that hold for `member` and name what `failed` takes down: the failed
    element itself first, then the nearest (the largest single-failure set)."""
    t = sf.t
    found: list[tuple[str, str | None]] = [(r, e) for r, e in candidates(t, member) if _lost(sf, e, failed)]
    if member in t.network:
        reach = sf.value(fg.reach(member))
        if reach is not DOWN and failed in reach:
            vertices = [failed] if failed in t.network or failed in t.links else []
            vertices += [v for v in sf.events.get(failed, ()) if v in t.network and v != member and v in reach]
            found += [("reachable", v) for v in vertices]
    size: Callable[[str | None], int] = lambda e: sf.size(e) if e else 0  # noqa: E731
    return sorted(dict.fromkeys(found), key=lambda o: (o[1] != failed, -size(o[1])))


def _element(sf: SingleFailures, failed: str, owner: str, key: str) -> str:
    """The element a gate's input stands for: a host for `h#ok`, the network node at
    the other end for a host's `lid#via`, the host a spread group loses for `svc#rack:r1`."""
    if fg.SEP not in key:
        return key
    base, suffix = key.split(fg.SEP, 1)
    if suffix == fg.VIA[1:]:
        link = sf.t.links[base]
        return base if base == failed else link.b if link.a == owner else link.a
    if ":" in suffix:  # a spread group: the first of its hosts the failure takes out
        inner = next((i for i in sf.g.gates[key].inputs if _hit(sf, i, failed)), key)
        return fg.element_of(inner)
    return base


def _what(t: Topology, key: str, owner: str) -> str:
    """What a k-of-n gate's inputs are to its owner."""
    svc = t.services.get(owner)
    if svc is not None and not svc.hosts and svc.spread in ("rack", "zone"):
        return svc.spread + "s"
    return "hosts"
