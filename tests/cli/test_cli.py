"""The command line, in-process (typer's CliRunner), plus a few runs of the installed
console script. Exit status: 0 clean, 1 findings at or above the threshold, 2 input or
invocation that could not be checked, with one line saying where and why."""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from spoflint import __version__
from spoflint.cli import app, run
from spoflint.engine import Config, lint
from spoflint.registry import rules
from tests import helpers
from tests.helpers import (
    ACCEPTED,
    HA,
    HIDDEN,
    REPO,
    SINGLE,
    WARNINGS_AND_NOTES,
    accepted_topology,
    check_json,
    fired,
    invoke,
    python_m_spoflint,
    write,
)

# Only notes: two parallel uplinks, so no bridge; nothing declares power (MODEL001).
NOTES_ONLY = """\
version: 1
network:
  internet: {kind: external}
  sw-1: {kind: switch}
links:
  - {between: [internet, sw-1], name: uplink-a}
  - {between: [internet, sw-1], name: uplink-b}
"""

# In ACCEPTED (tests.helpers) the errors are SPOF001 on the accepted feed and SVC002 on
# web. SAME_RISK leaves out SVC002, the same risk seen from the service, so that the
# acceptance on the feed decides the exit status alone.
SAME_RISK = ("--ignore", "SVC002")


def assert_one_line_error(result, pattern: str) -> str:
    """Exit 2, nothing on stdout, exactly one line on stderr matching `pattern`
    (tests.helpers), and that line ends in a newline."""
    line = helpers.assert_one_line_error(result, pattern)
    assert result.stderr.endswith("\n")
    return line


# --- exit status ----------------------------------------------------------------------


def test_redundant_reference_exits_0():
    result = invoke("check", HA)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "No findings."


def test_single_controller_exits_1_with_one_line_per_finding(in_repo):
    result = invoke("check", "--format", "concise", "fixtures/examples/single-controller.yaml")
    assert result.exit_code == 1, result.output
    *lines, summary = result.stdout.splitlines()
    finding = re.compile(
        r"fixtures/examples/single-controller\.yaml:\d+:\d+: [A-Z]+\d{3} "
        r"\[(error|warning|note)\] \S.*"
    )
    assert lines and all(finding.fullmatch(line) for line in lines), lines
    assert any(" SPOF001 [error] ctl-1 " in line for line in lines)
    assert re.fullmatch(rf"Found {len(lines)} findings: \d+ errors?.*\.", summary), summary
    assert result.stderr == ""


def test_run_returns_the_exit_status(capsys):
    assert run(["check", str(HA)]) == 0
    assert run(["check", str(SINGLE)]) == 1
    assert run(["check", str(HA), "--select", "NOPE"]) == 2
    assert run(["--version"]) == 0
    out = capsys.readouterr()
    assert f"spoflint {__version__}" in out.out
    assert "NOPE" in out.err


def test_missing_file_exits_2(in_tmp):
    assert_one_line_error(invoke("check", "nope.yaml"), r"nope\.yaml:1:1: .*no such file.*")


def test_missing_file_among_good_ones_exits_2(in_tmp):
    shutil.copy(HA, "ha.yaml")
    assert_one_line_error(invoke("check", "ha.yaml", "gone/nope.yaml"), r"gone/nope\.yaml:1:1: .+")


def test_invalid_yaml_exits_2_naming_line_and_column(in_tmp):
    write(in_tmp / "bad.yaml", "version: 1\nhosts:\n  a: {}\n   b: {}\n")
    line = assert_one_line_error(invoke("check", "bad.yaml"), r"bad\.yaml:4:\d+: .+")
    assert "yaml" in line.lower()


def test_schema_violation_exits_2_naming_the_key(in_tmp):
    write(in_tmp / "bad.yaml", "version: 1\nhosts:\n  a: {bogus: 1}\n")
    line = assert_one_line_error(invoke("check", "bad.yaml"), r"bad\.yaml:3:\d+: .+")
    assert "bogus" in line


def test_input_error_in_json_mode_still_exits_2_with_nothing_on_stdout(in_tmp):
    write(in_tmp / "bad.yaml", "version: 1\nhosts: [\n")
    assert_one_line_error(invoke("check", "--format", "json", "bad.yaml"), r"bad\.yaml:\d+:\d+: .+")


def test_input_error_in_sarif_mode_is_a_notification_at_its_place(in_tmp):
    """CI shows SARIF: the error is in it (and on stderr), the status stays 2."""
    write(in_tmp / "bad.yaml", "version: 1\nhosts: [\n")
    result = invoke("check", "--format", "sarif", "bad.yaml")
    assert result.exit_code == 2 and result.stderr.startswith("bad.yaml:3:1: ")
    (run,) = json.loads(result.stdout)["runs"]
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    region = notification["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], run["results"]) == (3, 1, [])


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_rule_exits_2(option):
    line = assert_one_line_error(invoke("check", HA, option, "SPOF001,NOPE999"), r".+")
    assert "NOPE999" in line


@pytest.mark.parametrize("args", [["--fail-on", "bogus"], ["--format", "xml"]])
def test_bad_option_value_exits_2_without_traceback(args):
    result = CliRunner().invoke(app, ["check", str(HA), *args])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert args[0] in result.stderr and args[1] in result.stderr


# --- select and ignore ----------------------------------------------------------------


@pytest.fixture(scope="module")
def all_fired() -> set[str]:
    return {f.rule for f in lint([SINGLE])}


def test_single_controller_fires_several_rule_families(all_fired):
    # the selection tests below mean something only if several families fire
    assert {"SPOF001", "SPOF002", "STATE001", "SVC001"} <= all_fired
    assert any(r.startswith("SPOF") for r in all_fired) and any(not r.startswith("SPOF") for r in all_fired)


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--select", "SPOF001"], {"SPOF001"}),
        (["--select", "spof001"], {"SPOF001"}),
        (["--select", "single-point-of-failure"], {"SPOF001"}),
        (["--select", "SPOF001,STATE001"], {"SPOF001", "STATE001"}),
        (["--select", "SPOF001", "--select", "unprotected-stateful-service"], {"SPOF001", "STATE001"}),
        (["--select", " SPOF001 , SVC001 "], {"SPOF001", "SVC001"}),
    ],
)
def test_select(args, expected):
    assert fired(SINGLE, *args) == expected


