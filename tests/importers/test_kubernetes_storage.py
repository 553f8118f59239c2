"""The Kubernetes reader's storage, replication and placement: where a workload's data
lives (a storage element per network-attached volume; node-local data stays with the
instance; scratch is no state), whether a StatefulSet's replicas replicate it, and how
firmly its replicas are spread (`spread_strength`, SVC007).

The fixtures in fixtures/import/kubernetes/ are checked by test_import_kubernetes.py;
these tests pin the native model each case becomes, on small manifests."""

from __future__ import annotations

from functools import partial

import pytest

from spoflint import engine, load, model
from spoflint.importers import kubernetes, overlay
from tests.helpers import REPO, judged, lint_import

FIXTURES = REPO / "fixtures" / "import" / "kubernetes"
lint = partial(lint_import, kubernetes)


def workload(
    name="app",
    kind="Deployment",
    replicas=1,
    image="example/app:1",
    volumes="",
    mounts="",
    extra="",
    pod="",
    namespace="default",
):
    """A workload manifest: `mounts` and `extra` are container lines, `pod` and `volumes`
    pod-spec lines, `extra` after the image, all indented by the caller's text."""
    return f"""\
apiVersion: apps/v1
kind: {kind}
metadata:
  name: {name}
  namespace: {namespace}
spec:
  replicas: {replicas}
  serviceName: {name}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
{pod}      containers:
        - name: main
          image: {image}
{extra}{mounts}{volumes}"""


def write(tmp_path, *documents, name="m.yaml"):
    path = tmp_path / name
    path.write_text("---\n".join(documents), encoding="utf-8")
    return path


def claim(name, storage_class=None, modes="[ReadWriteOnce]", namespace="default"):
    cls = f"  storageClassName: {storage_class}\n" if storage_class is not None else ""
    return (
        f"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: {name}, namespace: {namespace}}}\n"
        f"spec:\n  accessModes: {modes}\n{cls}  resources: {{requests: {{storage: 1Gi}}}}\n"
    )


def storage_class(name, provisioner):
    return (
        f"apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {{name: {name}}}\nprovisioner: {provisioner}\n"
    )


MOUNT = "          volumeMounts: [{name: data, mountPath: /data}]\n"
EXPOSED = "apiVersion: v1\nkind: Service\nmetadata: {name: app}\nspec: {type: LoadBalancer, selector: {app: app}}\n"


def pvc_volume(claim_name):
    return f"      volumes:\n        - name: data\n          persistentVolumeClaim: {{claimName: {claim_name}}}\n"


def template(storage_class=None):
    cls = f", storageClassName: {storage_class}" if storage_class else ""
    return (
        "  volumeClaimTemplates:\n"
        f"    - metadata: {{name: data}}\n      spec: {{accessModes: [ReadWriteOnce]{cls},"
        " resources: {requests: {storage: 1Gi}}}\n"
    )


def notes(findings):
    return [f.message for f in findings if f.rule == "MODEL001" and "power" not in f.message]


# --- where the data lives ------------------------------------------------------------------


@pytest.mark.parametrize(
    "provisioner,kind",
    [
        ("ebs.csi.aws.com", "managed"),
        ("pd.csi.storage.gke.io", "managed"),
        ("cinder.csi.openstack.org", "managed"),
        ("rbd.csi.ceph.com", "ceph"),
        ("rook-ceph.cephfs.csi.ceph.com", "ceph"),
        ("driver.longhorn.io", "managed"),
    ],
)
def test_a_network_claim_is_a_storage_element_without_hosts(tmp_path, provisioner, kind):
    path = write(
        tmp_path,
        storage_class("fast", provisioner),
        claim("db-data", "fast"),
        workload(image="postgres:16", mounts=MOUNT, volumes=pvc_volume("db-data")),
        EXPOSED,
    )
    topology, findings = lint(path)
    backend = topology.storage["db-data"]
    assert (backend.kind, backend.hosts) == (kind, ())
    assert topology.services["app"].storage == ("db-data",)
    rules = judged(findings)
    assert ("SPOF001", "db-data") in rules and ("SPOF001", "k8s-node-1") in rules  # fails alone; node: downtime
    assert not any(rule == "SPOF002" for rule, _ in rules)  # it reattaches elsewhere: no data loss
    assert not [f for f in findings if f.rule == "MODEL001" and f.subject == "db-data"]  # its class is known


