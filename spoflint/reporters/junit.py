"""JUnit XML, for CI systems that show test reports: one test suite per rule that ran,
one test case per finding (a failure of the finding's severity when it is at or above
`--fail-on`, so that the report fails exactly when the run does; a passing case with the
message as `system-out` below it; skipped when accepted or in the baseline), and a
passing case for a rule with no finding. Nothing is nested:
a finding that follows from another says `caused by RULE on subject` in its message."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr as _quoteattr

from ..errors import printable
from . import repository_path

if TYPE_CHECKING:
    from ..findings import Finding
    from ..registry import Rule

# characters XML 1.0 cannot hold at all, even escaped (a reason may be written "\x07")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape(text: str) -> str:
    """Element text on one line: control characters made visible (`printable`), what
    XML cannot hold even then (U+FFFE, U+FFFF) replaced by U+FFFD."""
    return _escape(_NOT_XML.sub("\ufffd", printable(text)))


def quoteattr(text: str) -> str:
    """A quoted attribute value, escaped as `escape` does."""
    return _quoteattr(_NOT_XML.sub("\ufffd", printable(text)))


def message(f: Finding, by_fingerprint: Mapping[str, Finding]) -> str:
    """The finding's message and, for one that follows from another, `(caused by RULE on
    subject)`: JUnit has no way to nest one test case in another."""
    root = by_fingerprint.get(f.cause) if f.cause else None
    return f"{f.message} (caused by {root.rule} on {root.subject})" if root is not None else f.message


def render(findings: Sequence[Finding], rules: Mapping[str, Rule], fail_on: str = "error") -> str:
    """One test suite per rule that ran (and per rule of a finding), one test case per
    finding; failures are the unsuppressed findings at or above `fail_on`."""
    from ..findings import RANK

    by_fingerprint = {f.fingerprint: f for f in findings}
    by_rule: dict[str, list[Finding]] = {rule_id: [] for rule_id in sorted(rules)}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)

    def fails(f: Finding) -> bool:
        return f.suppressed is None and RANK[f.severity] >= RANK[fail_on]

    failures = sum(1 for f in findings if fails(f))
    skipped = sum(1 for f in findings if f.suppressed is not None)
    tests = sum(max(len(v), 1) for v in by_rule.values())
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<testsuites name="spoflint" tests="{tests}" failures="{failures}" skipped="{skipped}">\n',
    ]
    for rule_id, items in by_rule.items():
        name = rules[rule_id].name if rule_id in rules else rule_id
        bad = sum(1 for f in items if fails(f))
        passed_over = sum(1 for f in items if f.suppressed is not None)
        out.append(
            f'  <testsuite name={quoteattr(f"{rule_id} {name}")} tests="{max(len(items), 1)}" '
            f'failures="{bad}" skipped="{passed_over}">\n'
        )
        if not items:
            out.append(f'    <testcase classname={quoteattr(rule_id)} name="no findings"/>\n')
        for f in items:
            case = f"{f.path}:{f.line}:{f.column} {f.subject}"
            out.append(
                f"    <testcase classname={quoteattr(rule_id)} name={quoteattr(case)} file={quoteattr(repository_path(f.path))} "
                f'line="{f.line}">\n'
            )
            if f.suppressed is not None:
                why = "in the baseline" if f.suppressed_by == "baseline" else f"accepted: {f.suppressed}"
                out.append(f"      <skipped message={quoteattr(why)}/>\n")
            elif not fails(f):  # below --fail-on: reported, but the run does not fail on it
                said = message(f, by_fingerprint)
                out.append(
                    f"      <system-out>{escape(f'{f.path}:{f.line}:{f.column}: {f.rule} [{f.severity}] {said}')}</system-out>\n"
                )
            else:
                said = message(f, by_fingerprint)
                out.append(
                    f"      <failure type={quoteattr(f.severity)} message={quoteattr(said)}>"
                    f"{escape(f'{f.path}:{f.line}:{f.column}: {f.rule} [{f.severity}] {said}')}"
                    "</failure>\n"
                )
            out.append("    </testcase>\n")
        out.append("  </testsuite>\n")
    out.append("</testsuites>\n")
    return "".join(out)
