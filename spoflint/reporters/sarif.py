"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

What GitHub's ingestion needs and gets here: `tool.driver.rules` with non-empty short
and full descriptions and help; each result with its ruleId and ruleIndex, a relative
artifact URI against %SRCROOT%, a region with line and column, `partialFingerprints`
that do not depend on line numbers, and the other elements of the chain as related
locations. Accepted risks are results with an in-source suppression, baselined ones with an
external one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .. import __version__

if TYPE_CHECKING:
    from ..findings import Finding
    from ..registry import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {"error": "error", "warning": "warning", "note": "note"}


def _rule(rule: Rule) -> dict[str, Any]:
    """A `reportingDescriptor`: the rule's id, name, descriptions, help and level."""
    paragraphs = rule.doc.split("\n\n", 2)  # the summary (maybe several lines), then why
    why = " ".join(paragraphs[1].split()) if len(paragraphs) > 1 else ""
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": why or rule.summary},
        "help": {"text": rule.doc, "markdown": rule.doc},
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
            "artifactLocation": {"uri": quote(path), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": line, "startColumn": column},
        }
    }
    if index is not None:
        location["id"] = index
    if message:
        location["message"] = {"text": message}
    return location


def render(findings: Sequence[Finding], rules: Mapping[str, Rule]) -> str:
    """One run: the driver with every rule that ran, one result per finding."""
    ids = sorted(rules)  # every rule that ran, so that ruleIndex points into this list
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [_location(f.path, f.line, f.column)],
            "partialFingerprints": {"spoflintFindingId/v1": f.fingerprint},
        }
        if f.related:
            result["relatedLocations"] = [
                _location(r.path, r.line, r.column, r.subject, i) for i, r in enumerate(f.related)
            ]
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
            )
            if v
        }
        result["properties"] = properties
        results.append(result)
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "spoflint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(rules[i]) for i in ids],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