def test_select_by_prefix(all_fired):
    expected = {r for r in all_fired if r.startswith("SPOF")}
    assert fired(SINGLE, "--select", "SPOF") == expected
    assert fired(SINGLE, "--select", "spof") == expected


@pytest.mark.parametrize(
    "args, removed",
    [
        (["--ignore", "SPOF001"], {"SPOF001"}),
        (["--ignore", "single-point-of-failure"], {"SPOF001"}),
        (["--ignore", "SPOF001,STATE001"], {"SPOF001", "STATE001"}),
        (["--ignore", "SPOF001", "--ignore", "SVC001"], {"SPOF001", "SVC001"}),
    ],
)
def test_ignore(all_fired, args, removed):
    assert fired(SINGLE, *args) == all_fired - removed


def test_ignore_by_prefix(all_fired):
    assert fired(SINGLE, "--ignore", "SPOF") == {r for r in all_fired if not r.startswith("SPOF")}


def test_ignore_wins_over_select(all_fired):
    expected = {r for r in all_fired if r.startswith("SPOF")} - {"SPOF003"}
    assert fired(SINGLE, "--select", "SPOF", "--ignore", "network-articulation-point") == expected


def test_selection_changes_exit_status():
    assert invoke("check", SINGLE, "--select", "SPOF003,SPOF004").exit_code == 0  # warnings only
    assert invoke("check", SINGLE, "--select", "SPOF003,SPOF004", "--fail-on", "warning").exit_code == 1
    assert invoke("check", SINGLE, "--ignore", "SPOF,STATE,SVC,MODEL").exit_code == 0


# --- fail-on --------------------------------------------------------------------------


def test_fail_on_warning_and_note(in_tmp):
    write(in_tmp / "t.yaml", WARNINGS_AND_NOTES)
    severities = {f["severity"] for f in check_json("t.yaml")["findings"]}
    assert severities == {"warning", "note"}  # the premise of this test
    assert invoke("check", "t.yaml").exit_code == 0
    assert invoke("check", "t.yaml", "--fail-on", "error").exit_code == 0
    assert invoke("check", "t.yaml", "--fail-on", "warning").exit_code == 1
    assert invoke("check", "t.yaml", "--fail-on", "note").exit_code == 1


def test_fail_on_note_only(in_tmp):
    write(in_tmp / "t.yaml", NOTES_ONLY)
    severities = {f["severity"] for f in check_json("t.yaml")["findings"]}
    assert severities == {"note"}  # the premise of this test
    assert invoke("check", "t.yaml").exit_code == 0
    assert invoke("check", "t.yaml", "--fail-on", "warning").exit_code == 0
    assert invoke("check", "t.yaml", "--fail-on", "note").exit_code == 1


def test_fail_on_does_not_hide_findings(in_tmp):
    write(in_tmp / "t.yaml", WARNINGS_AND_NOTES)
    default = invoke("check", "t.yaml").stdout
    assert invoke("check", "t.yaml", "--fail-on", "note").stdout == default
    assert "[warning]" in default and "[note]" in default


# --- JSON -----------------------------------------------------------------------------

FINDING_KEYS = {
    "rule",
    "name",
    "url",
    "severity",
    "message",
    "path",
    "line",
    "column",
    "subject",
    "services",
    "impact",
    "chain",
    "related",
    "fingerprint",
    "suppressed",
    "cause",
    "lost_together",
    "fixes",
}


def test_json_shape(in_repo):
    result = invoke("check", "--format", "json", "fixtures/examples/single-controller.yaml")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["format"] == "spoflint-findings"
    assert document["version"] == 1
    assert document["tool"] == {"name": "spoflint", "version": __version__}
    findings = document["findings"]
    assert findings
    table = rules()
    for f in findings:
        assert set(f) == FINDING_KEYS
        assert f["rule"] in table and f["name"] == table[f["rule"]].name
        assert f["severity"] in ("error", "warning", "note")
        assert isinstance(f["message"], str) and f["message"]
        assert f["path"] == "fixtures/examples/single-controller.yaml"
        assert isinstance(f["line"], int) and f["line"] >= 1
        assert isinstance(f["column"], int) and f["column"] >= 1
        assert isinstance(f["subject"], str) and f["subject"]
        for key in ("services", "impact", "chain"):
            assert isinstance(f[key], list) and all(isinstance(v, str) for v in f[key])
        assert set(f["impact"]) <= {"downtime", "data-loss"}
        for r in f["related"]:
            assert set(r) == {"subject", "path", "line", "column"}
            assert r["line"] >= 1 and r["column"] >= 1
        assert re.fullmatch(r"[0-9a-f]{16,}", f["fingerprint"])
        assert f["suppressed"] is None
    assert len({f["fingerprint"] for f in findings}) == len(findings)
    counts = {s: sum(f["severity"] == s for f in findings) for s in ("error", "warning", "note")}
    assert document["summary"] == {**counts, "suppressed": 0}
    ctl1 = next(f for f in findings if f["rule"] == "SPOF001" and f["subject"] == "ctl-1")
    assert "downtime" in ctl1["impact"]
    assert {"nova-api", "nova-compute"} <= set(ctl1["services"])
    assert ctl1["chain"][0] == "ctl-1"
    spof002 = next(f for f in findings if f["rule"] == "SPOF002" and f["subject"] == "ctl-1")
    assert "data-loss" in spof002["impact"]


def test_json_findings_are_sorted(in_repo):
    findings = check_json("fixtures/examples/hidden-spof.yaml")["findings"]
    keys = [(f["path"], f["line"], f["column"], f["rule"], f["subject"]) for f in findings]
    assert keys == sorted(keys)


