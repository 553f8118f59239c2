"""kolla-ansible: an Ansible INI inventory (`multinode`, `all-in-one`), with the
deployment's `globals.yml` and `nfs_shares` if given alongside, as a topology.

A kolla-ansible inventory lists hosts in a few top-level groups (`[control]`,
`[network]`, `[compute]`, `[storage]`, `[monitoring]`) and says, through a long tail of
`[service:children]` groups, which of them run each service (`[mariadb:children]`
control, `[loadbalancer:children]` network, ...). `globals.yml` says which services are
enabled and how (the VIP, the image and volume backends). This reader resolves the
groups and writes the native model: every host, the services on them, their storage
and the load balancer, each pointing at the line and column of the host or group line
in the inventory.

What it understands:

- **The INI inventory**: `[group]` sections of host lines, `[group:children]`
  sections, resolved transitively (a service group of a service group of `control`),
  host ranges (`control[01:03]`, `node[a:c]`, `[01:10:2]`), a `:port` after a name,
  and host variables after the name, of which only `ansible_host` is read: names with
  the same `ansible_host` are one machine. The deployment host (a host only in
  `[deployment]`, like `localhost ansible_connection=local` in `multinode`) is not part
  of the cloud and is left out.
- **Which group runs what**: the service groups of kolla-ansible's inventory
  (`loadbalancer` or the older `haproxy`, `mariadb`, `rabbitmq`, `memcached`,
  `keystone`, `glance-api`, `nova-api`, `nova-scheduler`, `nova-conductor`,
  `nova-novncproxy`, `nova-metadata`, `nova-compute` or else `compute`,
  `placement-api`, `neutron-server`, the L3/DHCP/metadata agent groups or, with
  `neutron_plugin_agent: ovn`, `ovn-nb-db`/`ovn-northd`/`ovn-controller-network`,
  `heat-*`, `horizon`, `cinder-*`, `etcd`, `barbican-api`, `designate-*`,
  `octavia-*`), each only when its `enable_*` switch is on (kolla-ansible's defaults:
  HAProxy, keepalived, MariaDB, memcached, RabbitMQ and the core services keystone,
  glance, nova, placement, neutron, heat and horizon on; cinder, etcd, barbican,
  designate and octavia off). Services are modelled as in the OpenStack-Ansible reader
  (Galera behind the load balancer, as ProxySQL/HAProxy serve it; RabbitMQ with quorum
  queues unless `om_enable_rabbitmq_quorum_queues` is off; APIs behind HAProxy;
  schedulers, conductors, agents, nova-compute and cinder-volume as workers).
- **Load balancer**: HAProxy (with ProxySQL, on the same hosts) on the `loadbalancer`
  group when `enable_haproxy`; keepalived (`enable_keepalived`, on by default with
  HAProxy) holds `kolla_internal_vip_address` and fails it over. With keepalived off,
  several HAProxy hosts have no VIP, which is a finding.
- **Storage**: glance's file backend (the default) keeps images in a local Docker
  volume, and kolla-ansible then runs glance-api on the first host of `glance-api`
  only: a single host holding the only copy of the images. With
  `glance_file_datadir_volume` set to a path, every host runs it and a filesystem
  shared between them, which these files do not describe, holds the images: a note,
  never an assumed redundancy. Cinder's LVM backend (`enable_cinder_backend_lvm`) keeps
  one copy of each volume on its volume host. Its NFS backend
  (`enable_cinder_backend_nfs`) keeps each volume on one of the shares of
  `/etc/kolla/config/nfs_shares` (given alongside, or found under a kolla config
  folder's `config/` as kolla-ansible looks for it; `server:/path [options]` per line,
  `#` comments): each share's server is a host (an inventory host by name or
  `ansible_host`, else a host of its own) holding the only copy of some volumes.
  cinder-backup's target follows `cinder_backup_driver` (kolla-ansible's default:
  ceph): with `nfs`, the server of `cinder_backup_share` is a storage host too, so a
  backup on the box that holds its volumes fails with them, in one finding. Storage
  outside kolla-ansible's files (an external Ceph from `glance_backend_ceph`,
  `cinder_backend_ceph`, `nova_backend_ceph` or the backup driver; S3, Swift, VMware;
  vendor cinder backends) is a note naming it, once per kind of storage.
- **VIP**: a `kolla_internal_vip_address` (or external) that is a host's own address
  (its `ansible_host`) cannot float: keepalived cannot move an address a host owns, so
  the load balancer is modelled without a VIP, clients reaching that host, and a note
  says whose address it is.
- **Variables files**: globals.yml as Ansible reads it: `!vault` and `!unsafe` values
  are opaque strings; an empty or all-comment file is empty; a Jinja expression where
  a value is needed means kolla-ansible's default (or, for a share or an address,
  "not known": a note); a file or inventory that is a Jinja template (`{% ... %}`,
  `{{ host }}` as a host name) is an error that says to render it first.
- **Notes on what is not modelled**: groups with hosts of their own that no modelled
  service runs on, and `enable_*` switches on for services spoflint does not model
  (manila, ironic, prometheus, ...), each one note per file.
- `# spoflint: accept RULE reason` comments on a host or group line of the inventory.

What it ignores: `[group:vars]` sections and every host variable but `ansible_host`;
per-host helpers (`common`, `cron`, `fluentd`, `kolla-toolbox`, `collectd`,
`openvswitch`, `ovn-controller` on computes, `iscsid`, `tgtd`, `multipathd`,
`letsencrypt`), which live and die with their host; every other setting of globals.yml
(interfaces, TLS, images); availability zones (kolla-ansible's inventory has no
convention for them). Services whose kind spoflint does not know (aodh, gnocchi,
manila, ironic, magnum, trove, monitoring and logging) are not modelled, and said so
in a note when globals.yml enables them. YAML inventories are not read. Racks, power
and cabling are never in these files: the analysis reports them as not described.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ..load import MarkedMap, read_once, shown_path
from ..load.documents import load_foreign
from ._kolla_inventory import Inventory, Settings, Shares, expand
from ._kolla_plan import deployment_plan
from .contract import Paths

__all__ = ["FORMAT", "detect", "expand", "read"]

FORMAT = "kolla-ansible"

_SECTION_BYTES = re.compile(rb"^[ \t]*\[([A-Za-z0-9_.-]+)(:children|:vars)?\][ \t]*$", re.M)
_KOLLA_GROUPS = {
    b"mariadb",
    b"rabbitmq",
    b"keystone",
    b"nova",
    b"neutron",
    b"loadbalancer",
    b"haproxy",
    b"glance",
    b"memcached",
    b"horizon",
}
_GLOBALS_KEYS = re.compile(rb"^(kolla_[a-z0-9_]+|workaround_ansible_issue_8743)[ \t]*:", re.M)
_NATIVE = re.compile(rb"^version[ \t]*:", re.M)


def detect(path: Path, text: bytes) -> bool:
    """A kolla-ansible INI inventory (the `[control]`/`[network]`/`[compute]` groups and
    service `:children` groups), a kolla-ansible globals.yml, or an nfs_shares file."""
    if _is_inventory(text) or Path(path).name in _SHARES:
        return True
    if _NATIVE.search(text):
        return False
    if _GLOBALS_KEYS.search(text):
        return True
    return Path(path).name in ("globals.yml", "globals.yaml") and b"kolla" in text


def _is_inventory(text: bytes) -> bool:
    sections = _SECTION_BYTES.findall(text)
    plain = {name for name, kind in sections if not kind}
    children = {name for name, kind in sections if kind == b":children"}
    return bool(plain & {b"control", b"network", b"compute"}) and bool(children & _KOLLA_GROUPS)


def read(paths: Paths) -> list[MarkedMap]:
    """Native documents for a kolla-ansible deployment: its inventory file(s) and,
    optionally, its globals.yml and nfs_shares (or a directory holding them)."""
    inventories: list[Inventory] = []
    settings = Settings()
    shares = Shares()
    for path, named in _files(paths):
        shown = shown_path(path)
        data = read_once(path, shown)  # the bytes sniffing read, bounded
        yaml_file = path.suffix in (".yml", ".yaml")
        if path.name in _SHARES:
            shares.read(data, shown)
        elif _is_inventory(data) or (named and not yaml_file):
            inventories.append(Inventory(data, shown))
        elif yaml_file and (named or path.name in ("globals.yml", "globals.yaml") or detect(path, data)):
            settings.update(load_foreign(data, shown, "a kolla-ansible globals.yml"))
    if not inventories:
        shown = ", ".join(str(p) for p in paths) or "."
        raise InputError(
            shown,
            1,
            1,
            "no kolla-ansible inventory (an INI file with [control], [network] "
            "or [compute] and service :children groups) among these",
        )
    if not any(inventory.host_at for inventory in inventories):  # nothing to describe
        raise InputError(
            inventories[0].path, 1, 1, "no hosts: no group of this inventory lists one (it is empty, or only comments)"
        )
    return deployment_plan(inventories, settings, shares).documents()


def _files(paths: Paths) -> list[tuple[Path, bool]]:
    """(path, named by the user) of the files given and of those in the folders given
    (with the nfs_shares of a kolla config folder's `config/`, where kolla-ansible looks)."""
    files: list[tuple[Path, bool]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += [(p, False) for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith(".")]
            files += [(p, False) for p in _share_places(path) if p.is_file()]
        elif path.exists():
            files.append((path, True))
        else:
            raise InputError(str(raw), 1, 1, "no such file or directory")
    return files


_SHARES = ("nfs_shares", "nfs_shares.j2")


def _share_places(folder: Path) -> list[Path]:
    """Where kolla-ansible's cinder role looks for nfs_shares, under a config folder."""
    return [folder / "config" / sub / name for sub in ("", "cinder", "cinder/cinder-volume") for name in _SHARES]
