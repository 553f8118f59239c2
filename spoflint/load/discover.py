"""Input discovery: which files to read, and how reports show their paths."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from .limits import MAX_BYTES, YAML_SUFFIXES


def expand_paths(paths: list[str]) -> list[tuple[Path, bool]]:
    """Files to read: (path, named) where named means the user named the file itself.

    A directory contributes its YAML files, recursively and in sorted order, skipping
    hidden files and folders; whether such a file is a topology is decided later.
    """
    found: list[tuple[Path, bool]] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.endswith(YAML_SUFFIXES) and not name.startswith("."):
                        child = Path(root) / name
                        if child.resolve() not in seen:
                            seen.add(child.resolve())
                            found.append((child, False))
        elif path.exists():
            if path.resolve() not in seen:
                seen.add(path.resolve())
                found.append((path, True))
        else:
            raise InputError(str(raw), 1, 1, "no such file or directory")
    return found


@dataclass(frozen=True)
class Found:
    """A file to read: `root` is the directory named on the command line it was found
    in, None when the user named the file itself."""

    path: Path
    root: Path | None

    @property
    def named(self) -> bool:
        return self.root is None


# files without a YAML suffix that a directory check reads: kolla-ansible's inventories
# (as kolla-ansible ships and names them) and its NFS share lists
INVENTORY_NAMES = ("multinode", "all-in-one", "inventory", "hosts", "nfs_shares")


def discover(paths: Sequence[str], exclude: Sequence[str] = (), exclude_named: bool = False) -> list[Found]:
    """The files to read under `paths`, in order, each once: a file named is read; a
    directory contributes its YAML files and its Ansible inventories (`multinode`,
    `all-in-one`, `*.ini`, ...), recursively in sorted order, skipping hidden files and
    folders and whatever an `exclude` glob matches (`exclude_named`: files named too)."""
    found: list[Found] = []
    seen: set[Path] = set()

    def add(path: Path, root: Path | None) -> None:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            found.append(Found(path, root))

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                here = Path(folder)
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not excluded(here / d, exclude))
                for name in sorted(files):
                    child = here / name
                    if _candidate(name) and not excluded(child, exclude):
                        add(child, path)
        elif path.exists():
            if not (exclude_named and excluded(path, exclude)):
                add(path, None)
        else:
            raise InputError(str(raw), 1, 1, "no such file or directory")
    return found


def _candidate(name: str) -> bool:
    return not name.startswith(".") and (name.endswith((*YAML_SUFFIXES, ".ini")) or name in INVENTORY_NAMES)


def excluded(path: Path, patterns: Sequence[str]) -> bool:
    """Whether a glob matches the path (as reports show it) or, for a glob without `/`,
    any one of its names: `vendor` and `docker-compose.*` match at any depth,
    `deploy/legacy/*` from the current directory."""
    return bool(patterns) and matches(shown_path(path), patterns)


def matches(shown: str, patterns: Sequence[str]) -> bool:
    parts = shown.split("/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if "/" in pattern:
            prefixes = ("/".join(parts[: i + 1]) for i in range(len(parts)))
            if any(fnmatchcase(prefix, pattern) for prefix in prefixes):
                return True
        elif any(fnmatchcase(part, pattern) for part in parts):
            return True
    return False


# files reported under another name: standard input, read into a temporary file
# (`check -`, `--stdin-filename`): its absolute path -> the name reports show
SHOWN_AS: dict[str, str] = {}


@lru_cache(maxsize=16)
def git_top_level(folder: Path) -> Path | None:
    """The top level of the git repository that holds `folder` (an absolute path), or
    None outside one or without git; asked once per folder. Reports and baselines name
    files from there."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    top = done.stdout.strip()
    return Path(top) if done.returncode == 0 and top else None


def shown_path(path: Path) -> str:
    """The path as reports show it: relative to the current directory, with `/`."""
    if SHOWN_AS and os.path.abspath(path) in SHOWN_AS:
        return SHOWN_AS[os.path.abspath(path)]
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = str(path)
    return rel.replace(os.sep, "/")


def sniff_format(path: Path, input_format: str | None) -> str | None:
    """The importer for a file: the one asked for, else the one that recognises it;
    None for a native topology (`version: 1`) or a file nobody recognises."""
    if input_format:
        return None if input_format == "native" else input_format
    try:
        with open(path, "rb") as handle:
            text = handle.read(MAX_BYTES)
    except OSError:
        return None  # load_file says what is wrong with it
    if _VERSION_1.search(text):
        return None
    if path.name == "nfs_shares":  # kolla-ansible's list of NFS shares for Cinder (`host:/path` lines)
        return "kolla-ansible"
    from .. import importers

    return importers.detect(path, text)


_VERSION_1 = re.compile(rb"^version[ \t]*:[ \t]*1[ \t]*(#[^\n]*)?\r?$", re.M)


def claims_compose(path: Path) -> bool:
    """Whether a file's name says it is a Compose file (`compose.yaml`,
    `docker-compose.prod.yml`, `blog.compose.yaml`): then one that cannot be read is a
    broken Compose project, to be reported, not some other YAML, to be skipped."""
    return _COMPOSE_NAME.match(path.name) is not None


_COMPOSE_NAME = re.compile(r"^((docker-)?compose(\.[^.]+)?|[^.]+\.compose)\.ya?ml$")


def claims_version_1(path: Path) -> bool:
    """Whether a file that could not be read says `version: 1` at its top level: then it
    is a broken topology, to be reported, not some other tool's YAML, to be skipped."""
    try:
        with open(path, "rb") as handle:
            return _VERSION_1.search(handle.read(MAX_BYTES)) is not None
    except OSError:
        return True  # unreadable: say so rather than skip it silently