# --- output files ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_output_file_has_the_same_bytes_as_stdout(in_tmp, fmt):
    shutil.copy(SINGLE, "single.yaml")
    out = in_tmp / "reports"
    out.mkdir()
    to_stdout = invoke("check", "--format", fmt, "single.yaml")
    assert to_stdout.exit_code == 1
    to_file = invoke("check", "--format", fmt, "single.yaml", "--output", "reports/report.out")
    assert to_file.exit_code == 1
    assert to_file.stdout == ""
    assert (out / "report.out").read_bytes() == to_stdout.stdout_bytes
    assert os.listdir(out) == ["report.out"]  # no temporary file left behind
    # overwriting an existing report works the same way
    (out / "report.out").write_text("stale")
    assert invoke("check", "--format", fmt, "single.yaml", "-o", "reports/report.out").exit_code == 1
    assert (out / "report.out").read_bytes() == to_stdout.stdout_bytes
    assert os.listdir(out) == ["report.out"]


def test_output_file_gets_ordinary_permissions(in_tmp):
    shutil.copy(HA, "ha.yaml")
    Path("plain").write_text("x")
    assert invoke("check", "ha.yaml", "--output", "report.txt").exit_code == 0
    mode = stat.S_IMODE(os.stat("report.txt").st_mode)
    assert mode == stat.S_IMODE(os.stat("plain").st_mode)  # as if written with open()


def test_output_into_missing_folder_exits_2(in_tmp):
    shutil.copy(HA, "ha.yaml")
    line = assert_one_line_error(invoke("check", "ha.yaml", "--output", "no/such/dir/r.json"), r".+")
    assert "no/such/dir/r.json" in line
    assert sorted(os.listdir(in_tmp)) == ["ha.yaml"]


def test_output_is_not_written_on_input_error(in_tmp):
    write(in_tmp / "bad.yaml", "version: 1\nhosts: [\n")
    assert invoke("check", "bad.yaml", "--output", "r.json").exit_code == 2
    assert sorted(os.listdir(in_tmp)) == ["bad.yaml"]


def test_several_format_output_pairs_in_one_run(in_tmp):
    shutil.copy(SINGLE, "single.yaml")
    result = invoke("check", "-f", "sarif", "-o", "a.sarif", "-f", "json", "-o", "b.json", "-f", "text", "single.yaml")
    assert result.exit_code == 1
    assert result.stdout == invoke("check", "single.yaml").stdout  # the one without an output
    assert Path("a.sarif").read_text() == invoke("check", "-f", "sarif", "single.yaml").stdout
    assert Path("b.json").read_text() == invoke("check", "-f", "json", "single.yaml").stdout
    assert json.loads(Path("a.sarif").read_text())["version"] == "2.1.0"
    assert sorted(os.listdir(in_tmp)) == ["a.sarif", "b.json", "single.yaml"]  # no temporary files


def test_outputs_pair_with_formats_by_position(in_tmp):
    shutil.copy(SINGLE, "single.yaml")
    # the first --output goes with the first --format, and so on; the rest go to stdout
    result = invoke("check", "-f", "json", "-f", "github", "-o", "r.json", "single.yaml")
    assert result.exit_code == 1
    assert Path("r.json").read_text() == invoke("check", "-f", "json", "single.yaml").stdout
    assert result.stdout == invoke("check", "-f", "github", "single.yaml").stdout
    # an --output with no --format is text
    assert invoke("check", "-o", "r.txt", "single.yaml").stdout == ""
    assert Path("r.txt").read_text() == invoke("check", "single.yaml").stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("-f", "sarif", "-f", "json"), "several formats would go to standard output: give each but one an --output"),
        (
            ("-f", "json", "-f", "text", "-f", "sarif", "-o", "a"),
            "several formats would go to standard output: give each but one an --output",
        ),
        (("-o", "a", "-o", "b"), "more --output than --format options: pair each output with a format"),
        (("-f", "json", "-o", "a", "-o", "b"), "more --output than --format options: pair each output with a format"),
    ],
)
def test_format_output_mistakes_exit_2(in_tmp, args, message):
    shutil.copy(SINGLE, "single.yaml")
    assert_one_line_error(invoke("check", *args, "single.yaml"), rf"spoflint: error: {re.escape(message)}")
    assert os.listdir(in_tmp) == ["single.yaml"]


def test_no_output_is_written_when_one_cannot_be(in_tmp):
    shutil.copy(SINGLE, "single.yaml")
    Path("old.json").write_text("previous report")
    result = invoke("check", "-f", "json", "-o", "old.json", "-f", "sarif", "-o", "missing/a.sarif", "single.yaml")
    assert_one_line_error(result, r"spoflint: error: cannot write missing/a\.sarif: No such file or directory")
    assert Path("old.json").read_text() == "previous report"  # all or nothing
    assert sorted(os.listdir(in_tmp)) == ["old.json", "single.yaml"]


def test_no_output_is_written_on_an_input_error_with_several_outputs(in_tmp):
    write(in_tmp / "bad.yaml", "version: 1\nhosts: {h: {rack: nowhere}}\n")
    result = invoke("check", "-f", "sarif", "-o", "a.sarif", "-f", "json", "-o", "b.json", "-f", "junit", "bad.yaml")
    assert_one_line_error(result, r"bad\.yaml:2:\d+: .*nowhere.*")
    # only the SARIF file, which carries the error for CI; JSON and JUnit would be half reports
    assert sorted(os.listdir(in_tmp)) == ["a.sarif", "bad.yaml"]
    assert (
        "nowhere"
        in json.loads((in_tmp / "a.sarif").read_text())["runs"][0]["invocations"][0]["toolExecutionNotifications"][0][
            "message"
        ]["text"]
    )


@pytest.mark.parametrize("fmt", ["github", "junit"])
def test_every_format_can_go_to_a_file(in_tmp, fmt):
    shutil.copy(SINGLE, "single.yaml")
    assert invoke("check", "-f", fmt, "-o", f"r.{fmt}", "single.yaml").exit_code == 1
    assert Path(f"r.{fmt}").read_text() == invoke("check", "-f", fmt, "single.yaml").stdout != ""


# --- accepted risks -------------------------------------------------------------------


