"""Joining a physical layer (NetBox's document; here a native file) with the units of a
check by host: names matched exact, ignoring case, by short name, through `aliases:`;
what matched nothing or several said; only what the matched hosts stand on kept."""

from __future__ import annotations

import pytest

from spoflint import engine, load
from spoflint.importers._join import match, short
from spoflint.importers.assemble import read_units
from tests.helpers import REPO, write

JOIN = REPO / "fixtures" / "import" / "join"
OSA = JOIN / "openstack_user_config.yml"
ALIASES = JOIN / "aliases.yaml"


def physical(path=JOIN / "physical.yaml"):
    return load.load_file(path, str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path))


def only_unit(*paths, layer=None):
    units = read_units(list(paths), physical=layer if layer is not None else physical())
    assert [u.error for u in units] == [None]
    return units[0]


def notes(topology, key):
    return [n.message for n in topology.notes if n.key == key]


def test_names_match_exact_then_ignoring_case_then_by_short_name():
    found = match(
        ["ctl-1", "ctl-2", "ctl-3", "web"], ["ctl-1", "CTL-2", "ctl-3.dc1.example.com", "ctl-1.dc1", "db"], {}
    )
    assert found.matched == {"ctl-1": "ctl-1", "ctl-2": "CTL-2", "ctl-3": "ctl-3.dc1.example.com"}
    assert found.unmatched == ["web"]
    assert found.ambiguous == {}


def test_a_short_name_two_hosts_share_is_ambiguous_and_an_alias_settles_it():
    hosts = ["compute1.dc1", "compute1.dc2"]
    assert match(["compute1"], hosts, {}).ambiguous == {"compute1": ["compute1.dc1", "compute1.dc2"]}
    assert match(["compute1"], hosts, {"compute1": "compute1.dc2"}).matched == {"compute1": "compute1.dc2"}


def test_two_unit_hosts_finding_one_physical_host_are_both_ambiguous_unless_one_is_exact():
    assert match(["node1", "NODE1"], ["Node1.lab"], {}).ambiguous == {"node1": ["Node1.lab"], "NODE1": ["Node1.lab"]}
    assert match(["node1", "node1.lab"], ["node1.lab"], {}).matched == {"node1.lab": "node1.lab"}


def test_an_alias_wins_over_a_name_and_an_alias_to_nothing_is_said():
    found = match(["a", "b"], ["a", "z"], {"a": "z", "b": "nowhere"})
    assert found.matched == {"a": "z"}
    assert found.ambiguous == {"b": []}


def test_ip_addresses_have_no_short_name():
    assert short("10.0.0.1") == "10.0.0.1" and short("fe80::1") == "fe80::1"
    assert match(["10.0.0.1"], ["10.0.0.2", "10.1.1.1"], {}).unmatched == ["10.0.0.1"]


def test_the_inventory_hosts_stand_in_their_physical_racks_under_their_own_names():
    t = only_unit(OSA, ALIASES).topology
    for name in ("infra1", "infra2", "infra3"):  # FQDN, other case, alias
        host = t.hosts[name]
        assert (host.rack, host.power, host.fencing) == ("r1", ("pdu-r1",), "ipmi")
        assert host.links == (f"{name}--tor-1", f"{name}--tor-2")
        assert t.where[name].path.endswith("openstack_user_config.yml")  # findings point at the inventory
    assert t.hosts["compute2"].rack == "r2"
    assert "INFRA1.dc1.example.com" not in t.hosts and "db-node-3" not in t.hosts


def test_only_what_the_matched_hosts_stand_on_is_kept():
    t = only_unit(OSA, ALIASES).topology
    assert set(t.zones) == {"dc1"}
    assert set(t.racks) == {"r1", "r2"}
    assert set(t.power) == {"feed-a", "feed-b", "pdu-r1", "pdu-r2a", "pdu-r2b"}
    assert set(t.network) == {"internet", "edge-1", "edge-2", "tor-1", "tor-2"}
    assert set(t.hosts) == {"infra1", "infra2", "infra3", "compute1", "compute2", "log1"}
    assert not {lk for lk in t.links if "dc2" in lk}


def test_hosts_that_matched_nothing_or_several_are_notes_naming_them():
    t = only_unit(OSA, ALIASES).topology
    assert notes(t, "unmatched") == [
        "1 host matches no host of dc1 (as kept in NetBox): log1; its rack, power and cabling were not "
        "joined (name it in `aliases:` of a native file)"
    ]
    assert notes(t, "ambiguous") == [
        "1 host matches no single host of dc1 (as kept in NetBox): compute1 (compute1.dc1 or compute1.dc2); "
        "not joined (say which in `aliases:` of a native file)"
    ]
    without = only_unit(OSA).topology  # no alias: infra3 is not found either
    assert "infra3" in notes(without, "unmatched")[0] and without.hosts["infra3"].rack is None


