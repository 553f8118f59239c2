"""Reporters: golden files, determinism, SARIF against the official 2.1.0 schema and
GitHub code scanning's ingestion rules, fingerprints that survive line moves.

The golden files under tests/reporters/golden/ are the exact output of `spoflint check` run from
the repository root. After an intended change, regenerate them and review the diff:

    SPOFLINT_UPDATE_GOLDEN=1 python -m pytest tests/reporters/test_reporters.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from spoflint import __version__
from spoflint.findings import Finding
from spoflint.registry import rules
from spoflint.reporters import render
from tests.helpers import REPO, SHARED, accepted_topology, invoke

GOLDEN = Path(__file__).resolve().parent / "golden"
EXAMPLES = "fixtures/examples"  # relative: reports name the files as given
SARIF_SCHEMA = SHARED / "schemas" / "sarif-2.1.0.json"
UPDATE = os.environ.get("SPOFLINT_UPDATE_GOLDEN") == "1"
SUFFIX = {
    "text": "txt",
    "concise": "concise.txt",
    "json": "json",
    "sarif": "sarif",
    "github": "github",
    "junit": "junit.xml",
}
FORMATS = tuple(SUFFIX)
TOPOLOGIES = ("single-controller", "hidden-spof", "planted-mistakes")
STORIES = "fixtures/stories"  # our own cases, beside the shared examples


def source(topology: str) -> str:
    """The file of a topology the golden reports are made from, as reports show it."""
    return f"{STORIES if topology == 'planted-mistakes' else EXAMPLES}/{topology}.yaml"


ACCEPTED = accepted_topology('{SPOF001: "one feed in the lab"}')  # one power feed, its risk accepted


def check(*args) -> str:
    """The output of `spoflint check *args`, which must exit 0 or 1."""
    result = invoke("check", *args)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def report(topology: str, fmt: str) -> str:
    return check("--format", fmt, source(topology))


def sarif_of(*args) -> dict:
    return json.loads(check("--format", "sarif", *args))


# --- golden files ---------------------------------------------------------------------


def _versionless(text: str) -> str:
    """The tool's version is not part of the golden output: a release changes it."""
    return re.sub(rf'("(?:version|semanticVersion)": )"{re.escape(__version__)}"', r'\1"<version>"', text)


FROM_DOCS = "<from the rule's docstring>"


def _golden_form(fmt: str, text: str) -> str:
    """The output as stored in a golden file. In SARIF, each rule's full description and
    help are its docstring, which the rules' own tests check; they are checked against
    the docstrings here and stored as a placeholder, so that editing a rule's prose does
    not churn the golden files (the summary stays: it is part of every listing)."""
    text = _versionless(text)
    if fmt != "sarif":
        return text
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"  # stable formatting
    table = rules()
    for rule in document["runs"][0]["tool"]["driver"]["rules"]:
        doc = table[rule["id"]].doc
        assert rule["help"] == {"text": doc, "markdown": doc}
        why = " ".join(doc.split("\n\n")[1].split())
        assert rule["fullDescription"] == {"text": why}
        rule["help"] = {"text": FROM_DOCS, "markdown": FROM_DOCS}
        rule["fullDescription"] = {"text": FROM_DOCS}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_golden(in_repo, topology, fmt):
    golden = GOLDEN / f"{topology}.{SUFFIX[fmt]}"
    actual = _golden_form(fmt, report(topology, fmt))
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(actual, encoding="utf-8", newline="\n")
    assert golden.exists(), f"{golden} is missing: run with SPOFLINT_UPDATE_GOLDEN=1 and review it"
    expected = golden.read_text(encoding="utf-8")
    assert actual == expected, (
        f"{fmt} output for {topology} differs from {golden.relative_to(REPO)}; if the change is "
        "intended, rerun with SPOFLINT_UPDATE_GOLDEN=1 and review the diff"
    )


