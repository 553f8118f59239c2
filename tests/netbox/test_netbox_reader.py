"""The NetBox reader against a real NetBox (the `netbox_server` fixture): the demo data
read and checked (each branch's router, switch and PDU are its single points of
failure), `import netbox` round trip, pagination, and the one-line errors (a wrong
URL, a wrong token, a server error, a server that is not NetBox) with the token never
shown."""

from __future__ import annotations

import http.server
import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from spoflint.cli import run
from spoflint.importers import netbox

# the demo data's sites: tests of other modules add sites of their own to the same server
DEMO_SITES = (
    "dm-nyc dm-akron dm-albany dm-binghamton dm-buffalo dm-camden dm-nashua dm-pittsfield dm-rochester "
    "dm-scranton dm-stamford dm-syracuse dm-utica dm-yonkers jbb-branch-104 jbb-branch-109 jbb-branch-115 "
    "jbb-branch-120 jbb-branch-127 jbb-branch-133 ncsu-065 ncsu-117 ncsu-118 ncsu-128"
).split()
BRANCHES = "akron albany binghamton buffalo camden nashua pittsfield rochester scranton stamford syracuse utica yonkers"
BRANCHES = BRANCHES.split()  # the 13 DM branch offices: a router, an access switch, a PDU each
SWITCH = {"rochester": "dmi01-rochster-sw01"}  # the demo's own spelling


