"""Stage 1, load: YAML files to plain data that remembers where everything was written.

PyYAML's loaders either forget positions (`safe_load`) or are slow and still accept
duplicate keys silently (`compose`). This package builds dicts and lists directly from
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

The modules, in the order a file goes through them: `discover` (which files to read,
and which format each is in), `units` (which foreign files are read together as one
topology), `documents` (files and texts to documents: the entry
points), `events` (the builder, from libyaml's events), `scalars` (what a scalar's text
means, and which tags are allowed), `marked` (the containers that remember positions),
`comments` (`# spoflint: accept` comments), `messages` (what went wrong, in the file's
terms) and `limits` (the bounds on a file); `files` reads a file safely (regular files
only, bounded before the read), `trust` says which config file may be read and
`config_text` turns one into data with positions.
"""

from __future__ import annotations

from .comments import accept_comments
from .discover import (
    Found,
    claims_compose,
    claims_version_1,
    discover,
    excluded,
    expand_paths,
    matches,
    read_once,
    shown_path,
    sniff_format,
)
from .documents import forget, load_documents, load_file, load_stream, load_text
from .limits import MAX_BYTES, MAX_DEPTH, MAX_EXPANSION_FACTOR, MAX_INT_BITS, MIN_EXPANSION_BUDGET, YAML_SUFFIXES
from .marked import MarkedList, MarkedMap, ReaderNote, locate

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_EXPANSION_FACTOR",
    "MAX_INT_BITS",
    "MIN_EXPANSION_BUDGET",
    "YAML_SUFFIXES",
    "MarkedList",
    "Found",
    "MarkedMap",
    "ReaderNote",
    "accept_comments",
    "claims_compose",
    "claims_version_1",
    "discover",
    "excluded",
    "expand_paths",
    "forget",
    "load_documents",
    "load_file",
    "load_stream",
    "load_text",
    "locate",
    "matches",
    "read_once",
    "shown_path",
    "sniff_format",
]
