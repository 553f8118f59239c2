"""The Kubernetes reader, on our fixtures and on every manifest of the shared corpus.

- Fixtures: `fixtures/import/kubernetes/` holds manifest files (and folders, read as one
  input) whose first line (a folder's: its first file's) is `# expect: RULE@subject ...`
  or `# expect: none`: exactly the errors and warnings that linting the imported model
  gives. Notes must all be MODEL001: what manifests cannot say (the nodes).
- Corpus: every manifest under ../shared/corpus reads without error and gives what a
  careful operator expects: single-replica databases are unprotected single instances on
  a node whose failure loses their data.
- The clean controls, cockroachdb-statefulset.yaml and cassandra-statefulset.yaml, are
  replicated databases whose only error is placement: their replicas carry no hard
  promise to sit on different nodes (cockroachdb's anti-affinity is preferred,
  cassandra has none), so the reader assumes the worst case, as it must. With that
  promise made (the same manifests with a required anti-affinity or a DoNotSchedule
  spread constraint) they are clean: notes about the undescribed nodes only.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import pytest
import yaml

from spoflint import load
from spoflint.errors import InputError
from spoflint.importers import kubernetes
from tests.helpers import (
    CORPUS,
    REPO,
    assert_expected_findings,
    corpus_files,
    expected,
    fixture_inputs,
    judged,
    lint_import,
    needs_corpus,
    pairs,
)

FIXTURES = REPO / "fixtures" / "import" / "kubernetes"
DATABASES = {"postgresql", "mysql", "mariadb", "mongodb", "redis", "rabbitmq"}
lint = partial(lint_import, kubernetes)  # (topology, findings) of manifests


# --- load.load_documents ----------------------------------------------------------------


def test_load_documents_reads_every_document_with_positions():
    data = b"# c\n---\na: 1\n---\n---\nb:\n  c: [x, y]\n---\n"
    first, second = load.load_documents(data, "m.yaml")
    assert first == {"a": 1} and first.key_at("a") == (3, 1)
    assert second["b"]["c"].item_at(1) == (7, 10) and second.path == "m.yaml"


def test_load_documents_errors_are_located():
    with pytest.raises(InputError, match="not a mapping") as error:
        load.load_documents(b"a: 1\n---\n- x\n", "m.yaml")
    assert (error.value.line, error.value.column) == (3, 1)
    with pytest.raises(InputError):
        load.load_documents(b"a: [1\n", "m.yaml")
    with pytest.raises(InputError, match="tag"):
        load.load_documents(b"a: !!python/object:os.system x\n", "m.yaml")
    assert load.load_documents(b"# only a comment\n", "m.yaml") == []


def test_load_text_still_refuses_a_second_document():
    with pytest.raises(InputError, match="second YAML document"):
        load.load_text(b"a: 1\n---\nb: 2\n", "t.yaml")


# --- fixtures ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", fixture_inputs(FIXTURES), ids=lambda p: p.name)
def test_fixture(path):
    _, findings = lint(path)
    assert_expected_findings(path.name, findings, expected(path))


@pytest.mark.parametrize("path", fixture_inputs(FIXTURES), ids=lambda p: p.name)
def test_findings_point_at_metadata_name(path):
    topology, findings = lint(path)
    for finding in findings:
        if finding.subject in topology.services:
            line = Path(finding.path).read_text(encoding="utf-8").splitlines()[finding.line - 1]
            name = finding.subject.split("/")[-1]
            if name.endswith("-zookeeper"):  # an operator's part, at its key in the resource
                assert re.match(r"\s*zookeeper:$", line), (finding, line)
                continue
            assert re.match(rf"\s*name: {re.escape(name)}$", line), (finding, line)
            assert line.index("name: ") + len("name: ") + 1 == finding.column


def test_shop_mapping():
    topology, _ = lint(FIXTURES / "shop.yaml")
    s = topology.services
    assert set(topology.hosts) == {"k8s-node-1", "k8s-node-2", "k8s-node-3"}  # the storefront needs three
    assert (s["storefront"].replicas, s["storefront"].spread, s["storefront"].vip) == (3, "host", "kube-proxy")
    assert s["storefront"].public and set(s["storefront"].depends_on) == {"api", "catalog"}
    assert (s["api"].replicas, s["api"].spread) == (2, "host")  # DoNotSchedule spread on the hostname
    assert set(s["api"].depends_on) == {"postgres", "sessions"}  # across namespaces, and a pod's DNS name
    assert s["catalog"].spread == "host"  # preferred anti-affinity: spread, as by default
    assert (s["postgres"].kind, s["postgres"].replicas, s["postgres"].ha) == ("postgresql", 1, "none")
    assert (s["sessions"].kind, s["sessions"].vip) == ("redis", "dns")  # headless Service
    assert s["loadgen"].public is False and s["loadgen"].access == "worker"
    assert s["node-exporter"].hosts == ("k8s-node-1", "k8s-node-2", "k8s-node-3")  # a DaemonSet
    assert s["node-exporter"].state == "stateless"  # a read-only hostPath of /proc is no state


def test_zones_are_made_for_zone_spread():
    topology, _ = lint(FIXTURES / "zoned-database.yaml")
    assert set(topology.zones) == {"k8s-zone-1", "k8s-zone-2", "k8s-zone-3"}
    assert len({h.zone for h in topology.hosts.values()}) == 3
    db = topology.services["ledger-db"]
    assert (db.kind, db.ha, db.spread, db.public) == ("cockroachdb", "active-active", "zone", True)  # Ingress


# --- the corpus -------------------------------------------------------------------------

# What a careful operator expects, errors and warnings only. The nodes are unknown: one
# node stands for the cluster unless a workload's hard constraint needs more. A file
# read alone is its own unit: a Deployment whose Service is in another file is a worker
# there (nothing selects it), and where nothing is exposed a note says what is assumed.
# Only what is exposed (NodePort, LoadBalancer, Ingress) is user-facing: sock-shop's
# services behind front-end are not (their clients are in its image: a note says so).
CORPUS_EXPECTED = {
    "example-voting-app/k8s-specifications/db-deployment.yaml": "SPOF002@k8s-node-1 STATE001@db",
    "example-voting-app/k8s-specifications/db-service.yaml": "",
    "example-voting-app/k8s-specifications/redis-deployment.yaml": "SPOF002@k8s-node-1 STATE001@redis",
    "example-voting-app/k8s-specifications/redis-service.yaml": "",
    "example-voting-app/k8s-specifications/result-deployment.yaml": "",
    "example-voting-app/k8s-specifications/result-service.yaml": "",
    "example-voting-app/k8s-specifications/vote-deployment.yaml": "",
    "example-voting-app/k8s-specifications/vote-service.yaml": "",
    "example-voting-app/k8s-specifications/worker-deployment.yaml": "",
    "k8s-examples/cassandra-statefulset.yaml": "SVC007@cassandra",
    "k8s-examples/cockroachdb-statefulset.yaml": "SVC007@cockroachdb",
    "k8s-examples/guestbook-all-in-one.yaml": "SPOF002@k8s-node-1 STATE001@redis-master SVC007@frontend SVC007@redis-replica",
    "online-boutique/kubernetes-manifests.yaml": "SPOF001@k8s-node-1 SPOF002@k8s-node-1 STATE001@redis-cart SVC001@adservice SVC001@cartservice "
    "SVC001@checkoutservice SVC001@currencyservice SVC001@emailservice SVC001@frontend SVC001@paymentservice "
    "SVC001@productcatalogservice SVC001@recommendationservice SVC001@redis-cart SVC001@shippingservice",
    "sock-shop/complete-demo.yaml": "SPOF001@k8s-node-1 SPOF002@k8s-node-1 STATE001@carts-db STATE001@catalogue-db STATE001@orders-db "
    "STATE001@rabbitmq STATE001@session-db STATE001@user-db SVC001@front-end",
}
CONTROLS = ("k8s-examples/cockroachdb-statefulset.yaml", "k8s-examples/cassandra-statefulset.yaml")


@needs_corpus
def test_every_manifest_of_the_corpus_is_known():
    assert {p.relative_to(CORPUS).as_posix() for p in corpus_files(kubernetes.detect)} == set(CORPUS_EXPECTED)


@needs_corpus
@pytest.mark.parametrize("name", sorted(CORPUS_EXPECTED))
def test_corpus_file(name):
    path = CORPUS / name
    topology, findings = lint(path)
    assert judged(findings) == pairs(CORPUS_EXPECTED[name])
    assert {f.rule for f in findings if f.severity == "note"} <= {"MODEL001"}
    assert all(Path(f.path).resolve() == path.resolve() for f in findings)


@needs_corpus
@pytest.mark.parametrize("name", sorted(CORPUS_EXPECTED))
def test_corpus_single_replica_databases(name):
    """Each single-replica database is unprotected (STATE001) and the node it may run on
    loses its data (SPOF002); it is a single instance that matters (SVC001), and that
    node takes down the user-facing services that need it (SPOF001), exactly when a
    user-facing service needs it."""
    topology, findings = lint(CORPUS / name)
    rules = judged(findings)
    by = {(f.rule, f.subject): f for f in findings}
    for service in topology.services.values():
        if service.kind in DATABASES and service.replicas == 1:
            assert ("STATE001", service.id) in rules, service.id
            users = {u.id for u in topology.services.values() if u.public and needs(topology, u.id, service.id)}
            assert (("SVC001", service.id) in rules) == bool(users), service.id
            for node in service.pool:
                assert service.id in {p.subject for p in by[("SPOF002", node)].related}
                if users:
                    assert users <= set(by[("SPOF001", node)].services)


def needs(topology, user: str, target: str) -> bool:
    """Whether service `user` is, or needs (directly or not), service `target`."""
    todo, seen = [user], set()
    while todo:
        sid = todo.pop()
        if sid == target:
            return True
        if sid not in seen:
            seen.add(sid)
            todo.extend(d for d in topology.services[sid].depends_on if d in topology.services)
    return False


@needs_corpus
def test_voting_app_folder_reads_as_one_cluster():
    topology, findings = lint(CORPUS / "example-voting-app" / "k8s-specifications")
    assert set(topology.services) == {"db", "redis", "result", "vote", "worker"}
    assert topology.services["vote"].public and topology.services["result"].public  # NodePort
    assert topology.services["worker"].access == "worker"  # no Service selects it
    assert not topology.services["worker"].public  # a queue consumer, not user-facing
    assert not topology.services["db"].public and not topology.services["redis"].public  # not exposed
    assert judged(findings) == pairs(
        "SPOF001@k8s-node-1 SPOF002@k8s-node-1 STATE001@db STATE001@redis SVC001@result SVC001@vote"
    )
    notes = [f.message for f in findings if f.rule == "MODEL001"]
    assert any(m.startswith("db is behind Services but neither exposed nor addressed") for m in notes)


@needs_corpus
def test_online_boutique_dependencies_come_from_the_environment():
    topology, _ = lint(CORPUS / "online-boutique" / "kubernetes-manifests.yaml")
    s = topology.services
    assert set(s["frontend"].depends_on) == {
        "productcatalogservice",
        "currencyservice",
        "cartservice",
        "recommendationservice",
        "shippingservice",
        "checkoutservice",
        "adservice",
    }  # shoppingassistantservice is not in the file
    assert s["cartservice"].depends_on == ("redis-cart",)
    assert s["frontend"].public  # the LoadBalancer Service frontend-external
    assert s["loadgenerator"].public is False  # a client of the frontend, not user-facing
    assert all(w.replicas == 1 for w in s.values())  # no replicas written: Kubernetes' default


@needs_corpus
@pytest.mark.parametrize("name", CONTROLS)
def test_clean_controls_are_clean(name):
    """Replicated, persistent, known databases whose replicas the scheduler spreads over
    the nodes: no error or warning, only notes about what the manifests cannot say."""
    topology, findings = lint(CORPUS / name)
    (service,) = topology.services.values()
    assert (service.replicas, service.ha, service.state, service.spread) == (3, "active-active", "stateful", "host")
    assert judged(findings) == {("SVC007", service.id)}  # spread by the scheduler's best effort only


def _promise_one_per_node(document: dict, how: str) -> None:
    pod = document["spec"]["template"]["spec"]
    labels = document["spec"]["template"]["metadata"]["labels"]
    if how == "anti-affinity":
        pod["affinity"] = {
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": labels}, "topologyKey": "kubernetes.io/hostname"}
                ]
            }
        }
    else:
        pod["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": labels},
            }
        ]


@needs_corpus
@pytest.mark.parametrize("name,how", [(CONTROLS[0], "anti-affinity"), (CONTROLS[1], "spread")])
def test_clean_controls_with_a_hard_promise_are_clean(name, how, tmp_path):
    documents = list(yaml.safe_load_all((CORPUS / name).read_text(encoding="utf-8")))
    for document in documents:
        if document and document.get("kind") == "StatefulSet":
            _promise_one_per_node(document, how)
    path = tmp_path / Path(name).name
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False), encoding="utf-8")
    topology, findings = lint(path)
    assert judged(findings) == set()
    assert len(topology.hosts) == 3
    notes = [f for f in findings if f.severity == "note"]
    assert notes and {f.rule for f in notes} == {"MODEL001"}


# --- reading and detecting --------------------------------------------------------------


def write(tmp_path, text: str, name: str = "m.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


DEPLOYMENT = """\
apiVersion: apps/v1
kind: {kind}
metadata:
  name: {name}
  namespace: {namespace}
