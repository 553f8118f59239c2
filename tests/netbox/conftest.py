"""One real NetBox server for the whole test session.

`.ci/netbox start` (run by `.ci/run`) starts NetBox with the public demo data and writes
its URL and an API token to `$SPOFLINT_NETBOX_HOME/server.env` (default
`~/.cache/spoflint-netbox`); `NETBOX_URL` and `NETBOX_TOKEN` in the environment win over
that file. Under `CI=true` a missing server fails the tests; elsewhere they are skipped
with the command that starts one. Tests create their own objects (a new site per
scenario) and never change the demo data."""

from __future__ import annotations

import itertools
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

_NAMES = itertools.count(1)


@dataclass(frozen=True)
class NetboxServer:
    url: str
    token: str

    def api(self, method: str, path: str, json_body: Any = None) -> Any:
        """Call the REST API (`path` below /api/, e.g. "dcim/sites/"); the parsed answer."""
        data = None if json_body is None else json.dumps(json_body).encode()
        request = urllib.request.Request(
            f"{self.url}/api/{path.lstrip('/')}",
            data=data,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                body = answer.read()
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path}: {error.code} {error.read()[:500]!r}") from None
        return json.loads(body) if body else None

    def create(self, path: str, **fields: Any) -> dict[str, Any]:
        """POST one object; the created object."""
        return self.api("POST", path, fields)

    def unique(self, stem: str) -> str:
        """A name no other test of this session (or an earlier session) uses."""
        return f"{stem}-{os.getpid()}-{next(_NAMES)}"


def _settings() -> tuple[str, str] | None:
    url, token = os.environ.get("NETBOX_URL"), os.environ.get("NETBOX_TOKEN")
    if url and token:
        return url.rstrip("/"), token
    home = Path(os.environ.get("SPOFLINT_NETBOX_HOME", Path.home() / ".cache" / "spoflint-netbox"))
    env = home / "server.env"
    if not env.is_file():
        return None
    values = dict(line.split("=", 1) for line in env.read_text().splitlines() if "=" in line)
    if not values.get("NETBOX_URL") or not values.get("NETBOX_TOKEN"):
        return None
    return values["NETBOX_URL"].rstrip("/"), values["NETBOX_TOKEN"]


def _answers(url: str, token: str) -> bool:
    request = urllib.request.Request(f"{url}/api/status/", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status == 200
    except (OSError, urllib.error.URLError):
        return False


@pytest.fixture(scope="session")
def netbox_server() -> NetboxServer:
    settings = _settings()
    if settings is None or not _answers(*settings):
        reason = "no NetBox server: run `.ci/netbox start` (it writes ~/.cache/spoflint-netbox/server.env)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true needs a real NetBox: {reason}")
        pytest.skip(reason)
    return NetboxServer(*settings)
