"""The `spoflint cutsets` report: each user-facing service's minimal cut sets, ranked (text and JSON)."""

from __future__ import annotations

from ..analysis.cutsets import CutSets
from ..errors import printable
from . import dumps, envelope


def to_json(result: list[CutSets], order: int) -> str:
    """Each service's cut sets with their size and probability (format `spoflint-cutsets`)."""
    services = [
        {
            "service": r.service,
            "truncated": r.truncated,
            "complete_order": r.complete_order,
            "cut_sets": [
                {"elements": list(s), "size": len(s), "probability": p} for s, p in zip(r.sets, r.probabilities)
            ],
        }
        for r in result
    ]
    return dumps({**envelope("spoflint-cutsets"), "order": order, "services": services})


def to_text(result: list[CutSets], order: int) -> str:
    """One line per service (how many sets, whether the list is exact), then its sets."""
    lines = []
    for r in result:
        note = f" (truncated: exact up to order {r.complete_order})" if r.truncated else ""
        plural = "" if len(r.sets) == 1 else "s"
        lines.append(f"{r.service}: {len(r.sets)} minimal cut set{plural} up to order {order}{note}")
        for s, p in zip(r.sets, r.probabilities):
            lines.append(f"  {{{', '.join(s)}}}  p={p:.2g}")
    if not result:
        lines.append("no user-facing service is up with nothing failed")
    return "".join(f"{printable(line)}\n" for line in lines)  # one line each, whatever the names
