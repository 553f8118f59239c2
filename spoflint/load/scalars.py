"""Scalars: plain YAML 1.1 resolution (timestamps kept as text) and the standard tags only
(plus, for a foreign format that defines them, its local tags as opaque text)."""

from __future__ import annotations

import yaml

from ..errors import InputError, quote
from .limits import MAX_INT_BITS

_STD = "tag:yaml.org,2002:"
# the local tags Ansible's loader adds to YAML (ansible.parsing.yaml.constructor): a value
# encrypted with ansible-vault, and one never to be templated; in Ansible's files, read as
# plain values (`load_foreign`)
ANSIBLE_TAGS = frozenset({"!vault", "!vault-encrypted", "!unsafe"})


class TaggedText(str):
    """A scalar written with a local tag a foreign format allows (`!vault |`, `!unsafe`):
    its text as written, opaque (a vaulted value is ciphertext, not the value)."""

    tag: str

    def __new__(cls, text: str, tag: str) -> TaggedText:
        value = super().__new__(cls, text)
        value.tag = tag
        return value

    @property
    def encrypted(self) -> bool:
        """Whether the text is ansible-vault ciphertext, not the value it stands for."""
        return self.tag.startswith("!vault")


_resolvers = yaml.resolver.Resolver.yaml_implicit_resolvers
_construct = yaml.constructor.SafeConstructor()
_scalar_cache: dict[str, object] = {}


def _plain(value: str) -> object:
    """Resolve a plain scalar as YAML 1.1 (PyYAML's rules), timestamps left as text.

    Raises ValueError for a number too large to be a number here."""
    try:
        return _scalar_cache[value]
    except KeyError:
        pass
    result: object = value
    for tag, regexp in _resolvers.get(value[:1], ()):
        if regexp.match(value):
            result = _typed(tag, value)
            break
    if len(_scalar_cache) < 100_000:
        _scalar_cache[value] = result
    return result


def _typed(tag: str, value: str) -> object:
    node = yaml.ScalarNode(tag, value)
    if tag == _STD + "null":
        return None
    if tag == _STD + "bool":
        return _construct.construct_yaml_bool(node)
    if tag == _STD + "int":
        if len(value) > MAX_INT_BITS:  # before int(), which refuses over 4300 digits
            raise ValueError(value)
        number = _construct.construct_yaml_int(node)
        if number.bit_length() > MAX_INT_BITS:  # sexagesimal 1:2:3:... grows without digits
            raise ValueError(value)
        return number
    if tag == _STD + "float":
        return _construct.construct_yaml_float(node)
    return value  # timestamps, merge markers, values: kept as written


_EXPLICIT = {
    _STD + "str": str,
    _STD + "int": int,
    _STD + "float": float,
    _STD + "bool": bool,
    _STD + "null": type(None),
}


def _tagged(path: str, event: yaml.ScalarEvent, opaque: frozenset[str] = frozenset()) -> object:
    """A scalar value that needs more than its text: plain ones resolved (numbers,
    booleans, null), tagged ones checked against their standard tag; one with a local
    tag in `opaque` is its text, as a TaggedText."""
    tag = event.tag
    if tag == _STD + "str" or (tag in (None, "!") and not event.implicit[0]):
        return event.value  # quoted, or tagged as text
    if tag in opaque:
        return TaggedText(event.value, tag)
    if tag is not None and tag not in _EXPLICIT:
        raise _bad_tag(path, event)
    line, column = _start(event)
    try:
        value = _plain(event.value)
    except ValueError:
        raise InputError(
            path,
            line,
            column,
            f"the number {quote(event.value, 30)} is too large ({len(event.value)} characters)",
        ) from None
    if tag is None:
        return value
    if tag == _STD + "float" and type(value) is int:
        return float(value)
    if isinstance(value, _EXPLICIT[tag]) and not (tag == _STD + "int" and isinstance(value, bool)):
        return value
    raise InputError(path, line, column, f"{quote(event.value)} is not a valid {tag[len(_STD) :]}")


def _bad_tag(path: str, event: yaml.ScalarEvent | yaml.CollectionStartEvent) -> InputError:
    """A tag that is not one of the standard tags of plain data."""
    tag = str(event.tag)
    if tag.startswith(_STD):
        tag = "!!" + tag[len(_STD) :]
    line, column = _start(event)
    return InputError(
        path,
        line,
        column,
        f"YAML tag {quote(tag)} is not allowed: spoflint reads plain data (mappings, lists, strings, numbers, booleans)",
    )


def _start(event: yaml.Event) -> tuple[int, int]:
    """The 1-based line and column where an event starts."""
    mark = event.start_mark
    assert mark is not None  # the parsers mark every event; the type allows None
    return mark.line + 1, mark.column + 1
