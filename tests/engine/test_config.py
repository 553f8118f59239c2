"""Configuration: `.spoflint.yaml` found upward from the current directory, or a
`[tool.spoflint]` table in `pyproject.toml`. Every key has an effect, the command line
wins over the file, and every mistake in the file is one exit-2 line naming the file,
line and column (never a traceback)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from spoflint import config as configuration
from spoflint.engine import Config, lint
from spoflint.registry import rules
from tests.helpers import HA, HIDDEN, SINGLE, WARNINGS_AND_NOTES, assert_one_line_error, findings, fired, invoke, write

# Redundant everywhere but cooling: one CRAC unit cools both racks of the one zone.
ONE_COOLING_UNIT = """\
version: 1
zones: {dc1: {}}
power:
  feed-a: {kind: feed, zone: dc1}
  feed-b: {kind: feed, zone: dc1}
cooling:
  crac-1: {zone: dc1, power: [feed-a, feed-b]}
racks:
  r1: {zone: dc1, cooling: [crac-1], power: [feed-a, feed-b]}
  r2: {zone: dc1, cooling: [crac-1], power: [feed-a, feed-b]}
network:
  internet: {kind: external}
  sw-1: {kind: switch, rack: r1}
  sw-2: {kind: switch, rack: r2}
links: [[internet, sw-1], [internet, sw-2]]
hosts:
  web-1: {rack: r1, nics: [sw-1, sw-2]}
  web-2: {rack: r2, nics: [sw-1, sw-2]}
services:
  web: {kind: nginx, state: stateless, hosts: [web-1, web-2], access: client-list}
"""

# A local rule module, as a project keeps in its own folder (`rule-paths`).
LOCAL_RULE = '''\
"""Every host with fewer than `min_nics` network links (a project's own rule).

Why: our hosts take two NICs by policy.

Options: min_nics (default 2).
"""
from spoflint.findings import Problem

ID = "LOC001"
NAME = "site-nic-policy"
SEVERITY = "warning"
OPTIONS = {"min_nics": 2}


def check(facts, options):
    for host in facts.topology.hosts.values():
        if len(host.links) < options["min_nics"]:
            yield Problem(host.id, f"{host.id} has {len(host.links)} NICs; site policy wants {options['min_nics']}")
'''

# What a run that loads the `rules/` folder's modules says first, on standard error.
LOADING = "spoflint: loading local rules from rules (rule-paths in .spoflint.yaml)"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project folder, the current directory: a git repository, whose top level
    is where the search for a config stops."""
    root = tmp_path / "project"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root)
    return root


# --- discovery --------------------------------------------------------------------------


def test_spoflint_yaml_is_found_upward_from_a_subdirectory(project, monkeypatch):
    shutil.copy(SINGLE, project / "single.yaml")
    write(project / ".spoflint.yaml", "select: [SPOF002]\n")
    deep = project / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert fired("../../single.yaml") == {"SPOF002"}
    assert configuration.find() == project / ".spoflint.yaml"


def test_pyproject_table_is_found_upward(project, monkeypatch):
    shutil.copy(SINGLE, project / "single.yaml")
    write(project / "pyproject.toml", '[project]\nname = "infra"\n\n[tool.spoflint]\nselect = ["SPOF002"]\n')
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")
    assert fired("../single.yaml") == {"SPOF002"}


def test_a_pyproject_with_only_a_spoflint_subtable_counts(project):
    shutil.copy(HA, project / "ha.yaml")
    write(project / "pyproject.toml", "[tool.spoflint.options.STATE002]\nmin_members = 5\n")
    assert configuration.find() == project / "pyproject.toml"
    assert "STATE002" in fired("ha.yaml")


def test_pyproject_without_the_table_is_passed_over(project, monkeypatch):
    shutil.copy(SINGLE, project / "single.yaml")
    write(project / ".spoflint.yaml", "select: [SPOF002]\n")
    write(project / "sub" / "pyproject.toml", '[project]\nname = "x"\n\n[tool.black]\nline-length = 99\n')
    monkeypatch.chdir(project / "sub")
    assert configuration.find() == project / ".spoflint.yaml"
    assert fired("../single.yaml") == {"SPOF002"}


def test_spoflint_yaml_wins_over_pyproject_in_the_same_folder(project):
    shutil.copy(SINGLE, "single.yaml")
    write(project / "pyproject.toml", '[tool.spoflint]\nselect = ["SVC001"]\n')
    write(project / ".spoflint.yaml", "select: [SPOF002]\n")
    assert fired("single.yaml") == {"SPOF002"}