def test_accepted_risk_is_reported_as_suppressed_and_does_not_fail(in_tmp):
    write(in_tmp / "t.yaml", accepted_topology('{SPOF001: "one feed in the lab"}'))
    assert invoke("check", "t.yaml").exit_code == 1  # SVC002: the same feed, from web's side
    result = invoke("check", "--format", "json", "t.yaml", *SAME_RISK)
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    feed = [f for f in document["findings"] if f["subject"] == "feed-a" and f["rule"] == "SPOF001"]
    assert len(feed) == 1
    assert feed[0]["suppressed"] == {"kind": "accept", "reason": "one feed in the lab"}
    assert feed[0]["severity"] == "error"
    # it was the only error: everything else is at most a warning, and nothing else suppressed
    others = [f for f in document["findings"] if f is not feed[0]]
    assert all(f["severity"] != "error" and f["suppressed"] is None for f in others)
    assert document["summary"]["suppressed"] == 1
    assert document["summary"]["error"] == 0
    text = invoke("check", "t.yaml", *SAME_RISK)
    assert text.exit_code == 0
    assert "feed-a is" not in text.stdout  # accepted: counted, not listed (at most named as a root)
    assert "(1 accepted)" in text.stdout.splitlines()[-1]


def test_acceptance_by_rule_name(in_tmp):
    write(in_tmp / "t.yaml", accepted_topology('{single-point-of-failure: "lab"}'))
    document = check_json("t.yaml")
    assert [f["suppressed"] for f in document["findings"] if f["subject"] == "feed-a"] == [
        {"kind": "accept", "reason": "lab"}
    ]
    assert invoke("check", "t.yaml", *SAME_RISK).exit_code == 0


def test_acceptance_of_another_rule_does_not_suppress(in_tmp):
    write(in_tmp / "t.yaml", accepted_topology('{SPOF002: "not this one"}'))
    assert invoke("check", "t.yaml", *SAME_RISK).exit_code == 1
    assert check_json("t.yaml")["summary"]["suppressed"] == 0


def test_expired_acceptance_does_not_suppress(in_tmp):
    write(in_tmp / "t.yaml", accepted_topology('{SPOF001: {reason: "until the second feed", until: "2001-01-31"}}'))
    result = invoke("check", "--format", "json", "t.yaml", *SAME_RISK)
    assert result.exit_code == 1
    feed = [f for f in json.loads(result.stdout)["findings"] if f["subject"] == "feed-a"]
    assert len(feed) == 1 and feed[0]["suppressed"] is None
    assert "2001-01-31" in feed[0]["message"]  # says why it is back


def test_unquoted_until_date_is_read(in_tmp):
    write(in_tmp / "t.yaml", accepted_topology("{SPOF001: {reason: lab, until: 2001-01-31}}"))
    assert invoke("check", "t.yaml", *SAME_RISK).exit_code == 1
    write(in_tmp / "t.yaml", accepted_topology("{SPOF001: {reason: lab, until: 9999-12-31}}"))
    assert invoke("check", "t.yaml", *SAME_RISK).exit_code == 0


def test_acceptance_expiry_is_inclusive_and_uses_config_today(tmp_path):
    path = write(tmp_path / "t.yaml", accepted_topology('{SPOF001: {reason: lab, until: "2030-06-15"}}'))

    def feed(today):
        found = [f for f in lint([path], Config(today=today)) if f.subject == "feed-a" and f.rule == "SPOF001"]
        assert len(found) == 1
        return found[0]

    assert feed(datetime.date(2030, 6, 14)).suppressed == "lab"
    assert feed(datetime.date(2030, 6, 15)).suppressed == "lab"  # through the day it names
    expired = feed(datetime.date(2030, 6, 16))
    assert expired.suppressed is None
    assert "2030-06-15" in expired.message


FEED_BLOCK = "  feed-a:\n    kind: feed\n    accept: {ACCEPT}\n"


def commented(feed: str, *replacements: tuple[str, str]) -> str:
    """ACCEPTED with feed-a written as `feed` (no accept field), then other edits."""
    assert FEED_BLOCK in ACCEPTED
    text = ACCEPTED.replace(FEED_BLOCK, feed)
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return text


def suppressed(document: dict) -> dict[tuple[str, str], dict]:
    return {(f["rule"], f["subject"]): f["suppressed"] for f in document["findings"] if f["suppressed"]}


@pytest.mark.parametrize(
    "feed",
    [
        "  feed-a: {kind: feed}  # spoflint: accept SPOF001 one feed in the lab\n",
        "  feed-a:  # spoflint: accept SPOF001 one feed in the lab\n    kind: feed\n",
        "  feed-a: {kind: feed} #spoflint:accept SPOF001   one feed in the lab  \n",
        "  feed-a: {kind: feed}  # spoflint: accept single-point-of-failure one feed in the lab\n",
    ],
)
def test_accept_comment_on_the_elements_line(in_tmp, feed):
    write(in_tmp / "t.yaml", commented(feed))
    document = check_json("t.yaml")
    assert suppressed(document) == {("SPOF001", "feed-a"): {"kind": "accept", "reason": "one feed in the lab"}}
    assert not [f for f in document["findings"] if f["rule"] == "MODEL002"]
    assert invoke("check", "t.yaml", *SAME_RISK).exit_code == 0
    results = json.loads(invoke("check", "-f", "sarif", "t.yaml").stdout)["runs"][0]["results"]
    assert [(r["ruleId"], r["suppressions"]) for r in results if "suppressions" in r] == [
        ("SPOF001", [{"kind": "inSource", "status": "accepted", "justification": "one feed in the lab"}])
    ]
    assert invoke("check", "t.yaml", *SAME_RISK).stdout.splitlines()[-1].endswith("(1 accepted).")


def test_accept_comment_on_a_link_in_a_list(in_tmp):
    write(
        in_tmp / "t.yaml",
        commented(
            "  feed-a: {kind: feed}\n",
            (
                "  - {between: [internet, sw-1], name: uplink-1}\n",
                "  - {between: [internet, sw-1], name: uplink-1}  # spoflint: accept SPOF004 one uplink per switch\n",
            ),
        ),
    )
    assert suppressed(check_json("t.yaml")) == {
        ("SPOF004", "uplink-1"): {"kind": "accept", "reason": "one uplink per switch"}
    }


