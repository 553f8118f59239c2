"""Verified fixes (engine/fixes.py, engine/fixers/): each root finding gets the smallest
change that removes it, confirmed by running the analysis again on the changed model
(docs/analyses.md, "Fixes").

The planted case of issue 11 first: an operator's 40-element OpenStack description with
three mistakes (both PDUs fed from one UPS, one controller cabled to one switch, Galera
on two nodes) is three root causes, each with its fix. Then each kind of fix on a small
description, what gets none (derived and accepted findings), and the budget.
"""

from __future__ import annotations

import pytest

from spoflint import engine, registry
from spoflint.analysis import Facts
from spoflint.engine import fixes
from spoflint.findings import Finding
from spoflint.importers.assemble import read_topology
from spoflint.model import Topology
from tests.helpers import EXAMPLES, HIDDEN, accepted_topology, topology_of

PLANTED = EXAMPLES.parent / "stories" / "planted-mistakes.yaml"


def check(t: Topology, config: engine.Config | None = None) -> list[Finding]:
    return engine.check(t, config or engine.Config())


def one(found: list[Finding], rule: str, subject: str) -> Finding:
    (finding,) = [f for f in found if f.rule == rule and f.subject == subject]
    return finding


def root_of(found: list[Finding], finding: Finding) -> Finding:
    """The root of a finding's story (itself when it is one)."""
    if finding.cause is None:
        return finding
    (root,) = [f for f in found if f.fingerprint == finding.cause]
    return root


def fixed_by(found: list[Finding], rule: str, subject: str) -> str:
    """The one fix of the story a finding belongs to, which must remove that finding."""
    finding = one(found, rule, subject)
    root = root_of(found, finding)
    (fix,) = root.fixes
    assert finding.fingerprint in fix.removes and root.fingerprint in fix.removes
    return fix.change


# --- the planted case ----------------------------------------------------------------


def test_the_planted_mistakes_are_three_root_causes_each_with_a_verified_fix():
    t = read_topology([str(PLANTED)])
    assert len(t.section_of) - len(t.links) == 40  # the operator's 40 elements, cables aside
    found = check(t)
    ups = fixed_by(found, "SPOF001", "ups-a")
    assert ups.startswith("feed pdu-b from ups-b")  # the idle UPS, not a new one
    assert fixed_by(found, "NET001", "ctl-3").startswith("cable ctl-3 to tor-2")
    assert fixed_by(found, "STATE002", "galera") == "add a third galera member on ctl-3"
    stories = {root_of(found, f).fingerprint for f in found if f.rule != "MODEL003"}
    assert len(stories) == 3
    for root in (f for f in found if f.fingerprint in stories):
        assert len(root.fixes) == 1 and not root.fixes[0].new_element, root


def test_the_ups_fix_removes_the_whole_story():
    """Feeding pdu-b from ups-b clears the SPOF001 of ups-a and feed-a, and every PWR001
    and SVC002 that converge on them."""
    found = check(read_topology([str(PLANTED)]))
    root = one(found, "SPOF001", "ups-a")
    story = {f.fingerprint for f in found if f.cause == root.fingerprint} | {root.fingerprint}
    assert {f.rule for f in found if f.fingerprint in story} >= {"SPOF001", "PWR001", "SVC002"}
    assert story <= set(root.fixes[0].removes)


def test_applying_the_planted_fixes_leaves_a_clean_description():
    t = read_topology([str(PLANTED)])
    before = check(t)
    for v in fixes.verify(before, Facts(t), engine.Config()):
        t = v.candidate.apply(t)
    left = {(f.rule, f.subject) for f in check(t) if f.severity != "note"}
    assert left == set()


def test_the_text_report_shows_the_fix_under_its_root(in_repo):
    from tests.helpers import invoke

    out = invoke("check", str(PLANTED.relative_to(EXAMPLES.parents[1]))).stdout
    assert "fix: feed pdu-b from ups-b instead of ups-a" in out
    assert "fix: cable ctl-3 to tor-2" in out
    assert "fix: add a third galera member on ctl-3" in out


# --- each kind of fix ------------------------------------------------------------------

