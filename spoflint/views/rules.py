"""The rules page, `docs/rules.md`, generated from the rule docstrings.

A rule's docstring is its documentation: the summary line, why it matters, its options
and one failing and one passing example (the test suite runs both). `markdown` renders
every rule of a registry table, in id order, as one Markdown page: a short introduction,
an index table, then one section per rule with its id, name, default severity and whole
docstring. The page is never edited by hand, so it cannot drift from the rules:

    spoflint rules --format markdown > docs/rules.md

and tests/views/test_rules_page.py fails when the committed page differs from what
`markdown` renders now.
"""

from __future__ import annotations

import re

from ..registry import Rule

REGENERATE = "spoflint rules --format markdown > docs/rules.md"

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
