"""Markdown for a pull-request comment or `$GITHUB_STEP_SUMMARY`: a heading, a one-line
summary and a table of the reported findings (accepted and baselined ones are counted,
not listed). With `check --diff REV`, `render_diff`: what the change did (the summary
sentence of spoflint.engine.diff), the new findings, and the fixed ones folded away.
A finding that follows from another says so (`caused by SPOF001 on ups-a, ...`); a root
names its verified fixes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..errors import printable
from .github import message

if TYPE_CHECKING:
    from ..engine.diff import Diff
    from ..findings import Finding
    from ..registry import Rule

HEADING = "### spoflint"
MARK = {"error": "🔴", "warning": "🟠", "note": "🔵"}


def render(findings: Sequence[Finding], rules: Mapping[str, Rule]) -> str:
    """Every reported finding, as a table under a count of them."""
    shown = [f for f in findings if f.suppressed is None]
    out = [HEADING, "", _count(shown, "finding"), ""]
    out += _table(shown, findings)
    hidden = len(findings) - len(shown)
    if hidden:
        out += [f"{hidden} accepted or baselined finding{'' if hidden == 1 else 's'} not shown.", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def render_diff(diff: Diff, rules: Mapping[str, Rule]) -> str:
    """What the change did: the summary sentence, the new findings, the fixed ones."""
    from ..engine.diff import summary

    sentence = printable(summary(diff))
    new = [f for f in diff.new if f.suppressed is None]
    out = [f"{HEADING}: what this change does", "", sentence[0].upper() + sentence[1:] + ".", ""]
    out += [f"#### {_count(new, 'new finding')}", ""] if new else ["No new findings.", ""]
    out += _table(new, diff.new)
    out += _availability(diff)
    if diff.fixed:
        out += [f"<details><summary>{_count(diff.fixed, 'finding')} fixed</summary>", ""]
        out += _table(diff.fixed, diff.fixed)
        out += ["</details>", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _availability(diff: Diff) -> list[str]:
    """The services whose availability the change moved, largest change first."""
    from ..engine.diff import percents

    if not diff.availability:
        return []
    rows = ["| Service | Availability before | after |", "|---|---|---|"]
    for change in sorted(diff.availability, key=lambda c: (-abs(c.after - c.before), c.service)):
        before, after = percents(change)
        rows.append(f"| {_cell(change.service)} | {before} | {after} |")
    return [*rows, ""]


def _count(findings: Sequence[Finding], noun: str) -> str:
    """ "3 findings: 2 errors, 1 warning"; "No findings." when there are none."""
    if not findings:
        return f"No {noun}s."
    by = Counter(f.severity for f in findings)
    levels = ", ".join(f"{by[s]} {s}{'' if by[s] == 1 else 's'}" for s in ("error", "warning", "note") if by[s])
    return f"{len(findings)} {noun}{'' if len(findings) == 1 else 's'}: {levels}"


def _table(shown: Sequence[Finding], context: Sequence[Finding]) -> list[str]:
    if not shown:
        return []
    by_fingerprint = {f.fingerprint: f for f in context}
    rows = ["| | Rule | Where | Finding |", "|---|---|---|---|"]
    for f in shown:
        where = f"`{printable(f.path)}:{f.line}:{f.column}`".replace("|", "\\|")  # GFM splits cells at | even in code
        rows.append(
            f"| {MARK.get(f.severity, '')} {f.severity} | `{f.rule}` {f.name} | {where} | {_cell(message(f, by_fingerprint))} |"
        )
    return [*rows, ""]


def _cell(text: str) -> str:
    """Text that stays inside one table cell and shows as written: runs of whitespace
    (newlines too) as one space, other control characters made visible (`printable`)."""
    text = printable(" ".join(text.split()))
    for char in ("\\", "|", "*", "_", "`", "<", "[", "]"):
        text = text.replace(char, "\\" + char)
    return text
