"""Files and texts to documents: one topology mapping (`load_file`, `load_text`, with its
accept comments), a stream of manifests (`load_documents`), or one document of another
tool's, read as that tool reads it (`load_foreign`: an empty file is `{}`, the tool's own
tags are plain values, messages name the file's kind, a Jinja template says so).

A file is parsed once per run: format detection asks with `keep=True` (it only looks,
and the parse is kept, bounded by KEPT_PARSES bytes of text), and the reader that reads
the file then takes that same parse (`keep=False`, the default: the documents are its
to change, and no one else gets them)."""

from __future__ import annotations

import os
from collections.abc import Callable

import yaml

from ..errors import InputError
from .comments import AcceptComments, Spans, accept_comments, has_candidates
from .events import Document, _parsed
from .limits import MAX_BYTES
from .marked import MarkedMap
from .messages import (
    _kind_of,
    _line_column,
    _reader_error,
    _syntax_error,
    _too_big,
    _within,
    jinja_template_at,
    render_first,
)
from .scalars import ANSIBLE_TAGS


def load_file(path: str | os.PathLike[str], shown: str | None = None) -> MarkedMap:
    """Read one YAML file holding one document whose top level is a mapping."""
    from .discover import read_once  # bounded, regular files only; the bytes sniffing its format read

    shown = shown or str(path)
    return load_text(read_once(path, shown), shown)


def load_text(
    data: bytes | str, shown: str, keep: bool = False, after: Callable[[MarkedMap], None] | None = None
) -> MarkedMap:
    """Parse YAML text into a MarkedMap; every failure is an InputError. `keep`: the
    caller only looks (detection), so the parse is kept for the reader; `after` is done
    to the root once, when the text is parsed (not when a kept parse is handed over)."""
    if isinstance(data, str):
        data = _encoded(data, shown)
    documents, spans, fresh = _shared(data, shown, keep=keep)
    if not documents:
        raise InputError(shown, 1, 1, "the file holds no YAML document (it is empty, or only comments)")
    if len(documents) > 1:
        line, column = _within(data, *documents[1][2])
        raise InputError(shown, line, column, "a second YAML document: a topology file holds one (split it into files)")
    root, at, _ = documents[0]
    if not isinstance(root, MarkedMap):
        line, column = _within(data, *at)  # an empty document is "at" the end of the text
        raise InputError(
            shown,
            line,
            column,
            f"the top level must be a mapping (version: 1, hosts: ..., services: ...), not {_kind_of(root)}",
        )
    root.comments = accept_comments(data, shown, spans)
    if after is not None and fresh:
        after(root)
    return root


def load_foreign(data: bytes | str, shown: str, what: str, tags: frozenset[str] = ANSIBLE_TAGS) -> MarkedMap:
    """One YAML document of another tool's (an openstack_user_config, a globals.yml), read
    as that tool reads it: an empty or all-comment file, or a bare `null`, is an empty
    mapping (`yaml.safe_load(...) or {}`); values with one of the local `tags` (Ansible's
    `!vault`, `!unsafe` by default) are plain values, their text a `TaggedText`. Errors
    name the file as `what` ("an openstack_user_config file"), never a topology's
    fields, and a file that is a Jinja template says to render it first."""
    if isinstance(data, str):
        data = _encoded(data, shown)
    try:
        documents, spans, _ = _shared(data, shown, tags)
    except InputError as error:
        line = jinja_template_at(data, error.line)
        if line is None or any(m in error.message for m in _NOT_TEXT_OR_TOO_BIG):
            raise
        raise InputError(shown, line, 1, render_first(f"this {what.split(' ', 1)[-1]}")) from None
    if len(documents) > 1:
        line, column = _within(data, *documents[1][2])
        raise InputError(shown, line, column, f"a second YAML document: {what} holds one")
    root, at, _ = documents[0] if documents else (None, (1, 1), (1, 1))
    if root is None:
        root = MarkedMap()
        root.path, root.where = shown, {}
        root.line, root.column = at
    if not isinstance(root, MarkedMap):
        line, column = _within(data, *at)
        raise InputError(shown, line, column, f"{what} holds a mapping of names to values, not {_kind_of(root)}")
    root.comments = accept_comments(data, shown, spans)
    return root


