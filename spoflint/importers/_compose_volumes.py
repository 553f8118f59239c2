"""Where a Compose service keeps data: each entry of its `volumes` (short or long form,
and those it takes with `volumes_from`) told apart as data or not, and whether that data
lives on the Docker host or somewhere the file does not describe.

- **Not data**: `tmpfs`; read-only mounts; a single file (`./nginx.conf:/etc/nginx/
  nginx.conf`); system paths (`/var/run/docker.sock`, `/etc/localtime`, `/proc`, ...);
  anything mounted under `/etc` or `/usr`; caches: a target such as `node_modules`,
  `.cache`, `vendor`, `/tmp`, `/var/cache`, or a volume named as a cache (`model-cache`).
- **Data on the host**: a named or anonymous volume of the `local` driver; a writable
  bind mount of user data: its path names data (`uploads`, `media`, `data`, `storage`,
  `pgdata`, ...) or sits where software keeps it (`/var/lib/...`, `/data`), or it is
  mounted into a published application's image, where a writable host folder is that
  application's data; not into an image being built (`build`), a language runtime
  (`node`, `python`, `php`, ...) or software of a known kind, nor a folder named as code
  or scripts or configuration (`./src`, `.`, `./healthchecks`, `./data/conf/x`: the last
  part of a path counts).
- **Data elsewhere**: a volume whose driver options mount an NFS or CIFS share (one
  storage box the file does not describe), or whose driver is not `local`; an
  `external: true` volume is created outside the project: assumed on the host, and said.

A data set is a named volume or a host folder: several services that mount the same one
share one data set.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..load import MarkedList, MarkedMap
from ._containers import element_id, free_id, image_name, interpolated, kind_of_image
from ._native import Native, Position, put, sequence

_SYSTEM = ("/var/run", "/run", "/proc", "/sys", "/dev", "/etc", "/usr", "/lib/modules", "/var/lib/docker", "/tmp")
_CACHE_WORDS = frozenset(
    (
        "node_modules",
        ".cache",
        "cache",
        "caches",
        "vendor",
        ".npm",
        ".yarn",
        ".pnpm-store",
        ".gradle",
        ".m2",
        "__pycache__",
        ".venv",
        "venv",
        ".next",
        "tmp",
        "temp",
    )
)
_DATA_WORDS = frozenset(
    (
        "data",
        "upload",
        "uploads",
        "media",
        "storage",
        "files",
        "attachments",
        "photos",
        "pictures",
        "library",
        "userdata",
        "db",
        "database",
        "pgdata",
        "mysql",
        "mariadb",
        "postgres",
        "postgresql",
        "mongo",
        "mongodb",
        "redis",
        "backup",
        "backups",
        "state",
        "persistent",
        "repositories",
    )
)
# where source code is mounted to be developed on, and the images that run it
_CODE_WORDS = frozenset(
    (
        *("src", "source", "app", "code", "workspace", "project", "scripts", "lib", "static", "templates"),
        *("healthchecks", "healthcheck", "init", "initdb", "docker-entrypoint-initdb.d", "certs", "ssl", "plugins"),
        *("conf", "conf.d", "hooks", "assets", "themes", "web", "public", "frontend", "backend"),
        *("crons", "functions", "snippets", "dynmaps", "custom", "well-known", "acme-challenge"),
    )
)
_RUNTIMES = frozenset(
    (
        "node",
        "python",
        "php",
        "golang",
        "ruby",
        "openjdk",
        "eclipse-temurin",
        "maven",
        "gradle",
        "rust",
        "alpine",
        "ubuntu",
        "debian",
        "busybox",
        "bash",
        "deno",
        "bun",
        "dotnet",
        "sdk",
        "elixir",
        "perl",
    )
)
_DATA_DIRS = re.compile(r"^(/var/lib/|/data(/|$)|/var/opt/|/bitnami/)")
_DATA_FILES = (".db", ".sqlite", ".sqlite3", ".rdb", ".aof")
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Mount:
    """One entry of a service's `volumes`."""

    type: str  # volume, bind, tmpfs, npipe, image, cluster
    source: str | None  # a volume's name or a host path as written; None: anonymous
    target: str
    readonly: bool
    at: Position


