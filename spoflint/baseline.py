"""Baselines: adopt spoflint on an existing estate, then see only new findings.

A baseline records findings by (rule, file, element), never by line, so it survives
edits. The file is JSON, one finding per line, sorted, with paths from the root of the
repository the baseline is in (its git top level; outside a repository, the baseline's
own folder): stable wherever the check runs from, and reviewable in a diff.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .load.discover import git_top_level, shown_path
from .load.files import read_bytes

_SEPARATORS = re.compile(r"[\s,]*")
FORMAT = "spoflint-baseline"
VERSION = 1


@dataclass(frozen=True, slots=True)
class Entry:
    rule: str
    path: str  # relative to the baseline's base (its repository's root, else its folder), with /
    subject: str
    line: int  # where the entry is written in the baseline file
    column: int = 1
    source: str = ""  # the baseline file, as reports show its path


def base(baseline_path: str) -> Path:
    """What a baseline's paths are relative to: the git top level of its folder, else the
    folder itself."""
    folder = Path(baseline_path).parent.resolve()
    return git_top_level(folder) or folder


def _relative(path: str, folder: Path) -> str:
    return os.path.relpath(Path(path).resolve(), folder.resolve()).replace(os.sep, "/")


def render(findings, baseline_path: str) -> str:
    """The baseline text for these findings (accepted risks are not recorded)."""
    folder = base(baseline_path)
    keys = sorted({(f.rule, _relative(f.path, folder), f.subject) for f in findings if f.suppressed is None})
    lines = [f'{{"format": "{FORMAT}", "version": {VERSION}, "findings": [']
    for index, (rule, path, subject) in enumerate(keys):
        comma = "," if index < len(keys) - 1 else ""
        lines.append("  " + json.dumps({"rule": rule, "path": path, "subject": subject}) + comma)
    lines.append("]}")
    return "\n".join(lines) + "\n"


def read(path: str) -> list[Entry]:
    """The entries of a baseline file; a malformed one is an InputError at the place
    that is wrong."""
    try:
        text = read_bytes(path, path, regular=False).decode("utf-8")  # bounded: `baseline: /dev/zero` ends
    except InputError as error:
        raise InputError(
            path, 1, 1, f"cannot read baseline: {error.message.removeprefix('cannot read file: ')}"
        ) from None
    except UnicodeDecodeError as error:
        raise InputError(path, 1, 1, f"cannot read baseline: {error}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(path, error.lineno, error.colno, f"invalid baseline JSON: {error.msg}") from None
    except RecursionError:
        raise InputError(
            path, 1, 1, "invalid baseline: nested too deeply (a baseline is one list of entries)"
        ) from None
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or type(data.get("version")) is not int
        or data.get("version") != VERSION
    ):
        raise InputError(
            path,
            1,
            1,
            f'not a {FORMAT} version {VERSION} file (it starts {{"format": "{FORMAT}", "version": {VERSION}, ...)',
        )
    items = data.get("findings", [])
    places = _item_places(text)
    if not isinstance(items, list):
        line, column = places[0] if places else (1, 1)
        raise InputError(path, line, column, '"findings" must be a list of {"rule", "path", "subject"} entries')
    folder, shown = base(path), shown_path(Path(path))
    entries = []
    paths: dict[str, str] = {}  # each path written, made relative once (entries share a few files)
    for index, item in enumerate(items):
        line, column = places[index] if index < len(places) else (1, 1)
        if not (isinstance(item, dict) and all(isinstance(item.get(k), str) for k in ("rule", "path", "subject"))):
            raise InputError(path, line, column, f"baseline entry {index + 1} needs string rule, path and subject")
        written = item["path"]
        if written not in paths:
            paths[written] = _relative(str(folder / written), folder)
        entries.append(Entry(item["rule"], paths[written], item["subject"], line, column, shown))
    return entries


def _item_places(text: str) -> list[tuple[int, int]]:
    """(line, column) of each item of the top-level "findings" list, as written; the
    "findings" key's own place first if its value is not a list. Best effort: empty
    when the text does not have that shape."""
    decoder = json.JSONDecoder()
    found = re.search(r'"findings"\s*:\s*', text)
    if not found:
        return []
    offset = found.end()
    if not text.startswith("[", offset):
        return [_line_column(text, offset)]
    offset += 1
    places: list[tuple[int, int]] = []
    line, column = _line_column(text, offset)
    line_start, counted = offset - column + 1, offset  # newlines are counted once, up to `counted`
    while True:
        offset = _SEPARATORS.match(text, offset).end()  # type: ignore[union-attr]  # it matches the empty string
        if offset >= len(text) or text[offset] == "]":
            return places
        newlines = text.count("\n", counted, offset)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted, offset) + 1
        counted = offset
        places.append((line, offset - line_start + 1))
        try:
            _, offset = decoder.raw_decode(text, offset)
        except (json.JSONDecodeError, RecursionError):
            return places


def _line_column(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def match(findings, entries: list[Entry], baseline_path: str):
    """Which findings the baseline covers (by fingerprint), and its stale entries."""
    folder = base(baseline_path)
    keys = {(e.rule, e.path, e.subject): e for e in entries}
    covered, used = set(), set()
    for f in findings:
        key = (f.rule, _relative(f.path, folder), f.subject)
        if key in keys:
            covered.add(f.fingerprint)
            used.add(key)
    stale = [e for k, e in keys.items() if k not in used]
    return covered, stale
