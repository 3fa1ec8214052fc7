"""The docs page under /schema renders in Debian's chromium with nothing fetched from outside the
server: Redoc is served by the app itself, with no web fonts and no outside favicon."""

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import sync_playwright

from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

CHROMIUM = Path("/usr/bin/chromium")  # installed by scripts/ensure-tools.sh
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
RENDER_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def served_api(postgres_dsn, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": "memory://",
        "DATA_DIR": str(tmp_path_factory.mktemp("serve")),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    serve = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base_url, serve)
        yield base_url
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def _host(url: str) -> str | None:
    """Where a request goes: data: URLs go nowhere; a blob: URL lives at the origin inside it."""
    if url.startswith("data:"):
        return None
    if url.startswith("blob:"):
        url = url.removeprefix("blob:")
    return urlsplit(url).netloc


def test_docs_page_renders_with_no_request_leaving_the_server(served_api):
    assert CHROMIUM.exists(), "run scripts/ensure-tools.sh"
    server = urlsplit(served_api).netloc
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"{served_api}/schema", wait_until="load")
            # Redoc heads each operation with its summary once it has rendered the document.
            page.locator("h2", has_text="Batch").first.wait_for(timeout=RENDER_TIMEOUT_MS)
            page.wait_for_load_state("networkidle")
            headings = page.locator("h2").all_inner_texts()
        finally:
            browser.close()

    assert {"Batch", "Score", "Ready"} <= {heading.strip() for heading in headings}
    outside = [url for url in requested if _host(url) not in (server, None)]
    assert outside == []
    assert f"{served_api}/static/redoc/redoc.standalone.js" in requested