spec:
  {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers: [{{name: c, image: "{image}"}}]
"""


def manifest(kind="Deployment", name="app", namespace="default", replicas="replicas: 1", image="example/app"):
    return DEPLOYMENT.format(kind=kind, name=name, namespace=namespace, replicas=replicas, image=image)


def test_detect():
    assert kubernetes.detect(Path("m.yaml"), manifest().encode())
    assert not kubernetes.detect(Path("m.yaml"), b"services:\n  a: {image: redis}\n")  # Compose
    assert not kubernetes.detect(Path("m.yaml"), b"version: 1\nhosts: {h: {}}\n")  # native
    assert not kubernetes.detect(Path("m.yaml"), b"apiVersion: v1\nkind: {{ .Values.kind }}\n")  # a template
    assert not kubernetes.detect(Path("m.yaml"), b"- a\n- b\n")


def test_a_named_file_that_is_not_a_manifest_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="not a Kubernetes manifest"):
        kubernetes.read([write(tmp_path, "a: 1\n")])
    with pytest.raises(InputError):
        kubernetes.read([write(tmp_path, "apiVersion: v1\nkind: [\n")])


def test_missing_replicas_is_one_and_clustered_kinds_need_a_statefulset(tmp_path):
    path = write(
        tmp_path,
        "---\n".join(
            [
                manifest(name="etcd-deploy", replicas="replicas: 3", image="quay.io/coreos/etcd:v3.5"),
                manifest(
                    kind="StatefulSet", name="etcd-pair", replicas="replicas: 2", image="quay.io/coreos/etcd:v3.5"
                ),
                manifest(kind="StatefulSet", name="etcd", replicas="replicas: 3", image="quay.io/coreos/etcd:v3.5"),
                manifest(name="web", replicas="", image="nginx:1.27"),
            ]
        ),
    )
    topology, findings = lint(path)
    s = topology.services
    # a Deployment's pods are interchangeable, not members; a StatefulSet's are (a pair of
    # etcd members is a cluster, whose majority the analysis then needs)
    assert (s["etcd-deploy"].ha, s["etcd-pair"].ha, s["etcd"].ha) == ("none", "active-active", "active-active")
    assert s["web"].replicas == 1 and s["web"].kind == "nginx"
    assert ("STATE001", "etcd-deploy") in judged(findings) and ("STATE001", "etcd") not in judged(findings)


def test_same_name_in_two_namespaces_and_kind_list(tmp_path):
    items = yaml.safe_load_all(manifest(namespace="blue") + "---\n" + manifest(namespace="green"))
    path = write(tmp_path, yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": list(items)}))
    topology, _ = lint(path)
    assert set(topology.services) == {"blue/app", "green/app"}


def test_accept_comment_on_the_name_line(tmp_path):
    text = manifest(image="postgres:16").replace(
        "  name: app\n", "  name: app  # spoflint: accept STATE001 restored from nightly dumps\n"
    )
    _, findings = lint(write(tmp_path, text))
    accepted = [(f.rule, f.subject) for f in findings if f.suppressed]
    assert accepted == [("STATE001", "app")]


def test_daemonset_runs_on_every_node(tmp_path):
    spread = manifest(name="web", replicas="replicas: 4").replace(
        "      containers:",
        "      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname,"
        " whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}]\n"
        "      containers:",
    )
    agent = manifest(kind="DaemonSet", name="agent", replicas="")
    topology, _ = lint(write(tmp_path, spread + "---\n" + agent))
    assert len(topology.hosts) == 4
    assert topology.services["agent"].hosts == tuple(topology.hosts)
    assert topology.services["web"].spread == "host"


def test_an_anti_affinity_against_other_pods_leaves_the_default_spread(tmp_path):
    text = manifest(replicas="replicas: 2").replace(
        "      containers:",
        "      affinity: {podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: "
        "[{topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: db}}}]}}\n"
        "      containers:",
    )
    topology, _ = lint(write(tmp_path, text))
    assert topology.services["app"].spread == "host"  # the scheduler's default, not the term's


def test_a_workload_pinned_to_one_node_is_not_spread(tmp_path):
    text = manifest(replicas="replicas: 2").replace(
        "      containers:", "      nodeSelector: {kubernetes.io/hostname: node-a}\n      containers:"
    )
    topology, findings = lint(write(tmp_path, text))
    assert topology.services["app"].spread is None
    assert ("SVC002", "app") in judged(findings)


# --- the objects layer: operators, autoscalers, budgets, exposure, addresses --------------


def notes_of(findings) -> list[str]:
    return [f.message for f in findings if f.rule == "MODEL001"]


def test_a_service_over_a_canary_and_its_stable_track_is_one_service():
    topology, findings = lint(FIXTURES / "canary.yaml")
    (web,) = topology.services.values()
    assert (web.id, web.replicas, web.public, web.spread) == ("web", 3, True, "host")
    (document,) = kubernetes.read([FIXTURES / "canary.yaml"])
    assert "web-stable (2), Deployment web-canary (1)" in document["services"]["web"]["description"]


def test_deployments_of_different_images_behind_one_service_stay_apart(tmp_path):
    text = (
        "---\n".join(
            [
                manifest(name="web", image="example/web:1"),
                manifest(name="worker", image="example/worker:1"),
                "apiVersion: v1\nkind: Service\nmetadata: {name: all}\nspec: {selector: {}}\n",
            ]
        )
        .replace("app: web}", "app: web, part: shop}")
        .replace("app: worker}", "app: worker, part: shop}")
    )
    text = text.replace("spec: {selector: {}}", "spec: {selector: {part: shop}}")
    topology, _ = lint(write(tmp_path, text))
    assert set(topology.services) == {"web", "worker"}


def test_an_autoscaler_s_min_replicas_stands_in_for_replicas():
    topology, findings = lint(FIXTURES / "autoscaling-and-budgets.yaml")
    s = topology.services
    assert (s["php-apache"].replicas, s["checkout"].replicas, s["legacy-api"].replicas) == (3, 1, 1)
    (document,) = kubernetes.read([FIXTURES / "autoscaling-and-budgets.yaml"])
    assert "bare Pod" in document["services"]["legacy-api"]["description"]
    assert topology.services["legacy-api"].recreated is False and topology.services["checkout"].recreated
    (single,) = [f for f in findings if f.rule == "SVC001" and f.subject == "legacy-api"]
    assert "nothing recreates it" in single.message and "worse than one replica" in single.message
    budget = [m for m in notes_of(findings) if "PodDisruptionBudget checkout-pdb" in m]
    assert len(budget) == 1


@needs_corpus
def test_a_percentage_budget_rounds_up_as_the_disruption_controller_does():
    _, findings = lint(CORPUS / "k8s-examples" / "cockroachdb-statefulset.yaml")
    assert any("cockroachdb-budget" in m and "67% of 3 pods, rounded up" in m for m in notes_of(findings))


def test_cloudnative_pg_cluster_and_pooler():
    topology, findings = lint(FIXTURES / "cloudnative-pg.yaml")
    s = topology.services
    pg = s["cluster-example"]
    assert (pg.kind, pg.replicas, pg.ha, pg.manager, pg.state) == (
        "postgresql-patroni",
        3,
        "active-active",
        "cloudnative-pg",
        "stateful",
    )
    assert (pg.spread, pg.vip, pg.public) == ("host", "kube-proxy", False)
    assert s["pooler-example-rw"].depends_on == ("cluster-example",) and s["pooler-example-rw"].replicas == 2
    assert s["orders"].depends_on == ("pooler-example-rw",)  # through the Service the operator creates


def test_cloudnative_pg_single_instance_and_required_anti_affinity(tmp_path):
    text = """\
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: solo}
spec:
  instances: 1
  storage: {size: 1Gi}
