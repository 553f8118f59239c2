"""Stage 7, reporters: pure functions from findings to text (deterministic: sorted,
relative paths, no timestamps). `render(name, findings, rules)` picks one by name.

Every reporter module has the same `render(findings, rules) -> str`: the findings in
report order and the rules that ran, by id (SARIF and JUnit list every one of them).
Each is imported only when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..findings import Finding
    from ..registry import Rule

    Reporter = Callable[[Sequence[Finding], Mapping[str, Rule]], str]  # each module's `render`

FORMATS = ("text", "json", "sarif", "github", "junit")


def render(name: str, findings: Sequence[Finding], rules: Mapping[str, Rule]) -> str:
    """The findings in the format called `name` (one of FORMATS; anything else: text)."""
    impl: Reporter
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
