"""Schema errors said in the file's terms: which key, which value, what was expected.

Also the words the builder's messages share: sections named in the singular
(`SINGULAR`) and the id a typo most likely meant (`_close_to`)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import quote
from ..load import MarkedMap, locate

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

# Names for what the schema's patterns accept, for messages.
_PATTERNS = {
    "^[A-Za-z0-9_][A-Za-z0-9_.:@/+=-]*$": "a valid id (letters, digits and _ . : @ / + = -, starting with a letter, digit or _)",
    "^([A-Z]+[0-9]{3}|[a-z][a-z0-9-]*)$": "a rule id or name (like SPOF001 or single-point-of-failure)",
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "a date (YYYY-MM-DD)",
    "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)?$": "a duration (seconds, or a number with ms, s, m or h: 90s, 2m)",
}
_TYPES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing",
}
SINGULAR = {
    "zones": "zone",
    "power": "power element",
    "cooling": "cooling unit",
    "racks": "rack",
    "network": "network node",
    "links": "link",
    "hosts": "host",
    "storage": "storage backend",
    "services": "service",
}


def _explain(document: MarkedMap, error: ValidationError) -> tuple[int, int, str]:
    """Where a schema error is in the file, and a one-line message for it."""
    steps = list(error.absolute_path)
    where = _dotted(steps)
    if "propertyNames" in error.absolute_schema_path:  # a key that is not a valid name
        return _bad_key(document, error, steps, where)
    found = _unknown_key(error, where) if error.validator == "additionalProperties" else None
    if found is None and error.validator in ("oneOf", "anyOf") and error.context:
        found = _no_alternative(document, error, steps, where)
    if found is not None:
        return found
    line, column = locate(document, steps)
    return line, column, _at(where, _message(error))


def _bad_key(document: MarkedMap, error: ValidationError, steps: list[str | int], where: str) -> tuple[int, int, str]:
    """A key that is not a valid name (`propertyNames`), at the key."""
    instance: Any = error.instance
    container = _node_at(document, steps)
    line, column = (
        container.key_at(instance)
        if isinstance(container, MarkedMap) and instance in container.where
        else locate(document, steps)
    )
    pattern = _schema_of(error).get("pattern", "")
    what = _PATTERNS.get(pattern, "a valid key here")
    hint = ""
    if what.startswith("a rule id") and isinstance(instance, str):  # accept: {SPOF01: ...}
        from ..registry import closest_rule, rules

        close = closest_rule(instance, rules())
        hint = f"; did you mean {close!r}?" if close else ""
    return line, column, _at(where, f"{quote(instance)} is not {what}{hint}")


def _unknown_key(error: ValidationError, where: str) -> tuple[int, int, str] | None:
    """The first key written that the schema does not know (`additionalProperties`), at
    the key, with the known key it is most likely a typo of."""
    instance = error.instance
    if not isinstance(instance, MarkedMap):
        return None
    known = _schema_of(error).get("properties", {})
    extensions = _schema_of(error).get("patternProperties", {})
    extra = [k for k in instance if k not in known and not any(re.search(p, k) for p in extensions)]
    if not extra:
        return None
    key = min(extra, key=instance.key_at)
    line, column = instance.key_at(key)
    close = _close_to(key, known)
    hint = f"; did you mean {close!r}?" if close else ""
    return (
        line,
        column,
        (f"{where}: unknown key {quote(key)}{hint}" if where else f"unknown key {quote(key)} at the top level{hint}"),
    )


def _no_alternative(
    document: MarkedMap, error: ValidationError, steps: list[str | int], where: str
) -> tuple[int, int, str] | None:
    """A value that fits none of the forms allowed (`oneOf`, `anyOf`): where a service
    runs, what is wrong inside the one form of the right type, or the types expected."""
    line, column = locate(document, steps)
    if tuple(error.absolute_schema_path) == ("properties", "services", "additionalProperties", "oneOf"):
        return line, column, _at(where, _service_placement(error.instance))
    alternatives: dict[str | int, list[ValidationError]] = {}
    for sub in error.context:
        alternatives.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [
        subs for subs in alternatives.values() if not any(s.validator == "type" and not s.relative_path for s in subs)
    ]
    if len(fitting) == 1:  # the one form of the right type: what is wrong inside it
        return min(_explain(document, sub) for sub in fitting[0])
    forms: Any = error.validator_value
    types = [t for alt in forms for t in _as_list(alt.get("type"))]
    if not fitting and types:
        return line, column, _at(where, f"expected {_type_names(types)}, got {_describe(error.instance)}")
    return None


def _message(error: ValidationError) -> str:
    """A message for a schema error at one value."""
    explain = _MESSAGES.get(str(error.validator))
    if explain is None:
        return re.sub(r"\s+", " ", error.message)[:200]
    return explain(error, error.instance, error.validator_value)


# The message for each validator keyword: (error, the value, what the schema expects) -> text.


def _type(error: ValidationError, instance: Any, expected: Any) -> str:
    schema = _schema_of(error)
    if instance is None and schema.get("required"):
        return f"expected a mapping with {', '.join(map(repr, schema['required']))}, got nothing (null)"
    hint = ""
    if schema.get("pattern") in _PATTERNS and isinstance(instance, (bool, int, float)):
        hint = " (YAML reads it as a value: quote an id like this)"
    return f"expected {_type_names(_as_list(expected))}, got {_describe(instance)}{hint}"


def _required(error: ValidationError, instance: Any, expected: Any) -> str:
    name = next((r for r in expected if r not in instance), expected[0])
    choices = _schema_of(error).get("properties", {}).get(name, {}).get("enum")
    if choices:
        return f"missing required key {name!r} (one of: {', '.join(map(str, choices))})"
    typo = _close_to(name, [k for k in instance if isinstance(k, str)])
    return f"missing required key {name!r}" + (f"; is {quote(typo)} a typo?" if typo else "")


def _enum(error: ValidationError, instance: Any, expected: Any) -> str:
    if not isinstance(instance, str) and all(isinstance(e, str) for e in expected):
        return f"expected one of: {', '.join(expected)}; got {_describe(instance)}"
    close = _close_to(instance, [str(e) for e in expected])
    hint = f"; did you mean {close!r}?" if close else ""
    return f"{quote(instance)} is not one of: {', '.join(map(str, expected))}{hint}"


def _items(error: ValidationError, instance: Any, expected: Any) -> str:
    if list(error.absolute_path)[:1] == ["links"]:
        return f"a link joins exactly two ends; this lists {len(instance)}"
    bound = "at least" if error.validator == "minItems" else "at most"
    return f"expected {bound} {expected} item{'s' * (expected != 1)}, got {len(instance)}"


_MESSAGES: dict[str, Callable[[ValidationError, Any, Any], str]] = {
    "type": _type,
    "required": _required,
    "enum": _enum,
    "const": lambda _, instance, expected: f"must be {expected!r}, not {quote(instance)}",
    "pattern": lambda _, instance, expected: (
        f"{quote(instance)} is not {_PATTERNS.get(expected, f'matching {expected}')}"
    ),
    "minItems": _items,
    "maxItems": _items,
    "minimum": lambda _, instance, expected: f"{quote(instance)} is too small: the least allowed is {expected}",
    "exclusiveMinimum": lambda _, instance, expected: (
        f"{quote(instance)} is too small: it must be more than {expected}"
    ),
    "maximum": lambda _, instance, expected: f"{quote(instance)} is too large: the most allowed is {expected}",
    "minLength": lambda _, instance, expected: "must not be empty",
}


def _schema_of(error: ValidationError) -> Mapping[str, Any]:
    """The (sub)schema an error is about: a mapping, for every error our schema gives."""
    return error.schema if isinstance(error.schema, Mapping) else {}


def _close_to(word: object, candidates: Collection[str]) -> str | None:
    """The candidate a typo of `word` most likely meant, if any (for a `did you mean`).
    difflib is slow on long words and many candidates: then there is no suggestion."""
    if not isinstance(word, str) or len(word) > 100 or len(candidates) > 10_000:
        return None
    close = difflib.get_close_matches(word, list(candidates), n=1)
    return close[0] if close else None


def _service_placement(service: object) -> str:
    """What is wrong with where a service runs (its `hosts` / `replicas` + `pool`)."""
    has = {key for key in ("hosts", "replicas", "pool") if isinstance(service, dict) and key in service}
    if "hosts" in has and has & {"replicas", "pool"}:
        return "give either `hosts`, or `replicas` with `pool`, not both"
    if has == {"replicas"}:
        return "`replicas` needs `pool`: the hosts its instances may run on"
    if has == {"pool"}:
        return "`pool` needs `replicas`: how many instances run on it"
    return "a service needs `hosts`, or `replicas` with `pool`, to say where it runs"


def _at(where: str, message: str) -> str:
    return f"{where}: {message}" if where else message


def _dotted(steps: list[str | int]) -> str:
    """`hosts.h1.nics[0]`: a path into the document as a person would write it."""
    out = ""
    for step in steps:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _node_at(document: MarkedMap, steps: list[str | int]) -> Any:
    """The value reached from `document` by `steps` (keys and indexes)."""
    node: Any = document
    for step in steps:
        node = node[step]
    return node


def _as_list(value: object) -> list[Any]:
    return [] if value is None else value if isinstance(value, list) else [value]


def _type_names(types: list[str]) -> str:
    names = [_TYPES.get(t, t) for t in dict.fromkeys(types)]
    return " or ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " or " + names[-1]


def _describe(value: object) -> str:
    """What a value is, in YAML's words: `the number 42`, `a list`."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, (int, float)):
        return f"the number {quote(value)}"
    if isinstance(value, str):
        return f"the string {quote(value)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
