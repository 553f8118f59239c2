"""Readers for descriptions people already have: Docker Compose, Kubernetes manifests,
OpenStack-Ansible's openstack_user_config.yml, kolla-ansible inventories.

Each reader maps its format onto the native model: it returns native documents
(MarkedMaps, exactly what spoflint.load gives for a native file) whose every element and
field carries the file, line and column of what it came from in the original file, so
that findings point there.

**The contract.** A reader is a module that satisfies `contract.Importer`:

- `FORMAT: str`: its name (`compose`, `kubernetes`, `openstack-ansible`, `kolla-ansible`);
- `detect(path, text) -> bool`: whether a file (its path and first bytes) is in this
  format; called on every file that is not a native topology, so it is quick and
  never raises;
- `read(paths) -> list[MarkedMap]`: native documents for these files and folders; a
  file named that is not in the format, or cannot be read, is an `InputError`.

`READERS` lists them in the order `detect` asks them, `FORMATS` their names;
`reader` and `by_format` return a module typed as `Importer`, and mypy checks every
module in `READERS` against it. Readers are imported on first use, so that checking
native files loads none of them.

What a foreign file cannot say (racks, power, cabling) a native overlay adds: a native
file given alongside refines the imported elements by id (see `overlay`).

The package, for a walk through it:

- `contract`: the `Importer` protocol above;
- `_native`: building native documents whose nodes point into the original file;
- `_overlay`: native overlays over imported documents, and `to_yaml` for
  `spoflint import`;
- `compose` (with `_compose_files`, `_compose_merge`, `_compose_services`,
  `_compose_volumes`, `_compose_hosts`, `_compose_depends`) and `kubernetes` (with
  `_kubernetes_objects`, `_kubernetes_addresses`, `_kubernetes_operators`,
  `_kubernetes_workloads`, `_kubernetes_storage`, `_kubernetes_replication`,
  `_kubernetes_placement`, `_kubernetes_notes`), sharing `_containers` (images, what
  a process keeps, addresses in environment variables);
- `openstack_ansible` (with `_osa_facts`, `_osa_reader`, `_osa_storage`) and
  `kolla_ansible` (with `_kolla_inventory`, `_kolla_plan`, `_kolla_storage`), sharing
  `_openstack` (the services of an OpenStack control plane and how a placement is
  written);
- `assemble`: the units of a check (native files, foreign units, overlays joined), each
  built or failed on its own.

Each reader's module docstring says what it understands and what it ignores.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ._overlay import overlay, to_yaml
from .contract import Importer

__all__ = ["FORMATS", "READERS", "Importer", "by_format", "detect", "overlay", "reader", "to_yaml"]

READERS = ("compose", "kubernetes", "openstack_ansible", "kolla_ansible")
# the `FORMAT` of each reader, in the same order, known without importing them (the
# command line offers them as choices)
FORMATS = ("compose", "kubernetes", "openstack-ansible", "kolla-ansible")

if TYPE_CHECKING:  # mypy checks each reader module against the contract here
    from . import compose, kolla_ansible, kubernetes, openstack_ansible

    _compose: Importer = compose
    _kubernetes: Importer = kubernetes
    _openstack_ansible: Importer = openstack_ansible
    _kolla_ansible: Importer = kolla_ansible


def reader(name: str) -> Importer:
    """The reader module `name` (one of `READERS`), imported on first use."""
    # import_module gives a plain module; the modules it can give are checked above
    return cast(Importer, import_module(f".{name}", __name__))


def detect(path: Path, text: bytes) -> str | None:
    """The format of a file that is not a native topology, or None."""
    for name in READERS:
        module = reader(name)
        if module.detect(path, text):
            return module.FORMAT
    return None


def by_format(fmt: str) -> Importer:
    """The reader of a format (`kolla-ansible`, ...); KeyError for an unknown one."""
    for name in READERS:
        module = reader(name)
        if module.FORMAT == fmt:
            return module
    raise KeyError(fmt)
