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

from spoflint import engine, model
from spoflint.errors import InputError
from spoflint.importers import kolla_ansible, openstack_ansible, overlay
from spoflint.importers.kolla_ansible import expand
from spoflint.load import load_text
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


def test_vip_that_is_a_host_address_does_not_float(tmp_path):
    inventory = SMALL.replace("n1\nn2\n", "n1 ansible_host=10.0.0.21\nn2 ansible_host=10.0.0.22\n")
    topology, findings = lint(write(tmp_path, inventory, "kolla_internal_vip_address: 10.0.0.22\n"))
    haproxy = topology.services["haproxy"]
    assert haproxy.vip is None and haproxy.hosts == ("n2", "n1")  # clients reach n2, and only n2
    assert {("SVC004", "haproxy"), ("SPOF001", "n2")} <= judged(findings)
    note = next(f for f in findings if f.rule == "MODEL001" and f.subject == "haproxy")
    assert "10.0.0.22 is the own address of n2" in note.message
    # a VIP that is an unused address floats, as keepalived moves it
    topology, _ = lint(write(tmp_path, inventory, "kolla_internal_vip_address: 10.0.0.250\n"))
    assert topology.services["haproxy"].vip == "keepalived"


# --- storage: NFS shares, backups, what lives outside ------------------------------------

CINDER_NFS = "enable_cinder: yes\nenable_cinder_backend_nfs: yes\n"
STORAGE = SMALL + (
    "[glance-api:children]\ncontrol\n\n[storage]\ns1 ansible_host=10.0.5.1\ns2\n\n"
    "[cinder-volume:children]\nstorage\n\n[cinder-backup:children]\nstorage\n"
)


def test_nfs_shares_on_inventory_hosts_each_hold_the_only_copy_of_some_volumes(tmp_path):
    folder = write(tmp_path, STORAGE, CINDER_NFS + "cinder_backup_driver: nfs\ncinder_backup_share: 10.0.5.9:/backup\n")
    (folder / "config").mkdir()
    (folder / "config" / "nfs_shares").write_text("# shares\n\ns2:/kolla_nfs\n10.0.5.1:/kolla_nfs  vers=4.1\n")
    topology, findings = lint(folder)  # the folder: inventory, globals.yml and config/nfs_shares
    volumes = topology.storage["cinder-nfs-volumes"]
    assert (volumes.kind, volumes.hosts, volumes.replicas) == ("nfs", ("s2", "s1"), 1)  # s1 by its ansible_host
    assert topology.services["cinder-volume"].storage == ("cinder-nfs-volumes",)
    assert topology.storage["cinder-backups"].hosts == ("nfs-10.0.5.9",)  # a filer outside the inventory
    assert topology.services["cinder-backup"].storage == ("cinder-backups",)
    assert {("SPOF002", "s1"), ("SPOF002", "s2"), ("SPOF002", "nfs-10.0.5.9")} <= judged(findings)
    at = topology.where["nfs-10.0.5.9"]
    assert at.path.endswith("globals.yml") and line_of(at.path, at.line).startswith("cinder_backup_share")
    at = topology.where["cinder-nfs-volumes"]
    assert at.path.endswith("nfs_shares") and at.line == 3


def test_nfs_shares_named_with_the_inventory(tmp_path):
    write(tmp_path, STORAGE, CINDER_NFS)
    shares = tmp_path / "nfs_shares"
    shares.write_text("filer-a:/vol/cinder\n{{ second_filer }}:/vol/cinder\n")
    topology, findings = lint(tmp_path / "inventory", tmp_path / "globals.yml", shares)
    assert topology.storage["cinder-nfs-volumes"].hosts == ("filer-a",)
    assert topology.where["filer-a"].path.endswith("nfs_shares")  # a host of its own, where it is named
    assert any("Jinja expression" in f.message for f in findings if f.rule == "MODEL001")
    assert kolla_ansible.detect(shares, shares.read_bytes())


def test_nfs_backend_without_nfs_shares_is_a_note(tmp_path):
    _, findings = lint(write(tmp_path, STORAGE, CINDER_NFS))
    note = next(f for f in findings if f.rule == "MODEL001" and f.subject == "cinder-volume")
    assert "nfs_shares" in note.message and "was not given" in note.message


def test_a_bad_nfs_share_is_a_located_error(tmp_path):
    write(tmp_path, STORAGE, CINDER_NFS)
    (tmp_path / "nfs_shares").write_text("# ok\nfiler-a/vol/cinder\n")
    with pytest.raises(InputError) as caught:
        kolla_ansible.read([str(tmp_path / "inventory"), str(tmp_path / "nfs_shares")])
    assert "not an NFS share" in caught.value.message and caught.value.line == 2


@pytest.mark.parametrize(
    ("settings", "noted"),
    [
        ("glance_backend_ceph: yes\n", "Ceph outside kolla-ansible holds the data of glance"),
        ("glance_backend_s3: yes\n", "S3 outside kolla-ansible holds the data of glance"),
        ("glance_file_datadir_volume: /mnt/images\n", "glance keeps images on the path /mnt/images"),
        ("enable_cinder: yes\nenable_cinder_backend_pure_iscsi: yes\n", "Pure FlashArray (iSCSI) outside"),
        ("enable_cinder: yes\ncinder_backup_driver: s3\n", "S3 outside kolla-ansible holds the data of cinder-backup"),
    ],
)
def test_storage_the_files_do_not_describe_is_a_note_never_redundancy(tmp_path, settings, noted):
    topology, findings = lint(write(tmp_path, STORAGE, settings))
    notes = [f.message for f in findings if f.rule == "MODEL001"]
    assert any(noted in m for m in notes), notes
    if "glance" in noted:
        assert "glance-images" not in topology.storage and len(topology.services["glance"].hosts) == 3


