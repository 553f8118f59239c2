"""Running spoflint on a checkout one does not trust (issue 16, item 1): a config is
looked for up to the repository's root or the home directory only, never up to `/`; a
config another user owns is refused unless named with --config; --isolated ignores
every config; loading a project's own rule modules is said on standard error; a rule
module or an installed rule pack that fails to import (sys.exit included) is an input
error naming it, never a traceback or a silent exit 0."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from spoflint import registry
from tests.helpers import REPO, SINGLE, assert_one_line_error, fired, invoke, write

# A local rule module that leaves a mark when it is imported: proof that its code ran.
MARKING_RULE = '''\
"""Every host named `marked` (a project's own rule).

Why: a test's.

Options: none.
"""
import pathlib

pathlib.Path(__file__).with_name("imported.mark").write_text("ran")
ID = "LOC001"
NAME = "marked-host"
SEVERITY = "note"
OPTIONS = {}


def check(facts, options):
    return iter(())
'''

ONLY_SPOF002 = "select: [SPOF002]\n"
NOTICE = "spoflint: loading local rules from tools/rules (rule-paths in .spoflint.yaml)"


def _git_init(folder):
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    return folder


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A home directory of its own, so that the search's stop at home is the test's."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    return folder


@pytest.fixture
def repo(tmp_path, home, monkeypatch):
    """A git repository (outside home) holding the single-controller example; the
    current directory."""
    root = _git_init(tmp_path / "work" / "repo")
    shutil.copy(SINGLE, root / "single.yaml")
    monkeypatch.chdir(root)
    return root


def _with_local_rule(root):
    write(root / "tools" / "rules" / "marked.py", MARKING_RULE)
    write(root / ".spoflint.yaml", "rule-paths: [tools/rules]\n")
    return root / "tools" / "rules" / "imported.mark"


# --- where a config is looked for ---------------------------------------------------------


def test_a_config_above_the_repository_root_is_not_read(repo):
    write(repo.parent / ".spoflint.yaml", ONLY_SPOF002)  # planted in a shared parent folder
    write(repo.parent / "pyproject.toml", '[tool.spoflint]\nselect = ["SPOF002"]\n')
    assert fired("single.yaml") > {"SPOF002"}  # every rule: the parent's config is not the repo's
    (repo / "sub").mkdir()
    write(repo / ".spoflint.yaml", "select: [SVC001]\n")
    os.chdir(repo / "sub")
    assert fired("../single.yaml") == {"SVC001"}  # up to the root, still


def test_outside_a_repository_the_search_stops_at_home(tmp_path, home, monkeypatch):
    shutil.copy(SINGLE, home / "single.yaml")
    write(tmp_path / ".spoflint.yaml", "select: [SVC001]\n")  # above home: never read
    (home / "notes").mkdir()
    monkeypatch.chdir(home / "notes")
    assert fired("../single.yaml") > {"SVC001"}
    write(home / ".spoflint.yaml", ONLY_SPOF002)
    assert fired("../single.yaml") == {"SPOF002"}


def test_outside_a_repository_and_home_only_the_current_folder_counts(tmp_path, home, monkeypatch):
    shutil.copy(SINGLE, tmp_path / "single.yaml")
    write(tmp_path / "shared" / ".spoflint.yaml", ONLY_SPOF002)  # /tmp is everyone's
    (tmp_path / "shared" / "mine").mkdir()
    monkeypatch.chdir(tmp_path / "shared" / "mine")
    assert fired("../../single.yaml") > {"SPOF002"}
    monkeypatch.chdir(tmp_path / "shared")
    assert fired("../single.yaml") == {"SPOF002"}


# --- whose config ---------------------------------------------------------------------------

needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown needs root")


@needs_root
def test_a_config_owned_by_another_user_is_refused_unless_named(repo, monkeypatch):
    monkeypatch.delenv("SUDO_UID", raising=False)
    mark = _with_local_rule(repo)
    os.chown(repo / ".spoflint.yaml", 4242, 4242)
    result = invoke("check", "single.yaml")
    assert_one_line_error(
        result,
        r"\.spoflint\.yaml:1:1: this configuration is owned by another user \(uid 4242, not 0\), so spoflint "
        r"does not use it: name it with --config to trust it, or run with --isolated .*",
    )
    assert not mark.exists()  # nothing of it ran
    assert invoke("rules").exit_code == 2
    assert invoke("check", "--isolated", "single.yaml").exit_code == 1
    assert not mark.exists()
    named = invoke("check", "--config", ".spoflint.yaml", "single.yaml")  # the user says it is theirs
    assert named.exit_code == 1, named.output
    assert mark.exists()


@needs_root
def test_under_sudo_the_invoking_users_config_is_trusted(repo, monkeypatch):
    write(repo / ".spoflint.yaml", ONLY_SPOF002)
    os.chown(repo / ".spoflint.yaml", 4242, 4242)
    monkeypatch.setenv("SUDO_UID", "4242")
    assert fired("single.yaml") == {"SPOF002"}


def test_a_config_that_is_not_a_regular_file_is_an_error_not_a_hang(repo):
    os.mkfifo(repo / ".spoflint.yaml")
    assert_one_line_error(
        invoke("check", "single.yaml"), r"\.spoflint\.yaml:1:1: cannot read the configuration: it is a FIFO.*"
    )


def test_an_unreadable_pyproject_in_a_parent_folder_is_an_error_not_a_traceback(repo, monkeypatch):
    write(repo / "pyproject.toml", '[tool.spoflint]\nselect = ["SPOF002"]\n')
    (repo / "sub").mkdir()
    monkeypatch.chdir(repo / "sub")
    real_open = os.open

    def denied(path, *args, **kwargs):  # as for a file of another user's, mode 0600 (root reads anything)
        if os.fspath(path).endswith("pyproject.toml"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    assert_one_line_error(
        invoke("check", "../single.yaml"), r"\.\./pyproject\.toml:1:1: cannot read file: Permission denied"
    )


# --- --isolated and local rules -------------------------------------------------------------


def test_isolated_ignores_the_config_and_never_imports_its_rules(repo):
    mark = _with_local_rule(repo)
    write(repo / ".spoflint.yaml", "rule-paths: [tools/rules]\nselect: [SPOF002]\n")
    result = invoke("check", "--isolated", "-f", "json", "single.yaml")
    assert result.exit_code == 1
    assert '"SVC001"' in result.stdout  # every rule: the config's `select` is not applied
    assert result.stderr == ""
    assert "LOC001" not in invoke("rules", "--isolated").stdout
    assert invoke("explain", "LOC001", "--isolated").exit_code == 2
    assert not mark.exists()
    assert_one_line_error(
        invoke("check", "--isolated", "--config", ".spoflint.yaml", "single.yaml"),
        r"spoflint: error: --isolated ignores configuration files: drop --config, or --isolated",
    )


def test_loading_local_rules_is_said_once_on_standard_error(repo):
    mark = _with_local_rule(repo)
    write(repo / ".spoflint.yaml", "rule-paths: [tools/rules]\nseverity: {LOC001: warning}\nselect: [LOC001, SPOF]\n")
    result = invoke("check", "single.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [NOTICE]
    assert mark.exists()
    listed = invoke("rules")
    assert "LOC001" in listed.stdout
    assert listed.stderr.splitlines() == [NOTICE]
    assert invoke("explain", "LOC001").stderr.splitlines() == [NOTICE]


def test_a_rule_module_that_calls_sys_exit_at_import_is_an_input_error(repo):
    write(repo / "tools" / "rules" / "quits.py", '"""Quits."""\nimport sys\n\nsys.exit(0)\n')
    write(repo / ".spoflint.yaml", "rule-paths: [tools/rules]\n")
    result = invoke("check", "single.yaml")
    assert result.exit_code == 2  # not 0: the check did not run
    assert result.stderr.splitlines() == [
        NOTICE,
        "tools/rules/quits.py:4:1: rule module called sys.exit(0) while loading",
    ]
    assert result.stdout == ""


def test_a_rule_that_calls_sys_exit_while_checking_is_an_input_error(repo):
    quitting = MARKING_RULE.replace(
        "def check(facts, options):\n    return iter(())", "def check(facts, options):\n    raise SystemExit(0)"
    )
    assert "raise SystemExit(0)" in quitting
    write(repo / "tools" / "rules" / "quits_later.py", quitting)
    write(repo / ".spoflint.yaml", "rule-paths: [tools/rules]\n")
    result = invoke("check", "single.yaml")
    assert result.exit_code == 2  # not 0: a rule that quits must not pass the check silently
    lines = result.stderr.splitlines()
    assert lines[0] == NOTICE and len(lines) == 2
    assert "rule LOC001 failed: SystemExit: 0" in lines[1]
    assert result.stdout == ""


def test_a_rule_module_that_raises_at_import_is_an_input_error(repo):
    write(repo / "tools" / "rules" / "fails.py", '"""Fails."""\n\nraise RuntimeError("no network here")\n')
    write(repo / ".spoflint.yaml", "rule-paths: [tools/rules]\n")
    result = invoke("rules")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "tools/rules/fails.py:3:1: rule module failed to load: RuntimeError: no network here"
    )


# --- installed rule packs -------------------------------------------------------------------


@pytest.fixture
def packs(tmp_path, monkeypatch):
    """Install rule packs by entry point (name -> module source), beside the real ones."""
    installed = list(registry.entry_points(group=registry.GROUP))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    registry._rules.cache_clear()

    def install(**sources: str):
        extra = []
        for name, source in sources.items():
            write(tmp_path / "site" / f"pack_{name}.py", source)
            sys.modules.pop(f"pack_{name}", None)
            extra.append(EntryPoint(name=name, value=f"pack_{name}", group=registry.GROUP))
        monkeypatch.setattr(registry, "entry_points", lambda group: [*installed, *extra])

    yield install
    registry._rules.cache_clear()


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("import not_installed_anywhere\n", r"ModuleNotFoundError: No module named 'not_installed_anywhere'"),
        ("raise ValueError('bad build')\n", r"ValueError: bad build"),
        ("import sys\nsys.exit(3)\n", r"SystemExit\(3\)"),
    ],
)
def test_a_broken_installed_rule_pack_is_an_input_error_naming_it(packs, in_tmp, source, reason):
    packs(acme=source)
    for args in (("rules",), ("check", str(SINGLE)), ("explain", "SPOF001")):
        assert_one_line_error(
            invoke(*args),
            rf"spoflint: error: rule pack 'acme' \(pack_acme\) failed to load: {reason}; fix or uninstall it",
        )


def test_an_installed_pack_with_a_malformed_rule_is_an_input_error_naming_it(packs, in_tmp):
    write(in_tmp / "site" / "pack_acme_rule.py", '"""A rule."""\nID = "bad id"\nNAME = "x"\nSEVERITY = "note"\n')
    packs(acme="import pack_acme_rule\nRULES = [pack_acme_rule]\n")
    assert_one_line_error(
        invoke("rules"),
        r"spoflint: error: rule pack 'acme' is broken: rule module pack_acme_rule lacks check; fix or uninstall it",
    )


# --- as another user, for real (root reads anything: the tests above stand in with a patch) ---

SETPRIV = shutil.which("setpriv")
as_nobody = pytest.mark.skipif(
    not (SETPRIV and hasattr(os, "geteuid") and os.geteuid() == 0), reason="needs root and setpriv"
)


@pytest.fixture
def open_folder():
    """A folder in /tmp that user nobody can enter (pytest's tmp_path is private)."""
    import tempfile

    folder = tempfile.mkdtemp(prefix="spoflint-trust-")
    os.chmod(folder, 0o755)
    yield Path(folder)
    shutil.rmtree(folder)


def _as_nobody(args, cwd, home):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "PYTHONPATH": str(REPO)}
    command = [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m", "spoflint", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@as_nobody
def test_a_pyproject_the_user_cannot_read_is_a_located_error(open_folder):
    write(open_folder / "pyproject.toml", '[tool.spoflint]\nselect = ["SPOF002"]\n').chmod(0o600)
    (open_folder / "sub").mkdir()
    shutil.copy(SINGLE, open_folder / "sub" / "single.yaml")
    os.chmod(open_folder / "sub" / "single.yaml", 0o644)
    done = _as_nobody(["check", "single.yaml"], open_folder / "sub", home=open_folder)
    assert done.returncode == 2, done.stderr
    assert done.stderr == "../pyproject.toml:1:1: cannot read file: Permission denied\n"
    assert done.stdout == ""


@as_nobody
def test_a_folder_the_user_cannot_list_is_a_note(open_folder):
    shutil.copy(SINGLE, open_folder / "single.yaml")
    os.chmod(open_folder / "single.yaml", 0o644)
    (open_folder / "private").mkdir(mode=0o700)
    done = _as_nobody(["check", "-f", "json", "."], open_folder, home=open_folder / "none")
    assert done.returncode == 1, done.stderr
    notes = [f["message"] for f in json.loads(done.stdout)["findings"] if f["rule"] == "MODEL001"]
    assert "private was not read: the folder cannot be listed (Permission denied)" in notes