def test_golden_files_are_what_they_claim():
    """Sanity checks on the golden files themselves, so a bad regeneration shows."""
    for topology in TOPOLOGIES:
        concise = (GOLDEN / f"{topology}.concise.txt").read_text()
        text = (GOLDEN / f"{topology}.txt").read_text()
        document = json.loads((GOLDEN / f"{topology}.json").read_text())
        sarif = json.loads((GOLDEN / f"{topology}.sarif").read_text())
        shown = [f for f in document["findings"] if f["suppressed"] is None]
        assert len(concise.splitlines()) == len(shown) + 1
        assert len(sarif["runs"][0]["results"]) == len(document["findings"])
        roots = [f for f in shown if f["cause"] is None]
        assert text.splitlines()[-1].startswith(f"{len(roots)} root cause")
        by_fingerprint = {f["fingerprint"]: f for f in document["findings"]}
        for f in document["findings"]:
            assert f["path"] == source(topology)
            line = f"{f['path']}:{f['line']}:{f['column']}: {f['rule']} [{f['severity']}] {f['message']}"
            assert line in concise
            if f["cause"] is None:  # a root: in full, at the start of a line
                assert f"\n{line}\n" in f"\n{text}"
            else:  # what follows from a root: under it, in full or folded
                assert by_fingerprint[f["cause"]]["cause"] is None  # the root itself
                assert f"  {line}\n" in text or re.search(rf"  also: {f['rule']} ×\d+ on ", text)
    single = json.loads((GOLDEN / "single-controller.json").read_text())["findings"]
    assert {f["subject"] for f in single if f["rule"] == "SPOF001"} >= {
        "feed-a",
        "pdu-a",
        "r1",
        "edge-1",
        "sw-1",
        "ctl-1",
        "cmp-1",
        "internet--edge-1",
        "edge-1--sw-1",
        "ctl-1--sw-1",
    }
    hidden = json.loads((GOLDEN / "hidden-spof.json").read_text())["findings"]
    spof001 = {f["subject"] for f in hidden if f["rule"] == "SPOF001"}
    assert spof001 >= {"sw-1", "r1", "nfs-1", "r2"}
    assert not spof001 & {"ctl-1", "ctl-2", "ctl-3", "pdu-a", "pdu-b", "feed-a", "feed-b", "edge-1", "edge-2", "sw-2"}


# --- determinism ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_runs_are_identical(in_repo, fmt):
    for topology in TOPOLOGIES:
        assert report(topology, fmt) == report(topology, fmt)


def test_output_does_not_depend_on_hash_seed():
    """Set and dict order must not leak into reports: separate processes, other seeds."""
    runs = {}
    for seed in ("1", "2"):
        for topology in TOPOLOGIES:
            for fmt in ("json",):  # SARIF and text render these same findings
                runs[seed, topology, fmt] = subprocess.Popen(
                    [sys.executable, "-m", "spoflint", "check", "--format", fmt, source(topology)],
                    cwd=REPO,
                    env={**os.environ, "PYTHONHASHSEED": seed},
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
    outputs = {}
    for key, process in runs.items():
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 1, stderr
        outputs[key] = stdout
    for seed, topology, fmt in outputs:
        assert outputs[seed, topology, fmt] == outputs["1", topology, fmt], (topology, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_timestamps_and_no_absolute_paths(in_repo, fmt):
    for topology in TOPOLOGIES:
        text = report(topology, fmt)
        assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text)
        assert str(REPO) not in text
        assert "file:" not in text


def test_concise_findings_are_sorted(in_repo):
    for topology in TOPOLOGIES:
        lines = report(topology, "concise").splitlines()[:-1]
        keys = []
        for line in lines:
            path, line_no, column, rest = line.split(":", 3)
            keys.append((path, int(line_no), int(column), rest.split()[0]))
        assert keys == sorted(keys)


# --- SARIF: the official schema -------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator():
    if not SARIF_SCHEMA.exists():
        pytest.skip(f"{SARIF_SCHEMA} is not available")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid_sarif(validator, document):
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]]


@pytest.mark.parametrize("topology", TOPOLOGIES + ("openstack-ha",))
def test_sarif_validates_against_the_official_schema(in_repo, sarif_validator, topology):
    assert_valid_sarif(sarif_validator, json.loads(report(topology, "sarif")))


