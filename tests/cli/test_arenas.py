"""The program's object arenas on huge pages (`spoflint/_arenas.c`): installed by the
program only, never in a library caller's process, and nothing it builds differs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from spoflint import __main__
from tests.helpers import REPO

sys.path.insert(0, str(REPO / "bench"))
import generate  # noqa: E402  (bench/generate.py)

try:
    from spoflint import _arenas as arenas
except ImportError:  # installed without a C compiler
    arenas = None  # type: ignore[assignment]
without_c = pytest.mark.skipif(arenas is None, reason="spoflint was installed without its parts in C")

PROGRAM = """
import atexit, json, sys
from spoflint import __main__, _arenas
sys.argv = ["spoflint", *sys.argv[1:]]
__main__._huge_pages()
kept = [(i, str(i)) for i in range(2_500_000)]  # past the arenas mapped as usual (256 MiB)
del kept  # the check below then runs on arenas from the regions, freed ones reused
# the program ends the process itself, its exit handlers run first
atexit.register(lambda: print(json.dumps(_arenas.counts()), file=sys.stderr))
__main__.main()
"""


@pytest.mark.slow
@without_c
def test_the_program_reports_the_same_with_its_arenas_on_huge_pages(tmp_path):
    """A check whose objects live in the regions' arenas (the program's memory past the
    first 256 MiB) prints what a check in a library caller's process (the allocator left
    alone) prints."""
    text, _ = generate.generate(10_000)
    path = tmp_path / "estate.yaml"
    path.write_text(text)
    args = ["check", str(path), "--format", "json"]
    program = subprocess.run([sys.executable, "-c", PROGRAM, *args], capture_output=True, text=True, cwd=tmp_path)
    counts = json.loads(program.stderr.strip().splitlines()[-1])
    assert counts["mapped"] == 256 and counts["served"] > 0 and counts["reused"] > 0 and counts["regions"] >= 1
    library = subprocess.run(
        [sys.executable, "-c", f"from spoflint.__main__ import main; raise SystemExit(main({args!r}))"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert program.returncode == library.returncode == 1
    assert program.stdout == library.stdout and json.loads(program.stdout)["findings"]


@without_c
def test_a_library_caller_keeps_its_allocator(tmp_path):
    """`main(argv)` in-process (a caller's) never installs the arenas: nothing is served."""
    before = arenas.counts()
    path = REPO / "fixtures" / "examples" / "hidden-spof.yaml"
    assert __main__.main(["check", str(path), "--format", "json", "--output", str(tmp_path / "r.json")]) == 1
    assert arenas.counts() == before
