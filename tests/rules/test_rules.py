"""Every registered rule, held to its fixtures, its own documentation and the catalogue.

- Fixtures: each `fixtures/<RULE-ID>/*.yaml` starts with `# expect: RULE@subject ...` (or
  `# expect: none`). The file is linted and the findings of the rules that matter to it
  (the folder's rule and every rule named in the expect line) must be exactly the
  expected (rule, subject) pairs; findings of other rules are ignored. Where a finding's
  message says another rule flags an element ("SPOF001 flags sw-1"), that must be true.
  A second line `# options: RULE.option=value ...` sets rule options (for rules that are
  off by default, as SPOF005).
- Documentation: a rule's `Fails:` example yields at least one finding of that rule and
  its `Passes:` example none, so the docs `spoflint explain` prints cannot drift (with
  the options of the rule module's `EXAMPLE_OPTIONS`, where it has one).
- Contract: every rule has a summary, a why paragraph, options, both examples, a
  kebab-case name, a known severity and fixtures both ways; ids are unique, and the
  built-in ones are those of the published catalogue (`CATALOGUE`, below).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from spoflint import registry
from spoflint.engine import Config, lint
from tests.helpers import FIXTURES, REPO

RULE_ID = re.compile(r"^[A-Z]+[0-9]{3}$")
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
EXPECT = re.compile(r"^#\s*expect:(.*)$")
OPTIONS_LINE = re.compile(r"^#\s*options:(.*)$")

# Fixtures whose expectation is right by the spec but that a bug outside rules/ breaks.
# Each is a strict xfail: once the bug is fixed the fixture passes and this entry must go.
KNOWN_BUGS: dict[str, str] = {}  # fixture -> the bug it shows, as a strict xfail until fixed


def rule_table() -> dict[str, registry.Rule]:
    return registry.rules()


def fixture_dirs() -> list[Path]:
    return sorted(d for d in FIXTURES.iterdir() if d.is_dir() and RULE_ID.match(d.name))


def fixture_files() -> list[Path]:
    return sorted(p for d in fixture_dirs() for p in d.glob("*.yaml"))


def expected_findings(path: Path) -> set[tuple[str, str]]:
    """The (rule, subject) pairs a fixture's first line promises."""
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    match = EXPECT.match(first)
    assert match, f"{path}: the first line must be `# expect: RULE@subject ...` or `# expect: none`"
    tokens = match.group(1).split()
    if tokens == ["none"]:
        return set()
    assert tokens, f"{path}: empty expect line (write `# expect: none`)"
    pairs = set()
    for token in tokens:
        rule, at, subject = token.partition("@")
        assert at and subject and RULE_ID.match(rule), f"{path}: {token!r} is not RULE@subject"
        pairs.add((rule, subject))
    return pairs


def fixture_config(path: Path) -> Config:
    """The Config a fixture asks for on its second line (`# options: SPOF005.order=2`)."""
    lines = path.read_text(encoding="utf-8").split("\n", 2)
    match = OPTIONS_LINE.match(lines[1]) if len(lines) > 1 else None
    options: dict = {}
    for token in match.group(1).split() if match else ():
        name, _, value = token.partition("=")
        rule, _, option = name.partition(".")
        options.setdefault(rule, {})[option] = int(value) if value.isdigit() else value
    return Config(options=options)


def example_config(rule) -> Config:
    """The options a rule's documented examples are checked with."""
    module = sys.modules.get(rule.check.__module__)
    return Config(options={rule.id: dict(getattr(module, "EXAMPLE_OPTIONS", {}))})


def _fixture_param(path: Path):
    key = path.relative_to(FIXTURES).as_posix()
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[key])] if key in KNOWN_BUGS else []
    return pytest.param(path, id=key.removesuffix(".yaml"), marks=marks)


def _describe(findings, pairs) -> str:
    return "\n".join(f"    {f.rule}@{f.subject}: {f.message}" for f in findings if (f.rule, f.subject) in pairs)


# --- (a) fixtures ----------------------------------------------------------------------


def test_known_bugs_name_existing_fixtures():
    for key in KNOWN_BUGS:
        assert (FIXTURES / key).is_file(), f"KNOWN_BUGS names a fixture that does not exist: {key}"


@pytest.mark.parametrize("path", [_fixture_param(p) for p in fixture_files()])
def test_fixture(path: Path):
    expected = expected_findings(path)
    considered = {path.parent.name} | {rule for rule, _ in expected}
    unknown = considered - set(rule_table())
    assert not unknown, f"{path.name} names rules that are not registered: {sorted(unknown)}"
    findings = [f for f in lint([path], fixture_config(path)) if f.rule in considered]
    found = {(f.rule, f.subject) for f in findings}
    missing, unexpected = expected - found, found - expected
    assert not missing and not unexpected, (
        f"{path.relative_to(REPO)} (comparing {', '.join(sorted(considered))}):\n"
        f"  missing:    {' '.join(f'{r}@{s}' for r, s in sorted(missing)) or '-'}\n"
        f"  unexpected: {' '.join(f'{r}@{s}' for r, s in sorted(unexpected)) or '-'}\n"
        + _describe(findings, unexpected)
    )


