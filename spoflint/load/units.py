"""Units of analysis: which files of a foreign format are read together as one topology.

Each tool has its own notion of "one deployment", and a check follows it, so that two
projects in one repository never merge into one model (docs/importers.md, "Units of
analysis"):

- **Compose**: a project is a base file (`compose.yaml`, `docker-compose.yml`, ...) with
  its override files in the same folder, as `docker compose` finds them
  (`compose.override.yaml`); files named together on the command line also merge
  `<base>.<anything>.yml` into their base, as `-f docker-compose.yml -f
  docker-compose.prod.yml` does. Every other Compose file (a `docker-stack.yml`, a
  `blog.compose.yaml`) is a project of its own.
- **Kubernetes**: the manifests named on the command line are one unit (as `kubectl apply
  -f a -f b`); in a directory, each tree of manifests is one: the shallowest folder that
  holds a manifest itself, with everything below it.
- **OpenStack-Ansible**: each `openstack_user_config` file is one deployment, with the
  `conf.d/`, `env.d/` and `user_*.yml` files of its folder (and those named with it).
- **kolla-ansible**: each inventory is one deployment, with the `globals.yml` and
  `nfs_shares` of its folder (the folder of a `config/nfs_shares` is the one above), or,
  when its folder has none and the tree has them in one folder only, those.

Files a unit cannot do without being absent (an `env.d` with no `openstack_user_config`)
are a unit of their own when the user named them, so that the reader says what is
missing; found in a directory, they are not a deployment and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from .discover import Found

Unit = list[Path]

COMPOSE_BASES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


def group(fmt: str, files: list[Found]) -> list[Unit]:
    """The units of analysis of the files of one foreign format, in the order found."""
    grouping: dict[str, Callable[[list[Found]], list[Unit]]] = {
        "compose": _compose,
        "kubernetes": _kubernetes,
        "openstack-ansible": _openstack_ansible,
        "kolla-ansible": _kolla_ansible,
    }
    return grouping[fmt](files)


def _compose(files: list[Found]) -> list[Unit]:
    units: list[Unit] = []
    by_folder: dict[tuple[Path, bool], list[Found]] = {}
    for found in files:
        by_folder.setdefault((found.path.parent, found.named), []).append(found)
    for (_, named), group_ in by_folder.items():
        names = {f.path.name for f in group_}
        base = next((b for b in COMPOSE_BASES if b in names), None)
        stem = base.rsplit(".", 1)[0] if base else None
        project: Unit = []
        for found in group_:
            name = found.path.name
            if base and (name == base or _overrides(name, stem or "", named)):
                project.append(found.path)
            else:
                units.append([found.path])
        if project:
            project.sort(key=lambda p: p.name != base)  # the base first, then as named or found
            units.append(project)
    return sorted(units, key=lambda u: files.index(next(f for f in files if f.path == u[0])))


def _overrides(name: str, stem: str, named: bool) -> bool:
    """Whether a file overrides the base `stem` (`docker-compose`): the override file
    docker compose merges by itself, or, named with it, any `<stem>.<x>.yml`."""
    if not name.startswith(stem + ".") or not name.endswith((".yaml", ".yml")):
        return False
    middle = name[len(stem) + 1 :].rsplit(".", 1)[0]
    return middle == "override" or (named and bool(middle))


def _kubernetes(files: list[Found]) -> list[Unit]:
    named = [f.path for f in files if f.named]
    units: dict[tuple[Path, Path], Unit] = {}
    holders = {(f.root, f.path.parent) for f in files if f.root is not None}
    for found in files:
        if found.root is None:
            continue
        tree = found.path.parent
        for folder in reversed([tree, *tree.parents]):
            if (found.root, folder) in holders and (folder == found.root or found.root in folder.parents):
                tree = folder
                break
        units.setdefault((found.root, tree), []).append(found.path)
    return ([named] if named else []) + list(units.values())


_OSA_EXTRA = re.compile(r"^user_.*\.ya?ml$")


def _openstack_ansible(files: list[Found]) -> list[Unit]:
    def deployment(path: Path) -> Path:
        return path.parent.parent if path.parent.name in ("conf.d", "env.d") else path.parent

    configs = [f for f in files if f.path.parent.name not in ("conf.d", "env.d") and not _OSA_EXTRA.match(f.path.name)]
    extras = [f for f in files if f not in configs]
    units = []
    for config in configs:
        folder = deployment(config.path)
        joined = [e.path for e in extras if deployment(e.path) == folder or (e.named and config.named)]
        units.append([config.path, *joined])
    used = {p for unit in units for p in unit}
    orphans = [e.path for e in extras if e.named and e.path not in used]
    return units + ([orphans] if orphans else [])


def _kolla_ansible(files: list[Found]) -> list[Unit]:
    def folder(path: Path) -> Path:
        return path.parent.parent if path.name == "nfs_shares" and path.parent.name == "config" else path.parent

    extras = [f for f in files if f.path.suffix in (".yml", ".yaml") or f.path.name == "nfs_shares"]
    inventories = [f for f in files if f not in extras]
    folders = {folder(e.path) for e in extras if not e.named}
    units = []
    for inventory in inventories:
        here = inventory.path.parent
        joined = [
            e.path
            for e in extras
            if folder(e.path) == here or (e.named and inventory.named) or (here not in folders and len(folders) == 1)
        ]
        units.append([inventory.path, *joined])
    used = {p for unit in units for p in unit}
    orphans = [e.path for e in extras if e.named and e.path not in used]
    return units + ([orphans] if orphans else [])
