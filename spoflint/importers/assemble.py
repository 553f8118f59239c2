"""Assembling the units of analysis: the files found, sorted into native documents and
foreign units (spoflint.load.units), each unit imported, native overlays joined to the
units they refine, and each built into a Topology; a unit that cannot be read keeps its
input error, so that the others are still checked (docs/importers.md, "Units of
analysis")."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from pathlib import Path

from .. import load, model
from ..errors import InputError, UsageError, gathered
from . import by_format, overlay, to_yaml
from ._join import aliases_of, join


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
    physical: load.MarkedMap | None = None,
    readers: Mapping[str, Mapping[str, object]] | None = None,
) -> list[Unit]:
    """The units of analysis of the files named or found under `paths`.

    Native files (`version: 1`) are read as they are and merge into one model; a file of
    another format is detected (or read as `input_format`) and imported, one unit per
    project, tree or deployment (spoflint.load.units). In a directory that holds a native
    topology, foreign files are read only when an `include` glob matches them (the others
    are named in a MODEL001 note, never skipped silently); with `only_topologies`, only
    those are read of the foreign files named. A native
    model that names an element of an imported unit (a host's rack, a service's `ha`)
    is an overlay: it joins that unit (spoflint.importers.overlay). A file found in a
    directory that is neither is skipped; a file named by the user must be one, unless
    `only_topologies` (the per-file pre-commit hook passes every changed YAML file).
    No topology at all is an error, except with `only_topologies` (no unit).
    A `physical` layer (NetBox's document) is joined with each unit by host
    (spoflint.importers._join); with no paths, it is the one unit. `readers`: keyword
    arguments of a format's reader (`{"kubernetes": {"rack_label": ...}}`).
    """
    if physical is not None and not paths:
        return [_built((physical.path,), lambda: [physical])]
    found = load.discover([str(p) for p in paths], exclude, exclude_named=only_topologies)
    natives, foreign, native_roots, native_error = _sort_out(found, only_topologies, input_format)
    kept, skipped = _kept(foreign, include, only_topologies, native_roots)
    if natives and skipped:
        _note_skipped(natives[0], skipped)
    broken = [Unit((load.shown_path(entry.path),), error=fmt) for fmt, entry in kept if isinstance(fmt, InputError)]
    imported = _imported([(f, e) for f, e in kept if isinstance(f, str)], readers or {})
    first = natives or [docs[0] for _, docs in imported if docs]  # what a walk skipped: noted in the first unit
    if found.skipped and first:
        first[0].notes = [*getattr(first[0], "notes", ()), *found.skipped]
    if native_error is not None:  # the native files cannot be read: the foreign units are checked alone
        return [Unit((native_error.path,), error=native_error), *broken, *_join([], imported, physical=physical)]
    together = set() if only_topologies else {load.shown_path(f.path) for f in found if f.named}
    units = [*broken, *_join(natives, imported, together, physical)]
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


def _kept(foreign, include: Sequence[str], only_topologies: bool, native_roots: set):
    """(the foreign files read, those a directory check leaves out beside a native topology)."""
    kept, skipped = [], []
    for fmt, entry in foreign:  # fmt an InputError: a file named like a Compose file that cannot be read
        included = load.matches(load.shown_path(entry.path), include)
        if included or (entry.named and not only_topologies) or (not entry.named and entry.root not in native_roots):
            kept.append((fmt, entry))
        elif not entry.named and isinstance(fmt, str):
            skipped.append((fmt, entry))
    return kept, skipped


def _imported(
    foreign: list[tuple[str, load.Found]], readers: Mapping[str, Mapping[str, object]]
) -> list[tuple[Unit, list[load.MarkedMap]]]:
    """Each foreign unit read, its reader given the keyword arguments of its format."""
    return [_import(fmt, files, readers.get(fmt, {})) for fmt, files in _grouped(foreign)]


def _sort_out(found: list[load.Found], only_topologies: bool, input_format: str | None):
    """(native documents, [(format, file)] of foreign files, the folders named that hold a
    native topology, the first native file's input error). A file named like a Compose
    file that cannot be read is a foreign file whose format is its error: it fails its
    own project, if that is read."""
    natives: list[load.MarkedMap] = []
    foreign: list[tuple[str | InputError, load.Found]] = []
    roots: set[Path | None] = set()
    broken: list[InputError] = []
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
                foreign.append((_compose_error(entry.path, error), entry))
            elif named or load.claims_version_1(entry.path):
                broken.append(error)  # that file ends here; the others are still read
            continue  # YAML we cannot read that is not a topology (a playbook, a template)
        if named or model.is_topology(document):
            natives.append(document)
            roots.add(entry.root)
    if broken:  # the native model cannot be built; its documents' schema errors are said too
        for document in natives:
            try:
                model.validate(document)
            except InputError as error:
                broken.append(error)
        broken.sort(key=lambda e: (e.path, e.line, e.column))
    return natives, foreign, roots - {None}, gathered(broken) if broken else None


def _compose_error(path: Path, error: InputError) -> InputError:
    """The error of a file named like a Compose file, in the Compose reader's words (not a
    native topology's)."""
    try:
        by_format("compose").read([path])
    except InputError as said:
        return said
    return error


def _note_skipped(document: load.MarkedMap, skipped: list[tuple[str, load.Found]]) -> None:
    """Say which foreign files a directory check left out beside the native topology."""
    notes = list(getattr(document, "notes", ()))
    for fmt, entry in skipped:
        shown = load.shown_path(entry.path)
        message = (
            f"{shown} ({fmt}) was not read: the directory checked holds a native topology, so only the files an "
            "`include` glob of the config names are imported (or `exclude` it to say it is not infrastructure)"
        )
        notes.append(load.ReaderNote(shown, 1, 1, "not-read", message))
    document.notes = notes


def _grouped(foreign: list[tuple[str, load.Found]]) -> list[tuple[str, list[Path]]]:
    """(format, files) of each foreign unit."""
    from ..load.units import group

    formats: dict[str, list[load.Found]] = {}
    for fmt, entry in foreign:
        formats.setdefault(fmt, []).append(entry)
    return [(fmt, files) for fmt, entries in formats.items() for files in group(fmt, entries)]


def _import(fmt: str, files: list[Path], options: Mapping[str, object]) -> tuple[Unit, list[load.MarkedMap]]:
    """A foreign unit read into native documents (not built yet: an overlay may join)."""
    shown = tuple(load.shown_path(f) for f in files)
    try:
        return Unit(shown), by_format(fmt).read(files, **options)
    except InputError as error:
        return Unit(shown, error=error), []


def _join(
    natives: list[load.MarkedMap],
    imported: list[tuple[Unit, list[load.MarkedMap]]],
    together: Set[str] = frozenset(),
    physical: load.MarkedMap | None = None,
) -> list[Unit]:
    """Each unit built; the native documents join the imported units they are an overlay
    of, or are a unit of their own. A native model overlays a unit when it names one of
    the unit's hosts (the layer an imported file cannot describe), or, named on the
    command line with the unit's files (`together`), any of its elements: a native
    service that merely shares a name with a Compose service found elsewhere stays apart.
    The `physical` layer then joins each unit by host, the natives' `aliases:` naming
    the hosts whose names differ."""
    named = _mentioned(natives) if imported else set()  # only an imported unit asks (a walk of every value)
    natives_named = any(d.path in together for d in natives)

    def overlays(unit: Unit, documents: list[load.MarkedMap]) -> bool:
        if unit.error is not None:
            return False
        if named & _ids(documents, ("hosts",)):
            return True
        return natives_named and bool(set(unit.files) & together) and bool(named & _ids(documents))

    joined = [(u, docs) for u, docs in imported if overlays(u, docs)]
    alone = [(u, docs) for u, docs in imported if not any(u is j for j, _ in joined)]
    units = []
    if natives:
        files = tuple(d.path for d in natives) + tuple(f for u, _ in joined for f in u.files)
        documents = [d for _, docs in joined for d in docs]
        units.append(
            _built(files, lambda: overlay(documents, natives) if documents else natives, physical, aliases_of(natives))
        )
    for unit, documents in alone:
        units.append(unit if unit.error else _built(unit.files, lambda docs=documents: docs, physical))  # type: ignore[misc]
    return units


def _built(
    files: tuple[str, ...],
    documents: Callable[[], list[load.MarkedMap]],
    physical: load.MarkedMap | None = None,
    aliases: Mapping[str, str] | None = None,
) -> Unit:
    """A unit built: `documents` is called here, so that an overlay's input error is the
    unit's; the `physical` layer joined by host (its files are the unit's too)."""
    try:
        if physical is None:
            return Unit(files, topology=model.build(documents()))
        joined = join(documents(), physical, aliases or {})
        return Unit((*files, physical.path), topology=model.build(joined))
    except InputError as error:
        return Unit(files, error=error)


def _ids(documents: list[load.MarkedMap], sections: Sequence[str] = model.SECTIONS) -> set[str]:
    return {eid for d in documents for s in sections if isinstance(d.get(s), dict) for eid in d[s]}


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
    directory: the files a check would find in it, inventories without a suffix too),
    checked to lint as it is."""
    named = [Path(p) for p in paths]
    files = [f.path for f in load.discover(paths)] if all(p.is_dir() for p in named) else named
    documents = by_format(fmt).read(files)
    model.build(documents)  # what is written must lint
    return to_yaml(documents)
