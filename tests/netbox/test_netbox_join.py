"""An OpenStack-Ansible deployment joined with the real NetBox by host (issue 13's
end-to-end scenario): its three infrastructure hosts are NetBox devices under other names
(an upper-case FQDN, a short name's FQDN, an alias), on one PDU of their rack; `spoflint
check openstack_user_config.yml --netbox URL` finds that PDU taking Galera down, the
findings on the hosts pointing into the inventory."""

from __future__ import annotations

import pytest

from tests.helpers import findings, write
from tests.netbox.test_netbox_power import Estate, pdu, powered

INVENTORY = """\
---
cidr_networks:
  management: 172.29.236.0/22
used_ips:
  - "172.29.236.1,172.29.236.50"
global_overrides:
  internal_lb_vip_address: 172.29.236.9
  external_lb_vip_address: 203.0.113.9
  management_bridge: "br-mgmt"
shared-infra_hosts: &infra
  infra1:
    ip: 172.29.236.11
  infra2:
    ip: 172.29.236.12
  infra3:
    ip: 172.29.236.13
repo-infra_hosts: *infra
os-infra_hosts: *infra
identity_hosts: *infra
haproxy_hosts: *infra
log_hosts:
  log1:
    ip: 172.29.236.31
"""


@pytest.mark.slow
def test_osa_joined_with_netbox_finds_the_pdu_that_takes_galera_down(netbox_server, tmp_path, monkeypatch):
    estate = Estate(netbox_server)
    rack = estate.rack("r1")
    feed = estate.feed(estate.panel("panel"), "feed-a", rack, type="primary")
    _, outlets = pdu(estate, "pdu-1", rack, feed, outlets=6)
    names = [f"INFRA1.{estate.slug}.example.com", f"infra2.{estate.slug}", estate.name("db-node-3")]
    for number, name in enumerate(names):
        fields = {"name": name, "device_type": estate.type, "role": estate.role("database-server")}
        device = netbox_server.create("dcim/devices/", site=estate.site, rack=rack, **fields)["id"]
        powered(estate, device, outlets[2 * number : 2 * number + 2])  # two PSUs, one PDU
    write(tmp_path / "openstack_user_config.yml", INVENTORY)
    write(tmp_path / "aliases.yaml", f"version: 1\naliases:\n  infra3: {names[2]}\n")
    write(tmp_path / ".spoflint.yaml", f"netbox:\n  sites: [{estate.slug}]\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NETBOX_TOKEN", netbox_server.token)

    found = findings("openstack_user_config.yml", "aliases.yaml", "--netbox", netbox_server.url)

    the_pdu = estate.name("pdu-1")
    spof = {f["subject"]: f for f in found if f["rule"] == "SPOF001"}
    assert the_pdu in spof, sorted(spof)
    assert "infra1, infra2 and infra3 are all powered only by " + the_pdu in spof[the_pdu]["message"]
    assert "galera" in spof[the_pdu]["message"]
    assert spof[the_pdu]["path"].startswith(netbox_server.url)  # at the PDU in NetBox
    # the hosts keep their inventory names and places
    single_input = {f["subject"]: f for f in found if f["rule"] == "PWR001"}
    assert {"infra1", "infra2", "infra3"} <= set(single_input)
    assert {single_input[h]["path"] for h in ("infra1", "infra2", "infra3")} == {"openstack_user_config.yml"}
    # the log host is in no rack NetBox knows: said, naming it
    unmatched = [f for f in found if f["rule"] == "MODEL001" and "matches no host" in f["message"]]
    assert [f["subject"] for f in unmatched] == ["log1"]
    # nothing of the demo data's other sites is reported
    assert not [f for f in found if f["subject"].startswith(("dmi01", "ncsu", "msu"))]

    # offline: the snapshot `spoflint import netbox` writes, committed, joins the same way
    from spoflint.cli import run

    assert run(["import", "netbox", "--url", netbox_server.url, "-o", "site.yaml"]) == 0
    monkeypatch.delenv("NETBOX_TOKEN")
    offline = findings("openstack_user_config.yml", "aliases.yaml", "--netbox", "site.yaml")
    key = {(f["rule"], f["subject"]) for f in found if f["rule"] != "MODEL001"}
    assert {(f["rule"], f["subject"]) for f in offline if f["rule"] != "MODEL001"} == key
    assert next(f for f in offline if f["subject"] == the_pdu and f["rule"] == "SPOF001")["path"] == "site.yaml"


def test_a_netbox_that_is_neither_a_url_nor_a_file_is_one_line(tmp_path, monkeypatch, capsys):
    from spoflint.cli import run

    monkeypatch.chdir(tmp_path)
    assert run(["check", "--netbox", "no-such-snapshot.yaml", "--isolated"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no-such-snapshot.yaml: neither an http:// or https:// URL nor a file" in err
