"""Same input, same output, however busy the machine (issue 15: budgets count work,
never time). Each command runs once with a busy loop on both cores and once quiet, in
child processes with different hash seeds (so that nothing rests on the order of a
set), and the two outputs must be byte-identical. The inputs are estates on which the
budgets bite: `cutsets --order 3` on 2k elements is cut short, and `availability`
bounds services of a generated estate."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.analysis.test_cutsets_bounds import estate

BUSY = "while True: pass"


def spoflint(tmp_path: Path, seed: str, *argv: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run(
        [sys.executable, "-m", "spoflint", *argv], capture_output=True, cwd=tmp_path, env=env, timeout=900
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def loaded_and_quiet(tmp_path: Path, *argv: str) -> tuple[bytes, bytes]:
    """The output with two busy loops running (one per core), then without."""
    loops = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(2)]
    try:
        loaded = spoflint(tmp_path, "1", *argv)
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
    return loaded, spoflint(tmp_path, "2", *argv)


@pytest.mark.slow
def test_cutsets_under_load_gives_the_same_bytes(tmp_path):
    path = estate(tmp_path, 2000)
    loaded, quiet = loaded_and_quiet(tmp_path, "cutsets", str(path), "--order", "3", "--format", "json")
    assert b'"truncated": true' in quiet  # the budgets decided something
    assert loaded == quiet


@pytest.mark.slow
def test_availability_under_load_gives_the_same_bytes(tmp_path):
    path = estate(tmp_path, 400)
    loaded, quiet = loaded_and_quiet(tmp_path, "availability", str(path), "--format", "json")
    assert b'"services"' in quiet
    assert loaded == quiet
