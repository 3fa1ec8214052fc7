"""The web pages in a browser: `nostr-id serve` with a real database and relay, one chromium for
these tests, a fresh browser context (cookies) per test.

Fixtures: `web` (the server: `web.url(path)`, its relay, its database), `browser`, `page` (desktop;
fails the test when a request left the server), `phone` (the same at 360x740), `shots` (a
directory for screenshots), `bunker` (a NIP-46 remote signer in Node.js over the test relay)."""

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.fixtures.dns import DnsServer
from tests.fixtures.relay import RelayProcess
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, outside
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port
from tests.support.trust_graph import SEED, publish_trust_graph

DEFAULT_TIMEOUT_MS = 15_000
# A domain of these tests' own: the session's database is shared with the other tests.
WEB_DOMAIN = "web.nostr-id.test"
JS = Path(__file__).resolve().parents[2] / "js"
READY_LINES = 5


@dataclass(frozen=True)
class WebServer:
    base_url: str
    relay_url: str
    database_url: str
    dns: DnsServer  # the server's only nameserver: set TXT records on it

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def hosts(self) -> tuple[str, ...]:
        """Where a page may send requests: the server, and the relay it names for NIP-46 signers."""
        return (urlsplit(self.base_url).netloc, urlsplit(self.relay_url).netloc)


@pytest.fixture(scope="package")
def web(postgres_dsn: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    dnsmasq = shutil.which("dnsmasq") or shutil.which("dnsmasq", path="/usr/sbin:/sbin")
    assert dnsmasq is not None, "dnsmasq is missing: run scripts/ensure-tools.sh"
    dns = DnsServer(dnsmasq, free_port())
    dns.restart()
    relay = RelayProcess().start()
    # Before the server starts, so its first trust neighbourhood holds the graph (the trust pages).
    publish_trust_graph(relay.url)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": relay.url,
        "NIP46_RELAYS": relay.url,
        "PUBLIC_URL": base_url,
        "DEFAULT_DOMAIN": WEB_DOMAIN,
        "DATA_DIR": str(tmp_path_factory.mktemp("web")),
        "LOG_LEVEL": "WARNING",
        "DNS_NAMESERVERS": dns.nameserver,
        "WOT_SEEDS": SEED.pubkey,
        "RATE_LIMIT_SIGN_IN": "1000000",
        "RATE_LIMIT_ANONYMOUS": "1000000",
    }
    env.pop("REDIS_URL", None)
    env.pop("ENVIRONMENT", None)
    serve = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    try:
        wait_ready(base_url, serve)
        yield WebServer(base_url=base_url, relay_url=relay.url, database_url=postgres_dsn, dns=dns)
    finally:
        serve.terminate()
        serve.wait(timeout=30)
        relay.stop()
        dns.stop()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One chromium for the package's tests, closed after the last of them: Playwright's sync API
    keeps an event loop running while it is open, which the asyncio tests after these refuse."""
    assert CHROMIUM.exists(), "run scripts/ensure-tools.sh"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _page(browser: Browser, web: WebServer, viewport: dict[str, int]) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
    assert outside(requested, web.hosts) == [], "a request left the server"


@pytest.fixture
def page(browser: Browser, web: WebServer) -> Iterator[Page]:
    yield from _page(browser, web, DESKTOP)


@pytest.fixture
def phone(browser: Browser, web: WebServer) -> Iterator[Page]:
    yield from _page(browser, web, PHONE)


@pytest.fixture(scope="package")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def bunker() -> Iterator[Callable[..., tuple[subprocess.Popen[str], list[str]]]]:
    """Starts tests/js/nip46_bunker.mjs; answers the process and the lines it printed up to "ready"."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
        node = shutil.which("node")
        assert node is not None, "node is required"
        process = subprocess.Popen(
            [node, str(JS / "nip46_bunker.mjs"), *args], cwd=JS, stdout=subprocess.PIPE, text=True
        )
        started.append(process)
        assert process.stdout is not None
        lines = []
        for _ in range(READY_LINES):
            line = process.stdout.readline().strip()
            lines.append(line)
            if line == "ready":
                return process, lines
        raise AssertionError(f"the bunker did not start: {lines}")

    yield start
    for process in started:
        process.kill()
        process.wait(timeout=10)
