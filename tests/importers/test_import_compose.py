"""The Docker Compose reader, on our fixtures and on every Compose file of the shared corpus.

- Fixtures: `fixtures/import/compose/` holds Compose files (and folders, read as one
  input) whose first line (a folder's: its first file's) is `# expect: RULE@subject ...`
  or `# expect: none`: exactly the errors and warnings that linting the imported model
  gives, risks accepted in the file left out. Notes must all be MODEL001: what a Compose
  file cannot say (power, cabling).
- Corpus: every Compose file under ../shared/corpus reads without error and gives what a
  careful operator expects: one Docker host that takes everything down and holds every
  copy of the data, and single-instance, unreplicated databases.
- Semantics: projects (override files, `-f a -f b`, `include`, `extends`, `!reset`,
  `!override`), one-shot jobs, Swarm placement, what is data and what is a name, what
  the reader cannot see (notes), and errors that speak of Compose, not of topologies.
"""

from __future__ import annotations

import gc
import re
from functools import partial
from pathlib import Path

import pytest

from spoflint.errors import InputError
from spoflint.importers import _compose_files, compose
from spoflint.importers._containers import (
    addressed_hosts,
    command_words,
    image_name,
    is_database_name,
    kind_of_image,
    persistence_off,
)
from spoflint.model import kinds
from tests.helpers import (
    CORPUS,
    REPO,
    assert_expected_findings,
    corpus_files,
    expected,
    fixture_inputs,
    invoke,
    judged,
    lint_import,
    needs_corpus,
    pairs,
    write,
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
    assert services["api"].spread_strength == "required"  # max_replicas_per_node: 1
    assert services["cache"].replicas == 2 and services["cache"].spread == "host"
    assert services["cache"].spread_strength == "preferred"  # Swarm's default spreading
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
# (SPOF002); databases run once with no replication (STATE001) and, where a user-facing
# service needs them, SVC001. User-facing comes from exposure: a worker (etl, the voting
# app's worker) is not, nor a database no exposed service is said to need. Two services
# built alike behind one proxy (web1, web2) are one application of two instances. A Swarm
# stack spreads replicas over nodes as its best effort only (SVC007); the widest service
# sets the nodes modelled (two for the voting app), and a single-replica service may sit
# on either.
CORPUS_EXPECTED = {
    "awesome-compose/nextcloud-redis-mariadb.compose.yaml": "SPOF001@nextcloud-redis-mariadb-host "
    "SPOF002@nextcloud-redis-mariadb-host STATE001@db STATE001@nc STATE001@redis SVC001@db SVC001@nc SVC001@redis",
    "awesome-compose/nginx-flask-mysql.compose.yaml": "SPOF001@nginx-flask-mysql-host SPOF002@nginx-flask-mysql-host "
    "STATE001@db SVC001@backend SVC001@db SVC001@proxy SVC004@proxy",
    "awesome-compose/nginx-nodejs-redis.compose.yaml": "SPOF001@nginx-nodejs-redis-host SPOF002@nginx-nodejs-redis-host "
    "STATE001@redis SVC001@nginx SVC001@redis SVC002@web1 SVC004@nginx",
    "awesome-compose/wasmedge-kafka-mysql.compose.yaml": "SPOF001@wasmedge-kafka-mysql-host "
    "SPOF002@wasmedge-kafka-mysql-host STATE001@db STATE001@redpanda SVC001@redpanda",
    "awesome-compose/wordpress-mysql.compose.yaml": "SPOF001@wordpress-mysql-host SPOF002@wordpress-mysql-host "
    "STATE001@db SVC001@db SVC001@wordpress",
    "example-voting-app/docker-compose.yml": "SPOF001@example-voting-app-host SPOF002@example-voting-app-host "
    "STATE001@db STATE001@redis SVC001@db SVC001@redis SVC001@result SVC001@vote",
    "example-voting-app/docker-stack.yml": "SPOF001@example-voting-app-node-1 SPOF001@example-voting-app-node-2 "
    "SPOF002@example-voting-app-node-1 SPOF002@example-voting-app-node-2 STATE001@db STATE001@redis SVC001@result "
    "SVC007@vote SVC007@worker",
    "sock-shop/docker-compose.yml": "SPOF001@sock-shop-host SPOF002@sock-shop-host STATE001@carts-db "
    "STATE001@catalogue-db STATE001@orders-db STATE001@rabbitmq STATE001@user-db SVC001@carts SVC001@catalogue "
    "SVC001@edge-router SVC001@front-end SVC001@orders SVC001@payment SVC001@queue-master SVC001@shipping "
    "SVC001@user-sim",
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
    """The property behind the table: the hosts (the one Docker host, or each node a
    single-replica service may sit on) take every user-facing service they hold down and
    hold every stateful service's data; each single-instance database is unprotected."""
    topology, findings = lint(CORPUS / name)
    rules = judged(findings)
    stateful = {s.id for s in topology.services.values() if s.state == "stateful"}
    assert stateful
    for host in topology.hosts:
        point = {f.rule: f for f in findings if f.subject == host}
        assert {p.subject for p in point["SPOF002"].related} == stateful
    for service in topology.services.values():
        if service.kind in DATABASES and service.replicas == 1:
            assert ("STATE001", service.id) in rules, service.id


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
        "  uploads: {build: ., volumes: ['./uploads:/app/uploads', './src:/app/src', '/app/node_modules']}\n"
        "  published: {image: example/x, volumes: ['/srv/x:/var/www/html', './data/conf/x:/hooks']}\n"
        "  config: {image: example/x, volumes: ['./x.conf:/opt/x/x.conf', './conf:/etc/x']}\n"
        "  cached: {image: example/x, volumes: ['model-cache:/models', 'build:/root/.cache']}\n"
        "  exporter: {image: prom/mysqld-exporter}\n"
        "volumes: {data: {}, model-cache: {}, build: {}}\n"
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
        "orders-db": "stateful",  # by its name: the database word is its head
        "uploads": "stateful",  # user data; not the source code or node_modules
        "published": "stateful",  # a writable host folder of a published application
        "config": "stateless",
        "cached": "stateless",  # volumes named or mounted as caches
        "exporter": "stateless",  # `mysqld-exporter`: the database word qualifies it
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


def test_database_names_and_redis_without_persistence():
    for name in ("db", "catalogue-db", "user_db", "mysql", "postgres-1", "orders-db", "mongodb"):
        assert is_database_name(name), name
    for name in ("mysql-exporter", "postgres-operator", "db-admin", "mongo-express", "ratings-v2-mysql", "pgadmin"):
        assert not is_database_name(name), name
    for name in ("vitess-router", "clickhouse-client", "redis-ui", "db-proxy", "metadb-meta"):
        assert not is_database_name(name), name
    assert persistence_off("redis", command_words("redis-server --save '' --appendonly no"), {})
    assert persistence_off("valkey", command_words(["valkey-server", "--save", ""]), {})
    assert persistence_off("redis", [], {"REDIS_ARGS": '--save ""'})
    assert persistence_off("redis", [], {"REDIS_AOF_ENABLED": "no", "REDIS_RDB_POLICY_DISABLED": "yes"})
    assert not persistence_off("redis", command_words("redis-server"), {})  # snapshots by default
    assert not persistence_off("redis", command_words("redis-server --save '' --appendonly yes"), {})
    assert not persistence_off("postgresql", command_words("--save ''"), {})


# --- projects: several files, merged as docker compose merges them ------------------------


def test_an_override_file_merges_into_its_base():
    topology, _ = lint(FIXTURES / "override")
    services = topology.services
    assert set(services) == {"web", "db"} and set(topology.hosts) == {"notes-host"}
    assert services["web"].replicas == 2 and services["web"].vip == "dns"  # `scale: 2` from the override
    assert services["web"].public and not services["db"].public  # the db's port is `!reset`
    project = _group(FIXTURES / "override" / "compose.yaml", FIXTURES / "override" / "compose.override.yaml")
    (web,) = [project.document["services"]["web"]]
    assert list(web["ports"]) == ["443:443"]  # `!override` replaced the base's 8080:80
    assert web["environment"]["LOG_LEVEL"] == "debug" and "DATABASE_URL" in web["environment"]
    assert "ports" not in project.document["services"]["db"]
    assert web["logging"]["driver"] == "json-file"  # YAML merge keys, then Compose's merge


def _group(*paths):
    (project,) = _compose_files.group(compose._files([str(p) for p in paths]))
    return project


def test_merge_rules_follow_the_compose_specification(tmp_path):
    base = write(
        tmp_path / "compose.yaml",
        "services:\n"
        "  app:\n"
        "    image: example/app:1\n"
        "    command: [serve, --port, '80']\n"
        "    build: ./app\n"
        "    ports: ['80:80', '9000:9000']\n"
        "    volumes: ['data:/data', './conf:/conf:ro']\n"
        "    environment: [A=1, B=2]\n"
        "    depends_on: [db]\n"
        "    labels: {tier: web}\n"
        "  db: {image: 'postgres:16'}\n",
    )
    over = write(
        tmp_path / "compose.prod.yaml",
        "services:\n"
        "  app:\n"
        "    image: example/app:2\n"
        "    command: [serve]\n"
        "    build: {dockerfile: Dockerfile.prod}\n"
        "    ports: ['80:80', '443:443']\n"
        "    volumes: ['other:/data']\n"
        "    environment: {B: 3, C: 4}\n"
        "    depends_on: {cache: {condition: service_started}}\n"
        "    labels: !reset {}\n"
        "  cache: {image: 'memcached:1.6'}\n",
    )
    app = _group(base, over).document["services"]["app"]
    assert app["image"] == "example/app:2"  # scalars: the later file's
    assert list(app["command"]) == ["serve"]  # command: replaced, not appended
    assert dict(app["build"]) == {"context": "./app", "dockerfile": "Dockerfile.prod"}
    assert list(app["ports"]) == ["80:80", "9000:9000", "443:443"]  # unique by address
    assert list(app["volumes"]) == ["other:/data", "./conf:/conf:ro"]  # unique by target, in place
    assert dict(app["environment"]) == {"A": "1", "B": 3, "C": 4}
    assert set(app["depends_on"]) == {"db", "cache"}
    assert "labels" not in app


def test_files_named_together_merge_like_dash_f(tmp_path):
    base = write(
        tmp_path / "docker-compose.yml",
        "services:\n  web: {image: example/web, depends_on: [db]}\n  db: {image: 'postgres:16', volumes: [pg:/var/lib/postgresql/data]}\n",
    )
    prod = write(tmp_path / "docker-compose.prod.yml", "services:\n  web:\n    ports: ['443:8443']\n    scale: 3\n")
    for paths in ([base, prod], [prod]):  # named alone, the override brings its base
        topology, _ = lint(*paths)
        assert set(topology.services) == {"web", "db"}, paths
        assert topology.services["web"].replicas == 3 and topology.services["web"].public
    proxy = write(
        tmp_path / "reverse-proxy" / "docker-compose.caddy.yml",
        "services:\n  caddy:\n    image: caddy:2\n    ports: ['80:80']\n    depends_on: [web]\n"
        "  web:\n    labels: {virtual.host: example.com}\n",
    )
    topology, _ = lint(base, proxy)  # a file in another folder that amends a service of the first
    assert set(topology.services) == {"web", "db", "caddy"}
    assert topology.services["web"].load_balancer == "caddy"
    assert len(topology.hosts) == 1


def test_an_override_file_alone_says_to_name_its_base(tmp_path):
    """A fragment with no base beside it (a CI variant in its own folder, as docker-zulip's
    ci/*/compose.yaml) is valid: read alone it is a note, not a refusal."""
    path = write(tmp_path / "ci" / "compose.yaml", "services:\n  web:\n    environment: {MODE: ci}\n")
    (document,) = compose.read([path])
    (note,) = document.notes
    assert "checked with the files it overrides, named together" in note.message
    assert compose.detect(path, path.read_bytes())  # a Compose name and a services fragment


def test_projects_that_share_a_name_stay_apart():
    topology, _ = lint(FIXTURES / "projects")
    assert set(topology.hosts) == {"shop-host", "shop-green-host"}
    assert set(topology.services) == {"shop/web", "shop/db", "shop-green/web", "shop-green/db"}
    assert topology.services["shop-green/web"].depends_on == ("shop-green/db",)


@needs_corpus
def test_a_compose_file_and_a_stack_file_of_one_folder_are_two_projects():
    folder = CORPUS / "example-voting-app"
    topology, _ = lint(folder / "docker-compose.yml", folder / "docker-stack.yml")
    assert "example-voting-app-host" in topology.hosts and "example-voting-app-docker-stack-node-1" in topology.hosts
    assert {"example-voting-app/db", "example-voting-app-docker-stack/db"} <= set(topology.services)


def test_extends_and_include(tmp_path):
    topology, findings = lint(FIXTURES / "extends")
    services = topology.services
    assert set(services) == {"web", "worker", "db"}  # services-common.yml is a part, not a project
    assert services["web"].depends_on == ("db",)  # DATABASE_URL from the extended service
    assert services["web"].public and not services["worker"].public  # the worker's ports are `!reset`
    write(tmp_path / "parts" / "cache.yaml", "services:\n  cache: {image: 'memcached:1.6'}\n")
    main = write(
        tmp_path / "compose.yaml",
        "include: [parts/cache.yaml]\nservices:\n  app: {image: example/app, ports: ['80:80'], depends_on: [cache]}\n",
    )
    topology, findings = lint(main)
    assert set(topology.services) == {"app", "cache"}
    cache = [f for f in findings if f.subject == "cache"]
    assert cache and all(f.path.endswith("parts/cache.yaml") for f in cache)  # findings point where it is written


# --- services: jobs, placement, data -------------------------------------------------------


def test_one_shot_jobs_are_not_services():
    topology, findings = lint(FIXTURES / "jobs.compose.yaml")
    assert set(topology.services) == {"web", "db"}
    assert topology.services["web"].depends_on == ("db",)


def test_swarm_global_services_and_spread():
    topology, _ = lint(FIXTURES / "agents.stack.yml")
    services = topology.services
    nodes = ("agents-node-1", "agents-node-2", "agents-node-3")
    assert tuple(topology.hosts) == nodes  # as many as the widest replicated service
    assert services["agent"].hosts == nodes and services["agent"].vip == "swarm"  # one task per node
    assert (services["web"].spread, services["web"].spread_strength) == ("host", "preferred")
    assert (services["api"].spread, services["api"].spread_strength) == ("host", "required")
    assert services["portainer"].depends_on == ("agent",)  # tcp://tasks.agent:9001 in its command


def test_swarm_pinned_to_one_node(tmp_path):
    path = write(
        tmp_path / "docker-stack.yml",
        "services:\n"
        "  web: {image: example/web, ports: ['80:80'], deploy: {replicas: 2}}\n"
        "  db:\n    image: 'postgres:16'\n    deploy:\n      replicas: 2\n"
        "      placement: {constraints: ['node.hostname == db-1']}\n",
    )
    topology, findings = lint(path)
    assert topology.services["db"].pool == (f"{tmp_path.name}-node-1",) and topology.services["db"].spread is None
    assert ("SVC002", "db") in judged(findings) and ("SVC007", "web") in judged(findings)


def test_a_shared_volume_is_one_data_set():
    topology, findings = lint(FIXTURES / "shared-volume.compose.yaml")
    (storage,) = topology.storage.values()
    assert (storage.id, storage.kind, storage.hosts) == ("nextcloud", "local", ("cloud-host",))
    for name in ("app", "cron"):
        assert topology.services[name].storage == ("nextcloud",) and topology.services[name].state == "stateless"
    assert topology.services["web"].storage == ()  # it mounts the volume read-only
    assert [f.subject for f in findings if f.rule == "STATE005"] == ["nextcloud"]


def test_data_the_reader_cannot_see():
    topology, findings = lint(FIXTURES / "remote-data.compose.yaml")
    library = topology.storage["library"]
    assert (library.kind, library.hosts) == ("nfs", ())
    assert topology.services["wiki"].storage == ("library",)
    assert "library" in topology.services["jellyfin"].depends_on  # read-only, but it needs the share
    assert topology.services["jellyfin"].state == "stateful"  # its own /config stays on the host


def test_twins_behind_one_proxy_are_one_application(tmp_path):
    path = write(
        tmp_path / "compose.yaml",
        "services:\n"
        "  web1: {build: ./web, ports: ['81:5000']}\n"
        "  web2: {build: ./web, ports: ['82:5000']}\n"
        "  admin: {build: ./admin}\n"
        "  nginx: {build: ./nginx, ports: ['80:80'], depends_on: [web1, web2, admin]}\n",
    )
    topology, findings = lint(path)
    assert set(topology.services) == {"web1", "admin", "nginx"}
    assert topology.services["web1"].replicas == 2 and topology.services["web1"].load_balancer == "nginx"
    assert ("SVC001", "web1") not in judged(findings) and ("SVC001", "admin") in judged(findings)


def test_user_facing_comes_from_exposure(tmp_path):
    path = write(
        tmp_path / "compose.yaml",
        "services:\n"
        "  web: {image: example/web, ports: ['80:80'], depends_on: [db]}\n"
        "  worker: {image: example/worker, environment: {DB_HOST: db}}\n"
        "  db: {image: 'postgres:16'}\n"
        "  routed: {image: example/blog, labels: [traefik.enable=true]}\n",
    )
    topology, findings = lint(path)
    public = {s.id for s in topology.services.values() if s.public}
    assert public == {"web", "routed"}  # the worker publishes nothing and says what it needs
    write(tmp_path / "compose.yaml", "services:\n  a: {image: example/a}\n  b: {image: example/b}\n")
    topology, findings = lint(path)
    assert all(s.public for s in topology.services.values())  # nothing exposed: the native default
    assert any("no service publishes a port" in f.message for f in findings if f.rule == "MODEL001")


def test_unresolved_backend_addresses_are_noted(tmp_path):
    path = write(
        tmp_path / "compose.yaml",
        "services:\n  app:\n    image: example/app\n    ports: ['80:80']\n    environment:\n"
        "      DATABASE_URL: postgres://u:p@db.internal.example:5432/app\n"
        "      KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://kafka.example:9092\n"
        "      REDIS_URL: redis://localhost:6379\n"
        "      PUBLIC_URL: https://app.example.com\n"
        "      CACHE_HOST: ${CACHE_HOST}\n",
    )
    _, findings = lint(path)
    (note,) = [f for f in findings if f.rule == "MODEL001" and "no service of this project" in f.message]
    assert "DATABASE_URL (db.internal.example)" in note.message
    assert "kafka.example" not in note.message and "localhost" not in note.message


# --- reading and errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["- a\n- b\n", "services: {a: {image: x}}\n---\nb: 1\n", "services:\n  a: {image: !custom x}\n"],
)
def test_errors_speak_of_compose_not_of_topologies(tmp_path, text):
    path = write(tmp_path / "compose.yaml", text)
    with pytest.raises(InputError) as error:
        compose.read([path])
    assert "version: 1" not in error.value.message and "topology" not in error.value.message


# --- at scale: one parse, no cycles, tags resolved only where written -------------------------


@pytest.mark.parametrize("path", fixture_inputs(FIXTURES), ids=lambda p: p.name)
def test_reading_makes_no_reference_cycles(path):
    """The reader runs with the collector paused (`nogc.pausing`): what it builds, and
    what it throws away, must be freed by reference counting alone."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        documents = compose.read([path])
        assert documents
        del documents
        assert gc.collect() == 0
    finally:
        if enabled:
            gc.enable()


def test_a_check_parses_the_compose_file_once_however_often_its_format_is_asked(tmp_path, monkeypatch):
    """Detection's parse is the reader's, and asking again which format the file is in
    (the fixes ask: a fix is worded for native files only) does not parse it again."""
    import importlib

    from spoflint.load import documents

    discover = importlib.import_module("spoflint.load.discover")  # `spoflint.load.discover` is also a function
    parses, asked = [], []
    parsed, sniff = documents._parsed, discover.sniff_format
    monkeypatch.setattr(documents, "_parsed", lambda data, *a, **k: parses.append(1) or parsed(data, *a, **k))
    monkeypatch.setattr(discover, "sniff_format", lambda *a: asked.append(1) or sniff(*a))
    path = write(
        tmp_path / "compose.yaml",
        "services:\n  web: {image: 'nginx:1', ports: ['80:80'], depends_on: [db]}\n"
        "  db: {image: 'postgres:16', volumes: ['data:/var/lib/postgresql/data']}\nvolumes: {data: {}}\n",
    )
    result = invoke("check", "--isolated", "--format", "json", path)
    assert result.exit_code == 1 and '"SPOF001"' in result.stdout, result.output
    assert asked and len(parses) == 1  # asked again by the fixes (detection asks through `load`)


def test_tags_are_resolved_only_in_projects_whose_files_have_them(tmp_path, monkeypatch):
    from spoflint.importers import _compose_merge

    plain = write(tmp_path / "plain" / "compose.yaml", "services:\n  app: {image: 'example/app:1'}\n")
    tagged = write(
        tmp_path / "tagged" / "compose.yaml", "services:\n  app:\n    image: example/app:1\n    ports: !reset []\n"
    )
    resolved = []
    real = _compose_files.resolve_tags
    monkeypatch.setattr(_compose_files, "resolve_tags", lambda node: resolved.append(node) or real(node))
    assert not _group(plain).sources[0].tagged and not resolved
    project = _group(tagged)
    assert project.sources[0].tagged and len(resolved) == 1
    assert "ports" not in project.document["services"]["app"]
    assert _compose_merge.Tagged not in {type(v) for v in project.document["services"]["app"].values()}