RACKS = """\
version: 1
entrypoints: [internet]
power:
  feed-a: {kind: feed}
  feed-b: {kind: feed}
  pdu-a: {kind: pdu, from: [feed-a]}
  pdu-b: {kind: pdu, from: [feed-b]}
racks:
  rack-1: {power: [pdu-a, pdu-b]}
  rack-2: {power: [pdu-a, pdu-b]}
network:
  internet: {kind: external}
  sw-1: {kind: switch, rack: rack-1}
  sw-2: {kind: switch, rack: rack-2}
links: [[internet, sw-1], [internet, sw-2]]
hosts:
  ctl-1: {rack: rack-1, nics: [sw-1, sw-2]}
  ctl-2: {rack: rack-1, nics: [sw-1, sw-2]}
  ctl-3: {rack: rack-2, nics: [sw-1, sw-2]}
  osd-1: {rack: rack-1, nics: [sw-1, sw-2]}
  osd-2: {rack: rack-2, nics: [sw-1, sw-2]}
  osd-3: {rack: rack-2, nics: [sw-1, sw-2]}
storage:
  ceph: {kind: ceph, hosts: [osd-1, osd-2, osd-3], replicas: 2, min_replicas: 1}
services:
  keystone: {kind: keystone-api, hosts: [ctl-1, ctl-2], access: client-list}
  web: {kind: nginx, state: stateless, pool: [ctl-1, ctl-2, ctl-3], replicas: 2, access: client-list, storage: [ceph]}
"""


def fixes_of(text: str, rule: str, subject: str, key: str = "") -> list[tuple[str, bool]]:
    found = check(topology_of(text, "t.yaml"))
    chosen = [f for f in found if f.rule == rule and f.subject == subject and f.cause is None]
    if key:
        from spoflint.findings import fingerprint

        chosen = [f for f in chosen if f.fingerprint == fingerprint(rule, "t.yaml", subject, key)]
    (finding,) = chosen
    return [(fix.change, fix.new_element) for fix in finding.fixes]


def test_cables_to_the_switch_that_survives():
    found = check(read_topology([str(HIDDEN)]))
    assert fixed_by(found, "SPOF001", "sw-1") == "cable ctl-1, ctl-2 and ctl-3 to sw-2 (add sw-2 to their `nics`)"


def test_a_second_power_input():
    found = check(read_topology([str(HIDDEN)]))
    assert fixed_by(found, "PWR001", "ctl-3") == "also power ctl-3 from pdu-a (`power: [pdu-b, pdu-a]`)"


def test_an_instance_outside_the_rack():
    assert fixes_of(RACKS, "SPOF001", "rack-1") == [
        (
            "set `spread: host` on web; set `replicas: 3` on web; add an instance of keystone on ctl-3 (outside rack-1)",
            False,
        )
    ]


def test_a_spread_the_pool_can_keep():
    """`spread: host` leaves both replicas of web free to sit in rack-1; `spread: rack` does not."""
    assert fixes_of(RACKS, "SVC002", "web") == [
        ("set `spread: rack` on web (replicas in different racks: a required anti-affinity)", False)
    ]


def test_storage_replicas_and_min_replicas():
    assert fixes_of(RACKS, "STATE005", "ceph", key="replicas") == [("set `replicas: 3` on ceph", False)]
    # `min_replicas: 2` alone would stop writes at the first failure of two copies (new
    # SPOF001s), so it is proposed with the third copy
    assert fixes_of(RACKS, "STATE005", "ceph", key="min_replicas") == [
        ("set `replicas: 3` on ceph; set `min_replicas: 2` on ceph", False)
    ]


def test_a_vip_for_a_load_balancer():
    assert fixes_of(registry.rules()["SVC004"].examples["Fails"], "SVC004", "lb") == [
        ("give lb a `vip` (`vip: keepalived`)", False)
    ]


def test_a_new_element_when_nothing_that_exists_survives():
    """Two Galera members and no third host: a new host like the others, said as such."""
    assert fixes_of(registry.rules()["STATE002"].examples["Fails"], "STATE002", "db") == [
        ("add a host db-3 like db-2 (rack, power and nics); add a third db member on db-3", True)
    ]
    assert fixes_of(registry.rules()["SPOF001"].examples["Fails"], "SPOF001", "sw-1") == [
        ("add a second switch sw-2, cabled and powered as sw-1 is, and cable web-1 and web-2 to it", True)
    ]


def test_no_fix_that_only_adds_another_single_copy():
    """One PostgreSQL on one host: a second instance would keep a second only copy (a new
    SPOF002), so no fix is proposed rather than a wrong one."""
    assert fixes_of(registry.rules()["SPOF002"].examples["Fails"], "SPOF001", "db-1") == []


# --- who gets a fix ------------------------------------------------------------------------


def test_only_root_findings_that_count_get_fixes():
    found = check(read_topology([str(PLANTED)]))
    assert all(not f.fixes for f in found if f.cause is not None)
    accepted = check(topology_of(accepted_topology('{SPOF001: "the lab has one feed"}'), "a.yaml"))
    feed = one(accepted, "SPOF001", "feed-a")
    assert feed.suppressed and not feed.fixes


