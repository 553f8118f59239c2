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
import shlex
from pathlib import Path

from ..errors import InputError
from ..load import MarkedMap, accept_comments, load_text, shown_path
from ._openstack import At, Plan, StorageSpec, truthy

FORMAT = "kolla-ansible"

_CORE = "enable_openstack_core"
# service -> (inventory groups to use, the first defined one wins; the enable switch
# and its default, a bool or another switch's name)
_SERVICES: dict[str, tuple[tuple[str, ...], str, object]] = {
    "haproxy": (("loadbalancer", "haproxy"), "enable_haproxy", True),
    "galera": (("mariadb",), "enable_mariadb", True),
    "rabbitmq": (("rabbitmq",), "enable_rabbitmq", True),
    "memcached": (("memcached",), "enable_memcached", True),
    "etcd": (("etcd",), "enable_etcd", False),
    "keystone": (("keystone",), "enable_keystone", _CORE),
    "glance": (("glance-api",), "enable_glance", _CORE),
    "placement": (("placement-api", "placement"), "enable_placement", "enable_nova"),
    "nova-api": (("nova-api",), "enable_nova", _CORE),
    "nova-metadata-api": (("nova-metadata",), "enable_nova", _CORE),
    "nova-scheduler": (("nova-scheduler",), "enable_nova", _CORE),
    "nova-conductor": (("nova-conductor",), "enable_nova", _CORE),
    "nova-novncproxy": (("nova-novncproxy",), "enable_nova", _CORE),
    "nova-compute": (("nova-compute", "compute"), "enable_nova", _CORE),
    "neutron-server": (("neutron-server",), "enable_neutron", _CORE),
    "neutron-l3-agent": (("neutron-l3-agent",), "enable_neutron", _CORE),
    "neutron-dhcp-agent": (("neutron-dhcp-agent",), "enable_neutron", _CORE),
    "neutron-metadata-agent": (("neutron-metadata-agent",), "enable_neutron", _CORE),
    "ovn-ovsdb": (("ovn-nb-db", "ovn-database"), "enable_neutron", _CORE),
    "ovn-northd": (("ovn-northd",), "enable_neutron", _CORE),
    "ovn-gateway": (("ovn-controller-network",), "enable_neutron", _CORE),
    "heat-api": (("heat-api",), "enable_heat", _CORE),
    "heat-api-cfn": (("heat-api-cfn",), "enable_heat", _CORE),
    "heat-engine": (("heat-engine",), "enable_heat", _CORE),
    "horizon": (("horizon",), "enable_horizon", _CORE),
    "cinder-api": (("cinder-api",), "enable_cinder", False),
    "cinder-scheduler": (("cinder-scheduler",), "enable_cinder", False),
    "cinder-volume": (("cinder-volume",), "enable_cinder", False),
    "cinder-backup": (("cinder-backup",), "enable_cinder", False),
    "barbican-api": (("barbican-api",), "enable_barbican", False),
    "designate-api": (("designate-api",), "enable_designate", False),
    "designate-worker": (("designate-worker",), "enable_designate", False),
    "octavia-api": (("octavia-api",), "enable_octavia", False),
    "octavia-worker": (("octavia-worker",), "enable_octavia", False),
    "octavia-health-manager": (("octavia-health-manager",), "enable_octavia", False),
    "octavia-housekeeping": (("octavia-housekeeping",), "enable_octavia", False),
}
_OVS_AGENTS = {"neutron-l3-agent", "neutron-dhcp-agent", "neutron-metadata-agent"}
_OVN = {"ovn-ovsdb", "ovn-northd", "ovn-gateway"}
_OUTSIDE = {"deployment", "bifrost"}  # groups of the deployment host, not of the cloud

_SECTION = re.compile(r"^\[([^\]]*)\][ \t]*(?:[#;].*)?$")
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
_RANGE = re.compile(r"\[([^\]]*)\]")
_PORT = re.compile(r":\d+$")


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


def read(paths) -> list[MarkedMap]:
    """Native documents for a kolla-ansible deployment: its inventory file(s) and,
    optionally, its globals.yml (or a directory holding them)."""
    inventories: list[_Inventory] = []
    settings: dict = {}
    files: list[tuple[Path, bool]] = []  # (path, named by the user)
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += [(p, False) for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith(".")]
        elif path.exists():
            files.append((path, True))
        else:
            raise InputError(str(raw), 1, 1, "no such file or directory")
    for path, named in files:
        shown = shown_path(path)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InputError(shown, 1, 1, f"cannot read: {error.strerror or error}") from None
        yaml_file = path.suffix in (".yml", ".yaml")
        if _is_inventory(data) or (named and not yaml_file):
            inventories.append(_Inventory(data, shown))
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
    return _plan(inventories, settings).documents()


# --- the inventory -----------------------------------------------------------------


