"""Stage 7, reporters: pure functions from findings to text (deterministic: sorted,
relative paths, no timestamps). `render(name, findings, rules)` picks one by name."""

from __future__ import annotations

FORMATS = ("text", "json", "sarif", "github", "junit")


def render(name: str, findings, rules) -> str:
    if name == "json":
        from .json import render as impl
    elif name == "sarif":
        from .sarif import render as impl
    elif name == "github":
        from .github import render as impl
    elif name == "junit":
        from .junit import render as impl
    else:
        from .text import render as impl
    return impl(findings, rules)
