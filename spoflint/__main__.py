"""`spoflint` and `python -m spoflint`. `--version` answers before anything heavy loads."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """The program (`argv` None: the command line is `sys.argv`, and the process exits
    with the status returned), or a command line run in-process (`argv` given)."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        from . import __version__

        print(f"spoflint {__version__}")
        return 0
    from .cli import run

    code = run(args)
    if argv is None:
        _exiting()
    return code


def _exiting() -> None:
    """The program is about to exit. The interpreter's last full collections would thaw
    what the run froze (spoflint.nogc) and walk all of it, a fifth of a small check's
    CPU time (pre-commit runs one per commit), only to free what the exit frees anyway:
    the collector is switched off for them. Nothing of spoflint's runs after this."""
    import gc

    gc.disable()


if __name__ == "__main__":
    sys.exit(main())
