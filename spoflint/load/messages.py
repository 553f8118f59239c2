"""Where reading went wrong, said the way a person would look for it."""

from __future__ import annotations

import re

import yaml

from ..errors import InputError
from .limits import MAX_BYTES


def _too_big(size: int) -> str:
    """What is wrong with a file of `size` bytes, past MAX_BYTES."""
    return f"the file is {size:,} bytes; the limit is {MAX_BYTES:,} ({MAX_BYTES >> 20} MiB)"


def _kind_of(value: object) -> str:
    """What a document's root is when it is not a mapping."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string"


# --- where things went wrong ------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")  # YAML's line breaks


def _decode(data: bytes) -> str:
    codec = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
    return data.decode(codec, "replace")


def _line_column(prefix: str) -> tuple[int, int]:
    """1-based line and column just after `prefix`, the text before a position."""
    breaks = list(_LINE_BREAK.finditer(prefix))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, len(prefix) - start + 1


def _char_at(data: bytes, line: int, column: int) -> str:
    lines = _LINE_BREAK.split(_decode(data), maxsplit=line)
    text = lines[line - 1] if line <= len(lines) else ""
    return text[column - 1] if column <= len(text) else ""


def _within(data: bytes, line: int, column: int) -> tuple[int, int]:
    """The position, or the end of the text if it is past it: libyaml reports the end
    of a file without a final line break one line further down."""
    if line <= data.count(b"\n") + 1:  # the usual case, without decoding a big file
        return line, column
    lines = _LINE_BREAK.split(_decode(data))
    if line <= len(lines):
        return line, column
    return len(lines), len(lines[-1]) + 1


def _reader_error(data: bytes, path: str, error: yaml.reader.ReaderError) -> InputError:
    """Bytes that are not text: invalid UTF-8/16, or control characters."""
    position = error.position
    if "UTF-8" in str(error.reason):
        try:  # libyaml points at the bad continuation byte; point at the broken character
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            position = bad.start
    line, column = _line_column(_decode(data[:position]))
    if error.character == -1 or "UTF" in str(error.reason):
        codec = "UTF-16" if "UTF-16" in str(error.reason) else "UTF-8"
        byte = data[position : position + 1]
        found = f"here (byte 0x{byte[0]:02x})" if byte else "(it ends mid-character)"
        message = f"the file is not {codec} text {found}; is it binary, or in another encoding?"
    else:
        message = f"control character U+{error.character:04X} is not allowed in YAML; is the file binary?"
    return InputError(path, line, column, message)


# libyaml's problems, said the way a person would look for them
_PROBLEMS = {
    "mapping values are not allowed in this context": "unexpected ':'; quote a value that holds ': ', or check the indentation",
    "did not find expected <document start>": "bad indentation: the document's top level ended above this line",
    "found a tab character that violates indentation": "a tab cannot indent YAML; indent with spaces",
    "did not find expected node content": "a value is missing here",
    "block sequence entries are not allowed in this context": "a '- ' list item cannot start here; check the indentation",
    "found unexpected ':'": "unexpected ':' inside brackets; quote the value that holds it",
}
_STARTERS = {"anchor": "&", "alias": "*", "tag": "!", "block value": "| or >", "directive": "%"}


def _syntax_error(data: bytes, path: str, error: yaml.MarkedYAMLError) -> InputError:
    """A YAML syntax error: where libyaml found it, and what to look for."""
    mark = error.problem_mark or error.context_mark
    line, column = _within(data, mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = error.problem or ""
    if problem in _PROBLEMS:
        message = _PROBLEMS[problem]
    elif problem == "found character that cannot start any token":
        char = _char_at(data, line, column)
        message = (
            "a tab cannot indent YAML; indent with spaces"
            if char == "\t"
            else f"{char!r} cannot start a value; put the value in quotes"
        )
    else:
        message = _in_context(problem, error)
    return InputError(path, line, column, f"invalid YAML: {message}")


def _in_context(problem: str, error: yaml.MarkedYAMLError) -> str:
    """A syntax problem said with what libyaml was reading when it found it (its
    context), and where that started."""
    mark, opened = error.problem_mark or error.context_mark, error.context_mark
    context = re.sub(r"^while (parsing|scanning) (an? |the )?", "", error.context or "").replace("scalar", "value")
    since = f"line {opened.line + 1}, column {opened.column + 1}" if opened else "above"
    if context in _STARTERS and opened:
        return (
            f"{_STARTERS[context]} at {since} starts a YAML {context} that is not well formed; "
            "quote a value that starts with it"
        )
    if problem == "did not find expected key":
        return f"bad indentation: this line does not line up with the mapping at {since}"
    if problem == "did not find expected '-' indicator":
        return f"bad indentation: expected a '- ' item of the list at {since}"
    if problem.startswith("did not find expected ',' or "):
        bracket = "[" if problem.endswith("']'") else "{"
        return f"expected ',' or the closing bracket of the '{bracket}' at {since}"
    if problem == "could not find expected ':'":
        return f"expected ':' after the key at {since}"
    if problem == "found unexpected end of stream" and "quoted" in context:
        return f"the quote at {since} is never closed"
    if context and opened and mark and (opened.line, opened.column) != (mark.line, mark.column):
        return f"{problem} (in the {context} at {since})"
    return problem or context or "not YAML"


# --- Jinja templates ----------------------------------------------------------------

_JINJA_STATEMENT = re.compile(rb"^[ \t]*(\{%|\{#)", re.M)  # a line that is a {% ... %} or {# ... #}
_JINJA = re.compile(r"\{\{|\{%|\{#")


def jinja_template_at(data: bytes, line: int) -> int | None:
    """The line that shows a text is a Jinja template, not the file it renders to, when
    reading it failed at `line`: that line, when it holds `{{`, `{%` or `{#`, else the
    first line that is a Jinja statement (`{% if ... %}`); None for a text that is not
    a template."""
    lines = data.split(b"\n")
    if 1 <= line <= len(lines) and _JINJA.search(lines[line - 1].decode("utf-8", "replace")):
        return line
    statement = _JINJA_STATEMENT.search(data)
    return data.count(b"\n", 0, statement.start()) + 1 if statement else None


def render_first(what: str) -> str:
    """The message for a file that is a Jinja template."""
    return (
        f"{what} is a Jinja template ({{{{ ... }}}} or {{% ... %}} where YAML is expected): "
        "render it first (as the deployment tool does), then check the rendered file"
    )