def test_an_overlay_that_describes_the_storage_answers_the_note(tmp_path):
    imported = kolla_ansible.read([str(write(tmp_path, STORAGE, "glance_file_datadir_volume: /mnt/images\n"))])
    site = load_text(
        "version: 1\nhosts:\n  nas-a: {}\n  nas-b: {}\nstorage:\n  images: {kind: nfs, hosts: [nas-a, nas-b]}\n"
        "services:\n  glance: {hosts: [c1, c2, c3], storage: [images]}\n",
        "site.yaml",
    )
    topology = model.build(overlay(imported, [site]))
    findings = engine.check(topology, engine.Config())
    assert not [f for f in findings if f.rule == "MODEL001" and "glance keeps images" in f.message]
    assert topology.services["glance"].storage == ("images",)


def test_vault_and_unsafe_values_are_opaque_strings(tmp_path):
    settings = (
        "kolla_internal_vip_address: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  3834\n"
        "database_password: !unsafe '{{ not a template'\nenable_haproxy: !unsafe yes\n"
    )
    topology, _ = lint(write(tmp_path, SMALL, settings))
    assert topology.services["haproxy"].vip == "keepalived"  # the vaulted VIP is not known, not a host's


def test_empty_or_all_comment_globals(tmp_path):
    for text in ("", "---\n# everything at kolla-ansible's defaults\n", "---\n...\n"):
        topology, _ = lint(write(tmp_path, SMALL, text))
        assert "galera" in topology.services


@pytest.mark.parametrize(
    "inventory",
    [
        "[control]\n{% for host in groups['all'] %}\n{{ host }}\n{% endfor %}\n[mariadb:children]\ncontrol\n",
        "[control]\n{{ controller }} ansible_host=10.0.0.1\n[mariadb:children]\ncontrol\n",
        "[control]\nc1\n[{{ cell }}:children]\ncontrol\n[mariadb:children]\ncontrol\n",
    ],
)
def test_a_jinja_inventory_says_render_it_first(tmp_path, inventory):
    path = tmp_path / "inventory.j2"
    path.write_text(inventory)
    with pytest.raises(InputError, match="Jinja template.*render it first") as caught:
        kolla_ansible.read([str(path)])
    assert "version" not in caught.value.message and caught.value.line == 2 + ("cell" in inventory)


def test_jinja_in_a_host_variable_is_fine(tmp_path):
    inventory = SMALL.replace("c1\n", 'c1 ansible_python_interpreter="{{ ansible_playbook_python }}"\n', 1)
    topology, _ = lint(write(tmp_path, inventory))
    assert "c1" in topology.hosts


@pytest.mark.parametrize(
    ("globals_yml", "message"),
    [
        ("---\n{% if true %}\nenable_cinder: yes\n{% endif %}\n", "Jinja template.*render it first"),
        ("enable_cinder: {{ use_cinder }}\n", "Jinja template.*render it first"),
        ("- enable_cinder\n", "globals.yml holds a mapping of names to values, not a list"),
        ("a: 1\n---\nb: 2\n", "a second YAML document: a kolla-ansible globals.yml holds one"),
        ("a: !!python/object:os.system x\n", "YAML tag .* is not allowed"),
    ],
)
def test_errors_in_globals_name_the_file_never_a_topology(tmp_path, globals_yml, message):
    write(tmp_path, SMALL, globals_yml)
    with pytest.raises(InputError, match=message) as caught:
        kolla_ansible.read([str(tmp_path / "inventory"), str(tmp_path / "globals.yml")])
    assert "version" not in caught.value.message and "topology" not in caught.value.message


def test_unmodelled_groups_and_services_are_notes(tmp_path):
    inventory = SMALL + "[ironic-conductor]\nbm1\n"
    _, findings = lint(write(tmp_path, inventory, "enable_ironic: yes\nenable_neutron_dvr: yes\n"))
    notes = [f.message for f in findings if f.rule == "MODEL001"]
    assert any("[ironic-conductor] (1 host)" in m for m in notes), notes
    assert any("does not model (enable_ironic)" in m for m in notes), notes  # a feature of neutron is not listed


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


@pytest.mark.parametrize("text", ["", "# only comments\n\n[control]\n[compute:children]\ncontrol\n"])
def test_an_inventory_with_no_host_is_a_one_line_error(tmp_path, monkeypatch, text):
    """Was an IndexError from the model builder (exit 1, a traceback)."""
    monkeypatch.chdir(tmp_path)
    Path("inventory").write_text(text)
    for args in (("import", "kolla-ansible", "inventory"), ("check", "--input-format", "kolla-ansible", "inventory")):
        result = helpers.invoke(*args)
        helpers.assert_one_line_error(result, r"inventory:1:1: no hosts: no group of this inventory lists one .*")
