"""`# spoflint: accept RULE reason` comments, by line. One comment may accept several
rules: `# spoflint: accept SPOF001,PWR001 one feed in the lab`.

Only a comment counts, never text that looks like one inside a value: a description, a
Kubernetes annotation or a block scalar documenting the syntax accept nothing. libyaml
reports no comments, so they are found from the scanner's positions instead: a `#` at
the start of a line or after a space or tab (as YAML requires of a comment) that no
scalar's span holds. Plain scalars never hold one (` #` ends them); the spans of the
quoted and block scalars whose text has a `#` come from the event stream, noted by the
builder while it loads the file (`Spans`), or parsed here when the caller has none.
INI inventories (`ini_accept_comments`) have comments as Ansible reads them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import Any

import yaml

from ..errors import InputError

AcceptComments = dict[int, list[tuple[str, str, int]]]  # line -> [(rule, reason, column)]
# the quoted and block scalars whose value holds a `#`, in stream order: (start line,
# start column, end line, end column), 0-based as the scanner's marks are
Spans = list[tuple[int, int, int, int]]

_INI_CANDIDATE = re.compile(r"(?:^|(?<=[ \t]))#[ \t]*spoflint:")
# the comment itself: the rules (one name, or several separated by commas, spaces around
# a comma allowed), then the reason
_ACCEPT = re.compile(r"#[ \t]*spoflint:[ \t]*accept\b[ \t]*([^\s#,]*(?:[ \t]*,[ \t]*[^\s#,]*)*)[ \t]*(.*)")
# line breaks as YAML counts them (so lines agree with the scanner's marks), and those
# of them that are not `\n`, rare enough to look for before counting them
_BREAK = re.compile(rb"\r\n|[\r\n]|\xc2\x85|\xe2\x80[\xa8\xa9]")
_ODD_BREAKS = (b"\r", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")


def noting(events: Iterator[Any], spans: Spans) -> Iterator[Any]:
    """The events, unchanged, adding to `spans` the span of every quoted or block scalar
    whose value holds a `#` (the builder reads a file's events through this only when
    the file may have an accept comment: others pay nothing)."""
    scalar = yaml.ScalarEvent
    for event in events:
        if event.__class__ is scalar and event.style and "#" in event.value:
            start: Any = event.start_mark  # a scalar event's marks are set
            end: Any = event.end_mark
            if event.style in "|>":  # the content starts below the header, whose comment is one
                spans.append((start.line + 1, 0, end.line, end.column))
            else:
                spans.append((start.line, start.column, end.line, end.column))
        yield event


def _candidates(data: bytes) -> Iterator[int]:
    """Where a `#` followed by `spoflint:` may start a YAML comment: at the start of a
    line (or of the text, after a byte order mark) or after a space or a tab. Found
    from `spoflint:` backwards, so a text without one costs one fast scan."""
    at = data.find(b"spoflint:")
    while at >= 0:
        hash_at = _hash_before(data, at)
        if hash_at >= 0 and data[hash_at : hash_at + 1] == b"#":
            before = data[hash_at - 1 : hash_at] if hash_at else b"\n"
            if before in (b" ", b"\t", b"\r", b"\n") or (hash_at == 3 and data[:3] == b"\xef\xbb\xbf"):
                yield hash_at
        at = data.find(b"spoflint:", at + 9)


def _hash_before(data: bytes, at: int) -> int:
    """The offset of the byte before `at` and the spaces and tabs before it."""
    at -= 1
    while at >= 0 and data[at] in (32, 9):
        at -= 1
    return at


def has_candidates(data: bytes) -> bool:
    """Whether the text may hold an accept comment (the check before any other work)."""
    return next(_candidates(data), None) is not None


def accept_comments(data: bytes, shown: str, spans: Spans | None = None) -> AcceptComments:
    """`# spoflint: accept RULE[,RULE...] reason` comments of a YAML text that parses:
    line -> [(rule, reason, column)], one entry per rule named. `spans`: the scalars'
    (`noting`), else this parses the text again to find them."""
    found: AcceptComments = {}
    if not has_candidates(data):
        return found
    if spans is None:
        spans = _spans(data)
    starts = [(span[0], span[1]) for span in spans]
    odd = any(b in data for b in _ODD_BREAKS)
    breaks = [match.end() for match in _BREAK.finditer(data)] if odd else []
    line = counted = 0  # without odd breaks: the lines counted up to offset `counted`
    for offset in _candidates(data):
        if odd:
            line = bisect_right(breaks, offset)  # 0-based, as the marks
            begins = breaks[line - 1] if line else 0
            end = breaks[line] if line < len(breaks) else len(data)
        else:
            line += data.count(b"\n", counted, offset)
            counted = offset
            begins = data.rfind(b"\n", 0, offset) + 1
            end = data.find(b"\n", offset)
            end = len(data) if end < 0 else end
        column = len(data[begins:offset].decode("utf-8", "replace"))
        inside = bisect_right(starts, (line, column)) - 1
        if inside >= 0 and (line, column) < spans[inside][2:]:
            continue  # in a value
        text = data[offset:end].decode("utf-8", "replace").rstrip("\r\n\x85\u2028\u2029")
        _add(found, text, shown, line + 1, column + 1)
    return found


def ini_accept_comments(text: str, shown: str) -> AcceptComments:
    """The accept comments of an INI inventory as Ansible reads it (lines as
    `str.splitlines` makes them): a line that starts with `#`, or the rest of a line
    from the first `#` outside quotes (shlex's comments)."""
    found: AcceptComments = {}
    if "spoflint:" not in text:
        return found
    for number, line in enumerate(text.splitlines(), 1):
        if "spoflint:" in line:
            start = _ini_comment(line)
            candidate = _INI_CANDIDATE.search(line[start:]) if start is not None else None
            if start is not None and candidate is not None:
                column = start + candidate.start()
                _add(found, line[column:], shown, number, column + 1)
    return found


def _ini_comment(line: str) -> int | None:
    """Where the comment of an INI line starts (0-based), if it has one."""
    quote = ""
    escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#":
            return index
    return None


def _add(found: AcceptComments, comment: str, shown: str, line: int, column: int) -> None:
    """One comment (its text from the `#`): each rule it accepts, with the reason; a
    comment that is not an accept comment (`# spoflint: see ...`) is none."""
    match = _ACCEPT.match(comment)
    if match is None:
        return
    rules = [rule.strip() for rule in match[1].split(",")]
    reason = match[2].strip()
    if not all(rules) or not reason:
        raise InputError(
            shown, line, column, "write `# spoflint: accept RULE-ID reason`: the rule and a reason are required"
        )
    for rule in dict.fromkeys(rules):
        found.setdefault(line, []).append((rule, reason, column))


def _spans(data: bytes) -> Spans:
    """The scalars' spans of a text parsed again (a caller that built it some other way)."""
    spans: Spans = []
    try:
        for _ in noting(yaml.parse(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), spans):
            pass
    except yaml.YAMLError:  # deeper than libyaml goes: the pure-Python parser streams
        spans.clear()
        for _ in noting(yaml.parse(data, Loader=yaml.SafeLoader), spans):
            pass
    return spans
