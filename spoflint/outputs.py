"""Where results go: pairing `check`'s formats with output files, rendering them, and
writing files whole or not at all.

The CLI only prints what this returns for standard output; every file is written here,
atomically (a temporary file beside it, then a rename), all of a run's files or none.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError
from .findings import Finding
from .registry import Rule


@dataclass(frozen=True)
class Output:
    """One rendering of the findings: a format, and the file it goes to (None: standard output)."""

    format: str
    path: str | None = None


def plan(formats: Sequence[str], paths: Sequence[str]) -> list[Output]:
    """Pair each `--format` with the `--output` at its position (default: one text
    report on standard output); at most one format may go to standard output."""
    if len(paths) > max(len(formats), 1):
        raise UsageError("more --output than --format options: pair each output with a format")
    formats = list(formats) or ["text"]
    planned = [Output(f, p) for f, p in zip(formats, paths)] + [Output(f) for f in formats[len(paths) :]]
    if sum(1 for o in planned if o.path is None) > 1:
        raise UsageError("several formats would go to standard output: give each but one an --output")
    return planned


def write_reports(
    planned: Sequence[Output],
    findings: Sequence[Finding],
    rules: Mapping[str, Rule],
    errors: Sequence = (),
    fail_on: str = "error",
    baseline: str | None = None,
) -> None:
    """Render and write every output that goes to a file, and the `baseline` file if
    asked (`--write-baseline`), all or none. With input `errors`, only the formats that
    carry them (SARIF, github annotations) are written, and no baseline: the others
    would be half a report."""
    from . import baseline as baselines
    from .reporters import SHOWS_ERRORS, render

    files = [
        (o.path, render(o.format, findings, rules, errors, fail_on))
        for o in planned
        if o.path is not None and (not errors or o.format in SHOWS_ERRORS)
    ]
    if baseline and not errors:
        files.append((baseline, baselines.render(findings, baseline)))
    if files:
        write_files(files)


def write_baseline(path: str, findings: Sequence[Finding]) -> int:
    """Record the findings in a baseline file; the number of findings recorded."""
    write_reports([], findings, {}, baseline=path)
    return recorded(findings)


def recorded(findings: Sequence[Finding]) -> int:
    """The number of findings a baseline records."""
    return len({(f.rule, f.path, f.subject) for f in findings if f.suppressed is None})


def write_files(files: Sequence[tuple[str, str]]) -> None:
    """Write every file or none: each to a temporary file beside it, then, once all are
    written, the renames (so one unwritable output leaves the others untouched too).
    A failure is a UsageError naming the file."""
    staged: list[tuple[str, str]] = []
    path = ""
    try:
        for path, text in files:
            target = Path(path)
            directory = target.parent if str(target.parent) else Path(".")
            fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
            staged.append((temporary, path))
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            # mkstemp makes the file private (0600); a report gets the mode open() would give
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        for temporary, path in staged:
            os.replace(temporary, path)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        for temporary, _ in staged:
            if os.path.exists(temporary):
                os.unlink(temporary)
