"""The catalogue and the files spoflint writes: `rules`, `explain`, `schema`, `kinds`, `import`, `init`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TypeAlias

import typer

from ..importers import FORMATS as IMPORT_FORMATS
from . import _emit, _progress, _text
from .application import ImportFormat, RuleListFormat, ViewFormat, _choices, _one_line_errors, app

ISOLATED = typer.Option(False, "--isolated", help="Ignore configuration files: only the installed rules.")


def _project_rule_paths(isolated: bool = False) -> tuple[str, ...]:
    """The local rule folders of the config file found upward (its `rule-paths`), so
    that `rules` and `explain` know the project's own rules as `check` does (none with
    `--isolated`); loading them is said on standard error."""
    from .. import config as configuration

    return configuration.for_command(None, isolated, say=lambda notice: typer.echo(notice, err=True)).rule_paths


@app.command("rules")
@_one_line_errors
def list_rules(
    format: RuleListFormat = typer.Option("table", "--format", "-f", help="table (aligned columns), json, or markdown (docs/rules.md)."),
    isolated: bool = ISOLATED,
) -> None:  # fmt: skip
    """List every rule: id, name, default severity and summary."""
    from ..registry import rules
    from ..views import rules as view

    table = rules(_project_rule_paths(isolated))
    if str(format) == "markdown":
        sys.stdout.write(view.markdown(table))
    elif str(format) == "json":
        sys.stdout.write(view.to_json(table))
    else:
        sys.stdout.write(view.to_text(table))


@app.command()
@_one_line_errors
def explain(rule: str = typer.Argument(..., help="A rule id or name."), isolated: bool = ISOLATED) -> None:
    """Show a rule's full documentation, with its failing and passing example."""
    from ..registry import explained

    found = explained(rule, _project_rule_paths(isolated))
    typer.echo(f"{found.id} {found.name} [{found.severity}]\n\n{found.doc}")


@app.command()
def schema() -> None:
    """Print the topology JSON Schema (for editors and YAML language servers)."""
    import json

    from ..model import schema as load_schema

    typer.echo(json.dumps(load_schema(), indent=2))


if TYPE_CHECKING:
    ImportSource: TypeAlias = str
else:  # the formats read from files, and NetBox, read from its server
    ImportSource = _choices("ImportSource", (*IMPORT_FORMATS, "netbox"))


@app.command("import")
@_one_line_errors
def import_(
    fmt: ImportSource = typer.Argument(..., metavar="FORMAT", help="compose, kubernetes, openstack-ansible, kolla-ansible, or netbox (with --url)."),
    paths: list[str] = typer.Argument(None, help="The files (or directories) to import (none for netbox)."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the topology to this file (atomically)."),
    url: str | None = typer.Option(None, "--url", help="netbox: the server to read (default: the config's netbox.url); the token comes from NETBOX_TOKEN."),
) -> None:  # fmt: skip
    """Write the native topology equivalent to another description, to grow by hand; or a
    snapshot of a NetBox server, to commit and lint offline."""
    from ..errors import UsageError
    from ..importers.assemble import import_files

    if str(fmt) == "netbox":
        if paths:
            raise UsageError("import netbox reads a server, not files: give --url URL and no paths")
        text = _netbox_snapshot(url)
    elif url is not None:
        raise UsageError(f"--url is for import netbox; {fmt} reads files")
    elif not paths:
        raise UsageError(f"import {fmt} needs the files (or directories) to import")
    else:
        with _progress():
            text = import_files(str(fmt), paths)
    _emit(text, output, paths or [])


def _netbox_snapshot(url: str | None) -> str:
    """`import netbox`: the native topology of a NetBox server, checked to build."""
    from .. import config as configuration
    from .. import model
    from ..errors import UsageError
    from ..importers import to_yaml
    from ..importers.netbox import physical_layer

    file = configuration.for_command(None)
    with _progress() as progress:
        document = physical_layer(file.netbox, url, progress)
    if document is None:
        raise UsageError("import netbox needs the server: give --url URL (or `netbox: {url: ...}` in the config)")
    model.build([document])  # what is written must lint
    return to_yaml([document])


@app.command(short_help="List every known service kind, with its HA defaults and aliases.")
@_one_line_errors
def kinds(
    format: ViewFormat = typer.Option("text", "--format", "-f", help="text (an aligned table) or json."),
) -> None:
    """List every known service kind: state, access, HA default, quorum rule, manager, role and
    aliases; then the ambiguous names and the known words of vip, manager and fencing."""
    from ..views import kinds as view

    sys.stdout.write(view.to_json() if str(format) == "json" else view.to_text())


@app.command(short_help="Write a starter topology to edit, or one imported with --from.")
@_one_line_errors
def init(
    path: str = typer.Argument("topology.yaml", help="The file to write (`-`: standard output)."),
    sources: list[str] = typer.Option([], "--from", help="Start from these files or directories of another format (Compose, Kubernetes, OpenStack-Ansible, kolla-ansible; repeatable): the imported topology, with its racks, power, cooling and network sketched in comments."),
    input_format: ImportFormat | None = typer.Option(None, "--input-format", help="Read the --from files as this format (default: detected)."),
    force: bool = typer.Option(False, "--force", help="Overwrite PATH if it exists."),
) -> None:  # fmt: skip
    """Write a starter topology to edit: a commented example, redundant at every layer, that
    checks clean; or, with --from, what a Compose file, Kubernetes manifests or an
    OpenStack inventory already say, with the physical layer sketched in comments to fill in.
    Never overwrites an existing file unless --force."""
    from ..errors import UsageError
    from ..views import starter

    if input_format is not None and not sources:
        raise UsageError("--input-format says how to read the --from files: name them with --from")
    text = starter.render(sources, _text(input_format))
    if path == "-":
        sys.stdout.write(text)
        return
    starter.write(path, text, force)
    what = (
        f"the topology imported from {', '.join(sources)}, its physical layer sketched in comments to fill in"
        if sources
        else "a commented example, redundant at every layer, to make your own"
    )
    typer.echo(f"Wrote {path}: {what}. Next: spoflint check {path}")
