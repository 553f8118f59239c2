"""Every proposed fix does what it claims, on random topologies.

For each fix the engine attaches, the candidate it came from is applied to the model
and the whole check run again (`engine.check`, every rule): each finding the fix
claims to remove is gone, and no SPOF001 or SPOF002 finding appeared. The claims about
single points of failure are held to the brute-force reference too: on the changed
model, failing the element alone takes down no user-facing service that was up and
loses no data. The changed model must also be one the builder could have made: every
reference resolves, every element has a place.

Topologies come from the random generator of tests/analysis/test_oracle.py (careful
and careless designs, every layer, every service option), through YAML and the
builder as a user's file would.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, reject, settings

from spoflint import engine
from spoflint.analysis import Facts
from spoflint.analysis.reference import evaluate
from spoflint.engine import fixes
from spoflint.errors import InputError
from spoflint.model import DEFAULT_SCOPE, Topology
from tests.analysis.test_oracle import WITH_ZONES, as_yaml, topologies
from tests.helpers import topology_of


def consistent(t: Topology) -> list[str]:
    """What is wrong with a changed model that the builder would have refused or made differently."""
    problems = []
    ids = set(t.section_of)
    if ids != set(t.where):
        problems.append(
            f"placed but not elements: {sorted(set(t.where) - ids)}; unplaced: {sorted(ids - set(t.where))}"
        )
    for p in t.power.values():
        problems += [f"{p.id} is fed from unknown {s}" for s in p.sources if s not in t.power]
    for link in t.links.values():
        problems += [f"link {link.id} ends at unknown {e}" for e in (link.a, link.b) if e not in ids]
    for h in t.hosts.values():
        for lid in h.links:
            if lid not in t.links or h.id not in (t.links[lid].a, t.links[lid].b):
                problems.append(f"host {h.id} lists link {lid}, which does not end at it")
        if h.rack and "power" not in t.declared.get(h.id, ()) and h.power != t.racks[h.rack].power:
            problems.append(f"host {h.id} does not take the power of its rack {h.rack}")
    for svc in t.services.values():
        problems += [f"{svc.id} runs on unknown {h}" for h in (*svc.hosts, *svc.pool) if h not in t.hosts]
        if svc.hosts and "replicas" not in t.declared.get(svc.id, ()) and svc.replicas != len(svc.hosts):
            problems.append(f"{svc.id} has {svc.replicas} replicas on {len(svc.hosts)} hosts")
    for s in t.storage.values():
        problems += [f"storage {s.id} on unknown {h}" for h in s.hosts if h not in t.hosts]
    return problems


def _serving(t: Topology) -> set[str]:
    base = evaluate(t, set())
    return {s for s, svc in t.services.items() if svc.public and base.is_up(s)}


def check_fixes(doc: dict, scope: frozenset) -> int:
    """Every fix on this topology holds; how many there were."""
    try:
        t = topology_of(as_yaml(doc), "rand.yaml")
    except InputError:  # a description the builder refuses (say, a quorum it can never reach)
        reject()
    config = engine.Config(scope=scope)
    before = engine.check(t, config)
    by_print = {f.fingerprint: f for f in before}
    spofs = {f.fingerprint for f in before if f.rule in ("SPOF001", "SPOF002")}
    verified = fixes.verify(before, Facts(t, scope=scope), config)
    attached = {f.fingerprint: f.fixes for f in before if f.fixes}
    assert attached == {v.root: (v.fix,) for v in verified}, "the fixes attached are not the ones verified"
    for v in verified:
        changed = v.candidate.apply(t)
        shown = f"fix {v.fix.change!r} of {by_print[v.root].rule} {by_print[v.root].subject}\n{as_yaml(doc)}"
        assert not consistent(changed), "\n".join(consistent(changed)) + "\n" + shown
        after = {f.fingerprint: f for f in engine.check(changed, config)}
        assert v.root in v.fix.removes, shown
        kept = [fp for fp in v.fix.removes if fp in after]
        assert not kept, f"still there: {[(by_print[fp].rule, by_print[fp].subject) for fp in kept]}; {shown}"
        new = [f for fp, f in after.items() if f.rule in ("SPOF001", "SPOF002") and fp not in spofs]
        assert not new, f"new: {[(f.rule, f.subject) for f in new]}; {shown}"
        serving, lost_before = _serving(changed), set(evaluate(changed, set()).lost)
        assert serving >= _serving(t), f"down with nothing failed: {sorted(_serving(t) - serving)}; {shown}"
        for fp in v.fix.removes:
            removed = by_print[fp]
            if removed.rule not in ("SPOF001", "SPOF002") or not changed.can_fail(removed.subject, scope):
                continue
            result = evaluate(changed, {removed.subject})
            if removed.rule == "SPOF001":
                down = sorted(s for s in serving if not result.is_up(s))
                assert not down, f"brute force: failing {removed.subject} still downs {down}; {shown}"
            else:
                lost = sorted(set(result.lost) - lost_before)
                assert not lost, f"brute force: failing {removed.subject} still loses {lost}; {shown}"
    return len(verified)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies())
def test_fixes_remove_what_they_claim(doc):
    check_fixes(doc, DEFAULT_SCOPE)


@pytest.mark.slow
@pytest.mark.parametrize("scope", [DEFAULT_SCOPE, WITH_ZONES], ids=["default-scope", "zones-too"])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies())
def test_fixes_remove_what_they_claim_at_length(doc, scope):
    check_fixes(doc, scope)