def test_accept_comment_on_a_host_line_accepts_the_host_not_its_implied_links(in_tmp):
    write(
        in_tmp / "t.yaml",
        commented(
            "  feed-a: {kind: feed}\n",
            (
                "  web-2: {power: [feed-a], nics: [sw-1, sw-2]}\n",
                "  web-2: {power: [feed-a], nics: [sw-1, sw-2]}  # spoflint: accept PWR001 one PSU, a spare on site\n",
            ),
        ),
    )
    document = check_json("t.yaml")
    assert suppressed(document) == {("PWR001", "web-2"): {"kind": "accept", "reason": "one PSU, a spare on site"}}
    # the links web-2--sw-1 and web-2--sw-2 are written on that line too, but not accepted
    assert not [f for f in document["findings"] if f["rule"] == "MODEL002"]


def test_accept_field_and_comment_together(in_tmp):
    write(
        in_tmp / "t.yaml",
        commented("  feed-a: {kind: feed, accept: {SPOF001: lab}}  # spoflint: accept MODEL001 nothing to say\n"),
    )
    document = check_json("t.yaml")
    assert suppressed(document) == {("SPOF001", "feed-a"): {"kind": "accept", "reason": "lab"}}
    model002 = [f for f in document["findings"] if f["rule"] == "MODEL002"]
    assert [(f["subject"], f["line"], f["message"]) for f in model002] == [
        ("feed-a", 3, "the acceptance of MODEL001 on feed-a matched no finding: remove it")
    ]


@pytest.mark.parametrize(
    "text, position, message",
    [
        (
            commented("  feed-a: {kind: feed}  # spoflint: accept SPOF001\n"),
            "3:25",
            r"write `# spoflint: accept RULE-ID reason`: the rule and a reason are required",
        ),
        (
            commented("  feed-a: {kind: feed}  # spoflint: accept\n"),
            "3:25",
            r"write `# spoflint: accept RULE-ID reason`: the rule and a reason are required",
        ),
        (
            commented("  # spoflint: accept SPOF001 one feed\n  feed-a: {kind: feed}\n"),
            "3:3",
            r"a `# spoflint: accept` comment must stand on the line of the element it accepts",
        ),
        (
            commented("  feed-a: {kind: feed}\n", ("hosts:\n", "hosts:  # spoflint: accept SPOF001 all of them\n")),
            "11:9",
            r"a `# spoflint: accept` comment must stand on the line of the element it accepts",
        ),
        (
            "version: 1  # spoflint: accept SPOF001 why\n",
            "1:13",
            r"a `# spoflint: accept` comment must stand on the line of the element it accepts",
        ),
        (
            commented("  feed-a:\n    kind: feed  # spoflint: accept SPOF001 lab\n"),
            "4:17",
            r"a `# spoflint: accept` comment must stand on the line of the element it accepts",
        ),
    ],
)
def test_a_misplaced_or_incomplete_accept_comment_is_an_error(in_tmp, text, position, message):
    write(in_tmp / "t.yaml", text)
    assert_one_line_error(invoke("check", "t.yaml", "-o", "r.json"), rf"t\.yaml:{position}: {message}")
    assert not (in_tmp / "r.json").exists()


def test_acceptance_that_matched_nothing_is_model002(in_tmp):
    write(in_tmp / "t.yaml", accepted_topology('{SPOF002: "no data here"}'))
    document = check_json("t.yaml")
    model002 = [f for f in document["findings"] if f["rule"] == "MODEL002"]
    assert [(f["subject"], f["line"], f["column"], f["severity"], f["message"]) for f in model002] == [
        ("feed-a", 3, 3, "note", "the acceptance of SPOF002 on feed-a matched no finding: remove it")
    ]
    # of a rule that did not run: not judged
    assert not [f for f in check_json("t.yaml", "--ignore", "SPOF002")["findings"] if f["rule"] == "MODEL002"]


@pytest.mark.parametrize(
    "text",
    [
        accepted_topology('{NOPE001: "a typo"}'),
        commented("  feed-a: {kind: feed}  # spoflint: accept NOPE001 a typo\n"),
    ],
)
def test_acceptance_naming_no_rule_is_an_input_error(in_tmp, text):
    write(in_tmp / "t.yaml", text)
    for args in ((), ("--select", "SPOF001,MODEL002")):  # named no rule: whatever ran
        assert_one_line_error(
            invoke("check", "t.yaml", *args),
            r"t\.yaml:\d+:\d+: accept: unknown rule 'NOPE001' \(see `spoflint rules`\)",
        )


def test_acceptance_by_lowercase_rule_id(in_tmp):
    write(in_tmp / "t.yaml", accepted_topology('{spof001: "lab"}'))
    document = check_json("t.yaml")
    assert suppressed(document) == {("SPOF001", "feed-a"): {"kind": "accept", "reason": "lab"}}
    assert not [f for f in document["findings"] if f["rule"] == "MODEL002"]


def test_expired_acceptance_says_so_in_every_format(in_tmp):
    write(in_tmp / "t.yaml", accepted_topology('{SPOF001: {reason: lab, until: "2001-01-31"}}'))
    text = invoke("check", "t.yaml", *SAME_RISK)
    assert text.exit_code == 1
    assert re.search(
        r"^t\.yaml:3:3: SPOF001 \[error\] feed-a is a single point of failure: .*"
        r" \(the acceptance of this risk expired on 2001-01-31\)$",
        text.stdout,
        re.M,
    )
    assert "expired on 2001-01-31" in invoke("check", "-f", "github", "t.yaml").stdout
    assert not [f for f in check_json("t.yaml")["findings"] if f["rule"] == "MODEL002"]  # it did match


# --- rules and explain ----------------------------------------------------------------


def test_rules_lists_every_registered_rule():
    result = invoke("rules")
    assert result.exit_code == 0
    table = rules()
    assert len(table) >= 10
    header, *lines = result.stdout.splitlines()
    assert header.split() == ["id", "name", "severity", "summary"]
    assert [line.split()[0] for line in lines] == list(table)
    for line, rule in zip(lines, table.values()):  # aligned: each column starts where its header does
        assert line[header.index("name") :].startswith(rule.name + " ")
        assert line[header.index("severity") :].startswith(rule.severity + " ")
        assert line[header.index("summary") :] == rule.summary


