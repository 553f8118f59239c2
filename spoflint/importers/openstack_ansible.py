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
  (container -> host groups, container -> components), e.g. `shared_infra` runs Galera,
  RabbitMQ and memcached, `os_infra` the glance/heat/horizon/nova-api/placement
  containers, `storage` cinder-volume, `compute` nova-compute. A deployment's own
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
from ..load import MarkedList, MarkedMap, load_text, shown_path
from ._openstack import At, Plan, StorageSpec, ceph_copies, truthy

FORMAT = "openstack-ansible"

# env.d facts: container -> (host groups it goes to, components it holds). A host
# group `X` is the user config's `X_hosts` and env.d's `X_containers`.
_CONTAINERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "galera_container": (("database", "shared_infra"), ("galera",)),
    "memcached_container": (("memcaching", "shared_infra"), ("memcached",)),
    "rabbit_mq_container": (("mq", "shared_infra"), ("rabbitmq",)),
    "utility_container": (("operator", "shared_infra"), ("utility",)),
    "repo_container": (("repo_infra",), ("pkg_repo",)),
    "zookeeper_container": (("coordination",), ("zookeeper",)),
    "haproxy_container": (("haproxy", "load_balancer"), ("haproxy",)),
    "keystone_container": (("identity",), ("keystone",)),
    "glance_container": (("image", "os_infra"), ("glance_api",)),
    "placement_container": (("placement_infra", "os_infra"), ("placement_api",)),
    "nova_api_container": (
        ("compute_infra", "os_infra"),
        ("nova_api_metadata", "nova_api_os_compute", "nova_conductor", "nova_scheduler", "nova_console"),
    ),
    "nova_compute_container": (
        ("compute", "kvm_compute", "qemu_compute"),
        ("neutron_openvswitch_agent", "neutron_sriov_nic_agent", "neutron_ovn_controller", "nova_compute"),
    ),
    "ironic_compute_container": (("ironic_compute",), ("ironic_compute", "ironic_console", "nova_compute")),
    "heat_api_container": (("orchestration", "os_infra"), ("heat_api_cfn", "heat_api", "heat_engine")),
    "horizon_container": (("dashboard", "os_infra"), ("horizon",)),
    "cinder_api_container": (("storage_infra",), ("cinder_api", "cinder_scheduler")),
    "cinder_volumes_container": (("storage",), ("cinder_volume", "cinder_backup")),
    "neutron_server_container": (("network", "network_infra"), ("neutron_server",)),
    "neutron_agents_container": (
        ("network", "network_agent"),
        (
            "neutron_dhcp_agent",
            "neutron_l3_agent",
            "neutron_metadata_agent",
            "neutron_metering_agent",
            "neutron_openvswitch_agent",
        ),
    ),
    "neutron_ovn_northd_container": (("network_northd",), ("neutron_ovn_northd",)),
    "neutron_ovn_gateway_container": (("network_gateway",), ("neutron_ovn_controller", "neutron_ovn_gateway")),
    "ceph_mon_container": (("ceph_mon",), ("ceph_mon",)),
    "ceph_osd_container": (("ceph_osd",), ("ceph_osd",)),
    "ceph_rgw_container": (("ceph_rgw",), ("ceph_rgw",)),
    "swift_proxy_container": (("swift_proxy",), ("swift_proxy",)),
    "barbican_container": (("key_manager",), ("barbican_api",)),
    "designate_container": (("dnsaas",), ("designate_api", "designate_central", "designate_worker")),
    "octavia_server_container": (
        ("octavia_infra",),
        ("octavia_api", "octavia_worker", "octavia_housekeeping", "octavia_health_manager"),
    ),
}

