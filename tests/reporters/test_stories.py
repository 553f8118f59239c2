"""Root causes in every format: the text's stories (roots, fixes, what follows, folding,
order, the summary), concise text, JSON's `cause` / `lost_together` / `fixes`, SARIF's
related location, `rootCause` and `fixes` (still valid, still within GitHub's limits),
the GitHub annotations' and JUnit's `caused by`."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from spoflint.findings import Finding, Fix
from spoflint.registry import rules
from spoflint.reporters import FORMATS, render, sarif
from spoflint.reporters.text import render_rich
from tests.helpers import accepted_topology
from tests.reporters.test_reporters import assert_valid_sarif, check, report, sarif_of, sarif_validator

__all__ = ["sarif_validator"]  # the fixture, shared


def finding(rule="SPOF001", subject="ups-a", line=3, severity="error", cause=None, **fields) -> Finding:
    return Finding(
        path="infra.yaml",
        line=line,
        column=3,
        rule=rule,
        name=rule.lower(),
        severity=severity,
        message=f"{subject} is wrong",
        subject=subject,
        fingerprint=f"{rule}-{subject}",
        cause=cause,
        **fields,
    )


ROOT = finding(fixes=(Fix("feed pdu-b from ups-b", ("SPOF001-ups-a", "PWR001-h1")),))
STORY = [
    ROOT,
    *(finding("PWR001", f"h{i}", 10 + i, "warning", cause="SPOF001-ups-a") for i in range(1, 6)),
    finding("SPOF001", "feed-a", 2, cause="SPOF001-ups-a"),
    finding("NET001", "h9", 30, "warning"),
    finding("MODEL001", "r1", 1, "note"),
]


def sorted_findings(findings):
    return sorted(findings, key=Finding.sort_key)


def test_a_story_is_its_root_its_fixes_and_what_follows_folded_when_long():
    assert render("text", sorted_findings(STORY), {}).splitlines() == [
        "infra.yaml:3:3: SPOF001 [error] ups-a is wrong",
        "  fix: feed pdu-b from ups-b; removes 2 findings",
        "  infra.yaml:2:3: SPOF001 [error] feed-a is wrong",  # before the warnings, though after them by place
        "  also: PWR001 ×5 on h1, h2, h3 and 2 more",
        "infra.yaml:30:3: NET001 [warning] h9 is wrong",  # warnings after errors, though before them by place
        "infra.yaml:1:3: MODEL001 [note] r1 is wrong",
        "3 root causes, 9 findings: 2 errors, 6 warnings, 1 note.",
    ]


def test_two_of_a_rule_are_shown_in_full_four_named_and_a_fix_may_need_a_new_element():
    root = finding(fixes=(Fix("add a UPS fed by feed-b", ("SPOF001-ups-a",), new_element=True),))
    two = [root, *(finding("PWR001", f"h{i}", 10 + i, "warning", cause=root.fingerprint) for i in (1, 2))]
    lines = render("text", two, {}).splitlines()
    assert lines[1] == "  fix: add a UPS fed by feed-b; removes 1 finding, with a new element"
    assert lines[2:4] == [
        "  infra.yaml:11:3: PWR001 [warning] h1 is wrong",
        "  infra.yaml:12:3: PWR001 [warning] h2 is wrong",
    ]
    four = [root, *(finding("PWR001", f"h{i}", 10 + i, "warning", cause=root.fingerprint) for i in range(1, 5))]
    assert "  also: PWR001 ×4 on h1, h2, h3, h4" in render("text", four, {}).splitlines()
    assert render("text", four, {}).splitlines()[-1] == "1 root cause, 5 findings: 1 error, 4 warnings."


def test_a_story_of_warnings_with_an_error_in_it_comes_with_the_errors():
    cluster = finding("STATE002", "galera", 40, "warning")
    node = finding("SPOF001", "db-1", 50, cause=cluster.fingerprint)
    first = finding("SPOF001", "sw-1", 60)
    lines = render("text", sorted_findings([cluster, node, first]), {}).splitlines()
    assert [line.split()[1] for line in lines[:-1] if not line.startswith(" ")] == ["STATE002", "SPOF001"]


def test_an_accepted_root_heads_what_is_still_reported_and_a_quiet_story_is_left_out():
    accepted = finding(suppressed="one feed in the lab", suppressed_by="accept")
    derived = finding("PWR001", "h1", 11, "warning", cause=accepted.fingerprint)
    lines = render("text", [accepted, derived], {}).splitlines()
    assert lines == [
        "infra.yaml:3:3: SPOF001 [accepted] on ups-a: one feed in the lab",
        "  infra.yaml:11:3: PWR001 [warning] h1 is wrong",
        "1 root cause, 1 finding: 1 warning (1 accepted).",
    ]
    baselined = finding(suppressed="in the baseline", suppressed_by="baseline")
    assert render("text", [baselined, derived], {}).splitlines()[0].startswith("infra.yaml:3:3: SPOF001 [baselined] ")
    quiet = finding("PWR001", "h1", 11, "warning", cause=accepted.fingerprint, suppressed="x", suppressed_by="accept")
    assert render("text", [accepted, quiet], {}) == "No findings (2 accepted).\n"


def test_a_finding_whose_root_is_not_among_the_findings_is_a_root():
    orphan = finding("PWR001", "h1", 11, "warning", cause="not-here")
    assert render("text", [orphan], {}).splitlines() == [
        "infra.yaml:11:3: PWR001 [warning] h1 is wrong",
        "1 root cause, 1 finding: 1 warning.",
    ]


def test_concise_is_one_line_per_finding_by_place():
    lines = render("concise", sorted_findings(STORY), {}).splitlines()
    assert lines[0] == "infra.yaml:1:3: MODEL001 [note] r1 is wrong"
    assert len(lines) == len(STORY) + 1 and not any(line.startswith(" ") for line in lines)
    assert lines[-1] == "Found 9 findings: 2 errors, 6 warnings, 1 note."
    assert "concise" in FORMATS


@pytest.mark.parametrize("grouped", [True, False])
def test_colours_change_nothing_but_colours(grouped):
    findings = sorted_findings([*STORY, finding("SPOF002", "x", 99, suppressed="lab", suppressed_by="accept")])
    plain = render("text" if grouped else "concise", findings, {})
    assert render_rich(findings, grouped=grouped).plain == plain


# --- JSON, SARIF, GitHub, JUnit -----------------------------------------------------------


def test_json_says_the_cause_what_is_lost_together_and_the_fixes():
    derived = finding("PWR001", "h1", 11, "warning", cause=ROOT.fingerprint)
    lost = finding("SPOF001", "feed-a", 2, lost_together=(("pdu-a", "pdu-b"),))
    document = json.loads(render("json", [ROOT, derived, lost], {}))
    root, follows, groups = document["findings"]
    assert root["cause"] is None and follows["cause"] == "SPOF001-ups-a"
    assert root["fixes"] == [
        {"change": "feed pdu-b from ups-b", "removes": ["SPOF001-ups-a", "PWR001-h1"], "new_element": False}
    ]
    assert follows["fixes"] == [] and groups["lost_together"] == [["pdu-a", "pdu-b"]]


def test_github_and_junit_say_what_a_finding_is_caused_by():
    derived = finding("PWR001", "h1", 11, "warning", cause=ROOT.fingerprint)
    github = render("github", [ROOT, derived], {}).splitlines()
    assert github[0].endswith("::ups-a is wrong; fix: feed pdu-b from ups-b")
    assert github[1].endswith("::h1 is wrong (caused by SPOF001 on ups-a, infra.yaml:3)")
    root = ET.fromstring(render("junit", [ROOT, derived], {}, fail_on="warning"))
    failures = {f.get("message") for f in root.iter("failure")}
    assert failures == {"ups-a is wrong", "h1 is wrong (caused by SPOF001 on ups-a)"}
    assert all(not list(case.find("failure")) for case in root.iter("testcase"))


def test_sarif_points_at_the_root_and_carries_the_fixes(sarif_validator):
    derived = finding("PWR001", "h1", 11, "warning", cause=ROOT.fingerprint)
    document = json.loads(render("sarif", [ROOT, derived], rules()))
    assert_valid_sarif(sarif_validator, document)
    first, second = document["runs"][0]["results"]
    assert "rootCause" not in first["properties"] and "fixes" not in first  # no artifact edits
    assert first["properties"]["fixes"] == [
        {
            "description": {"text": "feed pdu-b from ups-b"},
            "properties": {"removes": ["SPOF001-ups-a", "PWR001-h1"], "newElement": False},
        }
    ]
    assert second["properties"]["rootCause"] == "SPOF001-ups-a"
    (root,) = second["relatedLocations"]
    assert root["message"] == {"text": "root cause: SPOF001 on ups-a"}
    assert root["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 3}


def test_sarif_past_githubs_result_limit_keeps_roots_and_the_most_severe_and_says_so(monkeypatch, sarif_validator):
    monkeypatch.setattr(sarif, "RESULTS", 3)
    findings = sorted_findings(STORY)
    document = json.loads(render("sarif", findings, rules()))
    assert_valid_sarif(sarif_validator, document)
    run = document["runs"][0]
    kept = [(r["ruleId"], r["properties"]["subject"]) for r in run["results"]]
    assert kept == [("MODEL001", "r1"), ("SPOF001", "ups-a"), ("NET001", "h9")]  # the roots, in report order
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith("6 of 9 findings are left out")
    assert "invocations" not in json.loads(render("sarif", findings[:3], rules()))["runs"][0]


@pytest.mark.parametrize("topology", ["planted-mistakes", "hidden-spof"])
def test_sarif_of_a_real_run_stays_within_githubs_limits(in_repo, topology, sarif_validator):
    text = report(topology, "sarif")
    document = json.loads(text)
    assert_valid_sarif(sarif_validator, document)
    results = document["runs"][0]["results"]
    assert len(results) <= 25_000 and len(gzip.compress(text.encode())) <= 10 * 1024 * 1024
    for result in results:
        assert len(result["locations"]) == 1  # every result located, once
        assert len(result.get("relatedLocations", [])) <= 1_000
        ids = [loc["id"] for loc in result.get("relatedLocations", [])]
        assert len(set(ids)) == len(ids)
    findings = json.loads(report(topology, "json"))["findings"]
    assert any(f["cause"] for f in findings) and any(f["fixes"] for f in findings)


def test_an_accepted_root_keeps_its_story_in_sarif_and_json(tmp_path, monkeypatch, sarif_validator):
    monkeypatch.chdir(tmp_path)
    Path("t.yaml").write_text(accepted_topology('{SPOF001: "one feed in the lab"}'))
    document = sarif_of("t.yaml")
    assert_valid_sarif(sarif_validator, document)
    results = document["runs"][0]["results"]
    (root,) = [r for r in results if "suppressions" in r]
    derived = [
        r for r in results if r["properties"].get("rootCause") == root["partialFingerprints"]["spoflintFindingId/v1"]
    ]
    assert derived and all("suppressions" not in r for r in derived)
    findings = json.loads(check("--format", "json", "t.yaml"))["findings"]
    assert {f["cause"] for f in findings if f["cause"]} == {root["partialFingerprints"]["spoflintFindingId/v1"]}


def test_the_planted_case_is_three_stories_each_with_a_fix_and_the_idle_ups_noted(in_repo):
    lines = report("planted-mistakes", "text").splitlines()
    heads = [line for line in lines if not line.startswith(" ")][:-1]
    stories = [h for h in heads if "[note]" not in h]
    assert [h.split(": ", 1)[1].split(" [")[0] for h in stories] == ["SPOF001", "STATE002", "NET001"]
    assert sum(1 for line in lines if line.startswith("  fix: ")) == 3
    for head in stories:  # each story's first line under the root is its fix
        assert lines[lines.index(head) + 1].startswith("  fix: ")
    assert any(" ups-b " in h for h in heads if "[note]" in h)  # the UPS that feeds nothing
    assert "fixtures/stories/planted-mistakes.yaml:17:3: SPOF001 [error] ups-a " in lines[0]
