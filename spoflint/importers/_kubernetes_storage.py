"""Where the data of Kubernetes workloads lives: each pod volume a container mounts,
classified as the API defines it (the rules are in the `kubernetes` module's docstring).

- scratch: `emptyDir`, generic `ephemeral` volumes, ConfigMaps, Secrets, projected and
  downward API volumes live and die with the pod;
- node-local: a `hostPath` outside the system folders (but a DaemonSet's: an agent's
  own folder on each node is no service's data), a `local` or `hostPath` PersistentVolume, and a claim whose StorageClass provisions on the node
  (`kubernetes.io/no-provisioner`, local-path, OpenEBS hostpath/LVM/ZFS, TopoLVM, ...):
  the data is on one node, and that node's failure loses it;
- network-attached: a claim of any other provisioner or class (cloud disks, Cinder,
  Ceph RBD/CephFS, Longhorn, any CSI driver), and the in-tree network volumes: the volume
  reattaches on another node, so a node failure means downtime, not data loss; it is a
  storage element of its own without hosts (it can fail, as one box);
- NFS (`nfs:` volumes and PVs, NFS provisioners): storage element of kind `nfs` whose
  server the manifests do not describe (a note says so);
- a claim whose class the files do not settle (no class: the cluster's default; a class
  name spoflint does not know; a claim not in the files) is taken as network-attached,
  the common case of managed clusters, with a note on its element.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..load import MarkedList, MarkedMap
from ._containers import element_id, free_id
from ._kubernetes_meta import namespace_of
from ._kubernetes_objects import Cluster, Workload
from ._native import Position

SCRATCH, LOCAL, NETWORK, NFS = "scratch", "local", "network", "nfs"

_SYSTEM_PATHS = (
    "/proc",
    "/sys",
    "/dev",
    "/run",
    "/var/run",
    "/etc",
    "/lib/modules",
    "/var/log",
    "/usr",
    "/var/lib/docker/containers",
    "/var/lib/kubelet",
)
_LOCAL_PROVISIONER = re.compile(
    r"no-provisioner|local-path|hostpath|openebs\.io/local|local\.csi|lvm\.csi|zfs\.csi|topolvm|local-volume|local-static"
)
_CEPH_PROVISIONER = re.compile(r"ceph|rbd")
_LOCAL_CLASSES = frozenset(
    ("local", "local-storage", "local-path", "openebs-hostpath", "openebs-device", "openebs-lvmpv", "openebs-zfspv")
    + ("hostpath", "microk8s-hostpath", "topolvm-provisioner", "local-ssd")
)
_NETWORK_CLASSES = frozenset(
    ("gp2", "gp3", "io1", "io2", "sc1", "st1", "ebs-sc", "standard-rwo", "premium-rwo", "standard-rwx")
    + ("pd-standard", "pd-ssd", "pd-balanced", "managed", "managed-csi", "managed-premium", "managed-csi-premium")
    + ("azurefile", "azurefile-csi", "azurefile-premium", "azurefile-csi-premium", "cinder", "csi-cinder-sc-delete")
    + ("csi-cinder-sc-retain", "do-block-storage", "linode-block-storage", "hcloud-volumes", "longhorn", "oci-bv")
    + ("thin", "thin-csi", "vsphere-sc")
)
_CEPH_CLASSES = frozenset(("rook-ceph-block", "ceph-block", "ceph-rbd", "rbd", "csi-rbd-sc", "rook-cephfs", "cephfs"))
_NFS_CLASSES = frozenset(("nfs", "nfs-client", "nfs-csi", "managed-nfs-storage"))
# in-tree volume sources that are network block or file storage -> native storage kind
_NETWORK_SOURCES = {
    "awsElasticBlockStore": "managed",
    "gcePersistentDisk": "managed",
    "azureDisk": "managed",
    "azureFile": "managed",
    "cinder": "managed",
    "vsphereVolume": "managed",
    "portworxVolume": "managed",
    "glusterfs": "managed",
    "rbd": "ceph",
    "cephfs": "ceph",
    "iscsi": "san",
    "fc": "san",
}
_DISK_NAMES = ("volumeID", "pdName", "diskName", "volumePath", "image", "iqn")  # an inline disk's own name


@dataclass
class Place:
    """Where a volume's data lives: `where` (SCRATCH, LOCAL, NETWORK, NFS), the native
    storage kind of a network volume, and why, when the files do not settle it."""

    where: str
    kind: str = "managed"
    unknown: str | None = None  # why the class is not known (a note), or None
    share: str | None = None  # an NFS volume's server:path


@dataclass
class Element:
    """A storage element to declare: a network-attached volume that fails by itself."""

    id: str
    kind: str
    path: str  # the file it is declared in
    at: Position
    unknown: str | None = None
    share: str | None = None


@dataclass
class Mount:
    """A volume a container of the workload mounts, and where its data lives."""

    name: str
    at: Position  # where the volume (or claim template) is declared
    place: Place
    writable: bool
    per_pod: bool  # a StatefulSet's claim template: one volume per replica
    element: str | None = None  # the storage element of a network volume all replicas share
    one_node: bool = False  # a ReadWriteOnce claim: every pod using it runs on one node


@dataclass
class Storage:
    """The PersistentVolumeClaims, PersistentVolumes and StorageClasses of the files, and
    the storage elements the workloads' volumes become."""

    cluster: Cluster
    taken: set[str]  # ids of other elements
    claims: dict[tuple[str, str], tuple[str, MarkedMap]] = field(default_factory=dict)  # (ns, name) -> (path, doc)
    volumes: dict[str, MarkedMap] = field(default_factory=dict)  # PersistentVolume name -> doc
    classes: dict[str, MarkedMap] = field(default_factory=dict)  # StorageClass name -> doc
    elements: dict[str, Element] = field(default_factory=dict)  # by id
    _ids: dict[tuple[str, ...], str] = field(default_factory=dict)  # what an element stands for -> its id

    def __post_init__(self) -> None:
        for shown, objects, _ in self.cluster.files:
            for doc in objects:
                name = doc["metadata"].get("name")
                if not isinstance(name, str):
                    continue
                if doc["kind"] == "PersistentVolumeClaim":
                    self.claims.setdefault((namespace_of(doc), name), (shown, doc))
                elif doc["kind"] == "PersistentVolume":
                    self.volumes.setdefault(name, doc)
                elif doc["kind"] == "StorageClass":
                    self.classes.setdefault(name, doc)

    def mounts(self, w: Workload) -> list[Mount]:
        """The volumes the workload's containers mount (a claim template shadows a pod
        volume of the same name, as the StatefulSet controller does)."""
        mounted = _mounted(w)
        templates = _templates(w)
        out = []
        for name, (spec, at) in templates.items():
            if name in mounted:
                out.append(self._template_mount(w, name, spec, at, mounted[name]))
        volumes = w.pod.get("volumes")
        if not isinstance(volumes, MarkedList):
            return out
        for index, volume in enumerate(volumes):
            vname = volume.get("name") if isinstance(volume, MarkedMap) else None
            if not isinstance(vname, str) or vname not in mounted or vname in templates:
                continue
            out.append(self._volume_mount(w, volume, volumes.item_at(index), mounted[vname]))
        return out

    def _template_mount(self, w: Workload, name: str, claim: MarkedMap, at: Position, writable: bool) -> Mount:
        made = self.claims.get((w.namespace, f"{name}-{w.name}-0"))  # the claim a cluster dump shows made
        if made is not None:
            place = self._claim_place(_spec(made[1]), made[1]["metadata"], (w.namespace, f"{name}-{w.name}-0"))
        else:
            place = self._claim_place(_spec(claim), claim.get("metadata"), None)
        if (w.replicas or 1) >= 2:
            return Mount(name, at, place, writable, per_pod=True)
        mount = Mount(name, at, place, writable, per_pod=False)
        if place.where in (NETWORK, NFS):
            mount.element = self._element((w.namespace, "claim", f"{name}-{w.name}-0"), place, w.path, at)
        return mount

    def _volume_mount(self, w: Workload, volume: MarkedMap, at: Position, writable: bool) -> Mount:
        name = volume["name"]
        claim = volume.get("persistentVolumeClaim")
        if isinstance(claim, MarkedMap) and isinstance(claim.get("claimName"), str):
            return self._claim_mount(w, name, claim["claimName"], at, writable)
        place = _volume_place(volume)
        if w.kind == "DaemonSet" and isinstance(volume.get("hostPath"), dict):
            place = Place(SCRATCH)  # an agent's own folder on each node (its buffer, its cache): no service data
        mount = Mount(name, at, place, writable, per_pod=False)
        if place.where == NFS:
            mount.element = self._element(("nfs", place.share or name), place, w.path, at)
        elif place.where == NETWORK:
            source = next(v for k, v in volume.items() if k in _NETWORK_SOURCES)
            disk = next(
                (source[k] for k in _DISK_NAMES if isinstance(source, dict) and isinstance(source.get(k), str)), None
            )
            mount.element = self._element(("disk", disk or f"{w.id}-{name}"), place, w.path, at)
        return mount

    def _claim_mount(self, w: Workload, name: str, claim_name: str, at: Position, writable: bool) -> Mount:
        found = self.claims.get((w.namespace, claim_name))
        if found is None:
            place = Place(NETWORK, unknown="the claim is not in the files")
            mount = Mount(name, at, place, writable, per_pod=False)
            mount.element = self._element((w.namespace, "claim", claim_name), place, w.path, at)
            return mount
        path, doc = found
        spec = _spec(doc)
        place = self._claim_place(spec, doc["metadata"], (w.namespace, claim_name))
        modes = spec.get("accessModes")
        one_node = (
            isinstance(modes, list) and bool(modes) and all(m in ("ReadWriteOnce", "ReadWriteOncePod") for m in modes)
        )
        mount = Mount(name, at, place, writable, per_pod=False, one_node=one_node)
        if place.where in (NETWORK, NFS):
            claim_at = doc["metadata"].value_at("name")
            mount.element = self._element((w.namespace, "claim", claim_name), place, path, claim_at)
        return mount

    def _claim_place(self, spec: MarkedMap, metadata: object, claim: tuple[str, str] | None) -> Place:
        """Where a claim's volume lives: its bound PersistentVolume's source, else its
        StorageClass's provisioner, else what its class name says."""
        bound = spec.get("volumeName")
        volume = self.volumes.get(bound) if isinstance(bound, str) else None
        if volume is None and claim is not None:
            volume = next((v for v in self.volumes.values() if _claimed_by(v, claim)), None)
        if volume is not None:
            return _volume_place(_spec(volume))
        name = spec.get("storageClassName")
        annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
        if name is None and isinstance(annotations, dict):
            name = annotations.get("volume.beta.kubernetes.io/storage-class")
        if name is None:
            name = self._default_class()
            if name is None:
                return Place(NETWORK, unknown="it names no storage class, so it gets the cluster's default")
        if not isinstance(name, str) or not name:
            return Place(NETWORK, unknown="it binds a pre-made volume that is not in the files")
        if name in self.classes:
            return _provisioner_place(self.classes[name].get("provisioner"), self, name)
        return _class_place(name)

    def _default_class(self) -> str | None:
        for name, doc in self.classes.items():
            annotations = doc["metadata"].get("annotations")
            if isinstance(annotations, dict) and str(
                annotations.get("storageclass.kubernetes.io/is-default-class")
            ).lower() in ("true", "yes"):
                return name
        return None

    def local_volume_of_class(self, name: str) -> bool:
        """Whether the files' PersistentVolumes of a class (statically made) are node-local."""
        found = [
            _volume_place(_spec(v)).where for v in self.volumes.values() if _spec(v).get("storageClassName") == name
        ]
        return not found or LOCAL in found

    def _element(self, key: tuple[str, ...], place: Place, path: str, at: Position) -> str:
        """The id of the storage element that `key` stands for, declared on first use."""
        if key in self._ids:
            return self._ids[key]
        name = key[-1]
        if len(key) == 3 and len({ns for ns, claim in self.claims if claim == name} | {key[0]}) > 1:
            name = f"{key[0]}/{name}"  # the same claim name in two namespaces
        eid = element_id(name) or "volume"
        if eid in self.taken:
            eid = free_id(f"{eid}-volume", self.taken)
        self.taken.add(eid)
        self._ids[key] = eid
        self.elements[eid] = Element(
            eid, place.kind if place.where == NETWORK else "nfs", path, at, place.unknown, place.share
        )
        return eid


