"""Issue 12's smaller habits, through the command line: documentation URLs per rule
(SARIF `helpUri`, JSON `url`), several rules in one accept comment, "did you mean" for
rule ids (accept, --select/--ignore, explain) and config keys, JUnit failures only at
or above --fail-on, `spoflint rules` as an aligned table and JSON, whole sentences in
the top-level --help, `version: "1"`, and the progress display of the analyses."""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from contextlib import contextmanager

import pytest

from spoflint.registry import rules
from spoflint.views import rules as rules_view
from tests.helpers import HIDDEN, REPO, SINGLE, accepted_topology, assert_one_line_error, check_json, invoke, write

LAB = """\
version: 1
power:
  feed-a: {kind: feed}
network:
  sw-1: {kind: switch, power: [feed-a]}
hosts:
  h1: {power: [feed-a], nics: [sw-1]}ACCEPT
services:
  web: {kind: nginx, state: stateless, hosts: [h1]}
"""


def lab(comment: str = "") -> str:
    return LAB.replace("ACCEPT", comment)


def _anchors() -> set[str]:
    """The anchors of the rules page's headings, as GitHub makes them."""
    page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    return {rules_view._anchor(h) for h in re.findall(r"^## (.+)$", page, re.M)}


# --- documentation URLs ----------------------------------------------------------------------


def test_sarif_rules_link_their_section_of_the_rules_page(in_repo):
    result = invoke("check", "--format", "sarif", str(HIDDEN.relative_to(REPO)))
    assert result.exit_code == 1
    descriptors = json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]
    anchors = _anchors()
    assert len(descriptors) == len(rules())
    for descriptor in descriptors:
        page, _, anchor = descriptor["helpUri"].partition("#")
        assert page == rules_view.rules_page() and re.match(r"^https://", page)  # absolute, as the schema wants
        assert anchor in anchors and anchor.startswith(descriptor["id"].lower())


def test_json_findings_carry_their_rules_url(in_repo):
    document = check_json(str(SINGLE.relative_to(REPO)))
    assert document["findings"]
    for f in document["findings"]:
        assert f["url"] == f"{rules_view.rules_page()}#{f['rule'].lower()}-{f['name']}"


def test_the_rules_page_address_is_the_one_pyproject_declares():
    if sys.version_info < (3, 11):
        pytest.skip("tomllib")
    import tomllib

    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]["Rules"]
    assert declared == rules_view.RULES_PAGE  # the fallback of a checkout with no installed metadata
    assert rules_view.rules_page() == declared


# --- accept comments -------------------------------------------------------------------------


@pytest.mark.parametrize("names", ["PWR001,NET001", "PWR001, NET001", "single-power-path ,NET001"])
def test_one_comment_accepts_several_rules(in_tmp, names):
    write(in_tmp / "t.yaml", lab(f"  # spoflint: accept {names} the lab host"))
    document = check_json("t.yaml", "--select", "PWR001,NET001,MODEL002")
    on_h1 = {f["rule"]: f["suppressed"] for f in document["findings"] if f["subject"] == "h1"}
    assert on_h1 == {
        "PWR001": {"kind": "accept", "reason": "the lab host"},
        "NET001": {"kind": "accept", "reason": "the lab host"},
    }
    assert not [f for f in document["findings"] if f["rule"] == "MODEL002"]


@pytest.mark.parametrize(
    "text, pattern",
    [
        (
            lab("  # spoflint: accept PWR001,NET01 the lab host"),
            r"t\.yaml:7:40: accept: unknown rule 'NET01'; did you mean 'NET001'\? \(see `spoflint rules`\)",
        ),
        (
            accepted_topology('{SPFO001: "lab"}'),
            r"t\.yaml:5:14: accept: unknown rule 'SPFO001'; did you mean 'SPOF001'\? \(see `spoflint rules`\)",
        ),
        (
            accepted_topology('{single-point-of-failur: "lab"}'),
            r"t\.yaml:5:14: accept: unknown rule 'single-point-of-failur'; "
            r"did you mean 'single-point-of-failure'\? \(see `spoflint rules`\)",
        ),
        (
            accepted_topology('{SPOF999: "lab"}'),  # close to none in particular: no guess
            r"t\.yaml:5:14: accept: unknown rule 'SPOF999' \(see `spoflint rules`\)",
        ),
    ],
)
def test_an_acceptance_of_no_rule_is_an_input_error(in_tmp, text, pattern):
    write(in_tmp / "t.yaml", text)
    assert_one_line_error(invoke("check", "t.yaml"), pattern)


def test_an_accepted_name_of_the_wrong_shape_says_what_was_meant(in_tmp):
    write(in_tmp / "t.yaml", accepted_topology('{SPOF01: "lab"}'))
    assert_one_line_error(
        invoke("check", "t.yaml"),
        r"t\.yaml:5:14: power\.feed-a\.accept: 'SPOF01' is not a rule id or name "
        r"\(like SPOF001 or single-point-of-failure\); did you mean 'SPOF001'\?",
    )


