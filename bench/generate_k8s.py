"""Write a synthetic set of Kubernetes manifests (or one Compose project) of N
Deployments, for benchmarking the readers.

    python bench/generate_k8s.py 5000 -o /tmp/k8s-5000 [--seed 1] [--per-file 10]
    python bench/generate_k8s.py 2000 -o /tmp/compose-2000 --format compose [--seed 1]

Kubernetes (`-o` is a folder, created; it holds `app-0000.yaml` ...): the Deployments
come in applications of `--per-file` (default 10) microservices, one multi-document file
per application in its own namespace, modelled on Online Boutique and Sock Shop: each
Deployment has a Service of the same name (`app: <name>` labels, a matchLabels
selector), a realistic container (image, ports, probes, resources, an environment
naming two or three of its application's other Services by `host:port` or URL); the
first microservice of an application is its frontend, behind a LoadBalancer Service and
an Ingress. One application in five adds a PostgreSQL StatefulSet (three replicas,
a headless Service, a volumeClaimTemplate) that its services address, and a
PodDisruptionBudget (a matchExpressions selector) over its frontend; one in ten a
HorizontalPodAutoscaler. Replica counts are 1 to 4. Everything is deterministic by
`--seed`.

Compose (`-o` is a folder, created; it holds `compose.yaml`): N services, each with an
image, ports, an environment naming earlier services, `depends_on` on one or two of
them, and one database with a named volume per 20 services.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

IMAGES = ("ghcr.io/shop/{name}:v1.4.2", "registry.example.com/{name}:2.1", "docker.io/acme/{name}:latest")
WORDS = ("cart", "catalog", "checkout", "currency", "email", "payment", "shipping", "ads", "user", "orders")


def _deployment(app: str, name: str, rng: random.Random, peers: list[str], db: str | None) -> str:
    replicas = rng.randint(1, 4)
    image = rng.choice(IMAGES).format(name=name)
    port = rng.choice((8080, 3550, 7000, 50051, 9555))
    env = [("PORT", str(port))]
    for peer in rng.sample(peers, min(len(peers), rng.randint(2, 3))):
        key = f"{peer.split('-')[-2].upper()}_{peer.split('-')[-1].upper()}_ADDR"
        env.append((key, f"{peer}:8080" if rng.random() < 0.7 else f"http://{peer}.{app}.svc.cluster.local:8080"))
    if db:
        env.append(("DATABASE_URL", f"postgres://{db}:5432/{name.replace('-', '_')}"))
    env_text = "".join(f'            - name: {k}\n              value: "{v}"\n' for k, v in env)
    return f"""---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {app}
  labels:
    app: {name}
    app.kubernetes.io/part-of: {app}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
        app.kubernetes.io/part-of: {app}
        tier: {"frontend" if not peers or name.endswith("-frontend") else "backend"}
      annotations:
        sidecar.istio.io/rewriteAppHTTPProbers: "true"
    spec:
      serviceAccountName: {name}
      securityContext:
        fsGroup: 1000
        runAsNonRoot: true
        runAsUser: 1000
      terminationGracePeriodSeconds: 5
      containers:
        - name: server
          image: {image}
          ports:
            - containerPort: {port}
          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
            readOnlyRootFilesystem: true
          readinessProbe:
            periodSeconds: 5
            httpGet:
              path: /_healthz
              port: {port}
          livenessProbe:
            initialDelaySeconds: 10
            grpc:
              port: {port}
          env:
{env_text}          resources:
            requests:
              cpu: 100m
              memory: 64Mi
            limits:
              cpu: 200m
              memory: 128Mi
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {app}
  labels:
    app: {name}
spec:
  type: {"LoadBalancer" if name.endswith("-frontend") else "ClusterIP"}
  selector:
    app: {name}
  ports:
    - name: http
      port: 8080
      targetPort: {port}
"""


def _database(app: str, db: str) -> str:
    return f"""---
apiVersion: v1
kind: Service
metadata:
  name: {db}
  namespace: {app}
spec:
  clusterIP: None
  selector:
    app: {db}
  ports:
    - port: 5432
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {db}
  namespace: {app}
