"""Minimal cut sets through the network: the sets of at most K failure candidates that cut
each reachable network vertex off the entry points (the REACH nodes of the fault graph,
for spoflint.analysis.cutsets).

A set S of candidates removes the network vertices one of whose sets (their families,
from the bottom-up pass) lies inside S; a vertex is cut off when the BFS tree from the
entry points loses its way up and no path of remaining vertices leads back (the local
re-check of spoflint.analysis.network, `separate`).

Candidate sets are not all combinations: a minimal cut set S is *connected* in an
interaction graph over the elements that remove something. If S split into parts T and
U with no set of a vertex spanning both, a vertex v cut off by S but by neither part
lies in the affected subtree of one part, say T, and T alone lets it rejoin; its way
back must run through what U affects. So U's affected subtrees meet T's rejoin zone (the
rejoined vertices and their neighbours; for K >= 3, where T may be several sets, the
affected subtrees and their neighbours). Sets are grown only along those edges, and a
set holding an element that affects a big subtree (over `BIG_SUBTREE` vertices) is
re-checked against the BFS tree of the network without the biggest such element
(computed once per element; what it cuts off alone is not the set's to record anyway),
so that no pair or triple walks the whole fabric.

The work is counted (`Work`, shared with spoflint.analysis.cutsets): each candidate set
checked or formed is a step, plus the vertices it removes and every vertex its check
looks at (the affected subtrees; a set holding a big element is checked against the
network without the biggest, whose BFS tree costs a step per vertex), and at most
`MAX_HELD` sets, and `MAX_HELD` vertices of those trees, are held (that bounds memory). Once the budget is spent
the enumeration starts again one order lower with a fresh budget, down to order 1,
which grows nothing (`Reachability.run` says which order its sets are exact up to): at
most `order` budgets in all.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence

from .. import graph as fg
from .network import Children, Parent, bfs_tree
from .network import separate as cut_off

BIG_SUBTREE = 32  # pairs whose base affects more vertices than this use a residual BFS tree
MAX_HELD = 500_000  # candidate sets held at once while they are grown, and vertices of residual trees (memory)

Atom = frozenset[str]  # one set of a vertex's family: candidates that remove it together
Found = dict[str, list[frozenset[str]]]  # network vertex -> candidate sets that cut it off
Info = tuple[set[str], set[str], set[str]]  # (cut off, affected, rejoined) on the full tree


class OutOfWork(Exception):
    """The work budget was spent while sets of two or more were enumerated."""


class Work:
    """Steps of work left for one cut-set run: counted, never timed, so that the same
    input always gets the same answer."""

    def __init__(self, budget: int):
        self.budget = self.left = budget

    def refill(self) -> None:
        """A fresh budget, for a retry at a lower order."""
        self.left = self.budget

    def spend(self, steps: int) -> None:
        self.left -= steps

    @property
    def spent(self) -> bool:
        return self.left <= 0


class Reachability:
    """Minimal sets of at most `order` candidates that cut each reachable network vertex
    off the entry points (see the module docstring)."""

    def __init__(
        self,
        adjacency: Mapping[str, Sequence[str]],
        parent: Parent,
        children: Children,
        fam: Mapping[str, list[Atom] | None],
        order: int,
        work: Work,
    ):
        self.adjacency, self.parent, self.children = adjacency, parent, children
        self.order, self.work = order, work
        removes: dict[Atom, set[str]] = {}  # atom -> vertices whose family holds it
        for v in parent:
            if v == fg.ROOT:
                continue
            for m in fam[v] or ():  # a reachable vertex is up with nothing failed: never DOWN
                if len(m) <= order:
                    removes.setdefault(m, set()).add(v)
        self.removes = removes

    def removed(self, s: frozenset[str], skip: frozenset[str] | None = None) -> set[str]:
        """The vertices the candidates `s` remove (leaving out the atom `skip`'s own)."""
        out: set[str] = set()
        removes = self.removes
        items = sorted(s)
        for size in range(1, len(items) + 1):
            for sub in itertools.combinations(items, size):
                key = frozenset(sub)
                if key == skip:
                    continue
                hit = removes.get(key)
                if hit:
                    out |= hit
        return out

    def run(self) -> tuple[Found, int]:
        """The sets that cut each vertex off, and the order they are exact up to."""
        while True:
            found: Found = {}
            try:
                self._enumerate(found)
            except OutOfWork:  # order 1 grows nothing, so never runs out
                self.order -= 1
                self.work.refill()
                continue
            return found, self.order

    def _enumerate(self, found: Found) -> None:
        """Single candidates first, then connected sets of 2..order, into `found`."""
        atoms = [m for m in self.removes if len(m) <= self.order]
        info = {m: cut_off(self.removed(m), self.adjacency, self.parent, self.children) for m in atoms}
        singles, single_cut = self._singles(atoms, info, found)
        if self.order == 1:
            return
        neighbours = self._interaction_graph(atoms, info, singles)
        self._grow(atoms, info, singles, single_cut, neighbours, found)

    @staticmethod
    def _singles(atoms: list[Atom], info: dict[Atom, Info], found: Found) -> tuple[set[str], dict[str, set[str]]]:
        """The candidates sets are grown from, and what each cuts off alone (recorded)."""
        singles: set[str] = set()
        single_cut: dict[str, set[str]] = {}
        for m in atoms:
            if len(m) == 1:
                (e,) = m
                singles.add(e)
                single_cut[e] = info[m][0]
                _record(found, m, info[m][0])
        # singles that remove nothing still matter when some atom holds them with others
        for m in atoms:
            if len(m) == 1:
                continue
            for e in m:
                if frozenset((e,)) not in info:
                    singles.add(e)
        return singles, single_cut

    def _interaction_graph(self, atoms: list[Atom], info: dict[Atom, Info], singles: set[str]) -> dict[str, set[str]]:
        """Candidate -> the candidates a minimal cut set may join it with: those of the
        same atom, and those whose affected subtrees meet its zone."""
        affected_by: dict[str, list[Atom]] = {}
        for m in atoms:
            for x in info[m][1]:
                affected_by.setdefault(x, []).append(m)
        neighbours: dict[str, set[str]] = {e: set() for e in singles}
        for m in atoms:
            if len(m) > 1:
                for a in m:
                    neighbours[a].update(b for b in m if b != a)
            zone = self._zone(m, info[m])
            if zone is None:
                continue
            others: set[Atom] = set()
            for x in zone:
                others.update(affected_by.get(x, ()))
            touched = {b for other in others for b in other}
            for a in m:
                neighbours[a].update(touched)
                neighbours[a].discard(a)
                for b in touched:
                    if b != a:
                        neighbours[b].add(a)
        return neighbours

    def _zone(self, m: Atom, info: Info) -> set[str] | None:
        """Where another part of a cut set must reach for `m` to matter with it: at
        order 2, the vertices `m` lets rejoin and their neighbours (None for a pair
        atom: it is a whole candidate by itself); above, its affected subtrees and
        their neighbours."""
        _, affected, rejoined = info
        if self.order == 2:
            if len(m) > 1:
                return None
            base = rejoined
        else:
            base = affected
        zone = set(base)
        for x in base:
            zone.update(w for w in self.adjacency[x] if w in self.parent)
        return zone

    def _grow(
        self,
        atoms: list[Atom],
        info: dict[Atom, Info],
        singles: set[str],
        single_cut: dict[str, set[str]],
        neighbours: dict[str, set[str]],
        found: Found,
    ) -> None:
        """Connected sets of 2..order candidates, grown along the interaction graph a
        size at a time, each checked and recorded where it cuts something off that none
        of its candidates cuts off alone."""
        level = {frozenset((e,)) for e in singles}
        seen = set(level)
        residuals: dict[str, tuple[Parent, Children]] = {}
        big = {next(iter(m)): len(info[m][1]) for m in atoms if len(m) == 1 and len(info[m][1]) > BIG_SUBTREE}
        for _ in range(2, self.order + 1):
            grown = _grown(level, neighbours, seen, self.work)
            pending = sorted(grown, key=lambda u: sorted(u))
            for u in pending:
                if self.work.spent:
                    raise OutOfWork
                cut = self._cut_of(u, big, residuals)
                if cut is None:
                    continue
                for e in u:  # where one element alone cuts a vertex off, u is not minimal
                    alone = single_cut.get(e)
                    if alone:
                        cut = cut - alone
                _record(found, u, cut)
            level = grown

    def _cut_of(
        self, u: frozenset[str], big: dict[str, int], residuals: dict[str, tuple[Parent, Children]]
    ) -> set[str] | None:
        """What the candidates `u` cut off together (None: they remove nothing), each
        vertex looked at a step of work. A set with a big element is checked against
        the network without the biggest (its own cut-off is subtracted anyway)."""
        base = max(u, key=lambda e: (big.get(e, 0), e))
        if base in big:
            return self._with_residual(base, self.removed(u, frozenset((base,))), residuals)
        removed = self.removed(u)
        self.work.spend(1 + len(removed))
        if not removed:
            return None
        cut, affected, _ = cut_off(removed, self.adjacency, self.parent, self.children)
        self.work.spend(len(affected))
        return cut

    def _with_residual(self, base: str, removed: set[str], residuals: dict[str, tuple[Parent, Children]]) -> set[str]:
        """What `removed` cuts off beyond what `base` cuts off alone, when base fails too:
        what it cuts off the network that remains without base (that network's BFS tree
        computed once per base, a step per vertex, and at most MAX_HELD vertices of
        such trees held)."""
        if base not in residuals:
            if len(residuals) * len(self.parent) > MAX_HELD:  # memory: start the cache again
                residuals.clear()
            gone = self.removed(frozenset((base,)))
            base_cut = cut_off(gone, self.adjacency, self.parent, self.children)[0]
            residuals[base] = bfs_tree(self.adjacency, lambda w: w in self.parent and w not in base_cut)
            self.work.spend(len(self.parent))
        parent, children = residuals[base]
        extra = {v for v in removed if v in parent}
        self.work.spend(1 + len(removed))
        if not extra:
            return set()
        cut, affected, _ = cut_off(extra, self.adjacency, parent, children)
        self.work.spend(len(affected))
        return cut


def _record(found: Found, s: frozenset[str], cut: Iterable[str]) -> None:
    """Note that the candidates `s` cut off each vertex of `cut`."""
    for v in cut:
        found.setdefault(v, []).append(s)


def _grown(
    level: set[frozenset[str]], neighbours: dict[str, set[str]], seen: set[frozenset[str]], work: Work
) -> set[frozenset[str]]:
    """The sets one candidate larger than those of `level`, along the interaction
    graph, not seen before (and now seen); each a step of `work` (OutOfWork past it,
    or past MAX_HELD sets seen)."""
    grown: set[frozenset[str]] = set()
    for s in level:
        for a in s:
            near = neighbours.get(a, ())
            work.spend(len(near))
            if work.spent or len(seen) > MAX_HELD:
                raise OutOfWork
            for b in near:
                if b in s:
                    continue
                u = s | {b}
                if u not in seen:
                    seen.add(u)
                    grown.add(u)
    return grown
