"""The command line: a thin shell over the library. Only this module prints or exits.

Exit status: 0 nothing at or above the threshold, 1 findings at or above it, 2 the
input or the invocation could not be checked (one line naming file, line and column).
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

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
    github = "github"
    junit = "junit"


class InputFormat(str, Enum):
    native = "native"
    compose = "compose"
    kubernetes = "kubernetes"
    openstack_ansible = "openstack-ansible"
    kolla_ansible = "kolla-ansible"


class ImportFormat(str, Enum):
    compose = "compose"
    kubernetes = "kubernetes"
    openstack_ansible = "openstack-ansible"
    kolla_ansible = "kolla-ansible"


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
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
):
    """spoflint: single points of failure, found before they fail."""


def _fail(message: str) -> typer.Exit:
    typer.echo(f"spoflint: error: {message}", err=True)
    return typer.Exit(2)


def _input_error(error: InputError) -> typer.Exit:
    typer.echo(f"{error}", err=True)
    return typer.Exit(2)


def write_atomically(path: str, text: str) -> None:
    """Write a whole file or nothing: a temporary file beside it, then a rename."""
    write_all_atomically([(path, text)])


def write_all_atomically(files: list[tuple[str, str]]) -> None:
    """Write every file or none: each to a temporary file beside it, then, once all are
    written, the renames (so one unwritable output leaves the others untouched too).
    An OSError names the output it was about in `filename`."""
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
        raise OSError(error.errno, error.strerror or str(error), path) from error
    finally:
        for temporary, _ in staged:
            if os.path.exists(temporary):
                os.unlink(temporary)


@app.command()
def check(
    paths: list[str] = typer.Argument(
        None, help="Topology files or directories (default: the config's paths, else the current directory)."
    ),
    formats: list[Format] = typer.Option(
        [], "--format", "-f", help="Output format (repeat for several; pair each with an --output)."
    ),
    outputs: list[str] = typer.Option(
        [], "--output", "-o", help="Write the matching --format to this file (atomically)."
    ),
    select: list[str] = typer.Option(
        [], "--select", help="Only these rules (ids, names or id prefixes; comma-separated or repeated)."
    ),
    ignore: list[str] = typer.Option([], "--ignore", help="Skip these rules."),
    fail_on: Level | None = typer.Option(
        None, "--fail-on", help="Lowest severity that makes the exit status 1 (default: error)."
    ),
    config_file: str | None = typer.Option(
        None, "--config", help="Configuration file (default: .spoflint.yaml or pyproject.toml found upward)."
    ),
    baseline: str | None = typer.Option(None, "--baseline", help="Suppress the findings this baseline file records."),
    write_baseline: str | None = typer.Option(
        None, "--write-baseline", help="Record the current findings in this baseline file and exit 0."
    ),
    only_topologies: bool = typer.Option(
        False,
        "--only-topologies",
        help="Skip named files that are not topologies (no `version: 1`), as in directories.",
    ),
    input_format: InputFormat | None = typer.Option(
        None, "--input-format", help="Read every file as this format (default: detected per file)."
    ),
    order: int | None = typer.Option(
        None, "--order", min=0, help="Report minimal cut sets of 2..K elements per service (SPOF005; default: off)."
    ),
):
    """Lint topology files: report single points of failure and the rest of the catalogue."""
    from . import config as configuration
    from .engine import enabled_rules, failing, lint
    from .reporters import render

    if len(outputs) > max(len(formats), 1):
        raise _fail("more --output than --format options: pair each output with a format")
    formats = formats or [Format.text]
    pairs = list(zip(formats, outputs)) + [(f, None) for f in formats[len(outputs) :]]
    if sum(1 for _, out in pairs if out is None) > 1:
        raise _fail("several formats would go to standard output: give each but one an --output")
    try:
        found = Path(config_file) if config_file else configuration.find()
        if config_file and not found.is_file():
            raise _fail(f"--config {config_file}: no such file")
        file = configuration.read(found) if found else configuration.FileConfig()
        try:
            config = configuration.settings(
                file,
                select=_names(select),
                ignore=_names(ignore),
                fail_on=fail_on.value if fail_on else None,
                baseline=None if write_baseline else baseline,
            )
        except KeyError as error:
            raise _fail(f"unknown rule {error.args[0]!r} (see `spoflint rules`)") from None
        if write_baseline:
            from dataclasses import replace

            config = replace(config, baseline=None)
        if order is not None:  # SPOF005's option, over the config file's
            from dataclasses import replace

            config = replace(
                config, options={**config.options, "SPOF005": {**config.options.get("SPOF005", {}), "order": order}}
            )
        with _progress() as progress:
            findings = lint(
                paths or list(file.paths) or ["."],
                config,
                only_topologies,
                progress,
                input_format.value if input_format else None,
            )
            progress("reporting")
    except InputError as error:
        raise _input_error(error) from None
    if write_baseline:
        from .baseline import render as render_baseline

        _write(write_baseline, render_baseline(findings, write_baseline))
        recorded = len({(f.rule, f.path, f.subject) for f in findings if f.suppressed is None})
        typer.echo(f"Recorded {recorded} findings in {write_baseline}.", err=True)
        raise typer.Exit(0)
    ran = {rule.id: rule for rule in enabled_rules(config)}
    files = [(output, render(format.value, findings, ran)) for format, output in pairs if output]
    if files:
        try:
            write_all_atomically(files)
        except OSError as error:
            raise _fail(f"cannot write {error.filename}: {error.strerror}") from None
    for format, output in pairs:
        if output:
            continue
        if format is Format.text and sys.stdout.isatty():
            from rich.console import Console

            from .reporters.text import render_rich

            # soft_wrap: one line per finding, as when piped; the terminal folds long ones
            Console(highlight=False).print(render_rich(findings), end="", soft_wrap=True)
        else:
            sys.stdout.write(render(format.value, findings, ran))
    raise typer.Exit(1 if failing(findings, config.fail_on) else 0)


@contextmanager
def _progress():
    """A spinner naming the stage, on a terminal only, and only once a run has taken
    over a second: nothing of it in pipes, CI logs or quick runs."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield lambda stage: None
        return
    import threading

    from rich.console import Console

    state = {"stage": "reading", "status": None}
    lock = threading.Lock()

    def start():
        with lock:
            if state["status"] is None:
                state["status"] = Console(stderr=True).status(f"spoflint: {state['stage']}...")
                state["status"].start()

    def update(stage: str):
        with lock:
            state["stage"] = stage
            if state["status"] is not None:
                state["status"].update(f"spoflint: {stage}...")

    timer = threading.Timer(1.0, start)
    timer.daemon = True
    timer.start()
    try:
        yield update
    finally:
        timer.cancel()
        with lock:
            if state["status"] is not None:
                state["status"].stop()
            state["status"] = False  # a late timer must not start it now


