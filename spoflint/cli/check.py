"""`spoflint check`: lint, and print the findings."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer

from . import (
    INPUT_FORMAT,
    Format,
    InputFormat,
    Level,
    _one_line_errors,
    _progress,
    _text,
    app,
)

if TYPE_CHECKING:
    from ..findings import Finding
    from ..registry import Rule


@app.command()
@_one_line_errors
def check(
    paths: list[str] = typer.Argument(None, help="Topology files or directories (default: the config's paths, else the current directory)."),
    formats: list[Format] = typer.Option([], "--format", "-f", help="Output format (repeat for several; pair each with an --output)."),
    outputs: list[str] = typer.Option([], "--output", "-o", help="Write the matching --format to this file (atomically)."),
    select: list[str] = typer.Option([], "--select", help="Only these rules (ids, names or id prefixes; comma-separated or repeated)."),
    ignore: list[str] = typer.Option([], "--ignore", help="Skip these rules."),
    fail_on: Level | None = typer.Option(None, "--fail-on", help="Lowest severity that makes the exit status 1 (default: error)."),
    config_file: str | None = typer.Option(None, "--config", help="Configuration file (default: .spoflint.yaml or pyproject.toml found upward)."),
    baseline: str | None = typer.Option(None, "--baseline", help="Suppress the findings this baseline file records."),
    write_baseline: str | None = typer.Option(None, "--write-baseline", help="Record the current findings in this baseline file and exit 0."),
    only_topologies: bool = typer.Option(False, "--only-topologies", help="Skip named files that are not native topologies (no `version: 1`) unless the config's `include` names them; `exclude` applies to named files too."),
    input_format: InputFormat | None = INPUT_FORMAT,
    order: int | None = typer.Option(None, "--order", min=0, help="Report minimal cut sets of 2..K elements per service (SPOF005; default: off)."),
    exclude: list[str] = typer.Option([], "--exclude", help="Skip files and folders this glob matches in directories (repeatable; adds to the config's `exclude`)."),
) -> None:  # fmt: skip
    """Lint topology files: report single points of failure and the rest of the catalogue."""
    from .. import config as configuration
    from .. import outputs as out
    from ..engine import Run, enabled_rules, failing, run
    from ..errors import InputError
    from ..reporters import SHOWS_ERRORS

    planned = out.plan([str(f) for f in formats], outputs)
    file = configuration.for_command(config_file)
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
    with _progress() as progress:
        try:
            result = run(paths or list(file.paths) or ["."], config, only_topologies, progress, _text(input_format))
        except InputError as failed:  # nothing could be read: said like a unit's error
            result = Run([], [failed], 0)
        progress("reporting")
    findings = result.findings
    if result.errors:  # the run fails; the other units' findings are shown, and CI's formats carry the errors
        ran = {rule.id: rule for rule in enabled_rules(config)}
        if not write_baseline:
            out.write_reports(planned, findings, ran, result.errors)
            for output in planned:
                if output.path is None and (result.checked or output.format in SHOWS_ERRORS):
                    _print_findings(output.format, findings, ran, result.errors)
        for error in result.errors:
            typer.echo(f"{error}", err=True)
        raise typer.Exit(2)
    if write_baseline:
        recorded = out.write_baseline(write_baseline, findings)
        typer.echo(f"Recorded {recorded} findings in {write_baseline}.", err=True)
        raise typer.Exit(0)
    ran = {rule.id: rule for rule in enabled_rules(config)}
    out.write_reports(planned, findings, ran)
    for output in planned:
        if output.path is None:
            _print_findings(output.format, findings, ran)
    raise typer.Exit(1 if failing(findings, config.fail_on) else 0)


def _print_findings(fmt: str, findings: list[Finding], ran: dict[str, Rule], errors: Sequence = ()) -> None:
    """A report on standard output: on a terminal, text (and concise) in colour."""
    from ..reporters import render

    if fmt in ("text", "concise") and sys.stdout.isatty():
        from rich.console import Console

        from ..reporters.text import render_rich

        # soft_wrap: the lines as when piped; the terminal folds long ones
        Console(highlight=False).print(render_rich(findings, grouped=fmt == "text"), end="", soft_wrap=True)
    else:
        sys.stdout.write(render(fmt, findings, ran, errors))
