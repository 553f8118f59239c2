"""The OpenStack-Ansible reader, on our fixtures and on every openstack_user_config in
the shared corpus.

- Fixtures (`fixtures/import/openstack-ansible/`): a file, or a folder holding an
  `openstack_user_config.yml` with its env.d and user_variables. The config's leading
  `# expect: RULE@subject ...` lines (or `# expect: none`) list exactly the errors and
  warnings it must produce (risks accepted in the file do not count); the only notes
  allowed are MODEL001's, about what such a file cannot say.
- Corpus (`../shared/corpus/openstack-ansible/`, skipped when absent): every file reads
  and builds; what a careful operator expects is found (the all-in-one host, the NFS
  filer behind the images, the single test controller); the control plane of
  `openstack_user_config.yml.az.example` (three infra hosts in three zones) gets no
  error or warning, only notes on what the file cannot say; the bundled env.d table
  gives the same model as the corpus's own env.d.
"""

from __future__ import annotations

import re
from functools import cache, partial
from pathlib import Path

import pytest

from spoflint.errors import InputError
from spoflint.importers import kolla_ansible, openstack_ansible
from spoflint.load.documents import load_foreign
from tests import helpers
from tests.helpers import EXAMPLES, REPO, assert_expected_findings, expected, judged, lint_import

FIXTURES = REPO / "fixtures" / "import" / "openstack-ansible"
CORPUS = helpers.CORPUS / "openstack-ansible"
CORPUS_FILES = sorted(CORPUS.glob("openstack_user_config.yml*")) if CORPUS.is_dir() else []
ENV_D = CORPUS / "env.d"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not next to the repo")
lint = partial(lint_import, openstack_ansible)  # (topology, findings) of an openstack_user_config


@cache
def linted(*paths: Path):
    return lint(*paths)


def fixture_cases() -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.suffix == ".yml" or p.is_dir())


def config_of(case: Path) -> Path:
    return case / "openstack_user_config.yml" if case.is_dir() else case


def text_at(path: str, line: int, column: int) -> str:
    return Path(path).read_text(encoding="utf-8").splitlines()[line - 1][column - 1 :]


# --- our fixtures ----------------------------------------------------------------------


def test_there_are_fixtures_both_ways():
    cases = fixture_cases()
    assert len(cases) >= 5
    assert any(expected(config_of(c)) for c in cases)
    assert any(not expected(config_of(c)) for c in cases)


@pytest.mark.parametrize("case", fixture_cases(), ids=lambda p: p.name)
def test_fixture(case: Path):
    _, findings = linted(case)
    assert_expected_findings(case.name, findings, expected(config_of(case)))


def test_all_in_one_fixture_runs_every_service_once_on_one_host():
    topology, findings = linted(FIXTURES / "all-in-one.yml")
    assert set(topology.hosts) == {"lab-aio"}
    assert all(s.hosts == ("lab-aio",) for s in topology.services.values())
    spof = next(f for f in findings if (f.rule, f.subject) == ("SPOF001", "lab-aio"))
    assert {"nova-api", "glance", "horizon", "neutron-server"} <= set(spof.services)


def test_lb_pair_without_vip():
    topology, findings = linted(FIXTURES / "lb-pair-without-vip.yml")
    haproxy = topology.services["haproxy"]
    assert haproxy.hosts == ("edge-lb1", "edge-lb2") and haproxy.vip is None
    assert all(
        s.load_balancer == "haproxy"
        for s in topology.services.values()
        if s.kind in ("keystone-api", "nova-api", "glance-api", "mariadb-galera")
    )


def test_nfs_filer_outside_the_inventory_is_a_host_of_its_own():
    topology, _ = linted(FIXTURES / "nfs-image-store.yml")
    assert topology.storage["glance-images"].kind == "nfs"
    assert topology.storage["glance-images"].hosts == ("nfs-10.20.8.50",)
    assert topology.services["glance"].storage == ("glance-images",)
    at = topology.where["nfs-10.20.8.50"]
    assert text_at(at.path, at.line, at.column).startswith('what: "10.20.8.50:/srv/glance"')


