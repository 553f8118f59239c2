"""What every Kubernetes object says of itself in its `metadata`, read alike by every
module of the reader: its namespace and the controller that owns it."""

from __future__ import annotations

from ..load import MarkedMap


def namespace_of(doc: MarkedMap) -> str:
    """An object's namespace (`metadata.namespace`, else "default")."""
    namespace = doc["metadata"].get("namespace")
    return namespace if isinstance(namespace, str) else "default"


def owner_of(doc: MarkedMap) -> MarkedMap | None:
    """The controller that owns an object (`metadata.ownerReferences`, the one marked
    `controller: true`, else the first), as a cluster dump writes it."""
    owners = doc["metadata"].get("ownerReferences")
    found = [o for o in owners if isinstance(o, MarkedMap)] if isinstance(owners, list) else []
    return next((o for o in found if o.get("controller") is True), found[0] if found else None)
