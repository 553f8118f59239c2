"""What-if: fail some elements and report what goes down, what loses data, and why.

`spoflint simulate` runs the reference evaluator (spoflint.analysis.reference) on the failure
set the user names, and explains each service that is down by its chain of causes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from ..model import Topology
from .reference import Evaluation, evaluate

VERSION = 1


class SimulationError(UsageError):
    """A --fail that names nothing, or something that cannot fail by itself."""


@dataclass(frozen=True)
class Simulation:
    failed: tuple[str, ...]
    before: Evaluation  # nothing failed
    after: Evaluation

    @property
    def newly_down(self) -> list[str]:
        return [s for s in self.after.services_down if self.before.is_up(s)]

    @property
    def lost(self) -> list[str]:
        return sorted(self.after.lost)


def simulate(t: Topology, failed: list[str]) -> Simulation:
    for eid in failed:
        if eid not in t.section_of:
            raise SimulationError(f"--fail {eid}: no element has that id")
        section = t.section_of[eid]
        if section == "services" or (section == "storage" and t.storage[eid].hosts):
            raise SimulationError(f"--fail {eid}: {section} fail through their hosts; fail those instead")
        if section == "network" and not t.can_fail(eid):
            raise SimulationError(f"--fail {eid}: entry points and external nodes do not fail")
    chosen = tuple(dict.fromkeys(failed))
    return Simulation(chosen, evaluate(t, set()), evaluate(t, set(chosen)))


def chain(result: Evaluation, eid: str) -> list[str]:
    """Element ids from a failed element to `eid` (helper nodes folded)."""
    ids: list[str] = []
    for key in result.chain(eid):
        element = key.split("#", 1)[0]
        if not ids or ids[-1] != element:
            ids.append(element)
    return ids
