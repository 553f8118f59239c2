"""The rules page, `docs/rules.md`, generated from the rule docstrings.

A rule's docstring is its documentation: the summary line, why it matters, its options
and one failing and one passing example (the test suite runs both). `markdown` renders
every rule of a registry table, in id order, as one Markdown page: a short introduction,
an index table, then one section per rule with its id, name, default severity and whole
docstring. The page is never edited by hand, so it cannot drift from the rules:

    spoflint rules --format markdown > docs/rules.md

and tests/views/test_rules_page.py fails when the committed page differs from what
`markdown` renders now.

`url(rule)` is the address of a rule's section on that page, for SARIF's `helpUri` and
JSON's `url`: the `Rules` entry of the package's `[project.urls]` (pyproject.toml), then
the heading's anchor. Only the built-in pack's rules are on the page; others have none.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import installed
from ..registry import BUILTIN, Rule

REGENERATE = "spoflint rules --format markdown > docs/rules.md"
# pyproject.toml's [project.urls] Rules, for a source checkout with no installed metadata
RULES_PAGE = "https://github.com/spoflint/spoflint/blob/main/docs/rules.md"


@lru_cache(maxsize=1)
def rules_page() -> str:
    """The rules page's address: the installed package's `Project-URL: Rules, ...`."""
    for label, address in installed.project_urls():
        if label.lower() == "rules" and address:
            return address
    return RULES_PAGE


def url(rule: Rule) -> str | None:
    """The address of the rule's section of the rules page (None: not on that page)."""
    if rule.pack != BUILTIN or rule.local:
        return None
    return f"{rules_page()}#{_anchor(_heading(rule))}"


# Written once here rather than in a rule: what holds for every rule.
INTRODUCTION = """\
Every rule spoflint runs, in id order. Rule ids are fixed: they go into config files,
acceptances and baselines, so an id is never renamed or reused. Each rule also has a
kebab-case name, which the command line, the configuration and `accept` take as well
as the id. The severity shown is the default;
the configuration can change it, select or ignore rules by id, name or id prefix, and
set a rule's options (see [Configuration](configuration.md)). `spoflint explain RULE`
prints the same documentation in the terminal, and `spoflint rules` lists the table.

The rules draw on the OpenStack HA Guide (intro and controller, storage and networking
chapters), Ceph's operations guide, and what Kubernetes and IaC linters check one object
at a time (kube-score, kube-linter, Polaris, Checkov): spoflint checks the same things
across the whole graph. The `Fails:` and `Passes:` examples of every rule are run by the
test suite, so they show what the rule really does.

**Causes and effects.** Several rules can describe one fault from two sides: NET001
says a host has one switch, SPOF001 that the switch takes a service down; PWR001 that
two PDUs meet at one UPS, SPOF001 that the UPS is a single point of failure. Each
finding stands on its own (its own rule, subject and fingerprint, so each can be
accepted or baselined separately), and its message names the element SPOF001 flags
where there is one ("...; SPOF001 flags sw-1"). SPOF001 and SPOF002 name each other
when one element does both. No finding hides another.
"""


def to_text(table: dict[str, Rule]) -> str:
    """`spoflint rules`: an aligned table, one rule a line (id, name, default severity,
    summary), with a header; the summary runs to the end of the line."""
    lines = [("id", "name", "severity", "summary")] + [
        (rule.id, rule.name, rule.severity, rule.summary) for rule in table.values()
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(3)]
    return "".join("  ".join(c.ljust(w) for c, w in zip(line, widths)) + "  " + line[3] + "\n" for line in lines)


def to_json(table: dict[str, Rule]) -> str:
    """`spoflint rules --format json`: `{"format": "spoflint-rules", "version": 1,
    "rules": [...]}`, each rule with its id, name, default severity, summary, options
    (their defaults), pack (`local`: from the config's rule-paths) and documentation url
    (null off the rules page)."""
    import json

    document = {
        "format": "spoflint-rules",
        "version": 1,
        "rules": [
            {
                "id": rule.id,
                "name": rule.name,
                "severity": rule.severity,
                "summary": rule.summary,
                "options": rule.options,
                "pack": "local" if rule.local else rule.pack,  # a local rule's pack is its file
                "url": url(rule),
            }
            for rule in table.values()
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def markdown(table: dict[str, Rule]) -> str:
    """The rules page for every rule in `table` (id -> rule, as `spoflint.registry.rules()`
    returns it): header, introduction, index table, then one section per rule, by id."""
    ordered = [table[rule_id] for rule_id in sorted(table)]
    parts = [
        "# Rules\n",
        f"*This page is generated from the rule docstrings; do not edit it. Regenerate it with `{REGENERATE}`.*\n",
        INTRODUCTION,
        _index(ordered),
        *(_section(rule) for rule in ordered),
    ]
    return "\n".join(parts)


def _index(ordered: list[Rule]) -> str:
    """One table row per rule: id (linked to its section), name, severity, summary."""
    rows = ["| id | name | default severity | summary |", "|---|---|---|---|"]
    for rule in ordered:
        link = f"[{rule.id}](#{_anchor(_heading(rule))})"
        rows.append(f"| {link} | `{rule.name}` | {rule.severity} | {_cell(rule.summary)} |")
    return "\n".join(rows) + "\n"


def _section(rule: Rule) -> str:
    """A rule's heading, its default severity, and its whole docstring (already Markdown)."""
    return f"## {_heading(rule)}\n\nDefault severity: **{rule.severity}**.\n\n{rule.doc.strip()}\n"


def _heading(rule: Rule) -> str:
    return f"{rule.id} {rule.name}"


def _anchor(heading: str) -> str:
    """The fragment GitHub gives a heading: lower case, punctuation dropped, spaces as dashes."""
    kept = re.sub(r"[^\w\- ]", "", heading.lower())
    return kept.replace(" ", "-")


def _cell(text: str) -> str:
    """Text that stays inside one Markdown table cell."""
    return text.replace("|", "\\|")
