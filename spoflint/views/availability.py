"""The `spoflint availability` report: each user-facing service's availability and recovery
time against the topology's objectives (text and JSON)."""

from __future__ import annotations

import math
from typing import Any

from ..analysis import availability, recovery
from ..errors import printable
from ..model import DEFAULT_SCOPE, Topology
from . import dumps, envelope


def report(t: Topology, scope: frozenset = DEFAULT_SCOPE) -> dict[str, Any]:
    """Every user-facing service: availability, nines, downtime, the elements that
    matter most, and the recovery time after a host failure, against the objectives,
    in the failure scope `scope` (the configuration's, as for check)."""
    objective = t.objectives.get("availability")
    limit = t.objectives.get("recovery_time")
    limit_seconds = recovery.parse_duration(limit) if limit is not None else None
    recoveries = recovery.recoveries(t)
    services = []
    for service, found in availability.compute(t, scope=scope).items():
        took = recoveries[service]
        services.append(
            {
                "service": service,
                "availability_percent": found.availability * 100,
                "upper_percent": found.upper * 100,
                "exact": found.exact,
                "method": found.method,
                "nines": None if math.isinf(found.nines) else round(found.nines, 3),
                "downtime_minutes_per_year": found.downtime_minutes,
                "meets_objective": None if objective is None else found.availability * 100 >= objective,
                "elements": found.elements,
                "importance": [{"element": e, "birnbaum": b} for e, b in found.importance],
                "recovery_seconds": took.seconds,
                "recovery_mechanism": took.mechanism,
                "recovery_via": took.via,
                "meets_recovery_objective": None if limit_seconds is None else took.seconds <= limit_seconds,
            }
        )
    return {
        **envelope("spoflint-availability"),
        "topology": t.name,
        "objectives": {"availability": objective, "recovery_time_seconds": limit_seconds},
        "services": services,
    }


def to_json(data: dict[str, Any]) -> str:
    """The report as JSON (format `spoflint-availability`): the envelope first, then
    every object's keys in sorted order."""
    return dumps(data, sort_keys=True)


def to_text(data: dict[str, Any]) -> str:
    """The report as text: per service its availability line (against the objective),
    what it depends on most, and its recovery time."""
    objectives = data["objectives"]
    lines = [
        f"{data['topology']}: availability of user-facing services"
        + (f" (objective {objectives['availability']:g}%)" if objectives["availability"] is not None else "")
    ]
    for s in data["services"]:
        a = s["availability_percent"] / 100
        figure = (
            availability.percent(a)
            if s["exact"]
            else f">= {availability.percent(a)} (bound, <= {availability.percent(s['upper_percent'] / 100)}"
            f", width {(s['upper_percent'] - s['availability_percent']) / 100:.1e})"
        )
        verdict = {None: "", True: "  ok", False: "  BELOW OBJECTIVE"}[s["meets_objective"]]
        nine = "inf" if s["nines"] is None else f"{s['nines']:.2f}"
        lines.append(
            f"  {s['service']}: {figure}, {nine} nines, {s['downtime_minutes_per_year']:.1f} min/year down{verdict}"
        )
        if s["importance"]:
            lines.append(
                "    depends most on: " + ", ".join(f"{i['element']} ({i['birnbaum']:.3g})" for i in s["importance"])
            )
        via = "" if s["recovery_via"] == s["service"] else f", through {s['recovery_via']}"
        check = {None: "", True: "  ok", False: "  SLOWER THAN OBJECTIVE"}[s["meets_recovery_objective"]]
        lines.append(
            f"    recovery after a host failure: ~{recovery.describe(s['recovery_seconds'])} "
            f"({recovery.label(s['recovery_mechanism'])}{via}){check}"
        )
    if not data["services"]:
        lines.append("  no user-facing services")
    return "".join(f"{printable(line)}\n" for line in lines)  # one line each, whatever the names
