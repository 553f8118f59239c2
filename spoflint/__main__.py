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
    if argv is None:
        _huge_pages()
        from .nogc import leave_to_exit

        leave_to_exit()
    from .cli import run

    code = run(args)
    if argv is None:
        _exiting(code)
    return code


def _huge_pages() -> None:
    """The program's object arenas on transparent huge pages once it needs more than a
    small check's (`spoflint/_arenas.c`): a large check reads millions of small objects
    in no order the caches follow, and on 4 KiB pages each first touch is a page fault.
    Only the program's own process: a library caller's allocator is its own. Without the
    part in C (installed without a compiler), nothing changes but the speed."""
    try:
        from . import _arenas
    except ImportError:
        return
    _arenas.install()


def _exiting(code: int) -> None:
    """The program is about to exit. The interpreter's last full collections would thaw
    what the run froze (spoflint.nogc) and walk all of it, a fifth of a small check's
    CPU time (pre-commit runs one per commit), only to free what the exit frees anyway:
    the collector is switched off for them. Then the process ends at once (`os._exit`),
    leaving the last check's objects (`left_to_exit`) to the kernel rather than freeing
    them one by one, once what the interpreter's own exit would do is done: the exit
    handlers run (a plugin's, logging's) and the standard streams flushed. Every file
    spoflint writes is closed by then. Where another thread still runs (the interpreter
    would wait for it) or a stream cannot be flushed (a pipe closed early), the
    interpreter's own exit takes over, as before. Nothing of spoflint's runs after this."""
    import atexit
    import gc
    import os

    gc.disable()
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
