"""Assembling the units of analysis: the files found, sorted into native documents and
foreign units (spoflint.load.units), each unit imported, native overlays joined to the
units they refine, and each built into a Topology; a unit that cannot be read keeps its
input error, so that the others are still checked (docs/importers.md, "Units of
analysis")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import load, model
from ..errors import InputError, UsageError
from . import by_format, overlay, to_yaml


@dataclass(frozen=True)
class Unit:
    """One topology a check analyses on its own (docs/importers.md, "Units of analysis"):
    the native files, merged, or one Compose project, one Kubernetes tree, one
    OpenStack-Ansible deployment, one kolla inventory (with the native overlay that joins
    it); or the input error that stops it, the other units being checked all the same."""

    files: tuple[str, ...]  # as reports show them
    topology: model.Topology | None = None
    error: InputError | None = None


def read_units(
    paths: Sequence[str | Path],
    only_topologies: bool = False,
    input_format: str | None = None,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> list[Unit]:
    """The units of analysis of the files named or found under `paths`.

    Native files (`version: 1`) are read as they are and merge into one model; a file of
    another format is detected (or read as `input_format`) and imported, one unit per
    project, tree or deployment (spoflint.load.units). In a directory that holds a native
    topology, foreign files are read only when an `include` glob matches them. A native
    model that names an element of an imported unit (a host's rack, a service's `ha`)
    is an overlay: it joins that unit (spoflint.overlay). A file found in a
    directory that is neither is skipped; a file named by the user must be one, unless
    `only_topologies` (the per-file pre-commit hook passes every changed YAML file).
    No topology at all is an error, except with `only_topologies` (no unit).
    """
    found = load.discover([str(p) for p in paths], exclude, exclude_named=only_topologies)
    natives, foreign, native_roots, errors = _sort_out(found, only_topologies, input_format)
    kept = [
        f
        for f in foreign
        if f[1].named or f[1].root not in native_roots or load.matches(load.shown_path(f[1].path), include)
    ]
    imported = [_import(fmt, files) for fmt, files in _grouped(kept)]
    broken = [Unit((e.path,), error=e) for e in errors]
    if broken and not load.claims_compose(Path(errors[0].path)):  # the native files cannot be read
        return [*broken, *_join([], imported)]
    units = [*broken, *_join(natives, imported)]
    if not units:
        if only_topologies:
            return []
        shown = ", ".join(str(p) for p in paths) or "."
        raise InputError(
            shown,
            1,
            1,
            "no topology files found (YAML files with `version: 1`, "
            "or Compose, Kubernetes, OpenStack-Ansible or kolla-ansible files)",
        )
    return units


def _sort_out(found: list[load.Found], only_topologies: bool, input_format: str | None):
    """(native documents, [(format, file)] of foreign files, the folders named that hold a
    native topology, the input errors: the first native file's, and those of files whose
    name says they are Compose files but that cannot be read)."""
    natives: list[load.MarkedMap] = []
    foreign: list[tuple[str, load.Found]] = []
    roots: set[Path | None] = set()
    errors: list[InputError] = []
    for entry in found:
        fmt = load.sniff_format(entry.path, input_format)
        if fmt:
            foreign.append((fmt, entry))
            continue
        if entry.path.suffix not in load.YAML_SUFFIXES:
            continue  # an inventory-like name nobody recognises
        named = entry.named and not only_topologies
        try:
            document = load.load_file(entry.path, load.shown_path(entry.path))
        except InputError as error:
            if load.claims_compose(entry.path) and not load.claims_version_1(entry.path):
                errors.append(error)  # a broken Compose file fails its own project
            elif named or load.claims_version_1(entry.path):
                return natives, foreign, roots - {None}, [error, *errors]
            continue  # YAML we cannot read that is not a topology (a playbook, a template)
        if named or model.is_topology(document):
            natives.append(document)
            roots.add(entry.root)
    return natives, foreign, roots - {None}, errors


def _grouped(foreign: list[tuple[str, load.Found]]) -> list[tuple[str, list[Path]]]:
    """(format, files) of each foreign unit."""
    from ..load.units import group

    formats: dict[str, list[load.Found]] = {}
    for fmt, entry in foreign:
        formats.setdefault(fmt, []).append(entry)
    return [(fmt, files) for fmt, entries in formats.items() for files in group(fmt, entries)]


def _import(fmt: str, files: list[Path]) -> tuple[Unit, list[load.MarkedMap]]:
    """A foreign unit read into native documents (not built yet: an overlay may join)."""
    shown = tuple(load.shown_path(f) for f in files)
    try:
        return Unit(shown), by_format(fmt).read(files)
    except InputError as error:
        return Unit(shown, error=error), []


def _join(natives: list[load.MarkedMap], imported: list[tuple[Unit, list[load.MarkedMap]]]) -> list[Unit]:
    """Each unit built; the native documents join the imported units whose elements they
    name (an overlay), or are a unit of their own."""
    named = _mentioned(natives)
    joined = [(u, docs) for u, docs in imported if u.error is None and named & _ids(docs)]
    alone = [(u, docs) for u, docs in imported if not any(u is j for j, _ in joined)]
    units = []
    if natives:
        files = tuple(d.path for d in natives) + tuple(f for u, _ in joined for f in u.files)
        documents = [d for _, docs in joined for d in docs]
        units.append(_built(files, lambda: overlay(documents, natives) if documents else natives))
    for unit, documents in alone:
        units.append(unit if unit.error else _built(unit.files, lambda docs=documents: docs))  # type: ignore[misc]
    return units


def _built(files: tuple[str, ...], documents: Callable[[], list[load.MarkedMap]]) -> Unit:
    """A unit built: `documents` is called here, so that an overlay's input error is the unit's."""
    try:
        return Unit(files, topology=model.build(documents()))
    except InputError as error:
        return Unit(files, error=error)


def _ids(documents: list[load.MarkedMap]) -> set[str]:
    return {eid for d in documents for s in model.SECTIONS if isinstance(d.get(s), dict) for eid in d[s]}


def _mentioned(documents: list[load.MarkedMap]) -> set[str]:
    """Every element id and string value the documents hold: what they may refer to."""
    out: set[str] = set()
    stack: list[object] = list(documents)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            out.update(k for k in node if isinstance(k, str))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            out.add(node)
    return out - {"version", "name", "description", *model.SECTIONS}


def read_topology(
    paths: Sequence[str | Path], only_topologies: bool = False, input_format: str | None = None
) -> model.Topology | None:
    """The one topology under `paths` (for the commands that analyse one: simulate,
    cutsets, availability, graph); several units are a usage error naming them."""
    units = read_units(paths, only_topologies, input_format)
    for unit in units:
        if unit.error:
            raise unit.error
    if len(units) > 1:
        listed = "; ".join(", ".join(u.files[:3]) + (" ..." if len(u.files) > 3 else "") for u in units)
        raise UsageError(f"these paths hold {len(units)} separate topologies ({listed}): name the files of one")
    return units[0].topology if units else None


def import_files(fmt: str, paths: list[str]) -> str:
    """`spoflint import`: the native topology equivalent to files of another format (a
    directory: its YAML files), checked to lint as it is."""
    named = [Path(p) for p in paths]
    files = [p for p, _ in load.expand_paths(paths)] if all(p.is_dir() for p in named) else named
    documents = by_format(fmt).read(files)
    model.build(documents)  # what is written must lint
    return to_yaml(documents)
