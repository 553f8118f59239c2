"""Stage 6, engine: run the rules over the analysed model and make findings.

`lint(paths, config)` is the library API behind `spoflint check`: load, model, analyse,
judge, then attach positions, severities, fingerprints and accepted risks. It never
prints; every problem with the input is an InputError.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import load, model, registry
from .analysis import Facts
from .errors import InputError
from .findings import RANK, Finding, Place, fingerprint


@dataclass(frozen=True)
class Config:
    """What a run checks and how strictly. Defaults are the rules' own."""

    select: frozenset = frozenset()  # rule ids; empty: every rule
    ignore: frozenset = frozenset()
    fail_on: str = "error"
    severity: dict = field(default_factory=dict)  # rule id -> severity
    options: dict = field(default_factory=dict)  # rule id -> {option: value}
    zones: bool = False  # zones are failure candidates
    today: datetime.date | None = None  # for acceptances with `until` (default: today)


def read_topology(paths: list[str | Path], only_topologies: bool = False) -> model.Topology | None:
    """Load and merge the topology files named or found under `paths`.

    A file found in a directory is read only if it is a topology (`version: 1`); a
    file named by the user always is, unless `only_topologies` (the per-file
    pre-commit hook passes every changed YAML file). No topology at all is an error,
    except with `only_topologies`, where it means there is nothing to check (None).
    """
    documents = []
    for path, named in load.expand_paths([str(p) for p in paths]):
        try:
            document = load.load_file(path, load.shown_path(path))
        except InputError:
            if (named and not only_topologies) or _claims_version_1(path):
                raise
            continue  # YAML we cannot read that is not a topology (a playbook, a template)
        if (named and not only_topologies) or model.is_topology(document):
            documents.append(document)
    if not documents:
        if only_topologies:
            return None
        shown = ", ".join(str(p) for p in paths) or "."
        raise InputError(shown, 1, 1, "no topology files found (YAML files with `version: 1`)")
    return model.build(documents)


_VERSION_1 = re.compile(rb"^version[ \t]*:[ \t]*1[ \t]*(#[^\n]*)?\r?$", re.M)


def _claims_version_1(path) -> bool:
    """Whether a file that could not be read says `version: 1` at its top level: then it
    is a broken topology, to be reported, not some other tool's YAML, to be skipped."""
    try:
        with open(path, "rb") as handle:
            return _VERSION_1.search(handle.read(load.MAX_BYTES)) is not None
    except OSError:
        return True  # unreadable: say so rather than skip it silently


def enabled_rules(config: Config) -> list[registry.Rule]:
    table = registry.rules()
    chosen = config.select or frozenset(table)
    return [r for i, r in table.items() if i in chosen and i not in config.ignore]


def lint(paths, config: Config | None = None, only_topologies: bool = False) -> list[Finding]:
    config = config or Config()
    topology = read_topology(list(paths), only_topologies)
    return check(topology, config) if topology is not None else []


def check(topology: model.Topology, config: Config) -> list[Finding]:
    facts = Facts(topology, zones=config.zones)
    today = config.today or datetime.date.today()
    findings = []
    for rule in enabled_rules(config):
        options = {**rule.options, **config.options.get(rule.id, {})}
        severity = config.severity.get(rule.id, rule.severity)
        for problem in rule.check(facts, options):
            at = topology.where[problem.subject]
            suppressed, message = _accepted(topology, rule, problem, today)
            findings.append(Finding(
                path=at.path, line=at.line, column=at.column, rule=rule.id, name=rule.name,
                severity=severity, message=message, subject=problem.subject,
                related=tuple(_place(topology, r) for r in problem.related if r in topology.where),
                services=problem.services, impact=problem.impact, chain=problem.chain,
                fingerprint=fingerprint(rule.id, at.path, problem.subject, problem.key),
                suppressed=suppressed))
    return sorted(findings, key=Finding.sort_key)


def _place(topology, eid) -> Place:
    at = topology.where[eid]
    return Place(eid, at.path, at.line, at.column)


def _accepted(topology, rule, problem, today):
    """An `accept` entry on the subject (by rule id or name) suppresses the finding
    until its `until` date; after that the finding is reported again, saying so."""
    for acceptance in topology.accepted.get(problem.subject, ()):
        if acceptance.rule not in (rule.id, rule.name):
            continue
        if acceptance.until and acceptance.until < today.isoformat():
            return None, f"{problem.message} (acceptance expired on {acceptance.until})"
        return acceptance.reason, problem.message
    return None, problem.message


def failing(findings: list[Finding], fail_on: str) -> list[Finding]:
    """Findings at or above the threshold that were not accepted."""
    threshold = RANK[fail_on]
    return [f for f in findings if f.suppressed is None and RANK[f.severity] >= threshold]