spec:
  serviceName: {db}
  replicas: 3
  selector:
    matchLabels:
      app: {db}
  template:
    metadata:
      labels:
        app: {db}
    spec:
      containers:
        - name: postgres
          image: postgres:16.2
          ports:
            - containerPort: 5432
          volumeMounts:
            - name: data
              mountPath: /var/lib/postgresql/data
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        storageClassName: standard-rwo
        resources:
          requests:
            storage: 10Gi
"""


def _extras(app: str, frontend: str, budget: bool, autoscaler: bool) -> str:
    out = f"""---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {app}
  namespace: {app}
spec:
  rules:
    - host: {app}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {frontend}
                port:
                  number: 8080
"""
    if budget:
        out += f"""---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {frontend}
  namespace: {app}
spec:
  minAvailable: 1
  selector:
    matchExpressions:
      - key: app
        operator: In
        values: [{frontend}]
      - key: tier
        operator: Exists
"""
    if autoscaler:
        out += f"""---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {frontend}
  namespace: {app}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {frontend}
  minReplicas: 2
  maxReplicas: 10
"""
    return out


def kubernetes(count: int, seed: int = 1, per_file: int = 10) -> dict[str, str]:
    """File name -> text: `count` Deployments in applications of `per_file`."""
    rng = random.Random(seed)
    files: dict[str, str] = {}
    apps = (count + per_file - 1) // per_file
    for a in range(apps):
        app = f"shop-{a:04d}"
        size = min(per_file, count - a * per_file)
        names = [f"{app}-frontend"] + [f"{app}-{WORDS[i % len(WORDS)]}-{i}" for i in range(1, size)]
        db = f"{app}-db" if a % 5 == 0 else None
        parts = [f"# application {app}: {size} microservices\n"]
        for i, name in enumerate(names):
            peers = names[i + 1 :] or names[1:i]  # the frontend calls the backends; a backend its later peers
            parts.append(_deployment(app, name, rng, [p for p in peers if p != name], db if i else None))
        if db:
            parts.append(_database(app, db))
        parts.append(_extras(app, names[0], budget=db is not None, autoscaler=a % 10 == 3))
        files[f"app-{a:04d}.yaml"] = "".join(parts)
    return files


def compose(count: int, seed: int = 1) -> dict[str, str]:
    """One Compose project of `count` services (and a database per 20)."""
    rng = random.Random(seed)
    out = ["name: synthetic\nservices:\n"]
    volumes = []
    for i in range(count):
        name = f"svc-{i:05d}"
        if i % 20 == 0:
            volume = f"data-{i:05d}"
            volumes.append(volume)
            out.append(
                f"  {name}:\n    image: postgres:16.2\n    environment:\n      POSTGRES_PASSWORD: example\n"
                f"    volumes:\n      - {volume}:/var/lib/postgresql/data\n"
            )
            continue
        earlier = [f"svc-{j:05d}" for j in rng.sample(range(max(0, i - 40), i), min(i, 2))]
        env = "".join(f"      {e.upper().replace('-', '_')}_ADDR: {e}:8080\n" for e in earlier)
        depends = "".join(f"      - {e}\n" for e in earlier)
        out.append(
            f"  {name}:\n    image: {rng.choice(IMAGES).format(name=name)}\n"
            f"    restart: unless-stopped\n    deploy:\n      replicas: {rng.randint(1, 3)}\n"
            + ('    ports:\n      - "8080"\n' if i % 50 == 1 else "")
            + (f"    environment:\n{env}" if env else "")
            + (f"    depends_on:\n{depends}" if depends else "")
        )
    out.append("volumes:\n" + "".join(f"  {v}: {{}}\n" for v in volumes))
    return {"compose.yaml": "".join(out)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="how many Deployments (Compose: services)")
    parser.add_argument("-o", "--output", required=True, help="the folder to write (created)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-file", type=int, default=10, help="Deployments per file (Kubernetes)")
    parser.add_argument("--format", choices=("kubernetes", "compose"), default="kubernetes")
    args = parser.parse_args(argv)
    if args.count < 1 or args.per_file < 2:
        parser.error("count must be at least 1 and --per-file at least 2")
    files = (
        kubernetes(args.count, args.seed, args.per_file)
        if args.format == "kubernetes"
        else compose(args.count, args.seed)
    )
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    print(f"{len(files)} files in {folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
