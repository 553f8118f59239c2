"""The model's fast constructors make the same objects as the dataclasses they stand for."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from spoflint.model.elements import Location, location
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
