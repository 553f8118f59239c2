"""The analyses of one topology: `simulate`, `graph`, `cutsets`, `availability`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from . import _emit, _progress, _text
from .application import INPUT_FORMAT, PATHS, GraphFormat, InputFormat, ViewFormat, _one_line_errors, app

if TYPE_CHECKING:
    from ..model import Topology


CONFIG = typer.Option(
    None, "--config", help="Configuration file whose failure-scope applies (default: the one check finds)."
)


def _scope(config_file: str | None) -> frozenset:
    """The failure scope of the configuration `check` would use: one failure model
    for every command (docs/analyses.md, "The failure model")."""
    from ..config import for_command
    from ..model import DEFAULT_SCOPE

    return for_command(config_file).scope or DEFAULT_SCOPE


def _read(paths: list[str], input_format: str | None) -> Topology:
    """The topology the non-check commands read (named files must be topologies)."""
    from ..importers.assemble import read_topology

    topology = read_topology(paths, input_format=_text(input_format))
    assert topology is not None  # only `only_topologies` may find nothing
    return topology


@app.command()
@_one_line_errors
def simulate(
    paths: list[str] = PATHS,
    fail: list[str] = typer.Option(..., "--fail", help="Elements that fail (comma-separated or repeated)."),
    format: ViewFormat = typer.Option("text", "--format", "-f", help="Output format."),
    input_format: InputFormat | None = INPUT_FORMAT,
) -> None:
    """What if these elements fail: which services go down, which lose data, and why."""
    from ..analysis.simulation import simulate as run
    from ..errors import UsageError
    from ..views import simulation as view

    failed = [name.strip() for value in fail for name in value.split(",") if name.strip()]
    if not failed:
        raise UsageError("--fail: name at least one element")
    with _progress() as progress:
        topology = _read(paths, input_format)
        progress("analysing")
        result = run(topology, failed)
    sys.stdout.write(view.to_json(result) if str(format) == "json" else view.to_text(result))


@app.command()
@_one_line_errors
def graph(
    paths: list[str] = PATHS,
    format: GraphFormat = typer.Option("dot", "--format", "-f", help="dot, mermaid, json or html."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the picture to this file (atomically)."),
    everything: bool = typer.Option(
        False,
        "--all",
        help="Draw the whole estate (dot, mermaid; html opens on it), not only the single points "
        "of failure and what they take down, the default on a large estate.",
    ),
    input_format: InputFormat | None = INPUT_FORMAT,
) -> None:
    """The dependency graph, single points of failure highlighted (json: the analysed model)."""
    from ..views.graph import render

    with _progress() as progress:
        topology = _read(paths, input_format)
        progress("analysing")
        text = render(str(format), topology, everything)
    _emit(text, output, paths)


@app.command()
@_one_line_errors
def cutsets(
    paths: list[str] = PATHS,
    order: int = typer.Option(2, "--order", "-k", min=1, help="Largest set size (K)."),
    format: ViewFormat = typer.Option("text", "--format", "-f", help="Output format."),
    max_sets: int = typer.Option(1000, "--max-sets", min=1, help="Most sets listed per service."),
    input_format: InputFormat | None = INPUT_FORMAT,
    config_file: str | None = CONFIG,
) -> None:
    """Minimal sets of up to K elements whose joint failure takes a user-facing service down, ranked."""
    from ..analysis.cutsets import cut_sets
    from ..views import cutsets as view

    scope = _scope(config_file)
    with _progress() as progress:
        topology = _read(paths, input_format)
        progress("analysing")
        result = cut_sets(topology, order, scope, max_sets=max_sets)
    sys.stdout.write(view.to_json(result, order) if str(format) == "json" else view.to_text(result, order))


@app.command()
@_one_line_errors
def availability(
    paths: list[str] = PATHS,
    format: ViewFormat = typer.Option("text", "--format", "-f", help="Output format."),
    input_format: InputFormat | None = INPUT_FORMAT,
    config_file: str | None = CONFIG,
) -> None:
    """Each user-facing service's availability (nines, downtime a year, the elements that
    matter most) and recovery time, against the topology's objectives."""
    from ..views import availability as view

    scope = _scope(config_file)
    with _progress() as progress:
        topology = _read(paths, input_format)
        progress("analysing")
        data = view.report(topology, scope)
    sys.stdout.write(view.to_json(data) if str(format) == "json" else view.to_text(data))
