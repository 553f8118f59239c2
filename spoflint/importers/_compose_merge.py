"""Several Compose files as one project, merged as `docker compose -f a -f b` merges them
(the Compose specification's "Merge and override"; compose-go's rules where the
specification is silent):

- mappings merge key by key; a scalar is replaced by the later file's;
- sequences are appended, except `command`, `entrypoint` and `healthcheck.test`, which
  the later file replaces;
- `ports`, `volumes`, `secrets`, `configs` (and the plain lists `expose`, `dns`,
  `cap_add`, `links`, `profiles`, ...) keep one entry per unique key (a volume's target,
  a port's address, target, published port and protocol): a later entry with the same
  key replaces the earlier one in place;
- `environment`, `labels`, `annotations`, `sysctls`, `build.args` merge as mappings,
  whichever form (`K=V` list or mapping) each file writes; `depends_on` and `networks`
  too (a list is a mapping with the default settings); `build: ./dir` is `{context: ./dir}`;
- `!reset` clears a value, `!override` replaces it wholesale (see `_compose_files` for how
  the tags are read).

Every value keeps the place it was written: merged nodes point into the file each part
came from.
"""

from __future__ import annotations

from typing import Any

from ..load import MarkedList, MarkedMap


class Tagged:
    """A value written with Compose's `!reset` or `!override` tag."""

    __slots__ = ("tag", "value")

    def __init__(self, tag: str, value: object):
        self.tag, self.value = tag, value


Path = tuple[str, ...]

_REPLACED = {("command",), ("entrypoint",), ("healthcheck", "test")}
_AS_MAPPING = {("environment",), ("labels",), ("annotations",), ("sysctls",), ("build", "args"), ("deploy", "labels")}
_WITH_DEFAULTS = {("depends_on",), ("networks",)}
_UNIQUE = {
    ("volumes",),
    ("ports",),
    ("secrets",),
    ("configs",),
    ("expose",),
    ("dns",),
    ("dns_search",),
    ("cap_add",),
    ("cap_drop",),
    ("links",),
    ("profiles",),
    ("tmpfs",),
    ("extra_hosts",),
    ("devices",),
}


def merge_documents(base: MarkedMap, over: MarkedMap) -> MarkedMap:
    """`over` (a later file) merged into `base` (a new mapping; neither is changed).
    Tagged values stay tagged, for the files merged after (`resolve_tags` at the end)."""
    merged = _merge(base, over, ())
    assert isinstance(merged, MarkedMap)
    return merged


def merge_service(base: MarkedMap, over: MarkedMap) -> MarkedMap:
    """A service `over` merged over `base` (for `extends`), as `merge_documents`."""
    merged = _merge(base, over, ("services", "*"))
    assert isinstance(merged, MarkedMap)
    return merged


def resolve_tags(node: Any) -> Any:
    """`node` with `!reset` values dropped and `!override` values unwrapped (what a file
    means alone, or after the last merge)."""
    if isinstance(node, Tagged):
        return None if node.tag == "reset" else resolve_tags(node.value)
    if isinstance(node, MarkedMap):
        for key in [k for k, v in node.items() if isinstance(v, Tagged) and v.tag == "reset"]:
            del node[key]
            del node.where[key]
        for key, value in node.items():
            node[key] = resolve_tags(value)
    elif isinstance(node, MarkedList):
        for index, value in enumerate(node):
            node[index] = resolve_tags(value)
    return node


def _merge(base: Any, over: Any, path: Path) -> Any:
    """The value of `path` after `over` is merged over `base`."""
    if over is None:
        return base  # `web:` with nothing under it changes nothing
    if isinstance(over, Tagged):
        return over  # resolved by the caller: dropped (reset) or kept as written (override)
    if isinstance(base, Tagged):
        base = resolve_tags(base)
    rule = path[2:] if len(path) >= 2 and path[0] == "services" else None
    if rule is not None and rule in _REPLACED:
        return over
    if rule is not None and rule in _AS_MAPPING:
        return _merge_maps(as_mapping(base), as_mapping(over), path)
    if rule is not None and rule in _WITH_DEFAULTS:
        return _merge_maps(_names_as_mapping(base), _names_as_mapping(over), path)
    if rule == ("build",):
        return _merge_maps(_build(base), _build(over), path)
    if isinstance(base, MarkedMap) and isinstance(over, MarkedMap):
        return _merge_maps(base, over, path)
    if isinstance(base, MarkedList) and isinstance(over, MarkedList):
        items = _concatenated(base, over)
        return _unique(items, rule[0]) if rule is not None and rule in _UNIQUE else items
    return over


