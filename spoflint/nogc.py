"""Keeping Python's cycle collector off the millions of small objects a stage builds.

Loading, modelling and analysing an estate allocate millions of dicts, tuples and
frozensets that live until the run ends. Each allocation burst makes the cycle
collector walk every young object, and survivors again one generation up: at 100k
elements that was 13-21 % of a `check`. None of these stages makes reference cycles
(their garbage is freed by reference counting as usual; a test holds them to it), so:

- the collector is paused while a stage runs, and restored after as it was (nested
  pauses are fine);
- when the outermost pause ends, what is alive is moved to the permanent generation
  (`gc.freeze`), so the young collections that follow never walk it. Pausing alone left
  every object a stage made to be walked by the next young collection and again by the
  next middle one (the old behaviour, 0.47 s of 3.5 s at 100k);
- nothing leaks: frozen objects are still freed by reference counting, and the moment a
  full collection starts (the collector's own, rare, or a caller's `gc.collect()`) they
  are thawed (`gc.unfreeze`) so that it walks them as it walks any long-lived object,
  cycles included. A library caller sees the collector as it left it.
  (A caller that freezes objects of its own while ours are frozen has them thawed with
  ours at the next full collection.)

A whole check (`engine.run`, `engine.check`) is one pause: the rules, root causes and
fixes between the stages made young collections of their own, and once ten middle
collections had added up (about a million elements), the full collection that followed
thawed and walked everything the stages had built (3.7 s of a 1M-element check).

The collector is not switched off for the whole process: a library caller (an editor
plugin, a test run of thousands of checks) lives on after a check, and its own garbage
cycles must still be collected. If the caller froze objects itself, nothing is frozen
or thawed here (its freeze is its own), and the stages are only paused.

The program (`spoflint`, never a library caller) also leaves the last check's objects to
its exit (`left_to_exit`): freeing a 1M-element check's model, fault graph and sweep
one object at a time took 0.8 s of CPU just before the process ended, which frees its
memory at once. Each new `Facts` replaces the one kept before, so a run of many units
holds no more than one unit at a time, as it did.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_depth = 0  # pauses under way
_kept: list[object] | None = None  # the program's: the last check's objects, for its exit
_frozen = False  # the permanent generation holds what our freezes put there


def _thaw(phase: str, info: dict[str, Any]) -> None:
    """A gc callback: before a full collection, give back what our freezes hold."""
    global _frozen
    if _frozen and phase == "start" and info.get("generation") == 2:
        gc.unfreeze()
        _frozen = False


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the collector paused (and restored after, as it was); what is
    alive when the outermost pause ends is frozen until the next full collection."""
    global _depth, _frozen
    enabled = gc.isenabled()
    gc.disable()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        # get_freeze_count walks the permanent generation: asked only while it holds
        # nothing of ours, so it costs nothing unless the caller froze objects itself
        if not _depth and (_frozen or not gc.get_freeze_count()):
            if _thaw not in gc.callbacks:
                gc.callbacks.append(_thaw)
            gc.freeze()
            _frozen = True
        if enabled:
            gc.enable()


def pausing(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate a function to run with the collector paused."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with paused():
            return function(*args, **kwargs)

    return wrapper


def leave_to_exit() -> None:
    """The program is running (`spoflint.__main__`): from now on `left_to_exit` keeps
    what it is given until the process exits, without freeing it."""
    global _kept
    _kept = []


def left_to_exit(thing: object) -> None:
    """Keep `thing` (replacing what was kept) until the program's exit, where the
    program runs; nothing for a library caller, whose objects are freed as usual."""
    if _kept is not None:
        _kept[:] = [thing]
