"""`spoflint check` read without typer, for the common command line (pre-commit's).

Importing typer and building its click commands is a third of a small check's CPU
time. `parse` reads the command lines whose meaning is plain (`check`, then paths and
options exactly as `check_command` declares them: `--opt value`, `--opt=value`, short flags
apart, a value from its choices) into `check.lint`'s arguments, and gives anything
else (help, an unknown or misspelt option, a bad value, a missing one, `--`, joined
short flags, a value that starts with `-`) to the typer app, so usage errors and help
stay click's. `OPTIONS` is the table of `check_command`'s options: tests/cli/test_startup.py
checks it against the click command typer builds, and that both read the same
command lines into the same arguments.
"""

from __future__ import annotations

from typing import Any

# parameter: (flags, kind, choices); kinds: "flag" (True when given), "one" (a value;
# given twice: left to click), "many" (repeatable, a list), "count" (an integer >= 0);
# choices: the library's tuple of names (see `_choices`), or None for any string
OPTIONS: dict[str, tuple[tuple[str, ...], str, str | None]] = {
    "formats": (("--format", "-f"), "many", "report"),
    "outputs": (("--output", "-o"), "many", None),
    "select": (("--select",), "many", None),
    "ignore": (("--ignore",), "many", None),
    "fail_on": (("--fail-on",), "one", "severity"),
    "config_file": (("--config",), "one", None),
    "isolated": (("--isolated",), "flag", None),
    "baseline": (("--baseline",), "one", None),
    "write_baseline": (("--write-baseline",), "one", None),
    "only_topologies": (("--only-topologies",), "flag", None),
    "input_format": (("--input-format",), "one", "input"),
    "order": (("--order",), "count", None),
    "exclude": (("--exclude",), "many", None),
    "diff": (("--diff",), "one", None),
    "exit_zero": (("--exit-zero",), "flag", None),
    "quiet": (("--quiet", "-q"), "flag", None),
    "statistics": (("--statistics",), "flag", None),
    "color": (("--color",), "one", "colour"),
    "stdin_filename": (("--stdin-filename",), "one", None),
    "show_source": (("--show-source",), "flag", None),
    "netbox": (("--netbox",), "one", None),
}
DEFAULTS: dict[str, Any] = {"color": "auto"}  # else: a flag False, a list empty, a value None


def choices(name: str) -> tuple[str, ...]:
    """The names an option of `OPTIONS` chooses from (the app's enums are made of the same)."""
    if name == "report":
        from ..reporters import FORMATS

        return FORMATS
    if name == "input":
        from ..importers import FORMATS as IMPORT_FORMATS

        return ("native", *IMPORT_FORMATS)
    if name == "severity":
        from ..findings import SEVERITIES

        return SEVERITIES
    return ("auto", "always", "never")  # colour


def parse(argv: list[str]) -> dict[str, Any] | None:
    """`check.lint`'s arguments for a plain `spoflint check` command line, else None
    (the typer app reads it)."""
    if not argv or argv[0] != "check":
        return None
    by_flag = {flag: name for name, (flags, _, _) in OPTIONS.items() for flag in flags}
    found: dict[str, Any] = {}
    paths: list[str] = []
    words = iter(argv[1:])
    for word in words:
        if word == "-" or not word.startswith("-"):
            paths.append(word)
            continue
        flag, joined, value = word.partition("=") if word.startswith("--") else (word, "", "")
        name = by_flag.get(flag)
        if name is None:
            return None
        _, kind, among = OPTIONS[name]
        if kind == "flag":
            if joined or name in found:
                return None
            found[name] = True
            continue
        if not joined:
            value = next(words, None)  # type: ignore[assignment]  # None: the value is missing
        if value is None or value.startswith("-") or not _valid(kind, among, value):
            return None
        if kind == "many":
            found.setdefault(name, []).append(value)
        elif name in found:
            return None
        else:
            found[name] = int(value) if kind == "count" else value
    options: dict[str, Any] = {"paths": paths or None}
    for name, (_, kind, _) in OPTIONS.items():
        default = DEFAULTS.get(name, False if kind == "flag" else [] if kind == "many" else None)
        options[name] = found.get(name, default)
    return options


def _valid(kind: str, among: str | None, value: str) -> bool:
    if kind == "count":
        return value.isascii() and value.isdigit()
    return among is None or value in choices(among)
