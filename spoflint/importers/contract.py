"""What every reader module provides, as a type that mypy checks each one against."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from ..load import MarkedMap

Paths = Sequence[str | Path]  # the files and folders a reader is given, as the user named them


class Importer(Protocol):
    """A reader of one foreign format (a module: `compose`, `kubernetes`, ...)."""

    FORMAT: str
    """Its name as `--input-format` and `spoflint import` spell it."""

    def detect(self, path: Path, text: bytes) -> bool:
        """Whether a file (its path and its first bytes) is in this format."""
        ...

    def read(self, paths: Paths) -> list[MarkedMap]:
        """Native documents for these files and folders, every node pointing into the
        original files; an `InputError` for a file named that is not in this format."""
        ...
