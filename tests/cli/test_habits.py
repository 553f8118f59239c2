"""The habits of the linters people already use (issue 12, item 6), each through the
command line: --exit-zero, --quiet, --statistics, --color with NO_COLOR and
FORCE_COLOR, `-` with --stdin-filename, --show-source, --write-baseline with other
outputs, and `simulate --fail a,b`."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from spoflint.cli import app
from tests.helpers import HA, HIDDEN, WARNINGS_AND_NOTES, write

ANSI = re.compile(r"\x1b\[[0-9;]*m")
SUMMARY = re.compile(r"^(Found \d+|\d+ root causes?|No findings)", re.M)
BROKEN = "version: 1\nhosts:\n  a: {bogus: 1}\n"


def run(*args, stdin: str | None = None, env: dict | None = None):
    """`spoflint *args` in-process, standard input and environment as given."""
    result = CliRunner().invoke(app, [str(a) for a in args], input=stdin, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"spoflint {' '.join(map(str, args))} raised") from result.exception
    return result


# --- --exit-zero -------------------------------------------------------------------------


def test_exit_zero_reports_the_findings_and_exits_0():
    plain = run("check", HIDDEN)
    assert plain.exit_code == 1
    result = run("check", HIDDEN, "--exit-zero")
    assert result.exit_code == 0
    assert result.stdout == plain.stdout


def test_exit_zero_still_exits_2_when_the_input_cannot_be_checked(in_tmp):
    write(in_tmp / "broken.yaml", BROKEN)
    result = run("check", "broken.yaml", "--exit-zero")
    assert result.exit_code == 2
    assert "broken.yaml:3:7: hosts.a: unknown key 'bogus'" in result.stderr


# --- --quiet -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "concise"])
def test_quiet_leaves_out_the_summary_line(fmt):
    full = run("check", HIDDEN, "-f", fmt).stdout
    quiet = run("check", HIDDEN, "-f", fmt, "--quiet")
    assert quiet.exit_code == 1
    assert SUMMARY.search(full) and not SUMMARY.search(quiet.stdout)
    assert full.splitlines()[:-1] == quiet.stdout.splitlines()


def test_quiet_with_no_findings_prints_nothing(in_tmp):
    write(in_tmp / "ok.yaml", WARNINGS_AND_NOTES)
    result = run("check", "ok.yaml", "-q", "--ignore", "SPOF,MODEL,NET")
    assert result.exit_code == 0
    assert result.stdout == ""


# --- --statistics ------------------------------------------------------------------------


def test_statistics_is_an_aligned_table_per_rule_instead_of_the_findings():
    result = run("check", HIDDEN, "--statistics")
    assert result.exit_code == 1  # the exit status is the check's
    *rows, summary = result.stdout.splitlines()
    assert summary == "Found 19 findings: 10 errors, 8 warnings, 1 note."
    assert "hidden-spof.yaml" not in result.stdout  # the counts only
    parsed = [row.split() for row in rows]
    assert parsed[0] == ["4", "SPOF001", "[error]", "single-point-of-failure"]
    counts = [int(p[0]) for p in parsed]
    assert counts == sorted(counts, reverse=True) and sum(counts) == 19
    assert len({row.index("[") for row in rows}) == 1  # aligned columns
    quiet = run("check", HIDDEN, "--statistics", "--quiet").stdout
    assert quiet.splitlines() == rows


def test_statistics_goes_to_standard_output_and_the_files_keep_their_format(in_tmp):
    result = run("check", HIDDEN, "--statistics", "-f", "json", "-o", "r.json", "-f", "sarif")
    assert result.stdout.startswith(" 4  SPOF001") or result.stdout.startswith("4  SPOF001")
    assert len(json.loads((in_tmp / "r.json").read_text())["findings"]) == 19


# --- --color, NO_COLOR, FORCE_COLOR ------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ((), {}, False),  # not a terminal
        (("--color", "always"), {}, True),
        (("--color", "always"), {"NO_COLOR": "1"}, True),  # the command line wins
        (("--color", "never"), {"FORCE_COLOR": "1"}, False),
        ((), {"FORCE_COLOR": "1"}, True),
        ((), {"FORCE_COLOR": "1", "TERM": "dumb"}, True),
        ((), {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),  # opting out wins
        ((), {"NO_COLOR": "", "FORCE_COLOR": ""}, False),  # empty: as if unset
    ],
)
@pytest.mark.parametrize("fmt", ["text", "concise"])
def test_color(args, env, coloured, fmt):
    base = {"NO_COLOR": None, "FORCE_COLOR": None, **env}
    result = run("check", HIDDEN, "-f", fmt, *args, env=base)
    assert result.exit_code == 1
    assert bool(ANSI.search(result.stdout)) == coloured
    assert ANSI.sub("", result.stdout) == run("check", HIDDEN, "-f", fmt, "--color", "never").stdout


def test_color_leaves_machine_formats_alone():
    result = run("check", HIDDEN, "-f", "json", "--color", "always")
    assert not ANSI.search(result.stdout)
    json.loads(result.stdout)


def test_color_takes_only_its_three_values():
    result = run("check", HIDDEN, "--color", "sometimes")
    assert result.exit_code == 2


# --- `-`: standard input -----------------------------------------------------------------


def test_standard_input_is_reported_as_stdin():
    result = run("check", "-", "-f", "concise", stdin=HIDDEN.read_text())
    assert result.exit_code == 1
    lines = result.stdout.splitlines()[:-1]
    assert lines and all(line.startswith("stdin:") for line in lines)
    named = run("check", HIDDEN, "-f", "concise").stdout.splitlines()
    assert [line.split(":", 1)[1] for line in lines] == [line.split(":", 1)[1] for line in named[:-1]]
    assert result.stdout.splitlines()[-1] == named[-1]


def test_stdin_filename_names_it_in_every_format(in_tmp):
    text = HIDDEN.read_text()
    result = run("check", "-", "--stdin-filename", "deploy/infra.yaml", "-f", "json", stdin=text)
    findings = json.loads(result.stdout)["findings"]
    assert {f["path"] for f in findings} == {"deploy/infra.yaml"}
    sarif = run("check", "-", "--stdin-filename", "deploy/infra.yaml", "-f", "sarif", stdin=text).stdout
    assert "deploy/infra.yaml" in sarif and "spoflint-stdin" not in sarif


def test_stdin_input_errors_name_it(in_tmp):
    result = run("check", "-", "--stdin-filename", "x/y.yaml", stdin=BROKEN)
    assert result.exit_code == 2
    assert result.stderr.strip() == "x/y.yaml:3:7: hosts.a: unknown key 'bogus'"
    default = run("check", "-", stdin=BROKEN)
    assert default.stderr.strip() == "stdin:3:7: hosts.a: unknown key 'bogus'"


def test_stdin_merges_with_named_files_as_a_file_would(in_tmp):
    write(in_tmp / "other.yaml", WARNINGS_AND_NOTES)
    result = run("check", "-", "other.yaml", stdin=HIDDEN.read_text())
    assert result.exit_code == 2
    assert "other.yaml:3:3: duplicate id 'internet': already used by the network node at stdin:18:3" in result.stderr


def test_stdin_baseline_matches_by_its_name(in_tmp):
    text = HIDDEN.read_text()
    assert run("check", "-", "--stdin-filename", "i.yaml", "--write-baseline", "b.json", stdin=text).exit_code == 0
    again = run("check", "-", "--stdin-filename", "i.yaml", "--baseline", "b.json", stdin=text)
    assert again.exit_code == 0, again.stdout
    assert "19 in the baseline" in again.stdout


def test_stdin_filename_without_dash_is_a_usage_error():
    result = run("check", HIDDEN, "--stdin-filename", "a.yaml")
    assert result.exit_code == 2
    assert result.stderr.strip() == "spoflint: error: --stdin-filename names standard input: give `-` as a path too"


# --- --show-source -----------------------------------------------------------------------


def test_show_source_prints_the_lines_around_with_a_caret():
    result = run("check", HIDDEN, "--show-source", "-f", "concise")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    first = lines.index(next(line for line in lines if ":21:3: SPOF001" in line))
    assert lines[first + 1 : first + 5] == [
        "  20 |   edge-2: {kind: router, rack: r2}",
        "  21 |   sw-1: {kind: switch, rack: r1}",
        "     |   ^",
        "  22 |   sw-2: {kind: switch, rack: r2}",
    ]


def test_show_source_in_text_indents_under_the_finding():
    result = run("check", HIDDEN, "--show-source")
    assert "\n  21 |   sw-1: {kind: switch, rack: r1}\n     |   ^\n" in result.stdout
    assert "\n    21 |   sw-1: {kind: switch, rack: r1}\n       |   ^\n" in result.stdout  # a derived finding
    plain = run("check", HIDDEN).stdout
    source = re.compile(r"^ *\d* \|")
    assert [line for line in result.stdout.splitlines() if not source.match(line)] == plain.splitlines()


def test_show_source_of_standard_input():
    result = run("check", "-", "--stdin-filename", "a.yaml", "--show-source", "-f", "concise", stdin=HIDDEN.read_text())
    assert "a.yaml:21:3: SPOF001" in result.stdout
    assert "  21 |   sw-1: {kind: switch, rack: r1}\n     |   ^\n" in result.stdout


def test_show_source_first_line_and_colour():
    result = run("check", HIDDEN, "--show-source", "-f", "concise", "--color", "always")
    assert "^" in ANSI.sub("", result.stdout)
    assert ANSI.sub("", result.stdout) == run("check", HIDDEN, "--show-source", "-f", "concise").stdout


# --- --write-baseline with other outputs -------------------------------------------------


def test_write_baseline_writes_the_requested_outputs_too(in_tmp):
    result = run("check", HIDDEN, "--write-baseline", "b.json", "-f", "sarif", "-o", "r.sarif", "-f", "json")
    assert result.exit_code == 0
    assert "Recorded 19 findings in b.json." in result.stderr
    assert json.loads((in_tmp / "r.sarif").read_text())["runs"][0]["results"]
    assert len(json.loads(result.stdout)["findings"]) == 19
    assert json.loads((in_tmp / "b.json").read_text())


def test_write_baseline_alone_prints_no_report(in_tmp):
    result = run("check", HIDDEN, "--write-baseline", "b.json")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert (in_tmp / "b.json").exists()


def test_write_baseline_with_an_input_error_writes_no_baseline(in_tmp):
    write(in_tmp / "broken.yaml", BROKEN)
    result = run("check", "broken.yaml", "--write-baseline", "b.json", "-f", "sarif", "-o", "r.sarif")
    assert result.exit_code == 2
    assert not (in_tmp / "b.json").exists()
    assert (in_tmp / "r.sarif").exists()  # CI's formats carry the error


# --- simulate --fail a,b -----------------------------------------------------------------


def test_simulate_fail_splits_on_commas():
    split = run("simulate", HA, "--fail", "ctl-1,ctl-2", "-f", "json")
    repeated = run("simulate", HA, "--fail", "ctl-1", "--fail", "ctl-2", "-f", "json")
    assert split.exit_code == repeated.exit_code == 0
    assert split.stdout == repeated.stdout
    assert run("simulate", HA, "--fail", "ctl-1, ctl-2").stdout.startswith("Failed: ctl-1, ctl-2")


def test_simulate_fail_names_a_bad_one_of_several():
    result = run("simulate", HA, "--fail", "ctl-1,nope")
    assert result.exit_code == 2
    assert "nope" in result.stderr


def test_simulate_fail_with_no_name_is_a_usage_error():
    result = run("simulate", HA, "--fail", " , ")
    assert result.exit_code == 2
    assert result.stderr.strip() == "spoflint: error: --fail: name at least one element"
