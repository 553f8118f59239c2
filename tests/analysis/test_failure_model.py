"""One failure model for every command, and the bounds of cutsets and availability.

docs/analyses.md, "The failure model": the same scope (the configuration's
`failure-scope`), the same candidates (`Topology.can_fail`) and the same figures
(spoflint.analysis.figures) for check, cutsets and availability; and every budget
counts work, says when it cut something short, and bounds memory (issue 16: wide
parallel structures are exact, deep chains do not recurse, order 3 on a 2k estate
stays under a memory limit).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap

import pytest

from spoflint.analysis import availability as av
from spoflint.analysis.figures import ZONE_IN_SCOPE
from spoflint.cli import run
from tests.helpers import REPO

ZONED = """\
version: 1
zones: {z1: {}, z2: {availability: 99}}
network:
  internet: {kind: external, availability: 90}
  edge: {kind: router, availability: 99.9}
links: [[internet, edge]]
hosts:
  h1: {zone: z1, nics: [edge], availability: 99}
  h2: {zone: z2, nics: [edge], availability: 99}
services:
  web: {kind: nginx, hosts: [h1, h2], access: client-list, public: true}
"""
WITH_ZONES = "failure-scope: [power, cooling, racks, network, links, hosts, storage, zones]\n"


def cli_json(capsys, *args: str) -> dict:
    assert run([*args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def zoned(tmp_path, monkeypatch):
    """A topology in a folder of its own (no configuration above it is found)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "t.yaml").write_text(ZONED)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def sets_of(report: dict) -> set[frozenset]:
    return {frozenset(c["elements"]) for s in report["services"] for c in s["cut_sets"]}


def test_cutsets_honour_the_configured_failure_scope(zoned, capsys):
    default = sets_of(cli_json(capsys, "cutsets", "t.yaml", "--order", "2"))
    assert {frozenset({"edge"}), frozenset({"h1", "h2"})} <= default
    assert not any(e.startswith("z") for s in default for e in s)
    (zoned / ".spoflint.yaml").write_text(WITH_ZONES)  # found as check finds it
    found = sets_of(cli_json(capsys, "cutsets", "t.yaml", "--order", "2"))
    assert {frozenset({"z1", "z2"}), frozenset({"h1", "z2"}), frozenset({"h2", "z1"})} <= found
    (zoned / ".spoflint.yaml").unlink()
    (zoned / "other.yaml").write_text(WITH_ZONES)
    named = sets_of(cli_json(capsys, "cutsets", "t.yaml", "--order", "2", "--config", "other.yaml"))
    assert named == found
    # check --order (SPOF005) reads the same sets, in the same scope
    assert run(["check", "t.yaml", "--select", "SPOF005", "--order", "2", "--config", "other.yaml"]) == 0
    assert "SPOF005" in capsys.readouterr().out
    from spoflint.analysis import Facts
    from spoflint.model import FAILING
    from tests.helpers import topology_of

    facts = Facts(topology_of(ZONED), frozenset(FAILING))
    assert {frozenset(s) for r in facts.cut_sets(2) for s in r.sets} == named


def test_availability_fails_only_candidates_in_scope(zoned, capsys):
    """An external node, an entry point and a zone outside the scope never fail, with a
    figure or without; a zone in the scope fails with its figure or the default."""
    (web,) = cli_json(capsys, "availability", "t.yaml")["services"]
    link = 0.99999  # the default for a cable: internet--edge, h1--edge, h2--edge
    hosts = 1 - (1 - 0.99 * link) ** 2
    assert web["exact"]
    assert web["availability_percent"] / 100 == pytest.approx(0.999 * link * hosts, abs=1e-12)  # not internet's 90
    (zoned / ".spoflint.yaml").write_text(WITH_ZONES)
    (web,) = cli_json(capsys, "availability", "t.yaml")["services"]
    z1 = ZONE_IN_SCOPE / 100  # z1 declares nothing; z2 its 99
    expected = 0.999 * link * (1 - (1 - z1 * 0.99 * link) * (1 - 0.99 * 0.99 * link))
    assert web["availability_percent"] / 100 == pytest.approx(expected, abs=1e-12)
    assert "z1" in {i["element"] for i in web["importance"]}


def test_cut_set_ranking_and_availability_use_the_same_figures(zoned, capsys):
    (zoned / ".spoflint.yaml").write_text(WITH_ZONES)
    report = cli_json(capsys, "cutsets", "t.yaml", "--order", "2")
    p = {frozenset(c["elements"]): c["probability"] for s in report["services"] for c in s["cut_sets"]}
    assert p[frozenset({"edge"})] == pytest.approx(0.001)
    assert p[frozenset({"h1", "z2"})] == pytest.approx(0.01 * 0.01)
    assert p[frozenset({"z1", "z2"})] == pytest.approx((1 - 0.99999) * 0.01)


def uplinks(n: int, objective: float = 99.9) -> str:
    switches = "".join(f"  sw{i}: {{kind: switch}}\n" for i in range(n))
    links = "".join(f"  - [internet, sw{i}]\n" for i in range(n))
    nics = ", ".join(f"sw{i}" for i in range(n))
    return (
        f"version: 1\nobjectives: {{availability: {objective}}}\nnetwork:\n  internet: {{kind: external}}\n"
        f"{switches}links:\n{links}hosts:\n  h1: {{nics: [{nics}]}}\n"
        "services:\n  web: {kind: nginx, hosts: [h1], public: true}\n"
    )


