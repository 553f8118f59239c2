"""The model's fast constructors make the same objects as the dataclasses they stand for."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from spoflint.model.elements import Location, Places, location
from tests.helpers import topology_of


def test_a_location_made_fast_is_a_location():
    fast, plain = location("t.yaml", 3, 7), Location("t.yaml", 3, 7)
    assert type(fast) is Location
    assert (fast.path, fast.line, fast.column) == ("t.yaml", 3, 7)
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert pickle.loads(pickle.dumps(fast)) == plain == copy.copy(fast)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.line = 4  # type: ignore[misc]


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
