"""docs/rules.md is generated from the rule docstrings: it must be exactly what
spoflint.views.rules.markdown renders from the registry now."""

from __future__ import annotations

import re
from pathlib import Path

from spoflint.registry import rules
from spoflint.views.rules import REGENERATE, markdown

PAGE = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_rules_page_is_up_to_date():
    expected = markdown(rules())
    written = PAGE.read_text(encoding="utf-8") if PAGE.is_file() else ""
    assert written == expected, (
        f"docs/rules.md is out of date with the rule docstrings: regenerate it with `{REGENERATE}`"
    )


def test_every_rule_has_a_section_in_id_order():
    page = markdown(rules())
    headings = re.findall(r"^## (\S+) (\S+)$", page, re.M)
    table = rules()
    assert [rule_id for rule_id, _ in headings] == sorted(table)
    assert all(table[rule_id].name == name for rule_id, name in headings)


def test_sections_hold_the_whole_docstring_and_the_index_links_to_them():
    page = markdown(rules())
    for rule in rules().values():
        assert rule.doc.strip() in page
        assert f"Default severity: **{rule.severity}**." in page
    for anchor in re.findall(r"\]\(#([^)]+)\)", page):
        assert re.search(rf"^## {anchor.replace('-', '[ -]', 1)}$", page, re.M | re.I), anchor


def test_the_page_says_it_is_generated_and_how_to_regenerate_it():
    header = markdown(rules()).splitlines()[:3]
    assert header[0] == "# Rules"
    assert REGENERATE in header[2]
