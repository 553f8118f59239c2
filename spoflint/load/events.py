"""The builder: dicts and lists straight from libyaml's event stream, with positions.

`_build` turns the events of a YAML text into MarkedMaps, MarkedLists and scalars
without recursion, checking as it goes what plain YAML loading lets through: duplicate
keys, tags other than the standard ones, keys that are not plain values, aliases that
name nothing, name their own node or expand past a budget (alias bombs), and nesting
past MAX_DEPTH. `_parsed` runs it on libyaml, with the pure-Python parser as the
fallback for deep nesting; first, where it was built, `_cevents` (the common case in C,
which hands back to `_build` whatever needs more than plain mappings, lists and scalars).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from ..errors import InputError, quote
from ..nogc import pausing
from .comments import Spans, noting
from .limits import MAX_DEPTH, MAX_EXPANSION_FACTOR, MIN_EXPANSION_BUDGET
from .marked import MarkedList, MarkedMap
from .scalars import _STD, _bad_tag, _plain, _resolvers, _scalar_cache, _tagged

try:
    from . import _cevents
except ImportError:  # installed without a C compiler or libyaml's headers: `_build` reads every text
    _cevents = None  # type: ignore[assignment]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Position = tuple[int, int]  # 1-based line and column
Document = tuple[object, Position, Position]  # root, where the root starts, where the document starts


def _parsed(
    data: bytes, shown: str, opaque: frozenset[str] = frozenset(), spans: Spans | None = None
) -> list[Document]:
    """`_build` on libyaml; libyaml 0.2.6 and later stop at 1000 levels of nesting, ahead
    of the events, before our lower limit can say where: then the pure-Python parser,
    which streams, lets `_build` stop at MAX_DEPTH with a position. `opaque`: local tags
    read as plain values (a foreign format's, like Ansible's `!vault`). `spans`: a list
    to gather the spans of scalars holding a `#` in (for the accept comments).

    `_cevents.build` goes first: the same documents, three times as fast, or None for a
    text with an anchor, alias, tag, merge key or error, which `_build` then reads anew."""
    if _cevents is not None:
        built = _c_built(data, shown, spans)
        if built is not None:
            return built
        if spans:
            spans.clear()
    try:
        return _build(data, shown, opaque=opaque, spans=spans)
    except yaml.MarkedYAMLError as error:
        if "nesting depth" not in str(error.problem or ""):
            raise
    if spans:
        spans.clear()
    return _build(data, shown, yaml.SafeLoader, opaque, spans)


@pausing
def _c_built(data: bytes, shown: str, spans: Spans | None) -> list[Document] | None:
    """The C builder's documents, or None where it hands the text over (at worst after
    reading all of it: a fifth of what `_build` then takes), the collector paused."""
    assert _cevents is not None
    return _cevents.build(data, shown, MarkedMap, MarkedList, _resolvers, _scalar_cache, _plain, spans, MAX_DEPTH)


class _Marker:
    """A value that no key written in a file can be: the state of a pending key."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


_NO_KEY = _Marker("<no key>")  # a mapping waits for its next key
_MERGE = _Marker("<<")  # the pending key is a merge key
_ITEM = _Marker("<item>")  # the container is a list (or the stream's list of documents): no keys


