"""`spoflint kinds`: the catalogue of known service kinds, as a table or JSON.

One row per kind (`spoflint.model.kinds.KINDS`), in the catalogue's order: its state,
access, the `ha` it defaults to, the quorum it needs, the manager that moves it, its role
and the aliases that name it; then the names that are ambiguous (`nova`: which process?)
and the words `vip`, `manager` and `fencing` know (a typo of one is an input error, any
other word is allowed). `rows` is the data both views print; `to_text` aligns it in
columns, `to_json` wraps it in the views' envelope (`spoflint-kinds`).
"""

from __future__ import annotations

from typing import Any

from ..model import kinds
from . import dumps, envelope

COLUMNS = ("kind", "state", "access", "ha default", "quorum", "manager", "role", "aliases")


def rows() -> list[dict[str, Any]]:
    """Every known kind with the defaults it gives and the aliases that name it."""
    aliases: dict[str, list[str]] = {}
    for alias, kind in kinds.ALIASES.items():
        aliases.setdefault(kind, []).append(alias)
    return [
        {
            "kind": name,
            "state": kind.state,
            "access": kind.access,
            "ha": kind.ha,
            "ha_from": kind.ha_from,
            "quorum": _quorum(kind),
            "manager": kind.manager,
            "role": kind.role,
            "aliases": aliases.get(name, []),
            "source": kind.source,
        }
        for name, kind in kinds.KINDS.items()
    ]


def _quorum(kind: kinds.Kind) -> str | None:
    """The quorum rule a kind defaults to: `majority` (of an active/active cluster), else
    None (one instance is enough)."""
    return "majority" if kind.quorum else None


def to_json() -> str:
    document = envelope("spoflint-kinds")
    document.update(
        {
            "kinds": rows(),
            "ambiguous": {name: list(candidates) for name, candidates in kinds.AMBIGUOUS.items()},
            "words": {"vip": list(kinds.VIP_MANAGERS), "manager": list(kinds.MANAGERS), "fencing": list(kinds.FENCING)},
        }
    )
    return dumps(document)


def to_text() -> str:
    table = [COLUMNS] + [_cells(row) for row in rows()]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table]
    lines += ["", "Ambiguous (a project that runs several kinds: write the process's):"]
    lines += [f"  {name}: {', '.join(candidates)}" for name, candidates in kinds.AMBIGUOUS.items()]
    lines += [
        "",
        "Known words (a typo of one is an error; any other word is allowed; `none`: there is none):",
        f"  vip:     {', '.join(kinds.VIP_MANAGERS)}",
        f"  manager: {', '.join(kinds.MANAGERS)}",
        f"  fencing: {', '.join(kinds.FENCING)}",
        "",
        "Kinds are matched ignoring case and `_` for `-`. A service of another kind declares `state` (else SVC006).",
    ]
    sources = [(row["kind"], row["source"]) for row in rows() if row["source"]]
    if sources:
        lines += ["", "Sources:"] + [f"  {kind}: {source}" for kind, source in sources]
    return "\n".join(lines) + "\n"


def _cells(row: dict[str, Any]) -> tuple[str, ...]:
    ha = row["ha"] if row["ha_from"] <= 1 else f"{row['ha']} ({row['ha_from']}+ instances, else none)"
    quorum = row["quorum"] or "-"
    if row["quorum"] and row["ha"] != "active-active":
        quorum += " (when active-active)"
    return (
        row["kind"],
        row["state"],
        row["access"],
        ha,
        quorum,
        row["manager"] or "-",
        row["role"] or "-",
        ", ".join(row["aliases"]) or "-",
    )
