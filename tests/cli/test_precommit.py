"""The pre-commit hooks, end to end with the real `pre-commit` tool.

pre-commit installs a hook repository by cloning it at a commit, so the hooks are
tested against a temporary commit of this working tree (uncommitted changes included,
as in CI's fresh clone). A scratch repository then commits topologies with the hooks
installed: a clean topology goes in, one with a single point of failure is stopped.

Installing the hook environment needs the package index once per session: every test
shares one PRE_COMMIT_HOME, so pre-commit builds one environment for both hooks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import HA, REPO, run_command

HOOKS = ("spoflint", "spoflint-files")
TIMEOUT = 600  # seconds for one git or pre-commit run: installing the hooks' environment is slow

# Every host cabled to both switches: take sw-2 away and sw-1 is a single point of failure.
BOTH_SWITCHES = "nics: [sw-1, sw-2]"
ONE_SWITCH = "nics: [sw-1]"


def git_environment(home: Path) -> dict:
    """Git and pre-commit isolated from the user's configuration (no global hooks, no
    signing), with one PRE_COMMIT_HOME for the whole session."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        {
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "spoflint tests",
            "GIT_AUTHOR_EMAIL": "tests@example.invalid",
            "GIT_COMMITTER_NAME": "spoflint tests",
            "GIT_COMMITTER_EMAIL": "tests@example.invalid",
            "PRE_COMMIT_HOME": str(home),
            "PRE_COMMIT_COLOR": "never",
        }
    )
    return env


def git(cwd: Path, env: dict, *args, check: bool = True) -> subprocess.CompletedProcess:
    options = ("-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false")
    return run_command("git", *options, *args, cwd=cwd, env=env, check=check, timeout=TIMEOUT)


def pre_commit(cwd: Path, env: dict, *args, check: bool = True) -> subprocess.CompletedProcess:
    return run_command(sys.executable, "-m", "pre_commit", *args, cwd=cwd, env=env, check=check, timeout=TIMEOUT)


