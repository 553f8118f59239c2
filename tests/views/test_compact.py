"""The compact model the page's evaluator reads (spoflint/views/compact.py): ids in the
element order, every column decoding back to the model's fields, small at a generated
estate. The evaluator itself is held to the reference in test_whatif.py (a browser)."""

from __future__ import annotations

import json
import sys

from spoflint.model import SECTIONS, Topology
from spoflint.views.compact import SPREAD, encode
from tests.helpers import HA, REPO, topology_of


def decoded(column: list[int] | int, length: int) -> list[int]:
    """A column as evaluate.js reads it: one number for all, or the running sum of its deltas."""
    if isinstance(column, int):
        return [column] * length
    assert len(column) == length
    out, total = [], 0
    for delta in column:
        total += delta
        out.append(total)
    return out


def check_round_trip(t: Topology, c: dict) -> None:
    ids, sets = c["ids"], c["sets"]
    assert ids == [eid for section in SECTIONS for eid in getattr(t, section)] == list(t.section_of)
    assert c["sections"] == [len(getattr(t, section)) for section in SECTIONS]
    assert sets[0] == [] and len({tuple(s) for s in sets}) == len(sets)  # each list once

    def one(values):
        return [None if i == -1 else ids[i] for i in values]

    def many(values):
        return [tuple(ids[i] for i in sets[k]) for k in values]

    assert [ids[i] for i in c["entrypoints"]] == list(t.entrypoints)
    power, boxes = list(t.power.values()), [*t.network.values(), *t.hosts.values()]
    assert one(decoded(c["power"]["zone"], len(power))) == [p.zone for p in power]
    assert many(decoded(c["power"]["sources"], len(power))) == [p.sources for p in power]
    assert many(decoded(c["racks"]["cooling"], len(t.racks))) == [r.cooling for r in t.racks.values()]
    assert one(decoded(c["boxes"]["rack"], len(boxes))) == [b.rack for b in boxes]
    assert one(decoded(c["boxes"]["zone"], len(boxes))) == [b.zone for b in boxes]
    assert many(decoded(c["boxes"]["power"], len(boxes))) == [b.power for b in boxes]
    links = list(t.links.values())
    assert one(decoded(c["links"]["a"], len(links))) == [link.a for link in links]
    assert one(decoded(c["links"]["b"], len(links))) == [link.b for link in links]
    for h, host in t.hosts.items():  # the evaluator finds a host's links from the links
        assert host.links == tuple(link.id for link in links if h in (link.a, link.b))
    storage = list(t.storage.values())
    assert many(decoded(c["storage"]["hosts"], len(storage))) == [s.hosts for s in storage]
    assert decoded(c["storage"]["min_replicas"], len(storage)) == [s.min_replicas for s in storage]
    services = list(t.services.values())
    fields = c["services"]
    assert many(decoded(fields["needs"], len(services))) == [s.needs for s in services]
    assert many(decoded(fields["hosts"], len(services))) == [s.hosts for s in services]
    assert many(decoded(fields["pool"], len(services))) == [s.pool for s in services]
    assert one(decoded(fields["load_balancer"], len(services))) == [s.load_balancer for s in services]
    assert decoded(fields["need"], len(services)) == [s.need for s in services]
    flags = decoded(fields["flags"], len(services))
    assert [bool(f & 1) for f in flags] == [s.public for s in services]
    assert [bool(f & 2) for f in flags] == [s.addresses_one for s in services]
    assert [(f >> 2) & 3 for f in flags] == [SPREAD[s.spread] for s in services]
    assert [ids[i] for i in c["order"]] == sorted([*t.storage, *t.services])


def test_example_round_trips():
    t = topology_of(HA.read_text(), HA.name)
    c = encode(t)
    assert next(iter(c)) == "ids"
    check_round_trip(t, c)
    assert any(f >> 4 for f in decoded(c["services"]["flags"], len(t.services)))  # holders of data


def test_generated_estate_is_small():
    """Past the ids themselves, a few bytes per element: about 7 at the bench estates
    (links and hosts in order make small deltas, shared lists are stored once)."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    t = topology_of(generate(5_000)[0], "estate-5000.yaml")
    c = encode(t)
    check_round_trip(t, c)
    size = len(json.dumps(c, separators=(",", ":")))
    ids = len(json.dumps(c["ids"], separators=(",", ":")))
    assert size - ids <= 10 * len(c["ids"]), (size, ids, len(c["ids"]))
