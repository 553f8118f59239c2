"""Stage 4, analyses: facts computed once and shared by the rules.

`Facts` (facts.py) is the one facade a rule reads. Behind it: `single` (single-failure
sets, bottom-up over the fault graph), `network` (what removing network vertices cuts
off), `data` (who holds data), `completeness` (what the description leaves out),
`cutsets` (minimal cut sets; `cutsets_network` for the sets that cut the network),
`availability` (exact, with `bdd`, the decision diagram) and `recovery` (against
objectives), `figures` (the one table of default failure figures), `reference` (the
brute-force evaluator every fast analysis is tested against) and `simulation` (what-if).
"""

from __future__ import annotations

from .facts import Facts, SinglePoint
from .single import DOWN, SingleFailures

__all__ = ["DOWN", "Facts", "SingleFailures", "SinglePoint"]