def test_affinity_zero_removes_a_container_from_a_host():
    topology, _ = linted(FIXTURES / "quorum-of-two.yml")
    assert topology.services["rabbitmq"].hosts == ("infra-1", "infra-2")
    assert topology.services["galera"].hosts == ("db-1", "db-2")
    assert topology.services["memcached"].hosts == ("infra-1", "infra-2", "infra-3")


def test_user_env_d_maps_custom_groups_and_zones_come_from_group_names():
    topology, _ = linted(FIXTURES / "az-env-d")
    assert topology.storage["ceph"].hosts == (
        "osd-az1-1",
        "osd-az1-2",
        "osd-az2-1",
        "osd-az2-2",
        "osd-az3-1",
        "osd-az3-2",
    )
    assert topology.services["ceph-mon"].hosts == ("ctl-az1", "ctl-az2", "ctl-az3")
    assert topology.services["glance"].storage == ("ceph",)
    assert "ceph-mon" in topology.services["cinder-volume"].depends_on
    assert {h.id: h.zone for h in topology.hosts.values() if h.id.startswith("ctl")} == {
        "ctl-az1": "az1",
        "ctl-az2": "az2",
        "ctl-az3": "az3",
    }
    # without the deployment's env.d the custom groups run nothing
    config = FIXTURES / "az-env-d" / "openstack_user_config.yml"
    bare, _ = lint(config)
    assert "ceph" not in bare.storage and "ceph-mon" not in bare.services


def test_availability_zone_variables_make_zones():
    topology, _ = linted(FIXTURES / "ceph-rbd.yml")
    assert set(topology.zones) == {"room-1", "room-2", "room-3"}
    assert topology.hosts["kvm-r2"].zone == "room-2"
    assert topology.services["haproxy"].vip == "keepalived"


# --- reading, positions and detection ----------------------------------------------------


def _all_configs() -> list[Path]:
    return [config_of(c) for c in fixture_cases()] + CORPUS_FILES


@pytest.mark.parametrize(
    "config", _all_configs(), ids=lambda p: p.name if p.parent == CORPUS else str(p.relative_to(FIXTURES))
)
def test_elements_point_at_their_entries_in_the_original_file(config: Path):
    case = config.parent if config.name == "openstack_user_config.yml" else config
    topology, _ = linted(case)
    for host, at in ((h, topology.where[h]) for h in topology.hosts):
        text = text_at(at.path, at.line, at.column)
        assert text.startswith(f"{host}:") or host.startswith("nfs-"), f"{host} at {at}: {text!r}"
    for service in topology.services:
        at = topology.where[service]
        path = Path(at.path)
        assert path.name == config.name or path.parent.name == "conf.d", (service, at)
        assert re.match(r"^[A-Za-z0-9_.-]+_hosts\s*:", text_at(at.path, at.line, at.column)), (service, at)


def test_detect():
    for case in fixture_cases():
        config = config_of(case)
        assert openstack_ansible.detect(config, config.read_bytes()), config
    env = FIXTURES / "az-env-d" / "env.d" / "az.yml"
    assert openstack_ansible.detect(env, env.read_bytes())
    variables = FIXTURES / "az-env-d" / "user_variables.yml"
    assert openstack_ansible.detect(variables, variables.read_bytes())
    for native in EXAMPLES.glob("*.yaml"):
        assert not openstack_ansible.detect(native, native.read_bytes()), native
    for inventory in (REPO / "fixtures" / "import" / "kolla-ansible").rglob("*"):
        if inventory.is_file():
            assert not openstack_ansible.detect(inventory, inventory.read_bytes()), inventory


@needs_corpus
def test_detect_corpus():
    for path in CORPUS_FILES + sorted(ENV_D.glob("*.yml")):
        assert openstack_ansible.detect(path, path.read_bytes()), path
        assert not kolla_ansible.detect(path, path.read_bytes()), path
    for other in sorted(helpers.CORPUS.rglob("*")):
        if other.is_file() and CORPUS not in other.parents:
            assert not openstack_ansible.detect(other, other.read_bytes()), other