@pytest.mark.parametrize(
    "documents",
    [
        [storage_class("local-path", "rancher.io/local-path"), claim("db-data", "local-path")],
        [storage_class("hostpath", "openebs.io/local"), claim("db-data", "hostpath")],
        [claim("db-data", "local-storage")],  # a well-known local class, not in the files
        [
            storage_class("disks", "kubernetes.io/no-provisioner"),
            claim("db-data", "disks"),
            "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv-1}\nspec:\n  storageClassName: disks\n"
            "  capacity: {storage: 1Gi}\n  local: {path: /mnt/disks/ssd1}\n",
        ],
        [
            claim("db-data", '""'),
            "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv-1}\nspec:\n"
            "  claimRef: {name: db-data, namespace: default}\n  hostPath: {path: /srv/db}\n",
        ],
    ],
    ids=["local-path", "openebs-hostpath", "local-storage", "static-local-pv", "hostpath-pv"],
)
def test_a_node_local_claim_keeps_the_data_on_the_node(tmp_path, documents):
    path = write(tmp_path, *documents, workload(image="postgres:16", mounts=MOUNT, volumes=pvc_volume("db-data")))
    topology, findings = lint(path)
    assert topology.storage == {}
    assert (topology.services["app"].state, topology.services["app"].storage) == ("stateful", ())
    assert ("SPOF002", "k8s-node-1") in judged(findings)  # the node's failure loses the data


def test_a_claim_of_unknown_class_is_taken_as_network_attached_with_a_note(tmp_path):
    path = write(
        tmp_path,
        claim("data-a"),
        claim("data-b", "fancy"),
        workload(name="a", image="postgres:16", mounts=MOUNT, volumes=pvc_volume("data-a")),
        workload(name="b", image="postgres:16", mounts=MOUNT, volumes=pvc_volume("data-b")),
        workload(name="c", image="postgres:16", mounts=MOUNT, volumes=pvc_volume("elsewhere")),
    )
    topology, findings = lint(path)
    assert {s.id: s.kind for s in topology.storage.values()} == {
        "data-a": "managed",
        "data-b": "managed",
        "elsewhere": "managed",
    }
    said = {f.subject: f.message for f in findings if f.rule == "MODEL001" and f.subject in topology.storage}
    assert "cluster's default" in said["data-a"] and "fancy is not in the files" in said["data-b"]
    assert "claim is not in the files" in said["elsewhere"]
    assert all("taken as network-attached" in m for m in said.values())


def test_an_overlay_that_says_where_a_claim_lives_answers_the_note(tmp_path):
    path = write(tmp_path, claim("db-data"), workload(image="postgres:16", mounts=MOUNT, volumes=pvc_volume("db-data")))
    site = tmp_path / "site.yaml"
    site.write_text("version: 1\nstorage:\n  db-data: {kind: managed}\n", encoding="utf-8")
    topology = model.build(overlay(kubernetes.read([str(path)]), [load.load_file(str(site))]))
    findings = engine.check(topology, engine.Config())
    assert not [f for f in findings if f.rule == "MODEL001" and f.subject == "db-data"]


def test_scratch_space_is_no_state_but_a_database_keeps_its_data_in_the_pod(tmp_path):
    scratch = "      volumes:\n        - {name: data, emptyDir: {}}\n"
    path = write(
        tmp_path,
        workload(name="web", mounts=MOUNT, volumes=scratch),
        workload(name="cache", image="redis:7", mounts=MOUNT, volumes=scratch),
    )
    topology, findings = lint(path)
    assert topology.services["web"].state == "stateless"
    assert topology.services["cache"].state == "stateful"  # lost with the pod: the node's failure loses it
    assert ("SPOF002", "k8s-node-1") in judged(findings)


