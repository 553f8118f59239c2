"""Text: one line per finding, `path:line:col: RULE-ID [severity] message`, then a
summary. Accepted risks and baselined findings are not listed, only counted."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

    from ..findings import Finding
    from ..registry import Rule

STYLE = {"error": "bold red", "warning": "yellow", "note": "cyan"}


def lines(findings: Sequence[Finding]) -> Iterator[tuple[str, str | None]]:
    """(text, severity) for each reported finding, then the summary line."""
    shown = [f for f in findings if f.suppressed is None]
    for f in shown:
        yield f"{f.path}:{f.line}:{f.column}: {f.rule} [{f.severity}] {f.message}", f.severity
    yield summary(findings), None


def summary(findings: Sequence[Finding]) -> str:
    """`Found N findings: ...` or `No findings.`, with the accepted and baselined counts."""
    shown = [f for f in findings if f.suppressed is None]
    accepted = sum(1 for f in findings if f.suppressed_by == "accept")
    baselined = len(findings) - len(shown) - accepted
    quiet = [f"{accepted} accepted"] if accepted else []
    quiet += [f"{baselined} in the baseline"] if baselined else []
    tail = f" ({', '.join(quiet)})" if quiet else ""
    if not shown:
        return f"No findings{tail}."
    counts = Counter(f.severity for f in shown)
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "note") if counts[s]]
    noun = "finding" if len(shown) == 1 else "findings"
    return f"Found {len(shown)} {noun}: {', '.join(parts)}{tail}."


def render(findings: Sequence[Finding], rules: Mapping[str, Rule]) -> str:
    """One line per reported finding, then the summary."""
    return "".join(text + "\n" for text, _ in lines(findings))


def render_rich(findings: Sequence[Finding]) -> Text:
    """The same lines as a rich Text, coloured by severity (for terminals)."""
    from rich.text import Text

    out = Text()
    for text, severity in lines(findings):
        if severity is None:
            out.append(text + "\n", style="bold")
            continue
        location, rest = text.split(": ", 1)
        rule, rest = rest.split(" ", 1)
        out.append(location + ": ", style="dim")
        out.append(rule + " ", style="bold")
        level, message = rest.split(" ", 1)
        out.append(level + " ", style=STYLE[severity])
        out.append(message + "\n")
    return out
