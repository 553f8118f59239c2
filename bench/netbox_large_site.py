"""A large NetBox site for measuring the NetBox reader: 10,000 devices in 250 racks,
100,000 interfaces, made with Django's bulk_create (the API would take an hour).

Run it inside the test server's shell, then read the site and remove it:

    NETBOX_ROOT=~/.cache/spoflint-netbox/root ~/.cache/spoflint-netbox/venv/bin/netbox shell -c "$(cat bench/netbox_large_site.py)"
    printf 'netbox:\\n  url: %s\\n  sites: [bench-large]\\n' "$NETBOX_URL" > .spoflint.yaml
    /usr/bin/time -v spoflint import netbox -o large.yaml

`python bench/netbox_large_site.py --remove` (in the same shell) deletes the site again.
"""

import sys
import time

from dcim.models import Device, DeviceRole, DeviceType, Interface, Manufacturer, Rack, Site  # type: ignore[import-not-found]

DEVICES, INTERFACES_EACH, RACKS = 10_000, 10, 250


def create() -> None:
    started = time.time()
    site, _ = Site.objects.get_or_create(name="bench-large", slug="bench-large")
    maker, _ = Manufacturer.objects.get_or_create(name="BenchCo", slug="benchco")
    model, _ = DeviceType.objects.get_or_create(manufacturer=maker, model="B1", slug="bench-b1")
    server, _ = DeviceRole.objects.get_or_create(name="bench-server", slug="bench-server")
    switch, _ = DeviceRole.objects.get_or_create(name="bench-switch", slug="bench-switch")
    racks = [Rack.objects.get_or_create(site=site, name=f"bench-r{r}")[0] for r in range(RACKS)]
    devices = [
        Device(
            name=f"bench-h{i}",
            site=site,
            rack=racks[i % RACKS],
            device_type=model,
            role=switch if i % 40 == 0 else server,
            status="active",
        )
        for i in range(DEVICES)
    ]
    Device.objects.bulk_create(devices, batch_size=2000)
    made = list(Device.objects.filter(site=site).order_by("id"))
    ports = [Interface(device=d, name=f"eth{n}", type="10gbase-x-sfpp") for d in made for n in range(INTERFACES_EACH)]
    Interface.objects.bulk_create(ports, batch_size=5000)
    print(f"bench-large: {len(made)} devices, {len(ports)} interfaces in {time.time() - started:.0f} s")


def remove() -> None:
    site = Site.objects.get(slug="bench-large")
    for model in (Interface, Device, Rack):
        field = "device__site" if model is Interface else "site"
        model.objects.filter(**{field: site})._raw_delete(model.objects.db)
    site.delete()


remove() if "--remove" in sys.argv else create()
