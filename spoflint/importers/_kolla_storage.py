"""Where a kolla-ansible deployment keeps its data: glance's image store, cinder's
volume backends (LVM on the volume hosts, the NFS shares of `nfs_shares`) and
cinder-backup's target (`cinder_backup_share`), with the NFS servers as hosts; and
notes on the storage kolla-ansible leaves outside the files (an external Ceph, S3,
Swift, a shared filesystem, vendor arrays), which is not described and so not checked
(the rules are in the `kolla_ansible` module's docstring)."""

from __future__ import annotations

import ipaddress

from ._kolla_inventory import Groups, Settings, Shares, nfs_share
from ._openstack import At, Placement, Plan, StorageSpec
from ._osa_facts import zone_id

# cinder's volume backends that live outside kolla-ansible's files: enable switch -> name
_OUTSIDE_BACKENDS = {
    "enable_cinder_backend_quobyte": "Quobyte",
    "enable_cinder_backend_pure_iscsi": "Pure FlashArray (iSCSI)",
    "enable_cinder_backend_pure_fc": "Pure FlashArray (FC)",
    "enable_cinder_backend_pure_roce": "Pure FlashArray (NVMe-RoCE)",
    "enable_cinder_backend_pure_nvme_tcp": "Pure FlashArray (NVMe-TCP)",
    "enable_cinder_backend_lightbits": "Lightbits",
    "enable_cinder_backend_vast": "VAST",
    "cinder_backend_huawei": "Huawei",
}
_UNSEEN = "not described here, so neither where it lives nor whether it is redundant is checked"


class Servers:
    """The host that serves an NFS share: an inventory host by name or by its
    `ansible_host`, else a host of its own (named after the server; `nfs-<address>`
    for an address)."""

    def __init__(self, plan: Plan, groups: Groups, addresses: dict[str, str]):
        self.plan = plan
        self.groups = groups
        self.addresses = addresses

    def host(self, server: str, at: At) -> str:
        name = self.groups.canonical.get(server, server)
        if name in self.plan.hosts:
            return name
        if server in self.addresses:
            return self.addresses[server]
        try:
            ipaddress.ip_address(server)
            name = "nfs-" + (zone_id(server) or "server")
        except ValueError:
            name = zone_id(server) or "nfs-server"
        spec = self.plan.host(name, at)
        spec.description = spec.description or f"NFS server {server} (not in the inventory)"
        self.addresses[server] = name
        return name


def storage(plan: Plan, settings: Settings, shares: Shares, servers: Servers) -> None:
    """Glance's and cinder's storage, and notes on what lives outside the files."""
    outside = Outside(plan, settings)
    glance(plan, settings, outside)
    cinder(plan, settings, shares, servers, outside)
    if "nova-compute" in plan.services and settings.switch("nova_backend_ceph", False):
        outside.add("Ceph", "nova_backend_ceph", "nova-compute", "instance disks")
    outside.notes()


def glance(plan: Plan, settings: Settings, outside: Outside) -> None:
    """Glance's image store: the file backend in the Docker volume `glance` (kolla-ansible
    then runs glance-api on the first glance-api host only), on a path (a shared
    filesystem, not described), or outside (Ceph, S3, Swift, VMware)."""
    service = plan.services.get("glance")
    if service is None:
        return
    external = [
        (name, flag)
        for name, flag in (
            ("Ceph", "glance_backend_ceph"),
            ("S3", "glance_backend_s3"),
            ("Swift", "glance_backend_swift"),
            ("VMware", "glance_backend_vmware"),
        )
        if settings.switch(flag, False)
    ]
    file_backend = settings.switch("glance_backend_file", not external)
    volume = settings.get("glance_file_datadir_volume", "glance")
    if file_backend and volume == "glance":
        first = next(iter(service.hosts))
        service.hosts = {first: service.hosts[first]}
        plan.storage["glance-images"] = StorageSpec(
            "local",
            service.at,
            {first: service.hosts[first]},
            1,
            None,
            "glance's file backend in the Docker volume `glance` of the one host kolla-ansible runs "
            "glance-api on (the first of glance-api)",
        )
        service.storage.append("glance-images")
    elif file_backend:
        service.description = f"images on {volume} (glance_file_datadir_volume)"
        plan.note(
            settings.at.get("glance_file_datadir_volume", service.at),
            "storage",
            f"glance keeps images on the path {volume} (glance_file_datadir_volume), which must be a filesystem "
            f"shared by every glance-api host: {_UNSEEN}",
            "glance",
            "storage",
        )
    for name, flag in external:
        outside.add(name, flag, "glance", "images")


