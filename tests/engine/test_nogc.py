"""The cycle collector kept off what a stage builds (spoflint/nogc.py): the same findings
as with the collector left alone, the collector as the caller left it, no cycle leaked,
and a caller's own frozen objects left to it. Nothing here is timed."""

from __future__ import annotations

import gc
import sys
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from spoflint import nogc
from spoflint.analysis import single
from tests.helpers import REPO, invoke, python_m_spoflint

sys.path.insert(0, str(REPO / "bench"))

import generate  # noqa: E402


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    text, _ = generate.generate(2_000)
    path = tmp_path_factory.mktemp("estate") / "estate-2000.yaml"
    path.write_text(text)
    return path


@contextmanager
def _untouched() -> Iterator[None]:
    """A stage's pause that leaves the collector alone (the run without nogc)."""
    yield


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_findings_are_those_of_a_run_with_the_collector_left_alone(estate, monkeypatch):
    through_the_cli = python_m_spoflint("check", str(estate), "--format", "json")
    assert through_the_cli.returncode == 1, through_the_cli.stderr
    frozen = invoke("check", str(estate), "--format", "json")
    monkeypatch.setattr(nogc, "paused", _untouched)
    monkeypatch.setattr(single, "paused", _untouched)
    left_alone = invoke("check", str(estate), "--format", "json")
    assert '"SPOF001"' in left_alone.stdout
    assert frozen.stdout == left_alone.stdout == through_the_cli.stdout


@pytest.mark.parametrize("enabled", [True, False])
def test_a_library_caller_gets_the_collector_back_as_it_left_it(estate, enabled):
    before = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        result = invoke("check", str(estate), "--format", "json")
        assert result.exit_code == 1
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if before else gc.disable)()


def test_what_a_stage_built_is_frozen_and_thawed_by_a_full_collection():
    gc.collect()  # nothing of ours frozen from an earlier test
    assert gc.get_freeze_count() == 0
    with nogc.paused():
        with nogc.paused():  # nested: frozen once, when the outermost ends
            cycle = _Cycle()
        assert gc.get_freeze_count() == 0
    alive = weakref.ref(cycle)
    assert gc.get_freeze_count() > 0  # young collections no longer walk it
    del cycle
    gc.collect(1)
    assert alive() is not None  # frozen: only a full collection sees it
    gc.collect()
    assert alive() is None  # thawed and collected: nothing leaks
    assert gc.get_freeze_count() == 0


def test_a_callers_own_frozen_objects_stay_its_own():
    gc.collect()
    kept = [_Cycle() for _ in range(3)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with nogc.paused():
            made = _Cycle()
        assert gc.get_freeze_count() == frozen  # nothing of the pause frozen
        gone = weakref.ref(made)
        del made
        gc.collect()
        assert gone() is None  # collected as usual
        assert gc.get_freeze_count() == frozen  # and the caller's freeze untouched
        assert len(kept) == 3
    finally:
        gc.unfreeze()


def test_no_collection_runs_inside_a_check(estate):
    """A check is one pause: no young collection walks the rules' objects, and no full
    collection thaws what the stages froze (at 1M elements one did, for 3.7 s)."""
    from spoflint import engine

    started: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.insert(0, count)
    try:
        findings = engine.lint([estate])
    finally:
        gc.callbacks.remove(count)
    assert any(f.rule == "SPOF001" for f in findings)
    assert started == []


def test_the_program_keeps_only_the_last_check_for_its_exit_and_a_caller_nothing(monkeypatch):
    """`left_to_exit` holds one check's objects at a time where the program runs (a run
    of many units holds no more than before), and none for a library caller."""
    from spoflint.analysis import Facts
    from tests.helpers import topology_of

    text = (REPO / "fixtures" / "examples" / "hidden-spof.yaml").read_text(encoding="utf-8")
    caller = Facts(topology_of(text))
    assert nogc._kept is None
    monkeypatch.setattr(nogc, "_kept", None)
    nogc.leave_to_exit()
    first = Facts(topology_of(text))
    gone = weakref.ref(first)
    del first
    assert gone() is not None  # kept for the exit
    second = Facts(topology_of(text))
    assert gone() is None and nogc._kept == [second] and caller not in nogc._kept