def test_the_nearest_config_wins(project, monkeypatch):
    shutil.copy(SINGLE, "single.yaml")
    write(project / ".spoflint.yaml", "select: [SPOF002]\n")
    write(project / "team" / "pyproject.toml", '[tool.spoflint]\nselect = ["SVC001"]\n')
    monkeypatch.chdir(project / "team")
    assert fired("../single.yaml") == {"SVC001"}


def test_no_config_means_every_rule(project):
    shutil.copy(SINGLE, "single.yaml")
    assert configuration.find() is None
    assert {"SPOF001", "SPOF002", "SVC001", "STATE001", "MODEL001"} <= fired("single.yaml")


def test_explicit_config_is_used_instead_of_the_discovered_one(project):
    shutil.copy(SINGLE, "single.yaml")
    write(project / ".spoflint.yaml", "select: [SPOF002]\n")
    write(project / "ci" / "strict.yaml", "select: [SVC001]\n")
    assert fired("--config", "ci/strict.yaml", "single.yaml") == {"SVC001"}


def test_empty_config_file_means_defaults(project):
    shutil.copy(SINGLE, "single.yaml")
    everything = fired("single.yaml")
    write(project / ".spoflint.yaml", "# paths: [infra/]\n\n# select: [SPOF]\n")
    assert fired("single.yaml") == everything


# --- every key has an effect --------------------------------------------------------------


def test_paths_are_read_when_no_path_is_given_relative_to_the_config(project, monkeypatch):
    (project / "infra").mkdir()
    shutil.copy(SINGLE, project / "infra" / "single.yaml")
    write(project / ".spoflint.yaml", "paths: [infra/]\nselect: [SPOF002]\n")
    (project / "docs").mkdir()
    monkeypatch.chdir(project / "docs")
    result = invoke("check")
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("../infra/single.yaml:23:3: SPOF002 [error]")
    # a path on the command line replaces the config's
    shutil.copy(HA, project / "docs" / "ha.yaml")
    assert invoke("check", "ha.yaml").exit_code == 0


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("select", "[SPOF002]", {"SPOF002"}),
        ("select", "[single-copy-of-data]", {"SPOF002"}),
        ("select", "[SVC]", {"SVC001"}),  # prefix: the SVC rules that fire here
        ("select", "[spof002, STATE001]", {"SPOF002", "STATE001"}),
    ],
)
def test_select_by_id_name_or_prefix(project, key, value, expected):
    shutil.copy(SINGLE, "single.yaml")
    write(project / ".spoflint.yaml", f"{key}: {value}\n")
    assert fired("single.yaml") == expected


@pytest.mark.parametrize(
    "value, gone",
    [
        ("[SPOF001]", {"SPOF001"}),
        ("[single-point-of-failure, MODEL001]", {"SPOF001", "MODEL001"}),
        ("[SPOF]", {"SPOF001", "SPOF002", "SPOF003", "SPOF004"}),
    ],
)
def test_ignore_by_id_name_or_prefix(project, value, gone):
    shutil.copy(SINGLE, "single.yaml")
    everything = fired("single.yaml")
    assert gone <= everything
    write(project / ".spoflint.yaml", f"ignore: {value}\n")
    assert fired("single.yaml") == everything - gone


def test_severity_override_changes_the_reported_severity_and_the_exit_status(project):
    write(project / "t.yaml", WARNINGS_AND_NOTES)
    assert invoke("check", "t.yaml").exit_code == 0
    write(project / ".spoflint.yaml", "severity: {SPOF004: error}\n")
    result = invoke("check", "t.yaml")
    assert result.exit_code == 1
    assert "t.yaml:6:9: SPOF004 [error] link internet--core is a bridge" in result.stdout
    severities = {f["rule"]: f["severity"] for f in findings("t.yaml")}
    assert severities == {"SPOF004": "error", "SPOF003": "warning", "MODEL001": "note"}
    sarif = json.loads(invoke("check", "-f", "sarif", "t.yaml").stdout)
    assert {r["level"] for r in sarif["runs"][0]["results"] if r["ruleId"] == "SPOF004"} == {"error"}


def test_severity_downgrade_lets_the_run_pass(project):
    shutil.copy(HIDDEN, "hidden.yaml")
    write(project / ".spoflint.yaml", "select: [SPOF001]\nseverity: {single-point-of-failure: warning}\n")
    result = invoke("check", "hidden.yaml")
    assert result.exit_code == 0
    assert "SPOF001 [warning] sw-1 is a single point of failure" in result.stdout
    write(project / ".spoflint.yaml", "select: [SPOF001]\nseverity: {SPOF001: warning}\nfail-on: warning\n")
    assert invoke("check", "hidden.yaml").exit_code == 1


