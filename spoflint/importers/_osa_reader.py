"""An OpenStack-Ansible deployment worked out from its files: the hosts of each
`*_hosts` group, the variables, the deployment's env.d over the built-in facts, and
from those the services placed on the hosts, the zones, the load balancer and the
storage, as a `Plan` (the rules are in the `openstack_ansible` module's docstring)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..load import MarkedMap
from ..load.messages import render_first
from ._openstack import At, Placement, Plan, is_template, key_at, known, own_address, truthy, value_at
from ._osa_facts import (
    COMPONENTS,
    CONTAINERS,
    OVN,
    OVS_AGENTS,
    TOOLING,
    ZONE_GROUP,
    ZONE_VARS,
    group_name,
    zone_id,
)
from ._osa_storage import Storage

Member = tuple[str, MarkedMap | None, MarkedMap]  # (host, its entry, the group mapping listing it)


@dataclass
class Sources:
    """The files of a deployment, by what they hold."""

    configs: list[MarkedMap] = field(default_factory=list)  # openstack_user_config and conf.d files
    envs: list[MarkedMap] = field(default_factory=list)  # env.d skeletons
    variables: list[MarkedMap] = field(default_factory=list)  # user_variables files


class Reader:
    """Joins a deployment's files into a plan."""

    def __init__(self, sources: Sources):
        self.sources = sources
        sources.configs.sort(key=lambda d: not Path(d.path).name.startswith("openstack_user_config"))
        self.plan_ = Plan(Path(sources.configs[0].path).name)
        self.groups: dict[str, list[Member]] = {}  # group -> its members in file order
        self.group_at: dict[str, At] = {}
        self.group_key: dict[str, str] = {}  # group -> its key as first written (`shared-infra_hosts`)
        self.entries: dict[str, list[MarkedMap]] = {}  # host -> its entries (mappings), first first
        self.ips: dict[str, str] = {}  # address -> host
        self.vars: dict = {}
        self.vars_at: dict[str, At] = {}
        self.containers = {name: (set(groups), list(components)) for name, (groups, components) in CONTAINERS.items()}
        self.aliases: dict[str, str] = {}  # custom component -> known component

    # -- inputs
    def _read_groups(self) -> None:
        for document in self.sources.configs:
            overrides = document.get("global_overrides")
            if isinstance(overrides, MarkedMap):
                for key, value in overrides.items():
                    self.vars[key] = value
                    self.vars_at[key] = key_at(overrides, key)
            for key, value in document.items():
                if isinstance(key, str) and key.endswith("_hosts") and value is not None:
                    self._read_group(document, key, value)
        for document in self.sources.variables:
            for key, value in document.items():
                self.vars[key] = value
                self.vars_at[key] = key_at(document, key)

    def _read_group(self, document: MarkedMap, key: str, value: object) -> None:
        """One `*_hosts` mapping: its hosts, as members of the group and as hosts."""
        if not isinstance(value, MarkedMap):
            raise InputError(
                document.path,
                *document.value_at(key),
                f"{key}: expected a mapping of host names to their settings (ip: ...)",
            )
        group = group_name(key)
        self.group_at.setdefault(group, key_at(document, key))
        self.group_key.setdefault(group, key)
        members = self.groups.setdefault(group, [])
        for host, entry in value.items():
            if is_template(host):
                raise InputError(value.path, *value.key_at(host), render_first(f"the host name {host!r}"))
            if entry is not None and not isinstance(entry, MarkedMap):
                raise InputError(
                    value.path, *value.value_at(host), f"{key}.{host}: expected the host's settings (ip: ...)"
                )
            members.append((str(host), entry, value))
            self._host(str(host), entry, value)

    def _host(self, host: str, entry: MarkedMap | None, group: MarkedMap) -> None:
        spec = self.plan_.host(host, key_at(group, host))
        if entry is None:
            return
        self.entries.setdefault(host, []).append(entry)
        ip = known(entry.get("ip"))
        if isinstance(ip, str) and ip and not spec.description:
            spec.description = f"ip {ip}"
            self.ips.setdefault(ip, host)

    def _read_env(self) -> None:
        """A deployment's env.d over the bundled facts: containers it names replace
        ours field by field; components that belong to a known one count as it."""
        for document in self.sources.envs:
            containers = document.get("container_skel")
            if isinstance(containers, dict):
                self._read_containers(containers)
            components = document.get("component_skel")
            if isinstance(components, dict):
                self._read_components(components)

    def _read_containers(self, containers: dict) -> None:
        for name, spec in containers.items():
            if not isinstance(spec, dict):
                continue
            groups, components = self.containers.get(name, (set(), []))
            if isinstance(spec.get("belongs_to"), list):
                groups = {str(g).removesuffix("_containers").replace("-", "_") for g in spec["belongs_to"]}
            if isinstance(spec.get("contains"), list):
                components = [str(c) for c in spec["contains"]]
            self.containers[name] = (groups, components)

    def _read_components(self, components: dict) -> None:
        for name, spec in components.items():
            if name in COMPONENTS or not isinstance(spec, dict) or not isinstance(spec.get("belongs_to"), list):
                continue
            for parent in spec["belongs_to"]:
                if isinstance(parent, str) and parent in COMPONENTS:
                    self.aliases[name] = parent
                    break

    # -- the model
    def plan(self) -> Plan:
        self._read_groups()
        if not self.plan_.hosts:
            first = self.sources.configs[0]
            raise InputError(
                first.path,
                first.line,
                first.column,
                "no hosts: no `*_hosts` group of these files lists one (they are empty, or only comments)",
            )
        self._read_env()
        for document in self.sources.configs:
            comments = getattr(document, "comments", None)
            if comments:
                self.plan_.comments[document.path] = comments
        self._zones()
        osd_hosts, osd_at = self._place_services()
        self._unread()
        self._balancer()
        storage = Storage(self.plan_, self.entries, self.ips, self.vars, self.vars_at)
        storage.ceph(osd_hosts, osd_at)
        storage.glance()
        storage.cinder()
        return self.plan_

    def _place_services(self) -> tuple[dict[str, At], At | None]:
        """Place the services each group's containers hold on the group's hosts (as
        often as the host's affinity says); the Ceph OSD hosts and where the first
        group of them is written."""
        ovn = self._ovn()
        backup = truthy(self.vars.get("cinder_service_backup_program_enabled"), False)
        osd_hosts: dict[str, At] = {}
        osd_at: At | None = None
        for group, members in self.groups.items():
            for container, component, services in self._runs(group):
                for host, entry, table in members:
                    count = self._affinity(entry, container)
                    if not count:
                        continue
                    if component == "ceph_osd":
                        osd_at = osd_at or self.group_at[group]
                        osd_hosts.setdefault(host, key_at(table, host))
                    for service in services:
                        if (service in OVS_AGENTS and ovn) or (service in OVN and not ovn):
                            continue
                        if service == "cinder-backup" and not backup:
                            continue
                        self.plan_.place(service, self.group_at[group]).add(host, key_at(table, host), count)
        return osd_hosts, osd_at

    def _unread(self) -> None:
        """A note on the groups whose hosts run nothing modelled (a group env.d does not
        map, or whose components spoflint does not model), but the repository and
        utility groups, which the cloud does not use."""
        unread = [
            g
            for g, members in self.groups.items()
            if members
            and not g.startswith("_")  # `_infrastructure_hosts: &infra`: a holder for an anchor
            and not any(self._runs(g))
            and not ZONE_GROUP.match(g)
            and not self._tooling(g)
        ]
        if unread:
            listed = ", ".join(self.group_key[g] for g in unread[:6]) + (
                f" and {len(unread) - 6} more" if unread[6:] else ""
            )
            self.plan_.note(
                self.group_at[unread[0]],
                "unread-groups",
                f"groups whose hosts run nothing spoflint models (a group env.d does not map, or components "
                f"spoflint does not know): {listed}; what runs there is not checked",
            )

    def _tooling(self, group: str) -> bool:
        """A group that runs only the repository or utility containers."""
        containers = [c for c, (groups, _) in self.containers.items() if group in groups]
        return bool(containers) and all(c in TOOLING for c in containers)

    def _runs(self, group: str) -> Iterator[tuple[str, str, tuple[str, ...]]]:
        """(container, component, services it is modelled as) of what a group runs."""
        for container, (groups, components) in self.containers.items():
            if group not in groups:
                continue
            for component in components:
                component = self.aliases.get(component, component)
                services = COMPONENTS.get(component)
                if services is not None:
                    yield container, component, services

    def _affinity(self, entry: MarkedMap | None, container: str) -> int:
        """How many of a container a host runs (its `affinity`, else 1)."""
        if not isinstance(entry, MarkedMap) or not isinstance(entry.get("affinity"), dict):
            return 1
        count = entry["affinity"].get(container, 1)
        return count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else 1

    def _ovn(self) -> bool:
        """Whether neutron runs OVN (else the Open vSwitch agents)."""
        plugin = self.vars.get("neutron_plugin_type")
        if isinstance(plugin, str) and "{{" not in plugin:
            return "ovn" in plugin
        return any(self.groups.get(g) for g in ("network_northd", "network_gateway"))

    def _zones(self) -> None:
        """Zones from groups named like `az1`, then from each host's zone variables (a
        host in a zone group stays there)."""
        for group, members in self.groups.items():
            if not ZONE_GROUP.match(group):
                continue
            zone = zone_id(group) or group  # never empty: the name starts with `az`
            self.plan_.zones.setdefault(zone, self.group_at[group])
            for host, _, table in members:
                spec = self.plan_.hosts[host]
                spec.zone = spec.zone or (zone, key_at(table, host))
        for host, entries in self.entries.items():
            for entry in entries:
                for section in ("host_vars", "container_vars"):
                    self._zone_variable(host, entry.get(section))

    def _zone_variable(self, host: str, values: object) -> None:
        """The first zone variable of a host's `host_vars` or `container_vars`."""
        if not isinstance(values, MarkedMap):
            return
        for key in ZONE_VARS:
            zone = zone_id(values.get(key))
            if zone and "{{" not in str(values.get(key)):
                self.plan_.zones.setdefault(zone, value_at(values, key))
                spec = self.plan_.hosts[host]
                if spec.zone is None or not ZONE_GROUP.match(spec.zone[0]):
                    spec.zone = (zone, value_at(values, key))
                return

    def _balancer(self) -> None:
        """HAProxy (with keepalived holding the VIP when there are several), or, with
        only VIP addresses, a load balancer the file does not describe."""
        plan = self.plan_
        address = self.vars.get("internal_lb_vip_address") or self.vars.get("external_lb_vip_address")
        if "haproxy" in plan.services:
            plan.balancer = "haproxy"
            lb = plan.services["haproxy"]
            several = len(lb.hosts) > 1
            if several and self._vip_of_a_host(lb):
                return
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

    def _vip_of_a_host(self, lb: Placement) -> bool:
        """Whether a VIP address is some host's own `ip`: keepalived cannot move it, so the
        VIP does not float; clients reach that host (first, when it runs HAProxy)."""
        for key in ("internal_lb_vip_address", "external_lb_vip_address"):
            value = self.vars.get(key)
            host = own_address(value, self.ips)
            if host is None:
                continue
            if host in lb.hosts:
                lb.hosts = {host: lb.hosts[host], **{h: at for h, at in lb.hosts.items() if h != host}}
            runs = "" if host in lb.hosts else ", which does not run HAProxy"
            self.plan_.note(
                self.vars_at[key],
                "vip-is-a-host-address",
                f"{key} {value} is the own address of {host}{runs} (its ip): keepalived cannot move it, so the "
                f"VIP does not float and goes down with {host}",
                "haproxy",
            )
            lb.description = f"the VIP {value} is {host}'s own address: it does not float"
            return True
        return False