---
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: trio}
spec:
  instances: 3
  affinity: {podAntiAffinityType: required}
  managed:
    services:
      additional:
        - selectorType: rw
          serviceTemplate:
            metadata: {name: trio-lb}
            spec: {type: LoadBalancer}
"""
    topology, findings = lint(write(tmp_path, text))
    solo, trio = topology.services["solo"], topology.services["trio"]
    assert (solo.kind, solo.ha, solo.replicas) == ("postgresql", "none", 1)
    assert ("STATE001", "solo") in judged(findings)
    assert (trio.spread, trio.spread_strength, trio.public) == ("host", "required", True)
    assert ("SVC007", "trio") not in judged(findings)


def test_zalando_postgresql():
    topology, _ = lint(FIXTURES / "zalando-postgres.yaml")
    s = topology.services
    assert (s["acid-minimal-cluster"].kind, s["acid-minimal-cluster"].ha) == ("postgresql-patroni", "active-active")
    assert (s["acid-reporting"].kind, s["acid-reporting"].ha) == ("postgresql", "none")
    assert s["foo-api"].depends_on == ("acid-minimal-cluster",)  # its FQDN
    assert s["reports"].depends_on == ("acid-reporting",) and not s["reports"].public  # a URL in a flag


def test_strimzi_node_pools_and_zookeeper():
    topology, findings = lint(FIXTURES / "strimzi-kraft.yaml")
    kafka = topology.services["my-cluster"]
    assert (kafka.kind, kafka.replicas, kafka.ha, kafka.quorum) == ("kafka", 3, "active-active", 2)  # KRaft majority
    assert topology.services["audit-consumer"].depends_on == ("my-cluster",)  # `--bootstrap-servers x:9092`
    topology, findings = lint(FIXTURES / "strimzi-zookeeper.yaml")
    kafka, zookeeper = topology.services["my-cluster"], topology.services["my-cluster-zookeeper"]
    assert (kafka.replicas, kafka.public, kafka.depends_on) == (3, True, ("my-cluster-zookeeper",))
    assert (zookeeper.kind, zookeeper.replicas, zookeeper.public) == ("zookeeper", 3, False)


def test_strimzi_controller_pools_are_a_quorum_of_their_own_and_missing_pools_a_note(tmp_path):
    pools = "".join(
        f"apiVersion: kafka.strimzi.io/v1\nkind: KafkaNodePool\nmetadata:\n  name: {name}\n"
        f"  labels: {{strimzi.io/cluster: events}}\nspec:\n  replicas: {n}\n  roles: [{role}]\n---\n"
        for name, n, role in (("controller", 3, "controller"), ("broker-a", 2, "broker"), ("broker-b", 2, "broker"))
    )
    kafkas = (
        "apiVersion: kafka.strimzi.io/v1\nkind: Kafka\nmetadata: {name: events}\n"
        "spec: {kafka: {config: {default.replication.factor: 3}}, zookeeper: {replicas: 3}}\n---\n"
        "apiVersion: kafka.strimzi.io/v1\nkind: Kafka\nmetadata: {name: orphan}\n"
        "spec: {kafka: {config: {default.replication.factor: 3}}}\n"
    )
    topology, findings = lint(write(tmp_path, pools + kafkas))
    s = topology.services
    assert set(s) == {"events", "events-controllers"}  # ZooKeeper is ignored in KRaft mode
    assert (s["events"].replicas, s["events"].quorum, s["events"].depends_on) == (4, 1, ("events-controllers",))
    assert (s["events-controllers"].replicas, s["events-controllers"].quorum) == (3, 2)
    assert any("Kafka orphan: neither spec.kafka.replicas nor a KafkaNodePool" in m for m in notes_of(findings))


def test_prometheus_and_alertmanager():
    topology, findings = lint(FIXTURES / "prometheus-stack.yaml")
    s = topology.services
    assert (s["k8s"].replicas, s["k8s"].state, s["k8s"].public) == (2, "stateless", True)  # Ingress
    assert (s["main"].replicas, s["main"].state, s["main"].public) == (3, "stateless", False)
    assert not s["prometheus-operator"].public and not s["node-exporter"].public
    assert not any("PodDisruptionBudget" in m for m in notes_of(findings))  # maxUnavailable: 1 leaves room


def test_prometheus_with_storage_is_replicated_state(tmp_path):
    text = (
        "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: main}\n"
        "spec:\n  storage: {volumeClaimTemplate: {spec: {resources: {requests: {storage: 40Gi}}}}}\n"
    )
    topology, findings = lint(write(tmp_path, text))
    main = topology.services["main"]
    assert (main.replicas, main.state, main.ha) == (1, "stateful", "none")  # replicas default to 1
    assert ("STATE001", "main") in judged(findings)


def test_custom_resources_are_noted_not_passed():
    topology, findings = lint(FIXTURES / "custom-resources.yaml")
    assert not topology.services and judged(findings) == set()
    notes = notes_of(findings)
    assert sum("not read" in m for m in notes) == 1 and sum("Dapr" in m for m in notes) == 1
    assert not any("ConfigMap" in m or "Configuration" in m for m in notes)  # read and left out


def test_only_exposed_workloads_are_user_facing(tmp_path):
    web = manifest(name="web") + "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
    web += "spec: {type: NodePort, selector: {app: web}}\n"
    api = manifest(name="api") + "---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\n"
    api += "spec: {selector: {app: api}}\n"
    controller = manifest(name="cert-manager-controller", image="quay.io/jetstack/cert-manager-controller")
    topology, findings = lint(write(tmp_path, "---\n".join([web, api, controller])))
    s = topology.services
    assert (s["web"].public, s["api"].public, s["cert-manager-controller"].public) == (True, False, False)
    assert any(m.startswith("api is behind Services but neither exposed nor addressed") for m in notes_of(findings))
    # nothing exposed: behind a Service, the native default (user-facing when nothing needs it)
    topology, findings = lint(write(tmp_path, "---\n".join([api, controller]), "internal.yaml"))
    assert topology.services["api"].public and not topology.services["cert-manager-controller"].public
    assert any("nothing in these files is exposed" in m for m in notes_of(findings))


def test_a_gateway_route_exposes_its_backend(tmp_path):
    api = manifest(name="api") + "---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\n"
    api += "spec: {selector: {app: api}}\n---\n"
    api += (
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: api}\n"
        "spec:\n  parentRefs: [{name: edge}]\n  rules: [{backendRefs: [{name: api, port: 80}]}]\n"
    )
    topology, findings = lint(write(tmp_path, api))
    assert topology.services["api"].public
    assert not any("not read" in m for m in notes_of(findings))


def test_unresolved_addresses_are_noted_and_outside_names_are_not(tmp_path):
    text = manifest(name="api").replace(
        'image: "example/app"}',
        'image: "example/app", env: [{name: CACHE_HOST, value: cache}, '
        "{name: PAYMENTS_URL, value: 'https://api.stripe.com/v1'}, {name: DB_HOST, value: db.other.svc}]}",
    )
    _, findings = lint(write(tmp_path, text))
    (note,) = [m for m in notes_of(findings) if "addresses" in m]
    assert note.startswith("api addresses cache, db.other.svc, which name no workload") and "stripe" not in note


def test_addresses_in_commands_and_arguments():
    from spoflint.importers._kubernetes_addresses import addresses
    from spoflint.load import load_documents

    (doc,) = load_documents(
        b"c:\n"
        b"  command: [sh, -c, 'until nc -z db 5432; do sleep 1; done; exec app --redis-addr=cache:6379']\n"
        b"  args: [--peers, 'a-0.a:7000,a-1.a:7000', '--url=postgres://u@pg-rw.data.svc/x', --listen=0.0.0.0:80]\n",
        "m.yaml",
    )
    assert [h for h, _ in addresses([doc["c"]])] == ["cache", "a-0.a", "a-1.a", "pg-rw.data.svc"]


def test_resources_naming_what_the_files_lack_are_noted(tmp_path):
    text = (
        "apiVersion: kafka.strimzi.io/v1\nkind: KafkaNodePool\nmetadata: {name: pool-a, labels: {strimzi.io/cluster: gone}}\n"
        "spec: {replicas: 3, roles: [broker]}\n---\n"
        "apiVersion: postgresql.cnpg.io/v1\nkind: Pooler\nmetadata: {name: pgb}\nspec: {cluster: {name: nowhere}}\n---\n"
        "apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: odd}\nspec: {instances: three}\n"
    )
    topology, findings = lint(write(tmp_path, text))
    notes = notes_of(findings)
    assert any("KafkaNodePool pool-a is for the Kafka gone, not in these files" in m for m in notes)
    assert any("Pooler pgb fronts the Cluster nowhere, not in these files" in m for m in notes)
    assert any("Cluster odd: instances is not a count of pods" in m for m in notes)
    assert set(topology.services) == {"pgb"}
