"""The one table of default failure figures: how available each element is by itself.

An element's availability is the figure it declares (`availability:` in percent, or
`mtbf:`/`mttr:` in hours, which the model keeps as a fraction), else the default for
its kind below. Both the availability analysis (spoflint.analysis.availability) and
the ranking of cut sets (spoflint.analysis.cutsets: the product of the elements'
unavailabilities, 1 - availability) read it through `element_availability`.

Defaults (percent; rough figures to override with `availability:` or `mtbf:`/`mttr:`
on the element, from your own incident history):

| element | default | from |
|---|---|---|
| power feed (utility) | 99.9 | utility grid supply is typically quoted at about three nines (IEEE 493 "Gold Book"; Uptime Institute's Tier Standard treats the utility as unreliable and excludes it from tier ratings) |
| generator | 99.0 | IEEE 493 "Gold Book" start/run failure rates for standby generators: a percent-level chance of not carrying the load |
| ups | 99.99 | vendor module MTBF figures in the 100,000-250,000 h range with several hours to repair (IEEE 493; Schneider/APC white paper 78 on UPS availability) |
| pdu | 99.999 | vendor MTBF figures for rack PDUs of 500,000 h and more, a few hours to swap |
| cooling unit | 99.98 | CRAC/CRAH unit MTBF in the tens of thousands of hours with a working day to repair (IEEE 493; ASHRAE TC 9.9) |
| rack | 99.999 | a passive enclosure: what takes it down whole (a fire, a bumped breaker, a water leak) is rare |
| router, firewall, lb-appliance | 99.99 | vendor hardware MTBF (Cisco, Juniper: 100,000 h and more) less software and configuration faults, which dominate in practice (Uptime Institute annual outage analyses) |
| switch | 99.99 | as for routers |
| link (cable and optics) | 99.999 | transceiver MTBF figures above 1,000,000 h; cabling faults are mostly human |
| host | 99.95 | servers see a hardware failure at 2-8 % a year (Vishwanath and Nagappan, "Characterizing Cloud Computing Hardware Reliability", SoCC 2010; Schroeder and Gibson's studies of HPC node failures) with about a day to repair, plus unplanned reboots |
| storage box without hosts: san | 99.999 | enterprise arrays are marketed at five to six nines (dual controllers) |
| storage box without hosts: managed | 99.99 | cloud block and database SLAs (AWS EBS, Azure managed disks: 99.9-99.99 %) |
| storage box without hosts: other kinds | 99.95 | a single server |
| zone in the failure scope | 99.999 | `ZONE_IN_SCOPE`, below |

One failure model for every command (docs/analyses.md, "The failure model"): only a
failure candidate in the failure scope (`Topology.can_fail`: what SPOF001 and the cut
sets fail) is ever down. Everything else is up (1), whatever figure it declares: a
zone outside the scope, an external node, an entry point, a storage backend with hosts
(it fails through them), a service (through its hosts).

Zones are outside the default failure scope. Where a configuration puts them in it
(`failure-scope: [..., zones]`), a zone that declares no figure is taken at
`ZONE_IN_SCOPE`, 99.999 %: a placeholder judgement, not a published figure. A zone
here is a site or availability zone failing as a whole by itself (a building's fire
or flood, a regional event); the power and cooling inside it are elements of their
own. The site-wide figures usually quoted (the Uptime Institute tier figures, 99.982 %
for Tier III and 99.995 % for Tier IV) include those power and cooling failures, so a
zone's own share is taken an order of magnitude smaller.
"""

from __future__ import annotations

from ..model import DEFAULT_SCOPE, Topology

DEFAULTS: dict[tuple[str, str | None], float] = {  # (section, kind) -> percent
    ("power", "feed"): 99.9,
    ("power", "generator"): 99.0,
    ("power", "ups"): 99.99,
    ("power", "pdu"): 99.999,
    ("cooling", None): 99.98,
    ("racks", None): 99.999,
    ("network", "router"): 99.99,
    ("network", "firewall"): 99.99,
    ("network", "lb-appliance"): 99.99,
    ("network", "switch"): 99.99,
    ("links", None): 99.999,
    ("hosts", None): 99.95,
    ("storage", "san"): 99.999,
    ("storage", "managed"): 99.99,
    ("storage", None): 99.95,
}
ZONE_IN_SCOPE = 99.999  # percent, for a zone in the failure scope that declares nothing


def element_availability(t: Topology, eid: str, scope: frozenset = DEFAULT_SCOPE) -> float:
    """The probability that element `eid` is up by itself (a fraction), in the one
    failure model of every command: 1 unless it is a failure candidate in `scope`
    (`Topology.can_fail`, what SPOF001 and cut sets fail), else its declared figure,
    else the default for its kind."""
    if not t.can_fail(eid, scope):
        return 1.0  # a figure on an element that cannot fail is not counted
    if eid in t.availability:
        return t.availability[eid]
    section = t.section_of[eid]
    if section == "zones":
        return ZONE_IN_SCOPE / 100
    kind = getattr(t.element(eid), "kind", None)
    figure = DEFAULTS.get((section, kind), DEFAULTS.get((section, None)))
    return 1.0 if figure is None else figure / 100


def element_unavailability(t: Topology, eid: str, scope: frozenset = DEFAULT_SCOPE) -> float:
    """The probability that element `eid` is down by itself: 1 - its availability."""
    return 1 - element_availability(t, eid, scope)
