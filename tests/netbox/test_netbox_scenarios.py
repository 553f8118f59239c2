"""The NetBox reader on scenarios made through the API, each in a new site: a VM cluster
(a pinned VM on its device, an unpinned one on any member), `tags` scoping, and the
requests a read makes (pages, never one per object)."""

from __future__ import annotations

import math
import urllib.request
from typing import Any

import pytest

from spoflint import model
from spoflint.importers import _netbox_client as client
from spoflint.importers import netbox


class Cluster:
    """A site with a rack, a switch and two hypervisors cabled to it, in one cluster; a VM
    pinned to the first hypervisor, one free to run on either; the first hypervisor and
    the pinned VM carry a tag."""

    def __init__(self, server: Any):
        self.server = server
        self.slug = server.unique("vmc").lower()
        make = server.create
        self.site = make("dcim/sites/", name=self.slug, slug=self.slug)["id"]
        maker = make("dcim/manufacturers/", name=self.slug, slug=self.slug)["id"]
        kind = make("dcim/device-types/", manufacturer=maker, model=self.slug, slug=self.slug)["id"]
        self.tag = make("extras/tags/", name=self.slug, slug=self.slug)["slug"]
        rack = make("dcim/racks/", site=self.site, name=f"r1-{self.slug}")["id"]
        ctype = make("virtualization/cluster-types/", name=self.slug, slug=self.slug)["id"]
        cluster = make("virtualization/clusters/", name=f"c-{self.slug}", type=ctype)["id"]

        def device(name: str, role: str, **more: Any) -> int:
            fields = {"name": name, "device_type": kind, "role": self._role(role), "site": self.site, "rack": rack}
            return make("dcim/devices/", **fields, **more)["id"]

        self.switch = f"sw-{self.slug}"
        switch = device(self.switch, "tor-switch")
        self.hypervisors = [f"hv1-{self.slug}", f"hv2-{self.slug}"]
        first = device(self.hypervisors[0], "application-server", cluster=cluster, tags=[{"slug": self.tag}])
        second = device(self.hypervisors[1], "application-server", cluster=cluster)
        for number, hypervisor in enumerate((first, second)):
            port = make("dcim/interfaces/", device=switch, name=f"p{number}", type="1000base-t")["id"]
            nic = make("dcim/interfaces/", device=hypervisor, name="eth0", type="1000base-t")["id"]
            make(
                "dcim/cables/",
                a_terminations=[{"object_type": "dcim.interface", "object_id": nic}],
                b_terminations=[{"object_type": "dcim.interface", "object_id": port}],
            )
        self.pinned, self.free = f"pinned-{self.slug}", f"free-{self.slug}"
        vm = "virtualization/virtual-machines/"
        make(vm, name=self.pinned, cluster=cluster, site=self.site, device=first, tags=[{"slug": self.tag}])
        make(vm, name=self.free, cluster=cluster, site=self.site)

    def _role(self, slug: str) -> int:
        return self.server.api("GET", f"dcim/device-roles/?slug={slug}")["results"][0]["id"]

    def read(self, **more: Any) -> Any:
        return netbox.read(netbox.Settings(self.server.url, self.server.token, sites=(self.slug,), **more))


@pytest.fixture(scope="module")
def cluster(netbox_server) -> Cluster:
    return Cluster(netbox_server)


def _links(document: Any, host: str) -> list[str]:
    return sorted(
        b if a == host else a for a, b in (item["between"] for item in document.get("links", ())) if host in (a, b)
    )


def test_a_vm_is_placed_where_its_hypervisor_is(cluster):
    document = cluster.read()
    hosts = document["hosts"]
    rack = hosts[cluster.hypervisors[0]]["rack"]
    pinned, free = hosts[cluster.pinned], hosts[cluster.free]
    assert pinned["kind"] == free["kind"] == "vm"
    # pinned: its device's rack and cabling
    assert pinned["rack"] == rack and cluster.hypervisors[0] in pinned["description"]
    assert _links(document, cluster.pinned) == [cluster.switch]
    # free to run on either member: where both are (one rack, both cabled to the one switch), and said so
    assert free["rack"] == rack and all(h in free["description"] for h in cluster.hypervisors)
    assert _links(document, cluster.free) == [cluster.switch]
    model.build([document])  # it lints


def test_tags_select_devices_and_vms(cluster):
    document = cluster.read(tags=(cluster.tag,))
    hosts = document["hosts"]
    assert cluster.hypervisors[0] in hosts and cluster.pinned in hosts
    assert cluster.hypervisors[1] not in hosts and cluster.free not in hosts
    assert cluster.switch not in document.get("network", {})  # untagged: not read
    model.build([document])


def test_a_read_is_pages_not_objects(cluster, monkeypatch):
    requests: list[str] = []
    opened = urllib.request.OpenerDirector.open

    def counting(self, request, *args, **kwargs):
        requests.append(request.full_url)
        return opened(self, request, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", counting)  # every request the client sends
    snapshot = client.fetch(cluster.server.url, cluster.server.token, sites=(cluster.slug,), page_size=2)
    pages = sum(max(1, math.ceil(len(getattr(snapshot, name)) / 2)) for name in client.ENDPOINTS)
    assert len(requests) == 1 + pages  # /api/status/, then each endpoint's pages
    assert len(snapshot.interfaces) == 4 and len(snapshot.devices) == 3
    assert all("fields=" in url for url in requests if "/dcim/interfaces/" in url)


def test_the_config_s_roles_map_custom_roles_through_the_cli(cluster, tmp_path, monkeypatch, capsys):
    import yaml

    from spoflint.cli import run

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NETBOX_TOKEN", cluster.server.token)
    config = f"netbox:\n  url: {cluster.server.url}\n  sites: [{cluster.slug}]\n"
    (tmp_path / ".spoflint.yaml").write_text(config + "  roles: {application-server: firewall}\n")
    assert run(["import", "netbox", "-o", "site.yaml"]) == 0
    written = yaml.safe_load((tmp_path / "site.yaml").read_text())
    assert written["network"][cluster.hypervisors[0]]["kind"] == "firewall"
    assert cluster.hypervisors[0] not in written["hosts"]
    (tmp_path / ".spoflint.yaml").write_text(config)
    assert run(["import", "netbox", "-o", "site.yaml"]) == 0
    written = yaml.safe_load((tmp_path / "site.yaml").read_text())
    assert written["hosts"][cluster.hypervisors[0]]["kind"] == "server"


def test_pagination_follows_next(cluster):
    pages: list[str] = []
    small = netbox.Settings(cluster.server.url, cluster.server.token, sites=(cluster.slug,), page_size=1)
    paged = netbox.read(small, pages.append)
    assert [p for p in pages if "dcim/interfaces" in p][-1].endswith(" 4/4")  # one a page, each said
    assert sum("dcim/interfaces" in p for p in pages) == 4
    assert paged == cluster.read()  # the same document as with pages of 1000
