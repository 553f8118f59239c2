"""Chains: how one element's failure leads to a node, as element ids from the element up.

The walk goes from the node down to the element: at an `all` or `k-of-n` gate to the
first input whose single-failure set holds the element, at an `any` gate to its first
input (every input's set holds it), at a network node's reachability through the vertex
the element's event removes on the node's way out (`SingleFailures.cut_by`). Helper
nodes read back as their elements (`web-1#ok` is `web-1`), each element once in a row.

A chain of more than `keep` elements is shown by its ends: the first and last
`keep // 2` around `... N more ...`. A 20,000-PDU chain makes 20,000 findings, each
with a chain through the rest of the PDUs: written out, that is n² elements, and so is
walking it. Past `runs.LONG` steps to first inputs in a row the walk crosses the rest of
such a run by bisection (runs.py), and only the ends are read, so such a chain costs
each finding a few steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .. import graph as fg
from .runs import LONG, Runs, nested

if TYPE_CHECKING:
    from .single import SingleFailures

# a part of the walk, top down: the keys of a run from its first to its last key, or element ids
Segment = tuple[str, str] | list[str]


def more(hidden: int) -> str:
    """What stands for the elements a long chain does not show."""
    return f"... {hidden:,} more ..."


def chain(sf: SingleFailures, element: str, key: str, keep: int | None = None) -> list[str]:
    """Element ids from `element` up to node `key`; past `keep` elements, its ends."""
    segments, runs = _path(sf, element, key)
    if keep is not None and runs is not None:
        count = _count(runs, segments, element)
        if count > keep:
            half = keep // 2
            head = _first(_ids(_keys_up(runs, segments), element), half)
            tail = _first(_ids(_keys_down(runs, segments)), half)[::-1]
            return [*head, more(count - 2 * half), *tail]
    return shown(list(_ids(reversed(list(_keys_down(runs, segments))), element)), keep)


def shown(ids: list[str], keep: int | None) -> list[str]:
    """A chain as a finding carries it: whole up to `keep` elements, else its two ends."""
    if keep is None or len(ids) <= keep:
        return ids
    half = keep // 2
    return [*ids[:half], more(len(ids) - 2 * half), *ids[-half:]]


def _path(sf: SingleFailures, element: str, key: str) -> tuple[list[Segment], Runs | None]:
    """The walk's segments from `key` down, and the runs if it used them."""
    gates, contains = sf.g.gates, sf.contains
    segments: list[Segment] = []
    runs: Runs | None = None
    steps = in_run = 0  # keys walked; of the last ones, how many in a row were one-input gates
    while True:
        steps += 1
        gate = gates[key]
        in_run = in_run + 1 if nested(gate) else 0
        if runs is None and in_run > LONG:
            runs = sf.runs
        if runs is not None and key in runs.below and gate.own != element:
            last = runs.last(key, lambda k: contains(k, element))
            segments.append((key, last))
            key, gate = last, gates[last]
        else:
            segments.append((key, key))
        if gate.own == element:
            break
        if gate.op == fg.REACH:
            inner, inner_runs = _reach_path(sf, element, gate.inputs[0])
            segments += inner
            runs = runs or inner_runs
            break
        nxt = next((i for i in gate.inputs if contains(i, element)), None)
        if nxt is None:
            break
        key = nxt
    sf.walked += steps
    return segments, runs


def _reach_path(sf: SingleFailures, element: str, node: str) -> tuple[list[Segment], Runs | None]:
    """From network node `node` cut off by `element`'s event down to the element:
    through the removed vertex on `node`'s way out, and how the element removes it."""
    v = sf.cut_by(element, node)
    if v is None or v == element:
        return [[node, element] if node != element else [element]], None
    segments, runs = _path(sf, element, v)
    return ([[node]] if node != v else []) + segments, runs


def _keys_down(runs: Runs | None, segments: list[Segment]) -> Iterator[str]:
    for s in segments:
        if isinstance(s, list):
            yield from s
        elif s[0] == s[1]:
            yield s[0]
        else:
            assert runs is not None
            yield from runs.keys_down(*s)


def _keys_up(runs: Runs, segments: list[Segment]) -> Iterator[str]:
    for s in reversed(segments):
        if isinstance(s, list):
            yield from reversed(s)
        elif s[0] == s[1]:
            yield s[0]
        else:
            yield from runs.keys_up(s[1], s[0])


def _ids(keys: Iterable[str], element: str | None = None) -> Iterator[str]:
    """The elements of keys, each once in a row; from the element's end, the element first."""
    last = None
    for key in keys:
        eid = fg.element_of(key)
        if last is None and element is not None and eid != element:
            yield element
        if eid != last:
            yield eid
            last = eid


def _first(ids: Iterator[str], n: int) -> list[str]:
    return [next(ids) for _ in range(n)]


def _count(runs: Runs, segments: list[Segment], element: str) -> int:
    """How many elements the chain has, without reading the runs' keys."""
    count, last = 0, None
    for s in segments:
        if isinstance(s, list):
            for eid in s:
                count += eid != last
                last = eid
            continue
        top, bottom = s
        count += fg.element_of(top) != last
        if top != bottom:
            count += runs.element_steps(top, bottom)
        last = fg.element_of(bottom)
    return count + (last != element)
