"""GitHub Actions workflow commands: one `::error` / `::warning` / `::notice`
annotation per finding, shown on the pull request's changed lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..findings import Finding
    from ..registry import Rule

LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings: Sequence[Finding], rules: Mapping[str, Rule]) -> str:
    """One annotation line per reported finding (accepted and baselined ones are left out)."""
    out = []
    for f in findings:
        if f.suppressed is not None:
            continue
        properties = ",".join(
            (
                f"file={_escape_property(f.path)}",
                f"line={f.line}",
                f"col={f.column}",
                f"title={_escape_property(f'{f.rule} {f.name}')}",
            )
        )
        out.append(f"::{LEVEL[f.severity]} {properties}::{_escape_data(f.message)}\n")
    return "".join(out)