# Rules that point at an element another rule reports say so in their message
# ("SPOF001 flags sw-1", "(SPOF001 and SPOF002 flag nfs-1)"). Such a claim must be true,
# and for the element a finding is about (the shared element, the switch, the power
# element, the storage host) it must not be left out.
CLAIM = re.compile(
    r"((?:[A-Z]+[0-9]{3})(?: and [A-Z]+[0-9]{3})*) flags? "
    r"([A-Za-z0-9_][A-Za-z0-9_.:@/+=-]*(?:, [A-Za-z0-9_][A-Za-z0-9_.:@/+=-]*)*)"
)
CLAIMS_ABOUT_RELATED = {"NET001", "PWR001", "SVC002", "STATE005"}


def _claims(message: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for rules, subjects in CLAIM.findall(message):
        for rule in rules.split(" and "):
            out.setdefault(rule, set()).update(subjects.split(", "))
    return out


def _about_related(finding) -> bool:
    """Whether a finding's related elements are what it is about (not a pool listing)."""
    if finding.rule == "SVC002":
        return " share " in finding.message
    if finding.rule == "STATE005":
        return "single host" in finding.message
    return finding.rule in CLAIMS_ABOUT_RELATED


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, id=p.relative_to(FIXTURES).as_posix().removesuffix(".yaml"))
        for p in fixture_files()
        if p.parent.name in CLAIMS_ABOUT_RELATED
    ],
)
def test_cross_references(path: Path):
    findings = lint([path], fixture_config(path))
    subjects: dict[str, set[str]] = {}
    for f in findings:
        subjects.setdefault(f.rule, set()).add(f.subject)
    for f in findings:
        if f.rule not in CLAIMS_ABOUT_RELATED:
            continue
        claims = _claims(f.message)
        for rule, named in claims.items():
            wrong = named - subjects.get(rule, set())
            assert not wrong, f"{f.rule}@{f.subject} says {rule} flags {sorted(wrong)}, it does not: {f.message}"
        if _about_related(f) and not re.search(r" and [0-9]+ more", f.message):  # a shortened list
            flagged = {p.subject for p in f.related} & subjects.get("SPOF001", set())
            left_out = flagged - claims.get("SPOF001", set())
            assert not left_out, f"{f.rule}@{f.subject} does not say SPOF001 flags {sorted(left_out)}: {f.message}"


def test_fixture_folders_are_registered_rules():
    unknown = [d.name for d in fixture_dirs() if d.name not in rule_table()]
    assert not unknown, f"fixture folders for rules that are not registered: {unknown}"


# --- (b) the documented examples ---------------------------------------------------------


@pytest.mark.parametrize("rule_id", sorted(rule_table()))
def test_failing_example_fails(rule_id: str, tmp_path: Path):
    example = rule_table()[rule_id].examples.get("Fails")
    assert example, f"{rule_id} has no `Fails:` example"
    path = tmp_path / "fails.yaml"
    path.write_text(example, encoding="utf-8")
    findings = [f for f in lint([path], example_config(rule_table()[rule_id])) if f.rule == rule_id]
    assert findings, f"{rule_id}'s `Fails:` example yields no {rule_id} finding"


@pytest.mark.parametrize("rule_id", sorted(rule_table()))
def test_passing_example_passes(rule_id: str, tmp_path: Path):
    example = rule_table()[rule_id].examples.get("Passes")
    assert example, f"{rule_id} has no `Passes:` example"
    path = tmp_path / "passes.yaml"
    path.write_text(example, encoding="utf-8")
    findings = [f for f in lint([path], example_config(rule_table()[rule_id])) if f.rule == rule_id]
    assert not findings, f"{rule_id}'s `Passes:` example yields:\n" + "\n".join(
        f"    {f.subject}: {f.message}" for f in findings
    )


# --- (c) the contract ---------------------------------------------------------------------


def _paragraph(doc: str, label: str) -> str:
    """The text of the paragraph that starts with `label:`, or ''."""
    for paragraph in re.split(r"\n\s*\n", doc):
        if paragraph.startswith(label + ":"):
            return paragraph[len(label) + 1 :].strip()
    return ""


@pytest.mark.parametrize("rule_id", sorted(rule_table()))
def test_rule_contract(rule_id: str):
    rule = rule_table()[rule_id]
    assert RULE_ID.match(rule.id)
    assert rule.summary and not rule.summary.startswith(("Why:", "Options:")), f"{rule_id}: no summary line"
    assert _paragraph(rule.doc, "Why"), f"{rule_id}: no `Why:` paragraph"
    options = _paragraph(rule.doc, "Options")
    assert options, f"{rule_id}: no `Options:` text (write `Options: none.`)"
    for option in rule.options:
        assert option in options, f"{rule_id}: option {option!r} is not documented under `Options:`"
    assert set(rule.examples) == {"Fails", "Passes"}, f"{rule_id}: needs a `Fails:` and a `Passes:` yaml example"
    assert all(text.strip() for text in rule.examples.values()), f"{rule_id}: an empty example"
    assert KEBAB.match(rule.name), f"{rule_id}: name {rule.name!r} is not kebab-case"
    assert rule.severity in ("error", "warning", "note"), f"{rule_id}: severity {rule.severity!r}"
    folder = FIXTURES / rule_id
    paths = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    failing = [p for p in paths if any(rule == rule_id for rule, _ in expected_findings(p))]
    assert failing, f"{rule_id}: no fixture under fixtures/{rule_id}/ expects a {rule_id} finding"
    assert len(failing) < len(paths), f"{rule_id}: no fixture under fixtures/{rule_id}/ expects none"


