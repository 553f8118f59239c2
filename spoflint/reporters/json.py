"""JSON: a versioned, documented object (docs/outputs.md).

Version 1: {"format": "spoflint-findings", "version": 1, "tool": {...},
"findings": [...], "summary": {...}}. Fields are only ever added within a version.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..views.rules import url as rule_url
from . import _ITEMS, indented_json

if TYPE_CHECKING:
    from ..findings import Finding
    from ..registry import Rule

VERSION = 1


def finding_dict(f: Finding, url: str | None = None) -> dict[str, Any]:
    """One finding as the JSON object of `findings`; `url`: its rule's documentation."""
    return {
        "rule": f.rule,
        "name": f.name,
        "url": url,
        "severity": f.severity,
        "message": f.message,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "subject": f.subject,
        "services": list(f.services),
        "impact": list(f.impact),
        "chain": list(f.chain),
        "related": [{"subject": r.subject, "path": r.path, "line": r.line, "column": r.column} for r in f.related],
        "fingerprint": f.fingerprint,
        "suppressed": None if f.suppressed is None else {"kind": f.suppressed_by, "reason": f.suppressed},
        "cause": f.cause,
        "lost_together": [list(group) for group in f.lost_together],
        "fixes": [{"change": x.change, "removes": list(x.removes), "new_element": x.new_element} for x in f.fixes],
    }


def render(findings: Sequence[Finding], rules: Mapping[str, Rule]) -> str:
    """Every finding (accepted and baselined ones marked `suppressed`) and the counts."""
    counts = Counter(f.severity for f in findings if f.suppressed is None)
    document = {
        "format": "spoflint-findings",
        "version": VERSION,
        "tool": {"name": "spoflint", "version": __version__},
        "findings": [_ITEMS],
        "summary": {
            "error": counts["error"],
            "warning": counts["warning"],
            "note": counts["note"],
            "suppressed": sum(1 for f in findings if f.suppressed is not None),
        },
    }
    return indented_json(
        document, [finding_dict(f, rule_url(rules[f.rule]) if f.rule in rules else None) for f in findings]
    )
