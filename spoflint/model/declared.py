"""What each element declares about itself, gathered once the topology is built: the keys
it writes, the risks it accepts (`accept:`), its own availability figure (`availability`
in percent, or `mtbf` and `mttr` in hours) and, for an element marked `assumed:`, what it
stands for. An availability of 1 or less is refused: it is almost surely a fraction where
percent is meant.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..load import MarkedMap
from .acceptances import Accepted, written_acceptances
from .references import References

ASSUMED = "assumed, not described"  # what `assumed: true` says of an element
_READ = frozenset({"availability", "mtbf", "mttr", "accept", "assumed"})  # the keys read below

Declared = tuple[Accepted, dict[str, frozenset[str]], dict[str, float], dict[str, str]]


def self_declared(refs: References, elements: Iterable[tuple[str, MarkedMap, Any]]) -> Declared:
    """Per element (id, fields, anything): the risks it accepts, the keys it writes, its
    availability figure and what it stands for if assumed, for those that declare them."""
    accepted: Accepted = {}
    declared: dict[str, frozenset[str]] = {}
    availability: dict[str, float] = {}
    assumed: dict[str, str] = {}
    # elements of a section mostly write the same keys: one set each, and whether it
    # holds any key read below (most hold none: 20 ms of calls skipped at 100k)
    key_sets: dict[frozenset[str], tuple[frozenset[str], bool]] = {}
    for eid, node, _ in elements:
        keys = frozenset(node)
        shared = key_sets.get(keys)
        if shared is None:
            shared = key_sets[keys] = (keys, keys.isdisjoint(_READ))
        declared[eid] = shared[0]
        if shared[1]:
            continue
        _availability(refs, eid, node, availability)
        if node.get("accept"):
            accepted[eid] = written_acceptances(node["accept"])
        what = node.get("assumed")
        if what:
            assumed[eid] = what if isinstance(what, str) else ASSUMED
    return accepted, declared, availability, assumed


def _availability(refs: References, eid: str, node: MarkedMap, out: dict[str, float]) -> None:
    """An element's own availability figure, if it declares one: `availability`
    (percent), or `mtbf` and `mttr` (hours) as mtbf / (mtbf + mttr)."""
    if "availability" in node:
        if "mtbf" in node or "mttr" in node:
            raise refs.fail(node, "availability", "give `availability` or `mtbf` and `mttr`, not both")
        out[eid] = percent(refs, node, "availability") / 100
    elif "mtbf" in node or "mttr" in node:
        if "mtbf" not in node or "mttr" not in node:
            raise refs.fail(node, "mtbf" if "mtbf" in node else "mttr", "`mtbf` and `mttr` go together")
        out[eid] = node["mtbf"] / (node["mtbf"] + node["mttr"])


def percent(refs: References, node: MarkedMap, key: str) -> float:
    """A percentage (the schema holds it in (0, 100]); an InputError for one of 1 or
    less, almost surely a fraction (0.9999 for 99.99 %)."""
    value = node[key]
    if value <= 1:
        raise refs.fail(node, key, f"{value:g} looks like a fraction: `{key}` is in percent, write {value * 100:.10g}")
    return value
