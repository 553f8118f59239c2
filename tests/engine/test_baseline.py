"""Baselines: adopt spoflint on an estate that already has findings, then see only the
new ones. A baseline records (rule, file, element), never a line, so it survives edits;
its stale entries are reported; the file is stable, sorted, one entry per line."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import HA, HIDDEN, assert_one_line_error, check_json, invoke


def reported(document: dict) -> set[tuple[str, str]]:
    """(rule, subject) of the findings that count (not suppressed)."""
    return {(f["rule"], f["subject"]) for f in document["findings"] if f["suppressed"] is None}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture
def estate(tmp_path, monkeypatch):
    """A project whose topology has many findings (hidden-spof), the current directory."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(HIDDEN, tmp_path / "hidden.yaml")
    return tmp_path / "hidden.yaml"


def write_baseline(path="baseline.json", *args) -> int:
    result = invoke("check", "hidden.yaml", "--write-baseline", path, *args)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    count = int(re.fullmatch(rf"Recorded (\d+) findings in {re.escape(path)}\.\n", result.stderr)[1])
    return count


# --- adopting ---------------------------------------------------------------------------


def test_baseline_turns_a_failing_repository_green(estate):
    before = estate.read_bytes()
    assert invoke("check", "hidden.yaml").exit_code == 1
    everything = check_json("hidden.yaml")
    count = write_baseline()
    assert count == len(everything["findings"]) == 19
    result = invoke("check", "hidden.yaml", "--baseline", "baseline.json")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == f"No findings ({count} in the baseline).\n"
    assert estate.read_bytes() == before  # nothing in the topology was touched


def test_baseline_from_the_config_file(estate, monkeypatch):
    subprocess.run(["git", "init", "-q", str(estate.parent)], check=True)  # a config is looked for up to its root
    (estate.parent / "ci").mkdir()
    write_baseline("ci/baseline.json")
    (estate.parent / ".spoflint.yaml").write_text("paths: [hidden.yaml]\nbaseline: ci/baseline.json\n")
    assert invoke("check").exit_code == 0
    # relative to the config file, from anywhere below it
    (estate.parent / "docs").mkdir()
    monkeypatch.chdir(estate.parent / "docs")
    result = invoke("check")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "No findings (19 in the baseline).\n"
    # a --baseline on the command line wins over the file's
    (estate.parent / "empty.json").write_text('{"format": "spoflint-baseline", "version": 1, "findings": []}\n')
    assert invoke("check", "--baseline", "../empty.json").exit_code == 1


def test_a_new_spof_shows_up_alone(estate):
    write_baseline()
    old = reported(check_json("hidden.yaml"))
    # nfs-1 loses its link to sw-1: sw-2 becomes a single point of failure for glance
    edit(estate, "nfs-1: {rack: r2, nics: [sw-1, sw-2]}", "nfs-1: {rack: r2, nics: [sw-2]}")
    now = check_json("hidden.yaml", "--baseline", "baseline.json")
    new = reported(now)
    assert ("SPOF001", "sw-2") in new
    assert new == reported(check_json("hidden.yaml")) - old  # exactly what is new
    assert new == {
        ("SPOF001", "sw-2"),
        ("SPOF003", "sw-2"),
        ("NET001", "nfs-1"),
        ("SPOF001", "nfs-1--sw-2"),
        ("SPOF004", "nfs-1--sw-2"),
    }
    assert now["summary"]["suppressed"] == 19
    result = invoke("check", "hidden.yaml", "--baseline", "baseline.json")
    assert result.exit_code == 1
    # two stories: sw-2 (and nfs-1's single homing), and nfs-1's only cable under nfs-1, baselined
    assert result.stdout.splitlines()[-1] == "2 root causes, 5 findings: 2 errors, 3 warnings (19 in the baseline)."
    assert "hidden.yaml:36:3: SPOF001 [baselined] on nfs-1: in the baseline" in result.stdout.splitlines()


def test_moving_lines_keeps_the_baseline_green(estate):
    write_baseline()
    text = estate.read_text()
    estate.write_text("# a comment\n# and another\n\n" + text.replace("\nhosts:\n", "\n# the hosts\nhosts:\n"))
    document = check_json("hidden.yaml", "--baseline", "baseline.json")
    assert reported(document) == set()
    assert document["summary"]["suppressed"] == 19
    assert min(f["line"] for f in document["findings"]) > 14  # the findings did move
    assert invoke("check", "hidden.yaml", "--baseline", "baseline.json").exit_code == 0


