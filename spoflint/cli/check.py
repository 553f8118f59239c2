"""`spoflint check`: lint, and print the findings (typer-free: `check_command` declares the
options for the app, `fast` reads them for the common command line)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import UsageError, printable
from . import _progress, _text, say

if TYPE_CHECKING:
    from ..errors import InputError
    from ..findings import Finding
    from ..outputs import Output
    from ..registry import Rule


def lint(
    paths: list[str] | None = None,
    formats: Sequence[str] = (),
    outputs: Sequence[str] = (),
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    fail_on: str | None = None,
    config_file: str | None = None,
    isolated: bool = False,
    baseline: str | None = None,
    write_baseline: str | None = None,
    only_topologies: bool = False,
    input_format: str | None = None,
    order: int | None = None,
    exclude: Sequence[str] = (),
    diff: str | None = None,
    exit_zero: bool = False,
    quiet: bool = False,
    statistics: bool = False,
    color: str = "auto",
    stdin_filename: str | None = None,
    show_source: bool = False,
    netbox: str | None = None,
) -> int:
    """`spoflint check` with its options parsed (`check_command` declares them, `fast` reads
    them): the exit status. An input or usage error is its one line and status 2."""
    arguments = dict(locals())
    from ..errors import InputError

    try:
        return _lint(**arguments)
    except InputError as error:
        say(f"{error}")
        return 2


def _lint(
    paths, formats, outputs, select, ignore, fail_on, config_file, isolated, baseline, write_baseline,
    only_topologies, input_format, order, exclude, diff, exit_zero, quiet, statistics, color,
    stdin_filename, show_source, netbox,
) -> int:  # fmt: skip
    from .. import config as configuration
    from .. import outputs as out
    from ..engine import Run, enabled_rules, failing, run
    from ..errors import InputError
    from ..reporters import SHOWS_ERRORS

    planned = out.plan([str(f) for f in formats], outputs)
    file = configuration.for_command(config_file, isolated, say=say)
    level = str(fail_on) if fail_on else None
    config = configuration.for_check(
        file,
        select=select,
        ignore=ignore,
        fail_on=level,
        baseline=baseline,
        order=order,
        recording=bool(write_baseline),
        exclude=exclude,
    )
    _diff_usage(diff, write_baseline, paths)  # an unknown revision fails before the run
    reads = out.inputs_of(paths or list(file.paths) or ["."], config.exclude, (file.path, config.baseline))
    out.refuse_overlaps([*(o.path for o in planned), write_baseline], reads)  # before anything is run or written
    with _progress() as progress, _standard_input(paths, stdin_filename) as (named, stdin):
        try:
            physical = _netbox(file, netbox, progress)
            result = run(
                _reading(named, file, physical), config, only_topologies, progress, _text(input_format), physical
            )
        except InputError as failed:  # nothing could be read: said like a unit's error
            result = Run([], [failed], 0)
        _rename(result.errors)
        progress("reporting")
    findings = result.findings
    display = _Display(_colour(str(color)), quiet, statistics, _sources(findings, stdin) if show_source else None)
    if result.errors:  # the run fails; the other units' findings are shown, and CI's formats carry the errors
        ran = {rule.id: rule for rule in enabled_rules(config)}
        out.write_reports(planned, findings, ran, result.errors)  # and no baseline: it would be half of one
        for output in planned:
            if output.path is None and (result.checked or output.format in SHOWS_ERRORS):
                _print_findings(output.format, findings, ran, result.errors, display=display)
        for error in result.errors:
            say(f"{error}")
        return 2
    if diff:  # only what is new since REV
        reading = (named or list(file.paths) or ["."], only_topologies, _text(input_format))
        new = _report_diff(diff, reading, config, findings, planned, display, quiet)
        return 0 if exit_zero else int(bool(failing(new, config.fail_on)))
    ran = {rule.id: rule for rule in enabled_rules(config)}
    _report(planned, findings, ran, config.fail_on, display, write_baseline, asked=bool(formats))
    return 0 if write_baseline or exit_zero else (1 if failing(findings, config.fail_on) else 0)


def _reading(named: list[str] | None, file, physical) -> list[str]:
    """The paths a check reads: those named, else the config's, else the current
    directory; none with NetBox and nothing named (`check --netbox URL`: NetBox alone)."""
    return named or list(file.paths) or ([] if physical is not None else ["."])


def _netbox(file, url: str | None, progress):
    """The NetBox document of `--netbox URL` or the config's `netbox:`, or None."""
    if url is None and file.netbox is None:
        return None  # the reader is not even imported
    from ..importers.netbox import physical_layer

    return physical_layer(file.netbox, url, progress)


def _report(
    planned: Sequence[Output],
    findings: list[Finding],
    ran: dict[str, Rule],
    fail_on: str,
    display: _Display,
    baseline: str | None,
    asked: bool,
) -> None:
    """The reports of a run that checked every unit: the files (with `--write-baseline`,
    the baseline too, all or none), then standard output's, unless only a baseline was
    asked for (`asked`: a --format was given)."""
    from .. import outputs as out

    out.write_reports(planned, findings, ran, fail_on=fail_on, baseline=baseline)
    for output in planned:
        if output.path is None and (asked or not baseline):
            _print_findings(output.format, findings, ran, fail_on=fail_on, display=display)
    if baseline:
        say(f"Recorded {out.recorded(findings)} findings in {printable(str(baseline))}.")


