"""Write a synthetic data-centre estate of about N elements, with planted single points
of failure whose subjects it knows.

    python bench/generate.py 100000 -o estate.yaml [--seed 1] [--planted 20]

The estate looks like a real one: zones of rows of racks; per row two feeds, two UPSes,
two cooling units; per rack two PDUs (one on each UPS) and a pair of top-of-rack
switches; a leaf-spine fabric (every leaf cabled to every spine, every spine to two
border routers and the internet); hosts dual-powered and mostly dual-homed; Ceph on
hosts in different racks; Galera and RabbitMQ clusters of three in three racks behind
HAProxy with a VIP; stateless services with 2-5 instances in distinct racks depending on
them. Apart from what is planted, no single failure takes a user-facing service down.

Planted (the generator prints them, and writes them to the file's `x-planted` key):
- a user-facing service with one instance: its host and its rack are SPOF001, and,
  when it is a stateful one, its host is SPOF002;
- a service with every instance in one rack: that rack is SPOF001.
"""

from __future__ import annotations

import argparse
import json
import random
import sys

HOSTS_PER_RACK = 16
RACKS_PER_ROW = 10


def generate(size: int, seed: int = 1, planted: int = 10) -> tuple[str, dict]:
    rng = random.Random(seed)
    out: list[str] = []
    emit = out.append
    # elements per rack: 16 hosts + 32 nic links + 2 pdus + 2 leaves + 1 rack + uplinks
    # to spines (2 leaves x spines) + about 6 service instances' worth of services
    spines = 4 if size < 200_000 else 8
    per_rack = HOSTS_PER_RACK * 3 + 5 + 2 * spines + 4
    racks = max(RACKS_PER_ROW, size // per_rack)
    rows = (racks + RACKS_PER_ROW - 1) // RACKS_PER_ROW
    rack_ids = [f"r{r:05d}" for r in range(racks)]
    expected: dict[str, set[str]] = {"SPOF001": set(), "SPOF002": set()}

    emit("version: 1")
    emit(f"name: synthetic-{size}")
    emit("entrypoints: [internet]")
    emit("zones:\n  dc1: {}")
    emit("power:")
    for w in range(rows):
        for side in "ab":
            emit(f"  feed-{w}{side}: {{kind: feed}}")
            emit(f"  ups-{w}{side}: {{kind: ups, from: [feed-{w}{side}]}}")
    for r, rack in enumerate(rack_ids):
        w = r // RACKS_PER_ROW
        for side in "ab":
            emit(f"  pdu-{rack}{side}: {{kind: pdu, from: [ups-{w}{side}]}}")
    emit("cooling:")
    for w in range(rows):
        for side in "ab":
            emit(f"  crac-{w}{side}: {{zone: dc1, power: [ups-{w}a, ups-{w}b]}}")
    emit("racks:")
    for r, rack in enumerate(rack_ids):
        w = r // RACKS_PER_ROW
        emit(f"  {rack}: {{zone: dc1, cooling: [crac-{w}a, crac-{w}b], power: [pdu-{rack}a, pdu-{rack}b]}}")
    emit("network:")
    emit("  internet: {kind: external}")
    core_rack = rack_ids[0], rack_ids[1]
    for b in (1, 2):
        emit(f"  border-{b}: {{kind: router, rack: {core_rack[b - 1]}}}")
    for s in range(spines):
        emit(f"  spine-{s}: {{kind: switch, rack: {core_rack[s % 2]}}}")
    for rack in rack_ids:
        for side in "ab":
            emit(f"  leaf-{rack}{side}: {{kind: switch, rack: {rack}}}")
    emit("links:")
    for b in (1, 2):
        emit(f"  - [internet, border-{b}]")
        for s in range(spines):
            emit(f"  - [border-{b}, spine-{s}]")
    for rack in rack_ids:
        for side in "ab":
            for s in range(spines):
                emit(f"  - [leaf-{rack}{side}, spine-{s}]")
    emit("hosts:")
    hosts_in: dict[str, list[str]] = {}
    for rack in rack_ids:
        hosts_in[rack] = []
        for i in range(HOSTS_PER_RACK):
            h = f"h-{rack}-{i:02d}"
            hosts_in[rack].append(h)
            emit(f"  {h}: {{rack: {rack}, nics: [leaf-{rack}a, leaf-{rack}b], fencing: ipmi}}")

    # free host slots, handed out round the racks so that instances land in distinct racks
    slots = {rack: list(hosts_in[rack]) for rack in rack_ids}
    order = list(rack_ids)
    rng.shuffle(order)
    cursor = [0]
    free = [racks * HOSTS_PER_RACK]

    def take(count: int) -> list[str] | None:
        chosen, used, tried = [], set(), 0
        while len(chosen) < count and tried < len(order):
            rack = order[cursor[0] % len(order)]
            cursor[0] += 1
            tried += 1
            if slots[rack] and rack not in used:
                chosen.append(slots[rack].pop())
                used.add(rack)
        if len(chosen) < count:
            return None
        free[0] -= count
        return chosen

    services: list[str] = []
    for p in range(planted):
        if p % 2:  # every instance in one rack: that rack
            rack = order[p]
            members = [slots[rack].pop() for _ in range(3)]
            free[0] -= 3
            services.append(f"  onerack-{p}: {{kind: nova-api, hosts: [{', '.join(members)}], vip: keepalived}}")
            expected["SPOF001"].add(rack)
        else:  # one instance: its host and its rack (and its data, when stateful)
            host = take(1)[0]
            stateful = p % 4 == 0
            kind = "postgresql" if stateful else "keystone-api"
            services.append(f"  single-{p}: {{kind: {kind}, hosts: [{host}]}}")
            expected["SPOF001"].update({host, host.split("-")[1]})
            if stateful:
                expected["SPOF002"].add(host)
    emit("storage:")
    cells = max(1, racks // 30)
    for c in range(cells):
        emit(f"  ceph-{c}: {{kind: ceph, hosts: [{', '.join(take(3))}], replicas: 3, min_replicas: 2}}")
    for c in range(cells):
        lb, db, mq = f"lb-{c}", f"db-{c}", f"mq-{c}"
        services.append(f"  {lb}: {{kind: haproxy, hosts: [{', '.join(take(3))}], vip: keepalived}}")
        services.append(f"  {db}: {{kind: mariadb-galera, hosts: [{', '.join(take(3))}], load_balancer: {lb}}}")
        services.append(
            f"  {mq}: {{kind: rabbitmq, hosts: [{', '.join(take(3))}], ha: active-active, quorum: majority}}"
        )
    app = 0
    while free[0] > 5 * cells:
        c = app % cells
        members = take(rng.randint(2, 5))
        if members is None:
            break
        deps = rng.choice([f"[db-{c}]", f"[db-{c}, mq-{c}]", f"[mq-{c}]", f"[db-{c}, ceph-{c}]"])
        services.append(
            f"  app-{app}: {{kind: nova-api, hosts: [{', '.join(members)}], load_balancer: lb-{c}, depends_on: {deps}}}"
        )
        app += 1
    emit("services:")
    out.extend(services)
    planted_json = {k: sorted(v) for k, v in expected.items()}
    emit(f"x-planted: {json.dumps(planted_json)}")
    return "\n".join(out) + "\n", planted_json


def count_elements(text: str) -> int:
    """Elements in a generated file: map entries two spaces deep, list items, and the
    links a host's nics make."""
    total = 0
    for line in text.splitlines():
        if line.startswith("  - "):
            total += 1
        elif line.startswith("  ") and not line.startswith("   "):
            nics = line.split("nics: [", 1)[1].split("]", 1)[0].count(",") + 1 if "nics: [" in line else 0
            total += 1 + nics
    return total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", type=int, help="about how many elements")
    parser.add_argument("-o", "--output", default="-")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--planted", type=int, default=10)
    args = parser.parse_args(argv)
    text, planted = generate(args.size, args.seed, args.planted)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as handle:
            handle.write(text)
        print(f"{args.output}: {count_elements(text)} elements, planted {json.dumps(planted)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