# failures that have nothing to do with what the text says, even when it holds Jinja
_NOT_TEXT_OR_TOO_BIG = ("bytes; the limit is", "the file is not UTF", "control character")


def _documents(
    data: bytes, shown: str, opaque: frozenset[str] = frozenset(), spans: Spans | None = None
) -> list[Document]:
    """Every document of a YAML text; every failure, of size or syntax, an InputError.
    `spans`: see `comments.noting`."""
    if len(data) > MAX_BYTES:
        raise InputError(shown, 1, 1, _too_big(len(data)))
    try:
        return _parsed(data, shown, opaque, spans)
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(data, shown, error) from None
    except yaml.reader.ReaderError as error:
        raise _reader_error(data, shown, error) from None
    except yaml.YAMLError as error:
        raise InputError(shown, 1, 1, f"invalid YAML: {error}") from None


def _encoded(text: str, shown: str) -> bytes:
    """Text as UTF-8; an InputError at a character that has no UTF-8 form."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:  # lone surrogates from a lenient decode
        line, column = _line_column(text[: error.start])
        raise InputError(
            shown, line, column, f"invalid text: character U+{ord(text[error.start]):04X} is not allowed"
        ) from None


def load_documents(data: bytes, shown: str, keep: bool = False) -> list[MarkedMap]:
    """Parse YAML text holding any number of documents (`---`), as Kubernetes manifests
    do, with the same builder and limits as `load_text`. Empty documents are dropped;
    one that is not a mapping is an InputError. (A topology is one document: use
    `load_text` for those.) `keep`: as for `load_text`."""
    return load_stream(data, shown, keep)[0]


def load_stream(data: bytes, shown: str, keep: bool = False) -> tuple[list[MarkedMap], AcceptComments]:
    """`load_documents`, and the text's accept comments, from the one parse."""
    documents, spans, _ = _shared(data, shown, keep=keep)
    roots: list[MarkedMap] = []
    for root, at, _ in documents:
        if root is None:
            continue
        if not isinstance(root, MarkedMap):
            line, column = _within(data, *at)
            raise InputError(shown, line, column, f"a YAML document here is {_kind_of(root)}, not a mapping")
        roots.append(root)
    return roots, accept_comments(data, shown, spans)


KEPT_PARSES = 64 * 1024 * 1024  # bytes of text whose parse detection keeps for the reader
_Parse = tuple["list[Document] | InputError", "Spans | None"]
_KEPT: dict[tuple[bytes, str, frozenset[str]], _Parse] = {}  # oldest first
_KEPT_TOTAL = [0]


def forget(data: bytes, shown: str) -> None:
    """Let go of a parse kept for a reader that will not read the text (detection found
    it is none of theirs)."""
    if _KEPT.pop((data, shown, frozenset()), None) is not None:
        _KEPT_TOTAL[0] -= len(data)


def _shared(
    data: bytes, shown: str, opaque: frozenset[str] = frozenset(), keep: bool = False
) -> tuple[list[Document], Spans | None, bool]:
    """The documents of a text and its scalars' spans (for the accept comments), and
    whether they were parsed now: a parse kept by an earlier `keep=True` call is handed
    over (and let go, unless this call keeps it too). A failure is kept as well, and
    raised again."""
    key = (data, shown, opaque)
    found = _KEPT.get(key) if keep else _KEPT.pop(key, None)
    fresh = found is None
    if found is None:
        spans: Spans | None = [] if has_candidates(data) else None
        try:
            found = (_documents(data, shown, opaque, spans), spans)
        except InputError as error:
            found = (error, None)
        if keep:
            _KEPT[key] = found
            _KEPT_TOTAL[0] += len(data)
            while _KEPT_TOTAL[0] > KEPT_PARSES and len(_KEPT) > 1:
                _KEPT_TOTAL[0] -= len(next(iter(_KEPT))[0])
                del _KEPT[next(iter(_KEPT))]
    elif not keep:
        _KEPT_TOTAL[0] -= len(data)
    documents, spans = found
    if isinstance(documents, InputError):
        raise documents
    return documents, spans, fresh