def _print_findings(
    fmt: str,
    findings: list[Finding],
    ran: dict[str, Rule],
    errors: Sequence = (),
    fail_on: str = "error",
    display: _Display | None = None,
) -> None:
    """A report on standard output: text and concise as `display` asks (colour, quiet,
    the source lines), or `--statistics`' table in place of any format."""
    from ..nogc import paused
    from ..reporters import render
    from ..reporters import text as plain

    display = display or _Display()
    view = plain.View(display.quiet, display.sources)
    if display.statistics:
        sys.stdout.write(plain.statistics(findings, view))
    elif fmt in ("text", "concise") and display.colour:
        from rich.console import Console

        # soft_wrap: the lines as when piped; the terminal folds long ones. The choice
        # is made (_colour): rich must not make it again from the environment
        console = Console(highlight=False, force_terminal=True, no_color=False, color_system="standard")
        console.print(plain.render_rich(findings, grouped=fmt == "text", view=view), end="", soft_wrap=True)
    else:
        with paused():  # a report is many small strings, none in cycles: the collector need not walk them
            if fmt in ("text", "concise"):
                text = plain.render_view(findings, fmt == "text", view)
            else:
                text = render(fmt, findings, ran, errors, fail_on)
        sys.stdout.write(text)


@dataclass(frozen=True)
class _Display:
    """How `check` shows the report on standard output (--color, --quiet, --statistics,
    --show-source: the lines of each file with findings, by its path as reported)."""

    colour: bool = False
    quiet: bool = False
    statistics: bool = False
    sources: dict[str, list[str]] | None = None


def _colour(choice: str) -> bool:
    """--color: always, never, or auto: not when NO_COLOR is set (https://no-color.org),
    else when FORCE_COLOR is (https://force-color.org), else on a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


@contextmanager
def _standard_input(paths: list[str] | None, name: str | None) -> Iterator[tuple[list[str] | None, dict[str, str]]]:
    """Path `-`: standard input, read into a temporary file that reports call `name`
    (default `stdin`). The paths to read, and the text read by the name it is shown as."""
    if not paths or "-" not in paths:
        if name is not None:
            raise UsageError("--stdin-filename names standard input: give `-` as a path too")
        yield paths, {}
        return
    import tempfile

    from ..load.discover import SHOWN_AS

    shown = name or "stdin"
    data = sys.stdin.buffer.read()
    with tempfile.TemporaryDirectory(prefix="spoflint-stdin-") as folder:
        # the name's own file name: importers recognise some files by name (compose.yaml)
        temporary = os.path.join(folder, os.path.basename(name.replace("\\", "/")) if name else "stdin.yaml")
        with open(temporary, "wb") as handle:
            handle.write(data)
        SHOWN_AS[os.path.abspath(temporary)] = shown
        try:
            yield [temporary if p == "-" else p for p in paths], {shown: data.decode("utf-8", "replace")}
        finally:
            del SHOWN_AS[os.path.abspath(temporary)]


def _rename(errors: Sequence[InputError]) -> None:
    """Input errors name standard input as reports do, not by its temporary file."""
    from ..load.discover import SHOWN_AS

    for error in errors:
        for temporary, shown in SHOWN_AS.items():
            error.path = error.path.replace(temporary, shown)


def _sources(findings: Sequence[Finding], stdin: dict[str, str]) -> dict[str, list[str]]:
    """--show-source: the lines of each file a finding is in (unreadable ones: none)."""
    sources: dict[str, list[str]] = {}
    for path in sorted({f.path for f in findings}):
        if path in stdin:
            sources[path] = stdin[path].splitlines()
            continue
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                sources[path] = handle.read().splitlines()
        except OSError:
            continue
    return sources


def _diff_usage(rev: str | None, write_baseline: str | None, paths: list[str] | None) -> None:
    """`--diff REV` as given: a revision git knows, in a git repository, files (not
    standard input) and no baseline to record."""
    if rev is None:
        return
    from ..engine.diff import revision
    from ..errors import UsageError

    if write_baseline:
        raise UsageError("--diff and --write-baseline do not go together: a baseline records every finding")
    if paths and "-" in paths:
        raise UsageError("--diff cannot compare standard input: name the files")
    revision(rev)


def _report_diff(rev, reading, config, findings, planned, display, quiet) -> list[Finding]:
    """`--diff REV`: the findings new since REV in every format (Markdown: with the
    change's summary, the fixed findings folded away), all files or none; the summary
    sentence on standard error unless --quiet. `reading`: (paths, only_topologies,
    input_format) as the working tree was read. Returns the new findings."""
    from ..engine import enabled_rules
    from ..engine.diff import compare, summary
    from ..outputs import write_files
    from ..reporters import render
    from ..reporters.markdown import render_diff

    with _progress() as progress:
        paths, only_topologies, input_format = reading
        changes = compare(rev, paths, config, findings, only_topologies, input_format, progress)
    ran = {rule.id: rule for rule in enabled_rules(config)}
    markdown = render_diff(changes, ran)

    def text(fmt: str) -> str:
        return markdown if fmt == "markdown" else render(fmt, changes.new, ran, (), config.fail_on)

    write_files([(o.path, text(o.format)) for o in planned if o.path is not None])
    for output in planned:
        if output.path is None and output.format == "markdown":
            sys.stdout.write(markdown)
        elif output.path is None:
            _print_findings(output.format, changes.new, ran, fail_on=config.fail_on, display=display)
    if not quiet:
        sentence = summary(changes)
        say(f"spoflint: {printable(sentence)}.")
    return changes.new
