"""The NetBox reader's power chain, against the real server: each scenario's panels,
feeds, PDUs and power cables created through the API in a site of its own, read back
with the reader and checked with `spoflint check`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spoflint.importers import to_yaml
from tests.helpers import findings, write


class Estate:
    """One scenario's objects, in a new site of the server (the demo data untouched)."""

    def __init__(self, server: Any):
        self.server = server
        self.slug = server.unique("spof").lower()
        self.site = server.create("dcim/sites/", name=self.slug, slug=self.slug)["id"]
        maker = server.create("dcim/manufacturers/", name=self.slug, slug=self.slug)["id"]
        self.type = server.create("dcim/device-types/", manufacturer=maker, model=self.slug, slug=self.slug)["id"]
        self.roles: dict[str, int] = {}

    def role(self, slug: str) -> int:
        """A role of the demo data (read, never changed)."""
        if slug not in self.roles:
            self.roles[slug] = self.server.api("GET", f"dcim/device-roles/?slug={slug}")["results"][0]["id"]
        return self.roles[slug]

    def name(self, stem: str) -> str:
        return f"{stem}-{self.slug}"

    def rack(self, stem: str) -> int:
        return self.server.create("dcim/racks/", site=self.site, name=self.name(stem))["id"]

    def device(self, stem: str, role: str, rack: int | None = None, **more: Any) -> int:
        fields = {"name": self.name(stem), "device_type": self.type, "role": self.role(role), "site": self.site}
        return self.server.create("dcim/devices/", **fields, **({"rack": rack} if rack else {}), **more)["id"]

    def port(self, device: int, name: str) -> int:
        return self.server.create("dcim/power-ports/", device=device, name=name)["id"]

    def outlet(self, device: int, name: str, inlet: int | None = None) -> int:
        return self.server.create("dcim/power-outlets/", device=device, name=name, power_port=inlet)["id"]

    def panel(self, stem: str) -> int:
        return self.server.create("dcim/power-panels/", site=self.site, name=self.name(stem))["id"]

    def feed(self, panel: int, stem: str, rack: int | None = None, **more: Any) -> int:
        fields = {"power_panel": panel, "name": self.name(stem), **({"rack": rack} if rack else {})}
        return self.server.create("dcim/power-feeds/", **fields, **more)["id"]

    def cable(self, a: tuple[str, int], b: tuple[str, int], **more: Any) -> int:
        ends = {
            "a_terminations": [{"object_type": a[0], "object_id": a[1]}],
            "b_terminations": [{"object_type": b[0], "object_id": b[1]}],
        }
        return self.server.create("dcim/cables/", **ends, **more)["id"]

    def read(self) -> Any:
        """The reader's native document of this site alone."""
        from spoflint.importers import netbox

        return netbox.read(netbox.Settings(url=self.server.url, token=self.server.token, sites=(self.slug,)))

    def cli(self, tmp_path: Path, monkeypatch: Any) -> list[dict]:
        """The findings of `spoflint check --netbox URL`, the config scoping it to this site."""
        write(tmp_path / ".spoflint.yaml", f"netbox:\n  sites: [{self.slug}]\n")
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("NETBOX_TOKEN", self.server.token)
        return findings("--netbox", self.server.url)

    def checked(self, tmp_path: Path, services: str = "") -> tuple[Any, list[dict]]:
        """The document, and the findings of `spoflint check` on its native snapshot
        (with `services`, YAML lines of a `services:` section, appended)."""
        document = self.read()
        text = to_yaml([document]) + (f"services:\n{services}" if services else "")
        return document, findings(str(write(tmp_path / "site.yaml", text)))


def powered(estate: Estate, device: int, outlets: list[int]) -> None:
    """A device's power ports PSU1, PSU2, ... each cabled to one of `outlets`."""
    for number, outlet in enumerate(outlets, 1):
        port = estate.port(device, f"PSU{number}")
        estate.cable(("dcim.powerport", port), ("dcim.poweroutlet", outlet))


def pdu(estate: Estate, stem: str, rack: int, feed: int, outlets: int = 4) -> tuple[int, list[int]]:
    """A PDU in `rack` whose inlet is cabled to `feed`: (its id, its outlets)."""
    device = estate.device(stem, "pdu", rack)
    inlet = estate.port(device, "Input")
    estate.cable(("dcim.powerfeed", feed), ("dcim.powerport", inlet))
    return device, [estate.outlet(device, f"Outlet {n}", inlet) for n in range(1, outlets + 1)]


