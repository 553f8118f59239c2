"""spoflint: find single points of failure across every layer of an infrastructure.

The library API is `lint(paths, config) -> list[Finding]`; it never prints. Heavy
modules are imported where they are used, so importing this package is instant.
The pipeline, stage by stage, is mapped in CONTRIBUTING.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine import Config
    from .findings import Finding

__version__ = "0.1.0"


def lint(paths: Iterable[str | Path], config: Config | None = None) -> list[Finding]:
    """Check topology files or directories; return the findings, sorted."""
    from .engine import lint as _lint

    return _lint(paths, config)
