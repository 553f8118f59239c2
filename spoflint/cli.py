"""The command line: a thin shell over the library. Only this module prints or exits.

Exit status: 0 nothing at or above the threshold, 1 findings at or above it, 2 the
input or the invocation could not be checked (one line naming file, line and column).
"""
from __future__ import annotations

import os
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__
from .errors import InputError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Find single points of failure across every layer of an infrastructure description.",
)


class Format(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"


class SimulateFormat(str, Enum):
    text = "text"
    json = "json"


class Level(str, Enum):
    error = "error"
    warning = "warning"
    note = "note"


def _version(value: bool):
    if value:
        typer.echo(f"spoflint {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")):
    """spoflint: single points of failure, found before they fail."""


def _fail(message: str) -> typer.Exit:
    typer.echo(f"spoflint: error: {message}", err=True)
    return typer.Exit(2)


def _input_error(error: InputError) -> typer.Exit:
    typer.echo(f"{error}", err=True)
    return typer.Exit(2)


def _rule_list(values: List[str]) -> frozenset:
    from .registry import resolve

    names = [v.strip() for value in values for v in value.split(",") if v.strip()]
    try:
        return frozenset(resolve(names))
    except KeyError as error:
        raise _fail(f"unknown rule {error.args[0]!r} (see `spoflint rules`)") from None


def write_atomically(path: str, text: str) -> None:
    """Write a whole file or nothing: a temporary file beside it, then a rename."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        # mkstemp makes the file private (0600); a report gets the mode open() would give
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise


@app.command()
def check(
    paths: List[str] = typer.Argument(None, help="Topology files or directories (default: the current directory)."),
    format: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write the report to this file (atomically)."),
    select: List[str] = typer.Option([], "--select", help="Only these rules (ids, names or id prefixes; comma-separated or repeated)."),
    ignore: List[str] = typer.Option([], "--ignore", help="Skip these rules."),
    fail_on: Level = typer.Option(Level.error, "--fail-on", help="Lowest severity that makes the exit status 1."),
    only_topologies: bool = typer.Option(
        False, "--only-topologies",
        help="Skip named files that are not topologies (no `version: 1`), as in directories."),
):
    """Lint topology files: report single points of failure and the rest of the catalogue."""
    from .engine import Config, enabled_rules, failing, lint
    from .reporters import render

    config = Config(select=_rule_list(select), ignore=_rule_list(ignore), fail_on=fail_on.value)
    try:
        findings = lint(paths or ["."], config, only_topologies)
    except InputError as error:
        raise _input_error(error) from None
    ran = {rule.id: rule for rule in enabled_rules(config)}
    if output:
        try:
            write_atomically(output, render(format.value, findings, ran))
        except OSError as error:
            raise _fail(f"cannot write {output}: {error.strerror or error}") from None
    elif format is Format.text and sys.stdout.isatty():
        from rich.console import Console

        from .reporters.text import render_rich

        # soft_wrap: one line per finding, as when piped; the terminal folds long ones
        Console(highlight=False).print(render_rich(findings), end="", soft_wrap=True)
    else:
        sys.stdout.write(render(format.value, findings, ran))
    raise typer.Exit(1 if failing(findings, config.fail_on) else 0)


@app.command("rules")
def list_rules():
    """List every rule: id, name, default severity and summary."""
    from .registry import rules

    table = rules()
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        view = Table(show_lines=False)
        for column in ("id", "name", "severity", "summary"):
            view.add_column(column)
        for rule in table.values():
            view.add_row(rule.id, rule.name, rule.severity, rule.summary)
        Console().print(view)
        return
    for rule in table.values():
        typer.echo(f"{rule.id}\t{rule.name}\t{rule.severity}\t{rule.summary}")


@app.command()
def explain(rule: str = typer.Argument(..., help="A rule id or name.")):
    """Show a rule's full documentation, with its failing and passing example."""
    from .registry import resolve, rules

    try:
        matches = resolve([rule])
    except KeyError:
        matches = set()
    if len(matches) > 1:
        raise _fail(f"{rule!r} names several rules: {', '.join(sorted(matches))}")
    if not matches:
        raise _fail(f"unknown rule {rule!r} (see `spoflint rules`)")
    found = rules()[matches.pop()]
    typer.echo(f"{found.id} {found.name} [{found.severity}]\n\n{found.doc}")


@app.command()
def schema():
    """Print the topology JSON Schema (for editors and YAML language servers)."""
    import json

    from .model import schema as load_schema

    typer.echo(json.dumps(load_schema(), indent=2))


@app.command()
def simulate(
    paths: List[str] = typer.Argument(..., help="Topology files or directories."),
    fail: List[str] = typer.Option(..., "--fail", help="An element that fails (repeat for several)."),
    format: SimulateFormat = typer.Option(SimulateFormat.text, "--format", "-f", help="Output format."),
):
    """What if these elements fail: which services go down, which lose data, and why."""
    from .engine import read_topology
    from .simulation import SimulationError, simulate as run

    try:
        topology = read_topology(paths)
        result = run(topology, fail)
    except InputError as error:
        raise _input_error(error) from None
    except SimulationError as error:
        raise _fail(str(error)) from None
    if format is SimulateFormat.json:
        from .simulation import to_json

        sys.stdout.write(to_json(result))
    else:
        from .simulation import to_text

        sys.stdout.write(to_text(result))


def run(argv: list[str]) -> int:
    """Run the app in-process and return its exit status."""
    try:
        app(argv, prog_name="spoflint", standalone_mode=True)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    return 0
