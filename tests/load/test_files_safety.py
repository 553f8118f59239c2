"""Files a check reads are bounded and never block (issue 16, items 4 and 5): a folder
contributes only its regular files (a FIFO, a device, a socket, a dangling link or a
file past the size limit is skipped with a MODEL001 note, before any read); named, each
is an input error; a folder that cannot be listed is a note; a baseline is read bounded
(`baseline: /dev/zero` ends), and 300,000 stale entries are read in linear time; deeply
nested baseline JSON and file names that are not UTF-8 are one located line or a
finding, never a traceback."""

from __future__ import annotations

import builtins
import json
import os
import shutil
import socket
import subprocess
import sys

import pytest

from spoflint.load import MAX_BYTES
from tests.helpers import HIDDEN, REPO, assert_one_line_error, check_json, invoke, write


@pytest.fixture
def folder(in_tmp):
    """A folder to check holding one native topology, the current directory's `infra/`."""
    root = in_tmp / "infra"
    root.mkdir()
    shutil.copy(HIDDEN, root / "hidden.yaml")
    return root


def _notes(report: dict) -> list[str]:
    return [f["message"] for f in report["findings"] if f["rule"] == "MODEL001"]


def _in_child(args, cwd, timeout=60):
    """`python -m spoflint *args` in a child process, with a timeout: a hang fails the test."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "spoflint", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_a_fifo_named_yaml_in_a_folder_is_skipped_with_a_note_and_never_blocks(folder):
    os.mkfifo(folder / "pipe.yaml")
    os.mkfifo(folder / "multinode")  # an inventory name, read without a suffix
    done = _in_child(["check", "-f", "json", "infra"], folder.parent)
    assert done.returncode == 1, done.stderr
    notes = _notes(json.loads(done.stdout))
    assert "infra/pipe.yaml was not read: it is a FIFO (named pipe)" in notes
    assert "infra/multinode was not read: it is a FIFO (named pipe)" in notes


def test_a_named_fifo_is_an_input_error(folder):
    os.mkfifo(folder / "pipe.yaml")
    done = _in_child(["check", "infra/pipe.yaml"], folder.parent)
    assert done.returncode == 2
    assert done.stderr == "infra/pipe.yaml:1:1: cannot read file: it is a FIFO (named pipe), not a regular file\n"


def test_devices_sockets_and_dangling_links_in_a_folder_are_skipped_with_a_note(folder):
    (folder / "zero.yaml").symlink_to("/dev/zero")  # committed as a symlink
    (folder / "gone.yaml").symlink_to("nowhere.yaml")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock.yaml"))
    try:
        notes = _notes(check_json("infra"))
    finally:
        server.close()
    assert "infra/zero.yaml was not read: it is a character device" in notes
    assert "infra/gone.yaml was not read: it is a dangling symbolic link" in notes
    assert "infra/sock.yaml was not read: it is a socket" in notes
    assert_one_line_error(
        invoke("check", "infra/zero.yaml"), r"infra/zero\.yaml:1:1: cannot read file: it is a character device, .*"
    )


def test_a_file_past_the_size_limit_is_skipped_unread(folder, monkeypatch):
    big = folder / "big.yaml"
    with open(big, "wb") as handle:  # sparse: 300 MB that take no disk
        handle.truncate(300 << 20)
    opened: list[str] = []
    real_open, real_os_open = builtins.open, os.open
    with monkeypatch.context() as patched:
        patched.setattr(builtins, "open", lambda f, *a, **k: (opened.append(os.fspath(f)), real_open(f, *a, **k))[1])
        patched.setattr(os, "open", lambda f, *a, **k: (opened.append(os.fspath(f)), real_os_open(f, *a, **k))[1])
        notes = _notes(check_json("infra"))
    assert (
        f"infra/big.yaml was not read: the file is {300 << 20:,} bytes; the limit is {MAX_BYTES:,} (256 MiB)" in notes
    )
    assert not [p for p in opened if p.endswith("big.yaml")]  # judged by its size: not one read
    result = invoke("check", "infra/big.yaml")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "infra/big.yaml:1:1: the file is 314,572,800 bytes; the limit is" in result.stderr


def test_a_folder_that_cannot_be_listed_is_a_note_not_silence(folder, monkeypatch):
    (folder / "secret").mkdir()
    write(folder / "secret" / "more.yaml", HIDDEN.read_text())
    real_scandir = os.scandir

    def scandir(path="."):  # as for a folder of mode 0700 owned by another user (root lists anything)
        if os.fspath(path).endswith("secret"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert "infra/secret was not read: the folder cannot be listed (Permission denied)" in _notes(check_json("infra"))
    assert_one_line_error(
        invoke("check", "infra/secret"), r"infra/secret:1:1: cannot list this folder: Permission denied"
    )


def test_a_baseline_that_never_ends_is_refused_after_a_bounded_read(folder):
    write(folder / ".spoflint.yaml", "baseline: /dev/zero\n")
    done = _in_child(["check", "hidden.yaml"], folder, timeout=120)
    assert done.returncode == 2
    assert done.stderr.endswith(
        "dev/zero:1:1: cannot read baseline: the file holds more than 268,435,456 bytes, the limit (256 MiB)\n"
    )
    assert len(done.stderr.splitlines()) == 1


def test_deeply_nested_baseline_json_is_one_line(folder, monkeypatch):
    monkeypatch.chdir(folder)
    write(folder / "deep.json", "[" * 100_000 + "]" * 100_000)
    assert_one_line_error(
        invoke("check", "hidden.yaml", "--baseline", "deep.json"),
        r"deep\.json:1:1: invalid baseline: nested too deeply \(a baseline is one list of entries\)",
    )
    write(folder / "deeper.json", '{"format": "spoflint-baseline", "version": 1, "findings": [' + "[" * 100_000)
    result = invoke("check", "hidden.yaml", "--baseline", "deeper.json")
    assert result.exit_code == 2 and "Traceback" not in result.output


STALE = 300_000
READ_STALE = """\
import json, sys
from spoflint import baseline
lines = ['{"format": "spoflint-baseline", "version": 1, "findings": [']
for i in range(STALE):
    entry = {"rule": "SPOF001", "path": "hidden.yaml", "subject": f"gone-{i}"}
    lines.append("  " + json.dumps(entry) + ("," if i < STALE - 1 else ""))
