"""The command line: a thin shell over the library. Only this package prints or exits.

Each command parses its options, calls the library and prints what it returns. Exit
status: 0 nothing at or above the threshold, 1 findings at or above it, 2 the input or
the invocation could not be checked (one line naming file, line and column, or
`spoflint: error: ...`).

This module holds `run` and what every command shares (progress, output, messages);
`app` the typer app (its choices, one-line errors, usage errors); the commands are in
`check` (lint; `check_command` declares its options), `analyses` (simulate, cutsets,
availability, graph) and `catalogue` (rules, explain, schema, kinds, import, init).
`spoflint check` as `fast` reads it runs without importing typer (start-up for
pre-commit, docs/performance.md); every other command line goes through the app.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def _progress() -> Iterator[Callable[[str], None]]:
    """A spinner naming the stage, on a terminal only, and only once a run has taken
    over a second: nothing of it in pipes, CI logs or quick runs."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield lambda stage: None
        return
    import threading

    from rich.console import Console
    from rich.status import Status

    stage = ["reading"]
    status: list[Status | None] = [None]
    done = threading.Event()  # set once the run ends: a late timer must not start the spinner then
    lock = threading.Lock()

    def start() -> None:
        with lock:
            if not done.is_set() and status[0] is None:
                spinner = status[0] = Console(stderr=True).status(f"spoflint: {stage[0]}...")
                spinner.start()

    def update(name: str) -> None:
        with lock:
            stage[0] = name
            if status[0] is not None:
                status[0].update(f"spoflint: {name}...")

    timer = threading.Timer(1.0, start)
    timer.daemon = True
    timer.start()
    try:
        yield update
    finally:
        timer.cancel()
        with lock:
            done.set()
            if status[0] is not None:
                status[0].stop()


def _emit(text: str, output: str | None, inputs: list[str] | None = None) -> None:
    """A command's text to its --output file (atomically; never over one of the files
    read from `inputs`), else standard output."""
    from ..outputs import inputs_of, write_files

    if output:
        write_files([(output, text)], inputs_of(inputs or []))
    else:
        sys.stdout.write(text)


def _text(choice: str | None) -> str | None:
    return None if choice is None else str(choice)


def say(text: str) -> None:
    """A line on standard error (what `typer.echo(text, err=True)` writes)."""
    sys.stderr.write(f"{text}\n")
    sys.stderr.flush()


def run(argv: list[str]) -> int:
    """Run a command line in-process and return its exit status: `check` as the fast
    path reads it directly, anything else (help, a usage error, another command)
    through the typer app."""
    from .fast import parse

    options = parse(argv)
    if options is None:
        from .application import run_typer

        return run_typer(argv)
    from ..nogc import paused

    _printable_class_compiled()
    with paused():  # the modules a check imports first, their objects not walked by the collector
        from .. import config, engine, outputs  # noqa: F401
        from .check import lint
    try:
        return lint(**options)
    except KeyboardInterrupt:
        sys.stderr.write("spoflint: interrupted\n")
        return 130


# PyYAML's reader compiles, when yaml is imported, a class of every printable character
# (`yaml.reader.Reader.NON_PRINTABLE`): a third of yaml's import, 4 to 5 ms of every
# check. The same class written as the few characters it leaves out compiles in a
# seventh of that and matches the same characters (tests/cli/test_startup.py checks every
# code point, and that PyYAML still compiles this pattern): it is put in `re`'s cache
# under PyYAML's pattern before yaml is imported. Where `re` keeps no such cache, or yaml
# is imported already, nothing is done.
YAML_NON_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
NON_PRINTABLE = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"


def _printable_class_compiled() -> None:
    import re

    cache = getattr(re, "_cache", None)
    if "yaml" not in sys.modules and isinstance(cache, dict):
        cache.setdefault((str, YAML_NON_PRINTABLE, 0), re.compile(NON_PRINTABLE))


def __getattr__(name: str) -> Any:
    """`spoflint.cli.app`, imported when first asked for (it imports typer)."""
    if name == "app":
        from .application import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
