"""Plain code the tests share, imported as `from tests.helpers import ...`.

The pytest fixtures (`in_repo`, `in_tmp`) live in tests/conftest.py; this module holds
only constants and functions, so that any test module, or a fixture, can import them:

- paths: the repository (`REPO`), its `FIXTURES`, the three bundled `EXAMPLES` (`HA`,
  `SINGLE`, `HIDDEN`), and the read-only `SHARED` folder next to the repository with
  its `CORPUS` of real-world files;
- topologies several files check: `WARNINGS_AND_NOTES`, `ACCEPTED` (`accepted_topology`);
- building: `topology_of` (YAML text to a Topology, as a user's file goes), `estate_text`
  (a generated estate's text, as the benchmark makes it);
- the command line in-process: `invoke`, `check_json`, `findings`, `fired`,
  `assert_one_line_error`; as a child process: `python_m_spoflint`, `run_command`;
- files: `write`;
- importer fixtures: `expected` (a fixture's `# expect:` lines), `judged`, `pairs`,
  `lint_import`, `fixture_inputs`, `corpus_files`, `assert_expected_findings`.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spoflint import engine, model
from spoflint.cli import app
from spoflint.load import load_text
from spoflint.model import Topology

# --- paths ---------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
EXAMPLES = FIXTURES / "examples"
HA = EXAMPLES / "openstack-ha.yaml"
SINGLE = EXAMPLES / "single-controller.yaml"
HIDDEN = EXAMPLES / "hidden-spof.yaml"
SHARED = REPO.parent / "shared"  # the product contract, examples and corpus (read-only)
CORPUS = SHARED / "corpus"

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not there")


# --- small topologies that several test files check -------------------------------------------

# Only warnings (SPOF003 on core, SPOF004 on both links) and notes (MODEL001: nothing has
# power declared).
WARNINGS_AND_NOTES = """\
version: 1
network:
  internet: {kind: external}
  core: {kind: router}
  sw-1: {kind: switch}
links: [[internet, core], [core, sw-1]]
"""

# Redundant but for the one power feed, whose risk is accepted: the only errors are
# SPOF001 on feed-a and SVC002 on web, whose two instances share that feed (each switch's
# single uplink is a SPOF004 warning, each single power input a PWR001 warning).
# `{ACCEPT}` stands for the feed's `accept:` value (`accepted_topology`).
ACCEPTED = """\
version: 1
power:
  feed-a:
    kind: feed
    accept: {ACCEPT}
network:
  internet: {kind: external}
  sw-1: {kind: switch, power: [feed-a]}
  sw-2: {kind: switch, power: [feed-a]}
links:
  - {between: [internet, sw-1], name: uplink-1}
  - {between: [internet, sw-2], name: uplink-2}
hosts:
  web-1: {power: [feed-a], nics: [sw-1, sw-2]}
  web-2: {power: [feed-a], nics: [sw-1, sw-2]}
services:
  web: {kind: nginx, state: stateless, hosts: [web-1, web-2], access: client-list}
"""


def accepted_topology(accept: str) -> str:
    """ACCEPTED with `accept` as the feed's acceptance (`{SPOF001: "lab"}`)."""
    return ACCEPTED.replace("{ACCEPT}", accept)


# --- building --------------------------------------------------------------------------------


def estate_text(size: int, seed: int = 1, planted: int = 10) -> str:
    """The text of a generated estate (`bench/generate.py`), as the benchmark makes it."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    return generate(size, seed, planted)[0]


def topology_of(text: str | bytes, name: str = "t.yaml") -> Topology:
    """The Topology that loading and building `text`, as one file called `name`, gives."""
    return model.build([load_text(text, name)])


# --- the command line ------------------------------------------------------------------------


def invoke(*args):
    """Run `spoflint *args` in-process (typer's CliRunner); an exception other than the
    exit is re-raised as a test failure."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"spoflint {' '.join(map(str, args))} raised") from result.exception
    return result


def check_json(*args) -> dict:
    """The JSON report of `spoflint check --format json *args`, which must exit 0 or 1."""
    result = invoke("check", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def findings(*args) -> list[dict]:
    """The findings of the JSON report of `spoflint check *args`."""
    return check_json(*args)["findings"]


def fired(*args) -> set[str]:
    """The rules that have a finding in `spoflint check *args`."""
    return {f["rule"] for f in findings(*args)}


def assert_one_line_error(result, pattern: str, after: Sequence[str] = ()) -> str:
    """Exit 2, nothing on stdout, exactly one line on stderr matching `pattern` (after
    the notices `after`: that local rules are loaded)."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[: len(after)] == list(after), result.stderr
    lines = lines[len(after) :]
    assert len(lines) == 1, result.stderr
    assert re.fullmatch(pattern, lines[0]), lines[0]
    return lines[0]


def python_m_spoflint(*args, cwd=None, env=None) -> subprocess.CompletedProcess:
    """Run `python -m spoflint *args` in a child process, capturing its output as text."""
    return subprocess.run(
        [sys.executable, "-m", "spoflint", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_command(*args, cwd, env=None, check: bool = True, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run a program (its arguments made strings), capturing its output as text; unless
    `check` is false, a non-zero exit fails the test with both streams shown."""
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, args))} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


