"""A kolla-ansible deployment worked out from its inventories and globals.yml: which
services run where (each service's inventory group, when its `enable_*` switch is on),
the load balancer and its VIP, and (in `_kolla_storage`) the storage, as a `Plan`, with
notes on what it does not model (the rules are in the `kolla_ansible` module's
docstring)."""

from __future__ import annotations

from pathlib import Path

from ._kolla_inventory import OUTSIDE, Groups, Inventory, Settings, Shares
from ._kolla_storage import Servers, storage
from ._openstack import Plan, own_address

_CORE = "enable_openstack_core"
# service -> (inventory groups to use, the first defined one wins; the enable switch
# and its default, a bool or another switch's name)
_SERVICES: dict[str, tuple[tuple[str, ...], str, bool | str]] = {
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
# kolla-ansible's top-level groups: hosts are written there, and service groups point at them
_TOP = {"control", "network", "compute", "storage", "monitoring", *OUTSIDE}
_ANSIBLE = {"all", "ungrouped"}  # Ansible's own groups
# `enable_*` switches that are not services of their own: features, per-host helpers
_NOT_SERVICES = {
    "openstack_core",
    "container_healthchecks",
    "external_api_firewalld",
    "destroy_images",
    "fluentd",
    "fluentd_systemd",
    "collectd",
    "iscsid",
    "multipathd",
    "keepalived",
    "proxysql",
    "letsencrypt",
    "mariabackup",
}


def deployment_plan(inventories: list[Inventory], settings: Settings, shares: Shares) -> Plan:
    """The plan of a deployment: its hosts, services, load balancer and storage."""
    groups = Groups(inventories)
    plan = Plan(Path(inventories[0].path).name)
    addresses: dict[str, str] = {}  # address (ansible_host, or a name that is one) -> host
    for inventory in inventories:
        if inventory.comments:
            plan.comments[inventory.path] = inventory.comments
    for name in groups.cloud_hosts():
        spec = plan.host(name, groups.host_at[name])
        address = next((i.address[name] for i in inventories if name in i.address), None)
        if address:
            spec.description = f"ansible_host {address}"
        addresses.setdefault(address or name, name)
    used = _services(plan, groups, settings)
    _unread(plan, groups, settings, used)
    if "cinder-backup" in plan.services and not settings.switch("enable_cinder_backup", True):
        del plan.services["cinder-backup"]
    if not settings.switch("om_enable_rabbitmq_quorum_queues", True) and "rabbitmq" in plan.services:
        plan.services["rabbitmq"].extra["ha"] = "none"
        plan.services["rabbitmq"].description = "classic queues (om_enable_rabbitmq_quorum_queues off): not replicated"
    _balancer(plan, settings, addresses)
    storage(plan, settings, shares, Servers(plan, groups, addresses))
    return plan


def _services(plan: Plan, groups: Groups, settings: Settings) -> set[str]:
    """Place every enabled service on the cloud hosts of its inventory group; the groups
    used (with their children)."""
    ovn = settings.get("neutron_plugin_agent", "openvswitch") == "ovn"
    used: set[str] = set()
    for service, (candidates, switch, default) in _SERVICES.items():
        if not settings.switch(switch, default):
            continue
        if (service in _OVS_AGENTS and ovn) or (service in _OVN and not ovn):
            continue
        group = next((g for g in candidates if groups.defined(g)), None)
        if group is None:
            continue
        used.update(groups.closure(group))
        members = [h for h in groups.members(group) if h in plan.hosts]
        if not members:
            continue
        placement = plan.place(service, groups.group_at[group])
        for host in members:
            placement.add(host, plan.hosts[host].at)
    return used


def _unread(plan: Plan, groups: Groups, settings: Settings, used: set[str]) -> None:
    """Notes on what the deployment runs that is not modelled: groups with hosts of their
    own that no modelled service uses, and services switched on in globals.yml that
    spoflint does not model."""
    unread = [g for g in groups.with_hosts() if g not in _TOP | _ANSIBLE and g not in used]
    if unread:
        counts = {g: len(groups.members(g)) for g in unread}
        listed = ", ".join(f"[{g}] ({n} host{'s' if n > 1 else ''})" for g, n in counts.items())
        plan.note(
            groups.group_at[unread[0]],
            "unread-groups",
            f"groups with hosts that no service spoflint models runs on: {listed}; what runs there is not checked",
        )
    modelled = {switch.removeprefix("enable_") for _, switch, _ in _SERVICES.values()}
    switches = [
        key
        for key in settings.values
        if key.startswith("enable_")
        and settings.switch(key, False)
        and (name := key.removeprefix("enable_")) not in modelled | _NOT_SERVICES
        and not any(name.startswith(f"{m}_") for m in modelled | {"horizon", "cinder", "neutron", "nova"})
    ]
    switches = [k for k in switches if not any(k.startswith(f"{other}_") for other in switches)]
    if switches:
        plan.note(
            settings.at[switches[0]],
            "unmodelled-services",
            f"services enabled that spoflint does not model ({', '.join(switches)}): where they run, and whether "
            "one host takes them down, is not checked",
        )


def _balancer(plan: Plan, settings: Settings, addresses: dict[str, str]) -> None:
    lb = plan.services.get("haproxy")
    if lb is None:
        return
    plan.balancer = "haproxy"
    address = settings.get("kolla_internal_vip_address")
    if not settings.switch("enable_keepalived", "enable_haproxy"):
        if len(lb.hosts) > 1:
            lb.description = "HAProxy on several hosts without keepalived (enable_keepalived is off)"
        return
    owner = next(
        (
            (key, value, host)
            for key in ("kolla_internal_vip_address", "kolla_external_vip_address")
            if (host := own_address(value := settings.get(key), addresses))
        ),
        None,
    )
    if owner and len(lb.hosts) > 1:
        key, value, host = owner
        if host in lb.hosts:  # clients reach the owner first, and only it
            lb.hosts = {host: lb.hosts[host], **{h: at for h, at in lb.hosts.items() if h != host}}
        runs = "" if host in lb.hosts else ", which does not run HAProxy"
        plan.note(
            settings.at[key],
            "vip-is-a-host-address",
            f"{key} {value} is the own address of {host}{runs}: keepalived cannot move it, so the VIP does "
            f"not float and goes down with {host}",
            "haproxy",
        )
        lb.description = f"the VIP {value} is {host}'s own address: it does not float"
        return
    plan.vip = {"manager": "keepalived", "address": address}
    lb.description = "HAProxy and ProxySQL, with keepalived holding kolla_internal_vip_address"