@pausing
def _build(
    data: bytes,
    path: str,
    loader: type[yaml.SafeLoader | yaml.CSafeLoader] = _Loader,
    opaque: frozenset[str] = frozenset(),
    spans: Spans | None = None,
) -> list[Document]:
    """Build documents from the event stream without recursion.

    Returns (root, where the root starts, where the document starts) per document.
    With `spans` (only for a file that may have an accept comment), the quoted and block
    scalars that could hide one are noted there (`comments.noting`).

    This loop runs once per YAML event (five or so per element), so it is written for
    speed: the container being built lives in local variables (its frame is pushed only
    when a child container opens), events are told apart by their class, a plain scalar
    that cannot be anything but text skips the resolvers, and each finished value is
    attached to its container by the code at the end of the loop. The rare paths are
    functions: aliases (`_alias`), merge keys (`_merge_key`, `_merge_sources`, `_merge`),
    tags (`_tagged`, `_bad_tag`) and errors.

    Splitting those out (complexity 42 -> 25) cost no speed. Measured against the loop
    before, both on the same bytes, interleaved, median of 9 (`bench/generate.py`
    estates): 10k elements 62 ms before and after, 100k elements 680-686 ms before,
    679-683 ms after; the runs differ by less than their noise (about 1.5%).
    """
    roots: list[object] = []  # the stream's documents: the container at the top level
    roots_at: list[Position] = []
    starts: list[Position] = []  # where each document starts
    anchors: dict[str, tuple[object, int]] = {}  # anchor -> (value, nodes it expands to)
    open_anchors: set[str] = set()  # anchored containers still being built
    stack: list[tuple[Any, ...]] = []  # frames of the enclosing containers
    # The container being built, as locals. mypy cannot follow which kind it is (the
    # pending key says: _ITEM for a list, a text or _NO_KEY or _MERGE for a mapping), so
    # these three are Any here; the functions that take them are typed.
    container: Any = roots
    where: Any = roots_at
    key: Any = _ITEM  # a mapping's pending key, and where it was written
    key_line = key_column = 0
    weight = 0  # nodes in the container, aliases expanded (for alias bombs)
    merges: list[MarkedMap] | None = None
    anchor: str | None = None
    start: Any = None  # the container's start mark
    events = 0
    expanded = 0
    cache = _scalar_cache
    resolvable = _resolvers  # first characters a plain scalar needs resolving for
    miss = _NO_KEY
    Scalar, Alias, DocStart = yaml.ScalarEvent, yaml.AliasEvent, yaml.DocumentStartEvent
    MapStart = yaml.MappingStartEvent
    starts_container = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    ends_container = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    container_tags = (None, "!", _STD + "map", _STD + "seq", *opaque)  # a local tag allowed: a plain container
    key_tags = (None, "!", _STD + "str", *opaque)
    event: Any  # told apart by class below, which mypy cannot follow
    for event in _stream(data, loader, spans):
        events += 1
        kind = event.__class__
        if kind is Scalar:
            mark = event.start_mark
            if key is _NO_KEY:  # a mapping key: kept as the text written
                if event.tag not in key_tags:
                    raise _bad_tag(path, event)
                key = event.value
                if key == "<<":
                    key = _merge_key(event)
                key_line = mark.line + 1
                key_column = mark.column + 1
                continue
            value = event.value
            if event.tag is not None:
                value = _tagged(path, event, opaque)
            elif event.implicit[0] and value[:1] in resolvable:  # plain, and maybe not text
                value = cache.get(value, miss)
                if value is miss:
                    value = _tagged(path, event)
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1)
            value_weight = 1
        elif kind in ends_container:
            value, mark, value_weight = container, start, weight
            if merges:
                value_weight += _merge(value, merges)
            if anchor is not None:
                open_anchors.discard(anchor)
                anchors[anchor] = (value, value_weight)
            container, where, key, key_line, key_column, weight, merges, anchor, start = stack.pop()
        elif kind in starts_container:
            mark = event.start_mark
            if event.tag not in container_tags:
                raise _bad_tag(path, event)
            if key is _NO_KEY:
                raise InputError(
                    path, mark.line + 1, mark.column + 1, "a mapping key must be a plain value, not a mapping or list"
                )
            if len(stack) >= MAX_DEPTH:  # the frames of the containers open around it
                raise InputError(path, mark.line + 1, mark.column + 1, f"nested more than {MAX_DEPTH} levels deep")
            stack.append((container, where, key, key_line, key_column, weight, merges, anchor, start))
            if kind is MapStart:
                container = MarkedMap()
                where = {}
                key = _NO_KEY
            else:
                container = MarkedList()
                where = []
                key = _ITEM
            container.path = path
            container.line = mark.line + 1
            container.column = mark.column + 1
            container.where = where
            weight = 1
            merges = None
            anchor = event.anchor
            start = mark
            if anchor is not None:
                open_anchors.add(anchor)
            continue
        elif kind is Alias:
            mark = event.start_mark
            value, value_weight = _alias(event, path, key, anchors, open_anchors, expanded, events)
            expanded += value_weight
        else:  # the stream's and the documents' own events
            if kind is DocStart:
                anchors = {}
                open_anchors = set()
                starts.append((event.start_mark.line + 1, event.start_mark.column + 1))
            continue
        # attach the finished value (a scalar, a container just closed, an alias's) to its container
        if key is _ITEM:
            container.append(value)
            where.append((mark.line + 1, mark.column + 1))
        elif key is not _MERGE:
            if key in container:
                raise _duplicate(path, container, key, key_line, key_column)
            container[key] = value
            where[key] = (key_line, key_column, mark.line + 1, mark.column + 1)
            key = _NO_KEY
        else:
            merges = _merge_sources(path, merges, value, key_line, key_column)
            key = _NO_KEY
        weight += value_weight
    return list(zip(roots, roots_at, starts))


