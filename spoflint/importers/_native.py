"""Building native documents by hand: the mappings and lists a reader writes carry the
file, line and column of what they came from in the original file, exactly as the
ones `spoflint.load` reads from a native file do, so that findings point there."""

from __future__ import annotations

from collections.abc import Iterable

from ..load import MarkedList, MarkedMap, ReaderNote

Position = tuple[int, int]  # (line, column), both from 1


class Native:
    """Builds a native document whose nodes point into the original file."""

    def __init__(self, path: str, name: str):
        self.path = path
        self.root = mapping(path, (1, 1))
        put(self.root, "version", 1, (1, 1))
        put(self.root, "name", name, (1, 1))
        self.root.notes = []

    def note(self, at: Position, key: str, message: str, subject: str | None = None, unless: str | None = None) -> None:
        """Say what this reader could not read or see (MODEL001 reports it): about the
        element `subject` (placed on it), or, with none, about the file at `at`. `key`
        tells apart the notes of one subject; `unless` names a field that, when a native
        overlay sets it on the subject, answers the note (it is then dropped)."""
        self.root.notes.append(ReaderNote(self.path, at[0], at[1], key, message, subject, unless))

    def section(self, name: str) -> MarkedMap:
        """The section `name` (`hosts`, `services`, ...), created if new."""
        if name not in self.root:
            put(self.root, name, mapping(self.path, (1, 1)), (1, 1))
        return self.root[name]

    def element(self, section: str, eid: str, at: Position) -> MarkedMap:
        """The element `eid` of a section (created at `at` if new)."""
        table = self.section(section)
        if eid not in table:
            put(table, eid, mapping(self.path, at), at)
        return table[eid]


def mapping(path: str, at: Position) -> MarkedMap:
    """An empty mapping written at `at` of `path`."""
    node = MarkedMap()
    node.path, node.where = path, {}
    node.line, node.column = at
    return node


def sequence(path: str, items: Iterable[tuple[object, Position]], at: Position) -> MarkedList:
    """A list whose items are (value, (line, column)) pairs."""
    node = MarkedList()
    node.path, node.where = path, []
    node.line, node.column = at
    for value, where in items:
        node.append(value)
        node.where.append(where)
    return node


def put(node: MarkedMap, key: str, value: object, at: Position, value_at: Position | None = None) -> None:
    """Set a key with the position of the key (and of its value, default the same)."""
    node[key] = value
    node.where[key] = (*at, *(value_at or at))