def test_a_changed_message_is_still_the_same_finding(estate):
    write_baseline()
    # a new service on the controllers: the messages of SPOF001 on sw-1, r1 (which now take
    # api down too) change, but they are the same findings
    edit(
        estate,
        "    storage: [images]\n",
        "    storage: [images]\n  api:\n    kind: nova-api\n"
        "    hosts: [ctl-1, ctl-2, ctl-3]\n    load_balancer: haproxy\n",
    )
    document = check_json("hidden.yaml", "--baseline", "baseline.json")
    assert ("SPOF001", "sw-1") not in reported(document)
    assert ("SVC002", "api") in reported(document)


# --- stale entries ------------------------------------------------------------------------


def test_stale_entries_are_reported_at_their_line_in_the_baseline(estate):
    write_baseline()
    lines = Path("baseline.json").read_text().splitlines()
    # the controllers get their second NIC: everything about sw-1 being alone is fixed
    edit(estate, "nics: [sw-1]}", "nics: [sw-1, sw-2]}")
    edit(estate, "nics: [sw-1], power", "nics: [sw-1, sw-2], power")
    document = check_json("hidden.yaml", "--baseline", "baseline.json")
    stale = [f for f in document["findings"] if f["rule"] == "MODEL002"]
    assert stale and reported(document) == {("MODEL002", f["subject"]) for f in stale}
    for finding in stale:
        assert finding["path"] == "baseline.json"
        written = lines[finding["line"] - 1]
        assert finding["column"] == written.index("{") + 1
        entry = json.loads(written.rstrip(","))
        assert entry["subject"] == finding["subject"]
        assert (
            f"baseline entry {entry['rule']} on {entry['subject']} (hidden.yaml) matched no finding"
            in finding["message"]
        )
    assert {(json.loads(lines[f["line"] - 1].rstrip(","))["rule"], f["subject"]) for f in stale} >= {
        ("SPOF001", "sw-1"),
        ("SPOF003", "sw-1"),
        ("NET001", "ctl-1"),
        ("SPOF004", "ctl-1--sw-1"),
    }
    assert invoke("check", "hidden.yaml", "--baseline", "baseline.json").exit_code == 0  # notes
    text = invoke("check", "hidden.yaml", "--baseline", "baseline.json").stdout
    assert re.search(r"^baseline\.json:\d+:3: MODEL002 \[note\] baseline entry SPOF001 on sw-1 ", text, re.M)
    assert invoke("check", "hidden.yaml", "--baseline", "baseline.json", "--fail-on", "note").exit_code == 1


def test_entries_of_rules_that_did_not_run_are_not_stale(estate):
    write_baseline()
    # only SPOF001 and MODEL002 run: the SPOF003/SVC002/... entries are neither used nor stale
    document = check_json("hidden.yaml", "--baseline", "baseline.json", "--select", "SPOF001,MODEL002")
    assert reported(document) == set()
    assert {f["rule"] for f in document["findings"]} == {"SPOF001"}
    # and with the rule's findings gone, but the rule not running, still nothing stale
    edit(estate, "nics: [sw-1]}", "nics: [sw-1, sw-2]}")
    edit(estate, "nics: [sw-1], power", "nics: [sw-1, sw-2], power")
    document = check_json(
        "hidden.yaml", "--baseline", "baseline.json", "--select", "SPOF001,MODEL002", "--ignore", "MODEL001"
    )
    assert {f["subject"] for f in document["findings"] if f["rule"] == "MODEL002"} == {"sw-1"}
    document = check_json("hidden.yaml", "--baseline", "baseline.json", "--select", "SPOF002,MODEL002")
    assert reported(document) == set()


def test_no_stale_report_without_model002(estate):
    write_baseline()
    edit(estate, "nics: [sw-1]}", "nics: [sw-1, sw-2]}")
    document = check_json("hidden.yaml", "--baseline", "baseline.json", "--ignore", "MODEL002")
    assert not [f for f in document["findings"] if f["rule"] == "MODEL002"]


