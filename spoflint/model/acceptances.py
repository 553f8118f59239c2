"""Accepted risks: `accept:` written on an element, and `# spoflint: accept RULE reason`
comments on the line that declares it."""

from __future__ import annotations

from ..errors import InputError
from ..load import MarkedMap
from ..load.comments import AcceptComments
from .elements import Acceptance, Location

Accepted = dict[str, tuple[Acceptance, ...]]  # element id -> the risks accepted on it


def written_acceptances(accept: MarkedMap) -> tuple[Acceptance, ...]:
    """`accept:` as written: rule -> reason, or rule -> {reason, until}."""
    out = []
    for rule, value in accept.items():
        if isinstance(value, dict):
            out.append(Acceptance(rule, value["reason"], value.get("until")))
        else:
            out.append(Acceptance(rule, value))
    return tuple(out)


def add_comment_acceptances(documents: list[MarkedMap], where: dict[str, Location], accepted: Accepted) -> None:
    """Add to `accepted` the risks accepted by comments: a comment on an element's line
    accepts that risk on it; one on a line that declares no element is an InputError."""
    comments: dict[str, AcceptComments] = {}
    for document in documents:
        found = getattr(document, "comments", None)  # None or unset: not read from a file
        if found:
            comments[document.path] = found
    if not comments:
        return
    # The element a line declares is the one written first on it: `web-1: {nics:
    # [sw-1]}` also places the implied link web-1--sw-1 on that line, further right.
    first: dict[tuple[str, int], tuple[int, str]] = {}
    for eid, at in where.items():
        if at.line in comments.get(at.path, {}):
            key = (at.path, at.line)
            first[key] = min(first.get(key, (at.column, eid)), (at.column, eid))
    for (path, line), (_, eid) in first.items():
        for rule, reason, _ in comments[path][line]:
            accepted[eid] = accepted.get(eid, ()) + (Acceptance(rule, reason),)
    for path, lines in comments.items():
        for line, entries in sorted(lines.items()):
            if (path, line) not in first:
                raise InputError(
                    path,
                    line,
                    entries[0][2],
                    "a `# spoflint: accept` comment must stand on the line of the element it accepts",
                )
