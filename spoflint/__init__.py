"""spoflint: find single points of failure across every layer of an infrastructure.

The library API is `lint(paths, config) -> list[Finding]`; it never prints. Heavy
modules are imported where they are used, so importing this package is instant.
"""

__version__ = "0.1.0"


def lint(paths, config=None):
    """Check topology files or directories; return the findings, sorted."""
    from .engine import lint as _lint

    return _lint(paths, config)