# --- the file -----------------------------------------------------------------------------


def test_the_file_is_stable_sorted_and_one_entry_per_line(estate):
    write_baseline("first.json")
    write_baseline("second.json")
    first = Path("first.json").read_bytes()
    assert first == Path("second.json").read_bytes()
    write_baseline("first.json")  # over itself, and with it in force
    assert Path("first.json").read_bytes() == first
    lines = first.decode().splitlines()
    assert lines[0] == '{"format": "spoflint-baseline", "version": 1, "findings": ['
    assert lines[-1] == "]}"
    entries = [json.loads(line.rstrip(",")) for line in lines[1:-1]]
    assert all(line.startswith("  {") for line in lines[1:-1])
    assert [set(e) for e in entries] == [{"rule", "path", "subject"}] * len(entries)
    keys = [(e["rule"], e["path"], e["subject"]) for e in entries]
    assert keys == sorted(set(keys))
    assert '"line"' not in first.decode() and '"fingerprint"' not in first.decode()  # no line numbers
    assert json.loads(first)["findings"] == entries
    assert first.endswith(b"]}\n")
    assert sorted(os.listdir(".")) == ["first.json", "hidden.yaml", "second.json"]  # no temporary files


def test_paths_are_relative_to_the_baselines_folder(estate, monkeypatch):
    (estate.parent / "ci" / "spoflint").mkdir(parents=True)
    write_baseline("ci/spoflint/baseline.json")
    entries = json.loads(Path("ci/spoflint/baseline.json").read_text())["findings"]
    assert {e["path"] for e in entries} == {"../../hidden.yaml"}
    # so it works from another directory too
    monkeypatch.chdir(estate.parent / "ci")
    result = invoke("check", "../hidden.yaml", "--baseline", "spoflint/baseline.json")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "No findings (19 in the baseline).\n"


def test_an_empty_baseline(estate, tmp_path):
    shutil.copy(HA, "ha.yaml")
    result = invoke("check", "ha.yaml", "--write-baseline", "b.json")
    assert result.exit_code == 0 and result.stderr == "Recorded 0 findings in b.json.\n"
    assert Path("b.json").read_text() == '{"format": "spoflint-baseline", "version": 1, "findings": [\n]}\n'
    assert invoke("check", "ha.yaml", "--baseline", "b.json").stdout == "No findings.\n"


def test_write_baseline_records_everything_even_with_a_baseline_in_force(estate):
    write_baseline()
    (estate.parent / ".spoflint.yaml").write_text("baseline: baseline.json\n")
    assert write_baseline("again.json") == 19
    assert Path("again.json").read_bytes() == Path("baseline.json").read_bytes()


def test_accepted_risks_are_not_recorded(estate):
    edit(estate, "  sw-1: {kind: switch, rack: r1}", "  sw-1: {kind: switch, rack: r1, accept: {SPOF001: lab}}")
    assert write_baseline() == 18
    text = Path("baseline.json").read_text()
    assert '{"rule": "SPOF001", "path": "hidden.yaml", "subject": "sw-1"}' not in text
    result = invoke("check", "hidden.yaml", "--baseline", "baseline.json")
    assert result.exit_code == 0
    assert result.stdout == "No findings (1 accepted, 18 in the baseline).\n"


def test_write_baseline_writes_nothing_on_an_input_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("bad.yaml").write_text("version: 1\nhosts: [\n")
    assert invoke("check", "bad.yaml", "--write-baseline", "b.json").exit_code == 2
    assert os.listdir(".") == ["bad.yaml"]


def test_write_baseline_into_a_missing_folder(estate):
    assert_one_line_error(
        invoke("check", "hidden.yaml", "--write-baseline", "no/such/b.json"),
        r"spoflint: error: cannot write no/such/b\.json: .+",
    )


# --- suppressed, not dropped ----------------------------------------------------------------


def test_baselined_findings_are_suppressed_in_json(estate):
    write_baseline()
    document = check_json("hidden.yaml", "--baseline", "baseline.json")
    assert len(document["findings"]) == 19
    assert all(f["suppressed"] == {"kind": "baseline", "reason": "in the baseline"} for f in document["findings"])
    assert document["summary"] == {"error": 0, "warning": 0, "note": 0, "suppressed": 19}


