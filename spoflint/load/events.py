"""The builder: dicts and lists straight from libyaml's event stream, with positions."""

from __future__ import annotations

import yaml

from ..errors import InputError, quote
from ..nogc import pausing
from .limits import MAX_DEPTH, MAX_EXPANSION_FACTOR, MIN_EXPANSION_BUDGET
from .marked import MarkedList, MarkedMap
from .scalars import _STD, _bad_tag, _resolvers, _scalar_cache, _tagged

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parsed(data, shown: str):
    """`_build` on libyaml; libyaml 0.2.6 and later stop at 1000 levels of nesting, ahead
    of the events, before our lower limit can say where: then the pure-Python parser,
    which streams, lets `_build` stop at MAX_DEPTH with a position."""
    try:
        return _build(data, shown)
    except yaml.MarkedYAMLError as error:
        if "nesting depth" not in str(error.problem or ""):
            raise
    return _build(data, shown, yaml.SafeLoader)


@pausing
def _build(data, path: str, loader=_Loader):
    """Build documents from the event stream without recursion.

    Returns (root, where the root starts, where the document starts) per document.

    This loop runs once per YAML event (five or so per element), so it is written for
    speed: the container being built lives in local variables (its frame is pushed only
    when a child container opens), events are told apart by their class, and a plain
    scalar that cannot be anything but text skips the resolvers. `_add` says the same
    thing slowly, for the rare paths (aliases, merge keys, the document root).
    """
    documents: list = []
    anchors: dict[str, tuple[object, int]] = {}
    open_anchors: set[str] = set()  # anchored containers still being built
    document_at = (1, 1)
    stack: list[list] = []  # frames of the enclosing containers
    # the container being built, as locals: None at a document's top level
    container = where = None
    is_map = False
    key = _NO_KEY  # a mapping's pending key, and where it was written
    key_line = key_column = 0
    weight = 0  # nodes in the container, aliases expanded (for alias bombs)
    merges = None
    anchor = None
    start = None  # the container's start mark
    events = 0
    expanded = 0
    cache = _scalar_cache
    resolvable = _resolvers  # first characters a plain scalar needs resolving for
    miss = _NO_KEY
    Scalar, MapStart, MapEnd = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.MappingEndEvent
    SeqStart, SeqEnd = yaml.SequenceStartEvent, yaml.SequenceEndEvent
    Alias, DocStart = yaml.AliasEvent, yaml.DocumentStartEvent
    container_tags = (None, "!", _STD + "map", _STD + "seq")
    key_tags = (None, "!", _STD + "str")
    for event in yaml.parse(data, Loader=loader):
        events += 1
        kind = event.__class__
        if kind is Scalar:
            mark = event.start_mark
            if key is _NO_KEY and is_map:  # a mapping key: kept as the text written
                if event.tag not in key_tags:
                    raise _bad_tag(path, event)
                value = event.value
                # only a plain << is a merge key; a quoted one is just text
                key = _MERGE if value == "<<" and event.implicit[0] else value
                key_line = mark.line + 1
                key_column = mark.column + 1
                continue
            value = event.value
            if event.tag is not None:
                value = _tagged(path, event)
            elif event.implicit[0] and value[:1] in resolvable:  # plain, and maybe not text
                value = cache.get(value, miss)
                if value is miss:
                    value = _tagged(path, event)
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1)
            if is_map and key is not _MERGE:
                if key in container:
                    raise _duplicate(path, container, key, key_line, key_column)
                container[key] = value
                where[key] = (key_line, key_column, mark.line + 1, mark.column + 1)
                key = _NO_KEY
                weight += 1
            elif container is not None and not is_map:
                container.append(value)
                where.append((mark.line + 1, mark.column + 1))
                weight += 1
            else:
                frame = [container, key, (key_line, key_column), weight, merges]
                _add(frame, documents, value, mark, 1, path, document_at)
                key, weight, merges = frame[1], frame[3], frame[4]
        elif kind is MapStart or kind is SeqStart:
            mark = event.start_mark
            if event.tag not in container_tags:
                raise _bad_tag(path, event)
            if key is _NO_KEY and is_map:
                raise InputError(
                    path, mark.line + 1, mark.column + 1, "a mapping key must be a plain value, not a mapping or list"
                )
            if len(stack) >= MAX_DEPTH:  # the frames of the containers open around it
                raise InputError(path, mark.line + 1, mark.column + 1, f"nested more than {MAX_DEPTH} levels deep")
            stack.append([container, where, is_map, key, key_line, key_column, weight, merges, anchor, start])
            if kind is MapStart:
                container = MarkedMap()
                where = {}
                is_map = True
            else:
                container = MarkedList()
                where = []
                is_map = False
            container.path = path
            container.line = mark.line + 1
            container.column = mark.column + 1
            container.where = where
            key = _NO_KEY
            weight = 1
            merges = None
            anchor = event.anchor
            start = mark
            if anchor is not None:
                open_anchors.add(anchor)
        elif kind is MapEnd or kind is SeqEnd:
            value, mark, value_weight = container, start, weight
            if merges:
                value_weight += _merge(value, merges)
            if anchor is not None:
                open_anchors.discard(anchor)
                anchors[anchor] = (value, value_weight)
            container, where, is_map, key, key_line, key_column, weight, merges, anchor, start = stack.pop()
            if is_map and key is not _MERGE:
                if key in container:
                    raise _duplicate(path, container, key, key_line, key_column)
                container[key] = value
                where[key] = (key_line, key_column, mark.line + 1, mark.column + 1)
                key = _NO_KEY
                weight += value_weight
            elif container is not None and not is_map:
                container.append(value)
                where.append((mark.line + 1, mark.column + 1))
                weight += value_weight
            else:
                frame = [container, key, (key_line, key_column), weight, merges]
                _add(frame, documents, value, mark, value_weight, path, document_at)
                key, weight, merges = frame[1], frame[3], frame[4]
        elif kind is Alias:
            mark = event.start_mark
            if key is _NO_KEY and is_map:
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
            value, value_weight = anchors[event.anchor]
            expanded += value_weight
            if expanded > max(MIN_EXPANSION_BUDGET, MAX_EXPANSION_FACTOR * events):
                raise InputError(
                    path, mark.line + 1, mark.column + 1, "aliases expand to too many nodes (an alias bomb?)"
                )
            frame = [container, key, (key_line, key_column), weight, merges]
            _add(frame, documents, value, mark, value_weight, path, document_at)
            key, weight, merges = frame[1], frame[3], frame[4]
        elif kind is DocStart:
            anchors = {}
            open_anchors = set()
            document_at = (event.start_mark.line + 1, event.start_mark.column + 1)
    return documents


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


