"""`spoflint check`'s options, declared once for the typer app (`fast` reads the same
command line without typer, and a test keeps the two in step); the command is `check.lint`."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import typer

from .application import INPUT_FORMAT, Format, InputFormat, Level, _choices, _one_line_errors, app
from .check import lint

if TYPE_CHECKING:
    Colour: TypeAlias = str
else:
    Colour = _choices("Colour", ("auto", "always", "never"))


@app.command()
@_one_line_errors
def check(
    paths: list[str] = typer.Argument(None, help="Topology files or directories (default: the config's paths, else the current directory)."),
    formats: list[Format] = typer.Option([], "--format", "-f", help="Output format (repeat for several; pair each with an --output)."),
    outputs: list[str] = typer.Option([], "--output", "-o", help="Write the matching --format to this file (atomically)."),
    select: list[str] = typer.Option([], "--select", help="Only these rules (ids, names or id prefixes; comma-separated or repeated)."),
    ignore: list[str] = typer.Option([], "--ignore", help="Skip these rules."),
    fail_on: Level | None = typer.Option(None, "--fail-on", help="Lowest severity that makes the exit status 1 (default: error)."),
    config_file: str | None = typer.Option(None, "--config", help="Configuration file (default: .spoflint.yaml or pyproject.toml found upward, up to the repository's root or home, if you own it)."),
    isolated: bool = typer.Option(False, "--isolated", help="Ignore every configuration file (no settings, no local rules): for a checkout you do not trust."),
    baseline: str | None = typer.Option(None, "--baseline", help="Suppress the findings this baseline file records."),
    write_baseline: str | None = typer.Option(None, "--write-baseline", help="Record the current findings in this baseline file and exit 0."),
    only_topologies: bool = typer.Option(False, "--only-topologies", help="Skip named files that are not native topologies (no `version: 1`) unless the config's `include` names them; `exclude` applies to named files too."),
    input_format: InputFormat | None = INPUT_FORMAT,
    order: int | None = typer.Option(None, "--order", min=0, help="Report minimal cut sets of 2..K elements per service (SPOF005; default: off)."),
    exclude: list[str] = typer.Option([], "--exclude", help="Skip files and folders this glob matches in directories (repeatable; adds to the config's `exclude`)."),
    diff: str | None = typer.Option(None, "--diff", metavar="REV", help="Check the topology at this git revision too; report only the findings new since it, and what the change fixed and added (Markdown: with -f markdown)."),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even with findings (2 still when the input cannot be checked)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the findings: no summary line (text, concise, --statistics)."),
    statistics: bool = typer.Option(False, "--statistics", help="Instead of the report on standard output, a table of the findings counted per rule."),
    color: Colour = typer.Option("auto", "--color", help="Colour text and concise reports: auto (on a terminal, unless NO_COLOR; FORCE_COLOR forces it), always or never."),
    stdin_filename: str | None = typer.Option(None, "--stdin-filename", help="The name reports give the topology read from standard input (path `-`; default: stdin)."),
    show_source: bool = typer.Option(False, "--show-source", help="Show the lines around each finding, a caret under its column (text and concise)."),
    netbox: str | None = typer.Option(None, "--netbox", metavar="URL|FILE", help="Read the racks, power and cabling from this NetBox (token: NETBOX_TOKEN), or from a snapshot `spoflint import netbox` wrote, joined with the files by host; with no PATHS, check it alone."),
) -> None:  # fmt: skip
    """Lint topology files: report single points of failure and the rest of the catalogue."""
    status = lint(
        paths,
        [str(f) for f in formats],
        outputs,
        select,
        ignore,
        None if fail_on is None else str(fail_on),
        config_file,
        isolated,
        baseline,
        write_baseline,
        only_topologies,
        None if input_format is None else str(input_format),
        order,
        exclude,
        diff,
        exit_zero,
        quiet,
        statistics,
        str(color),
        stdin_filename,
        show_source,
        netbox,
    )
    raise typer.Exit(status)