def test_every_unknown_acceptance_is_reported_in_file_order(in_tmp):
    text = lab("  # spoflint: accept PWR01 lab").replace(
        "feed-a: {kind: feed}", "feed-a: {kind: feed, accept: {SPFO001: x}}"
    )
    write(in_tmp / "t.yaml", text)
    result = invoke("check", "t.yaml")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "t.yaml:3:33: accept: unknown rule 'SPFO001'; did you mean 'SPOF001'? (see `spoflint rules`)",
        "t.yaml:7:40: accept: unknown rule 'PWR01'; did you mean 'PWR001'? (see `spoflint rules`)",
    ]


def test_an_acceptance_of_a_real_rule_that_matched_nothing_stays_model002(in_tmp):
    write(in_tmp / "t.yaml", lab("  # spoflint: accept PWR001,SPOF002 the lab host"))
    model002 = [f for f in check_json("t.yaml")["findings"] if f["rule"] == "MODEL002"]
    assert [f["message"] for f in model002] == ["the acceptance of SPOF002 on h1 matched no finding: remove it"]


# --- did you mean, on the command line and in the config -------------------------------------


@pytest.mark.parametrize(
    "args, pattern",
    [
        (("check", "--select", "SPOF01", "t.yaml"), r"unknown rule 'SPOF01'; did you mean 'SPOF001'\?"),
        (("check", "--ignore", "PWR001,single-power-pth", "t.yaml"), r"unknown rule 'single-power-pth'; did you mean 'single-power-path'\?"),
        (("explain", "SPFO001"), r"unknown rule 'SPFO001'; did you mean 'SPOF001'\?"),
        (("check", "--select", "NOPE001", "t.yaml"), r"unknown rule 'NOPE001'"),
    ],
)  # fmt: skip
def test_an_unknown_rule_on_the_command_line_says_what_was_meant(in_tmp, args, pattern):
    write(in_tmp / "t.yaml", lab())
    assert_one_line_error(invoke(*args), rf"spoflint: error: {pattern} \(see `spoflint rules`\)")


@pytest.mark.parametrize(
    "name, text, pattern",
    [
        (".spoflint.yaml", "fail_on: warning\n", r"\.spoflint\.yaml:1:1: unknown configuration key 'fail_on'; did you mean 'fail-on'\?"),
        (".spoflint.yaml", "rule_paths: [x]\n", r"\.spoflint\.yaml:1:1: unknown configuration key 'rule_paths'; did you mean 'rule-paths'\?"),
        (".spoflint.yaml", "selct: [SPOF]\n", r"\.spoflint\.yaml:1:1: unknown configuration key 'selct'; did you mean 'select'\?"),
        (".spoflint.yaml", "colour: red\n", r"\.spoflint\.yaml:1:1: unknown configuration key 'colour'"),
        (".spoflint.yaml", "select: [SPOF001, SVC01]\n", r"\.spoflint\.yaml:1:19: unknown rule 'SVC01'; did you mean 'SVC001'\? \(see `spoflint rules`\)"),
        ("pyproject.toml", '[tool.spoflint]\nfail_on = "note"\n', r"pyproject\.toml:2:1: unknown configuration key 'fail_on'; did you mean 'fail-on'\?"),
    ],
)  # fmt: skip
def test_a_misspelt_config_key_or_rule_says_what_was_meant(in_tmp, name, text, pattern):
    if name == "pyproject.toml" and sys.version_info < (3, 11):
        pytest.skip("tomllib")
    write(in_tmp / "t.yaml", lab())
    write(in_tmp / name, text)
    assert_one_line_error(invoke("check", "t.yaml"), pattern)


# --- JUnit and --fail-on ---------------------------------------------------------------------


def _junit(*args) -> ET.Element:
    result = invoke("check", "--format", "junit", *args)
    assert result.exit_code in (0, 1), result.output
    return ET.fromstring(result.stdout)


def _failed(root: ET.Element) -> set[str]:
    return {case.get("classname") for case in root.iter("testcase") if case.find("failure") is not None}


def test_junit_fails_only_at_or_above_fail_on(in_tmp):
    write(in_tmp / "t.yaml", lab())
    document = check_json("t.yaml")
    by_severity = {
        level: {f["rule"] for f in document["findings"] if f["severity"] == level}
        for level in ("error", "warning", "note")
    }
    assert all(by_severity.values())  # the lab has findings of every severity
    default = _junit("t.yaml")
    assert _failed(default) == by_severity["error"]
    assert int(default.get("failures")) == sum(1 for f in document["findings"] if f["severity"] == "error")
    notes = [case for case in default.iter("testcase") if case.get("classname") in by_severity["note"]]
    assert notes and all(case.find("failure") is None and case.find("system-out") is not None for case in notes)
    assert notes[0].find("system-out").text.startswith("t.yaml:")
    assert _failed(_junit("t.yaml", "--fail-on", "warning")) == by_severity["error"] | by_severity["warning"]
    assert _failed(_junit("t.yaml", "--fail-on", "note")) == set().union(*by_severity.values())