@dataclass(frozen=True)
class Data:
    """Data a service keeps: `where` is `host` (on the Docker host), `share` (an NFS or
    CIFS share), `driver` (a volume driver that is not local) or `external` (a volume made
    outside the project); `key` names the data set (services with the same key share it)."""

    key: str
    name: str
    where: str
    at: Position
    detail: str = ""


def mounts(service: MarkedMap) -> list[Mount]:
    """The entries of a service's `volumes`, in order."""
    volumes = service.get("volumes")
    if not isinstance(volumes, MarkedList):
        return []
    out = []
    for index, volume in enumerate(volumes):
        mount = _mount(volume, volumes.item_at(index))
        if mount is not None:
            out.append(mount)
    return out


def _mount(volume: object, at: Position) -> Mount | None:
    if isinstance(volume, str):
        parts = volume.split(":")
        if len(parts) > 2 and re.match(r"^[A-Za-z]$", parts[0]) and parts[1][:1] in ("\\", "/"):
            parts = [f"{parts[0]}:{parts[1]}", *parts[2:]]  # a Windows path: C:\data:/data
        if len(parts) == 1:
            return Mount("volume", None, parts[0], False, at)
        source, target = parts[0], parts[1]
        mode = parts[2] if len(parts) > 2 else ""
        bind = source.startswith((".", "/", "~", "$")) or "/" in source or "\\" in source
        return Mount("bind" if bind else "volume", source, target, "ro" in mode.split(","), at)
    if isinstance(volume, dict) and isinstance(volume.get("target"), str):
        kind = str(volume.get("type", "volume"))
        named = volume.get("source")
        return Mount(
            kind,
            named if isinstance(named, str) and named else None,
            volume["target"],
            volume.get("read_only") is True,
            at,
        )
    return None


def data_of(service: MarkedMap, name: str, volumes: object) -> list[Data]:
    """The data sets a service keeps (`volumes` is the file's top-level `volumes:`)."""
    image = image_name(service.get("image"))
    built = "build" in service or image in _RUNTIMES or kind_of_image(service.get("image")) is not None
    out = []
    for mount in mounts(service):
        data = _data(mount, name, built, volumes if isinstance(volumes, dict) else {})
        if data is not None:
            out.append(data)
    return out


def _data(mount: Mount, service: str, built: bool, volumes: dict) -> Data | None:
    """What one mount keeps, or None when it keeps no data. A share is kept even when
    mounted read-only: the service needs it either way."""
    share = _share(mount, volumes)
    if share is not None:
        return share
    if mount.type not in ("volume", "bind") or mount.readonly or _cache(mount.target) or _system(mount.target):
        return None
    if mount.type == "bind":
        return _bind(mount, built)
    if mount.source is None:
        return Data(f"anonymous:{service}:{mount.target}", f"{service}:{mount.target}", "host", mount.at)
    if _cache(mount.source):
        return None
    found = volumes.get(mount.source)
    spec: dict = found if isinstance(found, dict) else {}
    name = f"volume {mount.source}"
    key = f"volume:{mount.source}"
    driver = spec.get("driver")
    if isinstance(driver, str) and driver not in ("local", "local-persist"):
        return Data(key, name, "driver", mount.at, f"volume driver {driver}")
    if spec.get("external") is True or isinstance(spec.get("external"), dict):
        return Data(key, name, "external", mount.at)
    return Data(key, name, "host", mount.at)


def _share(mount: Mount, volumes: dict) -> Data | None:
    """A named volume whose driver options mount an NFS, CIFS or SMB share."""
    if mount.type != "volume" or mount.source is None:
        return None
    found = volumes.get(mount.source)
    opts = found.get("driver_opts") if isinstance(found, dict) else None
    options: dict = opts if isinstance(opts, dict) else {}
    share = str(options.get("type", "")).lower()
    if not share.startswith(("nfs", "cifs", "smb")):
        return None
    address = re.search(r"addr=([^,]+)", str(options.get("o", "")))
    server = f" on {address.group(1)}" if address else ""
    kind = "an NFS" if share.startswith("nfs") else f"a {share.upper()}"
    detail = f"{kind} share{server} ({options.get('device', '?')})"
    return Data(f"volume:{mount.source}", f"volume {mount.source}", "share", mount.at, detail)