def test_a_writable_host_folder_is_state_a_system_one_is_not(tmp_path):
    host = "      volumes:\n        - {{name: data, hostPath: {{path: {}}}}}\n"
    path = write(
        tmp_path,
        workload(name="uploads", mounts=MOUNT, volumes=host.format("/srv/uploads")),
        workload(name="agent", mounts=MOUNT, volumes=host.format("/var/log")),
        workload(name="shipper", kind="DaemonSet", mounts=MOUNT, volumes=host.format("/var/lib/fluent-bit")),
    )
    topology, _ = lint(path)
    s = topology.services
    assert (s["uploads"].state, s["agent"].state, s["shipper"].state) == ("stateful", "stateless", "stateless")


def test_an_nfs_share_is_one_storage_element_with_a_note(tmp_path):
    nfs = "      volumes:\n        - {name: data, nfs: {server: 10.0.0.5, path: /exports/shared}}\n"
    path = write(
        tmp_path,
        workload(name="a", replicas=2, mounts=MOUNT, volumes=nfs),
        workload(name="b", mounts=MOUNT, volumes=nfs),
    )
    topology, findings = lint(path)
    (share,) = topology.storage.values()
    assert (share.id, share.kind, share.hosts) == ("10.0.0.5:/exports/shared", "nfs", ())
    assert topology.services["a"].storage == topology.services["b"].storage == (share.id,)  # one data set
    (note,) = [f for f in findings if f.rule == "MODEL001" and f.subject == share.id]
    assert "storage spoflint cannot see" in note.message


def test_a_read_only_network_volume_is_needed_not_where_the_data_lives(tmp_path):
    mount = "          volumeMounts: [{name: data, mountPath: /data, readOnly: true}]\n"
    path = write(
        tmp_path,
        storage_class("fast", "ebs.csi.aws.com"),
        claim("assets", "fast", modes="[ReadOnlyMany]"),
        workload(mounts=mount, volumes=pvc_volume("assets")),
    )
    topology, _ = lint(path)
    app = topology.services["app"]
    assert (app.state, app.storage, app.depends_on) == ("stateless", (), ("assets",))


def test_replicas_sharing_a_read_write_once_claim_all_run_on_one_node(tmp_path):
    path = write(
        tmp_path,
        storage_class("fast", "ebs.csi.aws.com"),
        claim("shared", "fast"),
        workload(replicas=2, mounts=MOUNT, volumes=pvc_volume("shared")),
    )
    topology, findings = lint(path)
    assert topology.services["app"].spread is None
    assert ("SVC002", "app") in judged(findings)


def test_a_single_replica_statefulset_claim_is_named_as_kubernetes_names_it(tmp_path):
    path = write(tmp_path, workload(name="db", kind="StatefulSet", image="postgres:16", mounts=MOUNT) + template())
    topology, _ = lint(path)
    assert set(topology.storage) == {"data-db-0"}
    assert topology.services["db"].storage == ("data-db-0",)


def test_a_claim_in_another_file_is_declared_there(tmp_path):
    write(tmp_path, claim("db-data"), name="pvc.yaml")
    write(tmp_path, workload(image="postgres:16", mounts=MOUNT, volumes=pvc_volume("db-data")), name="db.yaml")
    topology, _ = lint(tmp_path)
    assert topology.where["db-data"].path.endswith("pvc.yaml")


def test_one_claim_name_in_two_namespaces_is_two_elements(tmp_path):
    path = write(
        tmp_path,
        claim("data", namespace="blue"),
        claim("data", namespace="green"),
        workload(namespace="blue", image="postgres:16", mounts=MOUNT, volumes=pvc_volume("data")),
        workload(namespace="green", image="postgres:16", mounts=MOUNT, volumes=pvc_volume("data")),
    )
    topology, _ = lint(path)
    assert set(topology.storage) == {"blue/data", "green/data"}


# --- replication ---------------------------------------------------------------------------


def statefulset(image="mysql:8.0", replicas=3, extra="", pod="", name="db"):
    return workload(name=name, kind="StatefulSet", replicas=replicas, image=image, mounts=MOUNT, extra=extra, pod=pod)


SENTINEL = (
    "          volumeMounts: [{name: data, mountPath: /data}]\n"
    "        - name: sentinel\n          image: docker.io/bitnami/redis-sentinel:7.2\n"
)


