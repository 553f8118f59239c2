"""Accepted risks: `accept:` written on an element, and `# spoflint: accept RULE reason`
comments on the line that declares it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..errors import InputError
from ..load import MarkedMap
from ..load.comments import AcceptComments
from .elements import Acceptance, Location, Places

if TYPE_CHECKING:
    from ..registry import Rule

Accepted = dict[str, tuple[Acceptance, ...]]  # element id -> the risks accepted on it


def written_acceptances(accept: MarkedMap) -> tuple[Acceptance, ...]:
    """`accept:` as written: rule -> reason, or rule -> {reason, until}; each knows where
    its rule is named."""
    out = []
    for rule, value in accept.items():
        at = _key_at(accept, rule)
        if isinstance(value, dict):
            out.append(Acceptance(rule, value["reason"], value.get("until"), at))
        else:
            out.append(Acceptance(rule, value, at=at))
    return tuple(out)


def _key_at(accept: MarkedMap, rule: str) -> Location | None:
    path = getattr(accept, "path", None)
    where = getattr(accept, "where", None)
    if not path or not where or rule not in where:
        return None
    line, column = accept.key_at(rule)
    return Location(path, line, column)


def unknown_rules(accepted: Accepted, table: Mapping[str, Rule]) -> list[InputError]:
    """The input errors of acceptances that name no rule (of `table`: every rule known,
    local ones too), in file order, each at the name with the rule it most likely meant:
    a typo would otherwise accept nothing and hide the risk it was written for. One with
    no place (a topology built in code) is left to MODEL002."""
    from ..registry import unknown_rule

    known = {r.id for r in table.values()} | {r.name for r in table.values()}
    bad = {
        (a.at.path, a.at.line, a.at.column, a.rule): a.at
        for acceptances in accepted.values()
        for a in acceptances
        if a.at is not None and a.rule.upper() not in known and a.rule not in known
    }
    return [
        InputError(at.path, at.line, at.column, f"accept: {unknown_rule(rule, table=table)}")
        for (_, _, _, rule), at in sorted(bad.items())
    ]


def add_comment_acceptances(documents: list[MarkedMap], where: Places, accepted: Accepted) -> None:
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
    for eid, (_, at_line, at_column, _, _, at_path) in where.raw.items():  # no Location made for each id
        if at_line in comments.get(at_path, {}):
            key = (at_path, at_line)
            first[key] = min(first.get(key, (at_column, eid)), (at_column, eid))
    for (path, line), (_, eid) in first.items():
        for rule, reason, column in comments[path][line]:
            accepted[eid] = accepted.get(eid, ()) + (Acceptance(rule, reason, at=Location(path, line, column)),)
    for path, lines in comments.items():
        for line, entries in sorted(lines.items()):
            if (path, line) not in first:
                raise InputError(
                    path,
                    line,
                    entries[0][2],
                    "a `# spoflint: accept` comment must stand on the line of the element it accepts",
                )