@pytest.mark.parametrize("n", [2, 18, 40])
def test_more_uplinks_never_add_a_finding(tmp_path, capsys, n):
    """Issue 16.8: 18 parallel uplinks gave a lower bound and OBJ001 fired."""
    path = tmp_path / "wide.yaml"
    path.write_text(uplinks(n))
    (web,) = cli_json(capsys, "availability", str(path))["services"]
    link_sw = 0.99999 * 0.9999
    up = 1 - (1 - link_sw * 0.99999) ** n  # each path: internet--sw, sw, h1--sw
    assert web["exact"]
    assert web["availability_percent"] / 100 == pytest.approx(0.9995 * up, abs=1e-12)
    run(["check", str(path), "--select", "OBJ001"])
    assert "OBJ001" not in capsys.readouterr().out


def test_a_bound_that_may_meet_the_objective_is_said_as_one(tmp_path, capsys, monkeypatch):
    path = tmp_path / "wide.yaml"
    path.write_text(uplinks(4, objective=99.9))
    monkeypatch.setattr(av, "MAX_WORK", 1)  # neither the diagram nor factoring can finish
    run(["check", str(path), "--select", "OBJ001"])
    out = capsys.readouterr().out
    assert "OBJ001" in out and "only bounded, between" in out and "may or may not meet" in out
    (web,) = cli_json(capsys, "availability", str(path))["services"]
    assert not web["exact"] and web["availability_percent"] <= 99.95 <= web["upper_percent"]


def test_a_deep_chain_is_exact_without_recursion(tmp_path, capsys):
    """Issue 16.5: RecursionError on 8,000-deep chains (availability and recovery)."""
    n = 8000
    hosts = "".join(f"  h{i}: {{}}\n" for i in range(n))
    services = "  s0: {kind: nginx, hosts: [h0]}\n" + "".join(
        f"  s{i}: {{kind: nginx, hosts: [h{i}], depends_on: [s{i - 1}], public: {str(i == n - 1).lower()}}}\n"
        for i in range(1, n)
    )
    path = tmp_path / "deep.yaml"
    path.write_text(f"version: 1\nhosts:\n{hosts}services:\n{services}")
    (last,) = cli_json(capsys, "availability", str(path))["services"]
    assert last["exact"]
    assert math.isclose(last["availability_percent"] / 100, 0.9995**n, rel_tol=1e-9)
    assert last["recovery_mechanism"] == "manual"


def test_one_node_cannot_hold_unbounded_sets(tmp_path, capsys):
    """Three hosts each behind its own chain of 50 PDUs: the ANY gate over them would
    hold 125,000 sets of three; it keeps MAX_PENDING at most and says so."""
    power = "".join(
        f"  p{h}-{i}: {{kind: pdu{', from: [p' + str(h) + '-' + str(i - 1) + ']' if i else ''}}}\n"
        for h in range(3)
        for i in range(50)
    )
    hosts = "".join(f"  h{h}: {{power: [p{h}-49]}}\n" for h in range(3))
    path = tmp_path / "chains.yaml"
    path.write_text(
        f"version: 1\npower:\n{power}hosts:\n{hosts}"
        "services:\n  web: {kind: nginx, hosts: [h0, h1, h2], access: client-list, public: true}\n"
    )
    (web,) = cli_json(capsys, "cutsets", str(path), "--order", "3")["services"]
    assert web["truncated"] and web["complete_order"] == 2 and web["cut_sets"] == []
    (web,) = cli_json(capsys, "cutsets", str(path), "--order", "2")["services"]
    assert not web["truncated"] and web["cut_sets"] == []


LIMITED = textwrap.dedent("""
    import resource, sys
    limit = int(sys.argv[1]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from spoflint.cli import run
    sys.exit(run(sys.argv[2:]))
""")


@pytest.mark.slow
def test_order_3_on_a_2k_estate_stays_under_a_memory_limit(tmp_path):
    """Issue 16.3: `cutsets --order 3` ran for minutes and gigabytes on a 2k estate."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    text, _ = generate(2000)
    path = tmp_path / "estate.yaml"
    path.write_text(text)
    argv = [sys.executable, "-c", LIMITED, "600", "cutsets", str(path), "--order", "3", "--format", "json"]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["services"]
    for service in report["services"]:  # cut short, and saying so: exact up to order 2
        assert service["truncated"] and service["complete_order"] == 2
        assert any(c["size"] == 2 for c in service["cut_sets"])


@pytest.mark.parametrize("command", ["cutsets", "availability"])
def test_a_bad_config_is_an_input_error(zoned, capsys, command):
    assert run([command, "t.yaml", "--config", "nope.yaml"]) == 2
    assert "--config nope.yaml: no such file" in capsys.readouterr().err
    (zoned / "bad.yaml").write_text("failure-scope: [bogus]\n")
    assert run([command, "t.yaml", "--config", "bad.yaml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bad.yaml:1:") and "bogus" in err and "Traceback" not in err
