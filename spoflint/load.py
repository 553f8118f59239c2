"""Stage 1, load: YAML files to plain data that remembers where everything was written.

PyYAML's loaders either forget positions (`safe_load`) or are slow and still accept
duplicate keys silently (`compose`). This module builds dicts and lists directly from
libyaml's event stream instead: fast, with the file, line and column of every key,
value and list item, and strict where plain YAML loading is lax:

- a key written twice in one mapping is an error (merge keys `<<` are honoured and do
  not count as duplicates; keys written in the mapping win over merged ones);
- only the standard tags are accepted, so a `!!python/...` tag is an error, never code;
- aliases are shared, not copied, and their expanded size is bounded (alias bombs),
  as are nesting depth and file size;
- mapping keys are read as the strings written (`on:` is the id "on", not True).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from .errors import InputError

MAX_DEPTH = 64
MAX_BYTES = 1 << 30
MAX_EXPANSION_FACTOR = 8  # expanded nodes per parsed event that aliases may add
MIN_EXPANSION_BUDGET = 1_000_000
YAML_SUFFIXES = (".yaml", ".yml")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STD = "tag:yaml.org,2002:"


class MarkedMap(dict):
    """A mapping that knows where it, each key and each value were written."""

    __slots__ = ("path", "line", "column", "where")

    def key_at(self, key) -> tuple[int, int]:
        kl, kc, _, _ = self.where[key]
        return kl, kc

    def value_at(self, key) -> tuple[int, int]:
        _, _, vl, vc = self.where[key]
        return vl, vc


class MarkedList(list):
    """A sequence that knows where it and each item were written."""

    __slots__ = ("path", "line", "column", "where")

    def item_at(self, index: int) -> tuple[int, int]:
        return self.where[index]


def locate(node, steps) -> tuple[int, int]:
    """Line and column of the value reached from `node` by `steps` (keys and indexes),
    or of the deepest container on the way that has it."""
    line, column = node.line, node.column
    for step in steps:
        if isinstance(node, MarkedMap) and step in node.where:
            line, column = node.value_at(step)
        elif isinstance(node, MarkedList) and isinstance(step, int) and step < len(node.where):
            line, column = node.item_at(step)
        else:
            break
        node = node[step]
        if isinstance(node, (MarkedMap, MarkedList)):
            line, column = node.line, node.column
    return line, column


# --- scalars ----------------------------------------------------------------------

_resolvers = yaml.resolver.Resolver.yaml_implicit_resolvers
_construct = yaml.constructor.SafeConstructor()
_scalar_cache: dict[str, object] = {}


def _plain(value: str):
    """Resolve a plain scalar as YAML 1.1 (PyYAML's rules), timestamps left as text."""
    try:
        return _scalar_cache[value]
    except KeyError:
        pass
    result: object = value
    for tag, regexp in _resolvers.get(value[:1], ()):
        if regexp.match(value):
            result = _typed(tag, value)
            break
    if len(_scalar_cache) < 100_000:
        _scalar_cache[value] = result
    return result


def _typed(tag: str, value: str):
    node = yaml.ScalarNode(tag, value)
    if tag == _STD + "null":
        return None
    if tag == _STD + "bool":
        return _construct.construct_yaml_bool(node)
    if tag == _STD + "int":
        return _construct.construct_yaml_int(node)
    if tag == _STD + "float":
        return _construct.construct_yaml_float(node)
    return value  # timestamps, merge markers, values: kept as written


_EXPLICIT = {
    _STD + "str": str,
    _STD + "int": int,
    _STD + "float": float,
    _STD + "bool": bool,
    _STD + "null": type(None),
}


def _tagged(path: str, event) -> object:
    tag = event.tag
    if tag in (None, "!"):
        return _plain(event.value) if event.implicit[0] else event.value
    if tag == _STD + "str":
        return event.value
    if tag in _EXPLICIT:
        value = _plain(event.value)
        if isinstance(value, _EXPLICIT[tag]) and not (tag == _STD + "int" and isinstance(value, bool)):
            return value
        mark = event.start_mark
        raise InputError(path, mark.line + 1, mark.column + 1,
                         f"{event.value!r} is not a valid {tag[len(_STD):]}")
    raise _bad_tag(path, event)


def _bad_tag(path: str, event) -> InputError:
    mark = event.start_mark
    return InputError(path, mark.line + 1, mark.column + 1,
                      f"YAML tag {event.tag!r} is not allowed (only plain data is read)")


# --- documents --------------------------------------------------------------------

def load_file(path: str | os.PathLike, shown: str | None = None) -> MarkedMap:
    """Read one YAML file holding one document whose top level is a mapping."""
    shown = shown or str(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise InputError(shown, 1, 1, f"file is {size} bytes; the limit is {MAX_BYTES}")
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise InputError(shown, 1, 1, f"cannot read file: {error.strerror or error}") from None
    return load_text(data, shown)


def load_text(data: bytes | str, shown: str) -> MarkedMap:
    """Parse YAML text into a MarkedMap; every failure is an InputError."""
    documents = []
    try:
        documents = _build(data, shown)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(p for p in (error.context, error.problem) if p) or "invalid YAML"
        raise InputError(shown, line, column, f"invalid YAML: {message}") from None
    except yaml.YAMLError as error:  # reader errors: bad encoding, control characters
        raise InputError(shown, 1, 1, f"invalid YAML: {_one_line(str(error))}") from None
    except RecursionError:
        raise InputError(shown, 1, 1, "document nested too deeply") from None
    if not documents:
        raise InputError(shown, 1, 1, "the file holds no YAML document")
    if len(documents) > 1:
        line, column = documents[1][1]
        raise InputError(shown, line, column, "expected one YAML document, found several")
    root, (line, column) = documents[0]
    if not isinstance(root, MarkedMap):
        raise InputError(shown, line, column, "the top level must be a mapping (version, hosts, services, ...)")
    return root


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _build(data, path: str):
    """Build documents from the event stream without recursion."""
    documents = []
    anchors: dict[str, tuple[object, int]] = {}
    stack: list[list] = []  # frames: [container, pending_key, key_mark, weight, merges, anchor]
    events = 0
    expanded = 0
    for event in yaml.parse(data, Loader=_Loader):
        events += 1
        kind = type(event)
        if kind is yaml.ScalarEvent:
            mark = event.start_mark
            if stack and stack[-1][1] is _NO_KEY and isinstance(stack[-1][0], MarkedMap):
                # a mapping key: kept as the text written
                if event.tag not in (None, "!", _STD + "str"):
                    raise _bad_tag(path, event)
                frame = stack[-1]
                frame[1] = event.value
                frame[2] = (mark.line + 1, mark.column + 1)
                continue
            value = _tagged(path, event)
            _add(stack, documents, value, mark, 1, path, event.anchor, anchors)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.tag not in (None, "!", _STD + "map", _STD + "seq"):
                raise _bad_tag(path, event)
            if len(stack) >= MAX_DEPTH:
                mark = event.start_mark
                raise InputError(path, mark.line + 1, mark.column + 1,
                                 f"nested more than {MAX_DEPTH} levels deep")
            mark = event.start_mark
            container = MarkedMap() if kind is yaml.MappingStartEvent else MarkedList()
            container.path = path
            container.line = mark.line + 1
            container.column = mark.column + 1
            container.where = {} if kind is yaml.MappingStartEvent else []
            if stack and stack[-1][1] is _NO_KEY and isinstance(stack[-1][0], MarkedMap):
                raise InputError(path, mark.line + 1, mark.column + 1,
                                 "a mapping key must be a plain value, not a mapping or list")
            stack.append([container, _NO_KEY, None, 1, None, event.anchor, mark])
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            container, _, _, weight, merges, anchor, mark = stack.pop()
            if merges:
                weight += _merge(container, merges)
            _add(stack, documents, container, mark, weight, path, anchor, anchors)
        elif kind is yaml.AliasEvent:
            mark = event.start_mark
            if event.anchor not in anchors:
                raise InputError(path, mark.line + 1, mark.column + 1,
                                 f"unknown alias *{event.anchor}")
            value, weight = anchors[event.anchor]
            expanded += weight
            if expanded > max(MIN_EXPANSION_BUDGET, MAX_EXPANSION_FACTOR * events):
                raise InputError(path, mark.line + 1, mark.column + 1,
                                 "aliases expand to too many nodes (an alias bomb?)")
            if stack and stack[-1][1] is _NO_KEY and isinstance(stack[-1][0], MarkedMap):
                raise InputError(path, mark.line + 1, mark.column + 1,
                                 "an alias cannot be a mapping key")
            _add(stack, documents, value, mark, weight, path, None, anchors)
        elif kind is yaml.DocumentStartEvent:
            anchors = {}
    return documents


class _NoKey:
    __slots__ = ()


_NO_KEY = _NoKey()


def _add(stack, documents, value, mark, weight, path, anchor, anchors):
    """Attach a finished value to the container being built (or as a document)."""
    if anchor is not None:
        anchors[anchor] = (value, weight)
    at = (mark.line + 1, mark.column + 1)
    if not stack:
        documents.append((value, at))
        return
    frame = stack[-1]
    container = frame[0]
    frame[3] += weight
    if isinstance(container, MarkedList):
        container.append(value)
        container.where.append(at)
        return
    key = frame[1]
    key_at = frame[2]
    frame[1] = _NO_KEY
    if key == "<<" and key_at is not None:
        merges = frame[4] if frame[4] is not None else []
        sources = value if isinstance(value, list) else [value]
        for source in sources:
            if not isinstance(source, MarkedMap):
                raise InputError(path, key_at[0], key_at[1],
                                 "a merge key (<<) takes a mapping or a list of mappings")
            merges.append(source)
        frame[4] = merges
        return
    if key in container:
        first = container.where[key]
        raise InputError(path, key_at[0], key_at[1],
                         f"duplicate key {key!r} (first written at line {first[0]})")
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


# --- paths ------------------------------------------------------------------------

def expand_paths(paths: list[str]) -> list[tuple[Path, bool]]:
    """Files to read: (path, named) where named means the user named the file itself.

    A directory contributes its YAML files, recursively and in sorted order, skipping
    hidden files and folders; whether such a file is a topology is decided later.
    """
    found: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                        child = Path(root) / name
                        if child.resolve() not in seen:
                            seen.add(child.resolve())
                            found.append((child, False))
        elif path.exists():
            if path.resolve() not in seen:
                seen.add(path.resolve())
                found.append((path, True))
        else:
            raise InputError(str(raw), 1, 1, "no such file or directory")
    return found


def shown_path(path: Path) -> str:
    """The path as reports show it: relative to the current directory, with `/`."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = str(path)
    return rel.replace(os.sep, "/")
