"""What-if: fail some elements and report what goes down, what loses data, and why.

`spoflint simulate` runs the reference evaluator (spoflint.analysis.reference) on the failure
set the user names, and explains each service that is down by its chain of causes. Any
element may be named, a service or a storage backend too: then its software fails (a
bad configuration pushed, a partition), not its hosts, and no data is lost by it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .. import graph as fg
from ..errors import UsageError
from ..model import Topology
from .network import Parent, bfs_tree
from .reasons import LostGroup, candidates, collect_groups, lift, reasons_for
from .reference import SEP, Evaluation, _data, _Evaluator, reach_key, usable_key

VERSION = 1
EXPLAIN_WORK = 2_000_000  # steps the explanations of one simulation walk, every service's together


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
    return Simulation(chosen, _evaluate(t, frozenset()), _evaluate(t, frozenset(chosen)))


def _evaluate(t: Topology, failed: frozenset[str]) -> Evaluation:
    """The reference's evaluation, its deep chains worked out inputs first: the
    evaluator asks for what an element needs as it goes (recursively), so power chains
    and chains of dependencies, each element evaluated after its inputs, never nest
    deeper than one call."""
    result = Evaluation(t, failed)
    evaluator = _Evaluator(t, failed, result.down)
    for p in _inputs_first({p: el.sources for p, el in t.power.items()}):
        evaluator.power_up(p)
    evaluator.reach()  # what services need: whether hosts are reachable
    needs = {s: (*svc.needs, *((svc.load_balancer,) if svc.load_balancer else ())) for s, svc in t.services.items()}
    for s in _inputs_first(needs):
        evaluator.need_up(s)
    evaluator.run()  # every other element, and each one above once more (remembered)
    _data(t, failed, result.lost)
    return result


def _inputs_first(inputs: dict[str, tuple[str, ...]]) -> list[str]:
    """The keys of `inputs` and what they name, each after what it names (the model has
    refused cycles)."""
    done: dict[str, None] = {}  # in the order they were walked
    for key in fg.inputs_first(inputs, lambda k: inputs.get(k, ()), done):
        done[key] = None
    return list(done)


def explanations(
    result: Evaluation, services: Iterable[str], work: int = EXPLAIN_WORK
) -> dict[str, tuple[list[str], list[LostGroup]]]:
    """Each service's chain and groups lost together, in order, while `work` steps of
    walking last: on 8,000 services each needing the next, each walk crosses the rest
    of them, so the explanations stop there and the report says how many it left out."""
    left, out = [work], {}
    for s in services:
        if left[0] <= 0:
            break
        out[s] = (chain(result, s, left), lost_together(result, s, left))
    return out


def lost_together(result: Evaluation, eid: str, left: list[int] | None = None) -> list[LostGroup]:
    """On the way from what failed to `eid` (down), the inputs of each `any` or `k-of-n`
    requirement that were lost together, deepest first, each set of members once: the
    causes of a node down for several of them are all followed, of any other node the
    one the chain follows. `left`: steps of work left, spent one per node walked."""

    def expand(key: str, walked: int) -> tuple[bool, list[str]] | None:
        if key not in result.down:
            return None
        if left is not None:
            left[0] -= 1
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


def chain(result: Evaluation, eid: str, left: list[int] | None = None) -> list[str]:
    """Element ids from a failed element to `eid` (helper nodes folded): the causes
    followed down from `eid` and, where a host is unreachable through cables that are
    up, on through the node at a cable's other end to the vertex on that node's way out
    to the entry points that is down (the one `check` names for the same failure)."""
    t, down = result.topology, result.down
    keys, seen = [eid], {eid}
    key: str | None = eid
    while key is not None:
        nxt: str | None = None
        if key in down:
            causes = [c for c in down[key][1] if c not in seen]
            if causes:  # the first the failures took down (not one down with nothing failed)
                nxt = next((c for c in causes if _fresh(result, c, key)), causes[0])
            elif key.endswith(SEP + "reach"):  # up, but cut off: what cut it off
                nxt = _cut_by(result, key.split(SEP, 1)[0])
        elif key in t.links and len(keys) > 1:  # a host's cable that is up: the node beyond
            link, host = t.links[key], keys[-2].split(SEP, 1)[0]
            end = link.b if link.a == host else link.a
            nxt = end if end in down else reach_key(end) if reach_key(end) in down else None
        key = nxt if nxt is not None and nxt not in seen else None
        if key is not None:
            keys.append(key)
            seen.add(key)
    if left is not None:  # steps of work left, spent one per node walked
        left[0] -= len(keys)
    ids: list[str] = []
    for key in reversed(keys):
        element = key.split(SEP, 1)[0]
        if not ids or ids[-1] != element:
            ids.append(element)
    return ids


def _before(result: Evaluation) -> dict[str, tuple[str, tuple[str, ...]]]:
    """What is down with nothing failed, worked out once per evaluation."""
    down: dict[str, tuple[str, tuple[str, ...]]] | None = getattr(result, "_before", None)
    if down is None:
        down = _evaluate(result.topology, frozenset()).down if result.failed else result.down
        object.__setattr__(result, "_before", down)
    return down


def _fresh(result: Evaluation, cause: str, key: str) -> bool:
    """Whether a cause of `key` went down with the failures: not down before, and, for a
    host's cable that is up, the node at its other end was reachable before."""
    before, t = _before(result), result.topology
    if cause in before:
        return False
    if cause in t.links and cause not in result.down:
        link, host = t.links[cause], key.split(SEP, 1)[0]
        end = link.b if link.a == host else link.a
        return end not in before and reach_key(end) not in before
    return True


def _cut_by(result: Evaluation, node: str) -> str | None:
    """The first vertex down on network node `node`'s way out to the entry points, in
    a breadth-first tree of the network as it is with nothing failed (every way out of
    a node cut off crosses one)."""
    tree: Parent | None = getattr(result, "_tree", None)
    if tree is None:
        before = _before(result)
        tree = bfs_tree(fg.network_of(result.topology), lambda v: v not in before)[0]
        object.__setattr__(result, "_tree", tree)
    v = tree.get(node)
    while v is not None and v != fg.ROOT and v not in result.down:
        v = tree.get(v)
    return v if v is not None and v != fg.ROOT else None