@pytest.mark.parametrize(
    "manifest,kind",
    [
        (workload(name="db", kind="StatefulSet", replicas=3, image="redis:7", mounts=SENTINEL), "redis"),
        (statefulset("bitnami/redis-cluster:7.2"), "redis"),
        (statefulset("redis:7", extra="          args: [--cluster-enabled, 'yes']\n"), "redis"),
        (statefulset("ghcr.io/zalando/spilo-16:3.3-p1"), "postgresql"),
        (statefulset("postgres:16", extra="          env: [{name: PATRONI_SCOPE, value: demo}]\n"), "postgresql"),
        (statefulset(extra="          args: [--plugin-load-add=group_replication.so]\n"), "mysql-innodb-cluster"),
        (statefulset("mongo:7", extra="          command: [mongod, --replSet, rs0, --bind_ip_all]\n"), "mongodb"),
        (statefulset("quay.io/coreos/etcd:v3.5", replicas=2), "etcd"),
        (statefulset("bitnami/mariadb-galera:11.4"), "mariadb-galera"),
    ],
    ids=["sentinel", "redis-cluster", "cluster-enabled", "spilo", "patroni-env", "group-replication", "replset"]
    + ["etcd-pair", "galera"],
)
def test_replication_the_manifests_show_makes_a_replicated_service(tmp_path, manifest, kind):
    topology, findings = lint(write(tmp_path, manifest + template()))
    db = topology.services["db"]
    assert (db.kind, db.ha, db.storage) == (kind, "active-active", ())  # each replica keeps its own copy
    assert not [m for m in notes(findings) if "replication" in m]
    assert not any(rule in ("SPOF002", "STATE001") for rule, _ in judged(findings))


def test_replication_in_a_mounted_config_map_is_seen(tmp_path):
    config = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf}\ndata:\n  redis.conf: |\n    cluster-enabled yes\n"
    )
    volumes = "      volumes:\n        - {name: conf, configMap: {name: conf}}\n"
    manifest = workload(name="db", kind="StatefulSet", replicas=3, image="redis:7", mounts=MOUNT, volumes=volumes)
    topology, findings = lint(write(tmp_path, config, manifest + template()))
    assert topology.services["db"].ha == "active-active"
    assert not [m for m in notes(findings) if "replication" in m]


@pytest.mark.parametrize("image", ["mysql:8.0", "mongo:7", "example/ledger:2"])
def test_a_statefulset_whose_replication_is_not_shown_is_one_note_never_n_findings(tmp_path, image):
    topology, findings = lint(write(tmp_path, statefulset(image) + template()))
    assert topology.services["db"].ha == "active-active"
    (note,) = [f for f in findings if f.rule == "MODEL001" and "replication" in f.message]
    assert note.subject == "db" and note.message.startswith("replication of db is not described")
    assert not any(rule in ("SPOF002", "STATE001") for rule, _ in judged(findings))


def test_an_overlay_that_says_the_replicas_are_independent_answers_the_note(tmp_path):
    path = write(tmp_path, statefulset() + template("local-path"))
    site = tmp_path / "site.yaml"
    site.write_text(  # an overlay's service says where it runs, as any native service does
        "version: 1\nservices:\n  db: {ha: none, replicas: 3, pool: [k8s-node-1, k8s-node-2, k8s-node-3]}\n",
        encoding="utf-8",
    )
    topology = model.build(overlay(kubernetes.read([str(path)]), [load.load_file(str(site))]))
    findings = engine.check(topology, engine.Config())
    assert not [f for f in findings if f.rule == "MODEL001" and "replication" in f.message]
    assert ("STATE001", "db") in judged(findings)  # as the overlay says: three separate copies


def test_a_redis_follower_holds_a_copy_not_data_of_its_own(tmp_path):
    path = write(
        tmp_path,
        workload(name="leader", image="redis:7"),
        workload(name="follower", replicas=2, image="gcr.io/google_samples/gb-redisslave:v1"),
        workload(name="replica", replicas=2, image="redis:7", extra="          args: [--replicaof, leader, '6379']\n"),
    )
    topology, findings = lint(path)
    assert topology.services["follower"].state == topology.services["replica"].state == "stateless"
    assert {s for rule, s in judged(findings) if rule == "STATE001"} == {"leader"}