@pytest.fixture
def demo(netbox_server, tmp_path, monkeypatch):
    """A project folder whose config reads the demo sites of the server."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NETBOX_TOKEN", netbox_server.token)
    sites = ", ".join(DEMO_SITES)
    (tmp_path / ".spoflint.yaml").write_text(f"netbox:\n  url: {netbox_server.url}\n  sites: [{sites}]\n")
    return netbox_server


def _findings(capsys, *argv: str) -> tuple[int, set[tuple[str, str]]]:
    status = run(["check", *argv, "-f", "json"])
    out = capsys.readouterr().out
    return status, {(f["rule"], f["subject"]) for f in json.loads(out)["findings"] if not f.get("suppressed")}


def test_the_demo_data_read(demo):
    settings = netbox.settings({"url": demo.url, "sites": DEMO_SITES})
    assert settings is not None and settings.token == demo.token
    document = netbox.read(settings)
    assert len(document["zones"]) == 24  # a zone per site
    assert len(document["racks"]) == 42
    network = document["network"]
    kinds = [node["kind"] for node in network.values()]
    # 13 routers; 13 access, 2 core, 3 distribution switches, 4 ToR stacks of 2 (one node each); providers
    assert kinds.count("router") == 13
    assert kinds.count("switch") == 13 + 2 + 3 + 4
    assert kinds.count("external") >= 2
    assert "r105-torsw" in network and "description" in network["r105-torsw"]  # the stack, one node
    hosts = document["hosts"]
    assert "dmi01-akron-rtr01" not in hosts and "dmi01-akron-pdu01" in document["power"]
    assert {h for h in hosts if hosts[h].get("kind") == "users"} == {f"users@dm-{b}" for b in BRANCHES}
    # every element points at its object's page in NetBox
    assert network["dmi01-akron-rtr01"].path == f"{demo.url}/dcim/devices/1/"
    # VMs have no site in the demo data: none is in the sites read
    assert not [h for h in hosts if hosts[h].get("kind") == "vm"]


def test_check_on_the_demo_data_finds_each_branch_s_spofs_and_its_snapshot_the_same(demo, capsys, tmp_path):
    status, found = _findings(capsys)
    assert status == 1
    for branch in BRANCHES:
        router, pdu = f"dmi01-{branch}-rtr01", f"dmi01-{branch}-pdu01"
        switch = SWITCH.get(branch, f"dmi01-{branch}-sw01")
        assert {("SPOF001", router), ("SPOF001", switch), ("SPOF001", pdu)} <= found, branch
        assert {("SPOF003", router), ("PWR001", router), ("PWR001", switch)} <= found, branch
    # the users of a branch stand for people: their own failure, and their links', is no finding
    assert not {(r, s) for r, s in found if s and s.startswith("users@") and r in ("SPOF001", "SPOF004", "NET001")}
    # the campus (MDF, NC State) serves no user-facing service: no failure takes one down there
    assert not {s for r, s in found if r == "SPOF001" and s and "ncsu" in s}

    # `import netbox`: a snapshot that checks offline with the same findings
    assert run(["import", "netbox", "-o", "site.yaml"]) == 0
    text = (tmp_path / "site.yaml").read_text()
    assert text.startswith("# Written by `spoflint import`")
    assert f"{demo.url}/" in text  # the server, in the comments and the name
    assert demo.token not in text
    capsys.readouterr()
    (tmp_path / ".spoflint.yaml").unlink()  # offline now
    status_offline, offline = _findings(capsys, "site.yaml")
    assert status_offline == 1
    # the same findings, but for the notes: grouped per file, and every NetBox object is a page of its own
    assert {f for f in offline if f[0] != "MODEL001"} == {f for f in found if f[0] != "MODEL001"}


def test_an_unknown_site_is_one_line(demo, capsys):
    Path(".spoflint.yaml").write_text(f"netbox:\n  url: {demo.url}\n  sites: [no-such-site]\n")
    assert run(["check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and demo.url in err and "no-such-site" in err


def test_wrong_url_is_one_line_naming_it(capsys, monkeypatch):
    monkeypatch.setenv("NETBOX_TOKEN", "nbt_abc.secret-never-shown")
    assert run(["check", "--netbox", "http://127.0.0.1:9/", "--isolated"]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "http://127.0.0.1:9" in captured.err
    assert "cannot reach" in captured.err and "Traceback" not in captured.err
    assert "secret-never-shown" not in captured.out + captured.err


def test_wrong_token_is_one_line_and_never_shown(netbox_server, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NETBOX_TOKEN", "nbt_wrongkey.this-secret-never-shown")
    assert run(["check", "--netbox", netbox_server.url]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "token" in captured.err and netbox_server.url in captured.err
    assert "this-secret-never-shown" not in captured.out + captured.err
    assert run(["import", "netbox", "--url", netbox_server.url, "-o", "site.yaml"]) == 2
    assert not (tmp_path / "site.yaml").exists()  # nothing half-written
    assert "this-secret-never-shown" not in repr(netbox.settings({"url": netbox_server.url}))


class _Answer(http.server.BaseHTTPRequestHandler):
    status, body = 500, b"oops"

    def do_GET(self) -> None:  # noqa: N802  (http.server's name)
        self.send_response(self.status)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def fake_server() -> Iterator[tuple[str, type[_Answer]]]:
    handler = type("Handler", (_Answer,), {})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("status", "body", "said"),
    [
        (500, b"<h1>Server Error</h1>", "answered 500"),
        (200, b"<html>a web page</html>", "not a NetBox API"),
        (404, b"not found", "not a NetBox 4 API"),
        (200, b'{"netbox-version": "3.7.2"}', "3.7.2 is not supported"),
    ],
)
def test_a_server_that_is_not_a_working_netbox_is_one_line(fake_server, capsys, monkeypatch, status, body, said):
    url, handler = fake_server
    handler.status, handler.body = status, body
    monkeypatch.setattr("spoflint.importers._netbox_client.BACKOFF", 0.01)
    monkeypatch.setenv("NETBOX_TOKEN", "nbt_abc.secret-never-shown")
    assert run(["check", "--netbox", url, "--isolated"]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and url in captured.err and said in captured.err
    assert "secret-never-shown" not in captured.out + captured.err


def test_a_redirect_to_another_server_never_carries_the_token(capsys, monkeypatch):
    seen: list[str | None] = []

    class Elsewhere(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append(self.headers.get("Authorization"))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"netbox-version": "4.7.3"}')

        def log_message(self, *args) -> None:
            pass

    elsewhere = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Elsewhere)
    target = f"http://127.0.0.1:{elsewhere.server_address[1]}/api/status/"

    class Redirecting(Elsewhere):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()

    here = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    for server in (elsewhere, here):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("NETBOX_TOKEN", "nbt_abc.secret-never-shown")
        assert run(["check", "--netbox", f"http://127.0.0.1:{here.server_address[1]}", "--isolated"]) == 2
    finally:
        for server in (elsewhere, here):
            server.shutdown()
            server.server_close()
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "a redirect to another server" in captured.err
    assert seen == []  # the other server was never asked, so never given the token
    assert "secret-never-shown" not in captured.out + captured.err


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the self-signed certificate")
def test_tls_failure_is_one_line_and_verify_tls_false_accepts_a_self_signed_certificate(
    fake_server, tmp_path, capsys, monkeypatch
):
    url, handler = fake_server
    handler.status, handler.body = 404, b"not here"
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    port = int(url.rsplit(":", 1)[1])
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secure = f"https://127.0.0.1:{server.server_address[1]}"
    assert port != server.server_address[1]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("spoflint.importers._netbox_client.BACKOFF", 0.01)
    try:
        assert run(["check", "--netbox", secure]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and secure in err and "TLS failed" in err and "verify-tls: false" in err
        (tmp_path / ".spoflint.yaml").write_text("netbox:\n  verify-tls: false\n")
        assert run(["check", "--netbox", secure]) == 2
        err = capsys.readouterr().err
        assert "TLS" not in err and "not a NetBox 4 API" in err  # past TLS: the server's own answer
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("netbox:\n  urll: http://x\n", "unknown configuration key 'urll'; did you mean 'url'?"),
        ("netbox:\n  url: ftp://x\n", "netbox.url"),
        ("netbox:\n  roles: {core: spine}\n", "netbox.roles.core"),
        ("netbox:\n  sites: [a]\n", "the config's `netbox:` has no `url`"),
    ],
)
def test_a_wrong_netbox_config_is_one_line(tmp_path, capsys, monkeypatch, written, said):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".spoflint.yaml").write_text(written)
    assert run(["check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and said in err


def test_roles_map_custom_role_slugs():
    from spoflint.importers._netbox_names import role_kind

    assert role_kind({"slug": "core-l3", "name": "Core L3"}, {"core-l3": "router"}) == "router"
    assert role_kind({"slug": "x", "name": "Edge Box"}, {"Edge Box": "firewall"}) == "firewall"
    assert role_kind({"slug": "tor-switch"}, {}) == "switch"
    assert role_kind({"slug": "edge-lb"}, {}) == "lb-appliance"
    assert role_kind({"slug": "application-server"}, {}) is None  # a host, unless it has outlets
