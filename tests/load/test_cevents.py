"""The builder in C (`load/_cevents.c`) held to the builder in Python (`events._build`).

Wherever the C builder gives an answer, it is the Python builder's: the same documents,
value for value and type for type, the same positions of every key, value and item, the
same spans of the scalars that may hide an accept comment. Where it gives up (None), the
text has something only the Python builder handles (an anchor, an alias, a tag, a merge
key, a duplicate key, deep nesting, an error), and `_parsed` hands it over.
"""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spoflint.errors import InputError
from spoflint.load import events
from spoflint.load.limits import MAX_DEPTH
from spoflint.load.marked import MarkedList, MarkedMap
from spoflint.load.scalars import _plain, _resolvers, _scalar_cache
from tests import helpers

cevents = events._cevents
pytestmark = pytest.mark.skipif(cevents is None, reason="spoflint was installed without its C builder")


def shape(value: object) -> object:
    """Everything the builders make of a value, places included, as plain comparable data."""
    if isinstance(value, MarkedMap):
        items = [(key, shape(item)) for key, item in value.items()]
        return ("map", value.path, value.line, value.column, items, dict(value.where))
    if isinstance(value, MarkedList):
        return ("list", value.path, value.line, value.column, [shape(item) for item in value], list(value.where))
    if isinstance(value, float) and math.isnan(value):
        return (float, "nan")
    return (type(value), value)


def c_built(data: bytes, spans: list | None = None):
    return cevents.build(data, "f.yaml", MarkedMap, MarkedList, _resolvers, _scalar_cache, _plain, spans, MAX_DEPTH)


def assert_same(data: bytes) -> bool:
    """Whether the C builder answered; when it does, its answer is the Python builder's."""
    c_spans: list = []
    built = c_built(data, c_spans)
    if built is None:
        return False
    py_spans: list = []
    expected = events._build(data, "f.yaml", spans=py_spans)
    assert [(shape(root), at, start) for root, at, start in built] == [
        (shape(root), at, start) for root, at, start in expected
    ]
    assert c_spans == py_spans
    assert c_built(data) is not None  # without spans too
    return True


SAME = [
    b"",
    b"# only a comment\n",
    b"---\n",
    b"--- ~\n...\n--- 3\n",
    b"a: 1\nb: [1, 2.5, .inf, -.nan, 0x1F, 0o17, 017, 1_000, 1:20, +12, yes, No, ~, null, '', ]\n",
    b"a:\nb: ''\nc: !!str\n"[:12],
    b"hosts:\n  - id: h1\n    rack: r1\n  - {id: h2, rack: r2}\n",
    b"text: 'a # b'\nblock: |\n  x # y\n  z\nfolded: >-\n  # not a comment\n",
    b'"quoted key": "v # w"\nplain key: v\n',
    "name: café\nrésumé: ünïcode\n\u00e9t\u00e9: [été]\n".encode(),
    b"\xef\xbb\xbfa: 1\n",
    "a: b\n".encode("utf-16"),
    b"when: 2001-12-14\nversion: 1.10\nport: 08080\n",
    b"%YAML 1.1\n---\na: 1\n",
    b"- - - - [1]\n  - {}\n- []\n",
    b"? complex\n: value\n",
    b"a: 1\n---\nb: 2\n",
    b"'<<': quoted merge key is text\n",
]

GIVES_UP = [
    b"a: &x 1\nb: *x\n",
    b"base: &b {x: 1}\nder:\n  <<: *b\n",
    b"a: !!str 1\n",
    b"a: !vault |\n  cipher\n",
    b"a: 1\na: 2\n",
    b"? [a]\n: b\n",
    b"a: [\n",
    b"a: 1\n  b: 2\n",
    b"n: " + b"1" * 5000 + b"\n",
    b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
    b"a: \x01\n",
]


@pytest.mark.parametrize("data", SAME)
def test_same_documents(data):
    assert assert_same(data)


@pytest.mark.parametrize("data", GIVES_UP)
def test_hands_over_what_it_does_not_build(data):
    assert c_built(data) is None


