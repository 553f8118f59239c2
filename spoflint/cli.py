"""The command line: a thin shell over the library. Only this module prints or exits.

Each command parses its options, calls the library and prints what it returns. Exit
status: 0 nothing at or above the threshold, 1 findings at or above it, 2 the input or
the invocation could not be checked (one line naming file, line and column, or
`spoflint: error: ...`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import typer

from . import __version__
from .errors import InputError
from .findings import SEVERITIES
from .importers import FORMATS as IMPORT_FORMATS
from .reporters import FORMATS as REPORT_FORMATS
from .views import FORMATS as VIEW_FORMATS
from .views import PICTURE_FORMATS as GRAPH_FORMATS
from .views import RULE_LIST_FORMATS

if TYPE_CHECKING:
    from .findings import Finding
    from .model import Topology
    from .registry import Rule

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Find single points of failure across every layer of an infrastructure description.",
)


class _Choice(str, Enum):
    """An option's choices, made from the library's own tuple of names."""

    def __str__(self) -> str:
        return str(self.value)


def _choices(name: str, values: tuple[str, ...]) -> Any:
    return _Choice(name, {v.replace("-", "_"): v for v in values})  # type: ignore[call-overload]  # functional API


if TYPE_CHECKING:  # to mypy a choice is the string it stands for (the enums subclass str)
    Format: TypeAlias = str
    InputFormat: TypeAlias = str
    ImportFormat: TypeAlias = str
    ViewFormat: TypeAlias = str
    GraphFormat: TypeAlias = str
    RuleListFormat: TypeAlias = str
    Level: TypeAlias = str
else:
    Format = _choices("Format", REPORT_FORMATS)
    InputFormat = _choices("InputFormat", ("native", *IMPORT_FORMATS))
    ImportFormat = _choices("ImportFormat", IMPORT_FORMATS)
    ViewFormat = _choices("ViewFormat", VIEW_FORMATS)
    GraphFormat = _choices("GraphFormat", GRAPH_FORMATS)
    RuleListFormat = _choices("RuleListFormat", RULE_LIST_FORMATS)
    Level = _choices("Level", SEVERITIES)

# The input options of every command that reads topologies.
PATHS = typer.Argument(..., help="Topology files or directories.")
INPUT_FORMAT = typer.Option(None, "--input-format", help="Read every file as this format (default: detected per file).")

F = TypeVar("F", bound=Callable[..., Any])


def _one_line_errors(command: F) -> F:
    """Input and usage errors end the command with their one line and status 2."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except InputError as error:
            typer.echo(f"{error}", err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]  # same signature: typer reads it through @wraps