def test_keepalived_switched_off_in_user_variables(tmp_path):
    config = tmp_path / "openstack_user_config.yml"
    config.write_text(
        "global_overrides:\n  internal_lb_vip_address: 10.0.0.9\n"
        "load_balancer_hosts:\n  lb1: {ip: 10.0.0.5}\n  lb2: {ip: 10.0.0.6}\n"
        "shared_infra_hosts:\n  i1: {ip: 10.0.0.11}\n  i2: {ip: 10.0.0.12}\n  i3: {ip: 10.0.0.13}\n"
    )
    topology, _ = lint(config)
    assert topology.services["haproxy"].vip == "keepalived"
    (tmp_path / "user_variables.yml").write_text("haproxy_use_keepalived: false\n")
    topology, findings = lint(config, tmp_path / "user_variables.yml")
    assert topology.services["haproxy"].vip is None
    assert ("SVC004", "haproxy") in judged(findings)
    topology, _ = lint(tmp_path)  # the folder: its config and user_variables
    assert topology.services["haproxy"].vip is None


def test_no_load_balancer_hosts_means_one_the_file_does_not_describe(tmp_path):
    config = tmp_path / "openstack_user_config.yml"
    config.write_text(
        "global_overrides:\n  internal_lb_vip_address: 10.0.0.9\n"
        "shared_infra_hosts:\n  i1: {ip: 10.0.0.11}\n  i2: {ip: 10.0.0.12}\n  i3: {ip: 10.0.0.13}\n"
        "identity_hosts:\n  i1: {ip: 10.0.0.11}\n  i2: {ip: 10.0.0.12}\n  i3: {ip: 10.0.0.13}\n"
    )
    topology, findings = lint(config)
    assert topology.network["load-balancer"].kind == "lb-appliance"
    assert topology.services["keystone"].vip == "lb-appliance"
    assert not judged(findings)
    assert {f.subject for f in findings if f.rule == "MODEL001"} >= {"load-balancer", "i1"}


def test_several_containers_on_one_host_are_a_pool(tmp_path):
    config = tmp_path / "openstack_user_config.yml"
    config.write_text("shared_infra_hosts:\n  only:\n    ip: 10.0.0.11\n    affinity:\n      galera_container: 3\n")
    topology, findings = lint(config)
    galera = topology.services["galera"]
    assert (galera.replicas, galera.pool, galera.hosts) == (3, ("only",), ())
    assert ("SPOF001", "only") in judged(findings)


def test_accept_comments_in_the_file(tmp_path):
    config = tmp_path / "openstack_user_config.yml"
    config.write_text("shared_infra_hosts:\n  solo:  # spoflint: accept SPOF001 a throwaway lab\n    ip: 10.0.0.11\n")
    _, findings = lint(config)
    spof = next(f for f in findings if (f.rule, f.subject) == ("SPOF001", "solo"))
    assert spof.suppressed == "a throwaway lab"


def test_host_ids_that_clash_with_services_leave_the_service_a_suffix(tmp_path):
    config = tmp_path / "openstack_user_config.yml"
    config.write_text("shared_infra_hosts:\n  galera: {ip: 10.0.0.11}\n  b: {ip: 10.0.0.12}\n  c: {ip: 10.0.0.13}\n")
    topology, _ = lint(config)
    assert topology.services["galera-service"].hosts == ("galera", "b", "c")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("shared_infra_hosts:\n  - infra1\n", "expected a mapping of host names"),
        ("shared_infra_hosts:\n  infra1: 10.0.0.1\n", "expected the host's settings"),
        ("shared_infra_hosts:\n  infra1: {ip: 10.0.0.1}\nshared_infra_hosts: {}\n", "duplicate key"),
    ],
)
def test_bad_input_is_a_located_error(tmp_path, text, message):
    config = tmp_path / "openstack_user_config.yml"
    config.write_text(text)
    with pytest.raises(InputError) as caught:
        openstack_ansible.read([str(config)])
    assert message in caught.value.message and caught.value.line >= 1


def test_no_config_among_the_paths(tmp_path):
    (tmp_path / "user_variables.yml").write_text("glance_default_store: rbd\n")
    with pytest.raises(InputError, match="no openstack_user_config"):
        openstack_ansible.read([str(tmp_path / "user_variables.yml")])
    with pytest.raises(InputError, match="no such file"):
        openstack_ansible.read([str(tmp_path / "missing.yml")])


