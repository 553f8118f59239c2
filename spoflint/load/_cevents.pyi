from typing import Any

def build(
    data: bytes,
    path: str,
    map_type: type,
    list_type: type,
    resolvers: dict[Any, Any],
    cache: dict[str, object],
    plain: Any,
    spans: list[tuple[int, int, int, int]] | None,
    max_depth: int,
) -> list[tuple[object, tuple[int, int], tuple[int, int]]] | None: ...
