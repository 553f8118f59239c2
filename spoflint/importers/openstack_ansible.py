"""OpenStack-Ansible: `openstack_user_config.yml` (and its `conf.d/*.yml`) as a topology.

OpenStack-Ansible's inventory file says which hosts belong to which `*_hosts` group;
its `env.d` skeleton says which containers, and so which services, each group runs.
This reader joins the two and writes the native model: every host, the services on
them, their storage, the load balancer and the zones, each pointing at the host or
group entry of the original file.

What it understands:

- **Host groups**: every top-level `*_hosts` mapping, in old and new spellings
  (`shared-infra_hosts` and `shared_infra_hosts` are one group), with YAML anchors,
  aliases and merge keys (`<<:`). Each host becomes a host element at its entry (the
  first group that lists it, in file order); its `ip` goes into its description.
- **Which group runs what**: a table of OpenStack-Ansible's env.d facts written here
  (in `_osa_facts`: container -> host groups, container -> components), e.g.
  `shared_infra` runs Galera, RabbitMQ and memcached, `os_infra` the
  glance/heat/horizon/nova-api/placement containers, `storage` cinder-volume,
  `compute` nova-compute. A deployment's own
  `env.d` directory (or files) given alongside extends or replaces entries of the
  table, as OpenStack-Ansible merges it; a custom component whose `belongs_to` names
  a known component (`az1_ceph_osd: {belongs_to: [ceph_osd]}`) counts as that one.
  `affinity: {container: 0}` on a host removes that container there; more than one
  container of a service on a host is modelled as a pool (they fail together).
- **Services**: Galera (`mariadb-galera`, majority quorum, reached through the load
  balancer), RabbitMQ (quorum queues: active/active, majority; client-side list),
  memcached (client-side list), ZooKeeper, the APIs (keystone, glance, nova,
  placement, neutron-server, cinder, heat, horizon, ...) behind the load balancer,
  schedulers, conductors, cinder-volume and nova-compute as workers (cinder-backup too
  when `cinder_service_backup_program_enabled`, off by default), OVN
  (`network_northd`: northd and its Raft databases; `network_gateway`: gateway
  chassis) or, without OVN, the L3/DHCP/metadata agents of `network_hosts`. What each
  needs (Galera, keystone, RabbitMQ, memcached, placement) follows the OpenStack HA
  guide, and is only written when the needed service is in the file.
- **Load balancer**: HAProxy on `haproxy_hosts`/`load_balancer_hosts`. Assumption (as
  OpenStack-Ansible's `haproxy_use_keepalived` default): with more than one HAProxy
  host, keepalived holds `internal_lb_vip_address` and fails it over, so the pair has a
  VIP; `haproxy_use_keepalived: false` (in `global_overrides` or a user_variables file
  given alongside) removes it, and an HAProxy pair without a VIP is a finding. The
  `haproxy_keepalived_*_vip_cidr` settings are assumed to match the VIP addresses.
  Without HAProxy hosts but with VIP addresses, the load balancer is one the file does
  not describe: it appears as an `lb-appliance` network node with nothing known about
  it (reported as incomplete) and the APIs reach their clients through its VIP.
- **Storage**: Ceph OSD hosts (`ceph-osd_hosts`/`ceph_osd_hosts`) as a `ceph` backend
  with Ceph's default pool size (3 copies, 2 needed; `osd_pool_default_size` changes
  it) and `ceph-mon` as a quorum cluster; glance's image store from
  `glance_remote_client`/`glance_nfs_client` (an NFS server: a host of the inventory
  when its address is one, else a host `nfs-<address>`), from `glance_default_store`
  (`rbd`: the Ceph backend; `file`: each glance host's own disk, one copy per image);
  cinder backends (`cinder_backends` in `container_vars` or globally): NFS shares, LVM
  (one copy, on the volume host) and RBD.
- **Zones**: `availability_zone`, `nova_availability_zone` or
  `cinder_storage_availability_zone` in a host's `host_vars`/`container_vars`, and
  groups named like `az1_hosts`, put hosts in zones.
- `# spoflint: accept RULE reason` comments on a host or group line of the file.

What it ignores: `cidr_networks`, `used_ips`, `provider_networks` and every other
network setting (they describe address plans, not cabling: the hosts are not cabled to
anything, and the analysis says so once); `is_metal`, container types and every other
variable; per-host agents (the Open vSwitch agent, ovn-controller on computes,
ceilometer's compute agent), which live and die with their host; the repository and
utility containers (used to deploy and operate, not by the cloud); components whose
kind spoflint does not know (aodh, gnocchi, manila, ironic, magnum, trove, ...);
groups that env.d does not map, whose hosts are read but run nothing; image stores and
cinder backends that live outside the file (Swift, an external Ceph named by
`ceph_mons`, vendor drivers), noted in the service's description. Racks, power and
cabling are never in this file: the analysis reports them as not described.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from ..load import MarkedMap, load_text, shown_path
from ._osa_reader import Reader, Sources
from .contract import Paths

FORMAT = "openstack-ansible"

_TOP_KEYS = re.compile(rb"^(cidr_networks|used_ips|global_overrides)[ \t]*:", re.M)
_SKEL_KEYS = re.compile(rb"^(component_skel|container_skel|physical_skel)[ \t]*:", re.M)
_GROUP_KEY = re.compile(rb"^[A-Za-z0-9_.-]+_hosts[ \t]*:", re.M)
_IP_KEY = re.compile(rb"^[ \t]+ip[ \t]*:", re.M)
_NATIVE = re.compile(rb"^version[ \t]*:", re.M)
_VARIABLES_NAME = re.compile(r"^user_.*variables.*\.ya?ml$")


def detect(path: Path, text: bytes) -> bool:
    """An openstack_user_config.yml (or a conf.d file: `*_hosts` groups of hosts with
    an `ip`), an env.d skeleton, or a user_variables file."""
    if _NATIVE.search(text):
        return False
    if _TOP_KEYS.search(text) or _SKEL_KEYS.search(text):
        return True
    if _GROUP_KEY.search(text) and _IP_KEY.search(text):
        return True
    return bool(_VARIABLES_NAME.match(Path(path).name))


def read(paths: Paths) -> list[MarkedMap]:
    """Native documents for an OpenStack-Ansible deployment: its openstack_user_config
    file(s), and optionally its env.d (a directory or files) and user_variables files."""
    sources = Sources()
    for raw in paths:
        _add(sources, Path(raw))
    if not sources.configs:
        shown = ", ".join(str(p) for p in paths) or "."
        raise InputError(shown, 1, 1, "no openstack_user_config file (top-level `*_hosts` groups) among these")
    return Reader(sources).plan().documents()


# --- reading the files -------------------------------------------------------------


def _add(sources: Sources, path: Path) -> None:
    """A file named, or the YAML files of a deployment folder and its conf.d and env.d."""
    if path.is_dir():
        found = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix in (".yml", ".yaml") and not p.name.startswith(".")
        )
        for sub in ("conf.d", "env.d"):
            if (path / sub).is_dir():
                found += sorted(p for p in (path / sub).iterdir() if p.suffix in (".yml", ".yaml"))
        for child in found:
            _add_file(sources, child, named=False)
        return
    if not path.exists():
        raise InputError(str(path), 1, 1, "no such file or directory")
    _add_file(sources, path, named=True)


def _add_file(sources: Sources, path: Path, named: bool) -> None:
    """One file, sorted by what it holds: an env.d skeleton, a user config (`*_hosts`
    groups) or variables; a file found in a folder that is none of these is skipped."""
    shown = shown_path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(shown, 1, 1, f"cannot read: {error.strerror or error}") from None
    if not named and not detect(path, data):
        return  # another file of the deployment folder (user_secrets.yml, a template)
    document = load_text(data, shown)
    keys = set(document)
    if keys & {"component_skel", "container_skel", "physical_skel"}:
        sources.envs.append(document)
    elif keys & {"cidr_networks", "used_ips", "global_overrides"} or any(
        isinstance(k, str) and k.endswith("_hosts") for k in keys
    ):
        sources.configs.append(document)
    elif _VARIABLES_NAME.match(path.name) or named:
        sources.variables.append(document)
