"""The one exception a user may see: input that cannot be checked.

Every problem with a topology, a config file or the command line ends as an
`InputError` that names the file, line and column; the CLI prints it as one line
and exits with status 2. Anything else escaping is a bug in spoflint.
"""
from __future__ import annotations


class InputError(Exception):
    """Input that cannot be checked, with where it is (1-based line and column)."""

    def __init__(self, path: str, line: int, column: int, message: str):
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"