@pytest.mark.parametrize("form", ["yaml", "pyproject"])
def test_rule_options_change_what_a_rule_judges(project, form):
    shutil.copy(HA, "ha.yaml")
    assert "STATE002" not in fired("ha.yaml")  # three Galera members: the default minimum
    if form == "yaml":
        write(project / ".spoflint.yaml", "options:\n  STATE002: {min_members: 5}\n")
    else:
        write(project / "pyproject.toml", "[tool.spoflint.options.STATE002]\nmin_members = 5\n")
    flagged = [f for f in findings("ha.yaml") if f["rule"] == "STATE002"]
    assert {f["subject"] for f in flagged} >= {"galera"}
    galera = next(f for f in flagged if f["subject"] == "galera")
    assert "3 members" in galera["message"] and "5" in galera["message"]


def test_options_by_rule_name(project):
    shutil.copy(HA, "ha.yaml")
    write(project / ".spoflint.yaml", "options:\n  quorum-unsafe-cluster: {min_members: 5}\n")
    assert "STATE002" in fired("ha.yaml")


def test_fail_on_from_the_file(project):
    write(project / "t.yaml", WARNINGS_AND_NOTES)
    write(project / ".spoflint.yaml", "fail-on: warning\n")
    assert invoke("check", "t.yaml").exit_code == 1
    write(project / ".spoflint.yaml", "fail-on: note\nselect: [MODEL001]\n")
    assert invoke("check", "t.yaml").exit_code == 1
    write(project / ".spoflint.yaml", "fail-on: error\n")
    assert invoke("check", "t.yaml").exit_code == 0


def test_failure_scope_with_zones_makes_a_zone_a_candidate(project):
    shutil.copy(HA, "ha.yaml")
    assert invoke("check", "ha.yaml").exit_code == 0
    write(project / ".spoflint.yaml", "failure-scope: [power, cooling, racks, network, links, hosts, storage, zones]\n")
    result = invoke("check", "ha.yaml")
    assert result.exit_code == 1
    spof = [f for f in findings("ha.yaml") if f["rule"] == "SPOF001"]
    assert [f["subject"] for f in spof] == ["dc1"]  # the one zone: everything is in it
    assert spof[0]["line"] == 12


def test_failure_scope_without_cooling_stops_reporting_cooling_units(project):
    write(project / "t.yaml", ONE_COOLING_UNIT)
    spof = {f["subject"] for f in findings("t.yaml") if f["rule"] == "SPOF001"}
    assert spof == {"crac-1"}
    write(project / ".spoflint.yaml", "failure-scope: [power, racks, network, links, hosts, storage]\n")
    reported = findings("t.yaml")
    assert not [f for f in reported if f["rule"] == "SPOF001"]
    assert not [f for f in reported if "crac-1" in f["chain"]]
    assert not [f for f in reported if f["rule"] == "SVC002"]  # web's instances no longer share a failure
    assert invoke("check", "t.yaml").exit_code == 0


def test_rule_paths_load_local_rules_relative_to_the_config(project, monkeypatch):
    shutil.copy(SINGLE, "single.yaml")
    write(project / "tools" / "spoflint-rules" / "nic_policy.py", LOCAL_RULE)
    write(project / ".spoflint.yaml", "rule-paths: [tools/spoflint-rules]\n")
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")
    local = [f for f in findings("../single.yaml") if f["rule"] == "LOC001"]
    assert {f["subject"] for f in local} == {"ctl-1", "cmp-1"}
    assert local[0]["name"] == "site-nic-policy" and local[0]["severity"] == "warning"
    # the project's own rule takes part in everything a built-in one does
    write(
        project / ".spoflint.yaml",
        "rule-paths: [tools/spoflint-rules]\nselect: [LOC]\n"
        "severity: {site-nic-policy: error}\noptions: {LOC001: {min_nics: 1}}\n",
    )
    assert findings("../single.yaml") == []
    write(
        project / ".spoflint.yaml",
        "rule-paths: [tools/spoflint-rules]\nselect: [LOC]\nseverity: {site-nic-policy: error}\n",
    )
    result = invoke("check", "../single.yaml")
    assert result.exit_code == 1
    assert "LOC001 [error] ctl-1 has 1 NICs" in result.stdout
    sarif = json.loads(invoke("check", "-f", "sarif", "../single.yaml").stdout)
    assert [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]] == ["LOC001"]
    # `rules` and `explain` know it too
    listed = {line.split()[0]: line.split()[1:3] for line in invoke("rules").stdout.splitlines()}
    assert listed["LOC001"] == ["site-nic-policy", "warning"]  # the table shows defaults
    explained = invoke("explain", "site-nic-policy")
    assert explained.exit_code == 0 and explained.stdout.startswith("LOC001 site-nic-policy [warning]")


