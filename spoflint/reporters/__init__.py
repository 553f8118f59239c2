"""Stage 7, reporters: pure functions from findings to text (deterministic: sorted,
relative paths, no timestamps). `render(name, findings, rules)` picks one by name.

Every reporter module has the same `render(findings, rules) -> str`: the findings in
report order and the rules that ran, by id (SARIF and JUnit list every one of them);
`concise` is text's `render_concise`. Each is imported only when asked for. A finding's
`cause` is the fingerprint of its root-cause finding (engine/causes.py); each format
says it in its own way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..errors import InputError
    from ..findings import Finding
    from ..registry import Rule

    Reporter = Callable[[Sequence[Finding], Mapping[str, Rule]], str]  # each module's `render`


def repository_path(path: str) -> str:
    """A path as reports show it (relative to the working directory) made relative to
    the repository root, as code scanning and annotations resolve it: the git top level,
    else `GITHUB_WORKSPACE`, else the working directory; a path outside it is left as it
    is. So a check run from a subdirectory still points at the right files."""
    import os

    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, _root())
    return path if relative.startswith("..") else relative.replace(os.sep, "/")


def _root() -> str:
    """The repository root: the git top level of the working directory, else
    `GITHUB_WORKSPACE`, else the working directory."""
    import os
    from pathlib import Path

    from ..load.discover import git_top_level

    cwd = os.getcwd()
    return str(git_top_level(Path(cwd)) or os.environ.get("GITHUB_WORKSPACE") or cwd)


FORMATS = ("text", "concise", "json", "sarif", "github", "junit", "markdown")
_ITEMS = "\x00items\x00"  # where `indented_json` puts the items: no input string can hold NUL unescaped


def indented_json(document: object, items: Iterable[object]) -> str:
    """`json.dumps(document, indent=2, ensure_ascii=False)` where `document` holds one
    list written `[_ITEMS]` that stands for `items`: the same text, each item encoded on
    its own (`items` may be a generator: only their texts are held). Encoding the whole
    at once holds a piece of text per value (millions for 20,000 findings: gigabytes);
    this holds the items' texts. The text is `jsontext`'s, the standard library's made
    faster."""
    import json

    from .jsontext import dumps

    text = dumps(document)
    mark = json.dumps(_ITEMS)
    at = text.index(mark)
    pad = text[text.rindex("\n", 0, at) + 1 : at]
    body = (",\n" + pad).join([dumps(i, pad) for i in items])
    if not body:  # `[]`, as json.dumps writes an empty list
        start, end = text.rindex("[", 0, at), text.index("]", at) + 1
        return text[:start] + "[]" + text[end:] + "\n"
    return text[:at] + body + text[at + len(mark) :] + "\n"


# the formats CI shows on a pull request: an input error is written in them too
SHOWS_ERRORS = ("sarif", "github")


def render(
    name: str,
    findings: Sequence[Finding],
    rules: Mapping[str, Rule],
    errors: Sequence[InputError] = (),
    fail_on: str = "error",
) -> str:
    """The findings in the format called `name` (one of FORMATS; anything else: text).
    `errors`: the input errors of the units that could not be checked; SARIF and github
    annotations carry them (a notification, an `::error` line), the others leave them to
    standard error. `fail_on`: the run's threshold; JUnit marks failures at or above it."""
    if errors:
        from ..errors import each

        errors = [e for error in errors for e in each(error)]
    if errors and name == "sarif":
        from .sarif import render_with_errors

        return render_with_errors(findings, rules, errors)
    if errors and name == "github":
        from .github import error_lines

        return error_lines(errors) + render("github", findings, rules)
    impl: Reporter
    if name == "json":
        from .json import render as impl
    elif name == "sarif":
        from .sarif import render as impl
    elif name == "github":
        from .github import render as impl
    elif name == "junit":
        from .junit import render as junit

        return junit(findings, rules, fail_on)
    elif name == "markdown":
        from .markdown import render as impl
    elif name == "concise":
        from .text import render_concise as impl
    else:
        from .text import render as impl
    return impl(findings, rules)
