"""The model's fast constructors make the same objects as the dataclasses they stand for."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from spoflint.model.elements import Host, Link, Location, Places, by_id, location
from tests.helpers import topology_of


def test_a_location_made_fast_is_a_location():
    fast, plain = location("t.yaml", 3, 7), Location("t.yaml", 3, 7)
    assert type(fast) is Location
    assert (fast.path, fast.line, fast.column) == ("t.yaml", 3, 7)
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert pickle.loads(pickle.dumps(fast)) == plain == copy.copy(fast)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.line = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    "cls, rows",
    [
        (Link, [("h1--sw1", "h1", "sw1"), ("h1--sw2", "h1", "sw2")]),
        (
            Host,
            [
                ("h1", "r1", None, ("pdu-a", "pdu-b"), ("h1--sw1",), "ipmi", "server"),
                ("h2", None, "z1", (), (), None, None),
            ],
        ),
        (Link, []),
    ],
)
def test_elements_made_by_id_are_the_dataclasses(cls, rows):
    fast = by_id(cls, rows)
    assert list(fast) == [row[0] for row in rows]
    for row, made in zip(rows, fast.values(), strict=True):
        plain = cls(*row)
        assert type(made) is cls and made == plain and hash(made) == hash(plain) and repr(made) == repr(plain)
        assert pickle.loads(pickle.dumps(made)) == plain
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.id = "other"  # type: ignore[misc]


def test_a_row_without_every_field_is_refused():
    with pytest.raises(ValueError):
        by_id(Link, [("h1--sw1", "h1")])


def test_the_model_places_each_element_where_it_is_written():
    t = topology_of("version: 1\nhosts:\n  web-1: {}\n  web-2:\n    rack: r1\nracks:\n  r1: {}\n")
    assert t.where["web-1"] == Location("t.yaml", 3, 3)
    assert t.where["web-2"] == Location("t.yaml", 4, 3)
    assert t.where["r1"] == Location("t.yaml", 7, 3)


def test_places_are_made_only_when_asked_for():
    """The model keeps each element's declaration and makes its Location on first use:
    a check asks for the few its findings name, not for a million."""
    t = topology_of("version: 1\nhosts:\n  web-1: {nics: [sw]}\nnetwork:\n  sw: {kind: switch}\n")
    where = t.where
    assert isinstance(where, Places) and not where._made
    assert list(where) == ["web-1", "web-1--sw", "sw"] and len(where) == 3  # the order written
    assert "sw" in where and "nothing" not in where and where.get("nothing") is None
    assert not where._made  # asking whether, or how many, makes none
    assert where["sw"] == Location("t.yaml", 5, 3) and where.get("sw") is where["sw"]
    assert len(where._made) == 1
    assert dict(where) == {
        "web-1": Location("t.yaml", 3, 3),
        "web-1--sw": Location("t.yaml", 3, 18),
        "sw": Location("t.yaml", 5, 3),
    }
    assert where == dict(where) and pickle.loads(pickle.dumps(where)) == where
    with pytest.raises(KeyError):
        where["nothing"]
