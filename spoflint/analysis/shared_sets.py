"""Single-failure sets shared along chains instead of copied at each step.

A node with one large input has the input's set plus a few elements of its own (a PDU
fed by the PDU before it, a host on a long power chain). Copying the set at each step
makes a chain of n elements cost n²/2 members; here the nodes of a chain share one
`Spine`: the elements in the order they were added, each node a prefix of it (`Shared`).
A node that extends a prefix which is not the spine's tip (a second branch) starts a
spine of its own on top of that prefix, so membership walks one level per branching, a
few at most (past `DEPTH` levels the prefix is copied once into a plain set).

Membership and size are O(levels); iterating costs the set's size, and `frozen()`
materialises a plain frozenset for the callers that want one (`SingleFailures.of`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

SHARE_FROM = 64  # sets smaller than this are copied (cheaper than a level to walk)
DEPTH = 16  # levels of spines on top of one another before a prefix is copied

_EMPTY: frozenset[str] = frozenset()


class Spine:
    """Elements added in order on top of a fixed prefix: `base`, then `parent`'s first `cut`."""

    __slots__ = ("base", "parent", "cut", "pos", "order", "depth", "prefix")

    def __init__(self, base: frozenset[str], parent: Spine | None = None, cut: int = 0):
        self.base, self.parent, self.cut = base, parent, cut
        self.pos: dict[str, int] = {}
        self.order: list[str] = []
        self.depth: int = parent.depth + 1 if parent is not None else 0
        self.prefix: int = len(base) + (parent.prefix + cut if parent is not None else 0)

    def levels(self, n: int) -> Iterator[tuple[Spine, int]]:
        """This spine's first `n` and each level below it, with how much of it counts."""
        s = self
        while True:
            yield s, n
            if s.parent is None:
                return
            s, n = s.parent, s.cut


class Shared:
    """A set that is the first `n` elements of `spine` on top of the spine's prefix."""

    __slots__ = ("spine", "n")

    def __init__(self, spine: Spine, n: int):
        self.spine, self.n = spine, n

    @staticmethod
    def of(base: frozenset[str] | Shared) -> Shared:
        return base if isinstance(base, Shared) else Shared(Spine(base), 0)

    def __len__(self) -> int:
        return self.spine.prefix + self.n

    def __contains__(self, element: object) -> bool:
        for s, n in self.spine.levels(self.n):
            i = s.pos.get(element)  # type: ignore[call-overload]  # any object may be asked
            if i is not None:  # added on this level: never also in the levels below
                return i < n
            if element in s.base:
                return True
        return False

    def __iter__(self) -> Iterator[str]:
        for s, n in self.spine.levels(self.n):
            yield from s.order[:n]
            yield from s.base

    def frozen(self) -> frozenset[str]:
        """The same set as a plain frozenset."""
        return frozenset(self)

    def covers(self, other: frozenset[str] | Shared) -> bool:
        """Whether `other` is known to be a subset without looking at its members: a
        prefix of one of this set's levels, or one of their bases."""
        for s, n in self.spine.levels(self.n):
            if isinstance(other, Shared):
                if other.spine is s and other.n <= n:
                    return True
            elif other is s.base:
                return True
        return False

    def extend(self, extra: Iterable[str]) -> Shared:
        """This set and `extra` (elements not in it): on the spine's tip when this is
        it, else on a new spine over this prefix."""
        spine, n = self.spine, self.n
        if n != len(spine.order):
            spine = Spine(self.frozen()) if spine.depth >= DEPTH else Spine(_EMPTY, spine, n)
            n = 0
        pos, order = spine.pos, spine.order
        for e in extra:
            pos[e] = n
            order.append(e)
            n += 1
        return Shared(spine, n)


def materialised(value: frozenset[str] | Shared | None) -> frozenset[str] | None:
    """A plain frozenset (or None) for a value that may be shared."""
    return value.frozen() if isinstance(value, Shared) else value