def test_accepting_a_local_rules_finding(project):
    text = SINGLE.read_text()
    line = "  cmp-1: {rack: r1, nics: [sw-1]}\n"
    assert line in text
    write(project / "single.yaml", text.replace(line, line[:-1] + "  # spoflint: accept LOC001 compute: one NIC\n"))
    write(project / "rules" / "nic_policy.py", LOCAL_RULE)
    write(project / ".spoflint.yaml", "rule-paths: [rules]\nselect: [LOC001, MODEL002]\n")
    document = findings("single.yaml")
    assert [(f["subject"], f["suppressed"]) for f in document] == [
        ("ctl-1", None),
        ("cmp-1", {"kind": "accept", "reason": "compute: one NIC"}),
    ]
    # without the project's rules the acceptance names no rule: an input error at the name
    write(project / ".spoflint.yaml", "select: [MODEL002]\n")
    assert_one_line_error(
        invoke("check", "single.yaml"), r"single\.yaml:\d+:\d+: accept: unknown rule 'LOC001' \(see `spoflint rules`\)"
    )


def test_local_rules_of_two_projects_do_not_mix(tmp_path, monkeypatch):
    """The same relative rule folder in two projects, in one process (the registry caches)."""
    for name, severity in (("one", "warning"), ("two", "note")):
        root = tmp_path / name
        root.mkdir()
        shutil.copy(SINGLE, root / "single.yaml")
        write(root / "rules" / "nic_policy.py", LOCAL_RULE.replace('SEVERITY = "warning"', f'SEVERITY = "{severity}"'))
        write(root / ".spoflint.yaml", "rule-paths: [rules]\nselect: [LOC001]\n")
        monkeypatch.chdir(root)
        assert {f["severity"] for f in findings("single.yaml")} == {severity}
    # an edited module is read again
    write(root / "rules" / "nic_policy.py", LOCAL_RULE.replace('SEVERITY = "warning"', 'SEVERITY = "error"'))
    assert {f["severity"] for f in findings("single.yaml")} == {"error"}


# --- precedence: rule defaults < file < command line -------------------------------------


def test_command_line_select_replaces_the_files(project):
    shutil.copy(SINGLE, "single.yaml")
    write(project / ".spoflint.yaml", "select: [SPOF002]\n")
    assert fired("--select", "SVC001", "single.yaml") == {"SVC001"}


def test_command_line_ignore_replaces_the_files(project):
    shutil.copy(SINGLE, "single.yaml")
    write(project / ".spoflint.yaml", "select: [SPOF002, SVC001]\nignore: [SVC001]\n")
    assert fired("single.yaml") == {"SPOF002"}
    assert fired("--ignore", "SPOF002", "single.yaml") == {"SVC001"}


def test_command_line_fail_on_overrides_the_files(project):
    write(project / "t.yaml", WARNINGS_AND_NOTES)
    write(project / ".spoflint.yaml", "fail-on: warning\n")
    assert invoke("check", "t.yaml").exit_code == 1
    assert invoke("check", "--fail-on", "error", "t.yaml").exit_code == 0
    write(project / ".spoflint.yaml", "fail-on: error\n")
    assert invoke("check", "--fail-on", "note", "t.yaml").exit_code == 1


def test_settings_merge_file_and_command_line():
    file = configuration.FileConfig(
        select=("SPOF002",),
        ignore=("MODEL001",),
        fail_on="warning",
        severity={"SPOF004": "error"},
        options={"STATE002": {"min_members": 5}},
    )
    merged = configuration.settings(file)
    assert merged.select == {"SPOF002"} and merged.ignore == {"MODEL001"}
    assert merged.fail_on == "warning" and merged.severity == {"SPOF004": "error"}
    assert merged.options == {"STATE002": {"min_members": 5}}
    assert merged.scope == Config().scope and "zones" not in merged.scope
    cli = configuration.settings(file, select=["SVC"], fail_on="note", severity={"SPOF004": "note"})
    assert cli.select == {r for r in rules() if r.startswith("SVC")}
    assert cli.ignore == {"MODEL001"}  # not given on the command line: the file's
    assert cli.fail_on == "note" and cli.severity == {"SPOF004": "note"}
    assert configuration.settings(configuration.FileConfig()).fail_on == "error"
    with pytest.raises(KeyError):
        configuration.settings(file, select=["NOPE999"])


