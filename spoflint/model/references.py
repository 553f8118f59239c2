"""Element ids and the references between elements.

Every id is declared once across all sections and files; a reference must name a
declared id of the sections it allows, a list of references names each id once, and
no element is fed from or depends on itself through others (a cycle).
Each problem is an InputError at the reference (or the second declaration), said the
way a person would look for it (`unknown host 'web1'; did you mean 'web-1'?`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from ..errors import InputError, quote
from ..load import MarkedList, MarkedMap
from .elements import Location, Places, Power, Service
from .messages import SINGULAR, _close_to


class References:
    """The ids declared so far (their section and place), and checks of references to them."""

    def __init__(self) -> None:
        self.where = Places({})
        self.section_of: dict[str, str] = {}
        # unknown references found so far: each is said, and the building goes on (all of
        # a run's reference errors are said at once, not one per run)
        self.unknown: list[InputError] = []

    def fail(self, container: MarkedMap | MarkedList, key: str | int, message: str) -> InputError:
        """An InputError at the value of `key` (or item `key`) in `container`, else at the container."""
        if isinstance(container, MarkedMap) and isinstance(key, str) and key in container.where:
            line, column = container.value_at(key)
        elif isinstance(container, MarkedList) and isinstance(key, int) and key < len(container.where):
            line, column = container.item_at(key)
        else:
            line, column = container.line, container.column
        return InputError(container.path, line, column, message)

    def declare(self, eid: str, section: str, where: Location) -> None:
        """Declare an id; an InputError if it is already declared, anywhere."""
        if eid in self.section_of:
            first = self.where[eid]
            hint = " (name parallel links with `name:`)" if section == "links" == self.section_of[eid] else ""
            raise InputError(
                where.path,
                where.line,
                where.column,
                f"duplicate id {quote(eid)}: already used by the {SINGULAR[self.section_of[eid]]} "
                f"at {first.path}:{first.line}:{first.column}{hint}",
            )
        self.section_of[eid] = section
        self.where.raw[eid] = (0, where.line, where.column, eid, section, where.path)

    def ref(
        self, container: MarkedMap | MarkedList, key: str | int, value: str, allowed: Collection[str], what: str
    ) -> str:
        """`value`, written at `key` of `container`, if it names an element of the `allowed`
        sections; else an InputError there (`what` names what it should be)."""
        section = self.section_of.get(value)
        if section is None:
            message = f"unknown {what} {quote(value)}{self._did_you_mean(value, allowed)}"
        elif section not in allowed:
            message = f"{quote(value)} is a {SINGULAR[section]}, not a {what}"
        else:
            return value
        if not isinstance(value, str):  # not even an id: nothing after it can be built
            raise self.fail(container, key, message)
        self.unknown.append(self.fail(container, key, message))
        return value  # kept, so that the rest is checked too; the build fails at its end

    def _did_you_mean(self, value: str, allowed: Collection[str]) -> str:
        close = _close_to(value, [eid for eid, section in self.section_of.items() if section in allowed])
        return f"; did you mean {close!r}?" if close else ""

    def refs(self, node: MarkedMap, key: str, allowed: Collection[str], what: str) -> tuple[str, ...]:
        """The ids listed at `key` of `node` (none if it is absent), each checked with `ref`
        and listed once."""
        values: Any = node.get(key)  # a MarkedList of ids
        if not values:  # absent, as most are (a host's `power`, a service's `storage`)
            return ()
        section_of = self.section_of
        for value in values:  # the usual case, quickly: every one known, of the right kind...
            if section_of.get(value) not in allowed:
                break
        else:
            result = tuple(dict.fromkeys(values))
            if len(result) == len(values):  # ...and none listed twice
                return result
        # else say what is wrong with the first that is
        seen: dict[str, None] = {}  # ordered, and O(1) membership for services on thousands of hosts
        for index, value in enumerate(values):
            self.ref(values, index, value, allowed, what)
            if value in seen:
                raise self.fail(values, index, f"{quote(value)} is listed twice")
            seen[value] = None
        return tuple(seen)

    def opt_ref(self, node: MarkedMap, key: str, allowed: Collection[str], what: str) -> str | None:
        """The id at `key` of `node`, checked with `ref`; None if it is absent."""
        value = node.get(key)
        if value is None or self.section_of.get(value) in allowed:
            return value
        return self.ref(node, key, value, allowed, what)

    def zone_of(self, node: MarkedMap, rack_zone: str | None) -> str | None:
        """A host's or network node's `zone`, checked; an InputError when its rack stands
        in another zone (`rack_zone`): it cannot be in both."""
        zone = self.opt_ref(node, "zone", ("zones",), "zone")
        if zone and rack_zone and zone != rack_zone:
            rack = node.get("rack")
            message = f"`zone: {zone}`, but its rack {quote(rack)} is in zone {quote(rack_zone)}"
            raise self.fail(node, "zone", message + ": what a rack holds is in the rack's zone (write one of them)")
        return zone

    def listed_twice(self, values: MarkedList) -> None:
        """An InputError at the first value of a list that is listed before it."""
        seen = set()
        for index, value in enumerate(values):
            if value in seen:
                raise self.fail(values, index, f"{quote(value)} is listed twice")
            seen.add(value)

    def check_cycles(
        self, power: dict[str, Power], services: dict[str, Service], nodes: Callable[[], Mapping[str, MarkedMap]]
    ) -> None:
        """An InputError at the reference that closes a cycle of power feeds or service
        dependencies; `nodes()`, each power element's and service's fields, made only then."""
        edges = {eid: p.sources for eid, p in power.items()}
        edges.update(
            {eid: s.depends_on + ((s.load_balancer,) if s.load_balancer else ()) for eid, s in services.items()}
        )
        cycle = find_cycle(edges)
        if not cycle:
            return
        first, second = cycle[0], (cycle + cycle)[1]
        node = nodes()[first]
        for key in ("from", "depends_on", "load_balancer"):  # point at the reference that closes it
            value = node.get(key)
            if value == second:
                raise self.fail(node, key, _cycle_message(first in power, cycle))
            if isinstance(value, MarkedList) and second in value:
                raise self.fail(value, value.index(second), _cycle_message(first in power, cycle))
        at = self.where[first]
        raise InputError(at.path, at.line, at.column, _cycle_message(first in power, cycle))


def _cycle_message(power: bool, cycle: list[str]) -> str:
    loop = " -> ".join(cycle + [cycle[0]])
    if len(cycle) == 1:
        return f"{quote(cycle[0])} {'is fed from' if power else 'depends on'} itself"
    return f"power cycle (each is fed from the next): {loop}" if power else f"dependency cycle: {loop}"


def find_cycle(edges: dict[str, tuple[str, ...]]) -> list[str] | None:
    """One cycle in a directed graph given as adjacency, in a deterministic order."""
    state: dict[str, int] = {}
    for start in edges:
        if state.get(start):
            continue
        stack = [(start, iter(edges.get(start, ())))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            for child in children:
                if state.get(child) == 1:
                    return path[path.index(child) :]
                if not state.get(child):
                    state[child] = 1
                    path.append(child)
                    stack.append((child, iter(edges.get(child, ()))))
                    break
            else:
                stack.pop()
                path.pop()
                state[node] = 2
    return None