INFRA = "shared_infra_hosts:\n  i1: {ip: 10.0.0.11}\n  i2: {ip: 10.0.0.12}\n  i3: {ip: 10.0.0.13}\n"
LBS = "haproxy_hosts:\n  i1: {ip: 10.0.0.11}\n  i2: {ip: 10.0.0.12}\n"


def test_empty_and_all_comment_conf_d_files_are_empty_as_osa_reads_them(tmp_path):
    helpers.write(tmp_path / "openstack_user_config.yml", "global_overrides:\n  internal_lb_vip_address: 10.0.0.9\n")
    helpers.write(tmp_path / "conf.d" / "infra.yml", INFRA)
    helpers.write(tmp_path / "conf.d" / "empty.yml", "")
    helpers.write(tmp_path / "conf.d" / "comments.yml", "---\n# swift_hosts:\n#   s1: {ip: 10.0.0.31}\n")
    helpers.write(tmp_path / "conf.d" / "null.yml", "---\n...\n")
    helpers.write(tmp_path / "conf.d" / "az" / "compute.yml", "compute_hosts:\n  hv1: {ip: 10.0.0.21}\n")
    topology, _ = lint(tmp_path)  # conf.d walked down, as OpenStack-Ansible does
    assert set(topology.hosts) == {"i1", "i2", "i3", "hv1"}
    named = [tmp_path / "openstack_user_config.yml", *sorted((tmp_path / "conf.d").rglob("*.yml"))]
    topology, _ = lint(*named)
    assert set(topology.hosts) == {"i1", "i2", "i3", "hv1"}
    empty = tmp_path / "conf.d" / "empty.yml"
    assert openstack_ansible.detect(empty, empty.read_bytes())  # found beside the config, it is the deployment's


def test_a_config_with_no_hosts_says_so(tmp_path):
    config = helpers.write(tmp_path / "openstack_user_config.yml", "---\n# shared_infra_hosts:\n#   i1: {}\n")
    with pytest.raises(InputError, match="no hosts") as caught:
        openstack_ansible.read([str(config)])
    assert "version" not in caught.value.message


@pytest.mark.parametrize(
    ("vip", "owner"),
    [("10.0.0.12", "i2"), ("10.0.0.11/32", "i1"), ("10.0.0.13", "i3")],
)
def test_vip_that_is_a_host_address_does_not_float(tmp_path, vip, owner):
    config = helpers.write(
        tmp_path / "openstack_user_config.yml", f"global_overrides:\n  internal_lb_vip_address: {vip}\n{INFRA}{LBS}"
    )
    topology, findings = lint(config)
    haproxy = topology.services["haproxy"]
    assert haproxy.vip is None
    assert ("SVC004", "haproxy") in judged(findings)
    note = next(f for f in findings if f.rule == "MODEL001" and f.subject == "haproxy")
    assert f"is the own address of {owner}" in note.message
    if owner in haproxy.hosts:
        assert haproxy.hosts[0] == owner and ("SPOF001", owner) in judged(findings)
    else:
        assert "which does not run HAProxy" in note.message


