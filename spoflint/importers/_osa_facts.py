"""OpenStack-Ansible's own facts, written here rather than read from its repository:
which host groups each container of its env.d skeleton goes to and which components it
holds, which services each component is modelled as, and the names of groups and
variables that say where a host's zone is (see the `openstack_ansible` module's
docstring for how they are used)."""

from __future__ import annotations

import re

# env.d facts: container -> (host groups it goes to, components it holds). A host
# group `X` is the user config's `X_hosts` and env.d's `X_containers`.
CONTAINERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
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
COMPONENTS: dict[str, tuple[str, ...]] = {
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
# containers that deploy and operate the cloud, which the cloud itself does not use
TOOLING = {"repo_container", "utility_container"}
# the agents of the Open vSwitch backend, and the services of OVN: one set or the other runs
OVS_AGENTS = {"neutron-l3-agent", "neutron-dhcp-agent", "neutron-metadata-agent"}
OVN = {"ovn-northd", "ovn-ovsdb", "ovn-gateway"}
# host variables that name a host's zone, and groups that are zones (`az1_hosts`)
ZONE_VARS = ("availability_zone", "nova_availability_zone", "cinder_storage_availability_zone")
ZONE_GROUP = re.compile(r"^az[^_]*$")


def group_name(key: str) -> str:
    """`shared-infra_hosts` -> `shared_infra`."""
    return key[: -len("_hosts")].replace("-", "_")


def zone_id(value: object) -> str | None:
    """An element id for a zone (or a server) named by a group, a variable or an address."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    text = re.sub(r"[^A-Za-z0-9_.:@/+=-]", "-", str(value).strip())
    text = re.sub(r"^[^A-Za-z0-9_]+", "", text)
    return text or None