def _bind(mount: Mount, built: bool) -> Data | None:
    source = mount.source or ""
    if _system(source) or source.endswith(".sock"):
        return None
    target = PurePosixPath(mount.target)
    if target.suffix and target.suffix.lower() not in _DATA_FILES:
        return None  # one file: a configuration file
    words = _words(source) | _words(mount.target)
    if words & _CODE_WORDS or source.rstrip("/") in (".", "..", ""):
        return None  # source code, scripts or configuration
    data = words & _DATA_WORDS or _DATA_DIRS.match(mount.target) or "public/system" in mount.target
    if not data and built:
        return None  # a folder mounted into an image being developed
    return Data(f"bind:{source}", f"folder {source}", "host", mount.at)


def _words(path: str) -> set[str]:
    """The words of a path's last part and of the variables in it (`./data/conf/unbound`
    -> unbound; `${DB_DATA_LOCATION}` -> db, data, location; `./pg-data` -> pg-data, pg,
    data)."""
    words = {w.lower() for name in _VARIABLE.findall(path) for w in name.split("_")}
    parts = [p for p in interpolated(path).lower().replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if parts:
        words.add(parts[-1])
        words.update(re.split(r"[-_.]", parts[-1]))
    return words


def _cache(path: str) -> bool:
    """Whether a target or a volume name is a cache or scratch space."""
    lowered = path.lower()
    if lowered.startswith(("/tmp", "/var/tmp", "/var/cache", "/root/.cache")):
        return True
    parts = [p for p in re.split(r"[/]", lowered) if p]
    last = parts[-1] if parts else lowered
    return last in _CACHE_WORDS or any(w in ("cache", "caches", "tmp") for w in re.split(r"[-_.]", last))


def _system(path: str) -> bool:
    """Whether a path is the system's, not data (a socket, a device, configuration)."""
    return any(path == p or path.startswith(p + "/") for p in _SYSTEM)


def stores(
    data: dict[str, list[Data]], hosts: list[str], taken: set[str], native: Callable[[str], Native]
) -> dict[str, str]:
    """Declare the storage elements of the data sets that are one, and return their ids
    by data set: a volume or folder several services share, on the one host they run
    on (kind `local`), and NFS/CIFS shares (kind `nfs`, no hosts: one box, and a note).
    `native(service)` is the document the first service that mounts it is written in."""
    users: dict[str, list[str]] = {}
    first: dict[str, tuple[str, Data]] = {}
    for name, sets in data.items():
        for d in sets:
            if name not in users.setdefault(d.key, []):
                users[d.key].append(name)
            first.setdefault(d.key, (name, d))
    out: dict[str, str] = {}
    for key, names in users.items():
        name, d = first[key]
        shared = d.where in ("host", "external") and len(names) > 1 and len(hosts) == 1
        if d.where != "share" and not shared:
            continue
        label = d.name.split(" ", 1)[1].removeprefix("./").strip("/")
        sid = free_id(element_id(label) or "data", taken)
        taken.add(sid)
        out[key] = sid
        document = native(name)
        node = document.element("storage", sid, d.at)
        if d.where == "share":
            put(node, "kind", "nfs", d.at)
            document.note(
                d.at,
                "share",
                f"{d.name} is {d.detail}: the server behind it is not described, so it counts as one "
                "box that fails as a whole (describe its hosts and replicas in an overlay)",
                subject=sid,
                unless="hosts",
            )
        else:
            put(node, "kind", "local", d.at)
            put(node, "hosts", sequence(document.path, [(hosts[0], d.at)], d.at), d.at)
            put(node, "description", f"{d.name}, shared by {', '.join(names)}", d.at)
    return out