# --- files -----------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    """Write `text` to `path` (UTF-8), making its folders first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- importer fixtures: `# expect:` lines and the findings that count ------------------------

EXPECT = re.compile(r"^#\s*expect:(.*)$")
EXPECT_NOTE = re.compile(r"^#\s*expect-note:(.*)$")
TOKEN = re.compile(r"^[A-Z]+[0-9]{3}@\S+$")


def judged(findings) -> set[tuple[str, str]]:
    """(rule, subject) of the errors and warnings that were not accepted."""
    return {(f.rule, f.subject) for f in findings if f.severity != "note" and f.suppressed is None}


def pairs(text: str) -> set[tuple[str, str]]:
    return {tuple(t.split("@", 1)) for t in text.split()}


class Expected(set):
    """The (rule, subject) pairs a fixture expects, and the texts its MODEL001 notes must
    contain (`notes`)."""

    notes: tuple[str, ...] = ()


def expected(path: Path) -> Expected:
    """The `# expect: RULE@subject ...` (or `# expect: none`) lines at the top of a
    fixture, then its `# expect-note: text` lines (each a part of some MODEL001 note's
    message); for a folder, of its first YAML file."""
    first = path if path.is_file() else sorted(path.glob("*.y*ml"))[0]
    tokens: list[str] = []
    notes: list[str] = []
    for line in first.read_text(encoding="utf-8").splitlines():
        match = EXPECT.match(line)
        note = EXPECT_NOTE.match(line)
        if note:
            notes.append(note.group(1).strip())
        elif match:
            tokens += match.group(1).split()
        else:
            break
    assert tokens, f"{first}: the first lines must be `# expect: RULE@subject ...` or `# expect: none`"
    bad = [t for t in tokens if not TOKEN.match(t)] if tokens != ["none"] else []
    assert not bad, f"{first}: {bad[0]!r} is not RULE@subject"
    want = Expected() if tokens == ["none"] else Expected(pairs(" ".join(tokens)))
    want.notes = tuple(notes)
    return want


def lint_import(reader, *paths):
    """(topology, findings) of the files that `reader` (an importer module) reads, linted
    with the default configuration."""
    topology = model.build(reader.read([str(p) for p in paths]))
    return topology, engine.check(topology, engine.Config())


def fixture_inputs(folder: Path) -> list[Path]:
    """The inputs of an importer's fixture folder: its YAML files and its sub-folders
    (each read as one input)."""
    return sorted(p for p in folder.iterdir() if p.is_dir() or p.suffix in (".yaml", ".yml"))


def corpus_files(detect) -> list[Path]:
    """The YAML files of the shared corpus that `detect(path, data)` claims."""
    if not CORPUS.is_dir():
        return []
    return [
        p
        for p in sorted(CORPUS.rglob("*"))
        if p.is_file() and p.suffix in (".yaml", ".yml") and detect(p, p.read_bytes())
    ]


def assert_expected_findings(name: str, findings, want: set[tuple[str, str]]) -> None:
    """The errors and warnings that count are exactly `want`, and every note is MODEL001's
    (what an imported format cannot say)."""
    got = judged(findings)
    assert got == want, "\n".join(
        [f"{name}:", f"  missing:    {sorted(want - got)}", f"  unexpected: {sorted(got - want)}"]
        + [f"  {f.rule}@{f.subject}: {f.message}" for f in findings if (f.rule, f.subject) in got ^ want]
    )
    notes = {f.rule for f in findings if f.severity == "note"}
    assert notes <= {"MODEL001"}, f"{name}: notes other than MODEL001: {notes}"
    said = [f.message for f in findings if f.rule == "MODEL001"]
    for text in getattr(want, "notes", ()):
        assert any(text in m for m in said), f"{name}: no MODEL001 note says {text!r}; the notes:\n" + "\n".join(said)
