"""The sweep's loop in C (`analysis/_csweep.c`) held to the loop in Python (`_sweep`).

Both visit every fault-graph node in build order; the C loop decides the common
two-input gates itself and hands every other node to the same `_resolve` and `_combine`
as the Python loop. So for every node of every topology the two give the same value, of
the same kind: DOWN (None), a plain frozenset, or a set shared along a chain (`Shared`,
what estates with large sets make). The brute-force property tests (test_oracle.py) run
on whichever loop is built; these tests hold the one to the other.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spoflint import graph as fg
from spoflint.analysis import Facts, single
from spoflint.analysis.shared_sets import SHARE_FROM, Shared
from spoflint.errors import InputError
from spoflint.model import DEFAULT_SCOPE, FAILING
from tests.analysis.test_bounds import EXAMPLES, power_chain
from tests.analysis.test_oracle import as_yaml, topologies
from tests.helpers import estate_text, topology_of

csweep = single._csweep
pytestmark = pytest.mark.skipif(csweep is None, reason="spoflint was installed without its sweep in C")


def swept(t, monkeypatch, loop, scope=DEFAULT_SCOPE) -> dict[str, tuple[type, frozenset[str] | None]]:
    """Every node's value after the sweep by `loop` (the C module, or None for Python)."""
    monkeypatch.setattr(single, "_csweep", loop)
    g = Facts(t, scope=scope).graph
    s = single.SingleFailures(t, g, scope)
    if g.gates:
        s.value(next(iter(g.gates)))
    return {k: (type(v), None if v is None else frozenset(v)) for k, v in s.values.items()}


def same_both_ways(t, monkeypatch, scope=DEFAULT_SCOPE) -> dict:
    in_c = swept(t, monkeypatch, csweep, scope)
    in_python = swept(t, monkeypatch, None, scope)
    assert in_c.keys() == in_python.keys()
    for key, value in in_python.items():
        assert in_c[key] == value, key
    return in_c


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(doc=topologies(), scope=st.frozensets(st.sampled_from(FAILING)))
def test_the_loops_agree_on_random_topologies(doc, scope, monkeypatch):
    same_both_ways(topology_of(as_yaml(doc)), monkeypatch, scope)


def test_the_loops_agree_on_an_estate(monkeypatch):
    text = estate_text(3000)
    values = same_both_ways(topology_of(text), monkeypatch)
    assert len(values) > 5000 and any(0 < len(v or ()) < SHARE_FROM for _, v in values.values())


def test_the_loops_agree_on_sets_shared_along_a_chain(monkeypatch):
    values = same_both_ways(topology_of(power_chain(300)), monkeypatch)
    assert Shared in {kind for kind, _ in values.values()}


@pytest.mark.parametrize("share_from", [SHARE_FROM, 1])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_loops_agree_on_every_fixture(path, share_from, monkeypatch):
    """Every rule's fixtures, as they are and with every set shared (nothing left to the
    C loop but skipping, DOWN and handing back)."""
    try:
        t = topology_of(path.read_text(encoding="utf-8"), path.name)
    except InputError:
        pytest.skip("a fixture of bad input")
    monkeypatch.setattr(single, "SHARE_FROM", share_from)
    same_both_ways(t, monkeypatch)


def _gates(*items: tuple[str, fg.Gate]) -> dict[str, fg.Gate]:
    return dict(items)


def _run(gates, values, resolve=None, combine=None, can_fail=None):
    csweep.sweep(
        gates,
        values,
        can_fail if can_fail is not None else {},
        single.SHARE_FROM,
        single._EMPTY,
        fg.REACH,
        fg.ALL,
        fg.ANY,
        resolve or (lambda node: None),
        combine or (lambda gate, inputs: None),
    )


