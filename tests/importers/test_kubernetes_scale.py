"""The Kubernetes and Compose readers at scale (issue 15): selectors answered from the
label index give exactly what a scan of every workload gives (Service selectors,
`matchLabels` and `matchExpressions` with In, NotIn, Exists and DoesNotExist, malformed
and empty selectors); every file is parsed once through `spoflint check`, detection
included (the builder and the accept comments' own parse counted); and
bench/generate_k8s.py writes the same manifests for the same seed, which the reader
reads as the generator means them.

Nothing here is timed: bench/run.py measures."""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field

import pytest
import yaml

from spoflint import load
from spoflint.importers import kubernetes
from spoflint.importers._kubernetes_addresses import selector_matches
from spoflint.importers._kubernetes_index import LabelIndex
from spoflint.importers._kubernetes_objects import Cluster
from tests.helpers import REPO, invoke

sys.path.insert(0, str(REPO / "bench"))
import generate_k8s  # noqa: E402

sys.path.pop(0)


# --- the index against a scan ----------------------------------------------------------------


@dataclass(eq=False)
class _Pods:  # what the index reads of a workload
    namespace: str
    labels: dict = field(default_factory=dict)


_KEYS = ("app", "tier", "track", "app.kubernetes.io/name")
_VALUES = ("web", "db", "1", 1, True, 1.0, False, 0, "")  # 1 == True == 1.0 as the API compares them here


def _labels(rng: random.Random) -> dict:
    return {k: rng.choice(_VALUES) for k in rng.sample(_KEYS, rng.randint(0, len(_KEYS)))}


def _expression(rng: random.Random) -> object:
    operator = rng.choice(("In", "NotIn", "Exists", "DoesNotExist", "Gt", None))
    expression: dict = {"key": rng.choice((*_KEYS, 5)), "operator": operator}
    if rng.random() < 0.8:
        expression["values"] = rng.choice(([], ["web"], ["web", "db"], ["1"], [1], "web"))
    return expression if rng.random() < 0.95 else "app"


def _selector(rng: random.Random) -> object:
    selector: dict = {}
    if rng.random() < 0.7:
        pairs = _labels(rng)
        if rng.random() < 0.1:
            pairs["app"] = rng.choice((None, ["web"], {"a": 1}))  # null matches a missing label
        selector["matchLabels"] = pairs if rng.random() < 0.95 else ["app"]
    if rng.random() < 0.6:
        selector["matchExpressions"] = [_expression(rng) for _ in range(rng.randint(0, 3))]
    return selector if rng.random() < 0.95 else None


@pytest.mark.parametrize("seed", range(40))
def test_the_index_selects_what_a_scan_selects(seed):
    rng = random.Random(seed)
    pods = [_Pods(rng.choice(("default", "shop", "ops")), _labels(rng)) for _ in range(rng.randint(0, 60))]
    index = LabelIndex(pods)  # type: ignore[arg-type]
    for _ in range(30):
        namespace = rng.choice(("default", "shop", "ops", "none"))
        service = _labels(rng) if rng.random() < 0.9 else None  # a Service's selector (`labels_of`)
        scan = [
            p
            for p in pods
            if service is not None
            and p.namespace == namespace
            and all(p.labels.get(k) == v for k, v in service.items())
        ]
        assert index.equal(namespace, service) == scan
        selector = _selector(rng)
        scan = [p for p in pods if p.namespace == namespace and selector_matches(selector, p.labels)]
        assert index.matching(namespace, selector) == scan


def test_a_label_selector_keeps_the_api_semantics():
    pods = [_Pods("shop", {"app": "web", "tier": "front"}), _Pods("shop", {"app": "db"}), _Pods("ops", {"app": "web"})]
    index = LabelIndex(pods)  # type: ignore[arg-type]
    web, db, ops = pods

    def match(selector):
        return index.matching("shop", selector)

    assert match({}) == [web, db]  # an empty label selector selects everything (of its namespace)
    assert index.equal("shop", {}) == [web, db] and index.equal("shop", None) == []  # a Service's: None is no selector
    assert match({"matchLabels": {"app": "web"}}) == [web]
    assert match({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "db"]}]}) == [web, db]
    assert match({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}) == [db]
    assert match({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}) == [web]
    assert match({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}) == [db]
    assert match({"matchLabels": {"tier": None}}) == [db]  # `tier: null` holds for a missing label, as a scan finds
    assert match({"matchExpressions": [{"key": "app", "operator": "Gt", "values": ["1"]}]}) == []  # malformed
    assert match({"matchLabels": ["app"]}) == [] and match("app=web") == []
    assert index.matching(5, {}) == [] and index.equal(["shop"], {"app": "web"}) == []


_MANIFESTS = b"""---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: other, namespace: ops}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}}
---
apiVersion: v1
kind: Service
metadata: {name: empty, namespace: shop}
spec: {selector: {}}
---
apiVersion: v1
kind: Service
metadata: {name: none, namespace: shop}
spec: {type: ClusterIP}
"""


def test_services_select_by_equality_in_their_namespace_and_an_empty_selector_selects_nothing():
    objects = load.load_documents(_MANIFESTS, "m.yaml")
    cluster = Cluster([("m.yaml", objects, {})])
    services = {s.name: s for s in cluster.services}
    assert [w.name for w in cluster.selected(services["web"])] == ["web"]  # not ops/other
    assert cluster.selected(services["empty"]) == [] and cluster.selected(services["none"]) == []
    assert [w.name for w in cluster.workloads if not w.services] == ["other"]


# --- one parse per file ------------------------------------------------------------------------