def cinder(plan: Plan, settings: Settings, shares: Shares, servers: Servers, outside: Outside) -> None:
    """Cinder's volume backends (LVM, the NFS shares; the others outside kolla-ansible)
    and cinder-backup's target (an NFS share, Ceph or S3)."""
    volume = plan.services.get("cinder-volume")
    if volume is not None:
        if settings.switch("enable_cinder_backend_lvm", False):
            plan.storage["cinder-lvm"] = StorageSpec(
                "lvm",
                volume.at,
                dict(volume.hosts),
                1,
                None,
                "cinder's LVM backend: each volume on the disks of one volume host",
            )
            volume.storage.append("cinder-lvm")
        if settings.switch("enable_cinder_backend_nfs", False):
            _nfs_volumes(plan, settings, volume, shares, servers)
        if settings.switch("cinder_backend_ceph", False):
            outside.add("Ceph", "cinder_backend_ceph", "cinder-volume", "volumes")
        for flag, name in _OUTSIDE_BACKENDS.items():
            if settings.switch(flag, False):
                outside.add(name, flag, "cinder-volume", "volumes")
    backup = plan.services.get("cinder-backup")
    if backup is not None:
        _backup(plan, settings, backup, servers, outside)


def _nfs_volumes(plan: Plan, settings: Settings, volume: Placement, shares: Shares, servers: Servers) -> None:
    """The NFS backend: each volume on one of the shares of nfs_shares (cinder's NFS
    driver picks one per volume), so each share's server holds the only copy of some."""
    switch_at = settings.at.get("enable_cinder_backend_nfs", volume.at)
    for at in shares.templates[:1]:
        plan.note(at, "template", "an nfs_shares line is a Jinja expression: render the file first to check its share")
    if not shares.shares:
        given = "has no share spoflint can read" if shares.files else "was not given"
        plan.note(
            switch_at,
            "storage",
            f"cinder's NFS backend (enable_cinder_backend_nfs) keeps volumes on the shares of nfs_shares "
            f"(/etc/kolla/config/nfs_shares), which {given}: where the volumes live is not checked",
            "cinder-volume",
            "storage",
        )
        return
    hosts: dict[str, At] = {}
    for share in shares.shares:
        hosts.setdefault(servers.host(share.server, share.at), share.at)
    listed = ", ".join(f"{s.server}:{s.path}" for s in shares.shares)
    plan.storage["cinder-nfs-volumes"] = StorageSpec(
        "nfs", shares.shares[0].at, hosts, 1, None, f"cinder's NFS backend, each volume on one of: {listed}"
    )
    volume.storage.append("cinder-nfs-volumes")


def _backup(plan: Plan, settings: Settings, backup: Placement, servers: Servers, outside: Outside) -> None:
    """cinder-backup's target, by `cinder_backup_driver` (kolla-ansible's default: ceph)."""
    driver = settings.get("cinder_backup_driver", "ceph")
    if driver == "nfs":
        share = nfs_share(settings.get("cinder_backup_share"))
        at = settings.at.get("cinder_backup_share", settings.at.get("cinder_backup_driver", backup.at))
        if share is None:
            plan.note(
                at,
                "storage",
                "cinder-backup writes to NFS (cinder_backup_driver: nfs), but cinder_backup_share is not a share "
                "spoflint can read (server:/path): where the backups live is not checked",
                "cinder-backup",
                "storage",
            )
            return
        server = servers.host(share[0], at)
        volumes = plan.storage.get("cinder-nfs-volumes")
        same = volumes is not None and server in volumes.hosts
        plan.storage["cinder-backups"] = StorageSpec(
            "nfs",
            at,
            {server: at},
            1,
            None,
            f"cinder-backup's NFS share {share[0]}:{share[1]}"
            + (f", on {server}, the server of the volumes too: a backup there is lost with them" if same else ""),
        )
        backup.storage.append("cinder-backups")
        if same:
            plan.note(
                at,
                "backups-with-volumes",
                f"the cinder volumes (nfs_shares) and their backups (cinder_backup_share) both live on {server}: "
                "a backup on the box it backs up is lost with it, the same single point of failure",
                server,
            )
    elif driver in ("ceph", "s3"):
        name, flag = ("Ceph", "cinder_backup_driver") if driver == "ceph" else ("S3", "cinder_backup_s3_url")
        outside.add(name, flag, "cinder-backup", "backups")


class Outside:
    """The storage outside kolla-ansible's files that services use, noted once per kind
    (on the first service that uses it, naming the others)."""

    def __init__(self, plan: Plan, settings: Settings):
        self.plan = plan
        self.settings = settings
        self.users: dict[str, list[tuple[str, str, str]]] = {}  # name -> [(service, what, flag)]

    def add(self, name: str, flag: str, service: str, what: str) -> None:
        self.plan.services[service].description = f"{what} in {name}, outside kolla-ansible (not described here)"
        self.users.setdefault(name, []).append((service, what, flag))

    def notes(self) -> None:
        for name, users in self.users.items():
            service, _, flag = users[0]
            at = self.settings.at.get(flag, self.plan.services[service].at)
            used = ", ".join(f"{s} ({w}, {f})" for s, w, f in users)
            self.plan.note(
                at,
                f"outside:{name}",
                f"{name} outside kolla-ansible holds the data of {used}: {_UNSEEN}",
                service,
                "storage",
            )
