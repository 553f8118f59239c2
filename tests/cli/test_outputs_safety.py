"""Outputs never clobber what they point at (issue 16, item 2): a device or a FIFO is
written in place, never replaced; a symlink is written through to its target; an
output that is an input of the run, or two outputs to one file, is an exit-2 usage
error before anything is written; an existing file keeps its permissions; SIGTERM,
like Ctrl-C, leaves no temporary file behind."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.helpers import HIDDEN, REPO, assert_one_line_error, invoke, write

COMPOSE = "services:\n  web:\n    image: nginx:1.27\n"


@pytest.fixture
def topology(in_tmp):
    path = in_tmp / "hidden.yaml"
    shutil.copy(HIDDEN, path)
    return path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_fifo_output_is_written_in_place_not_replaced(topology):
    fifo = topology.parent / "report.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = invoke("check", "hidden.yaml", "-f", "json", "-o", "report.fifo")
    reader.join(timeout=60)
    assert result.exit_code == 1, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the FIFO
    assert got and b'"format": "spoflint-findings"' in got[0]
    assert _leftovers(topology.parent) == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="as root a regression would replace /dev/null")
def test_dev_null_takes_a_report_and_stays_a_device(topology):
    result = invoke("check", "hidden.yaml", "-o", "/dev/null")
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_symlink_to_a_device_is_written_in_place(topology):
    link = topology.parent / "out"
    link.symlink_to(os.devnull)
    result = invoke("check", "hidden.yaml", "-o", "out")
    assert result.exit_code == 1, result.output
    assert link.is_symlink() and os.readlink(link) == os.devnull
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_symlink_is_written_through_to_its_target(topology):
    (topology.parent / "reports").mkdir()
    target = write(topology.parent / "reports" / "latest.json", "old\n")
    link = topology.parent / "report.json"
    link.symlink_to("reports/latest.json")
    assert invoke("check", "hidden.yaml", "-f", "json", "-o", "report.json").exit_code == 1
    assert link.is_symlink() and os.readlink(link) == "reports/latest.json"
    assert target.read_text().startswith("{")
    assert _leftovers(topology.parent) == _leftovers(target.parent) == []


def test_an_existing_outputs_permissions_are_kept(topology):
    report = write(topology.parent / "report.txt", "old\n")
    report.chmod(0o600)
    assert invoke("check", "hidden.yaml", "-o", "report.txt").exit_code == 1
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert "SPOF001" in report.read_text()
    new = topology.parent / "new.txt"
    umask = os.umask(0o022)
    try:
        assert invoke("check", "hidden.yaml", "-o", "new.txt").exit_code == 1
    finally:
        os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o644  # a new one: as open() makes it


@pytest.mark.parametrize(
    "args",
    [
        ("check", "hidden.yaml", "-o", "hidden.yaml"),
        ("check", ".", "-f", "json", "-o", "hidden.yaml"),  # found in the folder checked
        ("check", "hidden.yaml", "--write-baseline", "hidden.yaml"),
        ("check", "hidden.yaml", "-o", "alias.yaml"),  # a symlink to the input
        ("check", "hidden.yaml", "-o", "hard.yaml"),  # a hard link to it
        ("graph", "hidden.yaml", "-o", "hidden.yaml"),
    ],
)
def test_an_output_that_is_an_input_is_refused_before_anything_is_written(topology, args):
    (topology.parent / "alias.yaml").symlink_to("hidden.yaml")
    os.link(topology, topology.parent / "hard.yaml")
    before = topology.read_bytes()
    assert_one_line_error(
        invoke(*args),
        r"spoflint: error: the output \S+ is an input of this run \(\S+\): writing it would destroy it; .*",
    )
    assert topology.read_bytes() == before


def test_import_over_its_own_source_is_refused(in_tmp):
    source = write(in_tmp / "compose.yaml", COMPOSE)
    assert_one_line_error(
        invoke("import", "compose", "compose.yaml", "-o", "compose.yaml"),
        r"spoflint: error: the output compose.yaml is an input of this run \(compose.yaml\): .*",
    )
    assert source.read_text() == COMPOSE
    assert invoke("import", "compose", "compose.yaml", "-o", "topology.yaml").exit_code == 0  # elsewhere: fine


def test_the_config_and_the_baseline_read_are_inputs_too(topology):
    write(topology.parent / ".spoflint.yaml", "fail-on: error\n")
    assert_one_line_error(
        invoke("check", "hidden.yaml", "-o", ".spoflint.yaml"),
        r"spoflint: error: the output \.spoflint\.yaml is an input .*",
    )
    assert invoke("check", "hidden.yaml", "--write-baseline", "base.json").exit_code == 0
    assert_one_line_error(
        invoke("check", "hidden.yaml", "--baseline", "base.json", "-f", "json", "-o", "base.json"),
        r"spoflint: error: the output base\.json is an input .*",
    )
    # rewriting the baseline in use is how one refreshes it: that is not reading it
    assert invoke("check", "hidden.yaml", "--baseline", "base.json", "--write-baseline", "base.json").exit_code == 0


def test_two_outputs_to_one_file_are_refused_before_anything_is_written(topology):
    result = invoke("check", "hidden.yaml", "-f", "json", "-o", "r.json", "-f", "sarif", "-o", "./r.json")
    assert_one_line_error(
        result, r"spoflint: error: two outputs go to one file, r\.json and \./r\.json: give each its own"
    )
    assert not (topology.parent / "r.json").exists()
    result = invoke("check", "hidden.yaml", "-f", "json", "-o", "r.json", "--write-baseline", "r.json")
    assert result.exit_code == 2
    assert not (topology.parent / "r.json").exists()
    both = invoke("check", "hidden.yaml", "-f", "json", "-o", os.devnull, "-f", "sarif", "-o", os.devnull)
    assert both.exit_code == 1, both.output  # a device takes any number


# A child that runs `spoflint check` and is sent SIGTERM (or SIGINT) while its outputs are
# being renamed into place, after every temporary file was written.
SIGNALLED = """\
import os, signal, sys
sig = getattr(signal, sys.argv[1])
real = os.replace
def replace(src, dst):
    os.kill(os.getpid(), sig)
    real(src, dst)
os.replace = replace
from spoflint.cli import run
sys.exit(run(["check", "hidden.yaml", "-f", "json", "-o", "a.json", "-f", "sarif", "-o", "b.sarif"]))
"""


@pytest.mark.parametrize(("name", "status"), [("SIGTERM", -signal.SIGTERM), ("SIGINT", 130)])
def test_a_signal_while_writing_leaves_no_temporary_files(topology, name, status):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", SIGNALLED, name],
        cwd=topology.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in topology.parent.iterdir()) == ["hidden.yaml"]  # no report, no temporary
