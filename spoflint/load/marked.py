"""Mappings and lists that remember where each of their keys, values and items was written."""

from __future__ import annotations


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