def test_no_fix_in_terms_a_foreign_file_cannot_take():
    """A Compose project's findings get none: the fixes are said in the native format's
    terms (`pool`, `spread`, `vip`, new hosts), which a Compose file cannot take."""
    compose = EXAMPLES.parent / "import" / "compose" / "blog.compose.yaml"
    found = check(read_topology([str(compose)]))
    assert any(f.rule == "SPOF001" and f.cause is None for f in found)
    assert not any(f.fixes for f in found)


def test_rules_without_fixes_and_rules_that_did_not_run():
    found = check(read_topology([str(PLANTED)]), engine.Config(ignore=frozenset({"NET001"})))
    assert not any(f.rule == "NET001" for f in found)
    assert all(not f.fixes for f in found if f.rule in ("MODEL003", "SPOF003", "SPOF004"))


# --- the budget ------------------------------------------------------------------------------


def test_the_work_is_bounded_by_counts(monkeypatch):
    """At most `min(PER_RUN, WORK // cost)` re-analyses, whatever the number of roots,
    where the cost is the check's own analysis counted in work (fault-graph nodes and
    the steps its explanations walked): with one, only the first root in budget order
    is tried (the error that explains the most findings); with none, no fix and no
    re-analysis."""
    t = read_topology([str(PLANTED)])
    confirmed: list = []
    real = fixes._Checker.confirm
    monkeypatch.setattr(fixes._Checker, "confirm", lambda self, c, cur: confirmed.append(c) or real(self, c, cur))
    costs: list[int] = []
    real_cost = fixes._cost
    monkeypatch.setattr(fixes, "_cost", lambda facts: costs.append(real_cost(facts)) or costs[-1])
    check(t)
    cost = costs[-1]
    assert cost > len(t.section_of)  # more than one node per element, and the walks
    monkeypatch.setattr(fixes, "WORK", cost)
    confirmed.clear()
    with_fix = [f for f in check(t) if f.fixes]
    assert len(confirmed) == 1 and costs[-1] == cost
    assert [(f.rule, f.subject) for f in with_fix] == [("SPOF001", "ups-a")]
    monkeypatch.setattr(fixes, "WORK", cost - 1)
    confirmed.clear()
    assert not any(f.fixes for f in check(t)) and not confirmed


def test_a_chain_of_single_points_costs_its_walks():
    """2,000 PDUs in a row: 2,000 findings whose explanations walk the chain make one
    re-analysis cost far more than its 2,000 elements, so the budget allows one at most."""
    from spoflint.analysis import Facts
    from tests.analysis.test_bounds import power_chain
    from tests.helpers import topology_of

    t = topology_of(power_chain(2000))
    facts = Facts(t)
    for e, point in facts.single_points.items():
        if point.services:
            facts.lost_together(e)
    assert fixes._cost(facts) > 20 * len(t.section_of)
    assert fixes.WORK // fixes._cost(facts) <= 1


def test_same_input_same_fixes():
    t = read_topology([str(HIDDEN)])
    first = [(f.fingerprint, f.fixes) for f in check(t)]
    assert first == [(f.fingerprint, f.fixes) for f in check(t)]


@pytest.mark.parametrize("rule", sorted(fixes.COVERED))
def test_explain_shows_the_kinds_of_fix(rule):
    from spoflint.engine.fixers import PROPOSERS

    assert set(PROPOSERS) == set(fixes.COVERED)
    doc = registry.rules()[rule].doc
    tail = doc.rsplit("```", 1)[-1]
    assert "Fixes:" in tail, f"{rule}'s docstring ends without a `Fixes:` paragraph"


def test_an_nfs_server_is_not_fixed_by_more_hosts():
    """An NFS export keeps one copy on its server: listing more hosts under it would be
    true to the model and false to NFS, so no such fix is offered (hidden-spof's nfs-1)."""
    found = check(read_topology([str(HIDDEN)]))
    assert not [x for x in one(found, "SPOF001", "nfs-1").fixes if "hosts of storage" in x.change]
    ceph = """\
version: 1
hosts: {s1: {}, s2: {}}
storage:
  pool: {kind: ceph, hosts: [s1], replicas: 1}
services:
  db: {kind: mariadb, hosts: [s2], storage: [pool]}
"""
    assert any("hosts of storage pool" in change for change, _ in fixes_of(ceph, "SPOF001", "s1"))
