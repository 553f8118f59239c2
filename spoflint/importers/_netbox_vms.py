"""The NetBox reader's virtual machines, the users of sites with access switches, and
what NetBox cannot hold (docs/importers.md, "NetBox")."""

from __future__ import annotations

from collections import Counter

from ._native import Native, mapping, put, sequence
from ._netbox_client import Record, Snapshot
from ._netbox_names import Names, element, field, link, placed, ref, some

RETIRED_VMS = frozenset({"offline", "planned", "decommissioning"})


def virtual_machines(snapshot: Snapshot, native: Native, names: Names) -> None:
    """Each VM a host (`kind: vm`) where its hypervisor is: the device it is pinned to,
    else wherever every member of its cluster is (worst case: any of them runs it)."""
    devices = {d["id"]: d for d in snapshot.devices}
    members: dict[int, list[Record]] = {}
    for device in snapshot.devices:
        cluster = ref(device, "cluster")
        if cluster is not None and names.kind_of_device(device["id"]) == "host":
            members.setdefault(cluster, []).append(device)
    clusters = {c["id"]: c for c in snapshot.clusters}
    unplaced: dict[str, int] = {}
    for vm in snapshot.virtual_machines:
        if (vm.get("status") or {}).get("value") in RETIRED_VMS or names.of("vm", vm["id"]) is None:
            continue
        node = names.at(native, "hosts", "vm", vm["id"])
        field(node, "kind", "vm")
        cluster = ref(vm, "cluster")
        cluster_name = str((clusters.get(cluster or -1) or {}).get("name") or cluster)
        pinned = devices.get(ref(vm, "device") or -1)
        if pinned is not None and names.of("device", pinned["id"]):
            placed(node, pinned, names)
            field(node, "description", f"NetBox virtual machine on {names.of('device', pinned['id'])}")
            _inherit(native, names, str(names.of("vm", vm["id"])), [str(names.of("device", pinned["id"]))])
            continue
        hypervisors = members.get(cluster or -1, [])
        if hypervisors:
            shared = _shared(hypervisors)
            placed(node, shared, names)
            listed = some([str(names.of("device", d["id"])) for d in hypervisors])
            field(node, "description", f"NetBox virtual machine of cluster {cluster_name}: may run on any of {listed}")
            _inherit(
                native, names, str(names.of("vm", vm["id"])), [str(names.of("device", d["id"])) for d in hypervisors]
            )
            continue
        del native.section("hosts")[str(names.of("vm", vm["id"]))]  # NetBox says nothing of where it runs
        unplaced[cluster_name] = unplaced.get(cluster_name, 0) + 1
    if unplaced:
        count = sum(unplaced.values())
        native.note(
            (1, 1),
            "netbox-vms-unplaced",
            f"{count} virtual machines run on clusters with no device in NetBox ({some(sorted(unplaced))}): where they "
            "run is not known, so they were left out (give the clusters their devices)",
        )


def _inherit(native: Native, names: Names, vm: str, hypervisors: list[str]) -> None:
    """A VM's power and cabling are its hypervisor's: the power inputs and the network
    nodes it is cabled to that every hypervisor it may run on has (all of them, for one;
    the worst case of several is exact only where they agree, so only then)."""
    hosts = native.root.get("hosts") or {}
    powers = [frozenset(hosts.get(h, {}).get("power") or ()) for h in hypervisors]
    if powers and powers[0] and all(p == powers[0] for p in powers):
        node = hosts[vm]
        field(node, "power", sequence(node.path, [(p, (1, 1)) for p in hosts[hypervisors[0]]["power"]], (1, 1)))
    ends: dict[str, Counter[str]] = {h: Counter() for h in hypervisors}  # a LAG: its cables, each a link
    for item in native.root.get("links") or ():
        pair = list(item["between"]) if isinstance(item, dict) else list(item)
        for here, there in (pair, pair[::-1]):
            if here in ends:
                ends[here][there] += 1
    first = ends[hypervisors[0]] if hypervisors else Counter()
    common = first if all(ends[h] == first for h in hypervisors) else Counter()
    for far, cables in sorted(common.items()):
        for _ in range(cables):
            _link(native, names, vm, far, hosts[vm].path, accept=False)