def test_nesting_up_to_the_limit_is_built():
    depth = MAX_DEPTH
    assert assert_same(b"[" * depth + b"]" * depth)


@pytest.mark.parametrize("path", sorted(helpers.EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_the_examples(path):
    assert assert_same(path.read_bytes())


def test_the_corpus():
    """Every YAML file of the real-world corpus: the same, or handed over."""
    files = sorted(p for p in helpers.CORPUS.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        pytest.skip("the shared corpus is not next to this clone")
    answered = sum(assert_same(path.read_bytes()) for path in files)
    assert answered >= len(files) // 2, f"the C builder answered {answered} of {len(files)} files"


TRICKY = st.sampled_from(
    ["yes", "No", "~", "", "0x1F", "1_000", "1:20", "3.5e3", ".inf", "-.NaN", "2001-12-14", "#x", "a # b", "é",
     "null", "0o17", "+12", "-.5", "012", "true", "off", "- x", "a: b", "'q'", '"', "\\", "\t", "x\ny", "  lead"]
)  # fmt: skip
SCALARS = st.one_of(
    TRICKY, st.text(max_size=12), st.integers(-(10**20), 10**20), st.floats(allow_nan=False), st.booleans(), st.none()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.one_of(TRICKY, st.text(max_size=8)), inner, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES, st.booleans(), st.sampled_from([None, "'", '"', "|"]), st.integers(20, 80))
def test_same_as_python_on_generated_yaml(value, flow, style, width):
    """Data dumped every way PyYAML writes it (block or flow, quoted, wrapped) is built
    the same by both; with no anchor, tag or merge key in it, the C builder answers."""
    text = yaml.safe_dump(value, default_flow_style=flow, default_style=style, width=width, allow_unicode=True)
    data = text.encode()
    answered = assert_same(data)
    if "<<" not in text and "!!" not in text and "&" not in text:
        assert answered, text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list(":-[]{},&*!|>'\"#%@?~ \n") + ["a", "1", "é", "<<", "---", "  "]), max_size=40))
def test_same_or_handed_over_on_broken_yaml(pieces):
    """Whatever the text, the C builder either agrees with the Python builder or gives
    up; it never answers where the Python builder refuses."""
    data = "".join(pieces).encode()
    try:
        events._build(data, "f.yaml", spans=[])
    except Exception:  # the Python builder refuses it: so must the C builder
        assert c_built(data, []) is None
        return
    assert_same(data)


def test_a_short_text_value_is_the_key_it_names():
    """An id written as a value (a reference) is the same object as the key that declares
    it, quoted or not: dict lookups by it match on identity. Numbers and long text are
    values of their own."""
    ((root, _, _),) = c_built(b"power:\n  ups-0a: {}\nfrom: [ups-0a, 'ups-0a', 12]\nnote: " + b"x" * 65 + b"\n")
    (key,) = root["power"]
    first, quoted, number = root["from"]
    assert first == quoted == key and first is key and quoted is key
    assert number == 12 and isinstance(number, int)
    assert root["note"] == "x" * 65


def test_without_the_c_builder_every_text_reads_the_same(monkeypatch):
    """Installed without a compiler, `_parsed` reads with the Python builder alone: the
    same documents and spans, and the same errors, with their positions."""
    texts = [path.read_bytes() for path in sorted(helpers.EXAMPLES.glob("*.yaml"))] + SAME[:6]
    with_c = [events._parsed(data, "f.yaml", spans=[]) for data in texts]
    error = pytest.raises(InputError, events._parsed, b"a: 1\na: 2\n", "f.yaml")
    monkeypatch.setattr(events, "_cevents", None)
    alone = [events._parsed(data, "f.yaml", spans=[]) for data in texts]
    assert [[(shape(r), a, s) for r, a, s in d] for d in with_c] == [[(shape(r), a, s) for r, a, s in d] for d in alone]
    again = pytest.raises(InputError, events._parsed, b"a: 1\na: 2\n", "f.yaml")
    assert str(error.value) == str(again.value) and "line 1, column 1" in str(again.value)
