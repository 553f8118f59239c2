"""`simulate`'s chains against `check`'s: a chain starts at what failed and ends at the
service, through elements, also where a host is cut off through cables that are up
(issue 17, item 6: such chains started at the host's cable); and deep chains are
evaluated without recursion (issue 16, item 5)."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings

from spoflint.analysis import Facts
from spoflint.analysis.simulation import chain, simulate
from tests.analysis.test_oracle import as_yaml, combinations, topologies
from tests.helpers import invoke, topology_of, write

EXAMPLES = int(os.environ.get("SPOFLINT_FUZZ_EXAMPLES", "40"))
CUT = """\
version: 1
network:
  internet: {kind: external}
  edge: {kind: router}
  sw: {kind: switch}
links:
  - [internet, edge]
  - [edge, sw]
hosts:
  h1: {nics: [sw]}
services:
  web: {kind: nginx, hosts: [h1], public: true}
"""


def _simulated_chain(path, failed: str) -> list[str]:
    result = invoke("simulate", "--format", "json", "--fail", failed, path)
    assert result.exit_code == 0, result.output
    (down,) = json.loads(result.stdout)["services_down"]
    return down["chain"]


def _checked_chain(path, subject: str) -> list[str]:
    result = invoke("check", "--format", "json", path)
    findings = json.loads(result.stdout)["findings"]
    (spof,) = [f for f in findings if f["rule"] == "SPOF001" and f["subject"] == subject]
    return spof["chain"]


def test_a_switch_cut_off_by_a_router_is_explained_from_the_router(tmp_path):
    path = write(tmp_path / "cut.yaml", CUT)
    assert _simulated_chain(path, "edge") == ["edge", "edge--sw", "sw", "h1--sw", "h1", "web"]
    assert _simulated_chain(path, "edge") == _checked_chain(path, "edge")


def test_a_cable_upstream_is_named_as_check_names_it(tmp_path):
    path = write(tmp_path / "cut.yaml", CUT)
    assert _simulated_chain(path, "internet--edge") == ["internet--edge", "sw", "h1--sw", "h1", "web"]
    assert _simulated_chain(path, "internet--edge") == _checked_chain(path, "internet--edge")


def test_text_output_names_the_failed_element_first(tmp_path):
    result = invoke("simulate", "--fail", "edge", write(tmp_path / "cut.yaml", CUT))
    assert "[edge -> edge--sw -> sw -> h1--sw -> h1 -> web]" in result.stdout


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=topologies())
def test_every_chain_starts_at_a_failed_element(doc):
    """Over the oracle's random topologies: one failure at a time (each single point of
    failure `check` reports) and a few sets of two or three, every service down has a
    chain from a failed element through elements to it."""
    t = topology_of(as_yaml(doc), "rand.yaml")
    problems = []
    failures = [[p.element] for p in Facts(t).single_points.values() if p.services]
    failures += [list(c) for c in combinations([e for e in t.section_of if t.can_fail(e)])]
    for failed in failures:
        sim = simulate(t, failed)
        for s in sim.newly_down:
            path = chain(sim.after, s)
            if path[0] not in failed or path[-1] != s or not set(path) <= set(t.section_of):
                problems.append(f"fail {failed}: chain {' -> '.join(path)}")
    assert not problems, "\n".join(problems) + "\n" + as_yaml(doc)


def _reversed_chains(n: int) -> str:
    """A power chain written downstream first and services each needing the next."""
    lines = ["version: 1", "power:"]
    lines += [f"  p{i}: {{kind: pdu, from: [p{i + 1}]}}" for i in range(n)] + [f"  p{n}: {{kind: feed}}"]
    lines += ["network: {internet: {kind: external}}", "hosts:"]
    lines += ["  h1: {power: [p0], nics: [internet]}", "  h2: {power: [p0], nics: [internet]}", "services:"]
    lines += [f"  s{i}: {{kind: nginx, hosts: [h1, h2], depends_on: [s{i + 1}]}}" for i in range(n)]
    lines += [f"  s{n}: {{kind: nginx, hosts: [h1, h2], public: true}}"]
    return "\n".join(lines) + "\n"


def test_simulate_evaluates_chains_deeper_than_the_stack(tmp_path):
    """3,000 deep (Python's stack stops at 1,000 frames): no RecursionError."""
    t = topology_of(_reversed_chains(3_000), "deep.yaml")
    sim = simulate(t, ["p2000"])
    assert len(sim.after.services_down) == 3_001  # p0 .. p1999 hang on it, the hosts on p0
    assert not sim.after.is_up("h1") and not sim.after.is_up("p0") and sim.after.is_up("p2001")
    assert chain(sim.after, "p0") == [f"p{i}" for i in range(2000, -1, -1)]
    deep = simulate(t, ["s2999"])
    assert set(deep.after.services_down) == {f"s{i}" for i in range(3_000)}


@pytest.mark.slow
def test_simulate_on_eight_thousand_services_each_needing_the_next_keeps_its_budget(tmp_path):
    """Each service's walk crosses every service after it: the explanations stop at
    their work budget, the user-facing ones first, and the report says how many are left
    unexplained; every service down is still listed, in a child with 1 GiB."""
    from tests.analysis.test_bounds import spoflint

    n = 8_000
    path = write(tmp_path / "deep.yaml", _reversed_chains(n))
    result = spoflint("simulate", path, "--fail", f"p{n - 1}", "--format", "json", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    doc = json.loads(result.stdout)
    down = {d["service"]: d for d in doc["services_down"]}
    assert len(down) == n + 1
    left = [s for s, d in down.items() if not d["explained"]]
    assert left and doc["notes"] == [
        f"{len(left):,} of the services down are not explained (no chain, no inputs lost together): their walks went past 2,000,000 steps"
    ]
    explained = [d for d in down.values() if d["explained"]]
    assert all(len(d["chain"]) <= 21 and d["chain"][0] == f"p{n - 1}" for d in explained)
    assert all(down[s]["chain"] == [] for s in left)
    assert all(d["explained"] for d in down.values() if d["public"])
