"""Clean output: names, paths and values taken from input (a file name, the topology's
`name`, an accepted risk's reason, a baseline entry's subject, a `--fail` value) never
reach a text output with their control characters. Each finding stays one line, no
GitHub workflow command and no terminal escape (ESC, BEL, CSI, a title set, a screen
clear) can be injected, and JSON and SARIF keep the exact text."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from spoflint.analysis.cutsets import CutSets
from spoflint.errors import InputError, UsageError, printable
from spoflint.reporters import render
from spoflint.reporters.text import View, render_rich
from spoflint.views import cutsets
from tests.helpers import HIDDEN, accepted_topology, assert_one_line_error, check_json, invoke

# a file name that tries everything: a new workflow command, a screen clear, a title set
HOSTILE = "x\n::error file=evil.yaml,line=1::pwned\x1b[2J\x1b]0;title\x07.yaml"
SHOWN = "x\\n::error file=evil.yaml,line=1::pwned\\x1b[2J\\x1b]0;title\\x07.yaml"
CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")  # all but \n


@pytest.fixture
def hostile(in_tmp) -> Path:
    """hidden-spof (many findings) in a file called HOSTILE, in the current directory."""
    shutil.copy(HIDDEN, in_tmp / HOSTILE)
    return in_tmp / HOSTILE


def run(*args) -> str:
    result = invoke(*args)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_printable_shows_every_control_character_as_python_writes_it():
    assert printable("sw-1 café, 数据") == "sw-1 café, 数据"  # text that needs nothing is kept
    assert printable("a\nb\rc\td\x00\x1b[2J\x07\x7f\x9b") == "a\\nb\\rc\\td\\x00\\x1b[2J\\x07\\x7f\\x9b"
    assert printable("\u2028\u2029\u202e\u2066") == "\\u2028\\u2029\\u202e\\u2066"
    assert printable(b"caf\xe9".decode("utf-8", "surrogateescape")) == "caf\\xe9"  # a Latin-1 file name
    assert printable("\ud800") == "\\ud800"


@pytest.mark.parametrize("fmt", ["text", "concise"])
def test_a_file_name_with_a_newline_and_escapes_keeps_each_finding_on_one_line(hostile, fmt):
    out = run("check", "--format", fmt, "--quiet", HOSTILE)
    assert not CONTROLS.search(out)
    lines = out.splitlines()
    findings = [line for line in lines if not line.startswith(("  fix: ", "  also: "))]
    assert all(line.lstrip(" ").startswith(f"{SHOWN}:") for line in findings), out
    if fmt == "concise":  # every finding is a line of its own
        assert len(findings) == len([f for f in check_json(HOSTILE)["findings"] if f["suppressed"] is None])


def test_github_annotations_cannot_be_injected_by_a_file_name(hostile):
    out = run("check", "--format", "github", HOSTILE)
    lines = out.splitlines()
    reported = [f for f in check_json(HOSTILE)["findings"] if f["suppressed"] is None]
    assert len(lines) == len(reported)  # one command per finding, none of the file name's
    assert all(
        re.match(r"::(error|warning|notice) file=x%0A%3A%3Aerror file=evil.yaml%2Cline=1%3A%3A", x) for x in lines
    )
    assert "\x1b" not in out and "\x07" not in out and "pwned\\x1b[2J" in out


def test_junit_and_markdown_keep_one_line_per_finding(hostile):
    root = ET.fromstring(run("check", "--format", "junit", HOSTILE))
    for failure in root.iter("failure"):
        assert failure.text.startswith(f"{SHOWN}:") and "\n" not in failure.text
    for case in root.iter("testcase"):
        assert not CONTROLS.search(case.get("name")) and "\n" not in case.get("name")
    table = run("check", "--format", "markdown", HOSTILE).splitlines()
    rows = [row for row in table if row.startswith("| ") and "Rule" not in row]
    assert rows and all(row.endswith(" |") and "`x\\n::error" in row for row in rows), rows[:2]
    assert not any(CONTROLS.search(row) for row in table)


def test_json_and_sarif_keep_the_exact_name(hostile):
    assert {f["path"] for f in check_json(HOSTILE)["findings"]} == {HOSTILE}
    sarif = json.loads(run("check", "--format", "sarif", HOSTILE))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert len(uris) == 1 and "%0A" in uris.pop()  # a URI: percent-encoded, as SARIF asks


def test_an_accepted_reason_with_escapes_is_shown_escaped(in_tmp):
    Path("t.yaml").write_text(accepted_topology('{SPOF001: "lab \\e]0;owned\\a\\e[2J\\nnext line"}'))
    out = run("check", "t.yaml")
    assert "t.yaml:3:3: SPOF001 [accepted] on feed-a: lab \\x1b]0;owned\\x07\\x1b[2J\\nnext line\n" in out
    assert not CONTROLS.search(out)
    assert [f["suppressed"]["reason"] for f in check_json("t.yaml")["findings"] if f["suppressed"]] == [
        "lab \x1b]0;owned\x07\x1b[2J\nnext line"
    ]


def test_the_topology_name_in_availability_and_a_fail_value_in_simulate(in_tmp):
    text = HIDDEN.read_text().replace("name: hidden-spof", 'name: "hid\\e]0;pwn\\a\\nden \u202eevil"')
    Path("t.yaml").write_text(text)
    out = run("availability", "t.yaml")
    assert out.splitlines()[0].startswith("hid\\x1b]0;pwn\\x07\\nden \\u202eevil: availability")
    assert not CONTROLS.search(out)
    assert (
        json.loads(run("availability", "--format", "json", "t.yaml"))["topology"] == "hid\x1b]0;pwn\x07\nden \u202eevil"
    )
    result = invoke("simulate", "t.yaml", "--fail", "sw-1\x1b[2J\n::error::x")
    line = assert_one_line_error(result, r"spoflint: error: .*")
    assert not CONTROLS.search(line) and "\\x1b[2J" in line


def test_a_one_line_error_escapes_the_path_and_the_message(in_tmp):
    result = invoke("check", "no\nsuch\x1b[2J.yaml")
    line = assert_one_line_error(result, r"no\\nsuch\\x1b\[2J\.yaml:1:1: .*")
    assert not CONTROLS.search(line)
    assert str(InputError("a\tb.yaml", 3, 4, "bad \x1b]0;t\x07 value")) == "a\\tb.yaml:3:4: bad \\x1b]0;t\\x07 value"
    assert str(UsageError("--fail: unknown \x9b2J")) == "spoflint: error: --fail: unknown \\x9b2J"


def test_a_stale_baseline_subject_is_shown_escaped(in_tmp):
    shutil.copy(HIDDEN, "hidden.yaml")
    entry = {"rule": "SPOF001", "path": "hidden.yaml", "subject": "gone\x1b[2J\n::error::x"}
    result = invoke("check", "hidden.yaml", "--write-baseline", "baseline.json")
    assert result.exit_code == 0, result.output
    document = json.loads(Path("baseline.json").read_text())
    document["findings"].append(entry)
    Path("baseline.json").write_text(json.dumps(document))
    out = run("check", "--format", "concise", "hidden.yaml", "--baseline", "baseline.json")
    model002 = [line for line in out.splitlines() if " MODEL002 " in line]
    assert len(model002) == 1 and "gone\\x1b[2J\\n::error::x" in model002[0], out
    github = run("check", "--format", "github", "hidden.yaml", "--baseline", "baseline.json")
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in github.splitlines())


def test_source_lines_and_the_terminal_rendering_are_escaped(in_tmp):
    text = HIDDEN.read_text().replace("  sw-1: {kind: switch, rack: r1}", "  sw-1: {kind: switch,\track: r1}")
    assert "\t" in text
    Path("t.yaml").write_text(text)
    out = run("check", "--format", "concise", "--show-source", "--select", "SPOF001", "t.yaml")
    rows = out.splitlines()
    at = next(i for i, row in enumerate(rows) if "{kind: switch,\\track: r1}" in row)
    assert rows[at + 1].index("^") == rows[at].index("sw-1")  # the caret under the column still
    from spoflint.findings import Finding

    finding = Finding(
        rule="SPOF001",
        name="single-point-of-failure",
        severity="error",
        path="a\x1b[2J.yaml",
        line=1,
        column=1,
        subject="sw-1",
        message="sw-1 is \x07 a single point\nof failure",
        fingerprint="f",
    )
    shown = render_rich([finding], grouped=False, view=View(quiet=True)).plain
    assert shown == "a\\x1b[2J.yaml:1:1: SPOF001 [error] sw-1 is \\x07 a single point\\nof failure\n"
    assert render("concise", [finding], {}) == shown + "Found 1 finding: 1 error.\n"


def test_cutsets_text_is_one_line_per_set():
    # element ids cannot hold control characters (the schema refuses them), but the
    # text view does not count on it
    sets = CutSets("web\x1b[2J", (("a\nb",),), (0.5,), False, 1)
    assert cutsets.to_text([sets], 1) == "web\\x1b[2J: 1 minimal cut set up to order 1\n  {a\\nb}  p=0.5\n"


def test_a_bad_option_value_is_echoed_escaped(in_tmp, capsys):
    from spoflint.cli import run as spoflint

    assert spoflint(["check", "--fail-on", "\x1b]0;title\x07\u2028x", "t.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("spoflint: error: ") and err.count("\n") == 1 and not CONTROLS.search(err)
