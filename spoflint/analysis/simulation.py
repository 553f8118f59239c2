"""What-if: fail some elements and report what goes down, what loses data, and why.

`spoflint simulate` runs the reference evaluator (spoflint.analysis.reference) on the failure
set the user names, and explains each service that is down by its chain of causes. Any
element may be named, a service or a storage backend too: then its software fails (a
bad configuration pushed, a partition), not its hosts, and no data is lost by it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from ..model import Topology
from .reasons import LostGroup, candidates, collect_groups, lift, reasons_for
from .reference import SEP, Evaluation, evaluate, reach_key, usable_key

VERSION = 1


class SimulationError(UsageError):
    """A --fail that names nothing, or something that cannot fail by itself."""


@dataclass(frozen=True)
class Simulation:
    failed: tuple[str, ...]
    before: Evaluation  # nothing failed
    after: Evaluation

    @property
    def newly_down(self) -> list[str]:
        return [s for s in self.after.services_down if self.before.is_up(s)]

    @property
    def lost(self) -> list[str]:
        return sorted(self.after.lost)


def simulate(t: Topology, failed: list[str]) -> Simulation:
    for eid in failed:
        if eid not in t.section_of:
            raise SimulationError(f"--fail {eid}: no element has that id")
        section = t.section_of[eid]
        if section == "network" and not t.can_fail(eid):
            raise SimulationError(f"--fail {eid}: entry points and external nodes do not fail")
    chosen = tuple(dict.fromkeys(failed))
    return Simulation(chosen, evaluate(t, set()), evaluate(t, set(chosen)))


def lost_together(result: Evaluation, eid: str) -> list[LostGroup]:
    """On the way from what failed to `eid` (down), the inputs of each `any` or `k-of-n`
    requirement that were lost together, deepest first, each set of members once: the
    causes of a node down for several of them are all followed, of any other node the
    one the chain follows."""

    def expand(key: str, walked: int) -> tuple[bool, list[str]] | None:
        if key not in result.down:
            return None
        below = [k for k, _ in _below(result, key)]
        return len(below) > 1, below

    return collect_groups([eid], expand, lambda key, follows: _group(result, key, follows=follows))


def _below(result: Evaluation, key: str) -> list[tuple[str, str]]:
    """(node, element it stands for) of each cause of `key` to follow: all of them for
    several causes, the first for one. A host that is unreachable has all its links
    lost: each stands for the link where it failed, else the node at its other end."""
    t = result.topology
    causes = result.down[key][1]
    element = key.split(SEP, 1)[0]
    if key == usable_key(element) and element not in result.down:  # up, but unreachable
        found = []
        for lid in t.hosts[element].links:
            link = t.links[lid]
            end = link.b if link.a == element else link.a
            if lid in result.failed or end not in t.network:
                found.append((lid, lid))
            else:
                found.append((end if end in result.down else reach_key(end), end))
        return found
    if len(causes) == 1:
        return [(causes[0], causes[0].split(SEP, 1)[0])]
    return [(c, c.split(SEP, 1)[0]) for c in causes]


def _group(result: Evaluation, key: str, follows: bool) -> LostGroup | None:
    t, failed = result.topology, result.failed
    members = tuple(dict.fromkeys(e for _, e in _below(result, key)))
    if len(members) < 2:
        return None
    owner = key.split(SEP, 1)[0]
    need, of = 1, len(members)
    if owner in t.storage:
        s = t.storage[owner]
        need, of = len(s.hosts) - s.replicas + s.min_replicas, len(s.hosts)
    elif owner in t.services and t.services[owner].hosts:
        need, of = t.services[owner].need, len(t.services[owner].hosts)
    options = {m: _options(result, m) for m in members}
    reasons = reasons_for(t, members, options, failed)
    upstream = lift(t, members, reasons, lambda e: _options(result, e), failed)
    return LostGroup(members, owner, "hosts", need, of, reasons, follows, upstream)


def _options(result: Evaluation, member: str) -> list[tuple[str, str | None]]:
    """Why a member is lost: it failed; a relation to what failed, then to what is
    lost; or (a network node) it is up but unreachable."""
    t, failed = result.topology, result.failed
    if member in failed:
        return [("failed", None)]
    found: list[tuple[str, str | None]] = [(r, e) for r, e in candidates(t, member) if _lost(result, e)]
    found.sort(key=lambda o: o[1] not in failed)
    if member in t.network and member not in result.down and reach_key(member) in result.down:
        found.append(("unreachable", None))
    return found


def _lost(result: Evaluation, eid: str) -> bool:
    down = result.down
    return eid in result.failed or eid in down or reach_key(eid) in down or usable_key(eid) in down


def chain(result: Evaluation, eid: str) -> list[str]:
    """Element ids from a failed element to `eid` (helper nodes folded)."""
    ids: list[str] = []
    for key in result.chain(eid):
        element = key.split("#", 1)[0]
        if not ids or ids[-1] != element:
            ids.append(element)
    return ids
