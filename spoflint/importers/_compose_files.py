"""Compose files into projects: reading a file (with Compose's own `!reset` and
`!override` tags), which files make one project, and the files a project pulls in
(`include`, `extends`), merged as `docker compose` merges them (`_compose_merge`).

**Projects.** Given several files, the reader groups them as `docker compose` would:

- a base file (`compose.yaml`, `compose.yml`, `docker-compose.yaml`,
  `docker-compose.yml`) and the override file beside it (`compose.override.yaml`,
  `docker-compose.override.yml`) are one project, merged in that order;
- files named together (not found in a folder) also merge `<base>.<anything>.yml` into
  their base (`-f docker-compose.yml -f docker-compose.prod.yml`), in the order named;
- a named file that amends the project named before it merges into it: it is not a
  whole project by itself (no service has an `image` or a `build`), or it changes a
  service of that project without an `image`, `build` or `extends` of its own
  (`-f docker-compose.yml -f reverse-proxy/caddy.yml` adding labels to a service);
- every other file is a project of its own: two complete Compose files given together
  (`blog.compose.yaml shop.compose.yaml`, `docker-compose.yml docker-stack.yml`) are two
  projects, even when they set the same `name:` (spoflint then tells their ids apart).

A file named alone that only amends a base (`docker-compose.prod.yml`, no project by
itself) is read with the base file beside it, as `-f docker-compose.yml -f
docker-compose.prod.yml`; without one it is a note. A file that another of the files
given (or one beside it) includes or extends from is a part of that project, not a
project of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import load
from ..errors import InputError
from ..load import MarkedList, MarkedMap
from ..load.files import mentions
from ._compose_merge import Tagged, merge_documents, merge_service, resolve_tags
from ._containers import interpolated
from ._native import Position

BASES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
_GENERIC = re.compile(r"^(docker-)?(compose|stack|docker-stack)([.-].*)?$")
# Compose's tags, where a value starts: `ports: !reset []`, `ports: !override`
_TAG = re.compile(rb"(?<=[ \t])!(reset|override)(?=[ \t\r\n,\]}]|$)", re.M)
_DEPTH = 8  # includes and extends followed at most this deep (a cycle stops there)


@dataclass
class Source:
    """One Compose file as written."""

    path: Path
    shown: str
    document: MarkedMap
    named: bool = True
    tagged: bool = True  # whether its text has `!reset`/`!override` tags (`Tagged` values to resolve)


@dataclass
class Project:
    """The files of one project, merged; `origin` says which file first defines each
    service (its findings point there); `notes` what could not be read, as
    (file, where, key, message)."""

    sources: list[Source]
    document: MarkedMap
    origin: dict[str, Source]
    notes: list[tuple[Source, Position, str, str]] = field(default_factory=list)

    @property
    def base(self) -> Source:
        return self.sources[0]

    def name(self) -> str:
        """`name:` (the last file's that sets one), else the base file's name, else (for
        a generic name like `docker-compose.yml`) its folder's."""
        name = self.document.get("name")
        name = interpolated(name) if isinstance(name, str) else ""
        if not name:
            path = self.base.path
            stem = re.sub(r"\.(ya?ml)$", "", path.name, flags=re.I)
            if _GENERIC.match(stem.lower()):
                name = path.resolve().parent.name
            else:
                name = re.sub(r"[.-](docker-)?(compose|stack)$", "", stem, flags=re.I)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.")
        return name or "compose"


def read_file(path: Path, shown: str) -> MarkedMap:
    """A Compose file as plain data; values tagged `!reset`/`!override` are `Tagged`."""
    return read_text(load.read_once(path, shown), shown)  # the bytes sniffing read, bounded


def read_source(path: Path, shown: str, named: bool) -> Source:
    """`read_file` as a `Source`, which knows whether its text had tags."""
    data = load.read_once(path, shown)
    return Source(path, shown, read_text(data, shown), named, tagged=_has_tags(data))


def _has_tags(data: bytes) -> bool:
    return b"!reset" in data or b"!override" in data


def read_text(data: bytes, shown: str, keep: bool = False) -> MarkedMap:
    """`read_file` on text already read. `keep`: detection only looks, and keeps the
    parse (tagged once) for the reader (see `load.load_text`)."""
    data, tags = _untagged(data)
    if not tags:
        return load.load_text(data, shown, keep=keep)

    def tagged(document: MarkedMap) -> None:
        for line, column, tag in tags:
            _tag(document, line, column, tag)

    return load.load_text(data, shown, keep=keep, after=tagged)


def _untagged(data: bytes) -> tuple[bytes, list[tuple[int, int, str]]]:
    """The text with each `!reset`/`!override` tag blanked out (so that plain YAML
    loading reads it), and where each was: (line, column, tag)."""
    if not _has_tags(data):
        return data, []
    out, tags = bytearray(data), []
    for match in _TAG.finditer(data):
        start = data.rfind(b"\n", 0, match.start()) + 1
        before = data[start : match.start()]
        if b"#" in before or before.count(b'"') % 2 or before.count(b"'") % 2 or b":" not in before:
            continue  # in a comment or a string, or not a mapping's value
        out[match.start() : match.end()] = b" " * (match.end() - match.start())
        line = data.count(b"\n", 0, match.start()) + 1
        tags.append((line, len(before.decode("utf-8", "replace")) + 1, match.group(1).decode()))
    return bytes(out), tags


def _tag(node: object, line: int, column: int, tag: str) -> bool:
    """Wrap the value of the key written on `line` before `column` as `Tagged`."""
    if isinstance(node, MarkedMap):
        for key, value in node.items():
            key_line, key_column = node.key_at(key)
            if key_line == line and key_column < column:
                node[key] = Tagged(tag, value)
                return True
            if _tag(value, line, column, tag):
                return True
    elif isinstance(node, MarkedList):
        return any(_tag(item, line, column, tag) for item in node)
    return False


def is_compose(document: object) -> bool:
    """A `services:` mapping with an `image` or a `build`, and not `version: 1`."""
    if not is_fragment(document):
        return False
    assert isinstance(document, dict)
    return any(isinstance(s, dict) and ("image" in s or "build" in s) for s in document["services"].values())


def is_fragment(document: object) -> bool:
    """A top-level `services:` mapping, and not `version: 1`: at least part of a project."""
    if not isinstance(document, dict):
        return False
    if type(document.get("version")) is int and document["version"] == 1:
        return False  # a native topology
    return isinstance(document.get("services"), dict)


def group(sources: list[Source]) -> list[Project]:
    """The projects these files make (see the module's docstring), in order."""

    def folder(source: Source) -> tuple[Path, bool]:
        return source.path.resolve().parent, source.named

    bases: dict[tuple[Path, bool], Source] = {}
    for name in BASES:
        for source in sources:
            if source.path.name == name:
                bases.setdefault(folder(source), source)
    groups: list[list[Source]] = []
    owners: dict[tuple[Path, bool], list[Source]] = {}
    for source in sources:
        base = bases.get(folder(source))
        if base is source:
            owners[folder(source)] = [source]
            groups.append(owners[folder(source)])
        elif base and _overrides(source.path.name, base.path.name, source.named):
            continue  # joins its base below, after it
        elif source.named and groups and _amends(source.document, groups[-1]):
            groups[-1].append(source)  # `-f docker-compose.yml -f proxy/caddy.yml`
        else:
            groups.append([source])
    for source in sources:
        base = bases.get(folder(source))
        if base and base is not source and _overrides(source.path.name, base.path.name, source.named):
            owners[folder(source)].append(source)
    return [_merged(g) for g in groups]


def _amends(document: MarkedMap, earlier: list[Source]) -> bool:
    """Whether a file changes services of earlier files rather than defining its own:
    it is no project alone, or a service of it that the earlier files define has no
    `image`, `build` or `extends` of its own (it only adds labels, ports, ...)."""
    if not is_compose(document):
        return True
    defined = {n for s in earlier if isinstance(s.document.get("services"), dict) for n in s.document["services"]}
    return any(
        name in defined and not (isinstance(service, dict) and ({"image", "build", "extends"} & set(service)))
        for name, service in document["services"].items()
    )


def _overrides(name: str, base: str, named: bool) -> bool:
    """Whether file `name` overrides `base`: the override file docker compose reads by
    itself, or, named together, any `<stem>.<x>.yml`."""
    stem = base.rsplit(".", 1)[0]
    if name == base or not name.startswith(stem + ".") or not name.endswith((".yaml", ".yml")):
        return False
    middle = name[len(stem) + 1 :].rsplit(".", 1)[0]
    return middle == "override" or (named and bool(middle))


def _merged(sources: list[Source]) -> Project:
    """One project from its files: merged in order, with what they include and extend."""
    project = Project(sources, MarkedMap(), {})
    for index, source in enumerate(sources):
        included: dict[str, Source] = {}
        document = _included(source, source.document, project.notes, included, 0)
        table = document.get("services")
        for name in table if isinstance(table, MarkedMap) else ():
            project.origin.setdefault(name, included.get(name, source))
        project.document = document if index == 0 else merge_documents(project.document, document)
    _extend_all(project)
    if any(source.tagged for source in sources):  # (the files it includes or extends are resolved as read)
        project.document = resolve_tags(project.document)
    return project


def _included(source: Source, document: MarkedMap, notes: list, origins: dict[str, Source], depth: int) -> MarkedMap:
    """`document` with the services of the files its `include:` names added (the file
    that defines each in `origins`); a service the document defines itself is kept."""
    entries = document.get("include")
    if not isinstance(entries, MarkedList) or depth > _DEPTH:
        return document
    for index, entry in enumerate(entries):
        paths = entry.get("path") if isinstance(entry, dict) else entry
        for relative in paths if isinstance(paths, list) else [paths]:
            if not isinstance(relative, str):
                continue
            other = _load_beside(source, relative, entries.item_at(index), notes, "include")
            if other is None:
                continue
            theirs: dict[str, Source] = {}
            other.document = _included(other, other.document, notes, theirs, depth + 1)
            _add_services(document, other, origins, theirs)
    return document


def _add_services(document: MarkedMap, other: Source, origins: dict[str, Source], theirs: dict[str, Source]) -> None:
    table = document.get("services")
    services = other.document.get("services")
    if not isinstance(table, MarkedMap) or not isinstance(services, MarkedMap):
        return
    for name, service in services.items():
        if name not in table:
            table[name] = service
            table.where[name] = services.where[name]
            origins[name] = theirs.get(name, other)


def _load_beside(source: Source, relative: str, at: Position, notes: list, why: str) -> Source | None:
    """The file `relative` to `source`'s folder, or None (and a note) if it cannot be read."""
    path = source.path.parent / interpolated(relative)
    shown = load.shown_path(path)
    try:
        document = read_file(path, shown)
    except InputError as error:
        notes.append(
            (
                source,
                at,
                f"{why}:{relative}",
                f"{why} {relative} could not be read ({error.message}): what it adds is not checked",
            )
        )
        return None
    return Source(path, shown, resolve_tags(document), named=False)


def _extend_all(project: Project) -> None:
    """Every service that `extends` another, merged over it (its own settings win)."""
    table = project.document.get("services")
    if not isinstance(table, MarkedMap):
        return
    for name in list(table):
        service = table[name]
        if isinstance(service, MarkedMap) and "extends" in service:
            source = project.origin.get(name, project.base)
            table[name] = _extended(project, source, table, name, service, 0)


def _extended(
    project: Project, source: Source, table: MarkedMap, name: str, service: MarkedMap, depth: int
) -> MarkedMap:
    """`service` merged over the service it `extends` (in this file or another)."""
    spec = service.get("extends")
    target = spec if isinstance(spec, str) else spec.get("service") if isinstance(spec, dict) else None
    file = spec.get("file") if isinstance(spec, dict) else None
    own = MarkedMap({k: v for k, v in service.items() if k != "extends"})
    own.path, own.line, own.column = service.path, service.line, service.column
    own.where = {k: v for k, v in service.where.items() if k != "extends"}
    if not isinstance(target, str) or depth > _DEPTH:
        return own
    where, there = service.value_at("extends"), table
    holder: object = table
    if isinstance(file, str):
        other = _load_beside(source, file, where, project.notes, "extends")
        if other is None:
            return own
        source, holder = other, other.document.get("services")
    if not isinstance(holder, MarkedMap):
        return own
    there = holder
    parent = there.get(target)
    if not isinstance(parent, MarkedMap):
        project.notes.append(
            (
                source,
                where,
                f"extends:{target}",
                f"{name} extends {target}, which is not defined: what it inherits is not checked",
            )
        )
        return own
    if "extends" in parent:
        parent = _extended(project, source, there, target, parent, depth + 1)
    return merge_service(parent, own)


def with_bases(sources: list[Source]) -> list[Source]:
    """`sources`, each file named alone that only amends a base (`docker-compose.prod.yml`
    that is no project by itself) preceded by the base file beside it, as `-f
    docker-compose.yml -f docker-compose.prod.yml` reads it; and without the files that
    others `include` or `extends` from, which are parts, not projects."""
    given = {s.path.resolve() for s in sources}
    parts = set()
    for source in sources:
        parts.update(_referenced(source))
    out: list[Source] = []
    for source in sources:
        if source.path.resolve() in parts and len(sources) > 1:
            continue
        if source.named and not is_compose(source.document):
            for name in BASES:
                base = source.path.parent / name
                if base.resolve() not in given and base.is_file() and _overrides(source.path.name, name, True):
                    shown = load.shown_path(base)
                    out.append(read_source(base, shown, named=True))
                    given.add(base.resolve())
                    break
        out.append(source)
    return out


def _referenced(source: Source) -> set[Path]:
    """The files a Compose file pulls in with `include` and `extends: {file: ...}`."""
    found = set()
    entries = source.document.get("include")
    for entry in entries if isinstance(entries, list) else ():
        paths = entry.get("path") if isinstance(entry, dict) else entry
        for relative in paths if isinstance(paths, list) else [paths]:
            if isinstance(relative, str):
                found.add((source.path.parent / interpolated(relative)).resolve())
    table = source.document.get("services")
    for service in table.values() if isinstance(table, dict) else ():
        spec = service.get("extends") if isinstance(service, dict) else None
        if isinstance(spec, dict) and isinstance(spec.get("file"), str):
            found.add((source.path.parent / interpolated(spec["file"])).resolve())
    return found


def part_of(source: Source) -> Path | None:
    """The Compose file beside `source` (or in the folder above) that includes it or
    extends from it, if any: then `source` is a part of that project, not one itself."""
    here = source.path.resolve()
    for folder in (here.parent, here.parent.parent):
        for other in sorted(folder.glob("*.y*ml")):
            if other.resolve() == here or not other.is_file():
                continue
            if not mentions(other, source.path.name.encode()):
                continue
            try:
                document = read_file(other, load.shown_path(other))
            except (OSError, InputError):
                continue
            if here in _referenced(Source(other, load.shown_path(other), document)):
                return other
    return None