def _version(value: bool) -> None:
    if value:
        typer.echo(f"spoflint {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """spoflint: single points of failure, found before they fail."""


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
    from . import config as configuration
    from . import outputs as out
    from .engine import enabled_rules, failing, run

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
        result = run(paths or list(file.paths) or ["."], config, only_topologies, progress, _text(input_format))
        progress("reporting")
    findings = result.findings
    if result.errors:  # a unit that cannot be read fails the run: the others' findings are shown, no file written
        ran = {rule.id: rule for rule in enabled_rules(config)}
        for output in planned:
            if output.path is None and result.checked and not write_baseline:
                _print_findings(output.format, findings, ran)
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


def _print_findings(fmt: str, findings: list[Finding], ran: dict[str, Rule]) -> None:
    """A report on standard output: on a terminal, text in colour, one line per finding."""
    from .reporters import render

    if fmt == "text" and sys.stdout.isatty():
        from rich.console import Console

        from .reporters.text import render_rich

        # soft_wrap: one line per finding, as when piped; the terminal folds long ones
        Console(highlight=False).print(render_rich(findings), end="", soft_wrap=True)
    else:
        sys.stdout.write(render(fmt, findings, ran))


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


def _project_rule_paths() -> tuple[str, ...]:
    """The local rule folders of the config file found upward (its `rule-paths`), so
    that `rules` and `explain` know the project's own rules as `check` does."""
    from . import config as configuration

    return configuration.for_command(None).rule_paths


@app.command("rules")
@_one_line_errors
def list_rules(
    format: RuleListFormat = typer.Option("table", "--format", "-f", help="table (tab-separated when piped) or markdown (docs/rules.md)."),
) -> None:  # fmt: skip
    """List every rule: id, name, default severity and summary."""
    from .registry import rules

    table = rules(_project_rule_paths())
    if str(format) == "markdown":
        from .views.rules import markdown

        sys.stdout.write(markdown(table))
    elif sys.stdout.isatty():
        from rich.console import Console
        from rich.table import Table

        view = Table(show_lines=False)
        for column in ("id", "name", "severity", "summary"):
            view.add_column(column)
        for rule in table.values():
            view.add_row(rule.id, rule.name, rule.severity, rule.summary)
        Console().print(view)
    else:
        for rule in table.values():
            typer.echo(f"{rule.id}\t{rule.name}\t{rule.severity}\t{rule.summary}")


@app.command()
@_one_line_errors
def explain(rule: str = typer.Argument(..., help="A rule id or name.")) -> None:
    """Show a rule's full documentation, with its failing and passing example."""
    from .registry import explained

    found = explained(rule, _project_rule_paths())
    typer.echo(f"{found.id} {found.name} [{found.severity}]\n\n{found.doc}")


@app.command()
def schema() -> None:
    """Print the topology JSON Schema (for editors and YAML language servers)."""
    import json

    from .model import schema as load_schema

    typer.echo(json.dumps(load_schema(), indent=2))


def _read(paths: list[str], input_format: str | None) -> Topology:
    """The topology the non-check commands read (named files must be topologies)."""
    from .importers.assemble import read_topology

    topology = read_topology(paths, input_format=_text(input_format))
    assert topology is not None  # only `only_topologies` may find nothing
    return topology


@app.command()
@_one_line_errors
def simulate(
    paths: list[str] = PATHS,
    fail: list[str] = typer.Option(..., "--fail", help="An element that fails (repeat for several)."),
    format: ViewFormat = typer.Option("text", "--format", "-f", help="Output format."),
    input_format: InputFormat | None = INPUT_FORMAT,
) -> None:
    """What if these elements fail: which services go down, which lose data, and why."""
    from .analysis.simulation import simulate as run
    from .views import simulation as view

    result = run(_read(paths, input_format), fail)
    sys.stdout.write(view.to_json(result) if str(format) == "json" else view.to_text(result))


@app.command()
@_one_line_errors
def graph(
    paths: list[str] = PATHS,
    format: GraphFormat = typer.Option("dot", "--format", "-f", help="dot, mermaid, json or html."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the picture to this file (atomically)."),
    input_format: InputFormat | None = INPUT_FORMAT,
) -> None:
    """The dependency graph, single points of failure highlighted (json: the analysed model)."""
    from .views.graph import render

    _emit(render(str(format), _read(paths, input_format)), output)


@app.command()
@_one_line_errors
def cutsets(
    paths: list[str] = PATHS,
    order: int = typer.Option(2, "--order", "-k", min=1, help="Largest set size (K)."),
    format: ViewFormat = typer.Option("text", "--format", "-f", help="Output format."),
    max_sets: int = typer.Option(1000, "--max-sets", min=1, help="Most sets listed per service."),
    input_format: InputFormat | None = INPUT_FORMAT,
) -> None:
    """Minimal sets of up to K elements whose joint failure takes a user-facing service down, ranked."""
    from .analysis.cutsets import cut_sets
    from .views import cutsets as view

    result = cut_sets(_read(paths, input_format), order, max_sets=max_sets)
    sys.stdout.write(view.to_json(result, order) if str(format) == "json" else view.to_text(result, order))


@app.command()
@_one_line_errors
def availability(
    paths: list[str] = PATHS,
    format: ViewFormat = typer.Option("text", "--format", "-f", help="Output format."),
    input_format: InputFormat | None = INPUT_FORMAT,
) -> None:
    """Each user-facing service's availability (nines, downtime a year, the elements that
    matter most) and recovery time, against the topology's objectives."""
    from .views import availability as view

    data = view.report(_read(paths, input_format))
    sys.stdout.write(view.to_json(data) if str(format) == "json" else view.to_text(data))


@app.command("import")
@_one_line_errors
def import_(
    fmt: ImportFormat = typer.Argument(..., metavar="FORMAT", help="compose, kubernetes, openstack-ansible or kolla-ansible."),
    paths: list[str] = typer.Argument(..., help="The files (or directories) to import."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the topology to this file (atomically)."),
) -> None:  # fmt: skip
    """Write the native topology equivalent to another description, to grow by hand."""
    from .importers.assemble import import_files

    _emit(import_files(str(fmt), paths), output)


def _emit(text: str, output: str | None) -> None:
    """A command's text to its --output file (atomically), else standard output."""
    from .outputs import write_files

    if output:
        write_files([(output, text)])
    else:
        sys.stdout.write(text)


def _text(choice: str | None) -> str | None:
    return None if choice is None else str(choice)


def run(argv: list[str]) -> int:
    """Run the app in-process and return its exit status. A usage error (an unknown
    option, a bad value) is one line, like every other error, not click's usage block."""
    try:
        result = app(argv, prog_name="spoflint", standalone_mode=False)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    except Exception as error:  # click's UsageError (vendored by newer typer releases)
        message = getattr(error, "format_message", None)
        if message is None or getattr(error, "exit_code", None) != 2:
            raise
        if type(error).__name__ == "NoArgsIsHelpError":  # bare `spoflint`: the help
            sys.stdout.write(message() + "\n")
            return 2
        sys.stderr.write(f"spoflint: error: {' '.join(message().split())}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("spoflint: interrupted\n")
        return 130
    return result if isinstance(result, int) else 0