# --- placement -----------------------------------------------------------------------------

ANTI = (
    "      affinity:\n        podAntiAffinity:\n          {term}:\n"
    "            - {{labelSelector: {{matchLabels: {{app: app}}}}, topologyKey: {key}}}\n"
)
PREFERRED_ANTI = (
    "      affinity:\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n"
    "            - weight: 100\n              podAffinityTerm: {{labelSelector: {{matchLabels: {{app: app}}}},"
    " topologyKey: {key}}}\n"
)
SPREAD = (
    "      topologySpreadConstraints:\n"
    "        - {{maxSkew: {skew}, topologyKey: {key}, whenUnsatisfiable: {when},"
    " labelSelector: {{matchLabels: {{app: app}}}}}}\n"
)
HOST, ZONE = "kubernetes.io/hostname", "topology.kubernetes.io/zone"


@pytest.mark.parametrize(
    "pod,spread,strength",
    [
        ("", "host", "preferred"),  # the scheduler's default spreading
        (ANTI.format(term="requiredDuringSchedulingIgnoredDuringExecution", key=HOST), "host", "required"),
        (PREFERRED_ANTI.format(key=HOST), "host", "preferred"),
        (SPREAD.format(skew=1, key=HOST, when="DoNotSchedule"), "host", "required"),
        (SPREAD.format(skew=2, key=HOST, when="DoNotSchedule"), "host", "preferred"),  # two may share a node
        (SPREAD.format(skew=1, key=HOST, when="ScheduleAnyway"), "host", "preferred"),
        (SPREAD.format(skew=1, key=ZONE, when="DoNotSchedule"), "zone", "required"),
        (PREFERRED_ANTI.format(key=ZONE), "zone", "preferred"),
        (
            ANTI.format(term="requiredDuringSchedulingIgnoredDuringExecution", key=HOST)
            + SPREAD.format(skew=1, key=ZONE, when="ScheduleAnyway"),
            "host",
            "required",
        ),  # a hard promise over a preference
    ],
    ids=["default", "required", "preferred", "do-not-schedule", "skew-2", "schedule-anyway", "zone", "zone-preferred"]
    + ["required-over-preferred"],
)
def test_spread_and_its_strength(tmp_path, pod, spread, strength):
    topology, findings = lint(write(tmp_path, workload(replicas=3, pod=pod)))
    app = topology.services["app"]
    assert (app.spread, app.spread_strength) == (spread, strength)
    warned = [f for f in findings if f.rule == "SVC007"]
    assert bool(warned) == (strength == "preferred")
    if warned:
        key = HOST if spread == "host" else ZONE
        assert f"whenUnsatisfiable: DoNotSchedule on {key}" in warned[0].message
        assert warned[0].severity == "warning"


def test_best_effort_spread_is_still_spread_for_the_analysis(tmp_path):
    """The usual placement counts: no node is a single point of failure of a
    three-replica web tier whose spread is the scheduler's default."""
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: app}\nspec: {selector: {app: app}}\n"
    topology, findings = lint(write(tmp_path, workload(replicas=3, image="nginx:1.27"), service))
    assert len(topology.hosts) == 3
    assert not [f for f in findings if f.rule in ("SPOF001", "SVC002")]
    assert ("SVC007", "app") in judged(findings)


def test_the_fixtures_of_this_file_exist():
    for name in ("redis-sentinel", "postgres-cloud-disk", "gitea-local-path", "mysql-statefulset", "media-nfs"):
        assert (FIXTURES / f"{name}.yaml").is_file()


def test_a_redis_with_persistence_off_is_a_cache(tmp_path):
    args = "          args: [--save, '', --appendonly, 'no']\n"
    path = write(tmp_path, workload(name="cache", image="redis:7", extra=args), workload(name="store", image="redis:7"))
    topology, _ = lint(path)
    assert (topology.services["cache"].state, topology.services["store"].state) == ("stateless", "stateful")
