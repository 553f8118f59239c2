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
- **VIP**: an `internal_lb_vip_address` or `external_lb_vip_address` (with or without
  its `/32`) that is a host's own `ip` cannot float: keepalived cannot move an address
  a host owns, so with several HAProxy hosts the load balancer is modelled without a
  VIP, clients reaching that host, and a note says whose address it is (one HAProxy
  host at its own address is already a single load balancer).
- **Files as OpenStack-Ansible reads them**: `conf.d` (walked down, like `env.d`) merges
  into the config, and an empty or all-comment file there is `{}`; the `user_*.yml`
  files beside the config are variables; `!vault`, `!vault-encrypted` and `!unsafe`
  values are opaque strings; a Jinja expression where an address or a server is needed
  is not known (a note says to render first), and a file that is a Jinja template (the
  `.aio` files of upstream's conf.d, a host name `{{ ... }}`) is an error that says to
  render it first. A deployment whose groups list no host at all is an error, never
  "no findings".
- **Notes on what is not modelled**: groups whose hosts run nothing spoflint models (not
  mapped by env.d, or components it does not know: telemetry, logging, ...), image
  stores and cinder backends the files do not describe (Swift, an external Ceph,
  vendor drivers), each one note, never an assumed redundancy.
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
groups that env.d does not map, whose hosts are read but run nothing (a note lists
them); image stores and cinder backends that live outside the file (Swift, an external
Ceph named by `ceph_mons`, vendor drivers), which are notes. Racks, power and cabling
are never in this file: the analysis reports them as not described.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import InputError
from ..load import MarkedMap, read_once, shown_path
from ..load.documents import load_foreign
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
    an `ip`), an env.d skeleton, a user_variables file, or any YAML file of the conf.d,
    env.d or `user_*.yml` of a folder that holds an openstack_user_config (an empty one
    too: OpenStack-Ansible reads it as `{}`)."""
    if _NATIVE.search(text):
        return False
    if _TOP_KEYS.search(text) or _SKEL_KEYS.search(text):
        return True
    if _GROUP_KEY.search(text) and _IP_KEY.search(text):
        return True
    path = Path(path)
    if _VARIABLES_NAME.match(path.name):
        return True
    return _yaml(path) and _beside_a_config(path)


def _beside_a_config(path: Path) -> bool:
    """A `conf.d/`, `env.d/` (at any depth) or `user_*.yml` file of a deployment folder."""
    if path.name.startswith("user_"):
        folder = path.parent
    else:
        parts = path.parent.parts
        below = [i for i, part in enumerate(parts) if part in ("conf.d", "env.d")]
        if not below:
            return False
        folder = Path(*parts[: below[-1]]) if below[-1] else Path(".")
    try:
        return any(folder.glob("openstack_user_config.y*ml"))
    except OSError:
        return False


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
    """A file named, or the YAML files of a deployment folder and of its conf.d and
    env.d (walked down, as OpenStack-Ansible's inventory does)."""
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.is_file() and _yaml(p))
        for sub in ("conf.d", "env.d"):
            for root, dirs, files in os.walk(path / sub):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found += sorted(Path(root) / f for f in files if _yaml(Path(root) / f))
        for child in found:
            _add_file(sources, child, named=False)
        return
    if not path.exists():
        raise InputError(str(path), 1, 1, "no such file or directory")
    _add_file(sources, path, named=True)


def _yaml(path: Path) -> bool:
    return path.suffix in (".yml", ".yaml") and not path.name.startswith(".")


def _add_file(sources: Sources, path: Path, named: bool) -> None:
    """One file, sorted by what it holds: an env.d skeleton, a user config (`*_hosts`
    groups, or the openstack_user_config itself) or variables; a file found in a folder
    that is none of these is skipped. An empty or all-comment file is `{}`, as
    OpenStack-Ansible reads it."""
    shown = shown_path(path)
    data = read_once(path, shown)  # the bytes sniffing read, bounded
    if not named and not detect(path, data):
        return  # another file of the deployment folder (a template, a README)
    document = load_foreign(data, shown, _what(path))
    keys = set(document)
    if keys & {"component_skel", "container_skel", "physical_skel"}:
        sources.envs.append(document)
    elif (
        keys & {"cidr_networks", "used_ips", "global_overrides"}
        or any(isinstance(k, str) and k.endswith("_hosts") for k in keys)
        or path.name.startswith("openstack_user_config")
        or path.parent.name == "conf.d"
    ):
        sources.configs.append(document)
    elif _VARIABLES_NAME.match(path.name) or named:
        sources.variables.append(document)


def _what(path: Path) -> str:
    """What a file of a deployment is, for messages."""
    if path.parent.name in ("conf.d", "env.d"):
        return f"an OpenStack-Ansible {path.parent.name} file"
    if path.name.startswith("user_"):
        return "an OpenStack-Ansible variables file"
    return "an openstack_user_config file"
