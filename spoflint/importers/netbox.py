"""The NetBox reader: a NetBox 4.x server's sites, racks, devices, power and cabling, and
its virtual machines, read through the REST API into one native document whose every
element points at the object's page in NetBox (docs/importers.md, "NetBox").

- sites -> zones; a location is part of its site's zone (zones do not nest, and a site
  is the failure domain a zone stands for); racks -> racks in their site's zone;
- devices by role: router, switch, firewall, load balancer -> network nodes (the words
  of the role's slug, or the config's `roles` map); devices with power outlets -> PDUs
  and patch panels -> passed through (_netbox_power, _netbox_links); the rest -> hosts
  in their rack (else their site); a device out of service (offline, planned, ...) is
  left out, and said;
- a virtual chassis (switch stack) -> one network node, its members' cabling and power
  its own (_netbox_links);
- virtual machines -> hosts placed where their hypervisor is: the rack of the device
  they are pinned to, else of every member of their cluster when those share it (else
  the site they share); the rest is said in one note;
- circuits: a circuit termination cabled to a router's interface whose other end is not
  in the estate -> a link (named after the circuit) from that interface's device to an
  `external` node standing for the provider's network: where users and the WAN come from;
- a site with access switches and no host: its users, an assumed host cabled to them,
  and one user-facing service `access@<site>`, so that what they depend on (the router,
  the switch, the PDU) is what a failure takes down;
- what NetBox cannot hold (a UPS between a feed and a PDU, cooling, generators): one
  MODEL001 note, unless a native overlay gives the power panels their `from`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..load import MarkedMap
from ._native import Native
from ._netbox_client import PAGE_SIZE, Record, Snapshot, fetch
from ._netbox_names import NETWORK_KINDS, Names, element, link, placed, ref, some
from ._netbox_names import field as put_field
from ._netbox_vms import access, not_in_netbox, virtual_machines

FORMAT = "netbox"


@dataclass(frozen=True)
class Settings:
    """Where the NetBox is and what of it to read (docs/configuration.md, `netbox:`)."""

    url: str
    token: str | None = field(default=None, repr=False)  # never shown
    sites: tuple[str, ...] = ()  # site slugs: only these (default: all)
    tags: tuple[str, ...] = ()  # tag slugs: only the devices and VMs that carry one
    token_env: str = "NETBOX_TOKEN"  # where the token came from, for the messages
    verify_tls: bool = True
    roles: Mapping[str, str] = field(
        default_factory=dict
    )  # role slug or name -> kind (NETWORK_KINDS, host, pdu, patch-panel)
    page_size: int = PAGE_SIZE


def read(settings: Settings, progress: Callable[[str], None] | None = None) -> MarkedMap:
    """The native document of what `settings` selects of a NetBox server."""
    snapshot = fetch(
        settings.url,
        settings.token,
        token_env=settings.token_env,
        verify_tls=settings.verify_tls,
        sites=settings.sites,
        tags=settings.tags,
        page_size=settings.page_size,
        progress=progress,
    )
    return document(snapshot, settings.roles)


def document(snapshot: Snapshot, roles: Mapping[str, str] | None = None) -> MarkedMap:
    """The native document of a snapshot (read offline in tests)."""
    from ._netbox_links import add_links
    from ._netbox_power import add_power

    names = Names(snapshot, roles)
    native = Native(f"{snapshot.base}/", f"NetBox {snapshot.base}")
    _zones(snapshot, native, names)
    _racks(snapshot, native, names)
    _devices(snapshot, native, names)
    add_power(snapshot, native, names)
    add_links(snapshot, native, names)
    _circuits(snapshot, native, names)
    virtual_machines(snapshot, native, names)
    access(snapshot, native, names)
    not_in_netbox(snapshot, native, names)
    return native.root


def settings(written: Mapping | None, url: str | None = None) -> Settings | None:
    """The NetBox to read: the config's `netbox:` mapping (`written`), its `url` replaced
    by `--netbox URL`; the token from the environment variable its `token-env` names
    (default NETBOX_TOKEN), never from a file or the command line. None: no NetBox."""
    import os

    written = dict(written or {})
    address = url or written.get("url")
    if not address:
        if written:
            raise UsageError("the config's `netbox:` has no `url`: add one, or give --netbox URL")
        return None
    variable = str(written.get("token-env") or "NETBOX_TOKEN")
    return Settings(
        url=str(address),
        token=os.environ.get(variable) or None,
        token_env=variable,
        sites=tuple(written.get("sites") or ()),
        tags=tuple(written.get("tags") or ()),
        verify_tls=bool(written.get("verify-tls", True)),
        roles=dict(written.get("roles") or {}),
    )


def physical_layer(
    written: Mapping | None, url: str | None = None, progress: Callable[[str], None] | None = None
) -> MarkedMap | None:
    """The NetBox document a check joins with its units (`--netbox URL`, or the config's
    `netbox:` mapping, `FileConfig.netbox`), or None when no NetBox is configured. A
    server that cannot be read is a UsageError: one line naming its URL, never the token."""
    if url is not None and "://" not in url:  # a committed `spoflint import netbox` snapshot
        return snapshot_file(url)
    chosen = settings(written, url)
    return read(chosen, progress) if chosen is not None else None


def snapshot_file(path: str) -> MarkedMap:
    """`--netbox FILE`: a native file (as `spoflint import netbox -o FILE` writes) read
    as the physical layer, joined by host like NetBox itself, with no server."""
    from .. import load
    from ..errors import InputError
    from ..model.validation import is_topology

    if not os.path.isfile(path):
        raise UsageError(f"--netbox {path}: neither an http:// or https:// URL nor a file")
    shown = load.shown_path(Path(path))
    document = load.load_file(path, shown)
    if not is_topology(document):
        raise InputError(
            shown,
            1,
            1,
            "--netbox FILE must be a native topology (`version: 1`), such as `spoflint import netbox` writes",
        )
    return document


def _zones(snapshot: Snapshot, native: Native, names: Names) -> None:
    for site in snapshot.sites:
        node = names.at(native, "zones", "site", site["id"])
        words = f"NetBox site {site.get('name')}"
        locations = [loc.get("name") for loc in snapshot.locations if ref(loc, "site") == site["id"]]
        if locations:
            words += f" (locations {', '.join(str(n) for n in locations)})"
        put_field(node, "description", words)


def _racks(snapshot: Snapshot, native: Native, names: Names) -> None:
    for rack in snapshot.racks:
        if names.of("rack", rack["id"]) is None:
            continue
        node = names.at(native, "racks", "rack", rack["id"])
        zone = names.of("site", ref(rack, "site"))
        if zone:
            put_field(node, "zone", zone)
        where = (rack.get("location") or {}).get("name")
        put_field(node, "description", f"NetBox rack {rack.get('name')}" + (f" in {where}" if where else ""))


def _devices(snapshot: Snapshot, native: Native, names: Names) -> None:
    by_id = {d["id"]: d for d in snapshot.devices}
    for device in snapshot.devices:
        kind = names.device_kinds.get(device["id"])
        if kind not in (*NETWORK_KINDS, "host"):
            continue  # PDUs and patch panels: power and cabling's (and the retired: said below)
        chassis = ref(device, "virtual_chassis")
        if kind != "host" and chassis is not None and names.of("virtual_chassis", chassis):
            node = names.at(native, "network", "virtual_chassis", chassis)
            master = by_id.get(ref(_chassis(snapshot, chassis), "master") or -1, device)
            if "kind" not in node:
                put_field(node, "kind", kind)
                placed(node, master, names)
            continue
        section = "hosts" if kind == "host" else "network"
        node = names.at(native, section, "device", device["id"])
        put_field(node, "kind", "server" if kind == "host" else kind)
        placed(node, device, names)
        role = (device.get("role") or {}).get("name")
        put_field(node, "description", f"NetBox device {device.get('display')}" + (f" ({role})" if role else ""))
    if names.retired:
        listed = some([str(d.get("display") or d["id"]) for d in names.retired])
        native.note(
            (1, 1),
            "netbox-retired",
            f"{len(names.retired)} devices are not in service in NetBox (offline, planned, decommissioning or "
            f"inventory) and were not read: {listed}",
        )


def _chassis(snapshot: Snapshot, chassis: int) -> Record:
    return next((c for c in snapshot.virtual_chassis if c["id"] == chassis), {})


def _circuits(snapshot: Snapshot, native: Native, names: Names) -> None:
    """The circuits that leave the estate: a link from the device cabled to their
    termination to the provider's network, an entry point."""
    by_circuit: dict[int, list[Record]] = {}
    for termination in snapshot.circuit_terminations:
        by_circuit.setdefault(ref(termination, "circuit") or -1, []).append(termination)
    providers: dict[str, str] = {}
    for termination in snapshot.circuit_terminations:
        peers = termination.get("link_peers") or []
        if termination.get("link_peers_type") != "dcim.interface" or not peers:
            continue
        others = [t for t in by_circuit.get(ref(termination, "circuit") or -1, []) if t["id"] != termination["id"]]
        if any(t.get("link_peers") for t in others):
            continue  # a circuit between two of the estate's ports: a cable like any other (_netbox_links)
        device = ref(peers[0], "device")
        end = _endpoint(snapshot, names, device)
        if end is None:
            continue
        circuit = termination.get("circuit") or {}
        provider = circuit.get("provider") or {}
        slug = str(provider.get("slug") or provider.get("name") or "provider")
        if slug not in providers:
            providers[slug] = eid = names.take(f"provider:{slug}")
            node = element(
                native, "network", eid, names.url("provider", provider["id"]) if "id" in provider else native.path
            )
            put_field(node, "kind", "external")
            put_field(node, "description", f"the network of NetBox provider {provider.get('name', slug)}")
        name = names.take(f"circuit:{circuit.get('cid', circuit['id'])}")
        words = f"NetBox circuit {circuit.get('cid')} to {peers[0].get('display')}"
        link(native, names.url("circuit", circuit["id"]), providers[slug], end, name, words)


def _endpoint(snapshot: Snapshot, names: Names, device: int | None) -> str | None:
    """The element a device's cables end at: itself, or its switch stack."""
    if device is None or names.kind_of_device(device) not in ("host", "network"):
        return None
    record = next((d for d in snapshot.devices if d["id"] == device), {})
    chassis = ref(record, "virtual_chassis")
    if names.kind_of_device(device) == "network" and chassis is not None:
        return names.of("virtual_chassis", chassis) or names.of("device", device)
    return names.of("device", device)
