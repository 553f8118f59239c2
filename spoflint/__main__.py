"""`spoflint` and `python -m spoflint`. `--version` answers before anything heavy loads."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        from . import __version__

        print(f"spoflint {__version__}")
        return 0
    from .cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
