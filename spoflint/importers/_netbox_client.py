"""Reading a NetBox server's REST API (4.x): every object of the endpoints the NetBox
reader needs, a page of 1000 at a time, into a `Snapshot` of the raw JSON."""

from __future__ import annotations

import http.client
import json
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError

Record = dict[str, Any]

# attribute of Snapshot -> API path under /api/
ENDPOINTS: dict[str, str] = {
    "sites": "dcim/sites/",
    "locations": "dcim/locations/",
    "racks": "dcim/racks/",
    "device_roles": "dcim/device-roles/",
    "devices": "dcim/devices/",
    "virtual_chassis": "dcim/virtual-chassis/",
    "interfaces": "dcim/interfaces/",
    "front_ports": "dcim/front-ports/",
    "rear_ports": "dcim/rear-ports/",
    "cables": "dcim/cables/",
    "power_panels": "dcim/power-panels/",
    "power_feeds": "dcim/power-feeds/",
    "power_ports": "dcim/power-ports/",
    "power_outlets": "dcim/power-outlets/",
    "clusters": "virtualization/clusters/",
    "virtual_machines": "virtualization/virtual-machines/",
    "circuits": "circuits/circuits/",
    "circuit_terminations": "circuits/circuit-terminations/",
}

# The components come by the thousand (a large site has 100,000 interfaces): NetBox's
# full representation of one costs five times its time to serialise, mostly in fields
# the reader never reads, so only these are asked for (`?fields=`, NetBox 4.0 and later).
_PORT = "id,name,label,device,module,type,cable,cable_end,mark_connected,link_peers,link_peers_type"
FIELDS: dict[str, str] = {
    "interfaces": f"{_PORT},enabled,mgmt_only,lag,virtual_chassis,connected_endpoints_type",
    "front_ports": f"{_PORT},positions,rear_ports",
    "rear_ports": f"{_PORT},positions",
    "power_ports": f"{_PORT},connected_endpoints,connected_endpoints_type",
    "power_outlets": f"{_PORT},power_port,feed_leg,status,connected_endpoints,connected_endpoints_type",
}


@dataclass
class Snapshot:
    """Everything read from one NetBox: per endpoint, its objects as the API returns
    them (full representations, nested objects brief; the components with the `FIELDS`
    only), in id order."""

    base: str = ""  # the server's address, no trailing slash: web URLs are f"{base}/dcim/devices/{id}/"
    version: str = ""  # NetBox's version, from /api/status/
    sites: list[Record] = field(default_factory=list)
    locations: list[Record] = field(default_factory=list)
    racks: list[Record] = field(default_factory=list)
    device_roles: list[Record] = field(default_factory=list)
    devices: list[Record] = field(default_factory=list)
    virtual_chassis: list[Record] = field(default_factory=list)
    interfaces: list[Record] = field(default_factory=list)
    front_ports: list[Record] = field(default_factory=list)
    rear_ports: list[Record] = field(default_factory=list)
    cables: list[Record] = field(default_factory=list)
    power_panels: list[Record] = field(default_factory=list)
    power_feeds: list[Record] = field(default_factory=list)
    power_ports: list[Record] = field(default_factory=list)
    power_outlets: list[Record] = field(default_factory=list)
    clusters: list[Record] = field(default_factory=list)
    virtual_machines: list[Record] = field(default_factory=list)
    circuits: list[Record] = field(default_factory=list)
    circuit_terminations: list[Record] = field(default_factory=list)

    def web(self, path: str) -> str:
        """The web address of an object (`dcim/devices/12/`)."""
        return f"{self.base}/{path}"


Progress = Callable[[str], None]

PAGE_SIZE = 1000  # NetBox's default MAX_PAGE_SIZE: a larger `limit` is cut to it anyway
TIMEOUT = 60.0  # seconds a request may take to answer (a page of 1000 interfaces takes a few)
RETRIES = 3  # further attempts after a connection error, a 429 or a 5xx answer
BACKOFF = 0.5  # seconds before the first retry, doubled each time
WORKERS = 4  # endpoints read at once
OLDEST = (4, 0)  # the first NetBox version whose API this client reads


