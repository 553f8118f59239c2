"""What-if: fail some elements and report what goes down, what loses data, and why.

`spoflint simulate` runs the reference evaluator (spoflint.analysis.reference) on the failure
set the user names, and explains each service that is down by its chain of causes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..model import Topology
from .reference import Evaluation, evaluate

VERSION = 1


class SimulationError(Exception):
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


def to_json(sim: Simulation) -> str:
    t = sim.after.topology
    document = {
        "format": "spoflint-simulation",
        "version": VERSION,
        "failed": list(sim.failed),
        "services_down": [
            {
                "service": s,
                "public": t.services[s].public,
                "reason": sim.after.why(s),
                "chain": chain(sim.after, s),
                "down_before": not sim.before.is_up(s),
            }
            for s in sim.after.services_down
        ],
        "services_up": sorted(s for s in t.services if sim.after.is_up(s)),
        "data_lost": [{"holder": h, "reason": sim.after.lost[h]} for h in sim.lost],
    }
    return json.dumps(document, indent=2) + "\n"


def to_text(sim: Simulation) -> str:
    t = sim.after.topology
    out = [f"Failed: {', '.join(sim.failed)}"]
    down = sim.after.services_down
    public = [s for s in down if t.services[s].public]
    internal = [s for s in down if not t.services[s].public]
    if not down:
        out.append("Every service stays up.")
    for title, group in (("User-facing services down", public), ("Other services down", internal)):
        if group:
            out.append(f"{title}: {', '.join(group)}")
            for s in group:
                before = " (already down with nothing failed)" if not sim.before.is_up(s) else ""
                out.append(f"  {s}: {sim.after.why(s)}{before} [{' -> '.join(chain(sim.after, s))}]")
    if sim.lost:
        out.append(f"Data lost: {', '.join(sim.lost)}")
        for h in sim.lost:
            out.append(f"  {h}: {sim.after.lost[h]}")
    else:
        out.append("No data is lost.")
    return "\n".join(out) + "\n"
