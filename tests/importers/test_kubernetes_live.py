"""Kubernetes as it runs: a `kubectl get nodes,pods,pvc,pv,services,deployments,statefulsets,
daemonsets -A -o yaml` dump read for its nodes (zones, racks by a configured label) and for
where the pods of each workload run now; alone, or with the manifests of the same workloads.
The fixtures' findings are pinned by their `# expect:` lines (test_import_kubernetes.py)."""

from __future__ import annotations

from functools import partial

import yaml

from spoflint.importers import kubernetes
from tests.helpers import REPO, check_json, invoke, lint_import, write

FIXTURES = REPO / "fixtures" / "import" / "kubernetes"
SHOP = FIXTURES / "live-shop.yaml"
ORDERS = FIXTURES / "live-with-manifests"
lint = partial(lint_import, kubernetes)


def message(findings, rule, subject):
    return next(f.message for f in findings if f.rule == rule and f.subject == subject)


def test_nodes_are_the_hosts_in_their_zones_and_replace_the_implied_ones():
    t, _ = lint(SHOP)
    assert set(t.hosts) == {"node-1", "node-3", "node-7"}
    assert {h: t.hosts[h].zone for h in t.hosts} == {
        "node-1": "eu-west-a",
        "node-3": "eu-west-b",
        "node-7": "eu-west-c",
    }
    assert not t.assumed
    assert (t.where["node-7"].line, t.where["node-7"].column) == (94, 11)  # its metadata.name in the dump


def test_pods_place_their_workload_where_they_run_now():
    t, findings = lint(SHOP)
    assert t.services["frontend"].hosts == ("node-1", "node-3", "node-7")
    checkout = t.services["checkout"]
    assert (checkout.replicas, checkout.pool, checkout.spread) == (3, ("node-7",), None)
    assert t.services["redis"].hosts == ("node-3",)
    said = message(findings, "SVC002", "checkout")
    assert said == "all 3 replicas of checkout run on one host, node-7: its failure takes every instance down"
    assert "takes down frontend (node-7 -> checkout -> frontend)" in message(findings, "SPOF001", "node-7")
    # redis-0's data is on node-3's local disk (its claim is bound to a local PV pinned to node-3)
    assert message(findings, "SPOF002", "node-3").startswith("node-3 holds the only copy of the data of redis")
    # the pods are no workloads of their own, nor is the finished Job's
    assert not {s for s in t.services if "-" in s and s[-1].isalnum() and s.startswith(("checkout-", "nightly"))}


def test_without_the_dump_the_same_manifests_are_placed_abstractly(tmp_path):
    dump = yaml.safe_load(SHOP.read_text())
    manifests = [i for i in dump["items"] if i["kind"] in ("Deployment", "StatefulSet", "Service")]
    for item in manifests:
        for key in ("status",):
            item.pop(key, None)
        for key in ("uid", "resourceVersion", "creationTimestamp"):
            item["metadata"].pop(key, None)
    path = write(tmp_path / "shop.yaml", yaml.safe_dump_all(manifests))
    t, findings = lint(path)
    assert set(t.hosts) == {"k8s-node-1", "k8s-node-2", "k8s-node-3"} and set(t.hosts) <= set(t.assumed)
    assert not [f for f in findings if f.rule == "SVC002" and f.subject == "checkout"]


def test_static_pods_and_pods_of_unknown_owners_are_notes(tmp_path):
    _, findings = lint(SHOP)
    notes = [f.message for f in findings if f.rule == "MODEL001"]
    assert any(m.startswith("1 static pod (kube-system/kube-apiserver-node-1) not read") for m in notes)
    dump = yaml.safe_load(SHOP.read_text())
    pod = next(i for i in dump["items"] if i["metadata"]["name"] == "redis-0")
    pod["metadata"]["ownerReferences"][0].update(kind="Cluster", name="pg")
    t, findings = lint(write(tmp_path / "dump.yaml", yaml.safe_dump(dump)))
    assert any(
        "1 pod (shop/redis-0) not read: owned by Cluster objects not in the files" in f.message for f in findings
    )


def test_a_dump_with_the_manifests_reads_the_workloads_from_the_manifests():
    t, findings = lint(ORDERS)
    assert t.where["api"].path.endswith("deploy.yaml") and t.where["orders-db"].path.endswith("deploy.yaml")
    assert t.services["api"].hosts == ("worker-a1", "worker-b1")  # its third pod is pending
    assert t.services["orders-db"].hosts == ("worker-b1",)
    assert [f.path for f in findings if f.rule == "SVC001"] == [
        "fixtures/import/kubernetes/live-with-manifests/deploy.yaml"
    ]
    assert any(
        f.message.startswith("1 pod of api (api-5c7f9d6b8-q2w4e) runs on no node (not scheduled)") for f in findings
    )


def test_a_zonal_disk_is_storage_in_its_zone():
    t, _ = lint(ORDERS)
    assert t.storage["orders-db-data"].zone == "eu-west-b"


