"""The kolla-ansible reader, on our fixtures and on the shared corpus's inventories.

- Fixtures (`fixtures/import/kolla-ansible/`): an inventory file, or a folder holding a
  `multinode` inventory and its `globals.yml`. The inventory's leading
  `# expect: RULE@subject ...` lines (or `# expect: none`) list exactly the errors and
  warnings it must produce (risks accepted in the file do not count); the only notes
  allowed are MODEL001's.
- Corpus (`../shared/corpus/kolla-ansible/`, skipped when absent): `multinode` and
  `all-in-one`, alone and with the corpus `globals.yml`, read and build, and give what
  a careful operator expects: in the all-in-one every service runs once and the host
  is a single point of failure; in multinode the HAProxy pair has its keepalived VIP,
  while glance's default file backend puts the only copy of the images on control01.
"""

from __future__ import annotations

import re
from functools import cache, partial
from pathlib import Path

import pytest

from spoflint.errors import InputError
from spoflint.importers import kolla_ansible, openstack_ansible
from spoflint.importers.kolla_ansible import expand
from tests import helpers
from tests.helpers import EXAMPLES, REPO, assert_expected_findings, expected, judged, lint_import

FIXTURES = REPO / "fixtures" / "import" / "kolla-ansible"
CORPUS = helpers.CORPUS / "kolla-ansible"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not next to the repo")
CORPUS_INVENTORIES = ["multinode", "all-in-one"]
lint = partial(lint_import, kolla_ansible)  # (topology, findings) of an inventory and its globals.yml


@cache
def linted(*paths: Path):
    return lint(*paths)


def fixture_cases() -> list[Path]:
    return sorted(FIXTURES.iterdir())


def inventory_of(case: Path) -> Path:
    return case / "multinode" if case.is_dir() else case


def line_of(path: str, line: int) -> str:
    return Path(path).read_text(encoding="utf-8").splitlines()[line - 1]


def write(tmp_path: Path, inventory: str, globals_yml: str | None = None) -> Path:
    (tmp_path / "inventory").write_text(inventory)
    if globals_yml is not None:
        (tmp_path / "globals.yml").write_text(globals_yml)
    return tmp_path


SMALL = """\
[control]
c1
c2
c3

[network]
n1
n2

[compute]
h1
h2

[loadbalancer:children]
network

[mariadb:children]
control

[rabbitmq:children]
control

[keystone:children]
control

[neutron-server:children]
control

[neutron-l3-agent:children]
network

[ovn-database:children]
control

[ovn-nb-db:children]
ovn-database

[ovn-northd:children]
ovn-database

[ovn-controller-network:children]
network
"""


# --- our fixtures ----------------------------------------------------------------------


def test_there_are_fixtures_both_ways():
    cases = fixture_cases()
    assert len(cases) >= 5
    assert any(expected(inventory_of(c)) for c in cases)
    assert any(not expected(inventory_of(c)) for c in cases)


@pytest.mark.parametrize("case", fixture_cases(), ids=lambda p: p.name)
def test_fixture(case: Path):
    _, findings = linted(case)
    assert_expected_findings(case.name, findings, expected(inventory_of(case)))


def test_ranges_and_transitive_children():
    topology, _ = linted(FIXTURES / "ceph-backed")
    assert topology.services["galera"].hosts == ("ctl01", "ctl02", "ctl03")
    assert topology.services["nova-compute"].hosts == ("hv01", "hv02", "hv03", "hv04")
    assert topology.services["nova-api"].hosts == ("ctl01", "ctl02", "ctl03")  # nova-api -> nova -> control
    assert topology.services["haproxy"].hosts == ("net01", "net02")
    assert topology.services["haproxy"].vip == "keepalived"
    assert "localhost" not in topology.hosts  # the deployment host
    assert topology.services["glance"].hosts == ("ctl01", "ctl02", "ctl03")  # ceph: every host
    assert topology.services["cinder-volume"].hosts == ("ctl01", "ctl02", "ctl03")
    at = topology.where["ctl02"]
    assert line_of(at.path, at.line).startswith("ctl[01:03]")


def test_ansible_host_aliases_are_one_machine():
    topology, _ = linted(FIXTURES / "ansible-host-aliases")
    assert "ctl-b" not in topology.hosts
    assert topology.services["galera"].hosts == ("ctl-a", "ctl-c")


