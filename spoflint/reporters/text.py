"""Text, for people: one story per root cause, then a summary.

A story is a root finding in the usual `path:line:col: RULE [severity] message` form,
the verified fixes under it (`fix: feed pdu-b from ups-b; removes 28 findings`), then
what follows from it, indented: each
finding in full when its rule has one or two there, else folded into one line
(`also: PWR001 ×12 on ctl-1, ctl-2, ctl-3 and 9 more`). Stories come errors first (the
most severe finding of each), then by place. Accepted risks and baselined findings are
not listed, only counted; a root that is still heads the findings that follow from it
and are reported, named and with the reason it does not count
(`infra.yaml:3:3: SPOF001 [accepted] on feed-a: one feed in the lab`).

`concise` is the one line per finding sorted by place that editors and problem
matchers read.

`View` holds what `check`'s options change in both: `quiet` (no summary line),
`sources` (the lines around each finding, a caret under its column: `--show-source`).
`statistics` is `--statistics`' table of counts per rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import printable
from ..findings import RANK

if TYPE_CHECKING:
    from rich.text import Text

    from ..findings import Finding, Fix
    from ..registry import Rule

STYLE = {"error": "bold red", "warning": "yellow", "note": "cyan", "accepted": "dim", "baselined": "dim"}
CONTEXT = 1  # lines shown before and after a finding's own with --show-source
FULL = 2  # findings of one rule shown in full under a root; more are folded into one line
NAMED = 4  # subjects a folded line names (the first three of more)


@dataclass
class Story:
    """A root finding and the findings whose cause it is, in report order."""

    root: Finding
    derived: list[Finding] = field(default_factory=list)

    @property
    def shown(self) -> list[Finding]:
        return [f for f in (self.root, *self.derived) if f.suppressed is None]

    def order(self) -> tuple:
        return (-max(RANK[f.severity] for f in self.shown), self.root.sort_key())


def stories(findings: Sequence[Finding]) -> list[Story]:
    """The stories with something to report: each root (a finding with no cause, or
    whose cause is not among these findings) and what follows from it."""
    by_fingerprint = {f.fingerprint: f for f in findings}
    told: dict[str, Story] = {}
    for f in sorted(findings, key=lambda f: f.sort_key()):
        root = f.cause if f.cause in by_fingerprint else None
        if root is None:
            told.setdefault(f.fingerprint, Story(f))
        else:
            told.setdefault(root, Story(by_fingerprint[root])).derived.append(f)
    return sorted((s for s in told.values() if s.shown), key=Story.order)


# --- the items a report is made of ---------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A finding in the usual form; `label` is its severity, or why it is not counted."""

    finding: Finding
    label: str
    indent: str = ""

    def __str__(self) -> str:
        f = self.finding
        return f"{self.indent}{self.place}: {f.rule} [{self.label}] {self.text}"

    @property
    def place(self) -> str:
        """`path:line:col`, the path escaped (see `printable`)."""
        f = self.finding
        return f"{printable(f.path)}:{f.line}:{f.column}"

    @property
    def text(self) -> str:
        """The message; for a root that is not counted, which element and why instead
        (escaped: a reason or a name from the input cannot break the line)."""
        f = self.finding
        return printable(f.message if f.suppressed is None else f"on {f.subject}: {f.suppressed}")


@dataclass(frozen=True)
class FixLine:
    fix: Fix

    def __str__(self) -> str:
        return f"  fix: {self.change}; {self.verified}"

    @property
    def change(self) -> str:
        return printable(self.fix.change)

    @property
    def verified(self) -> str:
        """What the analysis confirmed the fix removes, and whether it needs a new element."""
        n = len(self.fix.removes)
        new = ", with a new element" if self.fix.new_element else ""
        return f"removes {n} finding{'s' if n != 1 else ''}{new}"


@dataclass(frozen=True)
class Also:
    """Several findings of one rule under a root, folded."""

    rule: str
    severity: str
    subjects: tuple[str, ...]

    def __str__(self) -> str:
        names = self.subjects if len(self.subjects) <= NAMED else self.subjects[: NAMED - 1]
        more = f" and {len(self.subjects) - len(names)} more" if len(names) < len(self.subjects) else ""
        return printable(f"  also: {self.rule} ×{len(self.subjects)} on {', '.join(names)}{more}")


@dataclass(frozen=True)
class Source:
    """The lines around a finding (`--show-source`): numbered, a caret under its column."""

    line: int  # the finding's line
    column: int
    lines: tuple[tuple[int, str], ...]  # (number, text) around it
    indent: str = ""

    def rows(self) -> Iterator[tuple[str, str, bool]]:
        """(gutter, text, is the caret row) for each row shown: the text escaped (a tab
        or an escape in the file shows as `\\t`, `\\x1b`), the caret under the column."""
        width = len(str(self.lines[-1][0]))
        for number, text in self.lines:
            yield f"{self.indent}{number:>{width}} |{' ' if text else ''}", printable(text), False
            if number == self.line:
                before = len(printable(text[: self.column - 1])) + max(0, self.column - 1 - len(text))
                yield f"{self.indent}{'':>{width}} | ", " " * before + "^", True

    def __str__(self) -> str:
        return "\n".join(f"{gutter}{text}" for gutter, text, _ in self.rows())


