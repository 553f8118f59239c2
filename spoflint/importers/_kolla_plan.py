"""A kolla-ansible deployment worked out from its inventories and globals.yml: which
services run where (each service's inventory group, when its `enable_*` switch is on),
the load balancer and the storage, as a `Plan` (the rules are in the `kolla_ansible`
module's docstring)."""

from __future__ import annotations

from pathlib import Path

from ._kolla_inventory import Groups, Inventory
from ._openstack import Plan, StorageSpec, truthy

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


def _switch(settings: dict, name: str, default: bool | str) -> bool:
    """An `enable_*` switch, its default a bool or the name of another switch."""
    fallback = _switch(settings, default, True) if isinstance(default, str) else default
    return truthy(settings.get(name), fallback)


def _setting(settings: dict, name: str, default: object = None) -> object:
    """A setting, or its default when it is missing or a Jinja expression."""
    value = settings.get(name, default)
    if isinstance(value, str) and "{{" in value:
        return default
    return value


def deployment_plan(inventories: list[Inventory], settings: dict) -> Plan:
    """The plan of a deployment: its hosts, services, load balancer and storage."""
    groups = Groups(inventories)
    plan = Plan(Path(inventories[0].path).name)
    for inventory in inventories:
        if inventory.comments:
            plan.comments[inventory.path] = inventory.comments
    for name in groups.cloud_hosts():
        spec = plan.host(name, groups.host_at[name])
        address = next((i.address[name] for i in inventories if name in i.address), None)
        if address:
            spec.description = f"ansible_host {address}"
    _services(plan, groups, settings)
    if "cinder-backup" in plan.services and not _switch(settings, "enable_cinder_backup", True):
        del plan.services["cinder-backup"]
    if not _switch(settings, "om_enable_rabbitmq_quorum_queues", True) and "rabbitmq" in plan.services:
        plan.services["rabbitmq"].extra["ha"] = "none"
        plan.services["rabbitmq"].description = "classic queues (om_enable_rabbitmq_quorum_queues off): not replicated"
    _balancer(plan, settings)
    _glance(plan, settings)
    _cinder(plan, settings)
    return plan


def _services(plan: Plan, groups: Groups, settings: dict) -> None:
    """Place every enabled service on the cloud hosts of its inventory group."""
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