def test_rules_as_markdown_is_the_docs_page(capsys):
    result = invoke("rules", "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout == (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert run(["rules", "--format", "xml"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("spoflint: error: Invalid value for '--format'") and err.count("\n") == 1


@pytest.mark.parametrize("name", ["SPOF001", "single-point-of-failure", "spof001"])
def test_explain_prints_the_docs_with_both_examples(name):
    result = invoke("explain", name)
    assert result.exit_code == 0
    rule = rules()["SPOF001"]
    assert result.stdout.startswith("SPOF001 single-point-of-failure [error]\n")
    assert rule.doc in result.stdout
    assert set(rule.examples) == {"Fails", "Passes"}
    for example in rule.examples.values():
        assert example.strip() and example in result.stdout


@pytest.mark.parametrize("rule_id", sorted(rules()))
def test_explain_every_rule(rule_id):
    rule = rules()[rule_id]
    for name in (rule.id, rule.name):
        result = invoke("explain", name)
        assert result.exit_code == 0
        assert rule.doc in result.stdout
        assert "Fails:" in result.stdout and "Passes:" in result.stdout


@pytest.mark.parametrize("name", ["NOPE001", "no-such-rule"])
def test_explain_unknown_rule_exits_2(name):
    line = assert_one_line_error(invoke("explain", name), r".+")
    assert repr(name) in line and "unknown" in line


def test_explain_ambiguous_prefix_exits_2_naming_the_candidates():
    line = assert_one_line_error(invoke("explain", "SPOF"), r".+")
    assert "SPOF001" in line and "SPOF002" in line


# --- schema ---------------------------------------------------------------------------


def test_schema_is_valid_and_validates_the_examples():
    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for example in (HA, SINGLE, HIDDEN):
        document = yaml.safe_load(example.read_text())
        errors = list(validator.iter_errors(document))
        assert not errors, (example.name, [e.message for e in errors])
    assert not validator.is_valid({"version": 1, "hosts": {"a": {"bogus": 1}}})
    assert not validator.is_valid({"hosts": {}})


# --- simulate -------------------------------------------------------------------------


def simulate_json(*args) -> dict:
    result = invoke("simulate", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


ALL_HA_SERVICES = set(yaml.safe_load(HA.read_text())["services"]) if HA.exists() else set()
QUORUM_DEPENDENT = {
    "galera",
    "rabbitmq",
    "keystone",
    "glance",
    "nova-api",
    "nova-scheduler",
    "nova-conductor",
    "neutron-server",
    "cinder-volume",
    "horizon",
    "nova-compute",
}


@pytest.mark.parametrize("failed", [["ctl-1"], ["sw-1", "ctl-2"], ["pdu-a"], ["r1"], ["sw-1", "edge-2"]])
def test_simulate_redundant_failures_keep_every_service_up(failed):
    args = [a for eid in failed for a in ("--fail", eid)]
    result = invoke("simulate", HA, *args)
    assert result.exit_code == 0
    document = simulate_json(HA, *args)
    down = document["elements_down"]
    assert set(failed) <= set(down) and document["cut_off"] == []
    named = ", ".join(down) if len(down) <= 10 else f"{', '.join(down[:10])} and {len(down) - 10} more"
    assert result.stdout.splitlines() == [
        f"Failed: {', '.join(failed)}",
        f"Elements down: {named}",
        "Every service stays up.",
        "No data is lost.",
    ]
    assert document["format"] == "spoflint-simulation" and document["version"] == 1
    assert document["failed"] == failed
    assert document["services_down"] == []
    assert set(document["services_up"]) == ALL_HA_SERVICES
    assert document["data_lost"] == []


def test_simulate_two_controllers_takes_quorum_services_down():
    document = simulate_json(HA, "--fail", "ctl-1", "--fail", "ctl-2")
    down = {d["service"]: d for d in document["services_down"]}
    assert set(down) == QUORUM_DEPENDENT
    assert set(document["services_up"]) == ALL_HA_SERVICES - QUORUM_DEPENDENT == {"haproxy", "memcached"}
    assert document["data_lost"] == []
    for quorum in ("galera", "rabbitmq"):
        assert down[quorum]["chain"][-1] == quorum
        assert down[quorum]["chain"][0] in ("ctl-1", "ctl-2")
        assert "2" in down[quorum]["reason"]  # it needs two of three
    for service, entry in down.items():
        assert entry["chain"][-1] == service
        assert entry["down_before"] is False
        assert entry["reason"]
    assert down["nova-api"]["public"] is True and down["galera"]["public"] is False
    text = invoke("simulate", HA, "--fail", "ctl-1", "--fail", "ctl-2")
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert lines[0] == "Failed: ctl-1, ctl-2"
    assert lines[-1] == "No data is lost."
    listed = set()
    for line in lines:
        if line.startswith(("User-facing services down: ", "Other services down: ")):
            listed |= set(line.split(": ", 1)[1].split(", "))
    assert listed == QUORUM_DEPENDENT
    for service in QUORUM_DEPENDENT:
        assert any(line.startswith(f"  {service}: ") for line in lines), service


def test_simulate_single_controller_loses_data():
    document = simulate_json(SINGLE, "--fail", "ctl-1")
    assert [d["holder"] for d in document["data_lost"]] == ["mariadb", "rabbitmq"]
    assert {d["service"] for d in document["services_down"]} >= {
        "mariadb",
        "rabbitmq",
        "keystone",
        "nova-api",
        "nova-compute",
    }
    text = invoke("simulate", SINGLE, "--fail", "ctl-1").stdout
    assert "Data lost: mariadb, rabbitmq" in text.splitlines()
    assert "No data is lost." not in text


def test_simulate_repeated_fail_counts_once():
    document = simulate_json(HA, "--fail", "ctl-1", "--fail", "ctl-1")
    assert document["failed"] == ["ctl-1"] and document["services_down"] == []


@pytest.mark.parametrize(
    "eid, words",
    [
        ("nope", "no element"),
        ("internet", "entry"),  # entry points do not fail (services and storage may: their software)
    ],
)
def test_simulate_bad_failure_exits_2(eid, words):
    line = assert_one_line_error(invoke("simulate", HA, "--fail", eid), r".+")
    assert eid in line and words in line


def test_simulate_bad_input_exits_2(in_tmp):
    write(in_tmp / "bad.yaml", "version: 1\nhosts: [\n")
    assert_one_line_error(invoke("simulate", "bad.yaml", "--fail", "a"), r"bad\.yaml:\d+:\d+: .+")
    assert_one_line_error(invoke("simulate", "missing.yaml", "--fail", "a"), r"missing\.yaml:1:1: .+")


# --- directories ----------------------------------------------------------------------

SPLIT_A = """\
version: 1
name: split
power:
  feed-a: {kind: feed}
hosts:
  web-1: {power: [feed-a]}
"""
SPLIT_B = """\
version: 1
services:
  web: {kind: nginx, state: stateless, hosts: [web-1]}
"""
NOT_A_TOPOLOGY = """\
# some other tool's YAML, with the same section names
hosts:
  web-1: {ip: 10.0.0.1}
services: [web]
"""


def test_directory_merges_its_topology_files(in_tmp):
    write(in_tmp / "infra" / "a.yaml", SPLIT_A)
    write(in_tmp / "infra" / "sub" / "b.yml", SPLIT_B)
    write(in_tmp / "infra" / "inventory.yaml", NOT_A_TOPOLOGY)
    result = invoke("check", "--format", "json", "infra")
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    where = {(f["rule"], f["subject"]): f["path"] for f in findings}
    # web (in b.yml) runs on web-1 (in a.yaml): the reference resolved across files
    assert where[("SPOF001", "web-1")] == "infra/a.yaml"
    assert where[("SPOF001", "feed-a")] == "infra/a.yaml"
    assert where[("SVC001", "web")] == "infra/sub/b.yml"
    assert not any(f["path"] == "infra/inventory.yaml" for f in findings)


def test_default_path_is_the_current_directory(in_tmp):
    write(in_tmp / "a.yaml", SPLIT_A)
    write(in_tmp / "b.yaml", SPLIT_B)
    assert invoke("check").stdout == invoke("check", ".").stdout
    assert invoke("check").exit_code == 1


@pytest.mark.parametrize(
    "other",
    [
        "- hosts: all\n  tasks: []\n",  # an Ansible playbook: a list
        "kind: A\n---\nkind: B\n",  # several documents
        "image: {{ .Values.image }}\nbad: [\n",  # a template, not YAML
    ],
)
def test_directory_skips_yaml_that_is_not_a_topology(in_tmp, other):
    write(in_tmp / "infra" / "a.yaml", SPLIT_A)
    write(in_tmp / "infra" / "b.yaml", SPLIT_B)
    write(in_tmp / "infra" / "other.yaml", other)
    result = invoke("check", "infra")
    assert result.exit_code == 1, result.output
    assert "infra/a.yaml" in result.stdout


def test_directory_reports_a_broken_topology_file(in_tmp):
    write(in_tmp / "infra" / "a.yaml", SPLIT_A)
    write(in_tmp / "infra" / "b.yaml", "version: 1\nservices:\n  web: {hosts: [web-1]\n")
    assert_one_line_error(invoke("check", "infra"), r"infra/b\.yaml:\d+:\d+: .+")


def test_named_file_that_is_not_a_topology_is_an_error(in_tmp):
    write(in_tmp / "inventory.yaml", NOT_A_TOPOLOGY)
    line = assert_one_line_error(invoke("check", "inventory.yaml"), r"inventory\.yaml:\d+:\d+: .+")
    assert "version" in line


def test_directory_without_topology_exits_2(in_tmp):
    write(in_tmp / "infra" / "inventory.yaml", NOT_A_TOPOLOGY)
    assert_one_line_error(invoke("check", "infra"), r"infra:1:1: .+")


def test_duplicate_id_across_files_names_both_places(in_tmp):
    write(in_tmp / "infra" / "a.yaml", SPLIT_A)
    write(in_tmp / "infra" / "b.yaml", SPLIT_B + "hosts:\n  web-1: {}\n")
    line = assert_one_line_error(invoke("check", "infra"), r"infra/b\.yaml:5:3: .+")
    assert "web-1" in line and "infra/a.yaml:6:3" in line


def test_only_topologies_skips_other_yaml_but_not_a_broken_topology(in_tmp):
    # the per-file pre-commit hook passes every changed YAML file
    write(in_tmp / "playbook.yml", "- hosts: all\n  tasks: []\n")
    write(in_tmp / "inventory.yaml", NOT_A_TOPOLOGY)
    assert invoke("check", "--only-topologies", "playbook.yml", "inventory.yaml").exit_code == 0
    write(in_tmp / "broken.yaml", "version: 1\nhosts: [\n")
    assert_one_line_error(
        invoke("check", "--only-topologies", "playbook.yml", "broken.yaml"), r"broken\.yaml:\d+:\d+: .+"
    )


def test_files_named_together_are_merged(in_tmp):
    write(in_tmp / "a.yaml", SPLIT_A)
    write(in_tmp / "b.yaml", SPLIT_B)
    assert invoke("check", "a.yaml").exit_code == 0  # no service: nothing to take down
    assert_one_line_error(invoke("check", "b.yaml"), r"b\.yaml:3:\d+: .*web-1.*")  # unknown host
    assert (
        invoke("check", "--format", "json", "a.yaml", "b.yaml").stdout
        == invoke("check", "--format", "json", ".").stdout
    )


# --- the installed console script -----------------------------------------------------

SCRIPT = shutil.which("spoflint")
needs_script = pytest.mark.skipif(SCRIPT is None, reason="the spoflint console script is not installed")


def script(*args, cwd):
    return subprocess.run([SCRIPT, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120)


@needs_script
def test_script_version(tmp_path):
    result = script("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == f"spoflint {__version__}\n"


@needs_script
def test_script_exit_status(tmp_path):
    assert script("check", HA, cwd=tmp_path).returncode == 0
    result = script("check", SINGLE, cwd=tmp_path)
    assert result.returncode == 1
    assert " SPOF001 [error] ctl-1 " in result.stdout
    assert "\x1b[" not in result.stdout  # plain when piped


@needs_script
def test_script_one_line_errors(tmp_path):
    write(tmp_path / "bad.yaml", "version: 1\nhosts:\n  a: {}\n   b: {}\n")
    for args, pattern in (
        (["check", "missing.yaml"], r"missing\.yaml:1:1: .+"),
        (["check", "bad.yaml"], r"bad\.yaml:4:\d+: .+"),
        (["simulate", HA, "--fail", "nope"], r".*nope.*"),
    ):
        result = script(*args, cwd=tmp_path)
        assert result.returncode == 2, result
        assert result.stdout == ""
        assert "Traceback" not in result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert re.fullmatch(pattern, result.stderr.strip()), result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_terminal_output_is_coloured_and_keeps_one_line_per_finding(tmp_path):
    import pty

    shutil.copy(HIDDEN, tmp_path / "hidden-spof.yaml")
    env = {**os.environ, "COLUMNS": "60", "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "spoflint", "check", "hidden-spof.yaml"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=subprocess.PIPE,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    assert process.wait(timeout=120) == 1
    raw = b"".join(chunks).decode()
    assert "\x1b[" in raw  # coloured on a terminal
    plain = re.sub(r"\x1b\[[0-9;]*m", "", raw).replace("\r\n", "\n")
    piped = python_m_spoflint("check", "hidden-spof.yaml", cwd=tmp_path, env=env).stdout
    assert plain == piped  # the same lines: long ones are not broken at the terminal's width
    assert max(map(len, piped.splitlines())) > 60


def test_python_m_spoflint(tmp_path):
    result = python_m_spoflint("check", SINGLE, "--select", "SPOF002", cwd=tmp_path)
    assert result.returncode == 1
    assert " SPOF002 [error] ctl-1 " in result.stdout


# --- kinds ----------------------------------------------------------------------------


def test_kinds_lists_the_catalogue():
    result = invoke("kinds")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["kind", "state", "access"]
    assert any(line.startswith("mariadb-galera ") and "galera," in line for line in lines)


def test_kinds_as_json():
    document = json.loads(invoke("kinds", "--format", "json").stdout)
    assert document["format"] == "spoflint-kinds"
    assert {"mariadb-galera", "rabbitmq"} <= {k["kind"] for k in document["kinds"]}


def test_a_misspelt_kind_points_at_the_catalogue(in_tmp):
    write(in_tmp / "t.yaml", "version: 1\nhosts: {h1: {}}\nservices:\n  db: {kind: mariadb-galra, hosts: [h1]}\n")
    line = assert_one_line_error(invoke("check", "t.yaml"), r"t\.yaml:4:\d+: .+")
    assert "did you mean 'mariadb-galera'" in line and "spoflint kinds" in line


def test_simulate_fails_a_service_through_the_cli():
    result = invoke("simulate", HA, "--fail", "galera")
    assert result.exit_code == 0, result.output
    assert "galera: failed itself (its software, not its hosts)" in result.stdout
    assert "No data is lost." in result.stdout


def test_every_input_error_is_said_in_one_run(in_tmp):
    """Issue 12, item 3: the typos of two files are a line each in one run, in file order;
    a YAML syntax error ends its own file only."""
    write(in_tmp / "a.yaml", "version: 1\nhosts:\n  h1: {rakc: r1}\n  h2: {fencing: 3}\n")
    write(in_tmp / "b.yaml", "version: 1\nservices:\n  web: {kind: nginx, hosts: [h1], replicas: many}\n")
    write(in_tmp / "c.yaml", "version: 1\nhosts: [\n")
    result = invoke("check", ".")
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert [line.split(":")[:2] for line in lines] == [
        ["a.yaml", "3"],
        ["a.yaml", "4"],
        ["b.yaml", "3"],
        ["b.yaml", "3"],
        ["c.yaml", "3"],
    ]
    assert "rakc" in lines[0] and "fencing" in lines[1] and "many" in lines[3] and "invalid YAML" in lines[4]


def test_input_errors_stop_at_a_cap(in_tmp):
    hosts = "".join(f"  h{i}: {{rakc: r1}}\n" for i in range(30))
    write(in_tmp / "a.yaml", "version: 1\nhosts:\n" + hosts)
    lines = invoke("check", "a.yaml").stderr.splitlines()
    assert len(lines) == 21 and lines[-1] == "... and 10 more input errors"


def test_every_unknown_reference_is_said_in_one_run(in_tmp):
    write(
        in_tmp / "hosts.yaml", "version: 1\nracks: {r1: {}}\nhosts:\n  h1: {rack: r9}\n  h2: {rack: r1, nics: [sw9]}\n"
    )
    write(in_tmp / "services.yaml", "version: 1\nservices:\n  web: {kind: nginx, hosts: [h1, h3], depends_on: [db]}\n")
    result = invoke("check", ".")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert [line.split(": ", 1)[1] for line in result.stderr.splitlines()] == [
        "unknown rack 'r9'",
        "unknown network node 'sw9'",
        "unknown host 'h3'",
        "unknown service or storage backend 'db'",
    ]


@pytest.mark.parametrize(
    "text, words",
    [
        ("hosts: {h1: {}, h2: {}}\nservices:\n  db: {kind: mariadb-galera, hosts: [h1, h2], quorum: 5}\n", "quorum"),
        ("hosts: {h1: {}}\nstorage:\n  s: {kind: ceph, hosts: [h1], replicas: 1, min_replicas: 4}\n", "min_replicas"),
        ("objectives: {availability: 0.9999}\nhosts: {h1: {}}\n", "fraction"),
    ],
)
def test_a_description_that_cannot_be_up_is_an_input_error(in_tmp, text, words):
    """Issue 12, item 2, through the CLI: never a note with exit 0."""
    write(in_tmp / "t.yaml", "version: 1\n" + text)
    line = assert_one_line_error(invoke("check", "t.yaml"), r"t\.yaml:\d+:\d+: .+")
    assert words in line
