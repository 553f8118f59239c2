"""The wheel works outside the source tree: built from a copy of the project, installed
into a fresh virtual environment, it finds its rules through the `spoflint.rules` entry
point, its JSON Schema as package data, and runs as `spoflint` and `python -m spoflint`.

The build runs in an isolated environment (what `python -m build` does for users), so
it fetches the build backend from the package index. The fresh environment borrows the
running environment's site-packages through a .pth file, after its own, so that the
dependencies need not be downloaded; `--system-site-packages` would not do, because when
the tests themselves run in a virtual environment (as CI's do) it reaches the base
interpreter's packages instead of that environment's.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import site
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from spoflint import __version__
from spoflint.registry import rules
from tests.helpers import REPO, SINGLE, run_command

pytestmark = pytest.mark.slow  # builds a wheel and a virtual environment
SKIP = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".benchmarks",
    "tests",
    "fixtures",
    "*.so",  # the parts in C as built in place: the wheel builds its own
)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv python, venv bin folder, a work folder outside the repo, clean environment)."""
    root = tmp_path_factory.mktemp("packaging")
    source = root / "src"
    shutil.copytree(REPO, source, ignore=SKIP)
    dist = root / "dist"
    run_command(sys.executable, "-m", "build", "--wheel", "--outdir", dist, source, cwd=root)
    wheels = list(dist.glob("spoflint-*.whl"))
    assert len(wheels) == 1, wheels

    venv = root / "venv"
    run_command(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    purelib = Path(
        run_command(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=root).stdout.strip()
    )
    borrowed = [p for p in {*site.getsitepackages(), sysconfig.get_paths()["purelib"]} if Path(p).is_dir()]
    (purelib / "_borrowed_dependencies.pth").write_text("".join(p + "\n" for p in sorted(borrowed)))
    run_command(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "--no-index",
        "--force-reinstall",
        wheels[0],
        cwd=root,
    )

    work = root / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = str(bin_dir) + os.pathsep + env.get("PATH", "")
    env["PYTHONNOUSERSITE"] = "1"
    return {"python": python, "bin": bin_dir, "venv": venv, "work": work, "env": env, "wheel": wheels[0]}


PARTS_IN_C = (  # setup.py
    "spoflint.load._cevents",
    "spoflint._arenas",
    "spoflint.analysis._csweep",
    "spoflint.analysis._cnetwork",
)


def test_every_part_in_c_of_setup_py_is_held_to_being_built():
    import re

    assert set(re.findall(r'Extension\("([\w.]+)"', (REPO / "setup.py").read_text())) == set(PARTS_IN_C)


def test_ci_builds_the_parts_in_c():
    """CI has a compiler and installs libyaml's headers (`.ci/run`): there every part in
    C must be built, or their tests would skip and the Python paths alone be measured."""
    if not os.environ.get("CI"):
        pytest.skip("only CI must have them; a machine without a compiler installs without")
    missing = [name for name in PARTS_IN_C if importlib.util.find_spec(name) is None]
    assert not missing, f"not built: {', '.join(missing)}"


def test_wheel_contents(installed):
    with zipfile.ZipFile(installed["wheel"]) as wheel:
        names = set(wheel.namelist())
        entry_points = wheel.read(f"spoflint-{__version__}.dist-info/entry_points.txt").decode()
    assert "spoflint/model/topology.schema.json" in names
    assert {"spoflint/views/page/page.html", "spoflint/views/page/page.css", "spoflint/views/page/page.js"} <= names
    assert "spoflint/__main__.py" in names and "spoflint/cli/__init__.py" in names
    assert "spoflint_rules/__init__.py" in names
    for part in PARTS_IN_C:
        if importlib.util.find_spec(part) is not None:  # built here, so built into the wheel too
            stem = part.replace(".", "/") + "."
            assert any(n.startswith(stem) and n.endswith((".so", ".pyd")) for n in names), (part, names)
    for rule in rules().values():
        module = rule.check.__module__.rsplit(".", 1)[-1]
        assert f"spoflint_rules/{module}.py" in names, rule.id
    assert not any(n.startswith(("tests/", "fixtures/", "rules/")) for n in names)
    assert "[spoflint.rules]" in entry_points and "builtin = spoflint_rules" in entry_points
    assert "[console_scripts]" in entry_points and "spoflint = spoflint.__main__:main" in entry_points


def test_imports_come_from_the_wheel(installed):
    probe = (
        "import json, spoflint, spoflint_rules\n"
        "from importlib.metadata import entry_points\n"
        "eps = [(e.name, e.value, str(e.dist.locate_file(''))) for e in entry_points(group='spoflint.rules')]\n"
        "print(json.dumps({'spoflint': spoflint.__file__, 'rules': spoflint_rules.__file__, 'eps': eps}))\n"
    )
    found = json.loads(
        run_command(installed["python"], "-c", probe, cwd=installed["work"], env=installed["env"]).stdout
    )
    venv = installed["venv"].resolve()
    assert Path(found["spoflint"]).resolve().is_relative_to(venv), found
    assert Path(found["rules"]).resolve().is_relative_to(venv), found
    assert [name for name, _, _ in found["eps"]] == ["builtin"], found
    assert Path(found["eps"][0][2]).resolve().is_relative_to(venv), found
    assert not Path(found["spoflint"]).resolve().is_relative_to(REPO)


def test_rules_are_found_through_the_entry_point(installed):
    result = run_command(
        installed["bin"] / "spoflint", "rules", "--format", "json", cwd=installed["work"], env=installed["env"]
    )
    assert [r["id"] for r in json.loads(result.stdout)["rules"]] == list(rules())
    assert all(r["name"] and r["severity"] and r["summary"] for r in json.loads(result.stdout)["rules"])


def test_check_runs_from_the_wheel(installed):
    work = installed["work"]
    shutil.copy(SINGLE, work / "single-controller.yaml")
    result = run_command(
        installed["bin"] / "spoflint", "check", "single-controller.yaml", cwd=work, env=installed["env"], check=False
    )
    assert result.returncode == 1, result.stderr
    assert "single-controller.yaml:23:3: SPOF001 [error] ctl-1 " in result.stdout
    result = run_command(
        installed["bin"] / "spoflint", "check", "missing.yaml", cwd=work, env=installed["env"], check=False
    )
    assert result.returncode == 2
    assert result.stderr == "missing.yaml:1:1: no such file or directory\n"


def test_graph_page_from_the_wheel(installed):
    """The page's HTML, CSS and script are read from the installed package's data."""
    work = installed["work"]
    shutil.copy(SINGLE, work / "single-controller.yaml")
    bin_spoflint = installed["bin"] / "spoflint"
    page = run_command(
        bin_spoflint, "graph", "single-controller.yaml", "-f", "html", cwd=work, env=installed["env"]
    ).stdout
    assert page.startswith("<!DOCTYPE html>") and "__CSS__" not in page and "__JS__" not in page
    assert ".node.spof rect {" in page and '"use strict";' in page


def test_python_m_spoflint_version(installed):
    result = run_command(
        installed["python"], "-m", "spoflint", "--version", cwd=installed["work"], env=installed["env"]
    )
    assert result.stdout == f"spoflint {__version__}\n"


def test_docs_and_schema_ship_with_the_wheel(installed):
    bin_spoflint = installed["bin"] / "spoflint"
    explained = run_command(bin_spoflint, "explain", "SPOF001", cwd=installed["work"], env=installed["env"]).stdout
    assert "Fails:" in explained and "Passes:" in explained
    schema = json.loads(run_command(bin_spoflint, "schema", cwd=installed["work"], env=installed["env"]).stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