def test_a_pdu_all_galera_hosts_share_is_found_through_the_join():
    findings = engine.lint([OSA, ALIASES], physical=physical())
    pdu = next(f for f in findings if f.rule == "SPOF001" and f.subject == "pdu-r1")
    assert pdu.path == "fixtures/import/join/physical.yaml" and pdu.line == 13
    assert "infra1, infra2 and infra3 are all powered only by pdu-r1" in pdu.message
    assert "galera" in pdu.message
    unmatched = [f for f in findings if f.rule == "MODEL001" and "matches no host" in f.message]
    assert [(f.subject, f.path) for f in unmatched] == [("log1", "fixtures/import/join/openstack_user_config.yml")]
    # nothing of the other site is reported
    assert not [f for f in findings if "dc2" in f.subject or f.subject in ("r9", "pdu-dc2", "feed-dc2")]
    # without the physical layer the PDU is not there to find
    assert not [f for f in engine.lint([OSA, ALIASES]) if f.subject == "pdu-r1"]


def test_what_a_native_overlay_says_of_a_host_wins_over_the_physical_layer(tmp_path):
    site = write(
        tmp_path / "site.yaml",
        """\
version: 1
aliases: {infra3: db-node-3}
power:
  pdu-x: {kind: pdu, from: [feed-a]}
hosts:
  infra1: {power: [pdu-x, pdu-r1]}
""",
    )
    t = only_unit(OSA, site).topology
    assert t.hosts["infra1"].power == ("pdu-x", "pdu-r1") and t.hosts["infra1"].rack == "r1"
    assert t.hosts["infra2"].power == ("pdu-r1",)


def test_a_host_cabled_by_the_unit_keeps_only_its_own_cabling(tmp_path):
    site = write(
        tmp_path / "site.yaml",
        "version: 1\naliases: {infra3: db-node-3}\nhosts:\n  infra1: {nics: [tor-1]}\n",
    )
    t = only_unit(OSA, site).topology
    assert t.hosts["infra1"].links == ("infra1--tor-1",)
    assert t.hosts["infra2"].links == ("infra2--tor-1", "infra2--tor-2")


def test_a_compose_host_joins_through_an_alias(tmp_path):
    compose = REPO / "fixtures" / "import" / "compose" / "blog.compose.yaml"
    aliases = write(tmp_path / "aliases.yaml", "version: 1\naliases: {blog-host: compute2.dc1.example.com}\n")
    t = only_unit(compose, aliases).topology
    host = t.hosts["blog-host"]
    assert (host.rack, host.power) == ("r2", ("pdu-r2a", "pdu-r2b"))
    assert "blog-host" not in t.assumed  # a real machine now
    assert set(t.racks) == {"r2"}


def test_every_unit_is_joined_on_its_own(tmp_path):
    compose = REPO / "fixtures" / "import" / "compose" / "blog.compose.yaml"
    units = read_units([OSA, compose], physical=physical())
    assert len(units) == 2 and all(u.topology is not None for u in units)
    osa, blog = sorted(units, key=lambda u: u.files[0].endswith("blog.compose.yaml"))
    assert osa.topology.hosts["infra1"].rack == "r1"
    assert "fixtures/import/join/physical.yaml" in osa.files
    assert notes(blog.topology, "unmatched") and "blog-host" in notes(blog.topology, "unmatched")[0]
    assert not blog.topology.racks  # nothing of the estate matched: nothing of it is reported


def test_the_physical_layer_alone_is_the_one_unit_without_paths():
    (unit,) = read_units([], physical=physical())
    assert {"other-1.dc2", "INFRA1.dc1.example.com"} <= set(unit.topology.hosts)
    assert set(unit.topology.zones) == {"dc1", "dc2"}


@pytest.mark.parametrize("bad", ["aliases: [a, b]", "aliases: {a: [b]}"])
def test_aliases_are_a_map_of_names(tmp_path, bad):
    site = write(tmp_path / "site.yaml", f"version: 1\n{bad}\n")
    result = read_units([OSA, site], physical=physical())
    assert any(u.error is not None and u.error.path.endswith("site.yaml") for u in result)


def test_a_broken_physical_layer_is_an_error_in_it(tmp_path):
    bad = write(tmp_path / "physical.yaml", "version: 1\nhosts:\n  infra1: {rakc: r1}\n")
    units = read_units([OSA], physical=physical(bad))
    assert [(u.error.path, u.error.line) for u in units if u.error] == [(str(bad), 3)]