_K8S = b"""# spoflint: accept SPOF001 the cache is rebuilt from the database
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache}
spec:
  template:
    metadata: {labels: {app: cache}}
    spec: {containers: [{name: cache, image: memcached, args: ["-m", "# spoflint: not a comment"]}]}
---
apiVersion: v1
kind: Service
metadata: {name: cache}
spec: {selector: {app: cache}}
"""

_COMPOSE = b"""services:  # spoflint: accept SPOF001 a demo
  web:
    image: nginx
    ports: !reset []
    depends_on: [db]
  db:
    image: postgres
    volumes: [data:/var/lib/postgresql/data]
volumes:
  data: {}
"""


@pytest.fixture
def parses(monkeypatch):
    """The texts parsed: by the builder (`documents._parsed`, every document's parse, in C
    or in Python) or again for the accept comments' spans (`comments._spans`)."""
    from spoflint.load import comments, documents

    seen: list[bytes] = []

    def counted(real):
        def parse(data, *args, **kwargs):
            seen.append(bytes(data))
            return real(data, *args, **kwargs)

        return parse

    monkeypatch.setattr(documents, "_parsed", counted(documents._parsed))
    monkeypatch.setattr(comments, "_spans", counted(comments._spans))
    return seen


@pytest.mark.parametrize(("name", "text"), [("manifests.yaml", _K8S), ("compose.yaml", _COMPOSE)])
def test_check_parses_each_file_once_detection_included(tmp_path, parses, name, text):
    (tmp_path / name).write_bytes(text)
    result = invoke("check", "--isolated", "--format", "json", tmp_path)
    assert result.exit_code in (0, 1), result.output
    accepted = [f for f in json.loads(result.stdout)["findings"] if f["suppressed"]]
    assert [(f["rule"], f["suppressed"]["kind"]) for f in accepted] == [("SPOF001", "accept")]  # from the one parse
    assert len(parses) == 1, [p[:40] for p in parses]  # detection's parse is the reader's, its comments too
    assert b"image:" in parses[0]


def test_the_reader_takes_the_parse_detection_kept(tmp_path, parses):
    path = tmp_path / "m.yaml"
    path.write_bytes(_K8S)
    assert load.sniff_format(path, None) == "kubernetes"
    assert len(parses) == 1
    assert load.sniff_format(path, None) == "kubernetes" and len(parses) == 1  # asked again: still kept
    (document,) = kubernetes.read([path])
    assert len(parses) == 1 and document["services"]["cache"]["vip"] == "kube-proxy"
    assert kubernetes.read([path]) and len(parses) == 2  # taken: a second read parses again (its own copy)


def test_compose_tags_are_applied_once_to_the_parse_detection_kept(tmp_path, parses):
    from spoflint.importers._compose_files import read_file
    from spoflint.importers._compose_merge import Tagged

    path = tmp_path / "compose.yaml"
    path.write_bytes(_COMPOSE)
    assert load.sniff_format(path, None) == "compose" and load.sniff_format(path, None) == "compose"
    document = read_file(path, load.shown_path(path))
    ports = document["services"]["web"]["ports"]
    assert isinstance(ports, Tagged) and ports.tag == "reset" and not isinstance(ports.value, Tagged)
    assert len(parses) == 1


def test_a_file_no_reader_claims_is_not_kept(tmp_path, parses):
    path = tmp_path / "notes.yaml"
    path.write_bytes(b"title: a list of things\nitems: [a, b]\n")
    assert load.sniff_format(path, None) is None
    from spoflint.load import documents

    assert not any(key[1] == load.shown_path(path) for key in documents._KEPT)


# --- the benchmark's generator -------------------------------------------------------------


def test_the_generator_is_deterministic_by_seed():
    assert generate_k8s.kubernetes(30, seed=3) == generate_k8s.kubernetes(30, seed=3)
    assert generate_k8s.kubernetes(30, seed=3) != generate_k8s.kubernetes(30, seed=4)
    assert generate_k8s.compose(40, seed=3) == generate_k8s.compose(40, seed=3)


def test_generated_manifests_read_as_meant(tmp_path):
    assert generate_k8s.main(["60", "-o", str(tmp_path / "k8s"), "--seed", "2"]) == 0
    files = sorted((tmp_path / "k8s").iterdir())
    assert len(files) == 6 and all(load.sniff_format(f, None) == "kubernetes" for f in files)
    objects = [o for f in files for o in yaml.load_all(f.read_text(), Loader=yaml.SafeLoader)]
    assert sum(o["kind"] == "Deployment" for o in objects) == 60
    services = {n: s for document in kubernetes.read([tmp_path / "k8s"]) for n, s in document["services"].items()}
    assert len(services) == 60 + 2  # every Deployment, and two applications' databases
    assert all(s.get("vip") == "kube-proxy" for n, s in services.items() if not n.endswith("-db"))
    assert sorted(n for n, s in services.items() if s.get("public") is True) == [
        f"shop-{a:04d}-frontend" for a in range(6)
    ]
    assert any(s.get("depends_on") for s in services.values())


def test_generated_compose_reads_as_meant(tmp_path):
    assert generate_k8s.main(["41", "-o", str(tmp_path / "c"), "--format", "compose"]) == 0
    result = invoke("check", "--isolated", "--format", "json", tmp_path / "c")
    assert result.exit_code == 1, result.output
    lost = {f["subject"] for f in json.loads(result.stdout)["findings"] if f["rule"] == "STATE001"}
    assert lost == {"svc-00000", "svc-00020", "svc-00040"}  # one database per 20 services, none replicated
