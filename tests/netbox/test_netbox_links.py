"""The NetBox reader's cabling, against the real server: cable paths through patch
panels, LAGs, switch stacks, and the walk held to NetBox's own trace on the demo data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.netbox.test_netbox_power import Estate, by_rule


def interface(estate: Estate, device: int, name: str, **more: Any) -> int:
    return estate.server.create("dcim/interfaces/", device=device, name=name, **{"type": "1000base-t", **more})["id"]


def patch_panel(estate: Estate, stem: str, positions: int) -> tuple[int, list[int]]:
    """A patch panel: its rear port (of `positions`) and a front port per position."""
    device = estate.device(stem, "patch-panel")
    rear = estate.server.create("dcim/rear-ports/", device=device, name="Rear", type="8p8c", positions=positions)["id"]
    fronts = [
        estate.server.create(
            "dcim/front-ports/",
            device=device,
            name=f"Port {n}",
            type="8p8c",
            rear_ports=[{"position": 1, "rear_port": rear, "rear_port_position": n}],
        )["id"]
        for n in range(1, positions + 1)
    ]
    return rear, fronts


def links_of(document: Any) -> dict[str, tuple[list[str], str]]:
    """The document's links: name -> (its ends, its description)."""
    return {link["name"]: (list(link["between"]), link.get("description", "")) for link in document.get("links", [])}


IF, FRONT, REAR = "dcim.interface", "dcim.frontport", "dcim.rearport"


@pytest.mark.slow
def test_a_cable_path_through_two_patch_panels_is_one_link_position_by_position(netbox_server, tmp_path):
    """host -> front -> rear == rear -> front -> switch, two hosts on two positions of
    one trunk: each lands on its own switch port, and the panels are no elements."""
    estate = Estate(netbox_server)
    switch = estate.device("sw-1", "tor-switch")
    hosts = [estate.device(f"app-{n}", "application-server") for n in (1, 2)]
    near_rear, near_fronts = patch_panel(estate, "pp-a", 2)
    far_rear, far_fronts = patch_panel(estate, "pp-b", 2)
    estate.cable((REAR, near_rear), (REAR, far_rear))
    nics, ports = [], []
    for n, host in enumerate(hosts):
        nics.append(interface(estate, host, "eth0"))
        ports.append(interface(estate, switch, f"ge-0/0/{n + 1}"))
        estate.cable((IF, nics[-1]), (FRONT, near_fronts[n]))
        estate.cable((FRONT, far_fronts[1 - n]), (IF, ports[-1]))  # crossed on the far side
    document, found = estate.checked(tmp_path)

    sw, app_1, app_2 = (estate.name(n) for n in ("sw-1", "app-1", "app-2"))
    links = links_of(document)
    assert set(links) == {f"{app_1}--{sw}", f"{app_2}--{sw}"}
    # position 1 of the trunk is pp-b's Port 1, cabled to the second switch port
    assert f"{app_1} eth0 -- {sw} ge-0/0/2" in links[f"{app_1}--{sw}"][1]
    assert f"{app_2} eth0 -- {sw} ge-0/0/1" in links[f"{app_2}--{sw}"][1]
    assert f"through {estate.name('pp-a')}, {estate.name('pp-b')}" in links[f"{app_1}--{sw}"][1]
    assert not {estate.name("pp-a"), estate.name("pp-b")} & {*document.get("network", {}), *document["hosts"]}
    trace = netbox_server.api("GET", f"dcim/interfaces/{nics[0]}/")["connected_endpoints"]
    assert [end["id"] for end in trace] == [ports[1]]  # NetBox's own trace agrees
    assert {app_1, app_2} <= set(by_rule(found, "NET001"))


@pytest.mark.slow
def test_the_members_of_a_lag_are_separate_links_of_one_bond(netbox_server, tmp_path):
    estate = Estate(netbox_server)
    switch = estate.device("sw-1", "tor-switch")
    host = estate.device("db-1", "database-server")
    bond = interface(estate, host, "bond0", type="lag")
    for n in (0, 1):
        member = interface(estate, host, f"eth{n}", lag=bond)
        estate.cable((IF, member), (IF, interface(estate, switch, f"ge-0/0/{n}")))
    document, found = estate.checked(tmp_path)

    sw, db = estate.name("sw-1"), estate.name("db-1")
    links = links_of(document)
    assert set(links) == {f"{db}:eth0--{sw}:ge-0/0/0", f"{db}:eth1--{sw}:ge-0/0/1"}
    assert all(ends == [db, sw] and "member of LAG bond0" in words for ends, words in links.values())
    homed = by_rule(found, "NET001")
    assert f"cabled to one network node, {sw} (2 links)" in homed[db]["message"]
    assert not set(links) & {f["subject"] for f in found}  # one cable failing cuts nothing


