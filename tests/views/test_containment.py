"""Containment for the pictures (spoflint.views.containment): zones hold racks, racks
their boxes, and power a rack gives its members is drawn once."""

from __future__ import annotations

from spoflint.views.containment import NO_ZONE, nest
from tests.helpers import topology_of

ESTATE = """
version: 1
name: rows
entrypoints: [edge]
zones: {dc1: {}, dc2: {}}
power:
  feed-a: {kind: feed, zone: dc1}
  pdu-1a: {kind: pdu, from: [feed-a]}
  pdu-1b: {kind: pdu, from: [feed-a]}
  pdu-x: {kind: pdu, from: [feed-a]}
cooling:
  crac-1: {zone: dc1, power: [feed-a]}
racks:
  r1: {zone: dc1, power: [pdu-1a, pdu-1b], cooling: [crac-1]}
  r2: {zone: dc2}
  r3: {}
network:
  edge: {kind: router}
  tor-1: {kind: switch, rack: r1}
hosts:
  h1: {rack: r1, nics: [tor-1]}
  h2: {rack: r1, power: [pdu-x], nics: [tor-1]}
  h3: {rack: r2, power: [pdu-x]}
  h4: {zone: dc2, power: [pdu-x]}
  h5: {}
"""


def test_zones_hold_racks_and_racks_their_boxes():
    n = nest(topology_of(ESTATE))
    assert n.zones == {"dc1": ("r1",), "dc2": ("r2",), NO_ZONE: ("r3",)}
    assert n.members == {"r1": ("tor-1", "h1", "h2"), "r2": ("h3",), "r3": ()}
    assert n.loose == {NO_ZONE: ("edge", "h5"), "dc2": ("h4",)}
    assert n.facilities == {"dc1": ("feed-a", "crac-1"), NO_ZONE: ("pdu-1a", "pdu-1b", "pdu-x")}


def test_power_inherited_from_the_rack_is_drawn_at_the_rack():
    n = nest(topology_of(ESTATE))
    assert n.rack_power["r1"] == ("pdu-1a", "pdu-1b")
    assert n.inherits("h1") and n.inherits("tor-1")  # the rack's PDUs, drawn once
    assert n.own_power == {"h2": ("pdu-x",), "h3": ("pdu-x",), "h4": ("pdu-x",)}
    assert not n.inherits("h2") and n.inherits("h5")  # h5 draws no power at all