def _names(values: list[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _write(path: str, text: str) -> None:
    try:
        write_atomically(path, text)
    except OSError as error:
        raise _fail(f"cannot write {path}: {error.strerror or error}") from None


def _project_rule_paths() -> tuple[str, ...]:
    """The local rule folders of the config file found upward (its `rule-paths`), so
    that `rules` and `explain` know the project's own rules as `check` does."""
    from . import config as configuration

    try:
        found = configuration.find()
        return configuration.read(found).rule_paths if found else ()
    except InputError as error:
        raise _input_error(error) from None


@app.command("rules")
def list_rules():
    """List every rule: id, name, default severity and summary."""
    from .registry import rules

    table = rules(_project_rule_paths())
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

    local = _project_rule_paths()
    try:
        matches = resolve([rule], local)
    except KeyError:
        matches = set()
    if len(matches) > 1:
        raise _fail(f"{rule!r} names several rules: {', '.join(sorted(matches))}")
    if not matches:
        raise _fail(f"unknown rule {rule!r} (see `spoflint rules`)")
    found = rules(local)[matches.pop()]
    typer.echo(f"{found.id} {found.name} [{found.severity}]\n\n{found.doc}")


@app.command()
def schema():
    """Print the topology JSON Schema (for editors and YAML language servers)."""
    import json

    from .model import schema as load_schema

    typer.echo(json.dumps(load_schema(), indent=2))


@app.command()
def simulate(
    paths: list[str] = typer.Argument(..., help="Topology files or directories."),
    fail: list[str] = typer.Option(..., "--fail", help="An element that fails (repeat for several)."),
    format: SimulateFormat = typer.Option(SimulateFormat.text, "--format", "-f", help="Output format."),
    input_format: InputFormat | None = typer.Option(
        None, "--input-format", help="Read every file as this format (default: detected per file)."
    ),
):
    """What if these elements fail: which services go down, which lose data, and why."""
    from .analysis.simulation import SimulationError
    from .analysis.simulation import simulate as run
    from .engine import read_topology

    try:
        topology = read_topology(paths, input_format=input_format.value if input_format else None)
        result = run(topology, fail)
    except InputError as error:
        raise _input_error(error) from None
    except SimulationError as error:
        raise _fail(str(error)) from None
    if format is SimulateFormat.json:
        from .views.simulation import to_json

        sys.stdout.write(to_json(result))
    else:
        from .views.simulation import to_text

        sys.stdout.write(to_text(result))


class GraphFormat(str, Enum):
    dot = "dot"
    mermaid = "mermaid"
    json = "json"
    html = "html"


@app.command()
def graph(
    paths: list[str] = typer.Argument(..., help="Topology files or directories."),
    format: GraphFormat = typer.Option(GraphFormat.dot, "--format", "-f", help="dot, mermaid, json or html."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the picture to this file (atomically)."),
    input_format: InputFormat | None = typer.Option(
        None, "--input-format", help="Read every file as this format (default: detected per file)."
    ),
):
    """The dependency graph, single points of failure highlighted (json: the analysed model)."""
    from .engine import read_topology
    from .views import graph as picture

    try:
        topology = read_topology(paths, input_format=input_format.value if input_format else None)
    except InputError as error:
        raise _input_error(error) from None
    text = getattr(picture, f"to_{format.value}")(topology)
    if output:
        _write(output, text)
    else:
        sys.stdout.write(text)


@app.command()
def cutsets(
    paths: list[str] = typer.Argument(..., help="Topology files or directories."),
    order: int = typer.Option(2, "--order", "-k", min=1, help="Largest set size (K)."),
    format: SimulateFormat = typer.Option(SimulateFormat.text, "--format", "-f", help="Output format."),
    max_sets: int = typer.Option(1000, "--max-sets", min=1, help="Most sets listed per service."),
    input_format: InputFormat | None = typer.Option(
        None, "--input-format", help="Read every file as this format (default: detected per file)."
    ),
):
    """Minimal sets of up to K elements whose joint failure takes a user-facing service down, ranked."""
    from .analysis.cutsets import cut_sets
    from .engine import read_topology
    from .views.cutsets import to_json, to_text

    try:
        topology = read_topology(paths, input_format=input_format.value if input_format else None)
    except InputError as error:
        raise _input_error(error) from None
    result = cut_sets(topology, order, max_sets=max_sets)
    sys.stdout.write(to_json(result, order) if format is SimulateFormat.json else to_text(result, order))


@app.command()
def availability(
    paths: list[str] = typer.Argument(..., help="Topology files or directories."),
    format: SimulateFormat = typer.Option(SimulateFormat.text, "--format", "-f", help="Output format."),
):
    """Each user-facing service's availability (nines, downtime a year, the elements that
    matter most) and recovery time, against the topology's objectives."""
    from .engine import read_topology
    from .views import availability as report

    try:
        data = report.report(read_topology(paths))
    except InputError as error:
        raise _input_error(error) from None
    sys.stdout.write(report.to_json(data) if format is SimulateFormat.json else report.to_text(data))


@app.command("import")
def import_(
    fmt: ImportFormat = typer.Argument(
        ..., metavar="FORMAT", help="compose, kubernetes, openstack-ansible or kolla-ansible."
    ),
    paths: list[str] = typer.Argument(..., help="The files (or directories) to import."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the topology to this file (atomically)."),
):
    """Write the native topology equivalent to another description, to grow by hand."""
    from . import importers, load, model

    try:
        files = (
            [p for p, _ in load.expand_paths(paths)]
            if all(Path(p).is_dir() for p in paths)
            else [Path(p) for p in paths]
        )
        documents = importers.by_format(fmt.value).read(files)
        model.build(documents)  # what is written must lint
        text = importers.to_yaml(documents)
    except InputError as error:
        raise _input_error(error) from None
    if output:
        _write(output, text)
    else:
        sys.stdout.write(text)


def run(argv: list[str]) -> int:
    """Run the app in-process and return its exit status. A usage error (an unknown
    option, a bad value) is one line, like every other error, not click's usage block."""
    try:
        result = app(argv, prog_name="spoflint", standalone_mode=False)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)
    except Exception as error:  # click's UsageError (vendored by newer typer releases)
        if not hasattr(error, "format_message") or getattr(error, "exit_code", None) != 2:
            raise
        if type(error).__name__ == "NoArgsIsHelpError":  # bare `spoflint`: the help
            sys.stdout.write(error.format_message() + "\n")
            return 2
        sys.stderr.write(f"spoflint: error: {_one_line(error.format_message())}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("spoflint: interrupted\n")
        return 130
    return result if isinstance(result, int) else 0


def _one_line(text: str) -> str:
    return " ".join(text.split())
