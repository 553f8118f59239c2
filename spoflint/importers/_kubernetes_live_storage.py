"""The volumes of a Kubernetes cluster dump: where the data of its claims is (the rules
are in the `kubernetes` module's docstring, "A cluster dump"). A claim bound to a
PersistentVolume whose node affinity (or label) names one zone is storage in that zone; one
bound to a volume whose node affinity names one node (a `local` volume) keeps its pod on
that node."""

from __future__ import annotations

from ..load import MarkedMap
from ._containers import element_id
from ._kubernetes_meta import namespace_of
from ._kubernetes_objects import Cluster
from ._kubernetes_placement import HOSTNAME, ZONE
from ._native import mapping, put


def volume_nodes(cluster: Cluster) -> dict[tuple[str, str], str]:
    """(namespace, claim) -> the one node its bound volume is on."""
    volumes = _volumes(cluster)
    out = {}
    for _, objects, _ in cluster.files:
        for doc in objects:
            volume = _bound(doc, volumes)
            node = node_of_volume(volume) if volume is not None else None
            if node is not None:
                out[namespace_of(doc), doc["metadata"]["name"]] = node
    return out


def _volumes(cluster: Cluster) -> dict[str, MarkedMap]:
    return {d["metadata"]["name"]: d for _, objects, _ in cluster.files for d in objects if _is(d, "PersistentVolume")}


def _bound(claim: MarkedMap, volumes: dict[str, MarkedMap]) -> MarkedMap | None:
    """The volume a claim is bound to (`spec.volumeName`), when the files have it."""
    spec = claim.get("spec") if _is(claim, "PersistentVolumeClaim") else None
    name = spec.get("volumeName") if isinstance(spec, dict) else None
    return volumes.get(name) if isinstance(name, str) else None


def zonal(cluster: Cluster, roots: dict[str, MarkedMap]) -> None:
    """A claim bound to a volume in one zone (its node affinity on the zone label, or the
    label itself) is storage in that zone."""
    volumes = _volumes(cluster)
    for _shown, objects, _ in cluster.files:
        for doc in objects:
            volume = _bound(doc, volumes)
            zone = _zone_of(volume) if volume is not None else None
            element = _storage(roots, doc) if zone is not None else None
            if zone is not None and element is not None and "zone" not in element:
                at = (element.line, element.column)
                put(element, "zone", zone, at)
                root = roots[element.path]
                if "zones" not in root:
                    put(root, "zones", mapping(root.path, at), at)
                if zone not in root["zones"]:
                    put(root["zones"], zone, mapping(root.path, at), at)


def _is(doc: MarkedMap, kind: str) -> bool:
    return doc.get("kind") == kind and isinstance(doc["metadata"].get("name"), str)


def _storage(roots: dict[str, MarkedMap], claim: MarkedMap) -> MarkedMap | None:
    """The storage element a claim became (by its name, or namespace/name)."""
    name = claim["metadata"]["name"]
    for eid in (element_id(name), element_id(f"{namespace_of(claim)}/{name}")):
        for root in roots.values():
            found = (root.get("storage") or {}).get(eid)
            if isinstance(found, MarkedMap):
                return found
    return None


def _zone_of(volume: MarkedMap) -> str | None:
    """The one zone a PersistentVolume is in: its zone label, else its required node
    affinity on the zone label (one value)."""
    labels = volume["metadata"].get("labels")
    for key in ZONE:
        if isinstance(labels, dict) and isinstance(labels.get(key), str):
            return element_id(labels[key])
    zones = {v for key, values in _affinity(volume) if key in ZONE for v in values}
    return element_id(zones.pop()) if len(zones) == 1 else None


def node_of_volume(volume: MarkedMap) -> str | None:
    """The one node a local PersistentVolume is pinned to (its required node affinity on
    the hostname label)."""
    nodes = {v for key, values in _affinity(volume) if key in HOSTNAME for v in values}
    return element_id(nodes.pop()) if len(nodes) == 1 else None


def _affinity(volume: MarkedMap) -> list[tuple[str, list[str]]]:
    """(key, values) of the `In` expressions of a PersistentVolume's required node affinity."""
    spec = volume.get("spec")
    affinity = spec.get("nodeAffinity") if isinstance(spec, dict) else None
    required = affinity.get("required") if isinstance(affinity, dict) else None
    terms = required.get("nodeSelectorTerms") if isinstance(required, dict) else None
    out = []
    for term in terms if isinstance(terms, list) else ():
        expressions = term.get("matchExpressions") if isinstance(term, dict) else None
        for e in expressions if isinstance(expressions, list) else ():
            if isinstance(e, dict) and e.get("operator") == "In" and isinstance(e.get("values"), list):
                out.append((str(e.get("key")), [str(v) for v in e["values"]]))
    return out
