"""Stage 7b, views: the outputs of the commands other than `check` (whose findings go
through `spoflint.reporters`).

One module per command: `simulation` (simulate), `cutsets`, `availability`, `graph`
(dot, Mermaid, JSON and the self-contained HTML page, whose files are in `page/`) and
`rules` (the generated rules page). Views are pure functions from analysis results to
text; only the CLI prints. Every JSON view starts with the same envelope,
`{"format": "spoflint-<name>", "version": N}`.
"""

from __future__ import annotations

import json
from typing import Any

VERSION = 1  # of every JSON view's shape; bumped per format when one changes incompatibly


def envelope(name: str, version: int = VERSION) -> dict[str, Any]:
    """The keys every JSON view starts with."""
    return {"format": name, "version": version}


def dumps(document: Any, sort_keys: bool = False) -> str:
    """A JSON view as printed: indented, one trailing newline."""
    return json.dumps(document, indent=2, sort_keys=sort_keys) + "\n"
