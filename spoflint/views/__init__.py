"""Stage 7b, views: the outputs of the commands other than `check` (whose findings go
through `spoflint.reporters`).

One module per command: `simulation` (simulate), `cutsets`, `availability`, `graph`
(the analysed model as JSON, dot, Mermaid and the self-contained HTML page) and `rules`
(the generated rules page). The pictures have their own parts: `containment` (what
stands in what: zones, racks, inherited power), `drawing` (what the dot and Mermaid
pictures draw, and where), `dot` and `mermaid` (their text), and, for the page, whose
files are in `page/`, `compact` (the model the in-browser what-if reads) and
`page_data` (the layout's indexes). Views are pure functions from analysis results to
text; only the CLI prints. Every JSON view starts with the same envelope,
`{"format": "spoflint-<name>", "version": N}`.
"""

from __future__ import annotations

import json
from typing import Any

FORMATS = ("text", "json")  # of the reports of simulate, cutsets and availability
PICTURE_FORMATS = ("dot", "mermaid", "json", "html")  # of `spoflint graph` (views.graph.render)
RULE_LIST_FORMATS = ("table", "json", "markdown")  # of `spoflint rules`: the table, JSON, or the page (views.rules)
VERSION = 1  # of every JSON view's shape; bumped per format when one changes incompatibly


def envelope(name: str, version: int = VERSION) -> dict[str, Any]:
    """The keys every JSON view starts with."""
    return {"format": name, "version": version}


def dumps(document: dict[str, Any], sort_keys: bool = False) -> str:
    """A JSON view as printed: indented, one trailing newline. With `sort_keys`, every
    object's keys are sorted but the envelope's, which stay first."""
    if sort_keys:
        ordered = _sorted(document)
        document = {**{key: ordered.pop(key) for key in ("format", "version") if key in ordered}, **ordered}
    return json.dumps(document, indent=2) + "\n"


def _sorted(value: Any) -> Any:
    """A copy of a JSON value with every object's keys in sorted order."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, (list, tuple)):
        return [_sorted(item) for item in value]
    return value
