"""Units of analysis: which files a check reads, and which it reads together
(docs/importers.md, "Units of analysis").

Native files merge into one model; each Compose project, Kubernetes tree,
OpenStack-Ansible deployment and kolla inventory is a topology of its own unless a native
overlay names its elements; a directory with a native topology reads foreign files only
when `include` asks; `exclude` (config and `--exclude`) skips files and folders; a broken
unit fails alone, its message on stderr, the others still reported.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spoflint.errors import UsageError
from spoflint.importers.assemble import read_topology, read_units
from spoflint.load import Found
from spoflint.load.units import group
from tests.helpers import REPO, invoke, write

NATIVE = """\
version: 1
network:
  internet: {kind: external}
  sw-1: {kind: switch}
links: [[internet, sw-1]]
hosts:
  app-1: {nics: [sw-1]}
services:
  web: {kind: nginx, hosts: [app-1]}
"""

COMPOSE = """\
name: {name}
services:
  web:
    image: nginx:1.27
    ports: ["8080:80"]
"""

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: {name}, image: "nginx:1.27"}}]
"""

KOLLA = REPO / "fixtures" / "import" / "kolla-ansible" / "cinder-lvm"


def report(*args) -> dict:
    result = invoke("check", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def paths_of(report_: dict) -> set[str]:
    return {f["path"] for f in report_["findings"]}


# --- which files ----------------------------------------------------------------------------


def test_a_native_topology_keeps_compose_files_of_its_tree_out(in_tmp):
    write(in_tmp / "infra" / "site.yaml", NATIVE)
    write(in_tmp / "docker-compose.yml", COMPOSE.format(name="tooling"))
    units = read_units(["."])
    assert [u.files for u in units] == [("infra/site.yaml",)]
    got = report(".")
    assert {f["path"] for f in got["findings"] if f["rule"] != "MODEL001"} == {"infra/site.yaml"}
    (note,) = [f for f in got["findings"] if f["path"] == "docker-compose.yml"]  # never skipped silently
    assert note["rule"] == "MODEL001" and "was not read" in note["message"] and "`include`" in note["message"]
    assert invoke("check", ".", "--exclude", "docker-compose.yml").stdout.count("docker-compose.yml") == 0


def test_a_broken_compose_file_beside_a_native_topology_does_not_fail_the_check(in_tmp):
    write(in_tmp / "site.yaml", NATIVE)
    write(in_tmp / "docker-compose.yml", "services: [\n")
    assert invoke("check", ".").exit_code in (0, 1)


def test_only_topologies_reads_named_foreign_files_only_when_included(in_tmp):
    write(in_tmp / "site.yaml", NATIVE)
    write(in_tmp / "compose.yaml", COMPOSE.format(name="tooling"))
    assert [u.files for u in read_units(["site.yaml", "compose.yaml"], only_topologies=True)] == [("site.yaml",)]
    units = read_units(["site.yaml", "compose.yaml"], only_topologies=True, include=("compose.yaml",))
    assert sorted(u.files for u in units) == [("compose.yaml",), ("site.yaml",)]


def test_include_reads_foreign_files_beside_a_native_topology_as_their_own_unit(in_tmp):
    write(in_tmp / "site.yaml", NATIVE)  # a service `web`, as the Compose project has: no silent merge
    write(in_tmp / "app" / "compose.yaml", COMPOSE.format(name="shop"))
    write(in_tmp / ".spoflint.yaml", "include: ['app/*']\n")
    units = read_units(["."], include=("app/*",))
    assert sorted(u.files for u in units) == [("app/compose.yaml",), ("site.yaml",)]
    got = report(".")
    assert {"site.yaml", "app/compose.yaml"} <= paths_of(got)  # checked apart: no id clash over `web`


def test_without_a_native_topology_every_foreign_unit_is_found(in_tmp):
    write(in_tmp / "a" / "compose.yaml", COMPOSE.format(name="same"))
    write(in_tmp / "b" / "compose.yaml", COMPOSE.format(name="same"))  # same project name: still two projects
    write(in_tmp / "k8s" / "web.yaml", MANIFEST.format(name="web"))
    units = read_units(["."])
    assert sorted(u.files for u in units) == [("a/compose.yaml",), ("b/compose.yaml",), ("k8s/web.yaml",)]
    assert all(u.error is None for u in units)


def test_exclude_skips_files_and_folders_from_the_config_and_the_command_line(in_tmp):
    write(in_tmp / "a" / "compose.yaml", COMPOSE.format(name="a"))
    write(in_tmp / "vendor" / "x" / "compose.yaml", COMPOSE.format(name="x"))
    write(in_tmp / "legacy.compose.yaml", COMPOSE.format(name="legacy"))
    write(in_tmp / ".spoflint.yaml", "exclude: [vendor]\n")
    assert paths_of(report(".")) >= {"a/compose.yaml", "legacy.compose.yaml"}
    assert "vendor/x/compose.yaml" not in paths_of(report("."))
    assert paths_of(report(".", "--exclude", "legacy.*")) == {"a/compose.yaml"}


def test_a_kolla_inventory_without_a_yaml_suffix_is_found_in_a_directory(in_tmp):
    for name in ("multinode", "globals.yml"):
        write(in_tmp / "deploy" / name, (KOLLA / name).read_text())
    units = read_units(["."])
    assert [u.files for u in units] == [("deploy/multinode", "deploy/globals.yml")]
    assert units[0].topology is not None and units[0].topology.services


# --- units ----------------------------------------------------------------------------------


def test_a_broken_file_fails_its_unit_and_the_others_are_still_checked(in_tmp):
    write(in_tmp / "good" / "compose.yaml", COMPOSE.format(name="good"))
    write(in_tmp / "bad" / "compose.yaml", "name: bad\nservices:\n  web:\n    image: [nginx\n")
    result = invoke("check", "--format", "json", ".")
    assert result.exit_code == 2
    assert {f["path"] for f in json.loads(result.stdout)["findings"]} == {"good/compose.yaml"}
    assert result.stderr.startswith("bad/compose.yaml:5:1: invalid YAML") and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output


def test_a_broken_unit_writes_no_half_report_but_ci_formats_carry_the_error(in_tmp):
    """A JSON report would be half the story: not written. SARIF and github annotations,
    which CI shows on the pull request, say the error at its place (issue 12, item 4)."""
    write(in_tmp / "good" / "compose.yaml", COMPOSE.format(name="good"))
    write(in_tmp / "bad" / "compose.yaml", "services: [\n")
    result = invoke("check", "-f", "json", "-o", "out.json", "-f", "sarif", "-o", "out.sarif", "-f", "github", ".")
    assert result.exit_code == 2 and not (in_tmp / "out.json").exists()
    run = json.loads((in_tmp / "out.sarif").read_text())["runs"][0]
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert run["invocations"][0]["executionSuccessful"] is False and notification["level"] == "error"
    assert notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad/compose.yaml"
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {
        "good/compose.yaml"
    }
    assert result.stdout.startswith("::error file=bad/compose.yaml,line=")


def test_a_native_overlay_joins_the_unit_whose_elements_it_names(in_tmp):
    write(in_tmp / "blog.compose.yaml", COMPOSE.format(name="blog"))
    write(
        in_tmp / "site.yaml",
        "version: 1\npower:\n  feed-a: {kind: feed}\n  pdu-a: {kind: pdu, from: [feed-a]}\n"
        "racks:\n  r1: {power: [pdu-a]}\nhosts:\n  blog-host: {rack: r1}\n",
    )
    units = read_units(["blog.compose.yaml", "site.yaml"])
    assert len(units) == 1 and set(units[0].files) == {"blog.compose.yaml", "site.yaml"}
    assert units[0].topology is not None and units[0].topology.hosts["blog-host"].rack == "r1"


def test_a_native_file_that_names_nothing_imported_is_its_own_unit(in_tmp):
    write(in_tmp / "blog.compose.yaml", COMPOSE.format(name="blog"))
    write(in_tmp / "site.yaml", NATIVE.replace("web:", "api:"))
    assert sorted(u.files for u in read_units(["blog.compose.yaml", "site.yaml"])) == [
        ("blog.compose.yaml",),
        ("site.yaml",),
    ]


def test_commands_that_analyse_one_topology_say_when_there_are_several(in_tmp):
    write(in_tmp / "a.compose.yaml", COMPOSE.format(name="a"))
    write(in_tmp / "b.compose.yaml", COMPOSE.format(name="b"))
    with pytest.raises(UsageError, match="2 separate topologies"):
        read_topology(["."])
    result = invoke("simulate", ".", "--fail", "a-host")
    assert result.exit_code == 2 and "name the files of one" in result.stderr


def test_baseline_entries_of_one_unit_are_not_stale_in_another(in_tmp):
    write(in_tmp / "a.compose.yaml", COMPOSE.format(name="a"))
    write(in_tmp / "b.compose.yaml", COMPOSE.format(name="b"))
    assert invoke("check", "--write-baseline", "base.json", ".").exit_code == 0
    got = report("--baseline", "base.json", ".")
    assert not [f for f in got["findings"] if f["rule"] == "MODEL002"]
    assert all(f.get("suppressed") for f in got["findings"] if f["rule"] != "MODEL002")


def test_a_baseline_entry_of_a_deleted_file_is_reported_once(in_tmp):
    write(in_tmp / "a.compose.yaml", COMPOSE.format(name="a"))
    write(in_tmp / "b.compose.yaml", COMPOSE.format(name="b"))
    write(in_tmp / "c.compose.yaml", COMPOSE.format(name="c"))
    assert invoke("check", "--write-baseline", "base.json", ".").exit_code == 0
    (in_tmp / "c.compose.yaml").unlink()
    stale = [f for f in report("--baseline", "base.json", ".")["findings"] if f["rule"] == "MODEL002"]
    assert stale and len({f["fingerprint"] for f in stale}) == len(stale)
    assert all("c.compose.yaml" in f["message"] for f in stale)


# --- grouping, per format -------------------------------------------------------------------


def found(root: str | None, *names: str) -> list[Found]:
    return [Found(Path(n), Path(root) if root else None) for n in names]


def test_compose_projects_are_a_base_with_its_override_file():
    files = found(".", "app/compose.yaml", "app/compose.override.yaml", "app/compose.prod.yaml", "app/docker-stack.yml")
    assert group("compose", files) == [
        [Path("app/compose.yaml"), Path("app/compose.override.yaml")],
        [Path("app/compose.prod.yaml")],
        [Path("app/docker-stack.yml")],
    ]


def test_compose_files_named_together_merge_into_their_base_as_with_dash_f():
    files = found(None, "docker-compose.yml", "docker-compose.prod.yml", "docker-stack.yml")
    assert group("compose", files) == [
        [Path("docker-compose.yml"), Path("docker-compose.prod.yml")],
        [Path("docker-stack.yml")],
    ]


def test_kubernetes_trees_are_the_shallowest_folders_holding_manifests():
    files = found("repo", "repo/shop/k8s/a.yaml", "repo/shop/k8s/db/b.yaml", "repo/blog/manifests/c.yaml")
    assert group("kubernetes", files) == [
        [Path("repo/shop/k8s/a.yaml"), Path("repo/shop/k8s/db/b.yaml")],
        [Path("repo/blog/manifests/c.yaml")],
    ]
    assert group("kubernetes", found(None, "a.yaml", "b/c.yaml")) == [[Path("a.yaml"), Path("b/c.yaml")]]


def test_each_openstack_ansible_config_is_a_deployment_with_its_conf_d_and_env_d():
    files = found(
        "d", "d/openstack_user_config.yml", "d/conf.d/haproxy.yml", "d/env.d/az.yml", "d/user_variables.yml"
    ) + found("e", "e/openstack_user_config.yml")
    assert group("openstack-ansible", files) == [
        [
            Path(p)
            for p in ("d/openstack_user_config.yml", "d/conf.d/haproxy.yml", "d/env.d/az.yml", "d/user_variables.yml")
        ],
        [Path("e/openstack_user_config.yml")],
    ]
    assert group("openstack-ansible", found("d", "d/env.d/az.yml")) == []  # a skeleton is not a deployment


def test_each_kolla_inventory_is_a_deployment_with_the_globals_of_its_folder():
    files = found("k", "k/all-in-one", "k/multinode", "k/globals.yml", "k/config/nfs_shares")
    assert group("kolla-ansible", files) == [
        [Path("k/all-in-one"), Path("k/globals.yml"), Path("k/config/nfs_shares")],
        [Path("k/multinode"), Path("k/globals.yml"), Path("k/config/nfs_shares")],
    ]


# --- whole repositories (fixtures/import/units/) ----------------------------------------------

UNITS = REPO / "fixtures" / "import" / "units"


def test_a_repository_with_a_native_topology_leaves_its_tooling_compose_file_out(monkeypatch):
    monkeypatch.chdir(UNITS / "native-repo")
    result = invoke("check", "--format", "json", ".")
    assert result.exit_code == 0, result.output  # the tooling database cannot fail the hook
    (note,) = json.loads(result.stdout)["findings"]
    assert (note["path"], note["rule"]) == ("tools/docker-compose.yml", "MODEL001")


def test_a_repository_of_foreign_files_is_checked_unit_by_unit(monkeypatch):
    monkeypatch.chdir(UNITS / "app-repo")
    units = read_units(["."])
    assert sorted(u.files for u in units) == [
        ("blog/docker-compose.yml",),
        ("deploy/kolla/multinode", "deploy/kolla/globals.yml"),
        ("k8s/api.yaml", "k8s/db/cache.yaml"),
        ("legacy/docker-compose.yml",),
        ("shop/compose.yaml", "shop/compose.override.yaml"),
    ]
    result = invoke("check", "--format", "json", ".")
    assert result.exit_code == 2 and result.stderr.startswith("legacy/docker-compose.yml:5:1: invalid YAML")
    got = {
        (f["path"], f["rule"], f["subject"]) for f in json.loads(result.stdout)["findings"] if f["rule"] != "MODEL001"
    }
    # the shop's web has its override's two replicas (on its one Docker host); both projects keep their own `db`
    assert ("shop/compose.yaml", "SVC002", "web") in got and ("shop/compose.yaml", "STATE001", "db") in got
    assert ("blog/docker-compose.yml", "STATE001", "db") in got
    # the Kubernetes tree is one: api (three replicas, required anti-affinity) needs the cache of k8s/db/
    assert ("k8s/db/cache.yaml", "SVC001", "cache") in got and not {g for g in got if g[2] == "api"}
    assert ("deploy/kolla/multinode", "STATE005", "cinder-lvm") in got
