"""The benchmark's estates, small: spoflint finds exactly what the generator planted,
whichever validation path a document takes, and the naive reference agrees (bench/run.py
itself: test_run.py).

Nothing here is timed (CI machines are noisy); bench/run.py measures.
"""

from __future__ import annotations

import copy
import json
import sys

import pytest

from spoflint import engine, model
from spoflint.errors import InputError
from spoflint.load import load_text
from spoflint.model import validation
from tests.helpers import REPO

BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import run  # noqa: E402


@pytest.fixture(scope="module", params=[2_000, pytest.param(10_000, marks=pytest.mark.slow)], ids=lambda n: f"{n}")
def estate(request, tmp_path_factory):
    text, planted = generate.generate(request.param)
    path = tmp_path_factory.mktemp("estate") / f"estate-{request.param}.yaml"
    path.write_text(text)
    return path, planted


def spofs(findings) -> dict[str, list[str]]:
    return {rule: sorted({f.subject for f in findings if f.rule == rule}) for rule in ("SPOF001", "SPOF002")}


def test_findings_are_exactly_the_planted_ones(estate):
    path, planted = estate
    assert spofs(engine.lint([path])) == planted
    assert planted["SPOF001"] and planted["SPOF002"]


def test_the_estate_is_valid_for_both_validation_paths(estate):
    path, _ = estate
    document = load_text(path.read_bytes(), path.name)
    assert validation.fast_check()(document) is True
    assert validation.schema_validator().is_valid(document) is True


def test_both_validation_paths_reject_a_broken_estate(estate):
    """Break one element deep in the estate: the fast check says no, jsonschema says no,
    and the error is the one jsonschema's errors explain (a located message)."""
    path, _ = estate
    document = load_text(path.read_bytes(), path.name)
    for section, key, value in (
        ("hosts", "nics", "sw 1"),
        ("storage", "replicas", True),
        ("services", "pool", ["h"]),
        ("racks", "power", "pdu"),
    ):
        broken = copy.copy(document)
        table = copy.copy(document[section])
        eid = list(table)[len(table) // 2]
        table[eid] = {**table[eid], key: value}
        broken[section] = table
        assert validation.fast_check()(broken) is False
        assert validation.schema_validator().is_valid(broken) is False
        with pytest.raises(InputError, match=key if key != "pool" else "replicas"):
            model.validate(broken)


def test_the_naive_reference_agrees_with_what_was_planted(tmp_path):
    text, planted = generate.generate(700)
    path = tmp_path / "small.yaml"
    path.write_text(text)
    output = tmp_path / "naive.json"
    assert run.naive(str(path), 600, str(output)) == 0
    assert json.loads(output.read_text()) == planted
