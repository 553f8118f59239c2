from collections.abc import Callable, Mapping
from typing import Any

def sweep(
    gates: dict[str, Any],
    values: dict[str, Any],
    can_fail: Mapping[str, bool],
    share_from: int,
    empty: frozenset[str],
    reach: str,
    all: str,
    any: str,
    resolve: Callable[[str], object],
    combine: Callable[[Any, list[Any]], object],
) -> None: ...
def presized(n: int) -> dict[Any, Any]: ...