def galera(hosts: list[str]) -> str:
    """A `services:` line: galera on `hosts`, behind a VIP (no host is its only door)."""
    return f"  galera: {{kind: mariadb-galera, vip: keepalived, hosts: [{', '.join(hosts)}]}}\n"


def by_rule(found: list[dict], rule: str) -> dict[str, dict]:
    return {f["subject"]: f for f in found if f["rule"] == rule}


def ids(names: list[str], estate: Estate) -> list[str]:
    return [estate.name(n) for n in names]


@pytest.mark.slow
def test_one_pdu_under_a_rack_of_controllers_is_their_single_point_of_failure(netbox_server, tmp_path):
    estate = Estate(netbox_server)
    rack = estate.rack("r1")
    panel = estate.panel("panel")
    feed = estate.feed(panel, "feed-a", rack, type="primary")
    _, outlets = pdu(estate, "pdu-1", rack, feed, outlets=6)
    controllers = [estate.device(f"ctl-{n}", "database-server", rack) for n in (1, 2, 3)]
    for number, device in enumerate(controllers):
        powered(estate, device, outlets[2 * number : 2 * number + 2])  # two PSUs, one PDU
    ctl, the_pdu = ids(["ctl-1", "ctl-2", "ctl-3"], estate), estate.name("pdu-1")
    document, found = estate.checked(tmp_path, galera(ctl))

    power = document["power"]
    assert power[the_pdu]["kind"] == "pdu"
    (the_feed,) = power[the_pdu]["from"]
    assert power[the_feed]["kind"] == "feed" and power[the_feed]["x-netbox-type"] == "primary"
    (the_panel,) = power[the_feed]["from"]
    assert power[the_panel]["kind"] == "feed" and "from" not in power[the_panel]
    for host in ctl:
        assert list(document["hosts"][host]["power"]) == [the_pdu]  # both PSUs: one PDU
    rack_id = next(iter(document["racks"]))
    assert list(document["racks"][rack_id]["power"]) == [the_feed]

    single_input = by_rule(found, "PWR001")
    assert set(ctl) <= set(single_input)
    assert all(the_pdu in single_input[h]["message"] for h in ctl)
    # the PDU takes galera down, and so does everything upstream of it, each saying why
    spof = by_rule(found, "SPOF001")
    assert {the_panel, the_feed, the_pdu} <= set(spof)
    assert f"{', '.join(ctl[:2])} and {ctl[2]} are all powered only by {the_pdu}" in spof[the_pdu]["message"]
    assert f"{the_pdu} -> {ctl[0]} -> galera" in spof[the_pdu]["message"]
    assert f"which is fed only by {the_feed}" in spof[the_feed]["message"]


@pytest.mark.slow
def test_two_pdus_on_two_feeds_of_one_panel_share_the_panel_as_their_root(netbox_server, tmp_path):
    estate = Estate(netbox_server)
    rack = estate.rack("r1")
    panel = estate.panel("panel")
    feed_a = estate.feed(panel, "feed-a", rack, type="primary")
    feed_b = estate.feed(panel, "feed-b", rack, type="redundant")
    _, outlets_a = pdu(estate, "pdu-a", rack, feed_a)
    _, outlets_b = pdu(estate, "pdu-b", rack, feed_b)
    controllers = [estate.device(f"ctl-{n}", "database-server", rack) for n in (1, 2, 3)]
    for number, device in enumerate(controllers):
        powered(estate, device, [outlets_a[number], outlets_b[number]])
    ctl = ids(["ctl-1", "ctl-2", "ctl-3"], estate)
    document, found = estate.checked(tmp_path, galera(ctl))

    power = document["power"]
    pdu_a, pdu_b = ids(["pdu-a", "pdu-b"], estate)
    for host in ctl:
        assert list(document["hosts"][host]["power"]) == [pdu_a, pdu_b]
    (a_feed,), (b_feed,) = power[pdu_a]["from"], power[pdu_b]["from"]
    assert a_feed != b_feed
    assert (power[a_feed]["x-netbox-type"], power[b_feed]["x-netbox-type"]) == ("primary", "redundant")
    assert list(power[a_feed]["from"]) == list(power[b_feed]["from"])  # one panel, the shared root
    the_panel = power[a_feed]["from"][0]

    converging = by_rule(found, "PWR001")  # two PDUs, two feeds, and still one panel
    assert set(converging) == set(ctl)
    assert all(f"converge on {the_panel}" in converging[h]["message"] for h in ctl)
    spof = by_rule(found, "SPOF001")
    assert the_panel in spof and not {pdu_a, pdu_b, a_feed, b_feed} & set(spof)
    assert f"{a_feed} and {b_feed} are both fed only by {the_panel}" in spof[the_panel]["message"]
    assert "galera" in spof[the_panel]["message"]