def _spec(doc: object) -> MarkedMap:
    spec = doc.get("spec") if isinstance(doc, dict) else None
    return spec if isinstance(spec, MarkedMap) else MarkedMap()


def _claimed_by(volume: MarkedMap, claim: tuple[str, str]) -> bool:
    ref = _spec(volume).get("claimRef")
    return isinstance(ref, dict) and ref.get("name") == claim[1] and ref.get("namespace", "default") == claim[0]


def _mounted(w: Workload) -> dict[str, bool]:
    """Volume name -> whether some container mounts it writable."""
    out: dict[str, bool] = {}
    for container in w.containers:
        mounts = container.get("volumeMounts")
        for mount in mounts if isinstance(mounts, list) else []:
            if isinstance(mount, dict) and isinstance(mount.get("name"), str):
                out[mount["name"]] = out.get(mount["name"], False) or mount.get("readOnly") is not True
    return out


def _templates(w: Workload) -> dict[str, tuple[MarkedMap, Position]]:
    """A StatefulSet's claim templates by name, with where each is declared."""
    spec = w.doc.get("spec")
    claims = spec.get("volumeClaimTemplates") if isinstance(spec, MarkedMap) and w.kind == "StatefulSet" else None
    out: dict[str, tuple[MarkedMap, Position]] = {}
    if not isinstance(claims, MarkedList):
        return out
    for index, claim in enumerate(claims):
        metadata = claim.get("metadata") if isinstance(claim, MarkedMap) else None
        if isinstance(metadata, MarkedMap) and isinstance(metadata.get("name"), str):
            out.setdefault(metadata["name"], (claim, claims.item_at(index)))
    return out