def _shared(hypervisors: list[Record]) -> Record:
    """The rack and site every hypervisor of a cluster shares (the worst case of a VM
    that may run on any of them is exactly that when they share it; else nothing)."""
    racks = {ref(d, "rack") for d in hypervisors}
    sites = {ref(d, "site") for d in hypervisors}
    shared: Record = {}
    if len(racks) == 1 and None not in racks:
        shared["rack"] = hypervisors[0]["rack"]
    if len(sites) == 1 and None not in sites:
        shared["site"] = hypervisors[0]["site"]
    return shared


def access(snapshot: Snapshot, native: Native, names: Names) -> None:
    """A site with access switches and no host of its own (a branch office): the people
    there are what it serves. An assumed host, its users, cabled to those switches, and
    a user-facing service `access@<site>` on it: what the site's access depends on
    (router, switch, PDU, circuit) is then what a failure takes down."""
    hosts = native.root.get("hosts") or {}
    racks = native.root.get("racks") or {}
    with_hosts = {racks.get(h.get("rack"), {}).get("zone") or h.get("zone") for h in hosts.values()}
    switches: dict[int, list[str]] = {}
    for device in snapshot.devices:
        role = str((device.get("role") or {}).get("slug") or "")
        if names.kind_of_device(device["id"]) != "network" or "access" not in role:
            continue
        chassis = ref(device, "virtual_chassis")
        eid = (names.of("virtual_chassis", chassis) if chassis is not None else None) or names.of(
            "device", device["id"]
        )
        where = ref(device, "site")
        if eid and where is not None and eid not in switches.setdefault(where, []):
            switches[where].append(eid)
    for site in snapshot.sites:
        zone = names.of("site", site["id"])
        if not zone or zone in with_hosts or not switches.get(site["id"]):
            continue
        users = names.take(f"users@{zone}")
        node = names.at(native, "zones", "site", site["id"])  # the site's page
        host = element(native, "hosts", users, node.path)
        field(host, "zone", zone)
        field(host, "kind", "users")
        field(host, "assumed", f"the people and desks of NetBox site {site.get('name')}, on its access switches")
        field(host, "accept", _accepting(host.path, ("SPOF001", "NET001", "MODEL001")))
        for switch in switches[site["id"]]:
            _link(native, names, users, switch, host.path)
        service = element(native, "services", names.take(f"access@{zone}"), node.path)
        field(service, "state", "stateless")
        field(service, "hosts", sequence(service.path, [(users, (1, 1))], (1, 1)))
        field(service, "description", f"network access for the people of NetBox site {site.get('name')}")
        field(service, "accept", _accepting(service.path, ("SVC001",)))


# the users of a site stand for people, not a machine: their own failure is no finding
_PEOPLE = "stands for the people of a site (spoflint's NetBox reader): not a machine that fails"


def _accepting(path: str, rules: tuple[str, ...]):
    accept = mapping(path, (1, 1))
    for rule in rules:
        put(accept, rule, _PEOPLE, (1, 1))
    return accept


def _link(native: Native, names: Names, users: str, switch: str, path: str, accept: bool = True) -> None:
    """A link of an element no cable stands for: the users' link to an access switch
    (their many desk cables, which fail one at a time: accepted), a VM's to what its
    hypervisor is cabled to."""
    item = link(native, path, users, switch, names.take(f"{users}--{switch}"))
    if accept:
        put(item, "accept", _accepting(path, ("SPOF001", "SPOF004")), (1, 1))


def not_in_netbox(snapshot: Snapshot, native: Native, names: Names) -> None:
    """NetBox holds no UPS, generator or cooling: one note, on the first power panel
    (answered by an overlay that gives it a `from`), never an assumption of redundancy."""
    panel = next((names.of("power_panel", p["id"]) for p in snapshot.power_panels), None)
    if panel is None and not native.root.get("racks"):
        return
    native.note(
        (1, 1),
        "netbox-not-held",
        "NetBox holds no UPS, generator or cooling: what feeds the power panels and what cools the racks is not "
        "read, and not assumed redundant; describe them in a native overlay (`from:` on each power panel, "
        "`cooling:` on each rack)",
        subject=panel,
        unless="from" if panel else None,
    )