@pytest.mark.slow
def test_outlets_of_a_pdu_follow_the_inlet_that_feeds_them(netbox_server, tmp_path):
    """A PDU with two inlets on feeds of two panels: a server on two outlets of one
    inlet has one input; one on an outlet of each has two independent ones."""
    estate = Estate(netbox_server)
    rack = estate.rack("r1")
    feeds = [estate.feed(estate.panel(f"panel-{side}"), f"feed-{side}", rack) for side in "ab"]
    device = estate.device("pdu-1", "pdu", rack)
    inlets = [estate.port(device, f"Input {side}") for side in "AB"]
    for feed, inlet in zip(feeds, inlets, strict=True):
        estate.cable(("dcim.powerfeed", feed), ("dcim.powerport", inlet))
    outlets = [estate.outlet(device, f"Outlet {n}", inlets[0 if n <= 3 else 1]) for n in range(1, 7)]
    one_side = estate.device("srv-1", "database-server", rack)
    both_sides = estate.device("srv-2", "database-server", rack)
    powered(estate, one_side, [outlets[0], outlets[1]])  # both on inlet A
    powered(estate, both_sides, [outlets[2], outlets[3]])  # A and B
    document, found = estate.checked(tmp_path)

    the_pdu = estate.name("pdu-1")
    inlet_a, inlet_b = f"{the_pdu}/Input-A", f"{the_pdu}/Input-B"
    power = document["power"]
    assert the_pdu not in power  # the PDU is its two inlets
    assert power[inlet_a]["kind"] == power[inlet_b]["kind"] == "pdu"
    assert power[inlet_a]["from"] != power[inlet_b]["from"]
    assert list(document["hosts"][estate.name("srv-1")]["power"]) == [inlet_a]
    assert list(document["hosts"][estate.name("srv-2")]["power"]) == [inlet_a, inlet_b]
    single = by_rule(found, "PWR001")
    assert estate.name("srv-1") in single and estate.name("srv-2") not in single


@pytest.mark.slow
def test_what_cannot_be_followed_is_one_note_per_kind(netbox_server, tmp_path, monkeypatch):
    estate = Estate(netbox_server)
    rack = estate.rack("r1")
    panel = estate.panel("panel")
    live = estate.feed(panel, "feed-a", rack)
    estate.feed(panel, "feed-planned", rack, status="planned")
    _, outlets = pdu(estate, "pdu-1", rack, live)
    server = estate.device("srv-1", "database-server", rack)
    powered(estate, server, [outlets[0]])
    estate.port(server, "PSU2")  # cabled to nothing
    loose = estate.device("srv-2", "database-server", rack)
    estate.port(loose, "PSU1")
    document, found = estate.checked(tmp_path)

    assert list(document["hosts"][estate.name("srv-1")]["power"]) == [estate.name("pdu-1")]
    assert "power" not in document["hosts"][estate.name("srv-2")]  # its rack's power, said
    racks = document["racks"]
    assert [list(r.get("power", [])) for r in racks.values()] == [[document["power"][estate.name("pdu-1")]["from"][0]]]
    notes = [note.message for note in document.notes]
    uncabled = [m for m in notes if "cabled to nothing" in m and "power ports" in m]
    assert len(uncabled) == 1
    assert f"{estate.name('srv-1')} PSU2" in uncabled[0] and f"{estate.name('srv-2')} PSU1" in uncabled[0]
    planned = [m for m in notes if "not active" in m]
    assert len(planned) == 1 and estate.name("feed-planned") in planned[0]

    found = estate.cli(tmp_path, monkeypatch)  # the same through the command line
    said = [f["message"] for f in found if f["rule"] == "MODEL001"]
    assert sum(1 for m in said if m == uncabled[0]) == 1 and planned[0] in said
    assert "one power input" in by_rule(found, "PWR001")[estate.name("srv-1")]["message"]