def test_junit_follows_the_configs_fail_on_and_writes_it_to_a_file(in_tmp):
    write(in_tmp / "t.yaml", lab())
    write(in_tmp / ".spoflint.yaml", "fail-on: warning\nselect: [PWR001, MODEL001]\n")
    assert invoke("check", "t.yaml", "--format", "junit", "--output", "r.xml").exit_code == 1
    root = ET.fromstring((in_tmp / "r.xml").read_text(encoding="utf-8"))
    assert _failed(root) == {"PWR001"}  # MODEL001's notes pass


def test_junit_of_a_run_that_passes_has_no_failure(in_tmp):
    write(in_tmp / "t.yaml", lab())
    result = invoke("check", "t.yaml", "--format", "junit", "--select", "PWR001,MODEL001")
    assert result.exit_code == 0  # warnings and notes, below the default fail-on
    assert ET.fromstring(result.stdout).get("failures") == "0"


# --- spoflint rules --------------------------------------------------------------------------


def test_rules_table_is_aligned():
    result = invoke("rules")
    assert result.exit_code == 0
    header, *lines = result.stdout.splitlines()
    columns = [header.index(name) for name in ("id", "name", "severity", "summary")]
    assert columns[0] == 0 and len(lines) == len(rules())
    for line, rule in zip(lines, rules().values()):
        assert [line[c:].split()[0] for c in columns[:3]] == [rule.id, rule.name, rule.severity]
        assert line[columns[3] :] == rule.summary
        assert line[columns[1] - 1] == line[columns[2] - 1] == line[columns[3] - 1] == " "


def test_rules_as_json():
    result = invoke("rules", "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["format"] == "spoflint-rules" and document["version"] == 1
    table = rules()
    assert [r["id"] for r in document["rules"]] == list(table)
    for entry in document["rules"]:
        rule = table[entry["id"]]
        assert entry == {
            "id": rule.id,
            "name": rule.name,
            "severity": rule.severity,
            "summary": rule.summary,
            "options": rule.options,
            "pack": "builtin",
            "url": rules_view.url(rule),
        }
        assert entry["url"].partition("#")[2] in _anchors()


# --- the top-level help ----------------------------------------------------------------------


def test_the_top_level_help_says_each_command_in_whole_sentences():
    result = invoke("--help")
    assert result.exit_code == 0
    commands = result.stdout.split("Commands:", 1)[1]
    assert "..." not in commands
    entries = re.split(r"\n  (?=\S)", "\n" + commands.strip("\n"))[1:]
    assert {entry.split()[0] for entry in entries} >= {
        "check",
        "simulate",
        "graph",
        "cutsets",
        "availability",
        "rules",
        "kinds",
        "init",
    }
    for entry in entries:
        text = " ".join(entry.split()[1:])
        assert text.endswith("."), entry
    said = " ".join(commands.split())
    assert (
        "Each user-facing service's availability (nines, downtime a year, the elements that matter most) and recovery time, against the topology's objectives."
        in said
    )
    assert "Minimal sets of up to K elements whose joint failure takes a user-facing service down, ranked." in said


# --- version: "1" ----------------------------------------------------------------------------


@pytest.mark.parametrize("written", ['"1"', "'1'"])
def test_version_as_a_string_says_to_write_a_number(in_tmp, written):
    write(in_tmp / "t.yaml", lab().replace("version: 1", f"version: {written}"))
    assert_one_line_error(
        invoke("check", "t.yaml"), r"t\.yaml:1:10: write `version: 1` \(a number, not the string '1'\)"
    )
    write(in_tmp / "t.yaml", lab().replace("version: 1", "version: 2"))
    assert_one_line_error(
        invoke("check", "t.yaml"), r"t\.yaml:1:10: unsupported format version 2; this spoflint reads version 1"
    )


# --- progress --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("graph", "--format", "mermaid"), ("cutsets",), ("availability",), ("simulate", "--fail", "sw-1")],
)
def test_the_analyses_show_their_progress(in_tmp, monkeypatch, args):
    from spoflint.cli import analyses

    stages: list[str] = []
    opened: list[bool] = []

    @contextmanager
    def recording():
        opened.append(True)
        yield stages.append

    monkeypatch.setattr(analyses, "_progress", recording)
    write(in_tmp / "t.yaml", lab())
    result = invoke(*args, "t.yaml")
    assert result.exit_code == 0, result.output
    assert opened == [True] and stages == ["analysing"]


def test_the_analyses_progress_is_silent_when_piped(in_tmp):
    write(in_tmp / "t.yaml", lab())
    for command in ("graph", "cutsets", "availability"):
        result = invoke(command, "t.yaml")
        assert result.exit_code == 0 and result.stderr == "" and result.stdout


def test_import_shows_its_progress(in_tmp, monkeypatch):
    from spoflint.cli import catalogue
    from tests.helpers import REPO

    opened: list[bool] = []

    @contextmanager
    def recording():
        opened.append(True)
        yield lambda stage: None

    monkeypatch.setattr(catalogue, "_progress", recording)
    result = invoke("import", "compose", REPO / "fixtures" / "import" / "compose" / "blog.compose.yaml")
    assert result.exit_code == 0 and opened == [True] and "version: 1" in result.stdout