def test_rule_ids_and_names_are_unique():
    ids = []
    for ep in entry_points(group=registry.GROUP):
        ids.extend(module.ID for module in getattr(ep.load(), "RULES", ()))
    assert ids, "no rules registered"
    twice = sorted(i for i, n in Counter(ids).items() if n > 1)
    assert not twice, f"rule ids registered more than once: {twice}"
    names = Counter(r.name for r in rule_table().values())
    assert not [n for n, c in names.items() if c > 1], f"rule names used twice: {names}"


# The published catalogue: rule id -> (name, default severity). An id is never renamed
# or reused and users select rules by name, so a rule's line here changes only with a
# release note; a new rule adds its line (CONTRIBUTING.md, "Adding a rule").
CATALOGUE: dict[str, tuple[str, str]] = {
    "FAC001": ("single-cooling", "warning"),
    "MODEL001": ("incomplete-description", "note"),
    "MODEL002": ("unused-acceptance", "note"),
    "MODEL003": ("unused-element", "note"),
    "NET001": ("single-homed-host", "warning"),
    "OBJ001": ("availability-below-objective", "warning"),
    "OBJ002": ("failover-slower-than-objective", "warning"),
    "PWR001": ("single-power-path", "warning"),
    "SPOF001": ("single-point-of-failure", "error"),
    "SPOF002": ("single-copy-of-data", "error"),
    "SPOF003": ("network-articulation-point", "warning"),
    "SPOF004": ("bridge-link", "warning"),
    "SPOF005": ("low-fault-tolerance", "note"),
    "STATE001": ("unprotected-stateful-service", "error"),
    "STATE002": ("quorum-unsafe-cluster", "warning"),
    "STATE003": ("failover-without-fencing", "error"),
    "STATE004": ("failover-without-manager", "error"),
    "STATE005": ("under-replicated-storage", "error"),
    "SVC001": ("single-instance", "error"),
    "SVC002": ("shared-fate", "error"),
    "SVC003": ("missing-load-balancer", "error"),
    "SVC004": ("load-balancer-not-redundant", "error"),
    "SVC005": ("no-spare-capacity", "warning"),
    "SVC006": ("unclassified-service", "warning"),
    "SVC007": ("best-effort-spread", "warning"),
}


def test_rules_match_the_catalogue():
    builtin = {i: (r.name, r.severity) for i, r in rule_table().items() if r.pack == registry.BUILTIN}
    new = sorted(set(builtin) - set(CATALOGUE))
    assert not new, f"{', '.join(new)}: add the line to CATALOGUE here (CONTRIBUTING.md, 'Adding a rule')"
    gone = sorted(set(CATALOGUE) - set(builtin))
    assert not gone, f"{', '.join(gone)}: published rules are never removed or renamed"
    changed = sorted(i for i in CATALOGUE if builtin[i] != CATALOGUE[i])
    assert not changed, f"{', '.join(changed)}: the published name or severity changed"


def test_replicas_on_a_pool_of_one_host_are_certain_to_share_it(tmp_path):
    """No "may": with one host in the pool (plain Compose's `scale`), the replicas are on it."""
    path = tmp_path / "t.yaml"
    path.write_text(
        "version: 1\nhosts:\n  h1: {}\n  h2: {}\nservices:\n  web: {kind: nginx, replicas: 2, pool: [h1]}\n"
    )
    (one,) = [f for f in lint([path]) if f.rule == "SVC002"]
    assert one.message == "both replicas of web run on one host, h1: its failure takes every instance down"
    path.write_text(
        "version: 1\nhosts:\n  h1: {}\n  h2: {}\nservices:\n  web: {kind: nginx, replicas: 2, pool: [h1, h2]}\n"
    )
    (two,) = [f for f in lint([path]) if f.rule == "SVC002"]
    assert "may all land on one host" in two.message


def test_findings_name_an_invented_element_as_such(tmp_path):
    """A host a reader had to assume is never reported as if it were a described machine."""
    path = tmp_path / "t.yaml"
    path.write_text(
        "version: 1\nhosts:\n  node-1: {assumed: a node the manifests imply}\n"
        "services:\n  db: {kind: postgresql, hosts: [node-1]}\n"
    )
    messages = {f.rule: f.message for f in lint([path])}
    assert messages["SPOF001"].startswith("node-1 (a node the manifests imply) is a single point of failure")
    assert messages["SPOF002"].startswith("node-1 (a node the manifests imply) holds the only copy")
    assert "(on node-1, a node the manifests imply)" in messages["SVC001"]