open("base.json", "w").write("\\n".join(lines) + "\\n]}\\n")
entries = baseline.read("base.json")
assert len(entries) == STALE and entries[-1].line == STALE + 1, entries[-1]
assert baseline.match([], entries, "base.json")[1][-1].subject == f"gone-{STALE - 1}"
""".replace("STALE", str(STALE))


def test_300000_stale_baseline_entries_are_read_in_linear_time(in_tmp):
    # counting each entry's line from the top made this quadratic: about an hour; now seconds
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-c", READ_STALE], cwd=in_tmp, env=env, check=True, timeout=120)


def test_a_file_name_that_is_not_utf8_is_shown_escaped(in_tmp):
    latin1 = os.fsdecode(b"caf\xe9.yaml")  # a legacy Latin-1 name
    shutil.copy(HIDDEN, in_tmp / latin1)
    report = check_json(".")
    assert {f["path"] for f in report["findings"]} == {"caf\\xe9.yaml"}
    text = invoke("check", ".")
    assert text.exit_code == 1 and "caf\\xe9.yaml:21:3: SPOF001" in text.stdout
    missing = invoke("check", os.fsdecode(b"gon\xe9.yaml"))
    assert_one_line_error(missing, r"gon\\xe9\.yaml:1:1: no such file or directory")


@pytest.mark.parametrize(
    "fixture",
    [
        "compose/blog.compose.yaml",
        "kubernetes/canary.yaml",
        "kolla-ansible/cinder-lvm",
        "openstack-ansible/az-env-d",
    ],
)
def test_a_foreign_file_is_read_once_for_sniffing_and_reading(fixture, monkeypatch):
    # issue 16: one read per file -- the reader takes the bytes the format sniffing read
    import builtins
    import importlib
    import os

    from tests.helpers import FIXTURES, check_json

    root = str(FIXTURES / "import" / fixture.split("/")[0])
    opened: list[str] = []
    os_open, builtin_open = os.open, builtins.open

    def counting_os_open(path, *args, **kwargs):
        if str(path).startswith(root):
            opened.append(str(path))
        return os_open(path, *args, **kwargs)

    def counting_open(path, *args, **kwargs):
        if isinstance(path, (str, os.PathLike)) and str(path).startswith(root):
            opened.append(str(path))
        return builtin_open(path, *args, **kwargs)

    discover = importlib.import_module("spoflint.load.discover")  # the module, not its function
    discover._KEPT.clear()
    discover._KEPT_TOTAL[0] = 0
    monkeypatch.setattr(os, "open", counting_os_open)
    monkeypatch.setattr(builtins, "open", counting_open)
    check_json(str(FIXTURES / "import" / fixture), "--isolated")
    assert opened, "no file of the fixture was opened"
    assert len(opened) == len(set(opened)), sorted(opened)


def test_mentions_scans_a_file_a_chunk_at_a_time(tmp_path):
    """`files.mentions` (does a file name another?) finds a needle across the seam of
    two chunks, not past the limit, and never opens a FIFO or a missing file."""
    from spoflint.load.files import mentions

    big = tmp_path / "big.yaml"
    big.write_bytes(b"x" * ((1 << 20) - 4) + b"compose.yaml" + b"y" * 100)  # across the first 1 MiB
    assert mentions(big, b"compose.yaml")
    assert not mentions(big, b"compose.yml")
    assert not mentions(big, b"compose.yaml", limit=1 << 20)  # starts inside the limit, ends past it
    assert mentions(big, b"x")
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    assert not mentions(fifo, b"compose.yaml")  # returns at once: never blocks on a FIFO
    assert not mentions(tmp_path / "missing.yaml", b"compose.yaml")
