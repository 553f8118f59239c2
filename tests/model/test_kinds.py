"""The kind catalogue: aliases, ambiguous names and typos, RabbitMQ's default, the words of
`vip`, `manager` and `fencing`, and the `spoflint kinds` view.

A misspelt kind would silently drop the HA defaults (a Galera without its quorum), so a
typo of a known kind is an input error with a "did you mean"; a kind simply not in the
catalogue stays allowed (SVC006 asks for its `state`), and so does any word of one's own
in the free-text fields.
"""

from __future__ import annotations

import json
import re

import pytest

from spoflint.errors import InputError
from spoflint.model import kinds
from spoflint.views import kinds as view
from tests.helpers import assert_one_line_error, fired, invoke, topology_of, write

HOSTS = "version: 1\nhosts:\n  h1: {}\n  h2: {}\n  h3: {}\nservices:\n"


def service(fields: str):
    return topology_of(HOSTS + f"  s: {{hosts: [h1, h2, h3], {fields}}}\n").services["s"]


def error_of(text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        topology_of(text)
    return caught.value


def place(text: str, line: int, value: str) -> tuple[int, int]:
    return line, text.splitlines()[line - 1].index(value) + 1


# --- the catalogue's own consistency ---------------------------------------------------


def test_aliases_name_known_kinds_and_no_name_is_two_things():
    assert set(kinds.ALIASES.values()) <= set(kinds.KINDS)
    assert not set(kinds.ALIASES) & set(kinds.KINDS)
    assert not set(kinds.AMBIGUOUS) & (set(kinds.KINDS) | set(kinds.ALIASES))
    for name, candidates in kinds.AMBIGUOUS.items():
        assert len(candidates) >= 2, name
        assert set(candidates) <= set(kinds.KINDS), name
    for name in (*kinds.KINDS, *kinds.ALIASES, *kinds.AMBIGUOUS):
        assert name == kinds.normal(name), name


def test_every_kind_resolves_to_itself_and_is_no_typo_of_another():
    for name in kinds.KINDS:
        assert kinds.resolve(name) == (name, None)


# --- aliases -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("galera", "mariadb-galera"),
        ("keystone", "keystone-api"),
        ("glance", "glance-api"),
        ("ha-proxy", "haproxy"),
        ("HAProxy", "haproxy"),
        ("postgres", "postgresql"),
        ("mongo", "mongodb"),
        ("rabbit", "rabbitmq"),
        ("MariaDB_Galera", "mariadb-galera"),
        ("neutron-api", "neutron-server"),
    ],
)
def test_the_names_operators_write_are_the_catalogue_s(written, kind):
    s = service(f"kind: {written}")
    assert s.kind == kind
    assert (s.state, s.ha, s.access) == (kinds.KINDS[kind].state, kinds.default_ha(kinds.KINDS[kind], 3), s.access)


def test_an_alias_keeps_the_defaults_of_its_kind():
    galera = service("kind: galera")
    assert (galera.ha, galera.quorum) == ("active-active", 2)
    proxy = service("kind: ha-proxy")
    assert proxy.role == "load-balancer"


# --- ambiguous names and typos -----------------------------------------------------------


def test_nova_is_ambiguous_and_lists_the_candidates():
    text = HOSTS + "  compute: {kind: nova, hosts: [h1]}\n"
    error = error_of(text)
    assert (error.line, error.column) == place(text, 7, "nova")
    assert error.message.startswith("kind 'nova' is ambiguous: write the kind of the process this service runs")
    for candidate in ("nova-api", "nova-scheduler", "nova-conductor", "nova-compute"):
        assert candidate in error.message


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("mariadb-galra", "mariadb-galera"),
        ("rabitmq", "rabbitmq"),
        ("memcahced", "memcached"),
        ("keystne", "keystone-api"),  # a typo of an alias: the kind it names
        ("glance-apu", "glance-api"),
        ("percona-xtradb-clustr", "percona-xtradb-cluster"),
    ],
)
def test_a_typo_of_a_known_kind_is_an_error_with_did_you_mean(written, meant):
    text = HOSTS + f"  db: {{kind: {written}, hosts: [h1]}}\n"
    error = error_of(text)
    assert (error.path, error.line, error.column) == ("t.yaml", *place(text, 7, written))
    assert error.message.startswith(f"unknown kind {written!r}; did you mean {meant!r}?")


def test_a_typo_of_an_ambiguous_name_lists_the_candidates():
    assert "did you mean 'cinder'? It is ambiguous" in error_of(HOSTS + "  v: {kind: cindre, hosts: [h1]}\n").message


@pytest.mark.parametrize(
    "written",
    [
        "in-house-billing",
        "reports",
        "neutron-l2-agent",  # digits alone differ from neutron-l3-agent
        "etcd3",
        "ceph-nfs",  # two letters from ceph-mds
        "redis-exporter",
        "designate-central",
        "octavia-driver-agent",
        "ironic-api",
        "manila-share",
        "proxysql",
        "worker",
        "web",
    ],
)
def test_a_kind_of_one_s_own_is_allowed_and_asks_for_its_state(written):
    s = service(f"kind: {written}")
    assert (s.kind, s.state) == (written, None)


def test_an_unknown_kind_is_still_svc006(tmp_path):
    path = write(tmp_path / "t.yaml", HOSTS + "  billing: {kind: in-house-billing, hosts: [h1]}\n")
    assert "SVC006" in fired(path)


def test_a_kind_typo_stops_check_with_one_line(tmp_path):
    path = write(tmp_path / "t.yaml", HOSTS + "  db: {kind: mariadb-galra, hosts: [h1, h2, h3]}\n")
    assert_one_line_error(
        invoke("check", path), r".*t\.yaml:7:\d+: unknown kind 'mariadb-galra'; did you mean 'mariadb-galera'\? .*"
    )