def test_baselined_findings_are_suppressed_in_sarif(estate):
    write_baseline()
    edit(estate, "  sw-1: {kind: switch, rack: r1}", "  sw-1: {kind: switch, rack: r1, accept: {SPOF003: lab}}")
    sarif = json.loads(invoke("check", "hidden.yaml", "--baseline", "baseline.json", "-f", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    kinds = {(r["ruleId"], r["properties"]["subject"]): r["suppressions"] for r in results}
    assert kinds.pop(("SPOF003", "sw-1")) == [{"kind": "inSource", "status": "accepted", "justification": "lab"}]
    assert kinds and all(
        s == [{"kind": "external", "status": "accepted", "justification": "in the baseline"}] for s in kinds.values()
    )
    # the baseline's entry for SPOF003 on sw-1 still names a finding (an accepted one): not stale
    assert len(results) == 19


def test_baselined_findings_are_skipped_in_junit_and_absent_from_github(estate):
    import xml.etree.ElementTree as ET

    write_baseline()
    assert invoke("check", "hidden.yaml", "--baseline", "baseline.json", "-f", "github").stdout == ""
    root = ET.fromstring(invoke("check", "hidden.yaml", "--baseline", "baseline.json", "-f", "junit").stdout)
    assert root.get("failures") == "0" and root.get("skipped") == "19"
    assert {s.get("message") for s in root.iter("skipped")} == {"in the baseline"}


# --- a broken baseline is one located line ---------------------------------------------------


@pytest.mark.parametrize(
    "text, position, message",
    [
        (
            '{"format": "spoflint-baseline", "version": 1, "findings": [\n  {"rule": "SPOF001",}\n]}\n',
            "2:22",
            r"invalid baseline JSON: Expecting property name enclosed in double quotes",
        ),
        (
            '{"format": "spoflint-baseline", "version": 1, "findings": [\n'
            '  {"rule": "SPOF001", "path": "hidden.yaml", "subject": "sw-1"},\n'
            '  {"rule": "SPOF002", "path": "hidden.yaml"}\n]}\n',
            "3:3",
            r"baseline entry 2 needs string rule, path and subject",
        ),
        (
            '{"format": "spoflint-baseline", "version": 1, "findings": [\n  "SPOF001 sw-1"\n]}\n',
            "2:3",
            r"baseline entry 1 needs string rule, path and subject",
        ),
        (
            '{"format": "spoflint-baseline", "version": 1, "findings": {"SPOF001": "sw-1"}}\n',
            "1:59",
            r'"findings" must be a list of \{"rule", "path", "subject"\} entries',
        ),
        (
            '{"format": "spoflint-baseline", "version": true, "findings": []}\n',  # true is not 1
            "1:1",
            r"not a spoflint-baseline version 1 file .*",
        ),
        (
            '{"format": "spoflint-findings", "version": 1, "findings": []}\n',
            "1:1",
            r"not a spoflint-baseline version 1 file .*",
        ),
        (
            '{"format": "spoflint-baseline", "version": 2, "findings": []}\n',
            "1:1",
            r"not a spoflint-baseline version 1 file .*",
        ),
        ("[]\n", "1:1", r"not a spoflint-baseline version 1 file .*"),
        ("", "1:1", r"invalid baseline JSON: Expecting value"),
    ],
)
def test_a_malformed_baseline_is_a_one_line_error(estate, text, position, message):
    Path("baseline.json").write_text(text)
    assert_one_line_error(
        invoke("check", "hidden.yaml", "--baseline", "baseline.json", "-o", "report.txt"),
        rf"baseline\.json:{position}: {message}",
    )
    assert not Path("report.txt").exists()


def test_a_missing_baseline_is_a_one_line_error(estate):
    assert_one_line_error(
        invoke("check", "hidden.yaml", "--baseline", "nope.json"),
        r"nope\.json:1:1: cannot read baseline: No such file or directory",
    )
    (estate.parent / ".spoflint.yaml").write_text("baseline: ci/nope.json\n")
    assert_one_line_error(
        invoke("check", "hidden.yaml"), r"ci/nope\.json:1:1: cannot read baseline: No such file or directory"
    )
