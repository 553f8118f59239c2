"""`jsontext.dumps` writes what `json.dumps(value, indent=2, ensure_ascii=False)` writes,
for every value the reporters can hand it and for those it leaves to the standard library."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spoflint.reporters.jsontext import dumps
from tests.helpers import SINGLE, check_json

# text with what JSON escapes: quotes, backslashes, control characters, non-ASCII, surrogates' neighbours
_TEXT = st.text(st.characters(codec="utf-8") | st.sampled_from(['"', "\\", "\n", "\t", "\x00", "\x7f", "é", "→"]))
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | _TEXT
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(inner, max_size=3).map(tuple)
        | st.lists(_TEXT, max_size=4)
        | st.dictionaries(_TEXT, inner, max_size=5)
    ),
    max_leaves=40,
)


def _standard(value: object, pad: str = "") -> str:
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)


@settings(max_examples=400, deadline=None)
@given(_VALUES, st.sampled_from(["", "  ", "      "]))
def test_the_same_text_as_the_standard_library(value, pad):
    assert dumps(value, pad) == _standard(value, pad)


@pytest.mark.parametrize(
    "value",
    [
        {1: "a", "b": 2},  # a key that is not text: json writes it as text
        {None: [], True: {}, 1.5: ()},
        [{"k": {2: "x"}}],
        [math.nan, -math.inf, math.inf, -0.0, 1e300, 10**40],
        {"a": [], "b": {}, "c": [[]], "d": [{}]},
    ],
)
def test_what_it_leaves_to_the_standard_library_and_the_edges(value):
    assert dumps(value) == _standard(value)
    assert dumps(value, "    ") == _standard(value, "    ")


def test_what_json_cannot_encode_raises_as_json_does():
    with pytest.raises(TypeError):
        dumps({"a": object()})
    with pytest.raises(TypeError):
        dumps({"a": {"b": {1, 2}}})


def test_a_report_with_findings_is_the_same_text():
    """A real report: the single-controller example's findings, through both encoders."""
    report = check_json(str(SINGLE))
    assert report["findings"]
    for finding in report["findings"]:
        assert dumps(finding, "    ") == _standard(finding, "    ")
