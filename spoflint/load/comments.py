"""`# spoflint: accept RULE reason` comments, found in the raw text by line. One comment
may accept several rules: `# spoflint: accept SPOF001,PWR001 one feed in the lab`."""

from __future__ import annotations

import re

from ..errors import InputError

AcceptComments = dict[int, list[tuple[str, str, int]]]  # line -> [(rule, reason, column)]

# the rules: one name, or several separated by commas (spaces around a comma allowed)
_ACCEPT = re.compile(rb"#\s*spoflint:\s*accept\b[ \t]*([^\s#,]*(?:[ \t]*,[ \t]*[^\s#,]*)*)[ \t]*([^\r\n]*)")


def accept_comments(data: bytes, shown: str) -> AcceptComments:
    """`# spoflint: accept RULE[,RULE...] reason` comments: line -> [(rule, reason, column)],
    one entry per rule named."""
    found: AcceptComments = {}
    if b"spoflint:" not in data:
        return found
    for match in _ACCEPT.finditer(data):
        line = data.count(b"\n", 0, match.start()) + 1
        column = match.start() - (data.rfind(b"\n", 0, match.start()) + 1) + 1
        rules = [rule.strip() for rule in match[1].decode("utf-8", "replace").split(",")]
        reason = match[2].decode("utf-8", "replace").strip()
        if not all(rules) or not reason:
            raise InputError(
                shown, line, column, "write `# spoflint: accept RULE-ID reason`: the rule and a reason are required"
            )
        for rule in dict.fromkeys(rules):
            found.setdefault(line, []).append((rule, reason, column))
    return found
