"""Descriptions that contradict themselves are input errors, never notes with exit 0.

A `quorum` or `min_instances` above the instances a service runs, a `min_replicas` above
the copies a storage backend keeps, and an availability of 1 or less (a fraction where a
percentage is meant) would leave services down with nothing failed, or silently disable
OBJ001. The builder refuses each at the value written: file, line and column.
"""

from __future__ import annotations

import pytest

from spoflint.errors import InputError
from tests.helpers import assert_one_line_error, invoke, topology_of, write

HOSTS = """\
version: 1
hosts:
  h1: {}
  h2: {}
  h3: {}
"""


def error_of(text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        topology_of(text)
    return caught.value


def at(error: InputError) -> tuple[int, int]:
    return error.line, error.column


def place(text: str, line: int, value: str) -> tuple[int, int]:
    """Line and column (1-based) of `value` on that line of `text`."""
    return line, text.splitlines()[line - 1].index(value) + 1


# --- services: quorum and min_instances -----------------------------------------------


def test_a_quorum_above_the_members_is_an_error_at_the_quorum():
    text = HOSTS + "services:\n  galera: {kind: mariadb-galera, hosts: [h1, h2, h3], quorum: 4}\n"
    error = error_of(text)
    assert at(error) == place(text, 7, "4}")
    assert error.path == "t.yaml"
    assert error.message == (
        "`quorum: 4` asks for 4 instances up, but galera has 3: it would be down with nothing failed"
    )


def test_min_instances_above_the_instances_is_an_error():
    text = HOSTS + "services:\n  web:\n    kind: nginx\n    hosts: [h1, h2]\n    min_instances: 3\n"
    error = error_of(text)
    assert at(error) == place(text, 10, "3")
    assert "`min_instances: 3` asks for 3 instances up, but web has 2" in error.message


def test_a_pool_counts_its_replicas_not_its_hosts():
    text = HOSTS + "services:\n  api: {kind: nginx, replicas: 2, pool: [h1, h2, h3], quorum: 3}\n"
    assert "but api has 2" in error_of(text).message
    ok = topology_of(text.replace("quorum: 3", "quorum: 2"))
    assert ok.services["api"].quorum == 2


@pytest.mark.parametrize("written", ["quorum: 3", "quorum: majority", "min_instances: 3", "quorum: none"])
def test_what_the_members_can_give_is_allowed(written):
    t = topology_of(HOSTS + f"services:\n  etcd: {{kind: etcd, hosts: [h1, h2, h3], {written}}}\n")
    assert t.services["etcd"].need <= 3


def test_a_contradiction_ends_check_with_status_2_not_a_note(tmp_path):
    text = HOSTS + "services:\n  galera: {kind: mariadb-galera, hosts: [h1, h2, h3], quorum: 5}\n"
    result = invoke("check", write(tmp_path / "impossible.yaml", text))
    line, column = place(text, 7, "5}")
    assert_one_line_error(
        result, rf".*impossible\.yaml:{line}:{column}: `quorum: 5` asks for 5 instances up, but galera has 3: .*"
    )


# --- storage: min_replicas ------------------------------------------------------------


def test_min_replicas_above_replicas_is_an_error_at_min_replicas():
    text = HOSTS + "storage:\n  ceph: {kind: ceph, hosts: [h1, h2, h3], replicas: 2, min_replicas: 3}\n"
    error = error_of(text)
    assert at(error) == place(text, 7, "3}")
    assert error.message == (
        "`min_replicas: 3` asks for 3 copies up, but ceph keeps 2: it would be down with nothing failed"
    )


def test_min_replicas_above_the_hosts_says_a_host_holds_one_copy():
    error = error_of(HOSTS + "storage:\n  ceph: {kind: ceph, hosts: [h1, h2, h3], replicas: 5, min_replicas: 4}\n")
    assert "but ceph keeps 3 (`replicas: 5` on 3 hosts, one copy a host)" in error.message


def test_min_replicas_above_the_default_copies_is_an_error():
    error = error_of(HOSTS + "storage:\n  nfs: {kind: nfs, hosts: [h1], min_replicas: 2}\n")
    assert "but nfs keeps 1" in error.message


def test_storage_without_hosts_keeps_its_replicas():
    assert "but san keeps 1" in error_of("version: 1\nstorage:\n  san: {kind: san, min_replicas: 2}\n").message
    t = topology_of("version: 1\nstorage:\n  san: {kind: san, replicas: 2, min_replicas: 2}\n")
    assert (t.storage["san"].replicas, t.storage["san"].min_replicas) == (2, 2)


def test_as_many_copies_as_needed_is_allowed():
    t = topology_of(HOSTS + "storage:\n  ceph: {kind: ceph, hosts: [h1, h2, h3], replicas: 3, min_replicas: 3}\n")
    assert t.storage["ceph"].min_replicas == 3


# --- availability: percent, not a fraction ----------------------------------------------


@pytest.mark.parametrize(
    ("value", "meant"), [("0.9999", "99.99"), ("0.999", "99.9"), ("0.99995", "99.995"), ("1", "100"), ("0.5", "50")]
)
def test_an_objective_of_one_or_less_is_a_fraction(value, meant):
    error = error_of(f"version: 1\nobjectives:\n  availability: {value}\n")
    assert at(error) == (3, 17)
    assert error.message == f"{value} looks like a fraction: `availability` is in percent, write {meant}"


def test_an_element_availability_of_one_or_less_is_a_fraction():
    text = "version: 1\nhosts:\n  h1: {availability: 0.999}\n"
    error = error_of(text)
    assert at(error) == place(text, 3, "0.999")
    assert "write 99.9" in error.message


@pytest.mark.parametrize("value", ["0", "-1", "101"])
def test_an_objective_outside_0_to_100_is_a_schema_error(value):
    error = error_of(f"version: 1\nobjectives:\n  availability: {value}\n")
    assert at(error) == (3, 17)
    assert "objectives.availability" in error.message


def test_percentages_are_kept():
    t = topology_of("version: 1\nobjectives: {availability: 99.99}\nhosts:\n  h1: {availability: 99.5}\n")
    assert t.objectives["availability"] == 99.99
    assert t.availability["h1"] == pytest.approx(0.995)


def test_every_document_s_objectives_are_checked():
    from spoflint import model
    from spoflint.load import load_text

    documents = [load_text("version: 1\nobjectives: {availability: 99.9}\n", "a.yaml")]
    documents.append(load_text("version: 1\nobjectives: {availability: 0.99}\n", "b.yaml"))
    with pytest.raises(InputError) as caught:
        model.build(documents)
    assert (caught.value.path, caught.value.line) == ("b.yaml", 2)
