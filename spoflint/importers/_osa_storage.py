"""Where an OpenStack-Ansible deployment keeps its data: the Ceph OSD hosts as a
backend, glance's image store and cinder's backends, read from the variables of the
hosts that run them, and the NFS servers they name (the rules are in the
`openstack_ansible` module's docstring)."""

from __future__ import annotations

from ..load import MarkedList, MarkedMap
from ._openstack import At, Placement, Plan, StorageSpec, ceph_copies, is_template, key_at, known
from ._osa_facts import zone_id


class Storage:
    """Adds the storage of a deployment to its plan, once its services are placed."""

    def __init__(
        self,
        plan: Plan,
        entries: dict[str, list[MarkedMap]],
        ips: dict[str, str],
        variables: dict,
        variables_at: dict[str, At],
    ):
        self.plan = plan
        self.entries = entries  # host -> its entries in the file, first first
        self.ips = ips  # address -> host (NFS servers outside the inventory are added)
        self.vars = variables
        self.vars_at = variables_at

    def ceph(self, osd_hosts: dict[str, At], osd_at: At | None) -> None:
        """The Ceph OSD hosts as one `ceph` backend, with the pool size of the variables."""
        if osd_at is None:  # no OSD host
            return
        size = self.vars.get("osd_pool_default_size")
        if is_template(size):
            self.plan.note(
                self.vars_at.get("osd_pool_default_size", osd_at),
                "template",
                f"osd_pool_default_size is a Jinja expression ({size}): Ceph's default of 3 copies is assumed; "
                "render the variables first to check the real pool size",
            )
        replicas, needed = ceph_copies(size)
        replicas = min(replicas, len(osd_hosts))
        self.plan.storage["ceph"] = StorageSpec(
            "ceph",
            osd_at,
            dict(osd_hosts),
            replicas,
            min(needed, replicas),
            "Ceph OSD hosts (pool size from osd_pool_default_size, else Ceph's default of 3)",
        )

    # -- glance
    def glance(self) -> None:
        """Glance's image store: NFS mounts, else the store `glance_default_store` names."""
        plan = self.plan
        glance = plan.services.get("glance")
        if glance is None:
            return
        exports = self._nfs_exports(glance)
        store = known(self.vars.get("glance_default_store"))
        store = store if isinstance(store, str) else None
        if exports:
            servers: dict[str, At] = {}
            for (server, _), at in exports.items():
                servers.setdefault(self.server(server, at), at)
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
            outside = " (the Ceph cluster of ceph_mons, outside this file)" if self.vars.get("ceph_mons") else ""
            glance.description = f"images in {store} (glance_default_store), which this file does not describe"
            self._unseen(
                "glance",
                f"glance keeps images in {store}{outside} (glance_default_store), which these files do not "
                "describe: where the images live, and whether that is redundant, is not checked",
            )
        else:
            glance.description = "where glance keeps images is not in these files"
            self._unseen(
                "glance",
                "where glance keeps images is not in these files (glance_default_store in user_variables.yml, or "
                "an NFS mount in glance_nfs_client): not checked",
            )

    def _nfs_exports(self, glance: Placement) -> dict[tuple[str, str], At]:
        """(server, share) -> where it is written, of the NFS clients of glance's hosts."""
        exports: dict[tuple[str, str], At] = {}
        for host in glance.hosts:
            for key in ("glance_remote_client", "glance_nfs_client"):
                clients, _ = self.host_vars(host, key)
                if not isinstance(clients, MarkedList):
                    continue
                for index, client in enumerate(clients):
                    export = _nfs_export(client)
                    if export is not None:
                        exports.setdefault(export, key_at(clients, index))
                    elif isinstance(client, MarkedMap) and any(is_template(client.get(k)) for k in ("server", "what")):
                        self.plan.note(
                            key_at(clients, index),
                            "template",
                            f"an NFS mount of glance ({key}) names its server with a Jinja expression: render the "
                            "file first to check where the images live",
                        )
        return exports

    # -- cinder
    def cinder(self) -> None:
        """Cinder's backends (`cinder_backends` of the volume hosts): NFS, LVM, RBD."""
        plan = self.plan
        volume = plan.services.get("cinder-volume")
        if volume is None:
            return
        backends: dict[str, StorageSpec] = {}
        other: list[str] = []  # backends not described here
        for host in volume.hosts:
            table, _ = self.host_vars(host, "cinder_backends")
            if not isinstance(table, MarkedMap):
                continue
            for name, backend in table.items():
                if isinstance(backend, MarkedMap):
                    self._backend(volume, host, name, backend, key_at(table, name), backends, other)
        for eid, spec in backends.items():
            plan.storage[eid] = spec
            volume.storage.append(eid)
        if other:
            names = ", ".join(dict.fromkeys(other))
            volume.description = f"cinder backends not described here: {names}"
            self._unseen(
                "cinder-volume",
                f"cinder keeps volumes in backends these files do not describe ({names}: a vendor driver, an "
                "external Ceph, or NFS shares with no server): where those volumes live is not checked",
            )

    def _unseen(self, service: str, message: str) -> None:
        """A note: a service keeps its data where these files do not say (answered by a
        native overlay that gives the service its `storage`)."""
        self.plan.note(self.plan.services[service].at, "storage", message, service, "storage")

    def _backend(
        self,
        volume: Placement,
        host: str,
        name: str,
        backend: MarkedMap,
        at: At,
        backends: dict[str, StorageSpec],
        other: list[str],
    ) -> None:
        """One cinder backend of a volume host, by its `volume_driver`."""
        driver = str(backend.get("volume_driver", "")).lower()
        eid = "cinder-" + (zone_id(name) or "backend")
        if "nfs" in driver:
            spec = backends.setdefault(eid, StorageSpec("nfs", at, {}, 1, None, f"cinder backend {name} (NFS)"))
            self._nfs_shares(spec, backend.get("shares"))
            if not spec.hosts:
                del backends[eid]
                other.append(name)
        elif "lvm" in driver:
            spec = backends.setdefault(
                eid,
                StorageSpec("lvm", at, {}, 1, None, f"cinder backend {name} (LVM on the volume host's disks)"),
            )
            spec.hosts.setdefault(host, at)
        elif "rbd" in driver and "ceph" in self.plan.storage:
            if "ceph" not in volume.storage:
                volume.storage.append("ceph")
                volume.needs.append("ceph-mon")
        else:
            other.append(name)

    def _nfs_shares(self, spec: StorageSpec, shares: object) -> None:
        """The servers of an NFS backend's `shares`, as the hosts of its storage."""
        if not isinstance(shares, MarkedList):
            return
        for index, share in enumerate(shares):
            if isinstance(share, MarkedMap) and isinstance(known(share.get("ip")), str):
                server = self.server(share["ip"], key_at(shares, index))
                spec.hosts.setdefault(server, key_at(shares, index))

    # -- hosts and variables
    def server(self, address: str, at: At) -> str:
        """The host that serves an address: an inventory host with that ip, else a host
        of its own named after the address."""
        if address in self.ips:
            return self.ips[address]
        name = "nfs-" + (zone_id(address) or "server")
        spec = self.plan.host(name, at)
        spec.description = spec.description or f"NFS server {address} (not in the inventory)"
        self.ips[address] = name
        return name

    def host_vars(self, host: str, key: str) -> tuple[object, MarkedMap | None]:
        """A variable as a host sees it: its container_vars/host_vars, else global;
        and the mapping it was found in (None for a global)."""
        for entry in self.entries.get(host, ()):
            for section in ("container_vars", "host_vars"):
                values = entry.get(section)
                if isinstance(values, MarkedMap) and key in values:
                    return values[key], values
        return self.vars.get(key), None


def _nfs_export(client: object) -> tuple[str, str] | None:
    """(server, share) of one NFS client entry (`server` and `remote_path`, or
    `what: server:/path`); None for another type of mount or no server."""
    if not isinstance(client, MarkedMap) or not str(client.get("type", "nfs")).startswith("nfs"):
        return None
    what = known(client.get("what"))
    server = known(client.get("server")) or (what.split(":", 1)[0] if isinstance(what, str) else None)
    share = client.get("remote_path") or (what.split(":", 1)[1] if isinstance(what, str) and ":" in what else "")
    if isinstance(server, str) and server:
        return server, str(share)
    return None
