"""Input discovery: which files to read, and how reports show their paths."""

from __future__ import annotations

import os
import re
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


def shown_path(path: Path) -> str:
    """The path as reports show it: relative to the current directory, with `/`."""
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
    from .. import importers

    return importers.detect(path, text)


_VERSION_1 = re.compile(rb"^version[ \t]*:[ \t]*1[ \t]*(#[^\n]*)?\r?$", re.M)


def claims_version_1(path: Path) -> bool:
    """Whether a file that could not be read says `version: 1` at its top level: then it
    is a broken topology, to be reported, not some other tool's YAML, to be skipped."""
    try:
        with open(path, "rb") as handle:
            return _VERSION_1.search(handle.read(MAX_BYTES)) is not None
    except OSError:
        return True  # unreadable: say so rather than skip it silently