def _stream(data: bytes, loader: type[yaml.SafeLoader | yaml.CSafeLoader], spans: Spans | None) -> Iterator[Any]:
    """The text's events; with `spans`, read through `comments.noting`.

    From libyaml, straight from the parser's `get_event` until it has none (`iter` calls
    it from C): `yaml.parse`'s generator costs a Python frame switch and a `check_event`
    per event, a tenth of the load (its `dispose` is a no-op for the C parser). The
    pure-Python parser goes through `yaml.parse`, whose `dispose` breaks its cycles."""
    events: Iterator[Any]
    if loader is _Loader and _Loader is not yaml.SafeLoader:
        events = iter(loader(data).get_event, None)
    else:
        events = yaml.parse(data, Loader=loader)
    return events if spans is None else noting(events, spans)


def _merge_key(event: Any) -> str | _Marker:
    """A key written `<<`: the merge key when plain; quoted, it is just text."""
    return _MERGE if event.implicit[0] else event.value


def _alias(
    event: Any,
    path: str,
    key: object,
    anchors: dict[str, tuple[object, int]],
    open_anchors: set[str],
    expanded: int,
    events: int,
) -> tuple[object, int]:
    """The value an alias names and the nodes it expands to; an InputError when it is a
    mapping key, names the node it is inside of or nothing, or when the nodes aliases
    expand to (`expanded` before this one) pass the budget for `events` parsed events."""
    mark = event.start_mark
    if key is _NO_KEY:
        raise InputError(path, mark.line + 1, mark.column + 1, "an alias cannot be a mapping key")
    if event.anchor in open_anchors:
        raise InputError(
            path,
            mark.line + 1,
            mark.column + 1,
            f"alias *{event.anchor} is inside the node it names (a recursive alias)",
        )
    if event.anchor not in anchors:
        raise InputError(
            path,
            mark.line + 1,
            mark.column + 1,
            f"unknown alias *{event.anchor} (no &{event.anchor} before it)",
        )
    value, weight = anchors[event.anchor]
    if expanded + weight > max(MIN_EXPANSION_BUDGET, MAX_EXPANSION_FACTOR * events):
        raise InputError(path, mark.line + 1, mark.column + 1, "aliases expand to too many nodes (an alias bomb?)")
    return value, weight


def _duplicate(path: str, container: MarkedMap, key: str, key_line: int, key_column: int) -> InputError:
    first = container.where[key]
    return InputError(
        path, key_line, key_column, f"duplicate key {quote(key)} (first written at line {first[0]}, column {first[1]})"
    )


def _merge_sources(
    path: str, merges: list[MarkedMap] | None, value: object, key_line: int, key_column: int
) -> list[MarkedMap]:
    """The value of a merge key (`<<`), a mapping or a list of mappings, added to the
    sources to merge into its mapping when that ends."""
    merges = merges if merges is not None else []
    sources = value if isinstance(value, list) else [value]
    for source in sources:
        if not isinstance(source, MarkedMap):
            raise InputError(path, key_line, key_column, "a merge key (<<) takes a mapping or a list of mappings")
        merges.append(source)
    return merges


def _merge(container: MarkedMap, merges: list[MarkedMap]) -> int:
    """Apply `<<` merges: earlier sources win over later ones, written keys over all."""
    added = 0
    for source in merges:
        for key, value in source.items():
            if key not in container:
                container[key] = value
                container.where[key] = source.where[key]
                added += 1
    return added