def test_file_backend_runs_glance_on_the_first_host_only():
    topology, findings = linted(FIXTURES / "file-backend-glance")
    assert topology.services["glance"].hosts == ("ctl01",)
    assert topology.storage["glance-images"].hosts == ("ctl01",)
    accepted = [f for f in findings if f.suppressed]
    assert [(f.rule, f.subject) for f in accepted] == [("SPOF001", "hv01")]


def test_elements_point_at_host_and_group_lines():
    for case in fixture_cases():
        topology, _ = linted(case)
        for host in topology.hosts:
            at = topology.where[host]
            text = line_of(at.path, at.line)[at.column - 1 :]
            assert text.startswith(host) or re.match(r"^[\w.-]*\[", text), (case.name, host, text)
        for service in topology.services:
            at = topology.where[service]
            assert re.match(r"^\[[\w.-]+(:children)?\]", line_of(at.path, at.line)), (case.name, service)
            assert at.path.endswith(inventory_of(case).name)


# --- globals.yml switches ----------------------------------------------------------------


def test_defaults_without_globals(tmp_path):
    topology, _ = lint(write(tmp_path, SMALL))
    assert topology.services["haproxy"].vip == "keepalived"
    assert topology.services["galera"].load_balancer == "haproxy"
    assert topology.services["rabbitmq"].ha == "active-active"
    assert "neutron-l3-agent" in topology.services and "ovn-northd" not in topology.services


def test_haproxy_off_leaves_clients_addressing_one_instance(tmp_path):
    topology, findings = lint(write(tmp_path, SMALL, "enable_haproxy: 'no'\n"))
    assert "haproxy" not in topology.services
    assert topology.services["keystone"].load_balancer is None
    assert ("SVC003", "keystone") in judged(findings)


def test_ovn(tmp_path):
    topology, _ = lint(write(tmp_path, SMALL, "neutron_plugin_agent: ovn\n"))
    assert topology.services["ovn-ovsdb"].hosts == ("c1", "c2", "c3")
    assert topology.services["ovn-northd"].hosts == ("c1", "c2", "c3")
    assert topology.services["ovn-gateway"].hosts == ("n1", "n2")
    assert "neutron-l3-agent" not in topology.services
    assert "ovn-ovsdb" in topology.services["neutron-server"].depends_on


def test_classic_queues_are_not_replicated(tmp_path):
    _, findings = lint(write(tmp_path, SMALL, "om_enable_rabbitmq_quorum_queues: false\n"))
    assert ("STATE001", "rabbitmq") in judged(findings)


def test_jinja_means_the_default(tmp_path):
    topology, _ = lint(write(tmp_path, SMALL, 'enable_haproxy: "{{ not_known | bool }}"\n'))
    assert "haproxy" in topology.services


# --- the INI inventory -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "hosts"),
    [
        ("control[01:03]", ["control01", "control02", "control03"]),
        ("node[1:3]", ["node1", "node2", "node3"]),
        ("node[a:c].lab", ["nodea.lab", "nodeb.lab", "nodec.lab"]),
        ("n[0:6:3]", ["n0", "n3", "n6"]),
        ("r[1:2]-h[1:2]", ["r1-h1", "r1-h2", "r2-h1", "r2-h2"]),
        ("plain", ["plain"]),
    ],
)
def test_expand(pattern, hosts):
    assert expand(pattern) == hosts


@pytest.mark.parametrize("pattern", ["x[1]", "x[1:z]", "x[3:1]", "x[1:3:0]", "x[:3]"])
def test_expand_rejects(pattern):
    with pytest.raises(ValueError):
        expand(pattern)


def test_ini_details(tmp_path):
    inventory = (
        "ungrouped-host\n"
        "[control]\n"
        "c1:2222 ansible_user=kolla  # a comment\n"
        'c2 ansible_host="10.0.0.2"\n'
        "; another comment\n"
        "[control:vars]\n"
        "ansible_user=root\n"
        "[compute]\n"
        "h1\n"
        "[mariadb:children]\n"
        "control\n"
        "[loop-a:children]\n"
        "loop-b\n"
        "[loop-b:children]\n"
        "loop-a\n"
        "control\n"
    )
    topology, _ = lint(write(tmp_path, inventory))
    assert topology.services["galera"].hosts == ("c1", "c2")
    assert set(topology.hosts) == {"ungrouped-host", "c1", "c2", "h1"}
    assert topology.where["c2"].line == 4


