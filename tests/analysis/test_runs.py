"""Walks that cross runs of steps to first inputs by bisection (analysis/runs.py) give
what walking them key by key gives: every chain, shown whole or by its ends, and every
group lost together, on every fixture, random power trees and random service chains;
and a 20,000-PDU chain and 2,000 services each needing the next check within a
memory limit."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from spoflint.analysis import Facts, chains, reasons
from spoflint.analysis.runs import Runs
from spoflint.errors import InputError
from tests.analysis.test_bounds import power_chain, spoflint, write
from tests.helpers import topology_of

FIXTURES = sorted(Path(__file__).resolve().parents[2].glob("fixtures/[A-Z]*/*.yaml"))


def _answers(facts: Facts) -> dict:
    """Every single point's chain (whole, and kept to 20 and 4) and groups lost together."""
    sf, out = facts.single_failures, {}
    for element, point in facts.single_points.items():
        for svc in point.services:
            out[element, svc] = [sf.chain(element, svc, keep) for keep in (None, 20, 4)]
            out[element, svc, "lost"] = [g.members for g in reasons.lost_together(sf, element, [svc])]
    return out


def _both(monkeypatch, text: str, name: str = "t.yaml") -> tuple[dict, dict, Facts]:
    """The answers walking key by key, and crossing every run of one-input gates."""
    monkeypatch.setattr(chains, "LONG", 10**9)
    monkeypatch.setattr(reasons, "LONG", 10**9)
    walked = _answers(Facts(topology_of(text, name)))
    monkeypatch.setattr(chains, "LONG", 0)
    monkeypatch.setattr(reasons, "LONG", 0)
    facts = Facts(topology_of(text, name))
    return walked, _answers(facts), facts


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_runs_give_the_walks_answers_on_every_fixture(path, monkeypatch):
    try:
        walked, crossed, _ = _both(monkeypatch, path.read_text(encoding="utf-8"), path.name)
    except InputError:
        pytest.skip("a fixture of bad input")
    assert crossed == walked


def power_tree(seed: int) -> str:
    """A feed, a random tree of PDUs under it (some feeding several), hosts on random
    PDUs, some with a second PDU, behind one switch; a public service over them."""
    rng = random.Random(seed)
    n = rng.randint(5, 60)
    lines = ["version: 1", "network:", "  internet: {kind: external}", "  sw-1: {kind: switch, power: [pdu-0]}"]
    lines += ["links: [[internet, sw-1]]", "power:", "  feed: {kind: feed}", "  pdu-0: {kind: pdu, from: [feed]}"]
    lines += [f"  pdu-{i}: {{kind: pdu, from: [pdu-{rng.randrange(max(0, i - 3), i)}]}}" for i in range(1, n)]
    hosts = rng.randint(1, 4)
    lines += ["hosts:"]
    for h in range(hosts):
        power = sorted({f"pdu-{rng.randrange(n)}" for _ in range(rng.choice((1, 1, 2)))})
        lines.append(f"  web-{h}: {{power: [{', '.join(power)}], nics: [sw-1]}}")
    need = rng.randint(1, hosts)
    names = ", ".join(f"web-{h}" for h in range(hosts))
    lines += ["services:", f"  web: {{kind: nginx, state: stateless, hosts: [{names}], quorum: {need}, public: true}}"]
    return "\n".join(lines) + "\n"


