"""The catalogue and the files spoflint writes: `rules`, `explain`, `schema`, `kinds`, `import`, `init`."""

from __future__ import annotations

import sys

import typer

from . import ImportFormat, RuleListFormat, ViewFormat, _emit, _one_line_errors, _progress, _text, app


def _project_rule_paths() -> tuple[str, ...]:
    """The local rule folders of the config file found upward (its `rule-paths`), so
    that `rules` and `explain` know the project's own rules as `check` does."""
    from .. import config as configuration

    return configuration.for_command(None).rule_paths


@app.command("rules")
@_one_line_errors
def list_rules(
    format: RuleListFormat = typer.Option("table", "--format", "-f", help="table (aligned columns), json, or markdown (docs/rules.md)."),
) -> None:  # fmt: skip
    """List every rule: id, name, default severity and summary."""
    from ..registry import rules
    from ..views import rules as view

    table = rules(_project_rule_paths())
    if str(format) == "markdown":
        sys.stdout.write(view.markdown(table))
    elif str(format) == "json":
        sys.stdout.write(view.to_json(table))
    else:
        sys.stdout.write(view.to_text(table))


@app.command()
@_one_line_errors
def explain(rule: str = typer.Argument(..., help="A rule id or name.")) -> None:
    """Show a rule's full documentation, with its failing and passing example."""
    from ..registry import explained

    found = explained(rule, _project_rule_paths())
    typer.echo(f"{found.id} {found.name} [{found.severity}]\n\n{found.doc}")


@app.command()
def schema() -> None:
    """Print the topology JSON Schema (for editors and YAML language servers)."""
    import json

    from ..model import schema as load_schema

    typer.echo(json.dumps(load_schema(), indent=2))


@app.command("import")
@_one_line_errors
def import_(
    fmt: ImportFormat = typer.Argument(..., metavar="FORMAT", help="compose, kubernetes, openstack-ansible or kolla-ansible."),
    paths: list[str] = typer.Argument(..., help="The files (or directories) to import."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the topology to this file (atomically)."),
) -> None:  # fmt: skip
    """Write the native topology equivalent to another description, to grow by hand."""
    from ..importers.assemble import import_files

    with _progress():
        text = import_files(str(fmt), paths)
    _emit(text, output)


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
