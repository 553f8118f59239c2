"""Issue 17's decisions, through the command line: self-managed and replicating kinds,
shared fate of storage, a storage backend's zone, SPOF003 counting hosts, STATE002's
quorum, the input errors and notes docs/format.md ("Choices") settles, and the wording
of the messages they touch."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from spoflint import graph as fg
from spoflint.analysis.facts import Facts
from spoflint.analysis.reference import evaluate
from spoflint.model import DEFAULT_SCOPE
from tests.helpers import FIXTURES, assert_one_line_error, findings, invoke, topology_of


def by_rule(*args) -> dict[tuple[str, str], str]:
    """(rule, subject) -> message of `spoflint check *args`."""
    return {(f["rule"], f["subject"]): f["message"] for f in findings(*args)}


def write(tmp_path: Path, text: str, name: str = "t.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- 1, 2: self-managed active/passive kinds; kinds that replicate ----------------------------


def test_self_managed_kinds_default_to_an_access_that_does_not_address_the_first_instance():
    kinds = {k["kind"]: k for k in json.loads(invoke("kinds", "--format", "json").stdout)["kinds"]}
    assert [kinds[k]["access"] for k in ("ceph-mgr", "ceph-mds", "redis-sentinel", "ovn-northd")] == [
        "client-list",
        "client-list",
        "client-list",
        "worker",
    ]
    assert kinds["postgresql-patroni"]["access"] == "single"  # reached at one address: a VIP or HAProxy


def test_self_managed_kinds_on_three_hosts_are_neither_a_spof_nor_a_fencing_or_vip_problem():
    found = by_rule(FIXTURES / "SPOF001" / "self-managed-standbys.yaml")
    assert not [key for key in found if key[0] in ("SPOF001", "SPOF002", "STATE003", "STATE004")], found
    electing = by_rule(FIXTURES / "STATE003" / "self-electing-managers.yaml")
    assert not [key for key in electing if key[0] == "STATE003"], electing
    # a manager that needs STONITH is still asked for it, whatever the kind
    (message,) = [
        m for (r, _), m in by_rule(FIXTURES / "STATE003" / "patroni-under-pacemaker.yaml").items() if r == "STATE003"
    ]
    assert "ctl-1, ctl-2, ctl-3 have no fencing" in message


def test_patroni_and_sentinel_keep_their_data_when_one_member_host_fails():
    path = FIXTURES / "SPOF002" / "replicating-kinds.yaml"
    result = json.loads(invoke("simulate", "--format", "json", "--fail", "ctl-1", path).stdout)
    assert (result["services_down"], result["data_lost"]) == ([], [])
    every = json.loads(invoke("simulate", "--format", "json", "--fail", "ctl-1,ctl-2,ctl-3", path).stdout)
    assert {d["holder"]: d["reason"] for d in every["data_lost"]} == {
        "cache": "every member failed (ctl-1, ctl-2, ctl-3)",
        "pg": "every member failed (ctl-1, ctl-2, ctl-3)",
    }
    alone = by_rule(FIXTURES / "SPOF002" / "replicating-kinds-without-replicas.yaml")
    assert "holds the only copy of the data of cache, pg" in alone[("SPOF002", "ctl-1")]


# --- 3: shared fate of storage backends -------------------------------------------------------


def test_ceph_in_one_rack_is_reported_with_or_without_a_service_using_it():
    unused = by_rule(FIXTURES / "SVC002" / "ceph-in-one-rack-unused.yaml")
    assert (
        unused[("SVC002", "ceph")]
        == "all 3 hosts of storage ceph share r1: one failure takes every copy of its data offline"
    )
    assert ("SPOF001", "r1") not in unused  # nothing is down yet: no service uses it
    used = by_rule(FIXTURES / "SVC002" / "ceph-in-one-rack-used.yaml")
    assert used[("SVC002", "ceph")].endswith("every copy of its data offline; SPOF001 flags r1")
    fewer = by_rule(FIXTURES / "SVC002" / "ceph-two-replicas-two-racks.yaml")
    assert fewer[("SVC002", "ceph")].startswith("storage ceph keeps 2 copies over 4 hosts, and r1 each take down 2")


def test_storage_shared_fate_follows_from_the_spof001_of_the_shared_element():
    report = invoke("check", "--format", "json", FIXTURES / "SVC002" / "ceph-in-one-rack-used.yaml")
    by_id = {(f["rule"], f["subject"]): f for f in json.loads(report.stdout)["findings"]}
    svc002, spof001 = by_id[("SVC002", "ceph")], by_id[("SPOF001", "r1")]
    assert svc002["cause"] == spof001["fingerprint"], svc002


# --- 5: a storage backend with hosts and a zone ----------------------------------------------

ZONED = """\
version: 1
zones: {dc-a: {}, dc-b: {}}
network:
  internet: {kind: external}
  sw-1: {kind: switch, zone: dc-b}
  sw-2: {kind: switch, zone: dc-b}