class _SameServer(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only within the server asked: the token never goes elsewhere
    (urllib would send the Authorization header to any host a redirect names)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        here, there = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(newurl)
        if (here.scheme, here.netloc) != (there.scheme, there.netloc):
            return None  # urllib then raises the redirect as an HTTPError, said by _refused
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Client:
    """GET requests to one NetBox's REST API: authenticated, retried, errors said in one
    line naming the server (never the token)."""

    def __init__(
        self,
        url: str,
        token: str | None,
        verify_tls: bool = True,
        timeout: float = TIMEOUT,
        token_env: str = "NETBOX_TOKEN",
    ):
        self.base = base_url(url)
        self.token_env = token_env
        self.timeout = timeout
        self._token = token or ""
        self._context = ssl.create_default_context()
        if not verify_tls:
            self._context.check_hostname = False
            self._context.verify_mode = ssl.CERT_NONE
        self._open = urllib.request.build_opener(_SameServer(), urllib.request.HTTPSHandler(context=self._context)).open

    def __repr__(self) -> str:  # never the token
        return f"Client({self.base!r})"

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": "spoflint"}
        if self._token:
            scheme = "Bearer" if self._token.startswith("nbt_") else "Token"  # v2 tokens: nbt_<key>.<secret>
            headers["Authorization"] = f"{scheme} {self._token}"
        return headers

    def get(self, path: str, query: Sequence[tuple[str, str]] = ()) -> Any:
        """The JSON of GET /api/<path>?<query> (or of a full URL under the server)."""
        url = path if path.startswith(self.base) else f"{self.base}/api/{path}"
        if query:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(list(query))
        request = urllib.request.Request(url, headers=self._headers())
        for attempt in range(RETRIES + 1):
            last = attempt == RETRIES
            try:
                with self._open(request, timeout=self.timeout) as answer:
                    body = answer.read()
            except urllib.error.HTTPError as error:
                if (error.code == 429 or error.code >= 500) and not last:
                    _sleep(attempt, error.headers.get("Retry-After"))
                    continue
                raise self._refused(path, error) from None
            except (urllib.error.URLError, OSError, http.client.HTTPException) as error:  # refused, reset, cut short
                reason = getattr(error, "reason", error)
                if isinstance(reason, ssl.SSLError):
                    raise self.error(
                        f"TLS failed ({_said(reason)}); set `verify-tls: false` under `netbox:` in the config for a self-signed certificate"
                    ) from None
                if not last:
                    _sleep(attempt)
                    continue
                raise self.error(f"cannot reach the server ({_said(reason)}); check the URL") from None
            try:
                return json.loads(body)
            except ValueError:
                raise self.error(
                    f"/api/{path.removeprefix(self.base + '/api/')} did not answer JSON: not a NetBox API"
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def error(self, message: str) -> UsageError:
        """A one-line error about this server; the token, should a message quote it, is hidden."""
        text = f"NetBox at {self.base}: {message}"
        if self._token:
            text = text.replace(self._token, "***")
        return UsageError(text)

    def _refused(self, path: str, error: urllib.error.HTTPError) -> UsageError:
        shown = "/api/" + path.removeprefix(self.base + "/api/").split("?")[0]
        detail = _detail(error)
        if error.code in (401, 403):
            if path == "status/":
                what = (
                    f"no token (set {self.token_env})"
                    if not self._token
                    else f"the token ({self.token_env}) is wrong or expired"
                )
                return self.error(f"{what}: {shown} answered {error.code}{detail}")
            return self.error(f"the token may not read {shown} ({error.code}{detail}): give its user view permission")
        if 300 <= error.code < 400:
            there = urllib.parse.urlsplit(error.headers.get("Location") or "")
            return self.error(
                f"{shown} answered {error.code}, a redirect to another server ({there.scheme}://{there.netloc}): "
                "the token is not sent there; give that address instead"
            )
        if error.code == 404:
            return self.error(f"{shown} answered 404: not a NetBox 4 API at this URL")
        return self.error(f"{shown} answered {error.code} {error.reason}{detail}")

    def check_version(self) -> str:
        """NetBox's version (`netbox-version` of /api/status/); an error if not NetBox 4 or later."""
        status = self.get("status/")
        version = status.get("netbox-version") if isinstance(status, dict) else None
        if not isinstance(version, str):
            raise self.error("/api/status/ has no netbox-version: not a NetBox API at this URL")
        numbers = tuple(int(n) for n in re.findall(r"\d+", version)[:2])
        if numbers < OLDEST:
            raise self.error(f"version {version} is not supported: spoflint reads NetBox 4.0 or later")
        return version

    def all(
        self,
        path: str,
        query: Sequence[tuple[str, str]] = (),
        page_size: int = PAGE_SIZE,
        progress: Progress | None = None,
    ) -> list[Record]:
        """Every object of a list endpoint: pages of `page_size`, following `next`."""
        out: list[Record] = []
        page = self.get(path, [*query, ("limit", str(page_size)), ("offset", "0")])
        while True:
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise self.error(f"/api/{path} did not answer a list of objects: not a NetBox API")
            out.extend(page["results"])
            if progress:
                progress(f"reading NetBox: {path.rstrip('/')} {len(out)}/{page.get('count', len(out))}")
            following = page.get("next")
            if not following:
                return out
            page = self.get(self._under(following))

    def _under(self, link: str) -> str:
        """A `next` link taken under our own address (a proxy may give NetBox another)."""
        parts = urllib.parse.urlsplit(link)
        api = parts.path.find("/api/")
        return f"{self.base}{parts.path[api:]}" + (f"?{parts.query}" if parts.query else "")


def base_url(url: str) -> str:
    """The server's address as given, without `/api` or a trailing slash."""
    url = url.strip().rstrip("/")
    if url.endswith("/api"):
        url = url[: -len("/api")]
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # a malformed IPv6 address
        raise UsageError(f"--netbox {url}: not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"--netbox {url}: not an http:// or https:// URL")
    return url


def _sleep(attempt: int, retry_after: str | None = None) -> None:
    wait = BACKOFF * 2**attempt
    if retry_after and retry_after.isdigit():
        wait = max(wait, min(float(retry_after), 30.0))
    time.sleep(wait)


def _said(reason: object) -> str:
    return " ".join(str(getattr(reason, "strerror", None) or reason).split())[:160]


def _detail(error: urllib.error.HTTPError) -> str:
    """NetBox's own `detail` of an error answer, if it gives one."""
    try:
        said = json.loads(error.read())
    except (ValueError, OSError):
        return ""
    if isinstance(said, dict) and "detail" in said:
        detail = said["detail"]
    elif isinstance(said, dict) and said:  # a filter's complaint: {"site": ["Select a valid choice. ..."]}
        key, value = next(iter(said.items()))
        detail = f"{key}: {' '.join(map(str, value)) if isinstance(value, list) else value}"
    else:
        return ""
    return f": {' '.join(str(detail).split())[:160]}"


def fetch(
    url: str,
    token: str | None,
    *,
    token_env: str = "NETBOX_TOKEN",
    verify_tls: bool = True,
    sites: Sequence[str] = (),
    tags: Sequence[str] = (),
    page_size: int = PAGE_SIZE,
    progress: Progress | None = None,
) -> Snapshot:
    """Everything the reader needs from one NetBox; `sites` (slugs) limit every endpoint
    to those sites, `tags` (slugs) limit devices and virtual machines to those that carry
    one of them (their components, to theirs)."""
    client = Client(url, token, verify_tls, token_env=token_env)
    snapshot = Snapshot(base=client.base, version=client.check_version())

    def read(name: str) -> list[Record]:
        return client.all(ENDPOINTS[name], _scope(name, sites, tags), page_size, progress)

    # a few endpoints at a time (the server answers each page in a worker of its own);
    # map gives the results in order, and the first error raised
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for name, records in zip(ENDPOINTS, pool.map(read, ENDPOINTS), strict=True):
            setattr(snapshot, name, records)
    if tags:
        _only_tagged(snapshot)
    return snapshot


# the endpoints that hold no site's objects, and those whose objects a tag selects
_GLOBAL = {"device_roles"}
_TAGGED = {"devices", "virtual_machines"}
# the components of a device: kept, under `tags`, when their device is
_COMPONENTS = ("interfaces", "front_ports", "rear_ports", "power_ports", "power_outlets")


def _scope(name: str, sites: Sequence[str], tags: Sequence[str]) -> list[tuple[str, str]]:
    """The query of an endpoint: its fields, and the sites and tags asked for."""
    query: list[tuple[str, str]] = [("fields", FIELDS[name])] if name in FIELDS else []
    if sites and name not in _GLOBAL:
        query += [("slug" if name == "sites" else "site", slug) for slug in sites]
    if tags and name in _TAGGED:
        query += [("tag", slug) for slug in tags]
    return query


def _only_tagged(snapshot: Snapshot) -> None:
    """Under `tags`: the components of the devices read, not of the others."""
    kept = {d["id"] for d in snapshot.devices}
    for name in _COMPONENTS:
        records = getattr(snapshot, name)
        setattr(snapshot, name, [r for r in records if (r.get("device") or {}).get("id") in kept])
