"""The rule registry: one explicit table built from the `spoflint.rules` entry points.

A rule pack is a Python package registered under that entry-point group whose `RULES`
lists its rule modules (the built-in pack in `rules/` is one like any other). A rule
module has a docstring (first line: the summary; then why it matters, its options and
one `Fails:` and one `Passes:` YAML example), constants `ID`, `NAME`, `SEVERITY`,
`OPTIONS`, and `check(facts, options)` yielding `Problem`s.
"""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from types import ModuleType
from typing import Callable

from .findings import SEVERITIES

GROUP = "spoflint.rules"
_ID = re.compile(r"^[A-Z]+[0-9]{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_EXAMPLE = re.compile(r"^(Fails|Passes):\s*\n+```yaml\n(.*?)^```", re.M | re.S)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str
    options: dict
    doc: str
    check: Callable
    pack: str

    @property
    def summary(self) -> str:
        """The docstring's first paragraph, on one line."""
        return " ".join(self.doc.split("\n\n", 1)[0].split())

    @property
    def examples(self) -> dict[str, str]:
        """The documented `Fails` and `Passes` topologies."""
        return {kind: text for kind, text in _EXAMPLE.findall(self.doc)}


class RuleError(Exception):
    """A rule pack that does not follow the interface (a bug in that pack)."""


def rule_from_module(module: ModuleType, pack: str) -> Rule:
    doc = inspect.getdoc(module) or ""
    try:
        rule = Rule(module.ID, module.NAME, module.SEVERITY, dict(getattr(module, "OPTIONS", {})),
                    doc, module.check, pack)
    except AttributeError as error:
        raise RuleError(f"rule module {module.__name__} lacks {error.name}") from None
    if not _ID.match(rule.id) or not _NAME.match(rule.name) or rule.severity not in SEVERITIES:
        raise RuleError(f"rule module {module.__name__}: bad id, name or severity")
    if not rule.summary:
        raise RuleError(f"rule {rule.id} has no documentation")
    return rule


@lru_cache(maxsize=1)
def rules() -> dict[str, Rule]:
    """Every installed rule by id, sorted by id."""
    found: dict[str, Rule] = {}
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        package = ep.load()
        for module in getattr(package, "RULES", ()):
            rule = rule_from_module(module, ep.name)
            if rule.id in found:
                raise RuleError(f"rule {rule.id} is registered twice ({found[rule.id].pack}, {ep.name})")
            found[rule.id] = rule
    return dict(sorted(found.items()))


def resolve(names) -> set[str]:
    """Rule ids for ids, names or id prefixes (`SPOF` selects every SPOF rule);
    raises KeyError naming an unknown one."""
    table = rules()
    by_name = {r.name: r.id for r in table.values()}
    out = set()
    for name in names:
        if name.upper() in table:
            out.add(name.upper())
        elif name in by_name:
            out.add(by_name[name])
        elif name and any(i.startswith(name.upper()) for i in table):
            out.update(i for i in table if i.startswith(name.upper()))
        else:
            raise KeyError(name)
    return out
