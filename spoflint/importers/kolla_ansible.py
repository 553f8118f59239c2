"""kolla-ansible: an Ansible INI inventory (`multinode`, `all-in-one`), with the
deployment's `globals.yml` if given alongside, as a topology.

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
  `glance_file_datadir_volume` set to a path (a shared mount), every host runs it and
  the shared filesystem, not described here, holds the images. Cinder's LVM backend
  (`enable_cinder_backend_lvm`) keeps one copy of each volume on its volume host.
  Ceph, NFS shares, S3 and Swift backends are external to kolla-ansible: noted in the
  service's description, not modelled.
- `# spoflint: accept RULE reason` comments on a host or group line of the inventory.

What it ignores: `[group:vars]` sections and every host variable but `ansible_host`;
monitoring, logging and per-host helpers (`common`, `cron`, `fluentd`,
`kolla-toolbox`, `prometheus*`, `grafana`, `opensearch`, `collectd`, `openvswitch`,
`ovn-controller` on computes, `iscsid`, `tgtd`, `multipathd`, `hacluster`,
`letsencrypt`); services whose kind spoflint does not know (aodh, gnocchi, manila,
ironic, magnum, trove, ...); every other setting of globals.yml (interfaces, TLS,
images); Jinja expressions, for which kolla-ansible's default is assumed; availability
zones (kolla-ansible's inventory has no convention for them). YAML inventories are not
read. Racks, power and cabling are never in these files: the
analysis reports them as not described.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ..load import MarkedMap, load_text, shown_path
from ._kolla_inventory import Inventory, expand
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
    service `:children` groups), or a kolla-ansible globals.yml."""
    if _is_inventory(text):
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
    optionally, its globals.yml (or a directory holding them)."""
    inventories: list[Inventory] = []
    settings: dict = {}
    for path, named in _files(paths):
        shown = shown_path(path)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InputError(shown, 1, 1, f"cannot read: {error.strerror or error}") from None
        yaml_file = path.suffix in (".yml", ".yaml")
        if _is_inventory(data) or (named and not yaml_file):
            inventories.append(Inventory(data, shown))
        elif yaml_file and (named or path.name in ("globals.yml", "globals.yaml") or detect(path, data)):
            settings.update(load_text(data, shown))
    if not inventories:
        shown = ", ".join(str(p) for p in paths) or "."
        raise InputError(
            shown,
            1,
            1,
            "no kolla-ansible inventory (an INI file with [control], [network] "
            "or [compute] and service :children groups) among these",
        )
    return deployment_plan(inventories, settings).documents()


def _files(paths: Paths) -> list[tuple[Path, bool]]:
    """(path, named by the user) of the files given and of those in the folders given."""
    files: list[tuple[Path, bool]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += [(p, False) for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith(".")]
        elif path.exists():
            files.append((path, True))
        else:
            raise InputError(str(raw), 1, 1, "no such file or directory")
    return files