@pytest.mark.slow
def test_a_switch_stack_is_one_network_node_that_names_its_members(netbox_server, tmp_path):
    estate = Estate(netbox_server)
    stack = netbox_server.create("dcim/virtual-chassis/", name=estate.name("stack"))["id"]
    members = [estate.device(f"sw-{n}", "tor-switch", virtual_chassis=stack, vc_position=n) for n in (1, 2)]
    netbox_server.api("PATCH", f"dcim/virtual-chassis/{stack}/", {"master": members[0]})
    host = estate.device("db-1", "database-server")
    for n, member in enumerate(members):
        estate.cable((IF, interface(estate, host, f"eth{n}")), (IF, interface(estate, member, "ge-0/0/1")))
    estate.cable((IF, interface(estate, members[0], "vcp-0")), (IF, interface(estate, members[1], "vcp-0")))
    document, found = estate.checked(tmp_path)

    the_stack, db = estate.name("stack"), estate.name("db-1")
    network = document["network"]
    assert estate.name("sw-1") not in network and estate.name("sw-2") not in network
    words = network[the_stack]["description"]
    assert estate.name("sw-1") in words and estate.name("sw-2") in words
    assert "one failure domain with a shared control plane" in words
    links = links_of(document)
    assert len(links) == 2 and all(ends == [db, the_stack] for ends, _ in links.values())  # the stacking cable: none
    said = by_rule(found, "NET001")[db]["message"]
    assert f"cabled to one network node, {the_stack} (a switch stack of " in said
    assert ": one control plane, one failure domain) (2 links)" in said  # the finding says it is a stack


@pytest.mark.slow
def test_paths_that_cannot_be_followed_are_said_once_per_kind(netbox_server, tmp_path):
    estate = Estate(netbox_server)
    switch = estate.device("sw-1", "tor-switch")
    host = estate.device("app-1", "application-server")
    _, fronts = patch_panel(estate, "pp-a", 2)  # its rear port is cabled to nothing
    estate.cable((IF, interface(estate, host, "eth0")), (FRONT, fronts[0]))
    estate.cable((IF, interface(estate, host, "eth1")), (FRONT, fronts[1]))
    estate.cable((IF, interface(estate, host, "ipmi", mgmt_only=True)), (IF, interface(estate, switch, "ge-0/0/9")))
    down = interface(estate, switch, "ge-0/0/2", enabled=False)
    estate.cable((IF, interface(estate, host, "eth2")), (IF, down))
    document, _ = estate.checked(tmp_path)

    assert not document.get("links")
    notes = [note.message for note in document.notes]
    open_ends = [m for m in notes if "patch panel port cabled to nothing" in m]
    assert len(open_ends) == 1 and open_ends[0].startswith("2 cable paths")
    assert any("management-only" in m and f"{estate.name('app-1')} ipmi" in m for m in notes)
    assert any("disabled" in m and f"{estate.name('sw-1')} ge-0/0/2" in m for m in notes)


@pytest.mark.slow
def test_the_walk_over_the_snapshot_ends_where_netbox_traces_every_cable(netbox_server):
    """Every cabled interface of the server (the demo data's campus fibre through
    splices and circuits included): the far ends found equal NetBox's trace."""
    from spoflint.importers._netbox_client import fetch
    from spoflint.importers._netbox_links import Cabling
    from spoflint.importers._netbox_names import Names
    from tests.netbox.test_netbox_reader import DEMO_SITES

    # the demo's sites only: other tests add cables of their own meanwhile (under -n 2)
    snapshot = fetch(netbox_server.url, netbox_server.token, sites=DEMO_SITES)
    cabling = Cabling(snapshot, Names(snapshot))
    scope = "".join(f"&site={site}" for site in DEMO_SITES)
    traced, page = (
        {},
        f"dcim/interfaces/?cabled=true&limit=1000{scope}&fields=id,connected_endpoints,connected_endpoints_type",
    )
    while page:
        answer = netbox_server.api("GET", page)
        for record in answer["results"]:
            ends = record.get("connected_endpoints") or []
            traced[record["id"]] = sorted(e["id"] for e in ends) if record.get("connected_endpoints_type") == IF else []
        page = answer["next"].split("/api/", 1)[1] if answer["next"] else ""
    mine = {r["id"]: sorted(end for end, _ in cabling.far_ends(r)) for r in snapshot.interfaces if r.get("cable")}
    assert mine == traced
    assert len(mine) >= 100 and sum(1 for ends in mine.values() if ends) >= 60