def _merge_maps(base: MarkedMap, over: MarkedMap, path: Path) -> MarkedMap:
    merged = _copy(base)
    for key, value in over.items():
        if isinstance(value, Tagged) and value.tag == "reset":
            merged.pop(key, None)
            merged.where.pop(key, None)
            continue
        if key not in merged:
            merged[key] = value
            merged.where[key] = over.where[key]
            continue
        level = ("*",) if len(path) == 1 and path[0] == "services" else (key,)
        merged[key] = _merge(merged[key], value, (*path, *level))
        key_at = base.where[key][:2]
        merged.where[key] = (*key_at, *over.where[key][2:])
    return merged


def _copy(node: MarkedMap) -> MarkedMap:
    out = MarkedMap(node)
    out.path, out.line, out.column, out.where = node.path, node.line, node.column, dict(node.where)
    return out


def _concatenated(first: MarkedList, second: MarkedList) -> MarkedList:
    out = MarkedList([*first, *second])
    out.path, out.line, out.column = first.path, first.line, first.column
    out.where = [*first.where, *second.where]
    return out


def _unique(items: MarkedList, attribute: str) -> MarkedList:
    """One entry per unique key: a later entry replaces an earlier one in place."""
    out = MarkedList()
    out.path, out.line, out.column, out.where = items.path, items.line, items.column, []
    index: dict[object, int] = {}
    for item, where in zip(items, items.where):
        key = unique_key(attribute, item)
        if key in index:
            out[index[key]] = item
            out.where[index[key]] = where
        else:
            index[key] = len(out)
            out.append(item)
            out.where.append(where)
    return out


def unique_key(attribute: str, item: object) -> object:
    """What makes an entry of `ports`, `volumes`, ... unique (the specification's table)."""
    if attribute == "volumes":
        if isinstance(item, dict):
            return item.get("target")
        parts = str(item).split(":")
        return parts[1] if len(parts) > 1 else parts[0]
    if attribute in ("secrets", "configs"):
        if isinstance(item, dict):
            return item.get("target") or item.get("source")
        return item
    if attribute == "ports":
        return _port_key(item)
    if isinstance(item, str) and attribute in ("extra_hosts",):
        return item.replace("=", ":").split(":", 1)[0]
    return item if isinstance(item, (str, int, float, bool)) else repr(item)


def _port_key(item: object) -> object:
    """(ip, target, published, protocol) of a port, short or long."""
    if isinstance(item, dict):
        return (
            str(item.get("host_ip", "")),
            str(item.get("target", "")),
            str(item.get("published", "")),
            str(item.get("protocol", "tcp")),
        )
    text = str(item)
    text, _, protocol = text.partition("/")
    parts = text.rsplit(":", 2) if not text.startswith("[") else [text]
    target = parts[-1]
    published = parts[-2] if len(parts) > 1 else ""
    ip = parts[0] if len(parts) > 2 else ""
    return (ip, target, published, protocol or "tcp")


def as_mapping(node: object) -> MarkedMap:
    """`environment`/`labels` in their mapping form (a `K=V` list becomes `{K: V}`; `K`
    alone `{K: None}`), every entry where it was written."""
    if isinstance(node, MarkedMap):
        return node
    out = MarkedMap()
    out.where = {}
    out.path = getattr(node, "path", "")
    out.line, out.column = getattr(node, "line", 1), getattr(node, "column", 1)
    if isinstance(node, MarkedList):
        for item, (line, column) in zip(node, getattr(node, "where", [])):
            if isinstance(item, str):
                key, sep, value = item.partition("=")
                out[key] = value if sep else None
                out.where[key] = (line, column, line, column)
    return out


def _names_as_mapping(node: object) -> MarkedMap:
    """`depends_on`/`networks` as a mapping: a list of names is `{name: None}`."""
    if isinstance(node, MarkedMap):
        return node
    out = as_mapping(MarkedList())
    if isinstance(node, MarkedList):
        out.path, out.line, out.column = node.path, node.line, node.column
        for item, (line, column) in zip(node, node.where):
            if isinstance(item, str):
                out[item] = None
                out.where[item] = (line, column, line, column)
    return out


def _build(node: object) -> MarkedMap:
    """`build: ./dir` as `{context: ./dir}`."""
    if isinstance(node, MarkedMap):
        return node
    out = as_mapping(MarkedList())
    if isinstance(node, str):
        out["context"] = node
        out.where["context"] = (1, 1, 1, 1)
    return out