def expand(pattern: str) -> list[str]:
    """Ansible's host ranges: `control[01:03]` -> control01, control02, control03;
    `[a:c]` letters; `[1:9:2]` a step."""
    match = _RANGE.search(pattern)
    if not match:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    parts = match.group(1).split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise ValueError(f"{match.group(0)} is not a host range ([start:end] or [start:end:step])")
    start, end = parts[0], parts[1]
    step = int(parts[2]) if len(parts) == 3 and parts[2] else 1
    if step < 1:
        raise ValueError(f"the step of {match.group(0)} must be positive")
    if start.isdigit() and end.isdigit():
        width = len(start) if start.startswith("0") else 0
        values = [str(n).zfill(width) for n in range(int(start), int(end) + 1, step)]
    elif len(start) == 1 and len(end) == 1 and start.isalpha() and end.isalpha():
        values = [chr(c) for c in range(ord(start), ord(end) + 1, step)]
    else:
        raise ValueError(f"{match.group(0)} is not a host range of numbers or letters")
    if not values:
        raise ValueError(f"{match.group(0)} is an empty range")
    if len(values) > 100_000:
        raise ValueError(f"{match.group(0)} expands to more than 100,000 hosts")
    return [head + value + rest for value in values for rest in expand(tail)]


class _Inventory:
    """One INI inventory: groups, their hosts and children, with positions."""

    def __init__(self, data: bytes, shown: str):
        self.path = shown
        self.comments = accept_comments(data, shown)
        self.group_at: dict[str, At] = {}
        self.hosts: dict[str, list[str]] = {}  # group -> hosts written in it
        self.children: dict[str, list[str]] = {}
        self.host_at: dict[str, At] = {}
        self.address: dict[str, str] = {}  # host -> ansible_host
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            raise InputError(shown, line, 1, "invalid text: not UTF-8") from None
        group, kind = "ungrouped", ""
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            column = len(raw) - len(raw.lstrip()) + 1
            section = _SECTION.match(line)
            if section:
                group, _, kind = section.group(1).strip().partition(":")
                if not group or kind not in ("", "children", "vars"):
                    raise InputError(
                        shown,
                        number,
                        column,
                        f"[{section.group(1)}] is not a group ([name], [name:children] or [name:vars])",
                    )
                self.group_at.setdefault(group, (shown, number, column))
                (self.children if kind == "children" else self.hosts if not kind else {}).setdefault(group, [])
                continue
            if line.startswith("["):
                raise InputError(
                    shown, number, column, "a section header must be [name], [name:children] or [name:vars]"
                )
            if kind == "vars":
                continue
            try:
                tokens = shlex.split(line, comments=True)
            except ValueError as error:
                raise InputError(shown, number, column, f"cannot read this line: {error}") from None
            if not tokens:
                continue
            if kind == "children":
                self.children[group].append(tokens[0])
                continue
            variables = dict(t.split("=", 1) for t in tokens[1:] if "=" in t)
            try:
                names = expand(_PORT.sub("", tokens[0]))
            except ValueError as error:
                raise InputError(shown, number, column, str(error)) from None
            self.group_at.setdefault(group, (shown, number, column))
            for name in names:
                self.hosts.setdefault(group, []).append(name)
                self.host_at.setdefault(name, (shown, number, column))
                if variables.get("ansible_host") and name not in self.address:
                    self.address[name] = variables["ansible_host"]


class _Groups:
    """Every inventory merged: a group's hosts, through its children, in order."""

    def __init__(self, inventories: list[_Inventory]):
        self.group_at: dict[str, At] = {}
        self.hosts: dict[str, list[str]] = {}
        self.children: dict[str, list[str]] = {}
        self.host_at: dict[str, At] = {}
        self.canonical: dict[str, str] = {}  # host name -> the first name of its machine
        by_address: dict[str, str] = {}
        for inventory in inventories:
            for group, at in inventory.group_at.items():
                self.group_at.setdefault(group, at)
            for group, names in inventory.hosts.items():
                self.hosts.setdefault(group, []).extend(names)
            for group, names in inventory.children.items():
                self.children.setdefault(group, []).extend(names)
            for name, at in inventory.host_at.items():
                self.host_at.setdefault(name, at)
                address = inventory.address.get(name)
                if address:
                    self.canonical[name] = by_address.setdefault(address, name)
        self._memo: dict[str, list[str]] = {}

    def members(self, group: str) -> list[str]:
        """The hosts of a group and of its children, transitively, first written first."""
        if group in self._memo:
            return self._memo[group]
        found: dict[str, None] = {}
        stack, seen = [group], set()
        order: list[str] = []
        while stack:  # depth-first, children in the order written
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            order.append(current)
            stack.extend(reversed(self.children.get(current, [])))
        for current in order:
            for name in self.hosts.get(current, []):
                found.setdefault(self.canonical.get(name, name), None)
        self._memo[group] = list(found)
        return self._memo[group]

    def defined(self, group: str) -> bool:
        return group in self.group_at

    def cloud_hosts(self) -> list[str]:
        """Hosts of every group but the deployment host's."""
        inside: dict[str, None] = {}
        for group in self.group_at:
            if group in _OUTSIDE:
                continue
            for name in self.members(group):
                inside.setdefault(name, None)
        return sorted(inside, key=lambda n: (self.host_at[n][1], self.host_at[n][2], n))


