"""The kinds of change that fix findings, one module per kind; `engine/fixes.py`
verifies what they propose.

`by_rule.PROPOSERS` maps a rule id to the function that proposes candidates for one of
its findings, best first. The fixers read the unchanged model through a `Context`
(`context.py`: which elements survive a failure, what feeds what, who runs where) and
describe each change in the file's terms, with the steps that make it on a Topology
(`edit.py`, as the model builder would have built the edited file):

- `power.py`: feed a power element, or power a rack, box or cooling unit, from an input
  that survives (an idle UPS first); cool a rack with a second unit; a new one beside;
- `network.py`: cable a host or a network node to a second one; a second cable; a new
  switch beside the failing one;
- `placement.py`: more instances, quorum members, storage or pool hosts, outside what
  fails; a new host beside the failing one;
- `settings.py`: a `vip`, `spread: host`, `replicas`, `min_replicas`, a replicated
  backend for a service's data.
"""

from __future__ import annotations

from .by_rule import PROPOSERS
from .context import Candidate, Context

__all__ = ["PROPOSERS", "Candidate", "Context"]
