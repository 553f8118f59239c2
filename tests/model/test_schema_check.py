"""The compiled schema check against jsonschema: the same verdict on every document.

`model.validate` trusts the compiled predicate when it says "valid" and asks jsonschema
only to explain an invalid document, so the two must agree exactly: on the real schema
with broken and reshaped files (the fuzzers' documents), on the values YAML makes that
JSON Schema types subtly (true is not 1, 2.0 is not an integer, .nan is not a number),
and keyword by keyword on random schemas of the compiled subset.
"""

from __future__ import annotations

import copy
import glob
import math
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spoflint import model
from spoflint.errors import InputError
from spoflint.load import load_text
from spoflint.model import schema_check, validation
from spoflint.model.json_values import is_integer, is_number
from tests.helpers import REPO
from tests.load.test_fuzz_input import broken_examples, reshaped_examples

FIXTURES = sorted(Path(p) for p in glob.glob(str(REPO / "fixtures" / "**" / "*.yaml"), recursive=True))
FAST = schema_check.compile_schema(model.schema())


def slow_verdict(document) -> bool:
    return validation.schema_validator().is_valid(document)


def agree(document) -> bool:
    fast = FAST(document)
    assert fast == slow_verdict(document), document
    return fast


def loaded(data: bytes):
    try:
        return load_text(data, "f.yaml")
    except InputError:
        return None


def test_the_schema_compiles_whole():
    schema_check.compile_schema(model.schema())  # an unsupported keyword would raise


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_fixture(path):
    document = loaded(path.read_bytes())
    if document is not None:
        agree(document)


@pytest.mark.parametrize(
    "document",
    [
        {"version": 1, "hosts": {"h": {"nics": ["sw", "sw\n", 1]}}},
        {"version": 1, "services": {"s": {"hosts": ["h"], "replicas": 2, "pool": ["h"]}}},
        {"version": 1, "services": {"s": {"hosts": ["h"], "quorum": True}}},
        {"version": 1, "storage": {"s": {"kind": "ceph", "replicas": 2.0}}},
        {"version": 1, "objectives": {"availability": 0}},
        {"version": 1, "links": [["a", "b", "c"]]},
        {"version": 1, "zones": {"z": {"accept": {"SPOF001": ""}}}},
        {"version": 1, "zones": {"bad id": {}}},
        {"version": 1, "zones": {"z": {"x-ext": 1, "other": 2}}},
    ],
    ids=str,
)
def test_invalid_documents_are_invalid_for_both(document):
    assert agree(document) is False


def test_an_invalid_document_still_gets_the_located_message():
    with pytest.raises(InputError, match="replicas"):
        model.validate(load_text(b"version: 1\nstorage:\n  s: {kind: ceph, replicas: 0}\n", "f.yaml"))


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(broken_examples())
def test_broken_files(data):
    document = loaded(data)
    if document is not None:
        agree(document)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(reshaped_examples())
def test_reshaped_files(text):
    document = loaded(text.encode())
    if document is not None:
        agree(document)


# --- values that JSON Schema types subtly, anywhere in a real document -----------------

TRICKY = [
    True,
    False,
    0,
    1,
    2,
    -1,
    10**30,
    1.0,
    2.0,
    0.0,
    -0.0,
    0.5,
    100.0,
    100.5,
    math.nan,
    math.inf,
    -math.inf,
    None,
    "",
    "x",
    "sw-1",
    "sw-1\n",
    "bad id!",
    "-x",
    "1",
    "true",
    "2024-01-01",
    "2024-1-1",
    "90s",
    "1.5m",
    "majority",
    "none",
    "ceph",
    "host",
    "SPOF001",
    "single-point-of-failure",
    [],
    {},
    ["a", "b"],
    ["a"],
    ["a", "b", "c"],
    ["a", 1],
    {"reason": "r"},
    {"reason": ""},
    {"reason": "r", "until": "2024-01-01"},
    {"manager": "keepalived"},
    {"address": 1},
]
KEYS = [
    "kind",
    "hosts",
    "replicas",
    "pool",
    "rack",
    "zone",
    "power",
    "from",
    "nics",
    "depends_on",
    "storage",
    "load_balancer",
    "quorum",
    "ha",
    "spread",
    "min_replicas",
    "accept",
    "between",
    "name",
    "vip",
    "public",
    "min_instances",
    "access",
    "state",
    "role",
    "manager",
    "fencing",
    "cooling",
    "description",
    "reason",
    "until",
    "availability",
    "recovery_time",
    "x-ext",
    "x-",
    "bad key!",
    "SPOF001",
    "spof001",
    "version",
]


