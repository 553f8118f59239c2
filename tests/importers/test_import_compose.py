"""The Docker Compose reader, on our fixtures and on every Compose file of the shared corpus.

- Fixtures: `fixtures/import/compose/` holds Compose files (and folders, read as one
  input) whose first line (a folder's: its first file's) is `# expect: RULE@subject ...`
  or `# expect: none`: exactly the errors and warnings that linting the imported model
  gives, risks accepted in the file left out. Notes must all be MODEL001: what a Compose
  file cannot say (power, cabling).
- Corpus: every Compose file under ../shared/corpus reads without error and gives what a
  careful operator expects: one Docker host that takes everything down and holds every
  copy of the data, and single-instance, unreplicated databases.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import pytest

from spoflint.errors import InputError
from spoflint.importers import compose
from spoflint.importers._containers import addressed_hosts, image_name, kind_of_image
from spoflint.model import kinds
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

FIXTURES = REPO / "fixtures" / "import" / "compose"
DATABASES = {"postgresql", "mysql", "mariadb", "mongodb", "redis", "rabbitmq", "kafka"}
lint = partial(lint_import, compose)  # (topology, findings) of Compose files


# --- fixtures ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", fixture_inputs(FIXTURES), ids=lambda p: p.name)
def test_fixture(path):
    _, findings = lint(path)
    assert_expected_findings(path.name, findings, expected(path))


@pytest.mark.parametrize("path", fixture_inputs(FIXTURES), ids=lambda p: p.name)
def test_findings_point_at_the_compose_file(path):
    """A service's findings point at the line where the service is named; a host's at
    `services:`."""
    topology, findings = lint(path)
    for finding in findings:
        text = Path(finding.path).read_text(encoding="utf-8").splitlines()[finding.line - 1]
        if finding.subject in topology.services:
            assert re.match(rf"\s*{re.escape(finding.subject.split('/')[-1])}:", text), (finding, text)
        elif finding.subject in topology.hosts:
            assert text.startswith("services:"), (finding, text)


def test_every_fixture_is_compose():
    for path in fixture_inputs(FIXTURES):
        for file in [path] if path.is_file() else sorted(path.glob("*.y*ml")):
            assert compose.detect(file, file.read_bytes()), file


def test_shop_mapping():
    topology, _ = lint(FIXTURES / "shop")
    services = topology.services
    assert set(services) == {"web", "api", "worker", "db", "cache"}  # adminer has a profile
    assert set(topology.hosts) == {"shop-host"}
    assert all(s.hosts == ("shop-host",) for s in services.values())
    assert services["db"].kind == "postgresql" and services["db"].state == "stateful"
    assert services["cache"].kind == "redis"
    assert services["api"].state == "stateless"  # no volume
    assert services["worker"].state == "stateless"  # a bind mount of source code is not state
    assert services["api"].load_balancer == "web"  # nginx in front of the API
    assert services["web"].role == "load-balancer" and services["web"].depends_on == ()
    assert set(services["api"].depends_on) == {"db", "cache"}
    assert set(services["worker"].depends_on) == {"db", "cache"}  # from DATABASE_URL and REDIS_HOST
    assert services["web"].public and not services["db"].public
    assert services["api"].public  # nothing depends on it; its loopback port does not matter


def test_blog_mapping_and_accept_comment():
    topology, findings = lint(FIXTURES / "blog.compose.yaml")
    services = topology.services
    assert set(services) == {"wordpress", "mysql"}
    assert services["wordpress"].state == "stateful"  # a named volume for uploads
    assert services["mysql"].kind == "mysql"  # stateful by kind, on an anonymous volume
    assert services["wordpress"].depends_on == ("mysql",)  # backup is optional
    accepted = [f for f in findings if f.suppressed]
    assert [(f.rule, f.subject) for f in accepted] == [("STATE001", "wordpress")]


def test_swarm_mapping():
    topology, _ = lint(FIXTURES / "swarm")
    services = topology.services
    assert set(topology.hosts) == {"swarm-node-1", "swarm-node-2", "swarm-node-3"}
    assert services["traefik"].hosts == ("swarm-node-1", "swarm-node-2", "swarm-node-3")  # mode: global
    assert services["api"].replicas == 3 and services["api"].spread == "host"
    assert services["api"].load_balancer == "traefik"
    assert services["cache"].replicas == 2 and services["cache"].spread is None
    assert services["cache"].vip == "dns"  # endpoint_mode: dnsrr
    assert services["postgres"].replicas == 1 and len(services["postgres"].pool) == 3


def test_plain_compose_replicas_stay_on_the_one_host(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: example/web\n    scale: 3\n    ports: ['80']\n"
    )
    topology, findings = lint(tmp_path / "compose.yaml")
    web = topology.services["web"]
    assert (web.replicas, web.pool, web.vip) == (3, (f"{tmp_path.name}-host",), "dns")
    assert ("SPOF001", f"{tmp_path.name}-host") in judged(findings)


# --- the corpus -------------------------------------------------------------------------

# What a careful operator expects from each file, errors and warnings only. One Docker
# host carries everything (SPOF001) and the only copy of every stateful service's data
# (SPOF002); databases run once with no replication (STATE001, SVC001). A Swarm stack's
# nodes are unknown: one node stands for the swarm, and replicas without
# max_replicas_per_node may share it (SVC002).
CORPUS_EXPECTED = {
    "awesome-compose/nextcloud-redis-mariadb.compose.yaml": "SPOF001@nextcloud-redis-mariadb-host SPOF002@nextcloud-redis-mariadb-host STATE001@db STATE001@nc "
    "STATE001@redis SVC001@db SVC001@nc SVC001@redis",
    "awesome-compose/nginx-flask-mysql.compose.yaml": "SPOF001@nginx-flask-mysql-host SPOF002@nginx-flask-mysql-host STATE001@db SVC001@backend SVC001@db "
    "SVC001@proxy SVC004@proxy",
    "awesome-compose/nginx-nodejs-redis.compose.yaml": "SPOF001@nginx-nodejs-redis-host SPOF002@nginx-nodejs-redis-host STATE001@redis SVC001@nginx "
    "SVC001@redis SVC001@web1 SVC001@web2 SVC004@nginx",
    "awesome-compose/wasmedge-kafka-mysql.compose.yaml": "SPOF001@wasmedge-kafka-mysql-host SPOF002@wasmedge-kafka-mysql-host STATE001@db STATE001@redpanda "
    "SVC001@db SVC001@etl SVC001@redpanda",
    "awesome-compose/wordpress-mysql.compose.yaml": "SPOF001@wordpress-mysql-host SPOF002@wordpress-mysql-host STATE001@db SVC001@db SVC001@wordpress",
    "example-voting-app/docker-compose.yml": "SPOF001@example-voting-app-host SPOF002@example-voting-app-host STATE001@db STATE001@redis SVC001@db "
    "SVC001@redis SVC001@result SVC001@vote SVC001@worker",
    "example-voting-app/docker-stack.yml": "SPOF001@example-voting-app-node-1 SPOF002@example-voting-app-node-1 STATE001@db STATE001@redis "
    "SVC001@db SVC001@redis SVC001@result SVC002@vote SVC002@worker",
    "sock-shop/docker-compose.yml": "SPOF001@sock-shop-host SPOF002@sock-shop-host STATE001@carts-db STATE001@catalogue-db "
    "STATE001@orders-db STATE001@rabbitmq STATE001@user-db SVC001@carts SVC001@carts-db SVC001@catalogue "
    "SVC001@catalogue-db SVC001@edge-router SVC001@front-end SVC001@orders SVC001@orders-db SVC001@payment "
    "SVC001@queue-master SVC001@rabbitmq SVC001@shipping SVC001@user SVC001@user-db SVC001@user-sim",
}


@needs_corpus
def test_every_compose_file_of_the_corpus_is_known():
    found = {p.relative_to(CORPUS).as_posix() for p in corpus_files(compose.detect)}
    assert found == set(CORPUS_EXPECTED)


@needs_corpus
@pytest.mark.parametrize("name", sorted(CORPUS_EXPECTED))
def test_corpus_file(name):
    path = CORPUS / name
    topology, findings = lint(path)
    want = pairs(CORPUS_EXPECTED[name])
    assert judged(findings) == want
    assert {f.rule for f in findings if f.severity == "note"} <= {"MODEL001"}
    # every finding points into the Compose file itself
    assert all(Path(f.path).resolve() == path.resolve() for f in findings)


@needs_corpus
@pytest.mark.parametrize("name", sorted(CORPUS_EXPECTED))
def test_corpus_host_and_databases(name):
    """The property behind the table: the one host (or the node standing for the
    swarm) takes every user-facing service down and holds every stateful service's
    data; each single-instance database is unprotected and flagged where it is."""
    topology, findings = lint(CORPUS / name)
    (host,) = topology.hosts
    point = {f.rule: f for f in findings if f.subject == host}
    public = {s.id for s in topology.services.values() if s.public}
    assert set(point["SPOF001"].services) == public
    stateful = {s.id for s in topology.services.values() if s.state == "stateful"}
    assert stateful and {p.subject for p in point["SPOF002"].related} == stateful
    rules = judged(findings)
    for service in topology.services.values():
        if service.kind in DATABASES and service.replicas == 1:
            assert {("STATE001", service.id), ("SVC001", service.id)} <= rules, service.id


@needs_corpus
def test_several_projects_read_together_get_prefixed_ids():
    topology, findings = lint(
        CORPUS / "awesome-compose" / "wordpress-mysql.compose.yaml",
        CORPUS / "awesome-compose" / "nginx-flask-mysql.compose.yaml",
    )
    assert {"wordpress-mysql/db", "nginx-flask-mysql/db", "wordpress", "backend"} <= set(topology.services)
    assert topology.services["wordpress"].depends_on == ("wordpress-mysql/db",)
    assert set(topology.hosts) == {"wordpress-mysql-host", "nginx-flask-mysql-host"}


# --- reading and detecting --------------------------------------------------------------


def test_detect_refuses_what_is_not_compose():
    assert not compose.detect(Path("t.yaml"), b"version: 1\nservices:\n  s: {image: x, hosts: [h]}\n")
    assert not compose.detect(Path("t.yaml"), b"apiVersion: v1\nkind: Service\nmetadata: {name: s}\n")
    assert not compose.detect(Path("t.yaml"), b"services: {}\n")
    assert not compose.detect(Path("t.yaml"), b"services:\n  a: {command: x}\n")  # no image or build
    assert not compose.detect(Path("t.yaml"), b"a: [1\n")  # not YAML
    assert compose.detect(Path("t.yaml"), b"version: '3.9'\nservices:\n  a: {image: redis}\n")


def test_a_named_file_that_is_not_compose_is_an_input_error(tmp_path):
    path = tmp_path / "compose.yaml"
    path.write_text("version: 1\nhosts: {h: {}}\n")
    with pytest.raises(InputError, match="not a Compose file"):
        compose.read([path])
    (tmp_path / "broken.yaml").write_text("services: [\n")
    (tmp_path / "compose.yaml").write_text("services:\n  a: {image: redis}\n")
    assert len(compose.read([tmp_path])) == 1  # a folder skips what it cannot read


def test_depends_on_forms(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  app:\n    image: example/app\n    links: ['cache:c']\n"
        "    depends_on:\n      db: {condition: service_healthy}\n      mail: {condition: service_started, required: false}\n"
        "  db: {image: 'mariadb:11'}\n  cache: {image: memcached}\n  mail: {image: example/mail}\n"
    )
    topology, _ = lint(tmp_path / "compose.yaml")
    assert topology.services["app"].depends_on == ("db", "cache")


def test_inferred_dependencies_never_close_a_cycle(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  a: {image: example/a, environment: {B_HOST: b}}\n"
        "  b: {image: example/b, environment: {A_URL: 'http://a:8080/'}}\n"
    )
    topology, _ = lint(tmp_path / "compose.yaml")
    assert topology.services["a"].depends_on == ("b",) and topology.services["b"].depends_on == ()


def test_volumes_decide_the_state_of_an_unknown_image(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "services:\n"
        "  named: {image: example/x, volumes: ['data:/srv']}\n"
        "  anonymous: {image: example/x, volumes: ['/srv/state']}\n"
        "  code: {image: example/x, volumes: ['./src:/app', '/var/run/docker.sock:/var/run/docker.sock']}\n"
        "  datadir: {image: example/x, volumes: ['./pg:/var/lib/postgresql/data']}\n"
        "  readonly: {image: example/x, volumes: [{type: bind, source: ./d, target: /data, read_only: true}]}\n"
        "  scratch: {image: example/x, tmpfs: [/tmp]}\n"
        "  orders-db: {image: example/orders-db}\n"
        "volumes: {data: {}}\n"
    )
    topology, _ = lint(tmp_path / "compose.yaml")
    state = {s.id: s.state for s in topology.services.values()}
    assert state == {
        "named": "stateful",
        "anonymous": "stateful",
        "code": "stateless",
        "datadir": "stateful",
        "readonly": "stateless",
        "scratch": "stateless",
        "orders-db": "stateful",
    }


def test_images_map_to_known_kinds():
    assert image_name("docker.io/bitnami/postgresql:16@sha256:abc") == "postgresql"
    assert image_name("localhost:5000/team/app") == "app"
    table = {
        "postgres:15-alpine": "postgresql",
        "mariadb:10-focal": "mariadb",
        "mysql:8": "mysql",
        "redis:alpine": "redis",
        "redislabs/redismod": "redis",
        "rabbitmq:3.6.8": "rabbitmq",
        "mongo:3.4": "mongodb",
        "confluentinc/cp-kafka:7.6.0": "kafka",
        "zookeeper:3.9": "zookeeper",
        "nginx:1.27": "nginx",
        "traefik:v3.0": "traefik",
        "haproxy:2.9": "haproxy",
        "memcached:1.6": "memcached",
        "elasticsearch:8.13.0": "elasticsearch",
        "mongo-express": None,
        "wordpress": None,
        "weaveworksdemos/catalogue-db:0.3.0": None,
    }
    for image, kind in table.items():
        assert kind_of_image(image) == kind, image
        assert kind is None or kind in kinds.KINDS


def test_addresses_in_environment_variables():
    assert addressed_hosts("DATABASE_URL", "mysql://root:pw@db:3306/mysql") == ["db"]
    assert addressed_hosts("KAFKA_BROKERS", "k1:9092,k2:9092") == ["k1", "k2"]
    assert addressed_hosts("MONGO_HOST", "user-db:27017") == ["user-db"]
    assert addressed_hosts("MYSQL_DATABASE", "wordpress") == []  # not an address
    assert addressed_hosts("BIND_ADDR", "0.0.0.0:80") == []  # an IP is no service name
    assert addressed_hosts("PORT", 8080) == []
