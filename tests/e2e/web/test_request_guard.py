"""The guard of the `page` fixture sees a request that leaves the server, so a page that loaded
anything from elsewhere fails its test; and our pages' CSP stops a script's request to elsewhere
before it is sent."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.support.browser import outside

ELSEWHERE = "https://cdn.example.com"


@pytest.fixture
def watched(browser: Browser) -> Iterator[tuple[BrowserContext, list[str]]]:
    context = browser.new_context()
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    # Nothing leaves the machine: a request to ELSEWHERE that is sent is answered here.
    context.route(f"{ELSEWHERE}/**", lambda route: route.fulfill(status=200, body=""))
    try:
        yield context, requested
    finally:
        context.close()


def test_a_request_to_another_host_is_caught(web, watched):
    context, requested = watched
    page = context.new_page()

    page.set_content(f'<img src="{ELSEWHERE}/pixel.png" alt="">')
    page.wait_for_load_state("load")

    assert outside(requested, web.hosts) == [f"{ELSEWHERE}/pixel.png"]


def test_our_pages_csp_stops_a_scripts_request_to_elsewhere(web, watched):
    context, requested = watched
    page = context.new_page()
    page.goto(web.url("/"))

    refused = page.evaluate(f"fetch('{ELSEWHERE}/x.js').then(() => false, () => true)")

    assert refused is True
    assert outside(requested, web.hosts) == []
