"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

What GitHub's ingestion needs and gets here: `tool.driver.rules` with non-empty short
and full descriptions and help (and `helpUri`, the rule's section of docs/rules.md, for
the built-in rules); each result with its ruleId and ruleIndex, a relative
artifact URI against %SRCROOT%, a region with line and column, `partialFingerprints`
that do not depend on line numbers, and the other elements of the chain as related
locations. Accepted risks are results with an in-source suppression, baselined ones with an
external one.

A finding that follows from another has the root's location among its related
locations (its message `root cause: RULE on subject`) and the root's fingerprint as
`properties.rootCause`. The verified fixes of a root are in `properties.fixes`, each a
SARIF `fix` object less its `artifactChanges`: the schema requires at least one
artifact edit in a `fix`, and a change to a model is not a text edit, so `result.fixes`
stays empty rather than hold a made-up one.

A run holds every finding up to GitHub's 25,000 results (which it would reject whole
past that); beyond, the findings that follow from others are left out first, then the
least severe, and the run's invocation says how many (the JSON report has them all).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import __version__
from ..findings import RANK
from ..views.rules import url as rule_url
from . import _ITEMS, indented_json, repository_path

if TYPE_CHECKING:
    from ..errors import InputError
    from ..findings import Finding, Fix
    from ..registry import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "note": "note"}
RELATED = 999  # GitHub takes at most 1,000 locations per result: the chain's, and the root cause's
RESULTS = 25_000  # GitHub rejects a run with more results


def _rule(rule: Rule) -> dict[str, Any]:
    """A `reportingDescriptor`: the rule's id, name, descriptions, help and level."""
    paragraphs = rule.doc.split("\n\n", 2)  # the summary (maybe several lines), then why
    why = " ".join(paragraphs[1].split()) if len(paragraphs) > 1 else ""
    page = rule_url(rule)
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": why or rule.summary},
        "help": {"text": rule.doc, "markdown": rule.doc},
        **({"helpUri": page} if page else {}),
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"tags": ["reliability", "single-point-of-failure"]},
    }


def _location(
    path: str, line: int, column: int, message: str | None = None, index: int | None = None
) -> dict[str, Any]:
    """A `location`: the file (relative to %SRCROOT%), line and column; a related
    location also has its id and a message (the element's id)."""
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": quote(repository_path(path)), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": line, "startColumn": column},
        }
    }
    if index is not None:
        location["id"] = index
    if message:
        location["message"] = {"text": message}
    return location


def _fix(fix: Fix) -> dict[str, Any]:
    """A fix as SARIF's `fix` object has it, less `artifactChanges` (which the schema
    requires and a change to the model is not): its description, and what it removes."""
    return {
        "description": {"text": fix.change},
        "properties": {"removes": list(fix.removes), "newElement": fix.new_element},
    }


def _result(f: Finding, rule_index: int, root: Finding | None) -> dict[str, Any]:
    """One finding as a `result`."""
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [_location(f.path, f.line, f.column)],
        "partialFingerprints": {"spoflintFindingId/v1": f.fingerprint},
    }
    related = [_location(r.path, r.line, r.column, r.subject, i) for i, r in enumerate(f.related[:RELATED])]
    if root is not None:
        related.append(
            _location(root.path, root.line, root.column, f"root cause: {root.rule} on {root.subject}", len(related))
        )
    if related:
        result["relatedLocations"] = related
    if f.suppressed is not None:
        kind = "external" if f.suppressed_by == "baseline" else "inSource"
        result["suppressions"] = [{"kind": kind, "status": "accepted", "justification": f.suppressed}]
    properties = {
        k: v
        for k, v in (
            ("subject", f.subject),
            ("services", list(f.services)),
            ("impact", list(f.impact)),
            ("chain", list(f.chain)),
            ("rootCause", f.cause),
            ("lostTogether", [list(group) for group in f.lost_together]),
            ("fixes", [_fix(x) for x in f.fixes]),
        )
        if v
    }
    result["properties"] = properties
    return result


def _within_limit(findings: Sequence[Finding], limit: int | None = None) -> list[Finding]:
    """The findings a run can hold, in report order: past the limit, roots before what
    follows from them, then the most severe first (a run of more is rejected whole)."""
    limit = RESULTS if limit is None else limit
    if len(findings) <= limit:
        return list(findings)
    ranked = sorted(range(len(findings)), key=lambda i: (findings[i].cause is not None, -RANK[findings[i].severity], i))
    keep = set(ranked[:limit])
    return [f for i, f in enumerate(findings) if i in keep]


def render(findings: Sequence[Finding], rules: Mapping[str, Rule]) -> str:
    """One run: the driver with every rule that ran, one result per finding."""
    ids = sorted(rules)  # every rule that ran, so that ruleIndex points into this list
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    by_fingerprint = {f.fingerprint: f for f in findings}
    kept = _within_limit(findings)
    results = (_result(f, index[f.rule], by_fingerprint.get(f.cause) if f.cause else None) for f in kept)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "spoflint",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(rules[i]) for i in ids],
            }
        },
        "columnKind": "unicodeCodePoints",
        # every uri is relative to the repository root; where that is on disk is the
        # consumer's (GitHub: the checkout), never written here
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the root of the repository checked"}}},
        "results": [_ITEMS],
    }
    if len(kept) < len(findings):
        left = len(findings) - len(kept)
        text = (
            f"{left} of {len(findings)} findings are left out: GitHub code scanning takes {RESULTS:,} results a run. "
            "Those that follow from another finding go first, then the least severe; the JSON report has them all."
        )
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [{"level": "warning", "message": {"text": text}}],
            }
        ]
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    }
    return indented_json(document, results)


def render_with_errors(findings: Sequence[Finding], rules: Mapping[str, Rule], errors: Sequence[InputError]) -> str:
    """The run of the units that could be checked, marked unsuccessful, with one error
    notification per input error, located at its file, line and column (GitHub shows
    them on the tool's status; the results are those of the other units)."""
    document = json.loads(render(findings, rules))
    run = document["runs"][0]
    invocation = (run.get("invocations") or [{"toolExecutionNotifications": []}])[0]
    invocation["executionSuccessful"] = False
    invocation["toolExecutionNotifications"] = [
        {
            "level": "error",
            "message": {"text": e.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": quote(repository_path(e.path)), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": e.line, "startColumn": e.column},
                    }
                }
            ],
        }
        for e in errors
    ] + invocation["toolExecutionNotifications"]
    run["invocations"] = [invocation]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