def _volume_place(source: MarkedMap) -> Place:
    """Where a pod volume's (or a PersistentVolume's) data lives, from its source."""
    host_path = source.get("hostPath")
    if isinstance(host_path, dict):
        path = host_path.get("path")
        if isinstance(path, str) and not _system_path(path):
            return Place(LOCAL)
        return Place(SCRATCH)
    if isinstance(source.get("local"), dict):
        return Place(LOCAL)
    nfs = source.get("nfs")
    if isinstance(nfs, dict):
        return Place(NFS, "nfs", share=f"{nfs.get('server', '?')}:{nfs.get('path', '/')}")
    csi = source.get("csi")
    if isinstance(csi, dict) and isinstance(csi.get("driver"), str) and "volumeHandle" in csi:
        return _provisioner_place(csi["driver"], None, None)
    for key, kind in _NETWORK_SOURCES.items():
        if isinstance(source.get(key), dict):
            return Place(NETWORK, kind)
    return Place(SCRATCH)  # emptyDir, ephemeral, configMap, secret, projected, downwardAPI, inline CSI


def _system_path(path: str) -> bool:
    path = path.rstrip("/") or "/"
    return any(path == p or path.startswith(p + "/") for p in _SYSTEM_PATHS)


def _provisioner_place(provisioner: object, storage: Storage | None, name: str | None) -> Place:
    """Where a StorageClass's provisioner (or a CSI driver) puts volumes."""
    if not isinstance(provisioner, str):
        return Place(NETWORK, unknown=f"its storage class {name} names no provisioner")
    text = provisioner.lower()
    if "nfs" in text:
        return Place(NFS, "nfs", share=f"storage class {name or provisioner}")
    if _LOCAL_PROVISIONER.search(text):
        if "no-provisioner" in text and storage is not None and name is not None:
            return Place(LOCAL) if storage.local_volume_of_class(name) else Place(NETWORK)
        return Place(LOCAL)
    return Place(NETWORK, "ceph" if _CEPH_PROVISIONER.search(text) else "managed")


def _class_place(name: str) -> Place:
    """Where a StorageClass the files do not hold puts volumes, by its well-known name."""
    if name in _LOCAL_CLASSES:
        return Place(LOCAL)
    if name in _NFS_CLASSES:
        return Place(NFS, "nfs", share=f"storage class {name}")
    if name in _CEPH_CLASSES:
        return Place(NETWORK, "ceph")
    if name in _NETWORK_CLASSES:
        return Place(NETWORK)
    return Place(NETWORK, unknown=f"its storage class {name} is not in the files")
