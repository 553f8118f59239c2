"""`spoflint init` through the command line: the starter written and checked clean, the
imported start with its sketches, never an existing file overwritten without --force,
standard output with `-`, and one-line errors (exit 2). The library side is in
tests/views/test_starter.py."""

from __future__ import annotations

import json
import shutil

from tests.helpers import FIXTURES, assert_one_line_error, invoke, write

BLOG = FIXTURES / "import" / "compose" / "blog.compose.yaml"
KOLLA = FIXTURES / "import" / "kolla-ansible" / "ceph-backed"


def test_init_writes_a_starter_that_checks_clean(in_tmp):
    result = invoke("init")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Wrote topology.yaml: a commented example")
    assert result.stdout.rstrip().endswith("Next: spoflint check topology.yaml")
    assert (in_tmp / "topology.yaml").read_text().startswith("# A starter topology, written by `spoflint init`")
    checked = invoke("check", "--fail-on", "note", "topology.yaml")
    assert checked.exit_code == 0, checked.output
    assert checked.stdout == "No findings.\n"


def test_init_never_overwrites_without_force(in_tmp):
    mine = write(in_tmp / "topology.yaml", "# mine\n")
    result = invoke("init")
    assert_one_line_error(
        result, r"spoflint: error: topology\.yaml already exists: spoflint init does not overwrite it \(--force does\)"
    )
    assert mine.read_text() == "# mine\n"
    result = invoke("init", "--force")
    assert result.exit_code == 0, result.output
    assert mine.read_text().startswith("# A starter topology")
    assert sorted(p.name for p in in_tmp.iterdir()) == ["topology.yaml"], "no temporary file left"


def test_init_writes_the_path_given(in_tmp):
    (in_tmp / "infra").mkdir()
    result = invoke("init", "infra/site.yaml")
    assert result.exit_code == 0, result.output
    assert (in_tmp / "infra" / "site.yaml").is_file() and not (in_tmp / "topology.yaml").exists()
    assert "Next: spoflint check infra/site.yaml" in result.stdout
    assert_one_line_error(invoke("init", "missing/site.yaml"), r"spoflint: error: cannot write missing/site\.yaml: .*")
    assert_one_line_error(invoke("init", "infra"), r"spoflint: error: infra is a directory: name the file to write .*")


def test_init_dash_writes_standard_output(in_tmp):
    result = invoke("init", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# A starter topology") and "\nversion: 1\n" in result.stdout
    assert list(in_tmp.iterdir()) == []


def test_init_from_a_compose_file(in_tmp):
    shutil.copy(BLOG, in_tmp / BLOG.name)
    result = invoke("init", "--from", BLOG.name)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote topology.yaml: the topology imported from {BLOG.name}")
    text = (in_tmp / "topology.yaml").read_text()
    assert text.startswith(f"# Written by `spoflint init --from {BLOG.name}`:")
    assert "  blog-host:\n" in text and "    # rack: r1\n    # nics: [sw-1, sw-2]\n" in text
    assert "# racks:\n" in text and "# power:\n" in text and "# cooling:\n" in text and "# network:\n" in text
    imported = invoke("check", "--format", "json", "topology.yaml")
    original = invoke("check", "--format", "json", BLOG.name)
    assert imported.exit_code == original.exit_code == 1

    def judged(result):
        return sorted((f["rule"], f["subject"]) for f in json.loads(result.stdout)["findings"])

    assert judged(imported) == judged(original)


def test_init_from_an_inventory_folder_with_its_format(in_tmp):
    shutil.copytree(KOLLA, in_tmp / "kolla")
    result = invoke("init", "--from", "kolla", "--input-format", "kolla-ansible", "cloud.yaml")
    assert result.exit_code == 0, result.output
    text = (in_tmp / "cloud.yaml").read_text()
    assert "the topology imported from these kolla-ansible files" in text
    assert "# In this sketch r1 holds ctl01, net01, hv02, mon01." in text
    assert invoke("check", "cloud.yaml").exit_code in (0, 1)


def test_init_from_errors_are_one_line(in_tmp):
    shutil.copy(BLOG, in_tmp / "compose.yaml")
    shutil.copy(FIXTURES / "import" / "kubernetes" / "shop.yaml", in_tmp / "shop.yaml")
    assert_one_line_error(
        invoke("init", "--from", "compose.yaml", "--from", "shop.yaml"),
        r"spoflint: error: compose\.yaml, shop\.yaml hold files of several formats \(compose: compose\.yaml; "
        r"kubernetes: shop\.yaml\): name one with --input-format",
    )
    assert_one_line_error(invoke("init", "--from", "nowhere.yaml"), r"nowhere\.yaml:1:1: no such file or directory")
    write(in_tmp / "site.yaml", "version: 1\nhosts: {h: {}}\n")
    assert_one_line_error(
        invoke("init", "--from", "site.yaml", "other.yaml"),
        r"spoflint: error: site\.yaml is already a native topology: there is nothing to import .*",
    )
    assert_one_line_error(
        invoke("init", "--input-format", "compose"),
        r"spoflint: error: --input-format says how to read the --from files: name them with --from",
    )
    assert sorted(p.name for p in in_tmp.iterdir()) == ["compose.yaml", "shop.yaml", "site.yaml"]


def test_init_is_in_the_help():
    result = invoke("--help")
    assert "init" in result.stdout
    result = invoke("init", "--help")
    assert result.exit_code == 0
    for option in ("--from", "--input-format", "--force"):
        assert option in result.stdout