def plain(node):
    if isinstance(node, dict):
        return {k: plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


def places(node, prefix=()):
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield from places(value, prefix + (key,))


VALID = [plain(d) for d in map(loaded, (p.read_bytes() for p in FIXTURES)) if d is not None and FAST(d)]


@st.composite
def mutated(draw):
    document = copy.deepcopy(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(list(places(document))))
        node = document
        for step in where:
            node = node[step]
        # a copy: TRICKY's lists and dicts, put in a document, may be mutated by a later step
        value = st.one_of(st.sampled_from(TRICKY), st.integers(-3, 5), st.floats(), st.text(max_size=5)).map(
            copy.deepcopy
        )
        kind = draw(st.sampled_from(["set", "add", "delete", "append"]))
        if isinstance(node, dict) and kind in ("set", "delete") and node:
            key = draw(st.sampled_from(list(node)))
            if kind == "delete":
                del node[key]
            else:
                node[key] = draw(value)
        elif isinstance(node, dict):
            node[draw(st.one_of(st.sampled_from(KEYS), st.text(max_size=4)))] = draw(value)
        elif isinstance(node, list) and node and kind != "append":
            index = draw(st.integers(0, len(node) - 1))
            if kind == "delete":
                del node[index]
            else:
                node[index] = draw(value)
        elif isinstance(node, list):
            node.append(draw(value))
    return document


@pytest.mark.slow
@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_mutated_documents(document):
    agree(document)


@pytest.mark.parametrize("value", TRICKY, ids=repr)
@pytest.mark.parametrize("key", ["replicas", "quorum", "public", "kind", "min_instances", "vip"])
def test_each_tricky_value_in_a_service(key, value):
    agree({"version": 1, "services": {"s": {"hosts": ["h"], key: value}}})


@pytest.mark.parametrize("value", TRICKY, ids=repr)
@pytest.mark.parametrize("key", ["availability", "recovery_time"])
def test_each_tricky_value_in_objectives(key, value):
    agree({"version": 1, "objectives": {key: value}})


@pytest.mark.parametrize("value", TRICKY, ids=repr)
def test_each_tricky_version(value):
    agree({"version": value})


# --- keyword by keyword, on random schemas of the subset ---------------------------------


def json_values():
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 3),
        st.sampled_from([1.0, 2.0, 0.5, -0.0]),
        st.floats(),
        st.sampled_from(["", "a", "ab", "x-1", "A1", "a\n"]),
        st.text(max_size=3),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.sampled_from(["a", "b", "x-1", "x-", "c1", ""]), inner, max_size=4),
        ),
        max_leaves=10,
    )


TYPE_NAMES = ["object", "array", "string", "integer", "number", "boolean", "null"]
PATTERNS = ["^a", "^[a-z]+$", "^x-", "1$", "b"]


def schemas():
    leaf = st.one_of(
        st.booleans(),
        st.builds(
            lambda t: {"type": t},
            st.one_of(
                st.sampled_from(TYPE_NAMES), st.lists(st.sampled_from(TYPE_NAMES), min_size=1, max_size=3, unique=True)
            ),
        ),
        st.builds(lambda v: {"const": v}, st.sampled_from([1, 1.0, True, False, 0, "a", None, [1], {"a": 1}])),
        st.builds(
            lambda v: {"enum": v},
            st.lists(st.sampled_from([1, True, 0, 2.0, "a", "b", None, [True]]), min_size=1, max_size=3),
        ),
        st.builds(lambda p: {"pattern": p}, st.sampled_from(PATTERNS)),
        st.builds(
            lambda k, n: {k: n},
            st.sampled_from(
                [
                    "minimum",
                    "maximum",
                    "exclusiveMinimum",
                    "exclusiveMaximum",
                    "minLength",
                    "maxLength",
                    "minItems",
                    "maxItems",
                ]
            ),
            st.integers(0, 2),
        ),
        st.builds(
            lambda k, n: {k: n},
            st.sampled_from(["minimum", "maximum", "exclusiveMinimum"]),
            st.sampled_from([0.5, 1.5, -1]),
        ),
        st.just({"uniqueItems": True}),
        st.builds(lambda r: {"required": r}, st.lists(st.sampled_from(["a", "b", "c1"]), max_size=2, unique=True)),
        st.just({"$ref": "#/$defs/name"}),
    )

    def nest(inner):
        keyed = st.dictionaries(st.sampled_from(["a", "b", "c1"]), inner, max_size=2)
        return st.one_of(
            st.builds(lambda s: {"items": s}, inner),
            st.builds(lambda p: {"properties": p}, keyed),
            st.builds(
                lambda p: {"patternProperties": p}, st.dictionaries(st.sampled_from(PATTERNS), inner, max_size=2)
            ),
            st.builds(lambda p, a: {"properties": p, "additionalProperties": a}, keyed, inner),
            st.builds(
                lambda p, pp, a: {"properties": p, "patternProperties": pp, "additionalProperties": a},
                keyed,
                st.dictionaries(st.sampled_from(PATTERNS), inner, max_size=2),
                inner,
            ),
            st.builds(lambda s: {"propertyNames": s}, inner),
            st.builds(
                lambda k, s: {k: s},
                st.sampled_from(["anyOf", "oneOf", "allOf"]),
                st.lists(inner, min_size=1, max_size=3),
            ),
            st.builds(lambda s: {"not": s}, inner),
            st.builds(lambda a, b: {**a, **b} if isinstance(a, dict) and isinstance(b, dict) else a, inner, inner),
        )

    return st.recursive(leaf, nest, max_leaves=6)


