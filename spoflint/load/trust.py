"""Which configuration file a command may read: the nearest `.spoflint.yaml` or
`pyproject.toml` with a `[tool.spoflint]` table, looked for from the current directory
up to its repository's root or the home directory (never up to `/`), and only if the
user running spoflint owns it. A config is more than settings: its `rule-paths` name
Python modules that spoflint imports, so a config planted in a parent folder or
committed by someone else must not be used unasked (docs/configuration.md, "Trust")."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..errors import InputError
from .discover import git_top_level, shown_path
from .files import not_regular, read_bytes

NAMES = (".spoflint.yaml", ".spoflint.yml")
TABLE = re.compile(r"^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*spoflint[ \t]*[.\]]", re.M)  # [tool.spoflint] or a subtable
MAX_CONFIG_BYTES = 1 << 20  # a config past 1 MiB is not a config


def find(start: Path | None = None) -> Path | None:
    """The nearest `.spoflint.yaml`, or `pyproject.toml` with a [tool.spoflint] table, in
    the current directory or above it up to its repository's root (the git top level)
    or the home directory, whichever is nearer; only the current directory when it is
    in neither. One that is not a regular file, cannot be read or is owned by another
    user (`trusted`) is an input error, never passed over in silence."""
    here = (start or Path.cwd()).resolve()
    for folder in search_folders(here):
        for name in NAMES:
            candidate = folder / name
            if os.path.lexists(candidate):
                what = not_regular(candidate)
                if what is not None:
                    raise InputError(shown_path(candidate), 1, 1, f"cannot read the configuration: it is {what}")
                return trusted(candidate)
        pyproject = folder / "pyproject.toml"
        if os.path.lexists(pyproject) and _has_table(pyproject):
            return trusted(pyproject)
    return None


def search_folders(here: Path) -> list[Path]:
    """The folders a config is looked for in, nearest first: `here` and its parents up to
    the git top level or the home directory, whichever comes first; only `here` when
    neither is above it (a config is never looked for up to `/`, where anyone who can
    write to a shared folder could plant one)."""
    stops = {git_top_level(here)}
    try:
        stops.add(Path.home().resolve())
    except (RuntimeError, KeyError, OSError):  # no home directory
        pass
    folders = []
    for folder in (here, *here.parents):
        folders.append(folder)
        if folder in stops:
            return folders
    return [here]


def _has_table(pyproject: Path) -> bool:
    """Whether a pyproject.toml holds a [tool.spoflint] table (read bounded; one that
    cannot be read is an input error: it may hold the config)."""
    text = read_bytes(pyproject, shown_path(pyproject), MAX_CONFIG_BYTES).decode("utf-8", "replace")
    return TABLE.search(text) is not None


def trusted(path: Path) -> Path:
    """`path`, if the user running spoflint owns it (or, under sudo, the user who ran
    sudo: SUDO_UID); else an input error, as git refuses a repository another user owns:
    a config can name rule modules to import (`rule-paths`), so one planted by someone
    else would run their code. `--config` names a file to trust all the same."""
    if not hasattr(os, "geteuid"):
        return path  # no owners to compare (Windows)
    owner = path.stat().st_uid
    me = os.geteuid()
    allowed = {me}
    if me == 0 and os.environ.get("SUDO_UID", "").isdigit():
        allowed.add(int(os.environ["SUDO_UID"]))
    if owner in allowed:
        return path
    raise InputError(
        shown_path(path),
        1,
        1,
        f"this configuration is owned by another user (uid {owner}, not {me}), so spoflint does not use it: "
        "name it with --config to trust it, or run with --isolated to ignore configuration files",
    )