links: [[internet, sw-1], [internet, sw-2]]
hosts:
  h1: {zone: dc-b, nics: [sw-1, sw-2]}
  h2: {zone: dc-b, nics: [sw-1, sw-2]}
  h3: {zone: dc-b, nics: [sw-1, sw-2]}
storage:
  ceph: {kind: ceph, hosts: [h1, h2, h3], replicas: 3, min_replicas: 2, zone: dc-a}
services:
  app: {kind: keystone-api, hosts: [h1, h2, h3], access: client-list, storage: [ceph]}
"""


def test_a_storage_zone_counts_in_check_simulate_and_the_reference_alike(tmp_path):
    path = write(tmp_path, ZONED)
    result = json.loads(invoke("simulate", "--format", "json", "--fail", "dc-a", path).stdout)
    assert result["services_down"] and "app" in json.dumps(result["services_down"])
    config = write(
        tmp_path, "failure-scope: [power, cooling, racks, network, links, hosts, storage, zones]\n", "c.yaml"
    )
    assert ("SPOF001", "dc-a") in by_rule("--config", config, path)
    assert ("SPOF001", "dc-a") not in by_rule("--isolated", path)  # zones fail only in the scope
    t = topology_of(ZONED)
    facts = Facts(t, DEFAULT_SCOPE | {"zones"})
    assert "dc-a" in facts.single_points and "app" in facts.single_points["dc-a"].services
    assert "app" in evaluate(t, {"dc-a"}).down and "app" not in evaluate(t, set()).down
    assert fg.build(t).gates["ceph"].inputs[0] == "dc-a"  # what `graph` draws, the gates hold


# --- 7: SPOF003 counts hosts, not cables ------------------------------------------------------


def test_a_lone_switch_with_one_host_cabled_twice_splits_nothing():
    assert not [k for k in by_rule(FIXTURES / "SPOF003" / "lone-switch-host-cabled-twice.yaml") if k[0] == "SPOF003"]
    two = by_rule(FIXTURES / "SPOF003" / "lone-switch-two-hosts.yaml")
    assert "cuts off h1, h2" in two[("SPOF003", "sw-1")]


# --- 8: STATE002 and `quorum` ------------------------------------------------------------------


def test_quorum_none_is_no_quorum_cluster_and_an_explicit_quorum_is_used():
    found = by_rule(FIXTURES / "STATE002" / "explicit-quorums.yaml")
    assert [k for k in found if k[0] == "STATE002"] == [("STATE002", "pair")]
    assert found[("STATE002", "pair")] == "pair is a quorum cluster of 2 members, fewer than 3: it survives 0 failures"


def test_state002_says_how_many_failures_a_small_cluster_survives_in_the_singular_too(tmp_path):
    path = write(
        tmp_path,
        """\
        version: 1
        hosts: {a: {}, b: {}, c: {}, d: {}}
        services:
          db: {kind: etcd, hosts: [a, b, c, d]}
        """,
    )
    config = write(tmp_path, "options:\n  STATE002: {min_members: 5}\n", "c.yaml")
    message = by_rule("--config", config, path)[("STATE002", "db")]
    assert message == "db is a quorum cluster of 4 members, fewer than 5: it survives 1 failure"


# --- 9: choices where the contract was silent -------------------------------------------------


def test_a_host_whose_zone_is_not_its_racks_is_an_input_error(tmp_path):
    path = write(
        tmp_path,
        """\
        version: 1
        zones: {z1: {}, z2: {}}
        racks:
          r1: {zone: z1}
        hosts:
          h1: {rack: r1, zone: z2}
        """,
    )
    assert_one_line_error(invoke("check", path), r".*t\.yaml:6:24: `zone: z2`, but its rack 'r1' is in zone 'z1': .*")
    assert not list(tmp_path.glob("*.json"))


def test_a_network_node_whose_zone_is_not_its_racks_is_an_input_error(tmp_path):
    path = write(
        tmp_path,
        """\
        version: 1
        zones: {z1: {}, z2: {}}
        racks:
          r1: {zone: z1}
        network:
          sw-1: {kind: switch, rack: r1, zone: z2}
        """,
    )
    assert_one_line_error(invoke("check", path), r".*t\.yaml:6:40: `zone: z2`, but its rack 'r1' is in zone 'z1': .*")


def test_spread_host_over_too_few_pool_hosts_is_a_finding_not_an_input_error():
    found = by_rule(FIXTURES / "SVC002" / "spread-host-over-too-few-hosts.yaml")
    assert found[("SVC002", "api")] == "api promises `spread: host` for 3 replicas, but its pool spans only 2 hosts"
    assert ("SPOF001", "ctl-1") not in found  # two replicas placed apart: one host may fail


def test_storage_replicas_above_the_hosts_are_said_for_every_kind():
    found = by_rule(FIXTURES / "MODEL001" / "storage-replicas-above-hosts.yaml")
    assert found[("MODEL001", "files")] == "storage files asks for 3 copies on 2 hosts, one a host at most: it keeps 2"
    assert ("MODEL001", "mirror") not in found


def test_an_unclassified_service_says_its_data_loss_was_not_checked(tmp_path):
    path = write(tmp_path, "version: 1\nhosts: {h: {}}\nservices:\n  x: {kind: in-house, hosts: [h]}\n")
    assert "was not checked for data loss" in by_rule(path)[("SVC006", "x")]
    assert ("SPOF002", "h") not in by_rule(path)


# --- 10: messages ---------------------------------------------------------------------------


def test_one_replica_is_singular(tmp_path):
    path = write(
        tmp_path, "version: 1\nhosts: {a: {}, b: {}}\nstorage:\n  c: {kind: ceph, hosts: [a, b], replicas: 1}\n"
    )
    assert by_rule(path)[("STATE005", "c")].startswith("ceph backend c keeps 1 replica, fewer than 3")


def test_shared_fate_names_the_real_shared_element_and_how(tmp_path):
    # app-2 is in r2 but cabled only to sw-1, which stands in r1: r1 is shared through the switch
    path = write(
        tmp_path,
        """\
        version: 1
        entrypoints: [internet]
        racks: {r1: {}, r2: {}}
        network:
          internet: {kind: external}
          sw-1: {kind: switch, rack: r1}
          sw-2: {kind: switch, rack: r2}
        links: [[internet, sw-1], [internet, sw-2]]
        hosts:
          app-1: {rack: r1, nics: [sw-1, sw-2]}
          app-2: {rack: r2, nics: [sw-1]}
        services:
          app: {kind: keystone-api, hosts: [app-1, app-2], access: client-list}
        """,
    )
    message = by_rule(path)[("SVC002", "app")]
    assert message.startswith("both instances of app share r1: one failure takes every instance down (")
    assert "app-1 is in r1, app-2 is cabled only to sw-1, which is in r1" in message


def test_no_entry_points_is_said_about_the_file_at_line_1(tmp_path):
    path = write(tmp_path, "version: 1\nnetwork:\n  sw-1: {kind: switch}\nhosts:\n  h: {nics: [sw-1]}\n")
    (note,) = [f for f in findings(path) if f["rule"] == "MODEL001" and "no entry points" in f["message"]]
    assert (note["subject"], note["line"], note["column"]) == ("entrypoints", 1, 1)
    assert note["path"].endswith("t.yaml")


def test_a_switch_stack_is_named_as_one_failure_domain_in_its_findings():
    # a NetBox virtual chassis is one network node whose `members` the findings name
    from tests.helpers import FIXTURES, findings

    found = findings(str(FIXTURES / "SPOF001" / "switch-stack.yaml"))
    spof = next(f for f in found if f["rule"] == "SPOF001")
    assert spof["message"].startswith(
        "tor-stack (a switch stack of tor-sw1, tor-sw2: one control plane, one failure domain) is a single point"
    )
    assert all("(a switch stack of tor-sw1, tor-sw2" in f["message"] for f in found if f["rule"] == "NET001")
