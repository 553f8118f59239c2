"""The html picture in a real browser: Debian's Chromium, headless, driven through
chromedriver's W3C WebDriver HTTP API with urllib (no Python dependency added).

Skipped only when chromium or chromedriver is missing and CI is unset: under CI the
browser is installed by .ci/run and this test must run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from spoflint.analysis import Facts
from spoflint.importers.assemble import read_topology
from tests.helpers import HIDDEN, python_m_spoflint

pytestmark = pytest.mark.slow  # starts Chromium
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C key of an element reference
SPOF_FILL = "rgb(244, 166, 166)"  # #f4a6a6, the page's colour for a single point of failure
# Loopback only, whatever proxy the environment names.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _call(method: str, url: str, body: dict | None = None, timeout: float = 30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return json.loads(response.read())["value"]
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{method} {url}: {error.code} {error.read()[:500]!r}") from None


class Browser:
    """One chromedriver and one headless Chromium session."""

    def __init__(self, profile: Path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        self.driver = subprocess.Popen(
            [CHROMEDRIVER, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.session = None
        deadline = time.monotonic() + 20
        while True:
            try:
                if _call("GET", f"{self.base}/status", timeout=2).get("ready"):
                    break
            except (OSError, AssertionError):
                pass
            if time.monotonic() > deadline or self.driver.poll() is not None:
                self.close()
                raise AssertionError("chromedriver did not start")
            time.sleep(0.1)
        args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--window-size=1600,900",
        ]
        created = _call(
            "POST",
            f"{self.base}/session",
            {
                "capabilities": {
                    "alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {"binary": CHROMIUM, "args": args}}
                }
            },
            timeout=60,
        )
        self.session = f"{self.base}/session/{created['sessionId']}"

    def call(self, method: str, path: str, body: dict | None = None):
        return _call(method, self.session + path, body)

    def open(self, url: str) -> None:
        self.call("POST", "/url", {"url": url})

    def find(self, css: str) -> str:
        found = self.call("POST", "/element", {"using": "css selector", "value": css})
        assert ELEMENT in found, f"{css}: {found}"
        return found[ELEMENT]

    def click(self, css: str) -> None:
        self.call("POST", f"/element/{self.find(css)}/click", {})

    def script(self, source: str, *args):
        return self.call("POST", "/execute/sync", {"script": source, "args": list(args)})

    def close(self) -> None:
        try:
            if self.session:
                _call("DELETE", self.session, timeout=10)
        except (OSError, AssertionError):
            pass
        finally:
            self.driver.terminate()
            try:
                self.driver.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.driver.kill()
                self.driver.wait()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM and CHROMEDRIVER):
        message = "chromium and chromedriver are needed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message + "; under CI this test must run")
        pytest.skip(message)
    b = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    """The page `spoflint graph --format html` writes for the hidden-spof example."""
    out = tmp_path_factory.mktemp("page") / "hidden-spof.html"
    done = python_m_spoflint("graph", str(HIDDEN), "--format", "html", "--output", str(out))
    assert done.returncode == 0, done.stderr
    return out


def _simulated(eid: str) -> dict:
    done = python_m_spoflint("simulate", str(HIDDEN), "--fail", eid, "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_page_in_chromium(browser, page):
    started = time.monotonic()
    browser.open(page.as_uri())
    nodes = browser.script("""
        return Array.from(document.querySelectorAll('.node')).map(function (n) {
          return {id: n.getAttribute('data-id'), spof: n.classList.contains('spof'),
                  fill: getComputedStyle(n.querySelector('rect')).fill};
        });""")
    spofs = set(Facts(read_topology([HIDDEN])).single_points)
    assert "sw-1" in spofs
    drawn = {n["id"]: n for n in nodes}
    assert set(drawn) == set(read_topology([HIDDEN]).section_of) - set(read_topology([HIDDEN]).links)
    assert {i for i, n in drawn.items() if n["spof"]} == spofs
    assert {i for i, n in drawn.items() if n["fill"] == SPOF_FILL} == spofs
    # a self-contained page fetched nothing
    assert browser.script("return performance.getEntriesByType('resource').length") == 0

    for eid in ("sw-1", "nfs-1"):
        browser.click(f'.node[data-id="{eid}"] rect')
        shown = browser.script("""
            return {title: document.getElementById('selected').textContent,
                    down: Array.from(document.querySelectorAll('#down li')).map(function (li) {
                      return li.getAttribute('data-service'); }),
                    lost: Array.from(document.querySelectorAll('#lost li')).map(function (li) {
                      return li.getAttribute('data-holder'); }),
                    marked: Array.from(document.querySelectorAll('.node.down')).map(function (n) {
                      return n.getAttribute('data-id'); }),
                    text: document.getElementById('panel').innerText};""")
        expected = _simulated(eid)
        services = [s["service"] for s in expected["services_down"]]
        holders = [h["holder"] for h in expected["data_lost"]]
        assert shown["title"].startswith(eid)
        assert shown["down"] == services
        assert shown["lost"] == holders
        assert sorted(shown["marked"]) == sorted(services + holders)
        for s in expected["services_down"]:
            assert s["reason"] in shown["text"]
    assert services and holders == ["images"]  # nfs-1 takes glance down and loses images
    assert time.monotonic() - started < 30
