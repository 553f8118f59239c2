"""GitHub Actions workflow commands: one `::error` / `::warning` / `::notice`
annotation per finding, shown on the pull request's changed lines. A finding that
follows from another says so (`caused by SPOF001 on ups-a, infra.yaml:17`); a root
names its verified fixes (`; fix: feed pdu-b from ups-b`). GitHub's own escapes (`%25`,
`%0D`, `%0A`; `%3A` and `%2C` too in properties) keep each command on one line, so a
file name with a newline cannot start a command of its own; every other control
character is made visible (`\\x1b`), so no terminal escape reaches the log."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..errors import printable
from . import repository_path

if TYPE_CHECKING:
    from ..errors import InputError
    from ..findings import Finding
    from ..registry import Rule

LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _escape_data(text: str) -> str:
    """A workflow command's data with GitHub's escapes (`%25`, `%0D`, `%0A`: the runner
    reads them back into the annotation), then every other control character made
    visible (`printable`): neither a newline nor a terminal escape from a name or a
    path reaches the log as itself."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def message(f: Finding, by_fingerprint: Mapping[str, Finding]) -> str:
    """The finding's message, with its root cause (`caused by RULE on subject`) and its fixes."""
    text = f.message
    root = by_fingerprint.get(f.cause) if f.cause else None
    if root is not None:
        text += f" (caused by {root.rule} on {root.subject}, {root.path}:{root.line})"
    return text + "".join(f"; fix: {x.change}" for x in f.fixes)


def render(findings: Sequence[Finding], rules: Mapping[str, Rule]) -> str:
    """One annotation line per reported finding (accepted and baselined ones are left out)."""
    by_fingerprint = {f.fingerprint: f for f in findings}
    out = []
    for f in findings:
        if f.suppressed is not None:
            continue
        properties = ",".join(
            (
                f"file={_escape_property(repository_path(f.path))}",
                f"line={f.line}",
                f"col={f.column}",
                f"title={_escape_property(f'{f.rule} {f.name}')}",
            )
        )
        out.append(f"::{LEVEL[f.severity]} {properties}::{_escape_data(message(f, by_fingerprint))}\n")
    return "".join(out)


def error_lines(errors: Sequence[InputError]) -> str:
    """One `::error` annotation per input error, on its file, line and column."""
    return "".join(
        f"::error file={_escape_property(repository_path(e.path))},line={e.line},col={e.column},"
        f"title={_escape_property('spoflint: input error')}::{_escape_data(e.message)}\n"
        for e in errors
    )
