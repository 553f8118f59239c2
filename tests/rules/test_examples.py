"""The three shared examples must say what examples/README.md promises.

`fixtures/examples/` holds copies of ../shared/examples/{openstack-ha,single-controller,
hidden-spof}.yaml and expect.json. For each example, every "must" (rule, subject) is
found, no "never" one is, and "clean" means no finding of severity error or warning.
Subjects are matched exactly (a link written `a--b` is the link of that id). Every rule
the promises name is registered, so none is skipped: a promise about a rule that is not
registered fails (it would otherwise pass unchecked).
"""

from __future__ import annotations

import json
from functools import cache

import pytest

from spoflint import registry
from spoflint.engine import Config, lint
from tests.helpers import EXAMPLES, SHARED

SHARED_EXAMPLES = SHARED / "examples"
EXPECT = json.loads((EXAMPLES / "expect.json").read_text(encoding="utf-8"))


@cache
def findings_of(example: str):
    return tuple(lint([EXAMPLES / f"{example}.yaml"], Config()))


def _cases(kind: str):
    return [
        pytest.param(example, rule, tuple(subjects), id=f"{example}-{kind}-{rule}")
        for example, spec in sorted(EXPECT.items())
        for rule, subjects in sorted(spec.get(kind, {}).items())
    ]


def _registered(rule: str) -> None:
    assert rule in registry.rules(), f"expect.json makes promises about {rule}, which is not registered"


def test_every_example_has_expectations():
    files = {p.stem for p in EXAMPLES.glob("*.yaml")}
    assert files == set(EXPECT), f"examples and expect.json differ: {sorted(files ^ set(EXPECT))}"


@pytest.mark.skipif(not SHARED_EXAMPLES.is_dir(), reason="../shared/examples is not next to the repo")
@pytest.mark.parametrize("name", sorted(f"{e}.yaml" for e in EXPECT) + ["expect.json"])
def test_copies_match_shared_examples(name: str):
    assert (EXAMPLES / name).read_bytes() == (SHARED_EXAMPLES / name).read_bytes(), (
        f"fixtures/examples/{name} differs from ../shared/examples/{name}: copy it again"
    )


@pytest.mark.parametrize(("example", "rule", "subjects"), _cases("must"))
def test_must(example: str, rule: str, subjects: tuple[str, ...]):
    _registered(rule)
    found = {f.subject for f in findings_of(example) if f.rule == rule}
    missing = [s for s in subjects if s not in found]
    assert not missing, f"{example}: no {rule} finding for {missing} (found {sorted(found)})"


@pytest.mark.parametrize(("example", "rule", "subjects"), _cases("never"))
def test_never(example: str, rule: str, subjects: tuple[str, ...]):
    _registered(rule)
    wrong = [f for f in findings_of(example) if f.rule == rule and f.subject in subjects]
    assert not wrong, f"{example}: false positives:\n" + "\n".join(
        f"    {f.rule}@{f.subject}: {f.message}" for f in wrong
    )


@pytest.mark.parametrize("example", sorted(e for e, spec in EXPECT.items() if spec.get("clean")))
def test_clean(example: str):
    loud = [f for f in findings_of(example) if f.severity in ("error", "warning")]
    assert not loud, f"{example} should be clean:\n" + "\n".join(
        f"    {f.rule}@{f.subject} [{f.severity}]: {f.message}" for f in loud
    )