def test_vault_unsafe_and_jinja_values_are_opaque(tmp_path):
    config = helpers.write(
        tmp_path / "openstack_user_config.yml",
        "global_overrides:\n  internal_lb_vip_address: !vault |\n    $ANSIBLE_VAULT;1.1;AES256\n    6134\n"
        f"{INFRA}{LBS}"
        "image_hosts:\n  i1:\n    ip: '{{ infra1_ip }}'\n    container_vars:\n      glance_nfs_client:\n"
        "        - server: '{{ nfs_server }}'\n          remote_path: /images\n",
    )
    secrets = helpers.write(tmp_path / "user_secrets.yml", "keystone_auth_admin_password: !unsafe 'p{{4ss'\n")
    topology, findings = lint(config, secrets)
    assert topology.services["haproxy"].vip == "keepalived"
    assert not [h for h in topology.hosts if h.startswith("nfs-")]  # an unrendered server is no host
    notes = [f.message for f in findings if f.rule == "MODEL001"]
    assert any("names its server with a Jinja expression: render the file first" in m for m in notes), notes
    value = load_foreign(secrets.read_bytes(), "user_secrets.yml", "an OpenStack-Ansible variables file")
    assert value["keystone_auth_admin_password"] == "p{{4ss"
    assert value["keystone_auth_admin_password"].tag == "!unsafe"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        # the .aio files of OpenStack-Ansible's conf.d are templates bootstrap-aio renders
        (
            "conf.d/galera.yml",
            "---\ndatabase_hosts:\n  aio1:\n    ip: {{ bootstrap_host_public_address }}\n",
            "line 4: this OpenStack-Ansible conf.d file is a Jinja template",
        ),
        (
            "conf.d/repo.yml",
            "---\nrepo_infra_hosts:\n  aio1:\n{% if distro %}\n    affinity: {repo_container: 0}\n{% endif %}\n",
            "line 4: this OpenStack-Ansible conf.d file is a Jinja template",
        ),
        (
            "openstack_user_config.yml",
            '---\nshared_infra_hosts:\n  "{{ inventory_hostname }}":\n    ip: 10.0.0.1\n',
            "line 3: the host name .* is a Jinja template",
        ),
        ("openstack_user_config.yml", "- shared_infra_hosts\n", "holds a mapping of names to values, not a list"),
        ("openstack_user_config.yml", "a_hosts: {}\n---\nb_hosts: {}\n", "a second YAML document"),
    ],
)
def test_errors_in_these_files_name_the_file_never_a_topology(tmp_path, name, text, message):
    helpers.write(tmp_path / "openstack_user_config.yml", INFRA)
    path = helpers.write(tmp_path / name, text)
    with pytest.raises(InputError) as caught:
        openstack_ansible.read([str(tmp_path / "openstack_user_config.yml"), str(path)])
    error = caught.value
    assert re.search(message, f"line {error.line}: {error.message}"), str(error)
    assert "version" not in error.message and "topology" not in error.message


def test_groups_that_run_nothing_modelled_are_a_note(tmp_path):
    config = helpers.write(
        tmp_path / "openstack_user_config.yml",
        INFRA + "metering-alarm_hosts:\n  i1: {ip: 10.0.0.11}\nrepo-infra_hosts:\n  i1: {ip: 10.0.0.11}\n",
    )
    _, findings = lint(config)
    notes = [f.message for f in findings if f.rule == "MODEL001" and "run nothing" in f.message]
    assert len(notes) == 1 and "metering-alarm_hosts" in notes[0] and "repo-infra" not in notes[0]


def test_docstring_says_what_it_understands_and_ignores():
    doc = openstack_ansible.__doc__
    assert "What it understands" in doc and "What it ignores" in doc


# --- the shared corpus -------------------------------------------------------------------

CORPUS_MUST = {
    "openstack_user_config.yml.aio": {
        ("SPOF001", "aio1"),
        ("SPOF002", "aio1"),
        ("SVC004", "haproxy"),
        ("SVC001", "galera"),
        ("SVC001", "rabbitmq"),
        ("SVC001", "memcached"),
        ("STATE002", "galera"),
    },
    "openstack_user_config.yml.test.example": {
        ("SPOF001", "infra1"),
        ("SPOF001", "compute1"),
        ("SPOF002", "storage1"),
        ("SPOF002", "infra1"),
        ("STATE005", "cinder-lvm"),
        ("SVC004", "haproxy"),
        ("SVC001", "keystone"),
    },
    "openstack_user_config.yml.prod.example": {
        ("SPOF001", "nfs-172.29.244.15"),
        ("SPOF002", "nfs-172.29.244.15"),
        ("STATE005", "glance-images"),
        ("STATE005", "cinder-nfs_volume"),
    },
    "openstack_user_config.yml.prod-ceph.example": set(),
    "openstack_user_config.yml.az.example": set(),
}
CLEAN = {"openstack_user_config.yml.prod-ceph.example", "openstack_user_config.yml.az.example"}


@needs_corpus
def test_every_corpus_file_has_expectations():
    assert {p.name for p in CORPUS_FILES} == set(CORPUS_MUST)