def test_a_quorum_over_pods_stacked_on_nodes_is_written_over_the_nodes(tmp_path):
    t, findings = lint(ORDERS)
    etcd = t.services["etcd"]
    assert (etcd.hosts, etcd.quorum) == (("worker-a1", "worker-a2", "worker-b1"), 2)
    assert not [f for f in findings if f.subject in ("worker-a1", "worker-a2") and f.rule.startswith("SPOF")]
    # two of three pods on one node: that node's failure loses the quorum
    dump = yaml.safe_load((ORDERS / "dump.yaml").read_text())
    dump["items"] = [i for i in dump["items"] if i["metadata"]["name"] not in ("etcd-3", "etcd-4")]
    for item in dump["items"]:
        if item["metadata"]["name"] == "etcd-2":
            item["spec"]["nodeName"] = "worker-b1"
    folder = tmp_path / "orders"
    write(folder / "deploy.yaml", (ORDERS / "deploy.yaml").read_text().replace("replicas: 5", "replicas: 3"))
    write(folder / "dump.yaml", yaml.safe_dump(dump))
    t, findings = lint(folder)
    assert t.services["etcd"].quorum == 2
    assert "worker-a1" in {f.subject for f in findings if f.rule == "SPOF001"}
    stacked = next(f.message for f in findings if f.rule == "MODEL001" and f.message.startswith("etcd runs 3 pods"))
    assert "lost with worker-a1, not with worker-b1" in stacked and "taken as fatal too" in stacked


def test_pods_name_their_nodes_when_the_dump_lists_none(tmp_path):
    dump = yaml.safe_load(SHOP.read_text())
    dump["items"] = [i for i in dump["items"] if i["kind"] != "Node"]
    t, _ = lint(write(tmp_path / "dump.yaml", yaml.safe_dump(dump)))
    assert set(t.hosts) == {"node-1", "node-3", "node-7"}
    assert t.services["checkout"].pool == ("node-7",)


def test_a_typed_list_from_the_api_is_read(tmp_path):
    dump = yaml.safe_load(SHOP.read_text())
    pods = [dict(i) for i in dump["items"] if i["kind"] == "Pod"]
    for pod in pods:
        del pod["kind"], pod["apiVersion"]  # the API's PodList leaves them to the list
    others = [i for i in dump["items"] if i["kind"] != "Pod"]
    path = write(
        tmp_path / "dump.yaml",
        yaml.safe_dump_all(
            [
                {"apiVersion": "v1", "kind": "PodList", "items": pods},
                {"apiVersion": "v1", "kind": "List", "items": others},
            ]
        ),
    )
    assert kubernetes.detect(path, path.read_bytes())
    t, _ = lint(path)
    assert t.services["checkout"].pool == ("node-7",)


def test_the_rack_label_of_the_config_puts_the_nodes_in_racks(tmp_path, monkeypatch):
    dump = yaml.safe_load(SHOP.read_text())
    racks = {"node-1": "r12", "node-3": "r23", "node-7": "r31"}
    for item in dump["items"]:
        if item["kind"] == "Node":
            item["metadata"]["labels"]["example.com/rack"] = racks[item["metadata"]["name"]]
    write(tmp_path / "dump.yaml", yaml.safe_dump(dump))
    monkeypatch.chdir(tmp_path)
    without = check_json("dump.yaml")["findings"]
    assert not [f for f in without if "declare no cooling" in f["message"]]
    write(tmp_path / ".spoflint.yaml", "kubernetes:\n  rack-label: example.com/rack\n")
    report = check_json("dump.yaml")["findings"]
    cooling = next(f for f in report if "declare no cooling" in f["message"])
    assert cooling["message"].startswith("3 racks declare no cooling: r12, r23, r31")
    # node-3 (redis, the only copy of its data) is in r23; node-7 (every checkout pod) in r31
    assert {f["subject"] for f in report if f["rule"] == "SPOF001"} >= {"r23", "r31", "node-3", "node-7"}
    assert "r12" not in {f["subject"] for f in report if f["rule"] == "SPOF001"}


def test_a_rack_label_that_is_not_text_is_a_config_error(tmp_path, monkeypatch):
    write(tmp_path / "dump.yaml", SHOP.read_text())
    write(tmp_path / ".spoflint.yaml", "kubernetes:\n  rack-label: 3\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("check", "dump.yaml")
    assert result.exit_code == 2
    assert ".spoflint.yaml:2:" in result.output and "rack-label" in result.output


def test_a_pod_not_scheduled_runs_where_its_local_volume_is(tmp_path):
    dump = yaml.safe_load(SHOP.read_text())
    pod = next(i for i in dump["items"] if i["metadata"]["name"] == "redis-0")
    del pod["spec"]["nodeName"]
    pod["status"] = {"phase": "Pending"}
    t, findings = lint(write(tmp_path / "dump.yaml", yaml.safe_dump(dump)))
    assert t.services["redis"].hosts == ("node-3",)
    assert any(
        f.message == "redis-0 runs on no node now; its data (claim data-redis-0) is on node-3: placed there"
        for f in findings
    )
    assert "node-3" in {f.subject for f in findings if f.rule == "SPOF002"}


def test_a_daemonset_runs_on_the_nodes_its_pods_are_on(tmp_path):
    dump = yaml.safe_load(SHOP.read_text())
    labels = {"app": "log-shipper"}
    template = {
        "metadata": {"labels": labels},
        "spec": {"containers": [{"name": "s", "image": "fluent/fluent-bit:3.1"}]},
    }
    dump["items"].append(
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {"name": "log-shipper", "namespace": "shop", "uid": "d5"},
            "spec": {"selector": {"matchLabels": labels}, "template": template},
            "status": {"numberReady": 2},
        }
    )
    for node in ("node-1", "node-3"):
        owner = {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "log-shipper", "controller": True}
        metadata = {"name": f"log-shipper-{node}", "namespace": "shop", "labels": labels, "ownerReferences": [owner]}
        dump["items"].append(
            {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": {"nodeName": node, **template["spec"]}}
        )
    t, _ = lint(write(tmp_path / "dump.yaml", yaml.safe_dump(dump)))
    assert t.services["log-shipper"].hosts == ("node-1", "node-3")
    assert not [s for s in t.services if s.startswith("log-shipper-")]
