"""Where results go: pairing `check`'s formats with output files, rendering them, and
writing files whole or not at all.

The CLI only prints what this returns for standard output; every file is written here,
atomically (a temporary file beside it, then a rename), all of a run's files or none.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import UsageError
from .findings import Finding
from .load.discover import name_as_text
from .nogc import paused
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
    inputs: Callable[[], Iterable[str]] | None = None,
) -> None:
    """Render and write every output that goes to a file, and the `baseline` file if
    asked (`--write-baseline`), all or none. With input `errors`, only the formats that
    carry them (SARIF, github annotations) are written, and no baseline: the others
    would be half a report."""
    from . import baseline as baselines
    from .reporters import SHOWS_ERRORS, render

    with paused():  # a report is millions of small strings for an estate, none in cycles
        files = [
            (o.path, render(o.format, findings, rules, errors, fail_on))
            for o in planned
            if o.path is not None and (not errors or o.format in SHOWS_ERRORS)
        ]
    if baseline and not errors:
        files.append((baseline, baselines.render(findings, baseline)))
    if files:
        write_files(files, inputs)


def write_baseline(path: str, findings: Sequence[Finding]) -> int:
    """Record the findings in a baseline file; the number of findings recorded."""
    write_reports([], findings, {}, baseline=path)
    return recorded(findings)


def recorded(findings: Sequence[Finding]) -> int:
    """The number of findings a baseline records."""
    return len({(f.rule, f.path, f.subject) for f in findings if f.suppressed is None})


def write_files(files: Sequence[tuple[str, str]], inputs: Callable[[], Iterable[str]] | None = None) -> None:
    """Write every file or none: each to a temporary file beside it, then, once all are
    written, the renames (so one unwritable output leaves the others untouched too).
    A symlink is written through (atomically beside its target); an existing file keeps
    its permissions; a target that is not a regular file (`/dev/null`, `/dev/stdout`, a
    FIFO) is written in place, never replaced. First, `refuse_overlaps`: two outputs to
    one file, or an output over one of `inputs`, is a UsageError before anything is
    written. A failure is a UsageError naming the file; SIGTERM and SIGHUP, like
    SIGINT, leave no temporary file behind."""
    import signal  # here, not at the top: a check that writes no file starts without it

    refuse_overlaps([path for path, _ in files], inputs)
    staged: list[tuple[str, str]] = []
    terminated: int | None = None
    previous = _catch(signal.SIGTERM, getattr(signal, "SIGHUP", None))
    try:
        _write(files, staged)
    except _Terminated as signalled:
        terminated = signalled.signum
    finally:
        for temporary, _ in staged:
            if os.path.exists(temporary):
                os.unlink(temporary)
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
    if terminated is not None:  # the signal again, now that its handler is back: the exit it asked for
        os.kill(os.getpid(), terminated)


def _write(files: Sequence[tuple[str, str]], staged: list[tuple[str, str]]) -> None:
    import tempfile

    in_place: list[tuple[str, str]] = []
    path = ""
    try:
        for path, text in files:
            try:
                info: os.stat_result | None = os.stat(path)
            except FileNotFoundError:
                info = None
            if info is not None and not stat.S_ISREG(info.st_mode):
                in_place.append((path, text))  # a device, a FIFO, /dev/stdout: replacing it would clobber it
                continue
            target = os.path.realpath(path)  # a symlink: its target is written, the link kept
            fd, temporary = tempfile.mkstemp(
                prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=os.path.dirname(target)
            )
            staged.append((temporary, target))
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            _keep_mode(temporary, info)
        for path, text in in_place:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        for temporary, target in staged:
            path = target
            os.replace(temporary, target)
    except OSError as error:
        raise UsageError(f"cannot write {name_as_text(path)}: {error.strerror or error}") from None


def _keep_mode(temporary: str, info: os.stat_result | None) -> None:
    """An existing file's mode (and owner, where allowed) for the file that replaces it;
    for a new one, the mode open() would give (mkstemp makes it private, 0600)."""
    if info is None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        return
    os.chmod(temporary, stat.S_IMODE(info.st_mode))
    if hasattr(os, "chown") and (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.chown(temporary, info.st_uid, info.st_gid)
        except OSError:
            pass  # only root may give a file away: it is then the writer's


class _Terminated(BaseException):
    """SIGTERM or SIGHUP while files are written: unwinds to the clean-up, as Ctrl-C does."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _catch(*signums: int | None) -> dict[int, Any]:
    """Handlers that raise `_Terminated` for these signals; the previous ones, to restore
    (none outside the main thread, where no handler can be set)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return {}

    def handler(signum: int, frame: object) -> None:
        raise _Terminated(signum)

    return {signum: signal.signal(signum, handler) for signum in signums if signum is not None}


def refuse_overlaps(targets: Sequence[str | None], inputs: Callable[[], Iterable[str]] | None = None) -> None:
    """A UsageError unless every output goes to a file of its own that is none of the
    run's `inputs` (called only when an output already exists as a regular file: the
    files a run reads, its config and baseline). Files are compared as the same file
    (hard and symbolic links too); devices and FIFOs may take several outputs."""
    seen: dict[object, str] = {}
    existing = []
    for target in targets:
        if target is None:
            continue
        identity, regular = _identity(target)
        if identity in seen and regular is not False:
            raise UsageError(
                f"two outputs go to one file, {name_as_text(seen[identity])} and {name_as_text(target)}: give each its own"
            )
        seen[identity] = target
        if regular:
            existing.append((identity, target))
    if not existing or inputs is None:
        return
    read = {_identity(path)[0]: path for path in inputs() if path}
    for identity, target in existing:
        if identity in read:
            raise UsageError(
                f"the output {name_as_text(target)} is an input of this run ({name_as_text(read[identity])}): "
                "writing it would destroy it; write the output elsewhere"
            )


def _identity(path: str) -> tuple[object, bool | None]:
    """What tells files apart (device and inode; the resolved path of one not there yet),
    and whether it is a regular file (None: not there yet)."""
    try:
        info = os.stat(path)
    except OSError:
        return os.path.realpath(path), None
    return (info.st_dev, info.st_ino), stat.S_ISREG(info.st_mode)


def inputs_of(
    paths: Sequence[str], exclude: Sequence[str] = (), also: Iterable[str | None] = ()
) -> Callable[[], list[str]]:
    """The files a run reads, found when asked: those under `paths` (as `check` finds
    them; standard input `-` aside), and `also` (its config file, its baseline)."""

    def found() -> list[str]:
        from .errors import InputError
        from .load import discover

        named = [p for p in paths if p != "-"]
        try:
            files = [str(f.path) for f in discover(named, exclude)]
        except InputError:  # the run says what is wrong with them
            files = [p for p in named if os.path.isfile(p)]
        return files + [a for a in also if a]

    return found