DEFS = {"name": {"type": "string", "pattern": "^[a-z]+$"}}


@pytest.mark.slow
@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(schemas(), json_values())
def test_random_schemas(schema, instance):
    root = {"$defs": DEFS, **schema} if isinstance(schema, dict) else schema
    validator = jsonschema.validators.extend(
        jsonschema.Draft202012Validator, type_checker=validation.schema_validator().TYPE_CHECKER
    )(root)
    assert schema_check.compile_schema(root)(instance) == validator.is_valid(instance), (root, instance)


@pytest.mark.parametrize(
    "schema, instance",
    [
        ({"items": False}, [1]),
        ({"items": False}, []),
        ({"items": True}, [1]),
        ({"properties": {"a": {"type": "string"}}, "patternProperties": {"^a": {"minLength": 2}}}, {"a": "x"}),
        ({"properties": {"a": {}}, "patternProperties": {"^a": False}}, {"a": 1}),
        ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2}),
        ({"patternProperties": {"^x-": {}}, "additionalProperties": False}, {"x-1": 1}),
        ({"patternProperties": {"^x-": {}}, "additionalProperties": {"type": "integer"}}, {"y": True}),
        ({"propertyNames": {"pattern": "^a"}}, {"ab": 1, "b": 2}),
        ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 1),
        ({"oneOf": [{"type": "integer"}, {"minimum": 0}]}, 0.5),
        ({"const": 1}, True),
        ({"const": 1}, 1.0),
        ({"const": False}, 0),
        ({"enum": [1, "a"]}, True),
        ({"enum": [[1]]}, [True]),
        ({"const": [1]}, [1, 2]),
        ({"const": {"a": 1}}, {"a": 1, "b": 2}),
        ({"const": {"a": 1}}, {"a": 1.0}),
        ({"uniqueItems": True}, [1, True]),
        ({"uniqueItems": True}, [1, 1.0]),
        ({"uniqueItems": True}, [{"a": 1}, {"a": 1}]),
        ({"type": "integer"}, 2.0),
        ({"type": "number"}, math.nan),
        ({"type": "number"}, True),
        ({"minimum": 0}, -math.inf),
        ({"minimum": 0}, False),
        # the fused predicates: an id, a list of ids, an object (or null) with its keys
        ({"type": "string", "pattern": "^a"}, "ab"),
        ({"type": "string", "pattern": "^a"}, "ba"),
        ({"type": "string", "pattern": "^a"}, 1),
        ({"type": "array", "items": {"type": "string"}}, ["a", "b"]),
        ({"type": "array", "items": {"type": "string"}}, ["a", 1]),
        ({"type": "array", "items": {"type": "string"}}, "ab"),
        ({"type": "array", "items": False}, []),
        ({"type": "array", "items": False}, [1]),
        ({"type": ["object", "null"], "properties": {"a": {"type": "string"}}}, None),
        ({"type": ["object", "null"], "properties": {"a": {"type": "string"}}}, {"a": 1}),
        ({"type": ["null", "object"], "additionalProperties": False}, {"a": 1}),
        ({"type": ["object", "null"], "required": ["a"]}, []),
        ({"type": "object", "required": ["a"]}, None),
        ({"type": "object", "required": ["a"]}, {"a": None}),
        ({"type": ["object"], "propertyNames": {"pattern": "^a"}}, {"b": 1}),
        ({"type": ["object", "object"], "required": ["a"]}, None),
        # a list of ids and ids as keys, checked in C; a section of elements, each value one check
        ({"type": "array", "items": {"type": "string", "pattern": "^a"}}, ["ab", "ac"]),
        ({"type": "array", "items": {"type": "string", "pattern": "^a"}}, ["ab", 1]),
        ({"type": "array", "items": {"type": "string", "pattern": "^a"}}, ["ab", "b"]),
        ({"type": "array", "items": {"type": "string", "pattern": "^a"}}, "ab"),
        ({"type": "array", "items": {"type": "string", "pattern": "^a"}}, []),
        (
            {"propertyNames": {"type": "string", "pattern": "^a"}, "additionalProperties": {"type": "integer"}},
            {"ab": 1},
        ),
        (
            {"propertyNames": {"type": "string", "pattern": "^a"}, "additionalProperties": {"type": "integer"}},
            {"ab": "x"},
        ),
        ({"propertyNames": {"type": "string", "pattern": "^a"}, "additionalProperties": {"type": "integer"}}, {"b": 1}),
        ({"propertyNames": {"type": "string", "pattern": "^a"}, "additionalProperties": {"type": "integer"}}, {1: 1}),
        ({"propertyNames": {"type": "string", "pattern": "^a"}, "additionalProperties": {"type": "integer"}}, {}),
        ({"required": ["a"]}, {"a": 1, "b": 2}),
        # a oneOf decided by type, or by a key one branch requires and the other forbids
        ({"oneOf": [{"type": "array"}, {"type": "object"}]}, [1]),
        ({"oneOf": [{"type": "array"}, {"type": "object"}]}, {}),
        ({"oneOf": [{"type": "array"}, {"type": "object"}]}, "a"),
        ({"oneOf": [{"type": "array"}, {"type": "object"}]}, None),
        ({"oneOf": [{"type": "array", "minItems": 2}, {"type": "object", "required": ["a"]}]}, [1]),
        ({"oneOf": [{"type": "array", "minItems": 2}, {"type": "object", "required": ["a"]}]}, {"a": 1}),
        ({"oneOf": [{"type": "array", "minItems": 2}, {"type": "object", "required": ["a"]}]}, "a"),
        (
            {
                "oneOf": [
                    {"required": ["a"], "not": {"anyOf": [{"required": ["b"]}, {"required": ["c1"]}]}},
                    {"required": ["b"], "not": {"required": ["a"]}},
                ]
            },
            {"a": 1},
        ),
        (
            {
                "oneOf": [
                    {"required": ["a"], "not": {"anyOf": [{"required": ["b"]}, {"required": ["c1"]}]}},
                    {"required": ["b"], "not": {"required": ["a"]}},
                ]
            },
            {"b": 1},
        ),
        (
            {
                "oneOf": [
                    {"required": ["a"], "not": {"anyOf": [{"required": ["b"]}, {"required": ["c1"]}]}},
                    {"required": ["b"], "not": {"required": ["a"]}},
                ]
            },
            {"a": 1, "b": 1},
        ),
        (
            {
                "oneOf": [
                    {"required": ["a"], "not": {"anyOf": [{"required": ["b"]}, {"required": ["c1"]}]}},
                    {"required": ["b"], "not": {"required": ["a"]}},
                ]
            },
            {"a": 1, "c1": 1},
        ),
        (
            {
                "oneOf": [
                    {"required": ["a"], "not": {"anyOf": [{"required": ["b"]}, {"required": ["c1"]}]}},
                    {"required": ["b"], "not": {"required": ["a"]}},
                ]
            },
            {},
        ),
        (
            {
                "oneOf": [
                    {"required": ["a"], "not": {"anyOf": [{"required": ["b"]}, {"required": ["c1"]}]}},
                    {"required": ["b"], "not": {"required": ["a"]}},
                ]
            },
            1,
        ),
        (
            {
                "oneOf": [
                    {"required": ["a"], "not": {"anyOf": [{"required": ["b"]}, {"required": ["c1"]}]}},
                    {"required": ["b"], "not": {"required": ["a"]}},
                ]
            },
            [],
        ),
        ({"oneOf": [{"required": ["a"]}, {"not": {"required": ["a", "b"]}}]}, {"a": 1}),
        ({"oneOf": [{"required": ["a"]}, {"not": {"required": ["a", "b"]}}]}, {"a": 1, "b": 1}),
        ({"oneOf": [{"required": ["a"]}, {"not": {"required": ["a", "b"]}}]}, {}),
    ],
    ids=repr,
)
def test_edge_cases(schema, instance):
    validator = jsonschema.validators.extend(
        jsonschema.Draft202012Validator, type_checker=validation.schema_validator().TYPE_CHECKER
    )(schema)
    assert schema_check.compile_schema(schema)(instance) == validator.is_valid(instance)


def test_types_as_yaml_writes_them():
    assert [is_integer(v) for v in (1, -3, 10**30, True, False, 1.0, "1", None)] == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert [is_number(v) for v in (1, 0.5, -0.0, 1e308, math.nan, math.inf, -math.inf, True, "1")] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]


def test_unknown_keywords_are_refused_not_ignored():
    for schema in (
        {"format": "date"},
        {"prefixItems": []},
        {"$ref": "other.json#/x"},
        {"items": [{}]},
        {"$ref": "#/$defs/missing"},
        {"if": {}},
        {"type": "decimal"},
    ):
        with pytest.raises(schema_check.UnsupportedSchema):
            schema_check.compile_schema(schema)
