"""A JSON Schema compiled to plain Python predicates: is a document valid, yes or no.

jsonschema walks the schema for every value and builds an error object for each
problem; on a 100k-element estate that costs seconds. Nearly every file a linter reads
is valid, so `model.validate` first asks the predicate compiled here, and only when it
says "invalid" runs jsonschema to find and word the error (so messages and positions
come from one place).

Only the subset of Draft 2020-12 that topology.schema.json uses is compiled (type, enum,
const, pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength,
maxLength, minItems, maxItems, items, uniqueItems, properties, patternProperties,
additionalProperties, propertyNames, required, allOf, anyOf, oneOf, not, and `$ref`
within the document). Any other keyword is refused when compiling, never ignored. Each
keyword follows jsonschema's own implementation (`jsonschema._keywords`), with
spoflint's type checker: an integer is an int (not 2.0, not true), a number is an int or
a finite float. tests/model/test_schema_check.py holds the two to the same verdict.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from itertools import repeat
from typing import Any

from .json_values import CLASSES, TYPES, Check, equal, is_number, unique

Schema = Mapping[str, Any] | bool  # a JSON Schema, or a part of one

# Keywords that say something about the schema, never about the instance.
ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "$defs", "definitions", "title", "description", "default", "examples"}
    | {"deprecated", "readOnly", "writeOnly"}
)


class UnsupportedSchema(ValueError):
    """The schema uses a keyword (or a `$ref`) this compiler does not handle."""


# --- the compiler -------------------------------------------------------------------


def _always(_value: object) -> bool:
    return True


def _never(_value: object) -> bool:
    return False


def compile_schema(schema: Schema) -> Check:
    """A predicate that is true exactly when jsonschema finds no error in an instance."""
    return _Compiler(schema).compile(schema)


class _Compiler:
    """Compiles the parts of one schema, each `$ref` once."""

    def __init__(self, root: Schema):
        self.root = root
        self.refs: dict[str, Check] = {}
        self.pending: dict[str, list[Check]] = {}  # refs being compiled (for recursive ones): a cell for each
        self.searches: dict[Check, Callable[[str], object]] = {}  # an id's predicate -> its pattern's search

    def compile(self, schema: object) -> Check:
        """The predicate for one (sub)schema."""
        if schema is True or (isinstance(schema, dict) and not set(schema) - ANNOTATIONS):
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise UnsupportedSchema(f"not a schema: {schema!r}")
        unknown = set(schema) - ANNOTATIONS - _KEYWORDS
        if unknown:
            raise UnsupportedSchema(f"keywords not compiled: {', '.join(sorted(unknown))}")
        fused = self._fused(schema)
        if fused is not None:
            return fused
        checks: list[Check] = []
        typed = _object_typed(schema)  # the type test done by the object check itself
        if "type" in schema and typed is None:  # first: the cheapest way to fail
            checks.append(self._type(schema["type"]))
        for keyword in ("$ref", "const", "enum"):
            if keyword in schema:
                checks.append(getattr(self, "_" + keyword.lstrip("$"))(schema[keyword]))
        checks += self._string(schema) + self._number(schema) + self._array(schema)
        if typed is not None:
            checks.insert(0, self._object(schema, typed))
        elif _OBJECT_KEYWORDS & set(schema):
            checks.append(self._object(schema))
        for keyword in ("allOf", "anyOf", "oneOf", "not"):
            if keyword in schema:
                checks.append(getattr(self, "_" + keyword.rstrip("_"))(schema[keyword]))
        checks = [c for c in checks if c is not _always]
        return _all(checks)

    def _fused(self, schema: dict[str, Any]) -> Check | None:
        """One predicate, not checks joined by `_all`, for the two shapes most values
        have: an id (a string and a pattern) and a list of them."""
        written = set(schema) - ANNOTATIONS
        if schema.get("type") == "string" and written == {"type", "pattern"}:  # an id
            search = re.compile(schema["pattern"]).search
            fused: Check = lambda value: isinstance(value, str) and search(value) is not None  # noqa: E731
            self.searches[fused] = search
            return fused
        if schema.get("type") == "array" and written == {"type", "items"}:  # a list of ids
            each = self.compile(schema["items"])
            found = self.searches.get(each)
            if found is not None:  # in C, not a call per id: every item a string, then each matches
                return lambda value: (
                    isinstance(value, list) and all(map(isinstance, value, repeat(str))) and all(map(found, value))
                )
            return lambda value: isinstance(value, list) and all(map(each, value))
        return None

    # -- keywords of any instance
    def _type(self, types: str | list[str]) -> Check:
        names = [types] if isinstance(types, str) else list(types)
        try:
            tests = [TYPES[name] for name in names]
        except KeyError as error:
            raise UnsupportedSchema(f"unknown type {error}") from None
        if len(tests) == 1:
            return tests[0]
        if set(names) <= {*CLASSES, "null"}:  # isinstance of a tuple
            classes = tuple(CLASSES[n] for n in names if n != "null")
            if "null" in names:
                return lambda value: value is None or isinstance(value, classes)
            return lambda value: isinstance(value, classes)
        return lambda value: any(test(value) for test in tests)

    def _ref(self, ref: str) -> Check:
        if ref in self.refs:
            return self.refs[ref]
        if ref in self.pending:  # a recursive reference: resolved once compiled
            pending = self.pending[ref]
            return lambda value: pending[0](value)
        if not ref.startswith("#"):
            raise UnsupportedSchema(f"$ref outside the schema: {ref}")
        target: Any = self.root
        for part in filter(None, ref[1:].split("/")):
            part = part.replace("~1", "/").replace("~0", "~")
            try:
                target = target[int(part)] if isinstance(target, list) else target[part]
            except (KeyError, IndexError, ValueError, TypeError):
                raise UnsupportedSchema(f"$ref to nothing: {ref}") from None
        cell: list[Check] = [_never]  # until compiled: only a recursive reference calls it, after
        self.pending[ref] = cell
        check = self.compile(target)
        cell[0] = check
        del self.pending[ref]
        self.refs[ref] = check
        return check

    def _const(self, expected: object) -> Check:
        return lambda value: equal(value, expected)

    def _enum(self, choices: list[object]) -> Check:
        if all(isinstance(c, str) for c in choices):
            allowed = frozenset(choices)
            return lambda value: isinstance(value, str) and value in allowed
        return lambda value: any(equal(c, value) for c in choices)

    def _allOf(self, schemas: list[Schema]) -> Check:
        return _all([self.compile(s) for s in schemas])

    def _anyOf(self, schemas: list[Schema]) -> Check:
        checks = [self.compile(s) for s in schemas]
        return lambda value: any(check(value) for check in checks)

    def _oneOf(self, schemas: list[Schema]) -> Check:
        checks = [self.compile(s) for s in schemas]

        def one_of(value: object) -> bool:
            found = False
            for check in checks:
                if check(value):
                    if found:
                        return False
                    found = True
            return found

        return _decided(schemas, checks, one_of)

    def _not(self, schema: Schema) -> Check:
        check = self.compile(schema)
        return lambda value: not check(value)

    # -- keywords of one type of instance: they pass any other type
    def _string(self, schema: Mapping[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "pattern" in schema:
            search = re.compile(schema["pattern"]).search
            checks.append(lambda value: not isinstance(value, str) or search(value) is not None)
        if "minLength" in schema:
            low = schema["minLength"]
            checks.append(lambda value: not isinstance(value, str) or len(value) >= low)
        if "maxLength" in schema:
            high = schema["maxLength"]
            checks.append(lambda value: not isinstance(value, str) or len(value) <= high)
        return checks

    def _number(self, schema: Mapping[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "minimum" in schema:
            low = schema["minimum"]
            checks.append(lambda value: not is_number(value) or not value < low)
        if "exclusiveMinimum" in schema:
            above = schema["exclusiveMinimum"]
            checks.append(lambda value: not is_number(value) or not value <= above)
        if "maximum" in schema:
            high = schema["maximum"]
            checks.append(lambda value: not is_number(value) or not value > high)
        if "exclusiveMaximum" in schema:
            below = schema["exclusiveMaximum"]
            checks.append(lambda value: not is_number(value) or not value >= below)
        return checks

    def _array(self, schema: Mapping[str, Any]) -> list[Check]:
        checks: list[Check] = []
        if "minItems" in schema:
            low = schema["minItems"]
            checks.append(lambda value: not isinstance(value, list) or len(value) >= low)
        if "maxItems" in schema:
            high = schema["maxItems"]
            checks.append(lambda value: not isinstance(value, list) or len(value) <= high)
        if schema.get("uniqueItems"):
            checks.append(lambda value: not isinstance(value, list) or unique(value))
        if "items" in schema:
            each = self.compile(schema["items"])
            if each is _never:
                checks.append(lambda value: not isinstance(value, list) or not value)
            elif each is not _always:
                checks.append(lambda value: not isinstance(value, list) or all(map(each, value)))
        return checks

    def _object(self, schema: Mapping[str, Any], typed: bool | None = None) -> Check:
        """properties, patternProperties, additionalProperties, propertyNames and
        required, in one pass over the keys. `typed`: the schema's `type` is "object"
        (False) or ["object", "null"] (True: null passes too), tested here rather than by
        a predicate of its own, a call less per value (None: any other value passes)."""
        patterns = schema.get("patternProperties", {})
        matchers = [(re.compile(p).search, self.compile(s)) for p, s in patterns.items()]
        # every check a named property's value takes: its own, and those of the patterns
        # its name matches (known now, as the names are)
        named: dict[str, Check] = {}
        for name, sub in schema.get("properties", {}).items():
            own = [self.compile(sub)] + [check for search, check in matchers if search(name)]
            named[name] = _all([c for c in own if c is not _always])
        matchers = [(search, check) for search, check in matchers if check is not _always]
        # jsonschema's find_additional_properties: the patterns joined with |
        extension = re.compile("|".join(patterns)).search if patterns else None
        # the check of a key no property or pattern names: None when any key is allowed
        extra = schema.get("additionalProperties", True)
        extra_check: Check | None = _never if extra is False else None if extra is True else self.compile(extra)
        if extra_check is _always:
            extra_check = None
        names: Check | None = self.compile(schema["propertyNames"]) if "propertyNames" in schema else None
        if names is _always:
            names = None
        name_search = self.searches.get(names) if names is not None else None  # ids as keys: all in C
        if name_search is not None:
            names = None
        required = tuple(schema.get("required", ()))
        # what is asked key by key: nothing (only `required`), each value the same check (a
        # section's elements, 25k hosts), or the loop below
        keyed = bool(named or matchers) or extra_check is not None or names is not None
        each = extra_check if not (named or matchers or extension or names) else None

        def check(value: object) -> bool:
            if not isinstance(value, dict):
                return typed is None or (typed and value is None)
            for name in required:
                if name not in value:
                    return False
            if name_search is not None and not (
                all(map(isinstance, value, repeat(str))) and all(map(name_search, value))
            ):
                return False
            if not keyed:
                return True
            if each is not None:
                return all(map(each, value.values()))
            for key, item in value.items():
                if names is not None and not names(key):
                    return False
                own = named.get(key)
                if own is not None:
                    if not own(item):
                        return False
                    continue
                for search, test in matchers:
                    if search(key) and not test(item):
                        return False
                if extra_check is not None:
                    if extension is not None and extension(key):
                        continue
                    if not extra_check(item):
                        return False
            return True

        return check


def _decided(schemas: list[Schema], checks: list[Check], one_of: Check) -> Check:
    """A oneOf of two schemas no value passes both of, asking only the one it can pass
    (a link, a service: 19k values at 100k, each asked twice): by type (one an array, the
    other an object), or for an object by a key one requires and the other forbids (a
    service's `hosts`); `one_of`, asking both, for anything else."""
    if len(schemas) != 2 or not all(isinstance(s, dict) for s in schemas):
        return one_of
    first, second = checks
    a, b = (CLASSES.get(t) if isinstance(t := s.get("type"), str) else None for s in schemas)  # type: ignore[union-attr]
    if a is not None and b is not None and a is not b:
        return lambda value: first(value) if isinstance(value, a) else isinstance(value, b) and second(value)
    for has, lacks, schema, other in ((first, second, schemas[0], schemas[1]), (second, first, schemas[1], schemas[0])):
        for key in schema.get("required", ()):  # type: ignore[union-attr]
            if _forbids(other, key):
                return lambda value: (
                    (has if key in value else lacks)(value) if isinstance(value, dict) else one_of(value)
                )
    return one_of


def _forbids(schema: Schema, key: str) -> bool:
    """Whether `schema` fails every object with `key`: it is `not` of requiring it (or of
    an anyOf of which requiring it is one)."""
    sub = schema.get("not") if isinstance(schema, dict) else None
    if not isinstance(sub, dict):
        return False
    options = sub["anyOf"] if set(sub) - ANNOTATIONS == {"anyOf"} and isinstance(sub["anyOf"], list) else [sub]
    return any(isinstance(o, dict) and set(o) - ANNOTATIONS == {"required"} and o["required"] == [key] for o in options)


def _object_typed(schema: Mapping[str, Any]) -> bool | None:
    """Whether the object check does the type test: False for `type: object`, True for
    `[object, null]`, None when it cannot (no type, another type, no object keyword)."""
    if not _OBJECT_KEYWORDS & set(schema):
        return None
    types = schema.get("type")
    if types == "object" or types == ["object"]:
        return False
    if isinstance(types, list) and len(types) == 2 and set(types) == {"object", "null"}:
        return True
    return None


_OBJECT_KEYWORDS = frozenset({"properties", "patternProperties", "additionalProperties", "propertyNames", "required"})
_KEYWORDS = _OBJECT_KEYWORDS | {"type", "$ref", "const", "enum", "allOf", "anyOf", "oneOf", "not", "items"}
_KEYWORDS |= {"pattern", "minLength", "maxLength", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"}
_KEYWORDS |= {"minItems", "maxItems", "uniqueItems"}


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if _never in checks:
        return _never
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)

    def every(value: object) -> bool:
        for check in checks:
            if not check(value):
                return False
        return True

    return every
