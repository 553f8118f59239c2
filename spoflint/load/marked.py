"""Mappings and lists that remember where each of their keys, values and items was written."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .comments import AcceptComments


@dataclass(frozen=True, slots=True)
class ReaderNote:
    """What a reader of a foreign format could not read or see, said where it is written:
    MODEL001 reports it (a clean result means "read and checked", never "skipped")."""

    path: str
    line: int
    column: int
    key: str  # tells apart the notes of one subject (a fingerprint part): "unread", "replication"
    message: str
    subject: str | None = None  # the element it is about; None: the file itself
    unless: str | None = None  # a field that, set on the subject by a native overlay, answers it


class MarkedMap(dict[str, Any]):
    """A mapping that knows where it, each key and each value were written (and, for a
    document's top level, its `# spoflint: accept` comments by line, and an imported
    document's reader notes).

    Keys are the texts written; values are whatever YAML holds (scalars, MarkedMaps,
    MarkedLists). Whoever makes one sets `path`, `line`, `column` and `where`."""

    __slots__ = ("path", "line", "column", "where", "comments", "notes")

    path: str
    line: int  # where the mapping starts, 1-based
    column: int
    where: dict[str, tuple[int, int, int, int]]  # key -> (key line, key column, value line, value column)
    comments: AcceptComments | None  # a document's top level only: its accept comments
    notes: list[ReaderNote]  # an imported document's top level only: what its reader could not read

    def key_at(self, key: str) -> tuple[int, int]:
        kl, kc, _, _ = self.where[key]
        return kl, kc

    def value_at(self, key: str) -> tuple[int, int]:
        _, _, vl, vc = self.where[key]
        return vl, vc


class MarkedList(list[Any]):
    """A sequence that knows where it and each item were written."""

    __slots__ = ("path", "line", "column", "where")

    path: str
    line: int  # where the list starts, 1-based
    column: int
    where: list[tuple[int, int]]  # index -> (line, column) of the item

    def item_at(self, index: int) -> tuple[int, int]:
        return self.where[index]


def locate(node: MarkedMap | MarkedList, steps: Iterable[str | int]) -> tuple[int, int]:
    """Line and column of the value reached from `node` by `steps` (keys and indexes),
    or of the deepest container on the way that has it."""
    line, column = node.line, node.column
    current: object = node
    for step in steps:
        if isinstance(current, MarkedMap) and isinstance(step, str) and step in current.where:
            line, column = current.value_at(step)
            current = current[step]
        elif isinstance(current, MarkedList) and isinstance(step, int) and step < len(current.where):
            line, column = current.item_at(step)
            current = current[step]
        else:
            break
        if isinstance(current, (MarkedMap, MarkedList)):
            line, column = current.line, current.column
    return line, column
