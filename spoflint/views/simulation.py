"""The `spoflint simulate` report: what went down, why, and what data was lost (text and JSON)."""

from __future__ import annotations

from typing import Any

from ..analysis.reasons import explain, member_sets
from ..analysis.reference import Evaluation
from ..analysis.simulation import Simulation, chain, lost_together
from ..errors import printable
from . import dumps, envelope

MESSAGE_GROUPS = 3  # groups of inputs lost together a line words (the JSON has them all)


def to_json(sim: Simulation) -> str:
    """What failed, each service down (why, through what chain, which redundant inputs
    were lost together on the way), the services still up and the data lost (format
    `spoflint-simulation`)."""
    t = sim.after.topology
    document = {
        **envelope("spoflint-simulation"),
        "failed": list(sim.failed),
        "services_down": services_down(sim.before, sim.after),
        "services_up": sorted(s for s in t.services if sim.after.is_up(s)),
        "data_lost": [{"holder": h, "reason": sim.after.lost[h]} for h in sim.lost],
    }
    return dumps(document)


def services_down(before: Evaluation, after: Evaluation) -> list[dict[str, Any]]:
    """Each service down after the failures: whether it is user-facing, why it is down,
    the chain, the groups of inputs lost together, and whether it was down before (the
    graph page's answers are these too)."""
    t = after.topology
    return [
        {
            "service": s,
            "public": t.services[s].public,
            "reason": after.why(s),
            "chain": chain(after, s),
            "lost_together": [list(m) for m in member_sets(lost_together(after, s))],
            "down_before": not before.is_up(s),
        }
        for s in after.services_down
    ]


def to_text(sim: Simulation) -> str:
    """What failed, the user-facing then the other services down with their reasons,
    the redundant inputs lost together on the way, and chains; and the data lost."""
    t = sim.after.topology
    only = sim.failed[0] if len(sim.failed) == 1 else None
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
                groups = lost_together(sim.after, s)
                reason = f"; {explain(groups, only, MESSAGE_GROUPS)}" if groups else ""
                out.append(f"  {s}: {sim.after.why(s)}{before}{reason} [{' -> '.join(chain(sim.after, s))}]")
    if sim.lost:
        out.append(f"Data lost: {', '.join(sim.lost)}")
        for h in sim.lost:
            out.append(f"  {h}: {sim.after.lost[h]}")
    else:
        out.append("No data is lost.")
    return "".join(f"{printable(line)}\n" for line in out)  # one line each, whatever the names
