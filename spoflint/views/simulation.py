"""The `spoflint simulate` report: what went down, why, and what data was lost (text and JSON)."""

from __future__ import annotations

from typing import Any

from ..analysis.chains import shown
from ..analysis.facts import CHAIN_SHOWN
from ..analysis.reasons import explain, member_sets
from ..analysis.reference import Evaluation
from ..analysis.simulation import EXPLAIN_WORK, Simulation, explanations
from ..errors import printable
from ..findings import listed
from . import dumps, envelope

MESSAGE_GROUPS = 3  # groups of inputs lost together a line words (the JSON has them all)
LISTED = 10  # elements down, or cut off, the text names (the JSON has them all)


def to_json(sim: Simulation) -> str:
    """What failed, every element down and every one up but cut off, each service down
    (why, through what chain, which redundant inputs were lost together on the way),
    the services still up and the data lost (format `spoflint-simulation`)."""
    t = sim.after.topology
    document = {
        **envelope("spoflint-simulation"),
        "failed": list(sim.failed),
        "elements_down": sim.after.elements_down,
        "cut_off": sim.after.cut_off,
        "services_down": (down := services_down(sim.before, sim.after)),
        "services_up": sorted(s for s in t.services if sim.after.is_up(s)),
        "data_lost": [{"holder": h, "reason": sim.after.lost[h]} for h in sim.lost],
    }
    left = sum(not d["explained"] for d in down)
    document["notes"] = [unexplained(left)] if left else []
    return dumps(document)


def services_down(before: Evaluation, after: Evaluation) -> list[dict[str, Any]]:
    """Each service down after the failures: whether it is user-facing, why it is down,
    the chain, the groups of inputs lost together, and whether it was down before (the
    graph page's answers are these too)."""
    t = after.topology
    known = explanations(after, sorted(after.services_down, key=lambda s: not t.services[s].public))  # public first
    return [
        {
            "service": s,
            "public": t.services[s].public,
            "reason": after.why(s),
            "chain": shown(known[s][0], CHAIN_SHOWN) if s in known else [],
            "lost_together": [list(m) for m in member_sets(known[s][1])] if s in known else [],
            "explained": s in known,
            "down_before": not before.is_up(s),
        }
        for s in after.services_down
    ]


def unexplained(count: int) -> str:
    return (
        f"{count:,} of the services down are not explained (no chain, no inputs lost together): "
        f"their walks went past {EXPLAIN_WORK:,} steps"
    )


def to_text(sim: Simulation) -> str:
    """What failed, the elements down and those cut off (the first few of each), the
    user-facing then the other services down with their reasons, the redundant inputs
    lost together on the way, and chains; and the data lost."""
    t = sim.after.topology
    only = sim.failed[0] if len(sim.failed) == 1 else None
    out = [f"Failed: {', '.join(sim.failed)}", f"Elements down: {listed(sim.after.elements_down, LISTED)}"]
    if cut := sim.after.cut_off:
        out.append(f"Cut off (up, but unreachable from every entry point): {listed(cut, LISTED)}")
    down = sim.after.services_down
    public = [s for s in down if t.services[s].public]
    internal = [s for s in down if not t.services[s].public]
    if not down:
        out.append("Every service stays up.")
    known = explanations(sim.after, [*public, *internal])
    for title, group in (("User-facing services down", public), ("Other services down", internal)):
        if group:
            out.append(f"{title}: {', '.join(group)}")
            for s in group:
                before = " (already down with nothing failed)" if not sim.before.is_up(s) else ""
                if s not in known:
                    out.append(f"  {s}: {sim.after.why(s)}{before}")
                    continue
                path, groups = known[s]
                reason = f"; {explain(groups, only, MESSAGE_GROUPS)}" if groups else ""
                out.append(f"  {s}: {sim.after.why(s)}{before}{reason} [{' -> '.join(shown(path, CHAIN_SHOWN))}]")
    if len(known) < len(down):
        out.append(unexplained(len(down) - len(known)))
    if sim.lost:
        out.append(f"Data lost: {', '.join(sim.lost)}")
        for h in sim.lost:
            out.append(f"  {h}: {sim.after.lost[h]}")
    else:
        out.append("No data is lost.")
    return "".join(f"{printable(line)}\n" for line in out)  # one line each, whatever the names
