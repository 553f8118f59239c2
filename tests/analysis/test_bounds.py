"""Size in one dimension: tiny files that ask for a lot, run in a child process with a
memory limit (RLIMIT_AS) and a generous time limit, so a bound that breaks fails the
test instead of the machine.

Each generator grows one dimension of an input (replicas, host ranges, the length of a
line, the depth of a chain) past what a careless reader or analysis allocates for; the
command must finish inside the limits with an answer or a one-line input error (exit
2), never a traceback.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

MEMORY = 1 << 30  # address space for the child: well under what a copy per element would need
SECONDS = 120  # generous: the bounds are on work, and the machine is shared


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def spoflint(*args: object, cwd: Path) -> subprocess.CompletedProcess:
    """`python -m spoflint *args` with at most MEMORY bytes of address space."""
    return subprocess.run(
        [sys.executable, "-m", "spoflint", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=SECONDS,
        preexec_fn=_limited,
    )


def one_line_error(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- replicas and host counts from the readers --------------------------------------------

DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: %d}\n"


@pytest.mark.parametrize("replicas", [10**9, 5_001])
def test_a_deployment_of_a_billion_replicas_is_an_error_at_the_count(tmp_path, replicas):
    path = write(tmp_path / "k8s" / "web.yaml", DEPLOYMENT % replicas)
    line = one_line_error(spoflint("check", path, cwd=tmp_path), f"{replicas:,} replicas", "5,000 nodes")
    assert line.startswith("k8s/web.yaml:4:18: ")


def test_a_deployment_sitting_in_a_checked_folder_is_counted_too(tmp_path):
    write(tmp_path / "deploy" / "web.yaml", DEPLOYMENT % 10**9)
    result = spoflint("check", ".", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr[-2000:]
    assert "deploy/web.yaml:4:18: 1,000,000,000 replicas" in result.stderr


def test_five_thousand_replicas_are_modelled(tmp_path):
    path = write(tmp_path / "k8s" / "web.yaml", DEPLOYMENT % 5_000)
    result = spoflint("check", "--format", "concise", path, cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    assert "Traceback" not in result.stderr


def test_a_swarm_service_one_per_node_of_a_billion_replicas_is_an_error(tmp_path):
    stack = (
        "services:\n  web:\n    image: nginx\n"
        "    deploy: {replicas: 1000000000, placement: {max_replicas_per_node: 1}}\n"
    )
    path = write(tmp_path / "docker-stack.yml", stack)
    line = one_line_error(spoflint("check", path, cwd=tmp_path), "1,000,000,000 replicas")
    assert line.startswith("docker-stack.yml:4:24: ")


def test_a_compose_project_of_a_billion_replicas_on_one_host_is_a_pool(tmp_path):
    """Plain Compose runs replicas on one Docker host: a count, nothing expanded."""
    text = "services:\n  web:\n    image: nginx\n    build: .\n    deploy: {replicas: 1000000000}\n"
    path = write(tmp_path / "compose.yaml", text)
    result = spoflint("check", "--format", "concise", path, cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr[-2000:]


@pytest.mark.parametrize("pattern", ["ctl[0:1000000000]", "c[0:99][0:99][0:99]", "c[a:z][0:9999]"])
def test_kolla_host_ranges_are_counted_before_they_are_expanded(tmp_path, pattern):
    path = write(tmp_path / "multinode", f"[control]\n{pattern}\n\n[compute]\n{pattern}\n")
    line = one_line_error(
        spoflint("check", "--input-format", "kolla-ansible", path, cwd=tmp_path), "more than 100,000 hosts"
    )
    assert line.startswith("multinode:2:1: "), line


def test_a_native_pool_of_a_billion_replicas_costs_nothing(tmp_path):
    text = (
        "version: 1\nnetwork: {internet: {kind: external}}\n"
        "hosts: {a: {nics: [internet]}, b: {nics: [internet]}}\n"
        "services: {web: {kind: nginx, pool: [a, b], replicas: 1000000000, spread: host}}\n"
    )
    result = spoflint("check", write(tmp_path / "t.yaml", text), cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr[-2000:]


# --- long lines ---------------------------------------------------------------------------


def test_a_long_kolla_line_reads_in_linear_time(tmp_path):
    """shlex grows a word a character at a time: a 4 MB host name took minutes."""
    name = "h" * (4 << 20)
    path = write(tmp_path / "multinode", f"[control]\n{name} ansible_host='10.0.0.1'\n")
    result = spoflint("check", "--input-format", "kolla-ansible", path, cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert result.returncode in (0, 1, 2), result.stderr[-2000:]


# --- long chains: single-failure sets shared, not copied ----------------------------------


def power_chain(n: int) -> str:
    """feed -> pdu-1 -> ... -> pdu-n -> a rack, its host and a switch, a public service."""
    lines = ["version: 1", "network:", "  internet: {kind: external}", f"  sw-1: {{kind: switch, power: [pdu-{n}]}}"]
    lines += ["links: [[internet, sw-1]]", "power:", "  feed: {kind: feed}", "  pdu-1: {kind: pdu, from: [feed]}"]
    lines += [f"  pdu-{i}: {{kind: pdu, from: [pdu-{i - 1}]}}" for i in range(2, n + 1)]
    lines += ["racks:", f"  rack-1: {{power: [pdu-{n}]}}", "hosts:", "  web-1: {rack: rack-1, nics: [sw-1]}"]
    lines += ["services:", "  web: {kind: nginx, state: stateless, hosts: [web-1], public: true}"]
    return "\n".join(lines) + "\n"


def _members_held(sf) -> int:
    """How many set members the analysis keeps: each plain set's and each spine's once."""
    from spoflint.analysis.shared_sets import Shared

    held, spines = 0, {}
    for value in sf.values.values():
        if isinstance(value, Shared):
            for s, _ in value.spine.levels(value.n):
                spines[id(s)] = s
        elif value:
            held += len(value)
    return held + sum(len(s.order) + len(s.base) for s in spines.values())


def test_a_power_chain_shares_its_single_failure_sets():
    """A copy per step holds n²/2 members (50 million for 10,000 PDUs); shared, a few per PDU."""
    from spoflint.analysis import Facts
    from tests.helpers import topology_of

    n = 10_000
    facts = Facts(topology_of(power_chain(n)))
    sf = facts.single_failures
    assert sf.size("web") == n + 6  # feed, the PDUs, rack-1, web-1, sw-1 and the two links
    assert sf.contains(f"pdu-{n}", "pdu-1") and not sf.contains("pdu-1", "pdu-2")
    assert sf.of("pdu-3") == {"feed", "pdu-1", "pdu-2", "pdu-3"}
    assert _members_held(sf) < 10 * n
    assert set(facts.single_failures.of("web")) >= {f"pdu-{i}" for i in range(1, n + 1)}


EXAMPLES = sorted(Path(__file__).resolve().parents[2].glob("fixtures/[A-Z]*/*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES[:400], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shared_sets_are_the_sets_copies_give(path, monkeypatch):
    """Every node's set, sharing from the smallest size and branching past one level,
    equals the set computed by copying (sharing off)."""
    from spoflint.analysis import shared_sets, single
    from spoflint.analysis.single import SingleFailures
    from spoflint.errors import InputError
    from spoflint.graph import build
    from tests.helpers import topology_of

    try:
        t = topology_of(path.read_text(encoding="utf-8"), path.name)
    except InputError:
        pytest.skip("a fixture of bad input")
    g = build(t)
    monkeypatch.setattr(single, "SHARE_FROM", 10**9)
    copied = SingleFailures(t, g)
    expected = {k: copied.of(k) for k in g.gates}
    monkeypatch.setattr(single, "SHARE_FROM", 1)
    monkeypatch.setattr(shared_sets, "DEPTH", 1)
    shared = SingleFailures(t, g)
    assert {k: shared.of(k) for k in g.gates} == expected
    assert all(shared.size(k) == len(v or ()) for k, v in expected.items())


def test_a_long_chain_is_shown_by_its_ends(tmp_path):
    """Each PDU of a chain is a SPOF001 whose chain runs to the service: past 20 elements
    a finding carries the first and last ten and how many are between."""
    from tests.helpers import findings

    path = write(tmp_path / "chain.yaml", power_chain(40))
    found = {f["subject"]: f for f in findings(str(path)) if f["rule"] == "SPOF001"}
    first = found["pdu-1"]
    assert first["chain"][:2] == ["pdu-1", "pdu-2"] and first["chain"][-2:] == ["web-1", "web"]
    assert len(first["chain"]) == 21 and first["chain"][10] == "... 22 more ..."
    assert "(pdu-1 -> pdu-2 -> " in first["message"] and "pdu-10 -> ... 22 more ... -> pdu-33 -> " in first["message"]
    assert "... 22 more ..." not in {r["subject"] for r in first["related"]}
    assert found["pdu-30"]["chain"] == [*(f"pdu-{i}" for i in range(30, 41)), "web-1", "web"]  # 13: whole
