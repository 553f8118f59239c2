"""JSON text as `json.dumps(value, indent=2, ensure_ascii=False)` writes it, faster.

With an indent, the standard library leaves its C encoder for the pure-Python one, a
generator per container: encoding the 1,916 findings of the 2,000-service Compose
benchmark took 0.090 s, a sixth of that whole check (0.55 s CPU). This writes the same
text from a recursive function that appends pieces to one list, the strings escaped
by the standard library's own C function, and a list of strings joined in one go:
0.036 s for the same findings (`bench/run.py --cases readers`, 2026-12-02).

`dumps` takes what the reporters hand it (dicts with text keys, lists, tuples, text,
numbers, booleans, None) and gives the standard library's text for it byte for byte
(a property test holds the two together); for anything else (a key that is not text,
a value json cannot encode) it hands the value to `json.dumps` itself, which writes it
or raises as it always has.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C escaper, as json.dumps uses it with ensure_ascii=False
from typing import Any

_STEP = "  "
_KEYS: dict[object, str] = {}  # a key's text and the ": " after it: the reporters' few keys, over and over
_KEPT = 512  # keys remembered at most (a report's keys are its format's fields)


class _Other(Exception):
    """A value or key this encoder leaves to json.dumps."""


def dumps(value: object, pad: str = "") -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, each line after the first
    starting with `pad` (the value written inside another one, indented by `pad`)."""
    out: list[str] = []
    try:
        _pieces(value, pad, out)
    except _Other:
        return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + pad)
    return "".join(out)


def _pieces(value: Any, pad: str, out: list[str]) -> None:
    """Append the text of `value`, its inner lines indented from `pad`."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = pad + _STEP
        separator = "{\n" + inner
        keys = _KEYS
        for key, item in value.items():
            written = keys.get(key)
            if written is None:
                if type(key) is not str:
                    raise _Other
                written = encode_basestring(key) + ": "
                if len(keys) < _KEPT:
                    keys[key] = written
            kind = type(item)
            if kind is str:  # most values: one piece, no call
                out.append(separator + written + encode_basestring(item))
            elif kind is int or item is None:
                out.append(separator + written + ("null" if item is None else int.__repr__(item)))
            else:
                out.append(separator + written)
                _pieces(item, inner, out)
            separator = ",\n" + inner
        out.append("\n" + pad + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = pad + _STEP
        between = ",\n" + inner
        if all(type(item) is str for item in value):  # ids, chains, impacts: joined at once
            out.append("[\n" + inner + between.join(map(encode_basestring, value)) + "\n" + pad + "]")
            return
        separator = "[\n" + inner
        for item in value:
            out.append(separator)
            _pieces(item, inner, out)
            separator = between
        out.append("\n" + pad + "]")
    else:
        out.append(_scalar(value))


def _scalar(value: object) -> str:
    """null, true, false, an integer or a float as json writes them."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    raise _Other
