"""The one exception a user may see: input that cannot be checked.

Every problem with a topology, a config file or the command line ends as an
`InputError` that names the file, line and column; the CLI prints it as one line
and exits with status 2 (`InputErrors`: several found in one run, a line each).
Anything else escaping is a bug in spoflint.
"""

from __future__ import annotations

import re
import reprlib

MAX_SHOWN = 60  # characters of a value quoted in a message

_repr = reprlib.Repr()
_repr.maxlevel, _repr.maxdict, _repr.maxlist, _repr.maxstring = 2, 3, 4, MAX_SHOWN

# what a text output never writes as it is: C0 controls (newlines and tabs too), DEL, C1
# controls (0x9b is a CSI on some terminals), the Unicode line and paragraph separators,
# the bidirectional overrides and isolates that make a line read other than it is, and
# lone surrogates (a file name's undecodable bytes, which no output encoding can write)
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    code = ord(match[0])
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as `surrogateescape` keeps it
        code -= 0xDC00
    return _NAMED.get(match[0]) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """`text` safe to write as (part of) one line of a text output: every control
    character, line separator, bidirectional control and undecodable byte as Python
    writes it in a string (`\\n`, `\\t`, `\\x1b`, `\\u2028`), so that a name or a path
    taken from input cannot break a line, start a workflow command or drive a terminal.
    Text with none of them is returned as it is."""
    return _UNPRINTABLE.sub(_escaped, text)


class InputError(Exception):
    """Input that cannot be checked, with where it is (1-based line and column).

    The message is kept to one line: it is printed after `path:line:col:`.
    """

    def __init__(self, path: str, line: int, column: int, message: str):
        message = re.sub(r"\s*\n\s*", " ", message).strip()
        super().__init__(message)
        self.path = path
        self.line = max(1, line)
        self.column = max(1, column)
        self.message = message

    def __str__(self) -> str:
        return printable(f"{self.path}:{self.line}:{self.column}: {self.message}")


MAX_ERRORS = 20  # input errors said in one run; beyond, "... and N more"


class InputErrors(InputError):
    """Several input errors found in one run (the schema errors of every file, the
    syntax error that ends each file): one line each, in file order, up to MAX_ERRORS,
    then how many more. It stands for the first, so code that expects one still works."""

    def __init__(self, errors: list[InputError]):
        flat = [e for error in errors for e in each(error)]
        first = flat[0]
        super().__init__(first.path, first.line, first.column, first.message)
        self.errors = flat

    def __str__(self) -> str:
        lines = [str(e) for e in self.errors[:MAX_ERRORS]]
        if len(self.errors) > MAX_ERRORS:
            lines.append(f"... and {len(self.errors) - MAX_ERRORS} more input errors")
        return "\n".join(lines)


def each(error: InputError) -> list[InputError]:
    """The single errors an error stands for (itself, or those it gathers)."""
    return list(error.errors) if isinstance(error, InputErrors) else [error]


def gathered(errors: list[InputError]) -> InputError:
    """One error for these: itself when there is one."""
    return errors[0] if len(errors) == 1 and not isinstance(errors[0], InputErrors) else InputErrors(errors)


class UsageError(InputError):
    """A command line that cannot be run as given (an unknown rule, outputs that do not
    pair with formats, a file that cannot be written): one line, `spoflint: error: ...`,
    exit status 2, like an input error but with no position to name."""

    def __init__(self, message: str):
        super().__init__("spoflint", 1, 1, message)

    def __str__(self) -> str:
        return f"spoflint: error: {printable(self.message)}"


class SetupError(UsageError):
    """spoflint itself cannot run as installed (no rule pack found)."""


def quote(value, limit: int = MAX_SHOWN) -> str:
    """`repr(value)` cut to about `limit` characters, for quoting user input in a
    message; never builds the full text of a huge value."""
    if isinstance(value, dict):  # subclasses too, which reprlib would repr in full
        text = _repr.repr_dict(value, _repr.maxlevel)
    elif isinstance(value, list):
        text = _repr.repr_list(value, _repr.maxlevel)
    elif isinstance(value, (str, int, float, bool, type(None))):
        text = repr(value) if not isinstance(value, str) or len(value) <= limit else repr(value[:limit]) + "..."
    else:
        text = _repr.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
