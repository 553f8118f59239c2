"""The typer app: every command's options, its help, click's usage errors. Imported
only when a command line is not `spoflint check` as the fast path reads it (see `fast`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import typer

from .. import __version__
from ..errors import InputError, printable
from ..findings import SEVERITIES
from ..importers import FORMATS as IMPORT_FORMATS
from ..reporters import FORMATS as REPORT_FORMATS
from ..views import FORMATS as VIEW_FORMATS
from ..views import PICTURE_FORMATS as GRAPH_FORMATS
from ..views import RULE_LIST_FORMATS


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


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Find single points of failure across every layer of an infrastructure description.",
)


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


def run_typer(argv: list[str]) -> int:
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
        sys.stderr.write(f"spoflint: error: {printable(' '.join(message().split()))}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("spoflint: interrupted\n")
        return 130
    return result if isinstance(result, int) else 0


from . import analyses, catalogue, check_command  # noqa: E402,F401  (registers their commands on `app`)


def _short_help(doc: str | None) -> str:
    """A command's whole first sentence, for the top-level `--help` (click would cut
    the first line to fit, mid-word)."""
    paragraph = " ".join((doc or "").split("\n\n", 1)[0].split())
    return paragraph.split(". ", 1)[0].rstrip(".") + "."


for _info in app.registered_commands:
    if _info.short_help is None and _info.callback is not None:
        _info.short_help = _short_help(_info.callback.__doc__)