# --- RabbitMQ: quorum queues ---------------------------------------------------------------


def test_a_rabbitmq_cluster_defaults_to_quorum_queues():
    mq = service("kind: rabbitmq")
    assert (mq.ha, mq.quorum, mq.access) == ("active-active", 2, "client-list")


def test_a_single_rabbitmq_node_replicates_nothing():
    mq = topology_of(HOSTS + "  mq: {kind: rabbitmq, hosts: [h1]}\n").services["mq"]
    assert (mq.ha, mq.quorum) == ("none", 1)


def test_classic_queues_are_written_as_ha_none():
    mq = service("kind: rabbitmq, ha: none")
    assert (mq.ha, mq.quorum) == ("none", 1)


def test_the_catalogue_gives_rabbitmq_s_source():
    source = kinds.KINDS["rabbitmq"].source or ""
    for fact in ("RabbitMQ 4.0", "quorum queues", "kolla-ansible", "OpenStack-Ansible"):
        assert fact in source


# --- vip, manager, fencing, access ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "value", "message"),
    [
        ("kind: haproxy, vip: keepalivd", "keepalivd", "unknown VIP manager 'keepalivd'; did you mean 'keepalived'?"),
        ("kind: haproxy, vip: {manager: pacemakr}", "pacemakr", "unknown VIP manager 'pacemakr'; did you mean"),
        (
            "kind: postgresql, ha: active-passive, manager: pacemakr",
            "pacemakr",
            "unknown manager 'pacemakr'; did you mean 'pacemaker'?",
        ),
        (
            "kind: nginx, access: workr",
            "workr",
            "services.s.access: 'workr' is not one of: client-list, worker, single; did you mean 'worker'?",
        ),
    ],
)
def test_a_typo_of_a_known_word_is_an_error(fields, value, message):
    text = HOSTS + f"  s: {{hosts: [h1, h2], {fields}}}\n"
    error = error_of(text)
    assert (error.line, error.column) == place(text, 7, value)
    assert error.message.startswith(message)


def test_a_fencing_typo_is_an_error():
    text = "version: 1\nhosts:\n  h1: {fencing: redfsh}\n"
    error = error_of(text)
    assert (error.line, error.column) == place(text, 3, "redfsh")
    assert error.message == "unknown fencing method 'redfsh'; did you mean 'redfish'?"


@pytest.mark.parametrize("fencing", ["ipmi", "IPMI", "fence_ipmilan", "ipmi via the bmc", "ilo5", "hpe-oneview"])
def test_fencing_of_one_s_own_is_allowed(fencing):
    assert topology_of(f"version: 1\nhosts:\n  h1: {{fencing: {fencing}}}\n").hosts["h1"].fencing == fencing


@pytest.mark.parametrize("vip", ["keepalived", "Keepalived", "dns", "kube-proxy", "10.0.0.5", "f5-bigip", "carp"])
def test_vip_words_of_one_s_own_are_allowed(vip):
    assert service(f"kind: haproxy, vip: {vip}").vip == vip


def test_none_says_there_is_none():
    assert topology_of("version: 1\nhosts:\n  h1: {fencing: none}\n").hosts["h1"].fencing is None
    assert service("kind: haproxy, vip: none").vip is None
    assert service("kind: postgresql-patroni, manager: none").manager is None
    assert service("kind: postgresql-patroni").manager == "patroni"


# --- the view ----------------------------------------------------------------------------------


def test_the_table_has_a_row_per_kind_in_aligned_columns():
    lines = view.to_text().splitlines()
    header = lines[0]
    assert header.split() == ["kind", "state", "access", "ha", "default", "quorum", "manager", "role", "aliases"]
    starts = [header.index(name) for name in view.COLUMNS]
    rows = lines[1 : 1 + len(kinds.KINDS)]
    assert [row.split()[0] for row in rows] == list(kinds.KINDS)
    for row in rows:
        for start in starts[1:]:
            assert row[start - 2 : start] == "  " and row[start] != " ", row
    galera = next(row for row in rows if row.startswith("mariadb-galera "))
    assert re.search(r"stateful +single +active-active +majority +- +- +galera, ", galera)
    rabbit = next(row for row in rows if row.startswith("rabbitmq "))
    assert "active-active (2+ instances, else none)" in rabbit


def test_the_text_lists_ambiguous_names_words_and_sources():
    text = view.to_text()
    assert "  nova: nova-api, nova-metadata-api, nova-scheduler" in text
    assert "  vip:     keepalived, pacemaker" in text
    assert "  rabbitmq: RabbitMQ 4.0 release notes" in text


def test_the_json_view_is_in_the_envelope():
    document = json.loads(view.to_json())
    assert (document["format"], document["version"]) == ("spoflint-kinds", 1)
    by_kind = {row["kind"]: row for row in document["kinds"]}
    assert list(by_kind) == list(kinds.KINDS)
    assert by_kind["mariadb-galera"] == {
        "kind": "mariadb-galera",
        "state": "stateful",
        "access": "single",
        "ha": "active-active",
        "ha_from": 1,
        "quorum": "majority",
        "manager": None,
        "role": None,
        "aliases": ["galera", "galera-cluster", "mariadb-cluster", "mariadb-galera-cluster"],
        "source": None,
    }
    assert by_kind["rabbitmq"]["ha_from"] == 2 and "quorum queues" in by_kind["rabbitmq"]["source"]
    assert document["ambiguous"]["nova"][0] == "nova-api"
    assert set(document["words"]) == {"vip", "manager", "fencing"}
