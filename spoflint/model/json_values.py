"""JSON values as jsonschema sees them: the type of a value and when two are equal.

`schema_check` compiles the schema with these, and `model.validate` hands the same type
checks to jsonschema, so the fast predicate and the explaining validator agree: an
integer is an int (not 2.0, not true), a number is an int or a finite float, true is not
1 and 1.0 is 1.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

Check = Callable[[Any], bool]  # a predicate on an instance (any JSON value)


# --- types: what model.validate tells jsonschema too ---------------------------------


def is_integer(value: object) -> bool:
    return type(value) is int


def is_number(value: object) -> bool:
    return type(value) is int or (type(value) is float and math.isfinite(value))


TYPES: dict[str, Check] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "integer": is_integer,
    "number": is_number,
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
}
# the types told apart by isinstance, no value of two (a oneOf can be decided by them)
CLASSES: dict[str, type] = {"object": dict, "array": list, "string": str, "boolean": bool}


# --- equality as jsonschema has it (true is not 1; 1.0 is 1) -------------------------

_TRUE, _FALSE = object(), object()


def _unbool(value: object) -> object:
    return _TRUE if value is True else _FALSE if value is False else value


def equal(one: object, two: object) -> bool:
    """Equality as jsonschema has it: true is not 1, 1.0 is 1, containers item by item."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(equal(i, j) for i, j in zip(one, two))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(key in two and equal(value, two[key]) for key, value in one.items())
    return _unbool(one) == _unbool(two)


def unique(items: Iterable[object]) -> bool:
    """jsonschema's `uniq`: sort when the items allow it, else compare every pair."""
    try:
        ordered: list[Any] = sorted(_unbool(i) for i in items)  # TypeError when they do not sort
        return not any(equal(i, j) for i, j in zip(ordered, itertools.islice(ordered, 1, None)))
    except (NotImplementedError, TypeError):
        seen: list[object] = []
        for item in items:
            item = _unbool(item)
            if any(equal(item, other) for other in seen):
                return False
            seen.append(item)
        return True
