"""`spoflint init`'s library side (spoflint.views.starter): the starter topology, the
imported one with its physical layer sketched, and the file written without clobbering.

The starter is held to what a new user relies on: it checks clean with every rule at
every severity, describes every layer, and is smaller than the full example it is
modelled on. An imported start is held to `spoflint import`'s result (same elements,
same findings), and its sketches, once uncommented, to a valid topology in which the
power, cooling and network gaps are gone. The command line is in tests/cli/test_init_cli.py.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from spoflint import engine
from spoflint.errors import InputError, UsageError
from spoflint.importers.assemble import import_files
from spoflint.model import SECTIONS
from spoflint.views import starter
from tests.helpers import FIXTURES, HA, topology_of, write

IMPORTS = FIXTURES / "import"
FORMATS = ("compose", "kubernetes", "openstack-ansible", "kolla-ansible")
# the MODEL001 gaps an imported topology has and the sketches fill in
PHYSICAL_GAPS = (
    "have no power",
    "has no power",
    "declare no cooling",
    "declares no cooling",
    "cabled to nothing",
    "no entry points",
)
# a commented placeholder line: `#` then a YAML key or a list item, as written by the sketch
PLACEHOLDER = re.compile(r"^( *)# ( *(?:[a-z][\w-]*:(?: |$)|- ).*)$")


def lint(text: str, name: str = "topology.yaml"):
    return engine.check(topology_of(text, name), engine.Config())


def uncommented(text: str) -> str:
    """The text with every placeholder line of the body (below `version: 1`) uncommented."""
    head, body = text.split("\nversion: 1\n", 1)
    return head + "\nversion: 1\n" + "\n".join(PLACEHOLDER.sub(r"\1\2", line) for line in body.split("\n"))


def imported_starts() -> list[tuple[str, Path]]:
    """(format, fixture) for every importer fixture that `spoflint import` reads."""
    found = []
    for fmt in FORMATS:
        for entry in sorted((IMPORTS / fmt).iterdir()):
            if entry.suffix in (".yaml", ".yml") or entry.is_dir():
                try:
                    import_files(fmt, [str(entry)])
                except InputError:
                    continue  # a fixture of bad input
                found.append((fmt, entry))
    return found


STARTS = imported_starts()


# --- the starter ---------------------------------------------------------------------------


def test_the_starter_checks_clean_at_every_severity():
    findings = lint(starter.render())
    assert [(f.rule, f.subject, f.message) for f in findings] == []


def test_the_starter_describes_every_layer_and_is_smaller_than_the_full_example():
    text = starter.render()
    topology = topology_of(text)
    full = topology_of(HA.read_text(encoding="utf-8"))
    for section in SECTIONS:
        if section != "storage":  # the starter's data is replicated by Galera, on local disks
            assert re.search(rf"^{section}:", text, re.M), section
    assert "objectives:" in text and "entrypoints:" in text
    assert 0 < len(topology.hosts) < len(full.hosts)
    assert 0 < len(topology.services) < len(full.services)


def test_the_starter_is_commented_section_by_section():
    lines = starter.render().splitlines()
    for section in ("objectives", "entrypoints", "zones", "power", "cooling", "racks", "network", "hosts", "services"):
        at = next(i for i, line in enumerate(lines) if line.startswith(f"{section}:"))
        assert lines[at - 1].startswith("#"), f"no comment above {section}"


def test_the_starter_is_package_data_read_once():
    assert starter.render() is starter.render()
    assert starter.render().startswith("# A starter topology, written by `spoflint init`")


# --- an imported start ---------------------------------------------------------------------


def test_every_reader_has_fixtures_to_start_from():
    assert {fmt for fmt, _ in STARTS} == set(FORMATS)
    assert len(STARTS) >= 20


@pytest.mark.parametrize(("fmt", "fixture"), STARTS, ids=[f"{f}-{p.name}" for f, p in STARTS])
def test_an_imported_start_is_the_import_with_the_same_findings(fmt, fixture):
    text = starter.render([str(fixture)])
    plain = import_files(fmt, [str(fixture)])
    mine, theirs = topology_of(text), topology_of(plain)
    for section in SECTIONS:
        assert set(getattr(mine, section, {}) or {}) == set(getattr(theirs, section, {}) or {}), section
    assert {(f.rule, f.subject) for f in lint(text)} == {(f.rule, f.subject) for f in lint(plain)}
    notes = [line for line in plain.splitlines()[1:] if line.startswith("#   ")]
    assert all(note in text for note in notes), "the reader's notes are kept"


@pytest.mark.parametrize(("fmt", "fixture"), STARTS, ids=[f"{f}-{p.name}" for f, p in STARTS])
def test_an_imported_start_uncommented_describes_the_physical_layer(fmt, fixture):
    text = starter.render([str(fixture)])
    filled = uncommented(text)
    if not topology_of(text).hosts:  # custom resources only: nothing to place
        assert filled == text and "# racks:" not in text
        return
    assert filled != text
    topology = topology_of(filled)
    assert topology.power and topology.cooling and topology.racks and topology.network
    for host in topology.hosts.values():
        assert host.rack in topology.racks, host.id
        assert host.links == (f"{host.id}--sw-1", f"{host.id}--sw-2"), host.id
    gaps = [f.message for f in lint(filled) if f.rule == "MODEL001" and any(g in f.message for g in PHYSICAL_GAPS)]
    assert gaps == []


def test_an_imported_start_names_each_host_in_its_sketch():
    text = starter.render([str(IMPORTS / "kolla-ansible" / "ceph-backed")])
    hosts = ("ctl01", "ctl02", "ctl03", "net01", "net02", "hv01", "hv02", "hv03", "hv04", "mon01")
    for host in hosts:
        assert re.search(rf"^  {host}:\n    # rack: r[123]\n    # nics: \[sw-1, sw-2\]$", text, re.M), host
    assert "# In this sketch r1 holds ctl01, net01, hv02, mon01." in text  # ten hosts in turn over three racks
    assert "# In this sketch r2 holds ctl02, net02, hv03." in text  # the three controllers in three racks
    assert "# racks:\n#   r1: {cooling: [crac-1, crac-2], power: [pdu-a, pdu-b]}" in text


def test_zoned_hosts_get_a_rack_in_their_zone():
    text = starter.render([str(IMPORTS / "openstack-ansible" / "az-env-d")])
    topology = topology_of(uncommented(text))
    for host in topology.hosts.values():
        assert topology.racks[host.rack].zone == host.zone, host.id


def test_an_assumed_host_says_what_to_do_with_it():
    text = starter.render([str(IMPORTS / "compose" / "blog.compose.yaml")])
    block = text.split("\nhosts:\n", 1)[1].split("\n\n", 1)[0]
    assert "assumed: the Docker host the Compose file implies" in block
    assert "# (the reader made this host up: describe the real machine here, then write" in block
    assert block.rstrip().endswith("    # rack: r1\n    # nics: [sw-1, sw-2]")


def test_the_format_is_detected_or_given():
    compose = str(IMPORTS / "compose" / "blog.compose.yaml")
    assert starter.detect_format([compose]) == "compose"
    assert starter.detect_format([str(IMPORTS / "kolla-ansible" / "ceph-backed")]) == "kolla-ansible"
    assert "these compose files" in starter.render([compose], "compose")


def test_sources_of_several_formats_name_them(tmp_path):
    compose = IMPORTS / "compose" / "blog.compose.yaml"
    kube = IMPORTS / "kubernetes" / "shop.yaml"
    with pytest.raises(UsageError, match=r"hold files of several formats \(compose: .*; kubernetes: .*\): name one"):
        starter.detect_format([str(compose), str(kube)])


def test_nothing_to_import_says_so(tmp_path):
    native = write(tmp_path / "infra.yaml", "version: 1\nhosts: {h: {}}\n")
    with pytest.raises(UsageError, match="infra.yaml is already a native topology: there is nothing to import"):
        starter.detect_format([str(native)])
    empty = tmp_path / "empty"
    empty.mkdir()
    write(empty / "notes.yaml", "just: yaml\n")
    with pytest.raises(UsageError, match="no Compose, Kubernetes, OpenStack-Ansible or kolla-ansible files in"):
        starter.detect_format([str(empty)])
    with pytest.raises(InputError, match="no such file or directory"):
        starter.detect_format([str(tmp_path / "missing.yaml")])


# --- writing -------------------------------------------------------------------------------


def test_write_makes_the_file_with_the_usual_mode(tmp_path):
    target = tmp_path / "topology.yaml"
    starter.write(str(target), "version: 1\n")
    assert target.read_text() == "version: 1\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["topology.yaml"], "no temporary file left"


def test_write_never_overwrites_unless_forced(tmp_path):
    target = write(tmp_path / "topology.yaml", "mine\n")
    with pytest.raises(
        UsageError, match=r"topology.yaml already exists: spoflint init does not overwrite it \(--force"
    ):
        starter.write(str(target), "version: 1\n")
    assert target.read_text() == "mine\n"
    dangling = tmp_path / "link.yaml"
    dangling.symlink_to(tmp_path / "nowhere.yaml")
    with pytest.raises(UsageError, match="already exists"):
        starter.write(str(dangling), "version: 1\n")
    assert not (tmp_path / "nowhere.yaml").exists()
    starter.write(str(target), "version: 1\n", force=True)
    assert target.read_text() == "version: 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.yaml", "topology.yaml"]


def test_a_file_made_meanwhile_is_not_clobbered(tmp_path, monkeypatch):
    """The check before writing can be raced; the hard link that puts the file in place
    cannot: it fails when the target appeared after the check."""
    target = tmp_path / "topology.yaml"
    real_link = os.link

    def racing_link(source, destination):
        Path(destination).write_text("theirs\n")
        real_link(source, destination)

    monkeypatch.setattr(os, "link", racing_link)
    with pytest.raises(UsageError, match="already exists"):
        starter.write(str(target), "version: 1\n")
    assert target.read_text() == "theirs\n"
    assert [p.name for p in tmp_path.iterdir()] == ["topology.yaml"]


def test_write_where_it_cannot_says_why(tmp_path):
    with pytest.raises(UsageError, match="is a directory: name the file to write"):
        starter.write(str(tmp_path), "version: 1\n")
    with pytest.raises(UsageError, match=r"cannot write .*missing/topology.yaml: No such file or directory"):
        starter.write(str(tmp_path / "missing" / "topology.yaml"), "version: 1\n")
