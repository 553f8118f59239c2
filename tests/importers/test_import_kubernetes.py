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
            assert re.match(rf"\s*name: {re.escape(finding.subject.split('/')[-1])}$", line), (finding, line)
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
# node stands for the cluster unless a workload's hard constraint needs more.
CORPUS_EXPECTED = {
    "example-voting-app/k8s-specifications/db-deployment.yaml": "SPOF001@k8s-node-1 SPOF002@k8s-node-1 STATE001@db SVC001@db",
    "example-voting-app/k8s-specifications/db-service.yaml": "",
    "example-voting-app/k8s-specifications/redis-deployment.yaml": "SPOF001@k8s-node-1 SPOF002@k8s-node-1 STATE001@redis SVC001@redis",
    "example-voting-app/k8s-specifications/redis-service.yaml": "",
    "example-voting-app/k8s-specifications/result-deployment.yaml": "SPOF001@k8s-node-1 SVC001@result",
    "example-voting-app/k8s-specifications/result-service.yaml": "",
    "example-voting-app/k8s-specifications/vote-deployment.yaml": "SPOF001@k8s-node-1 SVC001@vote",
    "example-voting-app/k8s-specifications/vote-service.yaml": "",
    "example-voting-app/k8s-specifications/worker-deployment.yaml": "SPOF001@k8s-node-1 SVC001@worker",
    "k8s-examples/cassandra-statefulset.yaml": "",
    "k8s-examples/cockroachdb-statefulset.yaml": "",
    "k8s-examples/guestbook-all-in-one.yaml": "SPOF001@k8s-node-1 SPOF002@k8s-node-1 SPOF002@k8s-node-2 STATE001@redis-master STATE001@redis-replica "
    "SVC001@redis-master",
    "online-boutique/kubernetes-manifests.yaml": "SPOF001@k8s-node-1 SPOF002@k8s-node-1 STATE001@redis-cart SVC001@adservice SVC001@cartservice "
    "SVC001@checkoutservice SVC001@currencyservice SVC001@emailservice SVC001@frontend SVC001@paymentservice "
    "SVC001@productcatalogservice SVC001@recommendationservice SVC001@redis-cart SVC001@shippingservice",
    "sock-shop/complete-demo.yaml": "SPOF001@k8s-node-1 SPOF002@k8s-node-1 STATE001@carts-db STATE001@catalogue-db STATE001@orders-db "
    "STATE001@rabbitmq STATE001@session-db STATE001@user-db SVC001@carts SVC001@carts-db SVC001@catalogue "
    "SVC001@catalogue-db SVC001@front-end SVC001@orders SVC001@orders-db SVC001@payment SVC001@queue-master "
    "SVC001@rabbitmq SVC001@session-db SVC001@shipping SVC001@user SVC001@user-db",
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
    """Each single-replica database is unprotected (STATE001), a single instance
    (SVC001), and the node it may run on loses its data (SPOF002) and takes down every
    user-facing service that needs it (SPOF001)."""
    topology, findings = lint(CORPUS / name)
    rules = judged(findings)
    by = {(f.rule, f.subject): f for f in findings}
    for service in topology.services.values():
        if service.kind in DATABASES and service.replicas == 1:
            assert {("STATE001", service.id), ("SVC001", service.id)} <= rules, service.id
            for node in service.pool:
                assert service.id in {p.subject for p in by[("SPOF002", node)].related}
                users = {u.id for u in topology.services.values() if u.public and needs(topology, u.id, service.id)}
                assert users and users <= set(by[("SPOF001", node)].services)


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
    assert judged(findings) == pairs(
        "SPOF001@k8s-node-1 SPOF002@k8s-node-1 STATE001@db STATE001@redis SVC001@db SVC001@redis "
        "SVC001@result SVC001@vote SVC001@worker"
    )


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
    assert judged(findings) == set()


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


def test_missing_replicas_is_one_and_clustered_kinds_need_a_statefulset_of_three(tmp_path):
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
    assert (s["etcd-deploy"].ha, s["etcd-pair"].ha, s["etcd"].ha) == ("none", "none", "active-active")
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