def test_sarif_with_suppressions_validates(sarif_validator, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("t.yaml").write_text(ACCEPTED)
    assert_valid_sarif(sarif_validator, sarif_of("t.yaml"))


def test_the_schema_check_is_not_vacuous(in_repo, sarif_validator):
    document = json.loads(report("single-controller", "sarif"))
    document["runs"][0]["results"][0]["level"] = "fatal"
    assert not sarif_validator.is_valid(document)


# --- SARIF: what GitHub code scanning needs -------------------------------------------


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_sarif_meets_github_ingestion_rules(in_repo, topology):
    document = json.loads(report(topology, "sarif"))
    assert document["version"] == "2.1.0"
    assert len(document["runs"]) == 1
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "spoflint"
    assert driver["version"] == __version__
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids))
    table = rules()
    for rule in driver["rules"]:
        for key in ("shortDescription", "fullDescription", "help"):
            assert isinstance(rule[key]["text"], str) and rule[key]["text"].strip(), (rule["id"], key)
        assert rule["shortDescription"]["text"] == table[rule["id"]].summary
        # the full description is the paragraph after the summary, not a fragment of it
        assert rule["fullDescription"]["text"] not in rule["shortDescription"]["text"], rule["id"]
        assert len(rule["shortDescription"]["text"]) <= 1024
        assert rule["defaultConfiguration"]["level"] == table[rule["id"]].severity
        assert "Fails:" in rule["help"]["text"] and "Passes:" in rule["help"]["text"]
    results = run["results"]
    assert results
    for result in results:
        assert result["ruleId"] in ids
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"].strip()
        assert result["partialFingerprints"] and all(result["partialFingerprints"].values())
        locations = result["locations"] + result.get("relatedLocations", [])
        assert len(result["locations"]) == 1
        for location in locations:
            physical = location["physicalLocation"]
            uri = physical["artifactLocation"]["uri"]
            assert uri == source(topology)
            assert not uri.startswith("/") and not uri.startswith("file:") and "\\" not in uri
            assert physical["artifactLocation"].get("uriBaseId", "%SRCROOT%") == "%SRCROOT%"
            region = physical["region"]
            assert isinstance(region["startLine"], int) and region["startLine"] >= 1
            assert isinstance(region["startColumn"], int) and region["startColumn"] >= 1
    fingerprints = [tuple(sorted(r["partialFingerprints"].items())) for r in results]
    assert len(set(fingerprints)) == len(fingerprints)


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_sarif_results_match_the_json_findings(in_repo, topology):
    findings = json.loads(report(topology, "json"))["findings"]
    results = json.loads(report(topology, "sarif"))["runs"][0]["results"]
    assert len(findings) == len(results)
    for f, r in zip(findings, results):
        assert r["ruleId"] == f["rule"]
        assert r["level"] == f["severity"]
        assert r["message"]["text"] == f["message"]
        region = r["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (f["line"], f["column"])
        assert list(r["partialFingerprints"].values()) == [f["fingerprint"]]
        related = [
            (
                loc["message"]["text"],
                loc["physicalLocation"]["region"]["startLine"],
                loc["physicalLocation"]["region"]["startColumn"],
            )
            for loc in r.get("relatedLocations", [])
        ]
        # the finding's related elements, then the root cause's place for a finding that has one
        root = [x for x in findings if x["fingerprint"] == f["cause"]]
        expected = [(x["subject"], x["line"], x["column"]) for x in f["related"]]
        expected += [(f"root cause: {x['rule']} on {x['subject']}", x["line"], x["column"]) for x in root]
        assert related == expected
        assert r["properties"].get("rootCause") == f["cause"]
        assert [x["description"]["text"] for x in r["properties"].get("fixes", [])] == [x["change"] for x in f["fixes"]]
        # the other elements of the chain are shown as related locations
        assert set(f["chain"]) - {f["subject"]} <= {x["subject"] for x in f["related"]}, f
        assert "suppressions" not in r


def test_sarif_rules_cover_every_rule_that_ran(in_repo):
    ran = sarif_of("--select", "SPOF", f"{EXAMPLES}/single-controller.yaml")["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in ran] == sorted(i for i in rules() if i.startswith("SPOF"))


def test_sarif_on_a_clean_topology_has_no_results_and_every_rule(in_repo):
    run = sarif_of(f"{EXAMPLES}/openstack-ha.yaml")["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == sorted(rules())
    assert all(r["level"] == "note" for r in run["results"])


# --- fingerprints ---------------------------------------------------------------------


def _identities(path: Path, cwd: Path, monkeypatch):
    monkeypatch.chdir(cwd)
    findings = json.loads(check("--format", "json", path.name))["findings"]
    results = sarif_of(path.name)["runs"][0]["results"]
    return (
        {f["fingerprint"]: (f["rule"], f["subject"]) for f in findings},
        {f["fingerprint"]: f["line"] for f in findings},
        {r["partialFingerprints"]["spoflintFindingId/v1"] for r in results},
    )


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_fingerprints_survive_line_moves(tmp_path, monkeypatch, topology):
    text = (REPO / source(topology)).read_text()
    before_dir, after_dir = tmp_path / "before", tmp_path / "after"
    before_dir.mkdir()
    after_dir.mkdir()
    (before_dir / "infra.yaml").write_text(text)
    (after_dir / "infra.yaml").write_text("# a new header comment\n\n# and another\n" + text)
    ids_before, lines_before, sarif_before = _identities(before_dir / "infra.yaml", before_dir, monkeypatch)
    ids_after, lines_after, sarif_after = _identities(after_dir / "infra.yaml", after_dir, monkeypatch)
    assert ids_before and ids_after == ids_before
    assert sarif_before == sarif_after == set(ids_before)
    assert all(lines_after[fp] == lines_before[fp] + 3 for fp in lines_before)


def test_fingerprints_tell_rule_file_and_subject_apart(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(REPO / EXAMPLES / "single-controller.yaml", "a.yaml")
    shutil.copy(REPO / EXAMPLES / "single-controller.yaml", "b.yaml")
    a = {f["fingerprint"] for f in json.loads(check("--format", "json", "a.yaml"))["findings"]}
    b = {f["fingerprint"] for f in json.loads(check("--format", "json", "b.yaml"))["findings"]}
    assert a and b and not a & b


# --- accepted risks -------------------------------------------------------------------


def test_accepted_findings_carry_sarif_suppressions(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("t.yaml").write_text(ACCEPTED)
    results = sarif_of("t.yaml")["runs"][0]["results"]
    accepted = [r for r in results if "suppressions" in r]
    assert len(accepted) == 1
    assert accepted[0]["ruleId"] == "SPOF001"
    assert accepted[0]["properties"]["subject"] == "feed-a"
    assert accepted[0]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "one feed in the lab"}
    ]
    assert accepted[0]["level"] == "error"  # still reported as what it is


def test_text_report_counts_accepted_findings_without_listing_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("t.yaml").write_text(ACCEPTED)
    lines = check("t.yaml").splitlines()
    # not listed: at most named, with the reason, as the root of what is still reported
    assert not any(" SPOF001 [error]" in line for line in lines)  # other findings may name it in their text
    assert "t.yaml:3:3: SPOF001 [accepted] on feed-a: one feed in the lab" in lines
    assert lines[-1].endswith("(1 accepted).")
    assert not any(" SPOF001 [" in line for line in check("--format", "concise", "t.yaml").splitlines())


# --- GitHub workflow commands ---------------------------------------------------------


def _finding(**fields) -> Finding:
    base = dict(
        path="infra/t.yaml",
        line=3,
        column=5,
        rule="SPOF001",
        name="single-point-of-failure",
        severity="error",
        message="sw-1 is a single point of failure",
        subject="sw-1",
        fingerprint="f" * 32,
    )
    return Finding(**{**base, **fields})


def test_github_one_annotation_per_reported_finding():
    out = render(
        "github",
        [
            _finding(),
            _finding(severity="warning", rule="SPOF003", name="network-articulation-point", line=4),
            _finding(severity="note", rule="MODEL001", name="incomplete-description", line=5),
            _finding(line=6, suppressed="lab", suppressed_by="accept"),
            _finding(line=7, suppressed="in the baseline", suppressed_by="baseline"),
        ],
        {},
    )
    assert out == (
        "::error file=infra/t.yaml,line=3,col=5,title=SPOF001 single-point-of-failure::sw-1 is a single point of failure\n"
        "::warning file=infra/t.yaml,line=4,col=5,title=SPOF003 network-articulation-point::sw-1 is a single point of failure\n"
        "::notice file=infra/t.yaml,line=5,col=5,title=MODEL001 incomplete-description::sw-1 is a single point of failure\n"
    )


def test_github_escapes_data_and_properties():
    out = render("github", [_finding(path="a,b:c%d/t.yaml", message="100% down\r\nfor sure: a, b")], {})
    assert out == (
        "::error file=a%2Cb%3Ac%25d/t.yaml,line=3,col=5,title=SPOF001 single-point-of-failure"
        "::100%25 down%0D%0Afor sure: a, b\n"
    )
    assert out.count("\n") == 1  # one command, one line


def test_github_output_of_a_real_run(in_repo):
    text = report("single-controller", "github")
    document = json.loads(report("single-controller", "json"))
    lines = text.splitlines()
    assert len(lines) == len([f for f in document["findings"] if f["suppressed"] is None])
    level = {"error": "error", "warning": "warning", "note": "notice"}
    by_fingerprint = {f["fingerprint"]: f for f in document["findings"]}
    for line, f in zip(lines, document["findings"]):
        root = by_fingerprint.get(f["cause"])
        said = f["message"] + (
            f" (caused by {root['rule']} on {root['subject']}, {root['path']}:{root['line']})" if root else ""
        )
        said += "".join(f"; fix: {x['change']}" for x in f["fixes"])
        assert line == (
            f"::{level[f['severity']]} file={f['path']},line={f['line']},col={f['column']},"
            f"title={f['rule']} {f['name']}::{said.replace('%', '%25')}"
        )


# --- JUnit XML -------------------------------------------------------------------------


def test_junit_parses_with_the_right_counts(in_repo):
    document = json.loads(report("hidden-spof", "json"))
    root = ET.fromstring(check("--format", "junit", "--fail-on", "note", source("hidden-spof")))  # every one fails
    ran = rules()
    findings = document["findings"]
    by_fingerprint = {f["fingerprint"]: f for f in findings}
    by_rule = {}
    for f in findings:
        by_rule.setdefault(f["rule"], []).append(f)
    assert root.tag == "testsuites"
    assert int(root.get("failures")) == len(findings)  # nothing suppressed here
    assert int(root.get("skipped")) == 0
    assert int(root.get("tests")) == len(findings) + len(set(ran) - set(by_rule))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [f"{r.id} {r.name}" for r in ran.values()]
    for suite in suites:
        rule_id = suite.get("name").split()[0]
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases) == max(len(by_rule.get(rule_id, [])), 1)
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure")) == len(by_rule.get(rule_id, []))
        for case, f in zip(cases, by_rule.get(rule_id, [])):
            assert case.get("file") == f["path"] and case.get("line") == str(f["line"])
            failure = case.find("failure")
            cause = by_fingerprint.get(f["cause"])
            said = f["message"] + (f" (caused by {cause['rule']} on {cause['subject']})" if cause else "")
            assert failure.get("type") == f["severity"] and failure.get("message") == said
            assert failure.text == f"{f['path']}:{f['line']}:{f['column']}: {f['rule']} [{f['severity']}] {said}"
            assert not list(failure)  # nothing nested


def test_junit_skips_accepted_findings_and_survives_any_reason(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("t.yaml").write_text(ACCEPTED.replace('"one feed in the lab"', '"bell \\x07, <b>&amp; \\"q\\"\\nnext"'))
    root = ET.fromstring(check("--format", "junit", "--fail-on", "note", "t.yaml"))
    skipped = root.findall(".//skipped")
    assert len(skipped) == 1 and root.get("skipped") == "1"
    assert skipped[0].get("message") == 'accepted: bell \\x07, <b>&amp; "q"\\nnext'  # one line, controls shown
    document = json.loads(check("--format", "json", "t.yaml"))
    assert int(root.get("failures")) == len([f for f in document["findings"] if f["suppressed"] is None])


def test_junit_of_a_clean_run_has_one_passing_case_per_rule(in_repo):
    root = ET.fromstring(report("openstack-ha", "junit"))
    assert root.get("failures") == "0" and root.get("tests") == str(len(rules()))
    assert {c.get("name") for c in root.iter("testcase")} == {"no findings"}