def service_chain(seed: int) -> str:
    """Services each needing the next (the first dependency is a step to a first input),
    on random hosts and PDUs of a short chain, some hosts on two."""
    rng = random.Random(seed)
    n, pdus = rng.randint(3, 40), rng.randint(1, 8)
    lines = ["version: 1", "network: {internet: {kind: external}}", "power:", "  feed: {kind: feed}"]
    lines += [f"  p{i}: {{kind: pdu, from: [{'feed' if i == 0 else f'p{i - 1}'}]}}" for i in range(pdus)]
    lines += ["hosts:"]
    for h in range(4):
        power = sorted({f"p{rng.randrange(pdus)}" for _ in range(rng.choice((1, 2)))})
        lines.append(f"  h{h}: {{power: [{', '.join(power)}], nics: [internet]}}")
    lines += ["services:"]
    for i in range(n):
        hosts = sorted({f"h{rng.randrange(4)}" for _ in range(rng.randint(1, 2))})
        needs = [f"s{i + 1}"] + ([f"s{rng.randint(i + 1, n)}"] if rng.random() < 0.2 else [])
        lines.append(
            f"  s{i}: {{kind: nginx, hosts: [{', '.join(hosts)}], depends_on: [{', '.join(dict.fromkeys(needs))}]}}"
        )
    lines.append(f"  s{n}: {{kind: nginx, hosts: [h0, h1]}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(40))
def test_runs_give_the_walks_answers_on_random_service_chains(seed, monkeypatch):
    walked, crossed, facts = _both(monkeypatch, service_chain(seed))
    assert crossed == walked


@pytest.mark.parametrize("seed", range(60))
def test_runs_give_the_walks_answers_on_random_power_trees(seed, monkeypatch):
    walked, crossed, facts = _both(monkeypatch, power_tree(seed))
    assert walked and crossed == walked
    assert "runs" in vars(facts.single_failures)  # the walks did cross runs (built on first use)


def test_a_run_is_toured_once_and_bisected():
    facts = Facts(topology_of(power_chain(30)))
    runs = Runs(facts.graph.gates)
    downs = facts.single_failures.contains
    assert runs.last("pdu-30", lambda k: downs(k, "pdu-3")) == "pdu-3"
    assert runs.last("pdu-30", lambda k: downs(k, "feed")) == "feed"  # the end of the chain
    # web, its one-of-one instances gate, web-1#ok, web-1: whose first input, rack-1, pdu-7 leaves up
    assert runs.last("web", lambda k: downs(k, "pdu-7")) == "web-1"
    assert runs.element_steps("pdu-30", "pdu-3") == 27 and runs.element_steps("web-1#ok", "web-1") == 0
    down = list(runs.keys_down("pdu-30", "pdu-20"))
    assert down == [f"pdu-{i}" for i in range(30, 19, -1)] and list(runs.keys_up("pdu-20", "pdu-30")) == down[::-1]


def _checked(tmp_path: Path, text: str) -> list[dict]:
    """The findings of `check --format json` on `text`, run in a child with 1 GiB."""
    path = write(tmp_path / "chain.yaml", text)
    result = spoflint("check", path, "--format", "json", "-o", tmp_path / "out.json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]
    return json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["findings"]


@pytest.mark.slow
def test_a_chain_of_twenty_thousand_pdus_checks_within_a_gigabyte(tmp_path):
    """Each PDU's finding carries its chain by its ends, PWR001 names the first ten of
    what its box's power converges on, and the run stays inside 1 GiB of address space."""
    n = 20_000
    found = _checked(tmp_path, power_chain(n))
    spofs = {f["subject"]: f for f in found if f["rule"] == "SPOF001"}
    assert {f"pdu-{i}" for i in range(1, n + 1)} <= set(spofs)
    assert spofs["pdu-1"]["chain"][10] == f"... {n - 18:,} more ..." and len(spofs["pdu-1"]["chain"]) == 21
    assert spofs[f"pdu-{n}"]["chain"] == [f"pdu-{n}", "web-1", "web"]
    power = [f for f in found if f["rule"] == "PWR001"]
    assert power and all(len(f["message"]) < 1000 and "more" in f["message"] for f in power)
    assert all(len(f["related"]) <= 50 for f in found)


@pytest.mark.slow
def test_two_thousand_services_each_needing_the_next_check_within_a_gigabyte(tmp_path):
    """The first service's chain runs through every other: each PDU's finding carries
    its ends, and the walks bisect the chain of services instead of walking it."""
    from tests.analysis.test_simulate_chains import _reversed_chains

    n = 2_000
    found = _checked(tmp_path, _reversed_chains(n))
    spofs = {f["subject"]: f for f in found if f["rule"] == "SPOF001"}
    assert {f"p{i}" for i in range(n + 1)} <= set(spofs)
    chain = spofs[f"p{n}"]["chain"]
    assert chain[:2] == [f"p{n}", f"p{n - 1}"] and chain[-2:] == ["s1", "s0"] and "more ..." in chain[10]