@dataclass(frozen=True)
class View:
    """What `check`'s options change in a text report: `quiet` leaves out the summary;
    `sources` (path -> the file's lines) shows the lines around each finding."""

    quiet: bool = False
    sources: Mapping[str, Sequence[str]] | None = None


Item = Line | FixLine | Also | Source | str  # a str: the summary


def items(findings: Sequence[Finding], view: View = View()) -> Iterator[Item]:
    """The grouped report: each story, then the summary."""
    told = stories(findings)
    for story in told:
        root = story.root
        yield from _with_source(Line(root, root.severity if root.suppressed is None else _quiet(root)), view)
        for fix in root.fixes:
            yield FixLine(fix)
        for item in _derived([f for f in story.derived if f.suppressed is None]):
            yield from _with_source(item, view) if isinstance(item, Line) else (item,)
    if not view.quiet:
        yield summary(findings, len(told))


def _with_source(line: Line, view: View) -> Iterator[Item]:
    """The line, then (with sources) the lines of its file around it."""
    yield line
    f = line.finding
    text = (view.sources or {}).get(f.path)
    if text is not None and 1 <= f.line <= len(text):
        first, last = max(1, f.line - CONTEXT), min(len(text), f.line + CONTEXT)
        numbered = tuple((n, text[n - 1].rstrip()) for n in range(first, last + 1))
        yield Source(f.line, max(1, f.column), numbered, line.indent + "  ")


def _quiet(f: Finding) -> str:
    return "baselined" if f.suppressed_by == "baseline" else "accepted"


def _derived(findings: list[Finding]) -> Iterator[Item]:
    """What follows from a root, most severe rules first: in full, or folded."""
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    for rule, group in sorted(by_rule.items(), key=lambda rg: (-RANK[rg[1][0].severity], rg[1][0].sort_key())):
        if len(group) <= FULL:
            yield from (Line(f, f.severity, "  ") for f in group)
        else:
            yield Also(rule, group[0].severity, tuple(f.subject for f in group))


def concise(findings: Sequence[Finding], view: View = View()) -> Iterator[Item]:
    """One line per reported finding, by place, then the summary."""
    for f in findings:
        if f.suppressed is None:
            yield from _with_source(Line(f, f.severity), view)
    if not view.quiet:
        yield summary(findings)


def statistics(findings: Sequence[Finding], view: View = View()) -> str:
    """`--statistics`: one row per rule with reported findings, most first: the count,
    the rule id, its severity and name, in aligned columns; then the summary."""
    counts = Counter((f.rule, f.severity, f.name) for f in findings if f.suppressed is None)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    table = [(str(n), rule, f"[{severity}]", name) for (rule, severity, name), n in rows]
    widths = [max((len(row[i]) for row in table), default=0) for i in range(3)]
    out = [f"{n:>{widths[0]}}  {rule:<{widths[1]}}  {sev:<{widths[2]}}  {name}\n" for n, rule, sev, name in table]
    return "".join(out) + ("" if view.quiet else summary(findings) + "\n")


def summary(findings: Sequence[Finding], roots: int | None = None) -> str:
    """`Found N findings: ...` (or, with the root causes counted, `3 root causes, 30
    findings: ...`) or `No findings.`, with the accepted and baselined counts."""
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
    if roots is None:
        return f"Found {len(shown)} {noun}: {', '.join(parts)}{tail}."
    causes = "root cause" if roots == 1 else "root causes"
    return f"{roots} {causes}, {len(shown)} {noun}: {', '.join(parts)}{tail}."


# --- rendering -------------------------------------------------------------------------


def render(findings: Sequence[Finding], rules: Mapping[str, Rule]) -> str:
    """The stories, then the summary."""
    return "".join(f"{item}\n" for item in items(findings))


def render_concise(findings: Sequence[Finding], rules: Mapping[str, Rule]) -> str:
    """One line per reported finding, then the summary."""
    return "".join(f"{item}\n" for item in concise(findings))


def render_view(findings: Sequence[Finding], grouped: bool, view: View) -> str:
    """text (grouped) or concise, as `check`'s options ask."""
    return "".join(f"{item}\n" for item in (items(findings, view) if grouped else concise(findings, view)))


def render_rich(findings: Sequence[Finding], grouped: bool = True, view: View = View()) -> Text:
    """The same lines as a rich Text, coloured by severity (for terminals)."""
    from rich.text import Text

    out = Text()
    for item in items(findings, view) if grouped else concise(findings, view):
        if isinstance(item, Source):
            for gutter, text, caret in item.rows():
                out.append(gutter, style="dim")
                out.append(f"{text}\n", style="bold red" if caret else "")
        elif isinstance(item, Line):
            f = item.finding
            out.append(f"{item.indent}{item.place}: ", style="dim")
            out.append(f"{f.rule} ", style="bold")
            out.append(f"[{item.label}] ", style=STYLE[item.label])
            out.append(f"{item.text}\n", style="dim" if f.suppressed is not None else "")
        elif isinstance(item, FixLine):
            out.append("  fix: ", style="bold green")
            out.append(f"{item.change}; ")
            out.append(f"{item.verified}\n", style="dim")
        elif isinstance(item, Also):
            out.append("  also: ", style="dim")
            out.append(f"{item.rule} ", style=f"bold {STYLE[item.severity]}")
            out.append(str(item)[len(f"  also: {item.rule} ") :] + "\n")
        else:
            out.append(f"{printable(item)}\n", style="bold")
    return out