_NO_KEY = _Marker("<no key>")  # a mapping waits for its next key
_MERGE = _Marker("<<")  # the pending key is a merge key


def _duplicate(path, container, key, key_line, key_column) -> InputError:
    first = container.where[key]
    return InputError(
        path, key_line, key_column, f"duplicate key {quote(key)} (first written at line {first[0]}, column {first[1]})"
    )


def _add(frame, documents, value, mark, weight, path, document_at):
    """Attach a finished value to the container of `frame` ([container, pending key,
    where the key was written, weight, merges]), or as a document when there is none."""
    at = (mark.line + 1, mark.column + 1)
    container = frame[0]
    if container is None:
        documents.append((value, at, document_at))
        return
    frame[3] += weight
    if isinstance(container, MarkedList):
        container.append(value)
        container.where.append(at)
        return
    key = frame[1]
    key_at = frame[2]
    frame[1] = _NO_KEY
    if key is _MERGE:
        merges = frame[4] if frame[4] is not None else []
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, MarkedMap):
                raise InputError(path, key_at[0], key_at[1], "a merge key (<<) takes a mapping or a list of mappings")
            merges.append(source)
        frame[4] = merges
        return
    if key in container:
        raise _duplicate(path, container, key, *key_at)
    container[key] = value
    container.where[key] = (key_at[0], key_at[1], at[0], at[1])


def _merge(container: MarkedMap, merges: list) -> int:
    """Apply `<<` merges: earlier sources win over later ones, written keys over all."""
    added = 0
    for source in merges:
        for key, value in source.items():
            if key not in container:
                container[key] = value
                container.where[key] = source.where[key]
                added += 1
    return added
