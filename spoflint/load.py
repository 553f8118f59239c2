"""Stage 1, load: YAML files to plain data that remembers where everything was written.

PyYAML's loaders either forget positions (`safe_load`) or are slow and still accept
duplicate keys silently (`compose`). This module builds dicts and lists directly from
libyaml's event stream instead: fast, with the file, line and column of every key,
value and list item, and strict where plain YAML loading is lax:

- a key written twice in one mapping is an error (merge keys `<<` are honoured and do
  not count as duplicates; keys written in the mapping win over merged ones);
- only the standard tags are accepted, so a `!!python/...` tag is an error, never code;
- aliases are shared, not copied, and their expanded size is bounded (alias bombs),
  as are nesting depth, file size and the size of a number;
- mapping keys are read as the strings written (`on:` is the id "on", not True).

Every failure, from bytes that are not text to a YAML syntax error, is one
`InputError` with the 1-based line and column where it was found.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

from .errors import InputError, quote
from .nogc import pausing

MAX_DEPTH = 64
MAX_BYTES = 256 << 20  # ~2M elements; a bigger file is hostile or a mistake
MAX_INT_BITS = 4096  # integers past this are not infrastructure (and Python's int/str limit is near)
MAX_EXPANSION_FACTOR = 8  # expanded nodes per parsed event that aliases may add
MIN_EXPANSION_BUDGET = 1_000_000
YAML_SUFFIXES = (".yaml", ".yml")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STD = "tag:yaml.org,2002:"


class MarkedMap(dict):
    """A mapping that knows where it, each key and each value were written (and, for a
    document's top level, its `# spoflint: accept` comments by line)."""

    __slots__ = ("path", "line", "column", "where", "comments")

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
    """Resolve a plain scalar as YAML 1.1 (PyYAML's rules), timestamps left as text.

    Raises ValueError for a number too large to be a number here."""
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
        if len(value) > MAX_INT_BITS:  # before int(), which refuses over 4300 digits
            raise ValueError(value)
        number = _construct.construct_yaml_int(node)
        if number.bit_length() > MAX_INT_BITS:  # sexagesimal 1:2:3:... grows without digits
            raise ValueError(value)
        return number
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
    if tag == _STD + "str" or (tag in (None, "!") and not event.implicit[0]):
        return event.value  # quoted, or tagged as text
    if tag is not None and tag not in _EXPLICIT:
        raise _bad_tag(path, event)
    mark = event.start_mark
    try:
        value = _plain(event.value)
    except ValueError:
        raise InputError(path, mark.line + 1, mark.column + 1,
                         f"the number {quote(event.value, 30)} is too large ({len(event.value)} characters)") from None
    if tag is None:
        return value
    if tag == _STD + "float" and type(value) is int:
        return float(value)
    if isinstance(value, _EXPLICIT[tag]) and not (tag == _STD + "int" and isinstance(value, bool)):
        return value
    raise InputError(path, mark.line + 1, mark.column + 1,
                     f"{quote(event.value)} is not a valid {tag[len(_STD):]}")


def _bad_tag(path: str, event) -> InputError:
    mark = event.start_mark
    tag = event.tag
    if tag.startswith(_STD):
        tag = "!!" + tag[len(_STD):]
    return InputError(path, mark.line + 1, mark.column + 1,
                      f"YAML tag {quote(tag)} is not allowed: a topology is plain data "
                      "(mappings, lists, strings, numbers, booleans)")


# --- documents --------------------------------------------------------------------

def load_file(path: str | os.PathLike, shown: str | None = None) -> MarkedMap:
    """Read one YAML file holding one document whose top level is a mapping."""
    shown = shown or str(path)
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise InputError(shown, 1, 1, _too_big(size))
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # +1: a file that grew since is still caught
    except OSError as error:
        raise InputError(shown, 1, 1, f"cannot read file: {error.strerror or error}") from None
    return load_text(data, shown)


def load_text(data: bytes | str, shown: str) -> MarkedMap:
    """Parse YAML text into a MarkedMap; every failure is an InputError."""
    if isinstance(data, str):
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError as error:  # lone surrogates from a lenient decode
            line, column = _line_column(data[: error.start])
            raise InputError(shown, line, column,
                             f"invalid text: character U+{ord(data[error.start]):04X} is not allowed") from None
    if len(data) > MAX_BYTES:
        raise InputError(shown, 1, 1, _too_big(len(data)))
    try:
        documents = _parsed(data, shown)
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(data, shown, error) from None
    except yaml.reader.ReaderError as error:
        raise _reader_error(data, shown, error) from None
    except yaml.YAMLError as error:
        raise InputError(shown, 1, 1, f"invalid YAML: {error}") from None
    if not documents:
        raise InputError(shown, 1, 1, "the file holds no YAML document (it is empty, or only comments)")
    if len(documents) > 1:
        line, column = _within(data, *documents[1][2])
        raise InputError(shown, line, column,
                         "a second YAML document: a topology file holds one (split it into files)")
    root, at, _ = documents[0]
    if not isinstance(root, MarkedMap):
        line, column = _within(data, *at)  # an empty document is "at" the end of the text
        raise InputError(shown, line, column,
                         f"the top level must be a mapping (version: 1, hosts: ..., services: ...), "
                         f"not {_kind_of(root)}")
    root.comments = accept_comments(data, shown)
    return root


def load_documents(data: bytes, shown: str) -> list[MarkedMap]:
    """Parse YAML text holding any number of documents (`---`), as Kubernetes manifests
    do, with the same builder and limits as `load_text`. Empty documents are dropped;
    one that is not a mapping is an InputError. (A topology is one document: use
    `load_text` for those.)"""
    if len(data) > MAX_BYTES:
        raise InputError(shown, 1, 1, _too_big(len(data)))
    try:
        documents = _parsed(data, shown)
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(data, shown, error) from None
    except yaml.reader.ReaderError as error:
        raise _reader_error(data, shown, error) from None
    except yaml.YAMLError as error:
        raise InputError(shown, 1, 1, f"invalid YAML: {error}") from None
    roots = []
    for root, at, _ in documents:
        if root is None:
            continue
        if not isinstance(root, MarkedMap):
            line, column = _within(data, *at)
            raise InputError(shown, line, column, f"a YAML document here is {_kind_of(root)}, not a mapping")
        roots.append(root)
    return roots


_ACCEPT = re.compile(rb"#\s*spoflint:\s*accept\b[ \t]*([^\s#]*)[ \t]*([^\r\n]*)")


def accept_comments(data: bytes, shown: str) -> dict[int, list[tuple[str, str, int]]]:
    """`# spoflint: accept RULE reason` comments: line -> [(rule, reason, column)]."""
    found: dict[int, list[tuple[str, str, int]]] = {}
    if b"spoflint:" not in data:
        return found
    for match in _ACCEPT.finditer(data):
        line = data.count(b"\n", 0, match.start()) + 1
        column = match.start() - (data.rfind(b"\n", 0, match.start()) + 1) + 1
        rule = match[1].decode("utf-8", "replace")
        reason = match[2].decode("utf-8", "replace").strip()
        if not rule or not reason:
            raise InputError(shown, line, column,
                             "write `# spoflint: accept RULE-ID reason`: the rule and a reason are required")
        found.setdefault(line, []).append((rule, reason, column))
    return found


def _too_big(size: int) -> str:
    return f"the file is {size:,} bytes; the limit is {MAX_BYTES:,} ({MAX_BYTES >> 20} MiB)"


def _kind_of(value) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string"


# --- where things went wrong ------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")  # YAML's line breaks


def _decode(data: bytes) -> str:
    codec = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    return data.decode(codec, "replace")


def _line_column(prefix: str) -> tuple[int, int]:
    """1-based line and column just after `prefix`, the text before a position."""
    breaks = list(_LINE_BREAK.finditer(prefix))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, len(prefix) - start + 1


def _char_at(data: bytes, line: int, column: int) -> str:
    lines = _LINE_BREAK.split(_decode(data), maxsplit=line)
    text = lines[line - 1] if line <= len(lines) else ""
    return text[column - 1] if column <= len(text) else ""


def _within(data: bytes, line: int, column: int) -> tuple[int, int]:
    """The position, or the end of the text if it is past it: libyaml reports the end
    of a file without a final line break one line further down."""
    if line <= data.count(b"\n") + 1:  # the usual case, without decoding a big file
        return line, column
    lines = _LINE_BREAK.split(_decode(data))
    if line <= len(lines):
        return line, column
    return len(lines), len(lines[-1]) + 1


def _reader_error(data: bytes, path: str, error) -> InputError:
    """Bytes that are not text: invalid UTF-8/16, or control characters."""
    position = error.position
    if "UTF-8" in str(error.reason):
        try:  # libyaml points at the bad continuation byte; point at the broken character
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            position = bad.start
    line, column = _line_column(_decode(data[:position]))
    if error.character == -1 or "UTF" in str(error.reason):
        codec = "UTF-16" if "UTF-16" in str(error.reason) else "UTF-8"
        byte = data[position: position + 1]
        found = f"here (byte 0x{byte[0]:02x})" if byte else "(it ends mid-character)"
        message = f"the file is not {codec} text {found}; is it binary, or in another encoding?"
    else:
        message = f"control character U+{error.character:04X} is not allowed in YAML; is the file binary?"
    return InputError(path, line, column, message)


# libyaml's problems, said the way a person would look for them
_PROBLEMS = {
    "mapping values are not allowed in this context":
        "unexpected ':'; quote a value that holds ': ', or check the indentation",
    "did not find expected <document start>":
        "bad indentation: the document's top level ended above this line",
    "found a tab character that violates indentation": "a tab cannot indent YAML; indent with spaces",
    "did not find expected node content": "a value is missing here",
    "block sequence entries are not allowed in this context":
        "a '- ' list item cannot start here; check the indentation",
    "found unexpected ':'": "unexpected ':' inside brackets; quote the value that holds it",
}
_STARTERS = {"anchor": "&", "alias": "*", "tag": "!", "block value": "| or >", "directive": "%"}


def _syntax_error(data: bytes, path: str, error) -> InputError:
    """A YAML syntax error: where libyaml found it, and what to look for."""
    mark = error.problem_mark or error.context_mark
    line, column = _within(data, mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem, opened = error.problem or "", error.context_mark
    context = re.sub(r"^while (parsing|scanning) (an? |the )?", "", error.context or "").replace("scalar", "value")
    since = f"line {opened.line + 1}, column {opened.column + 1}" if opened else "above"
    if problem in _PROBLEMS:
        message = _PROBLEMS[problem]
    elif problem == "found character that cannot start any token":
        char = _char_at(data, line, column)
        message = ("a tab cannot indent YAML; indent with spaces" if char == "\t"
                   else f"{char!r} cannot start a value; put the value in quotes")
    elif context in _STARTERS and opened:
        message = (f"{_STARTERS[context]} at {since} starts a YAML {context} that is not well formed; "
                   "quote a value that starts with it")
    elif problem == "did not find expected key":
        message = f"bad indentation: this line does not line up with the mapping at {since}"
    elif problem == "did not find expected '-' indicator":
        message = f"bad indentation: expected a '- ' item of the list at {since}"
    elif problem.startswith("did not find expected ',' or "):
        bracket = "[" if problem.endswith("']'") else "{"
        message = f"expected ',' or the closing bracket of the '{bracket}' at {since}"
    elif problem == "could not find expected ':'":
        message = f"expected ':' after the key at {since}"
    elif problem == "found unexpected end of stream" and "quoted" in context:
        message = f"the quote at {since} is never closed"
    elif context and opened and (opened.line, opened.column) != (mark.line, mark.column):
        message = f"{problem} (in the {context} at {since})"
    else:
        message = problem or context or "not YAML"
    return InputError(path, line, column, f"invalid YAML: {message}")


# --- building ---------------------------------------------------------------------

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
                raise InputError(path, mark.line + 1, mark.column + 1,
                                 "a mapping key must be a plain value, not a mapping or list")
            if len(stack) >= MAX_DEPTH:  # the frames of the containers open around it
                raise InputError(path, mark.line + 1, mark.column + 1,
                                 f"nested more than {MAX_DEPTH} levels deep")
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
                raise InputError(path, mark.line + 1, mark.column + 1,
                                 "an alias cannot be a mapping key")
            if event.anchor in open_anchors:
                raise InputError(path, mark.line + 1, mark.column + 1,
                                 f"alias *{event.anchor} is inside the node it names (a recursive alias)")
            if event.anchor not in anchors:
                raise InputError(path, mark.line + 1, mark.column + 1,
                                 f"unknown alias *{event.anchor} (no &{event.anchor} before it)")
            value, value_weight = anchors[event.anchor]
            expanded += value_weight
            if expanded > max(MIN_EXPANSION_BUDGET, MAX_EXPANSION_FACTOR * events):
                raise InputError(path, mark.line + 1, mark.column + 1,
                                 "aliases expand to too many nodes (an alias bomb?)")
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
    return InputError(path, key_line, key_column,
                      f"duplicate key {quote(key)} (first written at line {first[0]}, column {first[1]})")


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
                raise InputError(path, key_at[0], key_at[1],
                                 "a merge key (<<) takes a mapping or a list of mappings")
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
