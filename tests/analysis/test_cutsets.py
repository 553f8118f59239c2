"""Minimal cut sets (spoflint.analysis.cutsets) against brute force.

On random topologies (the generator of test_oracle.py), for every user-facing service
up with nothing failed, the minimal cut sets up to K from the truncated bottom-up pass
must be exactly the minimal sets found by failing every subset of at most K candidates
with the reference evaluator (spoflint.analysis.reference) and minimising.
"""

from __future__ import annotations

import itertools
import json
import math

import pytest
from hypothesis import HealthCheck, assume, given, settings

from spoflint.analysis.cutsets import cut_sets
from spoflint.analysis.figures import element_availability
from spoflint.analysis.reference import evaluate
from spoflint.cli import run
from spoflint.model import DEFAULT_SCOPE
from tests.analysis.test_oracle import WITH_ZONES, as_yaml, topologies
from tests.helpers import HA, topology_of

EXAMPLE = HA
MAX_CANDIDATES = {2: 40, 3: 25}  # brute force at order 3 stays fast


def brute_force(t, order: int, scope: frozenset = DEFAULT_SCOPE) -> dict[str, set[frozenset]]:
    baseline = evaluate(t, set())
    serving = sorted(s for s, svc in t.services.items() if svc.public and baseline.is_up(s))
    candidates = sorted(e for e in t.section_of if t.can_fail(e, scope))
    found: dict[str, set[frozenset]] = {s: set() for s in serving}
    for size in range(1, order + 1):
        for combo in itertools.combinations(candidates, size):
            s = frozenset(combo)
            todo = [svc for svc in serving if not any(m <= s for m in found[svc])]  # supersets of a cut are not minimal
            if not todo:
                continue
            result = evaluate(t, s)
            for svc in todo:
                if not result.is_up(svc):
                    found[svc].add(s)
    return found


def compare(doc: dict, order: int, scope: frozenset = DEFAULT_SCOPE) -> None:
    """The same failure model as check: the candidates of `scope`, and its figures."""
    t = topology_of(as_yaml(doc), "rand.yaml")
    candidates = [e for e in t.section_of if t.can_fail(e, scope)]
    assume(len(candidates) <= MAX_CANDIDATES[order])
    expected = brute_force(t, order, scope)
    result = {r.service: r for r in cut_sets(t, order, scope)}
    assert set(result) == set(expected), (sorted(result), sorted(expected))
    for svc, want in expected.items():
        r = result[svc]
        assert not r.truncated
        got = {frozenset(s) for s in r.sets}
        assert got == want, (
            f"{svc} at order {order}:\n  missing {sorted(map(sorted, want - got))}\n"
            f"  extra {sorted(map(sorted, got - want))}\n" + as_yaml(doc)
        )
        sizes = [len(s) for s in r.sets]
        assert sizes == sorted(sizes)
        for s, p in zip(r.sets, r.probabilities):  # ranked by the figures availability uses
            assert p == pytest.approx(math.prod(1 - element_availability(t, e, scope) for e in s))


@pytest.mark.slow
@pytest.mark.parametrize("scope", [DEFAULT_SCOPE, WITH_ZONES], ids=["default-scope", "zones-too"])
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(doc=topologies())
def test_order_2_matches_brute_force(doc, scope):
    compare(doc, 2, scope)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(doc=topologies())
def test_order_3_matches_brute_force(doc):
    compare(doc, 3)


def test_openstack_example_pairs(capsys):
    assert run(["cutsets", str(EXAMPLE), "--order", "2", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    pairs = {frozenset(c["elements"]) for s in report["services"] for c in s["cut_sets"]}
    assert frozenset({"ctl-1", "ctl-2"}) in pairs
    assert frozenset({"sw-1", "sw-2"}) in pairs
    assert all(not s["truncated"] for s in report["services"])


def test_bad_input_exits_2(tmp_path, capsys):
    assert run(["cutsets", str(tmp_path / "missing.yaml")]) == 2
    assert run(["cutsets", str(EXAMPLE), "--order", "0"]) == 2


def test_max_sets_is_reported_as_truncation(capsys):
    assert run(["cutsets", str(EXAMPLE), "--order", "2", "--max-sets", "1", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert all(len(s["cut_sets"]) == 1 and s["truncated"] for s in report["services"])


def test_check_order_turns_on_spof005(capsys):
    fixture = str(EXAMPLE.parents[1] / "SPOF005" / "off-by-default.yaml")
    assert run(["check", fixture, "--select", "SPOF005"]) == 0
    assert "SPOF005" not in capsys.readouterr().out
    assert run(["check", fixture, "--select", "SPOF005", "--order", "2"]) == 0  # a note
    assert "SPOF005 [note] api goes down when 2 elements fail together" in capsys.readouterr().out


def test_ranking_reads_the_figures_table():
    """Sets of one size rank by the product of each element's 1 - availability, from the
    one table of figures (spoflint.analysis.figures); a zone counts, at its default,
    only where the failure scope includes zones."""
    from spoflint.analysis.figures import ZONE_IN_SCOPE, element_unavailability
    from spoflint.model import FAILING

    t = topology_of(
        "version: 1\nzones: {z1: {}, z2: {}}\nhosts:\n  h1: {zone: z1}\n  h2: {zone: z2, availability: 99}\n"
        "services:\n  web: {kind: nginx, hosts: [h1, h2], access: client-list}\n"
    )
    (default,) = cut_sets(t, 2)
    assert default.sets == (("h1", "h2"),)
    assert default.probabilities[0] == element_unavailability(t, "h1") * element_unavailability(t, "h2")
    (everything,) = cut_sets(t, 2, scope=frozenset(FAILING))
    assert everything.sets == (("h1", "h2"), ("h2", "z1"), ("h1", "z2"), ("z1", "z2"))
    assert element_unavailability(t, "z1", frozenset(FAILING)) == 1 - ZONE_IN_SCOPE / 100
    assert element_unavailability(t, "z1") == 0  # outside the default scope: it does not fail
