"""The rule registry: the built-in pack is found from a source checkout that was never
installed, and a registry with no rule at all is an error, never `No findings.`

The child-process tests run a copy of the source tree with `python -S` and a folder that
holds every installed distribution except spoflint's own (its package, its metadata, its
editable-install hook): the situation of a fresh clone whose dependencies are installed
but not spoflint itself.
"""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from spoflint import registry
from spoflint.engine import Config, lint
from spoflint.errors import SetupError
from tests.helpers import HIDDEN, REPO

MESSAGE = "spoflint: error: no rule packs found: is spoflint installed? pip install -e ."


def _site(folder: Path, metadata: bool) -> Path:
    """Links to every installed top-level module and distribution but spoflint's own
    (with `metadata`, its installed metadata, entry points included, stays)."""
    for packages in site.getsitepackages():
        for entry in Path(packages).iterdir():
            name = entry.name.lower()
            ours = "spoflint" in name and not (metadata and name.endswith(".dist-info"))
            if ours or name.startswith("__editable__") or entry.suffix == ".pth":
                continue
            if not (folder / entry.name).exists():
                (folder / entry.name).symlink_to(entry)
    return folder


@pytest.fixture
def dependencies(tmp_path_factory) -> Path:
    return _site(tmp_path_factory.mktemp("site"), metadata=False)


@pytest.fixture
def stale_metadata(tmp_path_factory) -> Path:
    """As `dependencies`, plus spoflint's metadata naming a `spoflint_rules` that is not there."""
    return _site(tmp_path_factory.mktemp("stale"), metadata=True)


@pytest.fixture
def clone(tmp_path) -> Path:
    """The source tree as a clone has it, not installed."""
    target = tmp_path / "clone"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for part in ("spoflint", "rules"):
        shutil.copytree(REPO / part, target / part, ignore=ignore)
    shutil.copytree(HIDDEN.parent, target / "fixtures" / "examples", ignore=ignore)
    return target


def run_uninstalled(clone: Path, dependencies: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": f"{clone}:{dependencies}", "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-S", "-m", "spoflint", *args], cwd=clone, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_copy_really_is_not_installed(clone, dependencies):
    """spoflint comes from the clone, and no installed metadata names a rule pack."""
    env = {"PYTHONPATH": f"{clone}:{dependencies}"}
    check = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            "import importlib.metadata as m, spoflint; "
            "print(spoflint.__file__); print(len(m.entry_points(group='spoflint.rules')))",
        ],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    where, entry_points = check.stdout.split()
    assert Path(where).is_relative_to(clone) and entry_points == "0", check.stderr


def test_a_source_checkout_finds_the_built_in_rules(clone, dependencies):
    result = run_uninstalled(clone, dependencies, "check", "fixtures/examples/hidden-spof.yaml")
    assert result.returncode == 1, result.stderr
    assert result.stdout.endswith(" root causes, 19 findings: 10 errors, 8 warnings, 1 note.\n")
    listed = run_uninstalled(clone, dependencies, "rules")
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 1 + len(registry.rules())  # and a header


def test_stale_metadata_falls_back_to_the_source_tree(clone, stale_metadata):
    result = run_uninstalled(clone, stale_metadata, "check", "fixtures/examples/hidden-spof.yaml")
    assert result.returncode == 1, result.stderr
    assert result.stdout.endswith(" root causes, 19 findings: 10 errors, 8 warnings, 1 note.\n")


def test_no_rule_pack_at_all_is_an_error_not_a_pass(clone, dependencies):
    shutil.rmtree(clone / "rules")
    result = run_uninstalled(clone, dependencies, "check", "fixtures/examples/hidden-spof.yaml")
    assert (result.returncode, result.stdout, result.stderr) == (2, "", MESSAGE + "\n")
    result = run_uninstalled(clone, dependencies, "rules")
    assert (result.returncode, result.stderr) == (2, MESSAGE + "\n")


@pytest.fixture
def no_installed_packs(monkeypatch):
    monkeypatch.setattr(registry, "entry_points", lambda group: [])
    registry._rules.cache_clear()
    yield
    registry._rules.cache_clear()


def test_without_entry_points_the_source_pack_is_used(no_installed_packs):
    table = registry.rules()
    assert "SPOF001" in table and table["SPOF001"].pack == registry.BUILTIN
    findings = lint([str(HIDDEN)], Config())
    assert {f.rule for f in findings} >= {"SPOF001", "SPOF002", "SVC002"}


def test_an_empty_registry_raises(no_installed_packs, monkeypatch, tmp_path):
    monkeypatch.setattr(registry, "_SOURCE_PACK", tmp_path / "rules")
    monkeypatch.delitem(sys.modules, "spoflint_rules", raising=False)
    with pytest.raises(SetupError) as error:
        lint([str(HIDDEN)], Config())
    assert str(error.value) == MESSAGE