@pytest.mark.parametrize(
    ("inventory", "line", "message"),
    [
        ("[control]\nc[1:x]\n[mariadb:children]\ncontrol\n", 2, "not a host range"),
        ("[control]\nc1 'unclosed\n[mariadb:children]\ncontrol\n", 2, "cannot read this line"),
        ("[control:weird]\nc1\n[mariadb:children]\ncontrol\n", 1, "is not a group"),
    ],
)
def test_bad_inventory_is_a_located_error(tmp_path, inventory, line, message):
    path = tmp_path / "inventory"
    path.write_text(inventory)
    with pytest.raises(InputError) as caught:
        kolla_ansible.read([str(path)])
    assert message in caught.value.message and caught.value.line == line


def test_no_inventory_among_the_paths(tmp_path):
    (tmp_path / "globals.yml").write_text("kolla_internal_vip_address: 10.0.0.1\n")
    with pytest.raises(InputError, match="no kolla-ansible inventory"):
        kolla_ansible.read([str(tmp_path / "globals.yml")])


def test_detect():
    for case in fixture_cases():
        inventory = inventory_of(case)
        assert kolla_ansible.detect(inventory, inventory.read_bytes()), inventory
        assert not openstack_ansible.detect(inventory, inventory.read_bytes()), inventory
        if case.is_dir():
            assert kolla_ansible.detect(case / "globals.yml", (case / "globals.yml").read_bytes())
    for native in EXAMPLES.glob("*.yaml"):
        assert not kolla_ansible.detect(native, native.read_bytes()), native
    for other in (REPO / "fixtures" / "import" / "openstack-ansible").rglob("*.yml"):
        assert not kolla_ansible.detect(other, other.read_bytes()), other


def test_docstring_says_what_it_understands_and_ignores():
    doc = kolla_ansible.__doc__
    assert "What it understands" in doc and "What it ignores" in doc


# --- the shared corpus -------------------------------------------------------------------


@needs_corpus
def test_detect_corpus():
    for name in CORPUS_INVENTORIES + ["globals.yml"]:
        assert kolla_ansible.detect(CORPUS / name, (CORPUS / name).read_bytes()), name
    for other in sorted(helpers.CORPUS.rglob("*")):
        if other.is_file() and CORPUS not in other.parents:
            assert not kolla_ansible.detect(other, other.read_bytes()), other


def _corpus_cases():
    return [
        pytest.param(name, with_globals, id=f"{name}{'+globals' if with_globals else ''}")
        for name in CORPUS_INVENTORIES
        for with_globals in (False, True)
    ]


@needs_corpus
@pytest.mark.parametrize(("name", "with_globals"), _corpus_cases())
def test_corpus_inventory(name: str, with_globals: bool):
    paths = (CORPUS / name, CORPUS / "globals.yml") if with_globals else (CORPUS / name,)
    topology, findings = linted(*paths)
    found = judged(findings)
    assert {f.rule for f in findings if f.severity == "note"} <= {"MODEL001"}
    if name == "all-in-one":
        assert set(topology.hosts) == {"localhost"}
        assert topology.services and all(s.hosts == ("localhost",) for s in topology.services.values())
        assert {
            ("SPOF001", "localhost"),
            ("SPOF002", "localhost"),
            ("SVC004", "haproxy"),
            ("STATE002", "galera"),
        } <= found
        assert {("SVC001", s) for s in topology.services} <= found
    else:
        assert set(topology.hosts) == {
            "control01",
            "control02",
            "control03",
            "network01",
            "network02",
            "compute01",
            "monitoring01",
            "storage01",
        }
        assert topology.services["galera"].hosts == ("control01", "control02", "control03")
        assert topology.services["haproxy"].hosts == ("network01", "network02")
        assert topology.services["haproxy"].vip == "keepalived"
        assert topology.services["glance"].hosts == ("control01",)
        assert {
            ("SPOF001", "control01"),
            ("SPOF002", "control01"),
            ("SVC001", "glance"),
            ("STATE005", "glance-images"),
            ("SPOF001", "compute01"),
            ("SVC001", "nova-compute"),
        } == found
