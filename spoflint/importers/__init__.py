"""Readers for descriptions people already have: Docker Compose, Kubernetes manifests,
OpenStack-Ansible's openstack_user_config.yml, kolla-ansible inventories.

Each reader maps its format onto the native model: it returns native documents
(MarkedMaps, exactly what spoflint.load gives for a native file) whose every element and
field carries the file, line and column of what it came from in the original file, so
that findings point there. A reader is a module with

- `FORMAT`: its name (`compose`, `kubernetes`, `openstack-ansible`, `kolla-ansible`);
- `detect(path, text) -> bool`: whether a file is in this format;
- `read(paths) -> list[MarkedMap]`: native documents for these files.

What a foreign file cannot say (racks, power, cabling) a native overlay adds: a native
file given alongside refines the imported elements by id (see `overlay`).
"""

from __future__ import annotations

from pathlib import Path

from ..load import MarkedList, MarkedMap

READERS = ("compose", "kubernetes", "openstack_ansible", "kolla_ansible")


class Native:
    """Builds a native document whose nodes point into the original file."""

    def __init__(self, path: str, name: str):
        self.path = path
        self.root = mapping(path, (1, 1))
        put(self.root, "version", 1, (1, 1))
        put(self.root, "name", name, (1, 1))

    def section(self, name: str) -> MarkedMap:
        if name not in self.root:
            put(self.root, name, mapping(self.path, (1, 1)), (1, 1))
        return self.root[name]

    def element(self, section: str, eid: str, at: tuple[int, int]) -> MarkedMap:
        """The element `eid` of a section (created at `at` if new)."""
        table = self.section(section)
        if eid not in table:
            put(table, eid, mapping(self.path, at), at)
        return table[eid]


def mapping(path: str, at: tuple[int, int]) -> MarkedMap:
    node = MarkedMap()
    node.path, node.where = path, {}
    node.line, node.column = at
    return node


def sequence(path: str, items, at: tuple[int, int]) -> MarkedList:
    """A list whose items are (value, (line, column)) pairs."""
    node = MarkedList()
    node.path, node.where = path, []
    node.line, node.column = at
    for value, where in items:
        node.append(value)
        node.where.append(where)
    return node


def put(node: MarkedMap, key: str, value, at: tuple[int, int], value_at: tuple[int, int] | None = None):
    """Set a key with the position of the key (and of its value, default the same)."""
    node[key] = value
    node.where[key] = (*at, *(value_at or at))


def reader(name: str):
    from importlib import import_module

    return import_module(f".{name}", __name__)


def detect(path: Path, text: bytes) -> str | None:
    """The format of a file that is not a native topology, or None."""
    for name in READERS:
        module = reader(name)
        if module.detect(path, text):
            return module.FORMAT
    return None


def by_format(fmt: str):
    for name in READERS:
        module = reader(name)
        if module.FORMAT == fmt:
            return module
    raise KeyError(fmt)


def overlay(imported: list[MarkedMap], natives: list[MarkedMap]) -> list[MarkedMap]:
    """Native documents given alongside imported ones refine them by id: an element
    the import already has gets the native fields (the native value wins; the element
    keeps its place in the original file, so findings point there), a new one is added
    as written. Native documents are validated on their own first, so their errors
    point into the native file."""
    from ..model import SECTIONS, validate

    for document in natives:
        validate(document)
    index: dict[tuple[str, str], MarkedMap] = {}
    for document in imported:
        for section in SECTIONS:
            if section == "links":
                continue
            for eid, node in (document.get(section) or {}).items():
                index[section, eid] = node
    rest = []
    for document in natives:
        remaining = mapping(document.path, (document.line, document.column))
        for key, value in document.items():
            if key in SECTIONS and key != "links" and isinstance(value, dict):
                table = mapping(value.path, (value.line, value.column))
                for eid, node in value.items():
                    target = index.get((key, eid))
                    if target is None:
                        put(table, eid, node, value.key_at(eid), value.value_at(eid))
                        continue
                    for field, field_value in (node or {}).items():
                        put(target, field, field_value, node.key_at(field), node.value_at(field))
                put(remaining, key, table, document.key_at(key), document.value_at(key))
            else:
                put(remaining, key, value, document.key_at(key), document.value_at(key))
        remaining.comments = getattr(document, "comments", None)
        rest.append(remaining)
    return imported + rest


def to_yaml(documents: list[MarkedMap]) -> str:
    """One native topology file holding what these documents say (sections merged)."""
    import yaml

    from ..model import SECTIONS

    merged: dict = {"version": 1}
    for document in documents:
        for key, value in document.items():
            if key in SECTIONS and key != "links":
                merged.setdefault(key, {}).update(_plain(value) or {})
            elif key in ("links", "entrypoints"):
                merged.setdefault(key, []).extend(_plain(value) or [])
            elif key not in merged and not key.startswith("x-"):
                merged[key] = _plain(value)
    header = "# Written by `spoflint import`: the native topology for the files imported.\n"
    return header + yaml.safe_dump(merged, sort_keys=False, default_flow_style=None, width=100)


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
