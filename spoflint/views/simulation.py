"""The `spoflint simulate` report: what went down, why, and what data was lost (text and JSON)."""

from __future__ import annotations

from ..analysis.simulation import Simulation, chain
from . import dumps, envelope


def to_json(sim: Simulation) -> str:
    """What failed, each service down (why, through what chain), the services still up
    and the data lost (format `spoflint-simulation`)."""
    t = sim.after.topology
    document = {
        **envelope("spoflint-simulation"),
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
    return dumps(document)


def to_text(sim: Simulation) -> str:
    """What failed, the user-facing then the other services down with their reasons and
    chains, and the data lost."""
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