# component -> the services it is modelled as (components not listed are not modelled)
_COMPONENTS: dict[str, tuple[str, ...]] = {
    "galera": ("galera",),
    "rabbitmq": ("rabbitmq",),
    "memcached": ("memcached",),
    "zookeeper": ("zookeeper",),
    "haproxy": ("haproxy",),
    "keystone": ("keystone",),
    "glance_api": ("glance",),
    "placement_api": ("placement",),
    "nova_api_os_compute": ("nova-api",),
    "nova_api_metadata": ("nova-metadata-api",),
    "nova_console": ("nova-novncproxy",),
    "nova_scheduler": ("nova-scheduler",),
    "nova_conductor": ("nova-conductor",),
    "nova_compute": ("nova-compute",),
    "neutron_server": ("neutron-server",),
    "neutron_l3_agent": ("neutron-l3-agent",),
    "neutron_dhcp_agent": ("neutron-dhcp-agent",),
    "neutron_metadata_agent": ("neutron-metadata-agent",),
    "neutron_ovn_northd": ("ovn-northd", "ovn-ovsdb"),
    "neutron_ovn_gateway": ("ovn-gateway",),
    "cinder_api": ("cinder-api",),
    "cinder_scheduler": ("cinder-scheduler",),
    "cinder_volume": ("cinder-volume",),
    "cinder_backup": ("cinder-backup",),
    "heat_api": ("heat-api",),
    "heat_api_cfn": ("heat-api-cfn",),
    "heat_engine": ("heat-engine",),
    "horizon": ("horizon",),
    "ceph_mon": ("ceph-mon",),
    "ceph_rgw": ("ceph-rgw",),
    "swift_proxy": ("swift-proxy",),
    "barbican_api": ("barbican-api",),
    "designate_api": ("designate-api",),
    "designate_worker": ("designate-worker",),
    "octavia_api": ("octavia-api",),
    "octavia_worker": ("octavia-worker",),
    "octavia_health_manager": ("octavia-health-manager",),
    "octavia_housekeeping": ("octavia-housekeeping",),
    "ceph_osd": (),  # the Ceph storage backend, not a service
}
_OVS_AGENTS = {"neutron-l3-agent", "neutron-dhcp-agent", "neutron-metadata-agent"}
_OVN = {"ovn-northd", "ovn-ovsdb", "ovn-gateway"}
_ZONE_VARS = ("availability_zone", "nova_availability_zone", "cinder_storage_availability_zone")
_ZONE_GROUP = re.compile(r"^az[^_]*$")

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


def read(paths) -> list[MarkedMap]:
    """Native documents for an OpenStack-Ansible deployment: its openstack_user_config
    file(s), and optionally its env.d (a directory or files) and user_variables files."""
    sources = _Sources()
    for raw in paths:
        sources.add(Path(raw))
    if not sources.configs:
        shown = ", ".join(str(p) for p in paths) or "."
        raise InputError(shown, 1, 1, "no openstack_user_config file (top-level `*_hosts` groups) among these")
    return _Reader(sources).plan().documents()


# --- reading the files -------------------------------------------------------------


def _group_name(key: str) -> str:
    """`shared-infra_hosts` -> `shared_infra`."""
    return key[: -len("_hosts")].replace("-", "_")


class _Sources:
    def __init__(self):
        self.configs: list[MarkedMap] = []
        self.envs: list[MarkedMap] = []
        self.variables: list[MarkedMap] = []

    def add(self, path: Path) -> None:
        if path.is_dir():
            found = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.suffix in (".yml", ".yaml") and not p.name.startswith(".")
            )
            for sub in ("conf.d", "env.d"):
                if (path / sub).is_dir():
                    found += sorted(p for p in (path / sub).iterdir() if p.suffix in (".yml", ".yaml"))
            for child in found:
                self._file(child, named=False)
            return
        if not path.exists():
            raise InputError(str(path), 1, 1, "no such file or directory")
        self._file(path, named=True)

    def _file(self, path: Path, named: bool) -> None:
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
            self.envs.append(document)
        elif keys & {"cidr_networks", "used_ips", "global_overrides"} or any(
            isinstance(k, str) and k.endswith("_hosts") for k in keys
        ):
            self.configs.append(document)
        elif _VARIABLES_NAME.match(path.name) or named:
            self.variables.append(document)


def _at(node, key) -> At:
    if isinstance(node, MarkedMap) and key in node.where:
        line, column = node.key_at(key)
        return node.path, line, column
    if isinstance(node, MarkedList) and isinstance(key, int) and key < len(node.where):
        line, column = node.item_at(key)
        return node.path, line, column
    return node.path, node.line, node.column


def _value_at(node: MarkedMap, key) -> At:
    line, column = node.value_at(key)
    return node.path, line, column