def test_library_api_reads_no_config(project):
    shutil.copy(SINGLE, "single.yaml")
    write(project / ".spoflint.yaml", "select: [SPOF002]\n")
    # spoflint.lint(paths, config) is pure: a config file affects the command line only
    assert {f.rule for f in lint(["single.yaml"])} > {"SPOF002"}


# --- mistakes in the file are one located line, exit 2 -----------------------------------


@pytest.mark.parametrize(
    "text, position, message",
    [
        ("paths: [x]\nbogus: 1\n", "2:1", r"unknown configuration key 'bogus'"),
        (
            "select: [SPOF001]\nfail_on: warning\n",
            "2:1",
            r"unknown configuration key 'fail_on'; did you mean 'fail-on'\?",
        ),
        ("severity:\n  NOPE001: error\n", "2:3", r"unknown rule 'NOPE001' \(see `spoflint rules`\)"),
        ("select: [SPOF001, NOPE]\n", "1:19", r"unknown rule 'NOPE' \(see `spoflint rules`\)"),
        ("ignore:\n  - SPOF001\n  - no-such-rule\n", "3:5", r"unknown rule 'no-such-rule' \(see `spoflint rules`\)"),
        ("options:\n  NOPE001: {x: 1}\n", "2:3", r"unknown rule 'NOPE001' \(see `spoflint rules`\)"),
        ("severity:\n  SPOF: error\n", "2:3", r"'SPOF' names several rules; give one id or name"),
        (
            "options:\n  STATE002: {min_memberz: 5}\n",
            "2:14",
            r"rule STATE002 has no option 'min_memberz' \(options: min_members\)",
        ),
        ("options:\n  SPOF001: {order: 2}\n", "2:13", r"rule SPOF001 has no option 'order' \(options: none\)"),
        (
            'options:\n  STATE002:\n    min_members: "5"\n',
            "3:18",
            r"option min_members of STATE002 takes an integer, not '5'",
        ),
        (
            "options:\n  STATE002: {min_members: 4.5}\n",
            "2:27",
            r"option min_members of STATE002 takes an integer, not 4.5",
        ),
        (
            "options:\n  STATE002: {min_members: true}\n",
            "2:27",
            r"option min_members of STATE002 takes an integer, not True",
        ),
        ("options:\n  STATE002: 5\n", "2:13", r"options.STATE002: 5 is not of type 'object'"),
        ("severity: {SPOF001: fatal}\n", "1:21", r"severity.SPOF001: 'fatal' is not one of .*"),
        ("fail-on: critical\n", "1:10", r"fail-on: 'critical' is not one of .*"),
        ("failure-scope: [power, moon]\n", "1:24", r"failure-scope.1: 'moon' is not one of .*"),
        ("failure-scope: []\n", "1:16", r"failure-scope: \[\] should be non-empty"),
        ("paths: infra/\n", "1:8", r"paths: 'infra/' is not of type 'array'"),
        ("rule-paths: [no/such/folder]\n", "1:14", r"rule-paths: 'no/such/folder' is not a folder"),
        (
            "- select\n",
            "1:1",
            r"the configuration must be a mapping of settings \(paths: \.\.\., select: \.\.\.\), not a list",
        ),
        ("select: [SPOF001\n", r"\d+:\d+", r".*"),
    ],
)
def test_mistakes_in_spoflint_yaml(project, text, position, message):
    shutil.copy(SINGLE, "single.yaml")
    write(project / ".spoflint.yaml", text)
    assert_one_line_error(invoke("check", "single.yaml"), rf"\.spoflint\.yaml:{position}: {message}")