def test_the_common_gates_are_decided_in_c_and_the_rest_handed_back():
    a, b, empty = frozenset({"x", "y"}), frozenset({"y", "z"}), frozenset()
    values = {"a": a, "b": b, "e": empty, "down": None, "z": frozenset({"q"})}
    handed: list[tuple[str, list]] = []
    resolved: list[str] = []
    gates = _gates(
        ("a", fg.Gate(fg.ALL)),  # known already: skipped
        ("union", fg.Gate(fg.ALL, ("a", "b"))),
        ("own", fg.Gate(fg.ALL, ("a", "b"), 0, "w")),
        ("cannot", fg.Gate(fg.ALL, ("a", "b"), 0, "v")),  # its element cannot fail: not added
        ("held", fg.Gate(fg.ALL, ("a", "a"))),
        ("meet", fg.Gate(fg.ANY, ("a", "b"))),
        ("none", fg.Gate(fg.ANY, ("a", "e"))),
        ("apart", fg.Gate(fg.ANY, ("a", "z"))),  # nothing in common: the shared empty set, not a new one
        ("dead", fg.Gate(fg.ALL, ("a", "down"))),
        ("either", fg.Gate(fg.ANY, ("a", "down"))),  # handed back: an `any` over a DOWN input
        ("mine", fg.Gate(fg.ANY, ("a", "b"), 0, "w")),  # handed back: an `any` with an element of its own
        ("two", fg.Gate(fg.KOFN, ("a", "b"), 2)),  # handed back: k of n
        ("three", fg.Gate(fg.ALL, ("a", "b", "e"))),  # handed back: three inputs
        ("later", fg.Gate(fg.ALL, ("a", "next"))),  # resolved: an input further down the order
        ("way", fg.Gate(fg.REACH, ("a",))),  # resolved: reachability
    )

    def combine(gate, inputs):
        handed.append((gate.op, inputs))
        return frozenset({"combined"})

    _run(gates, values, resolved.append, combine, {"w": True, "v": False})
    assert values["union"] == {"x", "y", "z"} and values["own"] == {"w", "x", "y", "z"}
    assert values["cannot"] == {"x", "y", "z"}
    assert values["held"] is a and values["meet"] == {"y"} and values["none"] is single._EMPTY
    assert values["apart"] is single._EMPTY
    assert values["dead"] is None
    assert [op for op, _ in handed] == [fg.ANY, fg.ANY, fg.KOFN, fg.ALL]
    assert handed[0][1] == [a, None] and handed[3][1] == [a, b, empty]
    assert all(values[k] == {"combined"} for k in ("either", "mine", "two", "three"))
    assert resolved == ["later", "way"] and "later" not in values and "way" not in values


def test_errors_in_the_python_it_calls_are_raised_as_they_are():
    values = {"a": frozenset({"x"}), "b": frozenset({"y"})}

    def combine(gate, inputs):
        raise ZeroDivisionError("from combine")

    with pytest.raises(ZeroDivisionError, match="from combine"):
        _run(_gates(("n", fg.Gate(fg.KOFN, ("a", "b"), 1))), values, combine=combine)
    with pytest.raises(KeyError, match="'w'"):  # an element with no entry in can_fail, as in Python
        _run(_gates(("n", fg.Gate(fg.ALL, ("a", "b"), 0, "w"))), values)
    with pytest.raises(TypeError, match="4-tuple"):
        _run({"n": ("all", ("a", "b"))}, values)


def test_a_graph_changed_during_the_sweep_is_refused():
    gates = _gates(("way", fg.Gate(fg.REACH, ("a",))), ("n", fg.Gate(fg.ALL)))
    with pytest.raises(RuntimeError, match="changed size"):
        _run(gates, {}, resolve=lambda node: gates.update(more=fg.Gate(fg.ALL)))


def test_presized_is_an_empty_dict_that_takes_any_keys():
    values = csweep.presized(1000)
    assert type(values) is dict and values == {}
    values.update((str(i), i) for i in range(2000))  # past the room made: it grows as any dict
    assert len(values) == 2000 and values["1999"] == 1999
    with pytest.raises(ValueError):
        csweep.presized(-1)
