"""Stage 6, engine: run the rules over the analysed model and make findings.

`lint(paths, config)` is the library API behind `spoflint check`: load, model, analyse,
judge, then attach positions, severities, fingerprints and accepted risks. It never
prints; every problem with the input is an InputError.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable, Iterator, Set
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import baseline, load, model, registry
from ..analysis import Facts
from ..analysis.facts import Verdicts
from ..errors import InputError, quote
from ..findings import RANK, RELATED, Finding, Place, Problem, fingerprint
from ..importers.assemble import read_units
from ..model import DEFAULT_SCOPE
from ..model.acceptances import unknown_rules
from ..nogc import pausing
from . import causes, fixes


@dataclass(frozen=True)
class Config:
    """What a run checks and how strictly. Defaults are the rules' own; see
    spoflint.config for how a config file and the command line fill it in."""

    select: frozenset = frozenset()  # rule ids; empty: every rule
    ignore: frozenset = frozenset()
    fail_on: str = "error"
    severity: dict = field(default_factory=dict)  # rule id -> severity
    options: dict = field(default_factory=dict)  # rule id -> {option: value}
    scope: frozenset = DEFAULT_SCOPE  # sections whose elements may fail
    baseline: str | None = None  # a baseline file whose findings are suppressed
    rule_paths: tuple[str, ...] = ()  # folders of local rule modules
    include: tuple[str, ...] = ()  # globs: foreign files read even beside a native topology
    exclude: tuple[str, ...] = ()  # globs: files and folders a directory check skips
    readers: dict = field(default_factory=dict)  # format -> keyword arguments of its reader (rack_label)
    today: datetime.date | None = None  # for acceptances with `until` (default: today)


def enabled_rules(config: Config) -> list[registry.Rule]:
    table = registry.rules(config.rule_paths)
    chosen = config.select or frozenset(table)
    return [r for i, r in table.items() if i in chosen and i not in config.ignore]


def _quiet(stage: str) -> None:
    """No progress shown."""


def lint(
    paths: Iterable[str | Path],
    config: Config | None = None,
    only_topologies: bool = False,
    progress: Callable[[str], None] = _quiet,
    input_format: str | None = None,
    physical: load.MarkedMap | None = None,
) -> list[Finding]:
    """The findings of every unit under `paths`; the first unit's input error is raised
    (`run` goes on past it). `progress(stage)` is told when reading and analysing start
    (the CLI shows it); `input_format` reads every file as that format (default:
    detected per file); `physical`: a physical layer (NetBox's) joined with each unit by host."""
    result = run(paths, config, only_topologies, progress, input_format, physical)
    if result.errors:
        raise result.errors[0]
    return result.findings


@dataclass(frozen=True)
class Run:
    """What a check found: the findings of the units it could read, and the input error
    of each unit it could not."""

    findings: list[Finding]
    errors: list[InputError]
    checked: int = 0  # units checked


@pausing  # the collector off for the whole run: see below
def run(
    paths: Iterable[str | Path],
    config: Config | None = None,
    only_topologies: bool = False,
    progress: Callable[[str], None] = _quiet,
    input_format: str | None = None,
    physical: load.MarkedMap | None = None,
) -> Run:
    """`spoflint check`: each unit of analysis checked on its own (a broken file fails its
    unit only). The baseline is judged over them all: an entry stale in every unit is
    reported once, by the unit that comes first.

    The cycle collector is off while it runs (`nogc`): what the stages build lives until
    the run ends, none of it in cycles, and a full collection in the middle of a run
    would thaw and walk all of it (3.7 s of a 1M-element check, during the rules, once
    the young collections of the rules' own objects had added up to one)."""
    config = config or Config()
    progress("reading")
    units = read_units(
        list(paths), only_topologies, input_format, config.include, config.exclude, physical, config.readers
    )
    progress("analysing")
    readable = [u for u in units if u.topology is not None]
    findings: list[Finding] = []
    owned = {f for u in readable for f in u.files}
    late: list[InputError] = []  # input errors found once a unit was read
    skipped = 0
    for index, unit in enumerate(readable):
        assert unit.topology is not None
        # with several units, each judges the baseline entries of its own files; the first
        # also those of files no unit read (a deleted file's entries are stale once)
        mine = None if len(readable) == 1 else _judges(set(unit.files), owned if index == 0 else None)
        unknown = unknown_rules(unit.topology.accepted, registry.rules(config.rule_paths))
        if unknown:  # an acceptance naming no rule (a typo'd id): that unit cannot be judged
            late.extend(unknown)
            skipped += 1
            continue
        findings.extend(check(unit.topology, config, mine))
    errors = [u.error for u in units if u.error is not None] + late
    return Run(sorted(_once(findings), key=Finding.sort_key), errors, len(readable) - skipped)


def _once(findings: list[Finding]) -> list[Finding]:
    """Each finding once: a file two units read (a Compose base that a variant file found
    beside it amends) reports its findings in the first unit only."""
    seen: set[str] = set()
    out = []
    for finding in findings:
        if finding.fingerprint not in seen:
            seen.add(finding.fingerprint)
            out.append(finding)
    return out


def _judges(files: Set[str], owned: Set[str] | None) -> Callable[[str], bool]:
    """Whether a unit judges the baseline entries of a file: one of its `files`, or, given
    the files every unit `owned`, one of none of them."""
    return lambda path: path in files or (owned is not None and path not in owned)


@pausing  # as `run` (a library caller may check a Topology of its own)
def check(topology: model.Topology, config: Config, mine: Callable[[str], bool] | None = None) -> list[Finding]:
    """Run the enabled rules, then those that judge the findings themselves (MODEL002):
    they run once the accepted risks have been matched, and see the baseline entries
    that no finding matched; then the baseline applies. `mine`: with several units,
    whether this one judges the baseline entries of a file (as reports show it)."""
    unknown = unknown_rules(topology.accepted, registry.rules(config.rule_paths))
    if unknown:  # an acceptance naming no rule: a typo'd id is an input error
        raise unknown[0]
    verdicts = Verdicts()
    facts = Facts(topology, scope=config.scope, verdicts=verdicts)
    today = (config.today or datetime.date.today()).isoformat()
    rules = enabled_rules(config)
    entries = _baseline_entries(config, rules)
    if mine is not None:
        entries = [e for e in entries if mine(_entry_file(e, config))]
    findings: list[Finding] = []
    used: set[tuple[str, str]] = set()  # (element, rule as written) of acceptances that matched
    outside: set[str] = set()  # findings placed outside the topology (in the baseline): the baseline never covers them
    for rule in sorted(rules, key=lambda r: r.after_findings):
        if rule.after_findings and not verdicts.ready:
            verdicts.unused_acceptances = _unused_acceptances(topology, registry.rules(config.rule_paths), rules, used)
            verdicts.unmatched_baseline = _unmatched(entries, findings, config.baseline)
            verdicts.ready = True
        options = {**rule.options, **config.options.get(rule.id, {})}
        severity = config.severity.get(rule.id, rule.severity)
        # one finding at a time: a judging rule sees the findings it already made (its own
        # acceptance notes match baseline entries as any finding does)
        for problem in _problems(rule, facts, options, topology):
            finding = _finding(topology, rule, severity, problem, today, used)
            findings.append(finding)
            if problem.at is not None and rule.after_findings:  # a stale baseline entry's own line
                outside.add(finding.fingerprint)
    if config.baseline:
        covered, _ = baseline.match([f for f in findings if f.fingerprint not in outside], entries, config.baseline)
        findings = [
            replace(f, suppressed="in the baseline", suppressed_by="baseline")
            if f.fingerprint in covered and f.suppressed is None
            else f
            for f in findings
        ]
    findings = sorted(findings, key=Finding.sort_key)
    findings = causes.link(findings, facts)  # ROOT CAUSES: each derived finding names its root
    findings = fixes.attach(findings, facts, config)  # FIXES: verified fixes on root findings
    return findings


def _entry_file(entry: baseline.Entry, config: Config) -> str:
    """The file a baseline entry is about, as reports show it."""
    assert config.baseline is not None
    return load.shown_path(baseline.base(config.baseline) / entry.path)


def _baseline_entries(config: Config, rules: list[registry.Rule]) -> list[baseline.Entry]:
    """The baseline's entries for the rules that run (those of other rules are not judged)."""
    if not config.baseline:
        return []
    ran = {r.id for r in rules}
    return [e for e in baseline.read(config.baseline) if e.rule in ran]


def _unmatched(entries: list[baseline.Entry], findings: list[Finding], path: str | None):
    """The baseline entries that no finding matches, over the findings as they stand when
    asked."""

    def unmatched() -> list[baseline.Entry]:
        return baseline.match(findings, entries, path)[1] if path else []

    return unmatched


def _problems(rule: registry.Rule, facts: Facts, options: dict, topology: model.Topology) -> Iterator[Problem]:
    """The rule's problems, one at a time. A built-in rule that fails is a bug in
    spoflint; a local rule (the project's own, from `rule-paths`) that fails, or reports
    something that is not an element, is the project's input error, named at the line of
    the rule module."""
    if not rule.local:
        yield from rule.check(facts, options)
        return
    shown = load.shown_path(Path(rule.pack))
    try:
        problems = iter(rule.check(facts, options))
        while True:
            try:
                problem = next(problems)
            except StopIteration:
                return
            subject = getattr(problem, "subject", None)
            if not isinstance(subject, str) or subject not in topology.where:
                raise InputError(
                    shown,
                    1,
                    1,
                    f"rule {rule.id} reported {quote(subject)}, which is not an element "
                    "(yield Problem(element_id, message))",
                )
            yield problem
    except InputError:
        raise
    except (Exception, SystemExit) as error:  # a rule's sys.exit(0) must not pass the check silently
        raise InputError(
            shown, registry.line_in(rule.pack, error), 1, f"rule {rule.id} failed: {type(error).__name__}: {error}"
        ) from None


def _names(acceptance: str, rule) -> bool:
    """Whether an acceptance names this rule: its id (in any case, as on the command
    line) or its name."""
    return acceptance.upper() == rule.id or acceptance == rule.name


def _finding(topology, rule, severity, problem, today: str, used) -> Finding:
    if problem.at is not None:  # a place outside the topology (a baseline entry): nothing there accepts it
        return Finding(
            path=problem.at.path, line=problem.at.line, column=problem.at.column, rule=rule.id, name=rule.name,
            severity=severity, message=problem.message, subject=problem.subject,
            fingerprint=fingerprint(rule.id, problem.at.path, problem.subject, problem.key),
        )  # fmt: skip
    at = topology.where[problem.subject]
    message, suppressed = problem.message, None
    for acceptance in topology.accepted.get(problem.subject, ()):
        if not _names(acceptance.rule, rule):
            continue
        used.add((problem.subject, acceptance.rule))
        if acceptance.until and acceptance.until < today:
            message = f"{message} (the acceptance of this risk expired on {acceptance.until})"
        else:
            suppressed = acceptance.reason
    return Finding(
        path=at.path,
        line=at.line,
        column=at.column,
        rule=rule.id,
        name=rule.name,
        severity=severity,
        message=message,
        subject=problem.subject,
        related=tuple(itertools.islice((_place(topology, r) for r in problem.related if r in topology.where), RELATED)),
        services=problem.services,
        impact=problem.impact,
        chain=problem.chain,
        lost_together=problem.lost_together,
        fingerprint=fingerprint(rule.id, at.path, problem.subject, problem.key),
        suppressed=suppressed,
        suppressed_by="accept" if suppressed is not None else None,
    )


def _place(topology, eid) -> Place:
    at = topology.where[eid]
    return Place(eid, at.path, at.line, at.column)


def _unused_acceptances(topology, table, rules, used) -> list[tuple[str, str, str]]:
    """(element, rule as written, why unused) for acceptances no finding matched, among
    the rules that ran; an acceptance naming no rule at all (`table`: every rule known,
    local ones too) is always listed."""
    out = []
    for eid, acceptances in topology.accepted.items():
        for acceptance in acceptances:
            if not any(_names(acceptance.rule, r) for r in table.values()):
                out.append((eid, acceptance.rule, "names no rule"))
            elif any(_names(acceptance.rule, r) for r in rules) and (eid, acceptance.rule) not in used:
                out.append((eid, acceptance.rule, "matched no finding"))
    return sorted(out)


def failing(findings: list[Finding], fail_on: str) -> list[Finding]:
    """Findings at or above the threshold that were not accepted."""
    threshold = RANK[fail_on]
    return [f for f in findings if f.suppressed is None and RANK[f.severity] >= threshold]