@pytest.mark.parametrize(
    "text, position, message",
    [
        (
            '[project]\nname = "x"\n\n[tool.spoflint]\nselect = ["SPOF001"]\nbogus = 1\n',
            "6:1",
            r"unknown configuration key 'bogus'",
        ),
        (
            '[tool.spoflint]\nselect = ["SPOF001"]\n\n[tool.spoflint.options.STATE002]\nmin_memberz = 5\n',
            "5:1",
            r"rule STATE002 has no option 'min_memberz' \(options: min_members\)",
        ),
        (
            '[tool.spoflint]\noptions = {STATE002 = {min_members = "5"}}\n',
            "2:24",
            r"option min_members of STATE002 takes an integer, not '5'",
        ),
        (
            '[tool.spoflint]\nseverity = {NOPE001 = "error"}\n',
            "2:13",
            r"unknown rule 'NOPE001' \(see `spoflint rules`\)",
        ),
        (
            '[tool.black]\nselect = 1\n\n[tool.spoflint]\nfail-on = "warning"\nselect = ["NOPE"]\n',
            "6:1",
            r"unknown rule 'NOPE' \(see `spoflint rules`\)",
        ),
        ("[tool.spoflint]\nselect = [\n", r"\d+:\d+", r"invalid TOML: .*"),
    ],
)
def test_mistakes_in_pyproject(project, text, position, message):
    shutil.copy(SINGLE, "single.yaml")
    write(project / "pyproject.toml", text)
    assert_one_line_error(invoke("check", "single.yaml"), rf"pyproject\.toml:{position}: {message}")


def test_missing_explicit_config_is_an_error(project):
    shutil.copy(SINGLE, "single.yaml")
    assert_one_line_error(
        invoke("check", "--config", "nope.yaml", "single.yaml"), r"spoflint: error: --config nope\.yaml: no such file"
    )


def test_config_errors_come_before_reading_the_topology(project):
    write(project / ".spoflint.yaml", "bogus: 1\n")
    assert_one_line_error(
        invoke("check", "missing.yaml", "--output", "r.json"),
        r"\.spoflint\.yaml:1:1: unknown configuration key 'bogus'",
    )
    assert not (project / "r.json").exists()


@pytest.mark.parametrize(
    "module, position, message",
    [
        ("def check(facts, options:\n", r"1:\d+", r"rule module: .*"),
        ("import no_such_module_here\n", "1:1", r"rule module failed to load: ModuleNotFoundError: .*"),
        (
            '"""Doc."""\n\nX = 1\n\nraise RuntimeError("boom")\n',
            "5:1",
            r"rule module failed to load: RuntimeError: boom",
        ),
        (
            '"""Doc."""\nNAME = "x"\nSEVERITY = "note"\n\ndef check(facts, options):\n    return []\n',
            "1:1",
            r"rule module spoflint_local_rules\.broken lacks ID",
        ),
        (LOCAL_RULE.replace('ID = "LOC001"', 'ID = "loc-1"'), "1:1", r"rule module .*: bad id, name or severity"),
        (LOCAL_RULE.replace('ID = "LOC001"', 'ID = "SPOF001"'), "1:1", r"rule SPOF001 is already defined by builtin"),
        (
            LOCAL_RULE.replace("yield Problem(host.id,", 'yield Problem(host.id + "-typo",'),
            "1:1",
            r"rule LOC001 reported 'ctl-1-typo', which is not an element .*",
        ),
        (
            LOCAL_RULE.replace("        if len(host.links)", "        1 / 0\n        if len(host.links)"),
            "17:1",
            r"rule LOC001 failed: ZeroDivisionError: division by zero",
        ),
    ],
)
def test_a_broken_local_rule_is_a_one_line_error(project, module, position, message):
    shutil.copy(SINGLE, "single.yaml")
    write(project / "rules" / "broken.py", module)
    write(project / ".spoflint.yaml", "rule-paths: [rules]\n")
    assert_one_line_error(invoke("check", "single.yaml"), rf"rules/broken\.py:{position}: {message}", after=[LOADING])


def test_two_local_rules_with_one_id(project):
    shutil.copy(SINGLE, "single.yaml")
    write(project / "rules" / "a.py", LOCAL_RULE)
    write(project / "rules" / "b.py", LOCAL_RULE)
    write(project / ".spoflint.yaml", "rule-paths: [rules]\n")
    assert_one_line_error(
        invoke("check", "single.yaml"), r"rules/b\.py:1:1: rule LOC001 is already defined by rules/a\.py", [LOADING]
    )


def test_rules_and_explain_report_a_broken_config(project):
    write(project / ".spoflint.yaml", "bogus: 1\n")
    assert_one_line_error(invoke("rules"), r"\.spoflint\.yaml:1:1: unknown configuration key 'bogus'")
    assert_one_line_error(invoke("explain", "SPOF001"), r"\.spoflint\.yaml:1:1: unknown configuration key 'bogus'")