@pytest.fixture(scope="session")
def hooks(tmp_path_factory) -> tuple[Path, str, dict]:
    """(hook repository, its commit, environment): a commit of the working tree as it is,
    tracked files and untracked ones that git does not ignore."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = git_environment(home)
    ls_files = ("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    listed = run_command(*ls_files, cwd=REPO, env=env, check=False, timeout=TIMEOUT)
    if listed.returncode != 0:
        pytest.skip(f"{REPO} is not a git checkout")
    source = tmp_path_factory.mktemp("hook-repo")
    for name in sorted(set(filter(None, listed.stdout.split("\0")))):
        origin = REPO / name
        if not origin.is_file() and not origin.is_symlink():
            continue  # deleted in the working tree
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, source / name, follow_symlinks=False)
    git(source, env, "init", "-q")
    git(source, env, "add", "-A")
    git(source, env, "commit", "-q", "-m", "the working tree, for the pre-commit tests")
    commit = git(source, env, "rev-parse", "HEAD").stdout.strip()
    return source, commit, env


def scratch_repository(path: Path, hooks, hook_ids) -> tuple[Path, dict]:
    source, commit, env = hooks
    path.mkdir()
    git(path, env, "init", "-q")
    hook_list = "".join(f"      - id: {hook}\n" for hook in hook_ids)
    (path / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source.as_posix()}\n    rev: {commit}\n    hooks:\n{hook_list}"
    )
    pre_commit(path, env, "install")
    return path, env


def commit(repo: Path, env: dict, message: str) -> subprocess.CompletedProcess:
    git(repo, env, "add", "-A")
    return git(repo, env, "commit", "-m", message, check=False)


def head(repo: Path, env: dict) -> str:
    return git(repo, env, "rev-parse", "HEAD", check=False).stdout.strip()


def test_the_hooks_file_offers_both_hooks():
    import yaml

    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == set(HOOKS)
    assert hooks["spoflint"]["pass_filenames"] is False  # a change anywhere can create a SPOF elsewhere
    assert hooks["spoflint"]["language"] == hooks["spoflint-files"]["language"] == "python"
    assert "--only-topologies" in hooks["spoflint-files"]["entry"]


@pytest.mark.slow
@pytest.mark.parametrize("hook", HOOKS)
def test_a_clean_topology_commits_and_a_new_spof_is_stopped(tmp_path, hooks, hook):
    repo, env = scratch_repository(tmp_path / "infra-repo", hooks, [hook])
    (repo / "infra").mkdir()
    shutil.copy(HA, repo / "infra" / "openstack-ha.yaml")
    first = commit(repo, env, "a redundant control plane")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Passed" in first.stdout + first.stderr
    clean = head(repo, env)

    # every host loses its second switch: sw-1 alone now carries every service
    topology = repo / "infra" / "openstack-ha.yaml"
    text = topology.read_text()
    assert text.count(BOTH_SWITCHES) == 9
    topology.write_text(text.replace(BOTH_SWITCHES, ONE_SWITCH))
    second = commit(repo, env, "single-homed hosts")
    output = second.stdout + second.stderr
    assert second.returncode != 0, output
    assert "Failed" in output
    assert "infra/openstack-ha.yaml:" in output and "SPOF001 [error] sw-1 is a single point of failure" in output
    assert head(repo, env) == clean  # the commit did not happen

    # fixed again (and noted): the commit goes through
    topology.write_text(text + "# every host on both switches, again\n")
    third = commit(repo, env, "both switches again")
    assert third.returncode == 0, third.stdout + third.stderr
    assert head(repo, env) != clean


@pytest.mark.slow
@pytest.mark.parametrize("hook, stopped", [("spoflint", True), ("spoflint-files", False)])
def test_only_the_whole_topology_hook_sees_what_a_change_does_to_another_file(tmp_path, hooks, hook, stopped):
    """The reason the main hook takes no file names: the topology is split over two files
    and the commit touches only the hosts; the services, in the other file, are what
    lose their redundancy. The per-file hook sees hosts.yaml alone, without services
    (nor the storage they use: a Ceph backend whose hosts share a switch is a finding of
    its own), and lets it through (as docs/ci.md says: faster, misses cross-file effects)."""
    repo, env = scratch_repository(tmp_path / "infra-repo", hooks, [hook])
    text = HA.read_text()
    services = text.index("\nstorage:\n")
    (repo / "hosts.yaml").write_text(text[:services] + "\n")
    (repo / "services.yaml").write_text("version: 1\n" + text[services:])
    (repo / "ci.yml").write_text("on: push\njobs: {}\n")  # not a topology: skipped
    first = commit(repo, env, "split topology")
    assert first.returncode == 0, first.stdout + first.stderr
    clean = head(repo, env)
    (repo / "hosts.yaml").write_text(text[:services].replace(BOTH_SWITCHES, ONE_SWITCH) + "\n")
    second = commit(repo, env, "single-homed hosts")
    output = second.stdout + second.stderr
    if stopped:
        assert second.returncode != 0, output
        assert "hosts.yaml:" in output and "SPOF001 [error] sw-1 is a single point of failure" in output
        assert head(repo, env) == clean
    else:
        assert second.returncode == 0, output
        assert head(repo, env) != clean


@pytest.mark.slow
def test_the_per_file_hook_skips_yaml_that_is_not_a_topology(tmp_path, hooks):
    repo, env = scratch_repository(tmp_path / "infra-repo", hooks, ["spoflint-files"])
    (repo / "playbook.yml").write_text("- hosts: all\n  tasks: []\n")
    (repo / "values.yaml").write_text("replicas: 3\n")
    result = commit(repo, env, "other YAML")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "spoflint (changed files only)" in result.stderr and "Passed" in result.stderr