def _zone_id(value) -> str | None:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    text = re.sub(r"[^A-Za-z0-9_.:@/+=-]", "-", str(value).strip())
    text = re.sub(r"^[^A-Za-z0-9_]+", "", text)
    return text or None


class _Reader:
    def __init__(self, sources: _Sources):
        self.sources = sources
        self.plan_ = Plan(Path(sources.configs[0].path).name)
        # group -> [(host, entry, group mapping)] in file order; hosts -> ip
        self.groups: dict[str, list[tuple[str, MarkedMap | None, MarkedMap]]] = {}
        self.group_at: dict[str, At] = {}
        self.entries: dict[str, list[MarkedMap]] = {}  # host -> its entries (mappings), first first
        self.ips: dict[str, str] = {}  # address -> host
        self.vars: dict = {}
        self.vars_at: dict[str, At] = {}
        self.containers = {name: (set(groups), list(components)) for name, (groups, components) in _CONTAINERS.items()}
        self.aliases: dict[str, str] = {}  # custom component -> known component

    # -- inputs
    def _read_groups(self) -> None:
        for document in self.sources.configs:
            overrides = document.get("global_overrides")
            if isinstance(overrides, MarkedMap):
                for key, value in overrides.items():
                    self.vars[key] = value
                    self.vars_at[key] = _at(overrides, key)
            for key, value in document.items():
                if not (isinstance(key, str) and key.endswith("_hosts")):
                    continue
                if value is None:
                    continue
                if not isinstance(value, MarkedMap):
                    raise InputError(
                        document.path,
                        *document.value_at(key),
                        f"{key}: expected a mapping of host names to their settings (ip: ...)",
                    )
                group = _group_name(key)
                self.group_at.setdefault(group, _at(document, key))
                members = self.groups.setdefault(group, [])
                for host, entry in value.items():
                    if entry is not None and not isinstance(entry, MarkedMap):
                        raise InputError(
                            value.path, *value.value_at(host), f"{key}.{host}: expected the host's settings (ip: ...)"
                        )
                    members.append((str(host), entry, value))
                    self._host(str(host), entry, value)
        for document in self.sources.variables:
            for key, value in document.items():
                self.vars[key] = value
                self.vars_at[key] = _at(document, key)

    def _host(self, host: str, entry: MarkedMap | None, group: MarkedMap) -> None:
        spec = self.plan_.host(host, _at(group, host))
        if entry is None:
            return
        self.entries.setdefault(host, []).append(entry)
        ip = entry.get("ip")
        if isinstance(ip, str) and ip and not spec.description:
            spec.description = f"ip {ip}"
            self.ips.setdefault(ip, host)

    def _read_env(self) -> None:
        """A deployment's env.d over the bundled facts: containers it names replace
        ours field by field; components that belong to a known one count as it."""
        for document in self.sources.envs:
            containers = document.get("container_skel")
            for name, spec in containers.items() if isinstance(containers, dict) else ():
                if not isinstance(spec, dict):
                    continue
                groups, components = self.containers.get(name, (set(), []))
                if isinstance(spec.get("belongs_to"), list):
                    groups = {str(g).removesuffix("_containers").replace("-", "_") for g in spec["belongs_to"]}
                if isinstance(spec.get("contains"), list):
                    components = [str(c) for c in spec["contains"]]
                self.containers[name] = (groups, components)
            components = document.get("component_skel")
            for name, spec in components.items() if isinstance(components, dict) else ():
                if name in _COMPONENTS or not isinstance(spec, dict) or not isinstance(spec.get("belongs_to"), list):
                    continue
                for parent in spec["belongs_to"]:
                    if isinstance(parent, str) and parent in _COMPONENTS:
                        self.aliases[name] = parent
                        break

    # -- the model
    def plan(self) -> Plan:
        self._read_groups()
        self._read_env()
        for document in self.sources.configs:
            if getattr(document, "comments", None):
                self.plan_.comments[document.path] = document.comments
        self._zones()
        ovn = self._ovn()
        backup = truthy(self.vars.get("cinder_service_backup_program_enabled"), False)
        osd_hosts: dict[str, At] = {}
        osd_at: At | None = None
        for group, members in self.groups.items():
            for container, (groups, components) in self.containers.items():
                if group not in groups:
                    continue
                for component in components:
                    component = self.aliases.get(component, component)
                    services = _COMPONENTS.get(component)
                    if services is None:
                        continue
                    for host, entry, table in members:
                        count = self._affinity(entry, container)
                        if not count:
                            continue
                        if component == "ceph_osd":
                            osd_at = osd_at or self.group_at[group]
                            osd_hosts.setdefault(host, _at(table, host))
                        for service in services:
                            if (service in _OVS_AGENTS and ovn) or (service in _OVN and not ovn):
                                continue
                            if service == "cinder-backup" and not backup:
                                continue
                            self.plan_.place(service, self.group_at[group]).add(host, _at(table, host), count)
        self._balancer()
        if osd_hosts:
            size = self.vars.get("osd_pool_default_size")
            replicas, needed = ceph_copies(size)
            replicas = min(replicas, len(osd_hosts))
            self.plan_.storage["ceph"] = StorageSpec(
                "ceph",
                osd_at,
                dict(osd_hosts),
                replicas,
                min(needed, replicas),
                "Ceph OSD hosts (pool size from osd_pool_default_size, else Ceph's default of 3)",
            )
        self._glance()
        self._cinder()
        return self.plan_

    def _affinity(self, entry: MarkedMap | None, container: str) -> int:
        if not isinstance(entry, MarkedMap) or not isinstance(entry.get("affinity"), dict):
            return 1
        count = entry["affinity"].get(container, 1)
        return count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else 1

    def _ovn(self) -> bool:
        plugin = self.vars.get("neutron_plugin_type")
        if isinstance(plugin, str) and "{{" not in plugin:
            return "ovn" in plugin
        return any(self.groups.get(g) for g in ("network_northd", "network_gateway"))

    def _zones(self) -> None:
        for group, members in self.groups.items():
            if not _ZONE_GROUP.match(group):
                continue
            zone = _zone_id(group)
            self.plan_.zones.setdefault(zone, self.group_at[group])
            for host, _, table in members:
                spec = self.plan_.hosts[host]
                spec.zone = spec.zone or (zone, _at(table, host))
        for host, entries in self.entries.items():
            for entry in entries:
                for section in ("host_vars", "container_vars"):
                    values = entry.get(section)
                    if not isinstance(values, MarkedMap):
                        continue
                    for key in _ZONE_VARS:
                        zone = _zone_id(values.get(key))
                        if zone and "{{" not in str(values.get(key)):
                            self.plan_.zones.setdefault(zone, _value_at(values, key))
                            spec = self.plan_.hosts[host]
                            if spec.zone is None or not _ZONE_GROUP.match(spec.zone[0]):
                                spec.zone = (zone, _value_at(values, key))
                            break

    def _balancer(self) -> None:
        plan = self.plan_
        address = self.vars.get("internal_lb_vip_address") or self.vars.get("external_lb_vip_address")
        if "haproxy" in plan.services:
            plan.balancer = "haproxy"
            lb = plan.services["haproxy"]
            several = len(lb.hosts) > 1
            if truthy(self.vars.get("haproxy_use_keepalived"), several) and several:
                plan.vip = {"manager": "keepalived", "address": address}
                lb.description = (
                    "HAProxy with keepalived holding the VIP (OpenStack-Ansible's default for several hosts)"
                )
            elif several:
                lb.description = "HAProxy on several hosts without keepalived (haproxy_use_keepalived is false)"
        elif address:
            key = "internal_lb_vip_address" if "internal_lb_vip_address" in self.vars_at else "external_lb_vip_address"
            plan.network["load-balancer"] = (
                "lb-appliance",
                self.vars_at[key],
                f"the load balancer at {address}: no haproxy_hosts, so not deployed by OpenStack-Ansible "
                "and not described here",
            )
            plan.external_vip = {"manager": "lb-appliance", "address": address}

    # -- storage
    def _server(self, address: str, at: At) -> str:
        """The host that serves an address: an inventory host with that ip, else a host
        of its own named after the address."""
        if address in self.ips:
            return self.ips[address]
        name = "nfs-" + (_zone_id(address) or "server")
        spec = self.plan_.host(name, at)
        spec.description = spec.description or f"NFS server {address} (not in the inventory)"
        self.ips[address] = name
        return name

    def _host_vars(self, host: str, key: str):
        """A variable as a host sees it: its container_vars/host_vars, else global."""
        for entry in self.entries.get(host, ()):
            for section in ("container_vars", "host_vars"):
                values = entry.get(section)
                if isinstance(values, MarkedMap) and key in values:
                    return values[key], values
        return self.vars.get(key), None

    def _glance(self) -> None:
        plan = self.plan_
        glance = plan.services.get("glance")
        if glance is None:
            return
        exports: dict[tuple[str, str], At] = {}
        for host in glance.hosts:
            for key in ("glance_remote_client", "glance_nfs_client"):
                clients, _ = self._host_vars(host, key)
                if not isinstance(clients, MarkedList):
                    continue
                for index, client in enumerate(clients):
                    if not isinstance(client, MarkedMap) or not str(client.get("type", "nfs")).startswith("nfs"):
                        continue
                    what = client.get("what")
                    server = client.get("server") or (what.split(":", 1)[0] if isinstance(what, str) else None)
                    share = client.get("remote_path") or (
                        what.split(":", 1)[1] if isinstance(what, str) and ":" in what else ""
                    )
                    if isinstance(server, str) and server:
                        exports.setdefault((server, str(share)), _at(clients, index))
        store = self.vars.get("glance_default_store")
        store = store if isinstance(store, str) and "{{" not in store else None
        if exports:
            servers: dict[str, At] = {}
            for (server, _), at in exports.items():
                servers.setdefault(self._server(server, at), at)
            first = next(iter(exports.values()))
            plan.storage["glance-images"] = StorageSpec(
                "nfs", first, servers, 1, None, "glance's image store: " + ", ".join(f"{s}:{p}" for s, p in exports)
            )
            glance.storage.append("glance-images")
        elif store in ("rbd", "ceph") and "ceph" in plan.storage:
            glance.storage.append("ceph")
            glance.needs.append("ceph-mon")
        elif store == "file":
            plan.storage["glance-images"] = StorageSpec(
                "local",
                glance.at,
                dict(glance.hosts),
                1,
                None,
                "glance_default_store: file with no shared mount: each image is on the disk of the glance "
                "host that received it",
            )
            glance.storage.append("glance-images")
        elif store:
            glance.description = f"images in {store} (glance_default_store), which this file does not describe"
        else:
            glance.description = (
                "where glance keeps images is not in this file (glance_default_store, user_variables.yml): not checked"
            )

    def _cinder(self) -> None:
        plan = self.plan_
        volume = plan.services.get("cinder-volume")
        if volume is None:
            return
        backends: dict[str, StorageSpec] = {}
        other: list[str] = []
        for host in volume.hosts:
            table, _ = self._host_vars(host, "cinder_backends")
            if not isinstance(table, MarkedMap):
                continue
            for name, backend in table.items():
                if not isinstance(backend, MarkedMap):
                    continue
                driver = str(backend.get("volume_driver", "")).lower()
                eid = "cinder-" + (_zone_id(name) or "backend")
                at = _at(table, name)
                if "nfs" in driver:
                    spec = backends.setdefault(eid, StorageSpec("nfs", at, {}, 1, None, f"cinder backend {name} (NFS)"))
                    shares = backend.get("shares")
                    for index, share in enumerate(shares if isinstance(shares, MarkedList) else ()):
                        if isinstance(share, MarkedMap) and isinstance(share.get("ip"), str):
                            server = self._server(share["ip"], _at(shares, index))
                            spec.hosts.setdefault(server, _at(shares, index))
                    if not spec.hosts:
                        del backends[eid]
                        other.append(str(name))
                elif "lvm" in driver:
                    spec = backends.setdefault(
                        eid,
                        StorageSpec("lvm", at, {}, 1, None, f"cinder backend {name} (LVM on the volume host's disks)"),
                    )
                    spec.hosts.setdefault(host, at)
                elif "rbd" in driver and "ceph" in plan.storage:
                    if "ceph" not in volume.storage:
                        volume.storage.append("ceph")
                        volume.needs.append("ceph-mon")
                else:
                    other.append(str(name))
        for eid, spec in backends.items():
            plan.storage[eid] = spec
            volume.storage.append(eid)
        if other:
            volume.description = f"cinder backends not described here: {', '.join(dict.fromkeys(other))}"
