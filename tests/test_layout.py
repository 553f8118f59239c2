"""The shape of the code base, kept by a machine: the top level of `spoflint/` reads as
the pipeline, no module grows past about 400 lines, and no function past a cyclomatic
complexity of 25 (radon's measure, each nested function counted on its own) unless it
is a measured hot loop listed in HOT_LOOPS, whose comment in the code gives the numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from radon.complexity import cc_visit

from tests.helpers import REPO

PACKAGE = REPO / "spoflint"
SOURCES = sorted(p for folder in (PACKAGE, REPO / "rules") for p in folder.rglob("*.py"))
C_SOURCES = sorted(PACKAGE.rglob("*.c"))  # the optional parts in C (setup.py)
MAX_LINES = 400
MAX_COMPLEXITY = 25
MAX_TOP_LEVEL_MODULES = 12
# (module, function) -> the most it may reach; each one's comment in the code says why
HOT_LOOPS: dict[tuple[str, str], int] = {}


def _name(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def test_the_top_level_reads_as_the_pipeline():
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert len(modules) <= MAX_TOP_LEVEL_MODULES, modules
    assert {"load", "importers", "model", "analysis", "reporters", "views"} <= set(packages)


def test_the_map_in_contributing_names_every_module():
    """CONTRIBUTING.md's map stays the map: a new module gets its line there."""
    text = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    missing = []
    for path in sorted([*PACKAGE.rglob("*.py"), *C_SOURCES]):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative not in text and path.name not in text:
            missing.append(relative)
    assert not missing, f"CONTRIBUTING.md's map does not name: {', '.join(missing)}"


@pytest.mark.parametrize("path", SOURCES + C_SOURCES, ids=_name)
def test_modules_stay_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{_name(path)} has {lines} lines: split it by job (CONTRIBUTING.md)"


def _blocks(path: Path):
    """Every function and method, nested ones included, once each, with its complexity."""
    pending = list(cc_visit(path.read_text(encoding="utf-8")))
    seen = set()
    while pending:
        block = pending.pop()
        pending.extend(getattr(block, "methods", ()))
        pending.extend(getattr(block, "closures", ()))
        if not hasattr(block, "methods") and (block.fullname, block.lineno) not in seen:  # a function
            seen.add((block.fullname, block.lineno))
            yield block


@pytest.mark.parametrize("path", SOURCES, ids=_name)
def test_functions_stay_simple(path):
    too_complex = []
    for block in _blocks(path):
        limit = HOT_LOOPS.get((_name(path), block.fullname), MAX_COMPLEXITY)
        if block.complexity > limit:
            too_complex.append(f"{block.fullname} ({block.complexity})")
    assert not too_complex, f"{_name(path)}: above complexity {MAX_COMPLEXITY}: {', '.join(too_complex)}"


def test_every_package_ships_in_the_wheel():
    """pyproject.toml lists the packages by name: a new sub-package must be added there,
    or the installed spoflint cannot import it."""
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "spoflint").rglob("__init__.py")}
    assert found <= listed, f"add to pyproject.toml's packages: {sorted(found - listed)}"