# --- the model ---------------------------------------------------------------------


def _switch(settings: dict, name: str, default) -> bool:
    if isinstance(default, str):  # defaults to another switch
        default = _switch(settings, default, True)
    return truthy(settings.get(name), default)


def _setting(settings: dict, name: str, default=None):
    value = settings.get(name, default)
    if isinstance(value, str) and "{{" in value:
        return default
    return value


def _plan(inventories: list[_Inventory], settings: dict) -> Plan:
    groups = _Groups(inventories)
    plan = Plan(Path(inventories[0].path).name)
    for inventory in inventories:
        if inventory.comments:
            plan.comments[inventory.path] = inventory.comments
    for name in groups.cloud_hosts():
        spec = plan.host(name, groups.host_at[name])
        address = next((i.address[name] for i in inventories if name in i.address), None)
        if address:
            spec.description = f"ansible_host {address}"
    ovn = _setting(settings, "neutron_plugin_agent", "openvswitch") == "ovn"
    for service, (candidates, switch, default) in _SERVICES.items():
        if not _switch(settings, switch, default):
            continue
        if (service in _OVS_AGENTS and ovn) or (service in _OVN and not ovn):
            continue
        group = next((g for g in candidates if groups.defined(g)), None)
        if group is None:
            continue
        members = [h for h in groups.members(group) if h in plan.hosts]
        if not members:
            continue
        placement = plan.place(service, groups.group_at[group])
        for host in members:
            placement.add(host, plan.hosts[host].at)
    if "cinder-backup" in plan.services and not _switch(settings, "enable_cinder_backup", True):
        del plan.services["cinder-backup"]
    if not _switch(settings, "om_enable_rabbitmq_quorum_queues", True) and "rabbitmq" in plan.services:
        plan.services["rabbitmq"].extra["ha"] = "none"
        plan.services["rabbitmq"].description = "classic queues (om_enable_rabbitmq_quorum_queues off): not replicated"
    _balancer(plan, settings)
    _glance(plan, settings)
    _cinder(plan, settings)
    return plan


def _balancer(plan: Plan, settings: dict) -> None:
    lb = plan.services.get("haproxy")
    if lb is None:
        return
    plan.balancer = "haproxy"
    address = _setting(settings, "kolla_internal_vip_address")
    if _switch(settings, "enable_keepalived", "enable_haproxy"):
        plan.vip = {"manager": "keepalived", "address": address}
        lb.description = "HAProxy and ProxySQL, with keepalived holding kolla_internal_vip_address"
    elif len(lb.hosts) > 1:
        lb.description = "HAProxy on several hosts without keepalived (enable_keepalived is off)"


def _glance(plan: Plan, settings: dict) -> None:
    glance = plan.services.get("glance")
    if glance is None:
        return
    external = [
        name
        for name, flag in (
            ("Ceph", "glance_backend_ceph"),
            ("S3", "glance_backend_s3"),
            ("Swift", "glance_backend_swift"),
            ("VMware", "glance_backend_vmware"),
        )
        if truthy(settings.get(flag), False)
    ]
    file_backend = truthy(settings.get("glance_backend_file"), not external)
    volume = _setting(settings, "glance_file_datadir_volume", "glance")
    if file_backend and volume == "glance":
        first = next(iter(glance.hosts))
        glance.hosts = {first: glance.hosts[first]}
        plan.storage["glance-images"] = StorageSpec(
            "local",
            glance.at,
            {first: glance.hosts[first]},
            1,
            None,
            "glance's file backend in the Docker volume `glance` of the one host kolla-ansible runs "
            "glance-api on (the first of glance-api)",
        )
        glance.storage.append("glance-images")
    elif file_backend:
        glance.description = f"images on {volume} (a shared filesystem, not described here)"
    elif external:
        glance.description = f"images in {', '.join(external)} outside kolla-ansible (not described here)"


def _cinder(plan: Plan, settings: dict) -> None:
    volume = plan.services.get("cinder-volume")
    if volume is None:
        return
    outside = [
        name
        for name, flag in (("Ceph", "cinder_backend_ceph"), ("NFS", "enable_cinder_backend_nfs"))
        if truthy(settings.get(flag), False)
    ]
    if truthy(settings.get("enable_cinder_backend_lvm"), False):
        plan.storage["cinder-lvm"] = StorageSpec(
            "lvm",
            volume.at,
            dict(volume.hosts),
            1,
            None,
            "cinder's LVM backend: each volume on the disks of one volume host",
        )
        volume.storage.append("cinder-lvm")
    if outside:
        volume.description = f"volumes in {', '.join(outside)} outside kolla-ansible (not described here)"
