"""Native files given alongside imported ones (overlays), and imported documents
written back as one native topology file (`spoflint import`)."""

from __future__ import annotations

from typing import Any

from ..load import MarkedMap
from ._native import mapping, put


def overlay(imported: list[MarkedMap], natives: list[MarkedMap]) -> list[MarkedMap]:
    """Native documents given alongside imported ones refine them by id: an element
    the import already has gets the native fields (the native value wins; the element
    keeps its place in the original file, so findings point there), a new one is added
    as written. Native documents are validated first, so their errors point into the
    native file; an element that refines an imported one is validated with the imported
    fields under it, so an overlay may say only what the import cannot (`db: {ha: none}`
    for a service whose `replicas` and `pool` the import wrote)."""
    from ..model import validate

    index = _elements(imported)
    for document in natives:
        validate(_completed(document, index))
    refined = [_refine(document, index) for document in natives]
    answered = {(eid, f) for document in natives for section, eid, f in _fields(document) if (section, eid) in index}
    for document in imported:  # a reader's note that an overlay answers (it sets the field) is dropped
        notes = getattr(document, "notes", [])
        document.notes = [n for n in notes if not (n.unless and (n.subject, n.unless) in answered)]
    return imported + refined


def _completed(document: MarkedMap, index: dict[tuple[str, str], MarkedMap]) -> MarkedMap:
    """A copy of a native document to validate: each element that refines an imported one
    holds the imported fields too (placed on the element's line), then its own."""
    from ..model import SECTIONS

    copy = mapping(document.path, (document.line, document.column))
    for key, value in document.items():
        if key in SECTIONS and key != "links" and isinstance(value, MarkedMap):
            value = _completed_section(key, value, index)
        put(copy, key, value, document.key_at(key), document.value_at(key))
    return copy


def _completed_section(section: str, table: MarkedMap, index: dict[tuple[str, str], MarkedMap]) -> MarkedMap:
    out = mapping(table.path, (table.line, table.column))
    for eid, node in table.items():
        target = index.get((section, eid))
        if target is not None and isinstance(node, MarkedMap):
            merged = mapping(node.path, (node.line, node.column))
            for field, value in target.items():
                if field not in node:
                    put(merged, field, value, table.key_at(eid))
            for field, value in node.items():
                put(merged, field, value, node.key_at(field), node.value_at(field))
            node = merged
        put(out, eid, node, table.key_at(eid), table.value_at(eid))
    return out


def _fields(document: MarkedMap):
    """(section, element id, field) of every field a native document sets on an element."""
    from ..model import SECTIONS

    for section in SECTIONS:
        table = document.get(section)
        if section == "links" or not isinstance(table, dict):
            continue
        for eid, node in table.items():
            for field in node if isinstance(node, dict) else ():
                yield section, eid, field


def _elements(documents: list[MarkedMap]) -> dict[tuple[str, str], MarkedMap]:
    """Every element of these documents by (section, id); links have no id."""
    from ..model import SECTIONS

    index: dict[tuple[str, str], MarkedMap] = {}
    for document in documents:
        for section in SECTIONS:
            if section == "links":
                continue
            for eid, node in (document.get(section) or {}).items():
                index[section, eid] = node
    return index


def _refine(document: MarkedMap, index: dict[tuple[str, str], MarkedMap]) -> MarkedMap:
    """Write the fields of the elements of a native document that the import already
    has into those; what is left (new elements, other keys) is returned as a document."""
    from ..model import SECTIONS

    remaining = mapping(document.path, (document.line, document.column))
    for key, value in document.items():
        if key in SECTIONS and key != "links" and isinstance(value, MarkedMap):
            value = _refine_section(key, value, index)
        put(remaining, key, value, document.key_at(key), document.value_at(key))
    remaining.comments = getattr(document, "comments", None)
    return remaining


def _refine_section(section: str, table: MarkedMap, index: dict[tuple[str, str], MarkedMap]) -> MarkedMap:
    """The elements of a native section that the import does not have; the fields of
    those it has go into the imported element."""
    rest = mapping(table.path, (table.line, table.column))
    for eid, node in table.items():
        target = index.get((section, eid))
        if target is None:
            put(rest, eid, node, table.key_at(eid), table.value_at(eid))
            continue
        for field, field_value in (node or {}).items():
            put(target, field, field_value, node.key_at(field), node.value_at(field))
        if "assumed" in target and "assumed" not in (node or {}):  # described now: no longer an invention
            put(target, "assumed", False, table.key_at(eid))
    return rest


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
    notes = [n for document in documents for n in getattr(document, "notes", ())]
    if notes:  # what the reader could not read stays visible in the file that replaces the import
        header += "# Not read or not visible to the reader (MODEL001 reports them on the original files):\n"
        header += "".join(f"#   {n.path}:{n.line}:{n.column}: {n.message}\n" for n in notes)
    return header + yaml.safe_dump(merged, sort_keys=False, default_flow_style=None, width=100)


def _plain(value: object) -> Any:
    """Plain dicts and lists (no positions) for PyYAML to write."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