@needs_corpus
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_file(path: Path):
    topology, findings = linted(path)
    assert topology.hosts and topology.services
    found = judged(findings)
    missing = CORPUS_MUST[path.name] - found
    assert not missing, f"{path.name}: missing {sorted(missing)}"
    if path.name in CLEAN:
        assert not found, f"{path.name}: {sorted(found)}"
    assert {f.rule for f in findings if f.severity == "note"} <= {"MODEL001"}


@needs_corpus
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_bundled_env_d_facts_agree_with_the_corpus_env_d(path: Path):
    bundled, _ = linted(path)
    theirs, _ = linted(path, ENV_D)
    assert bundled.services == theirs.services
    assert bundled.storage == theirs.storage
    assert bundled.hosts == theirs.hosts


@needs_corpus
def test_all_in_one_every_service_single_instance():
    topology, findings = linted(CORPUS / "openstack_user_config.yml.aio")
    assert set(topology.hosts) == {"aio1"}
    assert topology.services and all(s.hosts == ("aio1",) for s in topology.services.values())
    assert {("SVC001", s) for s in topology.services} <= judged(findings)


@needs_corpus
def test_az_example_control_plane_is_clean():
    """Three infra hosts, one per zone: Galera, RabbitMQ, memcached and the APIs on all
    three; nothing above a note, and the notes say what the file cannot: power, the
    network, the load balancer in front (no haproxy hosts in this example)."""
    topology, findings = linted(CORPUS / "openstack_user_config.yml.az.example")
    infra = ("infra1", "infra2", "infra3")
    for service in (
        "galera",
        "rabbitmq",
        "memcached",
        "keystone",
        "nova-api",
        "neutron-server",
        "glance",
        "placement",
        "cinder-api",
        "horizon",
        "ovn-ovsdb",
        "zookeeper",
    ):
        assert topology.services[service].hosts == infra, service
    assert [topology.hosts[h].zone for h in infra] == ["az1", "az2", "az3"]
    assert len(topology.services["nova-compute"].hosts) == 8
    assert not judged(findings)
    notes = [f for f in findings if f.severity == "note"]
    assert notes and all(f.rule == "MODEL001" for f in notes)
    for note in notes:
        assert re.search(r"no power|no links|no entry points|run nothing|glance keeps images", note.message), (
            note.message
        )
    # every host lacks power: one note for them all, on the first written, naming the infra hosts
    (powerless,) = [f for f in notes if f.message.startswith(f"{len(topology.hosts)} hosts have no power")]
    assert powerless.subject == "infra1" and all(f"{h}," in powerless.message for h in infra)
    assert "load-balancer" in {f.subject for f in notes}


@needs_corpus
def test_prod_ceph_example_models_ceph():
    topology, _ = linted(CORPUS / "openstack_user_config.yml.prod-ceph.example")
    assert topology.storage["ceph"].hosts == ("osd1", "osd2", "osd3")
    assert (topology.storage["ceph"].replicas, topology.storage["ceph"].min_replicas) == (3, 2)
    assert topology.services["ceph-mon"].hosts == ("infra1", "infra2", "infra3")
    assert topology.services["haproxy"].vip == "keepalived"
    # the anchored group points at where its hosts were written
    at = topology.where["infra1"]
    assert text_at(at.path, at.line, at.column).startswith("infra1:")


def test_a_ceph_pool_on_one_osd_host_keeps_one_copy_and_is_said_so(tmp_path):
    """A size-3 pool on one OSD host keeps one copy (one per host): the reader writes what
    that host can hold, so the model is not "down with nothing failed" (an input error),
    and STATE005 says the storage has a single host."""
    text = (REPO / "fixtures" / "import" / "openstack-ansible" / "ceph-rbd.yml").read_text()
    start = text.index("ceph-osd_hosts:")
    end = text.index("compute_hosts:")
    one = "ceph-osd_hosts:\n  osd-r1:\n    ip: 172.29.236.21\n\n"
    path = tmp_path / "openstack_user_config.yml"
    path.write_text(text[:start] + one + text[end:])
    topology, findings = lint(path)
    (ceph,) = [s for s in topology.storage.values() if s.kind == "ceph"]
    assert ceph.hosts == ("osd-r1",) and ceph.min_replicas <= 1
    assert ("STATE005", ceph.id) in {(f.rule, f.subject) for f in findings}
