"""Pages in Debian's chromium through Playwright, for the web pages' end-to-end tests.

    def test_something(web, page):               # tests/e2e/web/conftest.py gives both
        page.goto(web.url("/"))
        page.get_by_role("textbox", name="Name").fill("alice")
        assert_accessible(page)                  # axe-core: no serious or critical violation
        screenshots(page, "home")                # desktop and 360x740 PNGs

Every page a test opens records its requests; the `page` fixture fails the test when one went
anywhere but the server (and the relays the server names for NIP-46).
"""

import json
import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import msgspec
from playwright.sync_api import Page

from domain.nostr.signing import generate_secret_key, public_key_of, sign_event

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
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
AXE = Path(__file__).parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"
# Where screenshots go: SCREENSHOTS_DIR (docs/screenshots to refresh the README's), else the run's tmp.
SCREENSHOTS_DIR = "SCREENSHOTS_DIR"


def host_of(url: str) -> str | None:
    """Where a request goes: data: URLs go nowhere; a blob: URL lives at the origin inside it."""
    if url.startswith(("data:", "about:")):
        return None
    if url.startswith("blob:"):
        url = url.removeprefix("blob:")
    return urlsplit(url).netloc


def outside(requested: Iterable[str], allowed_hosts: Iterable[str]) -> list[str]:
    allowed = set(allowed_hosts)
    return [url for url in requested if host_of(url) not in (*allowed, None)]


def assert_accessible(page: Page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> None:
    """axe-core (run through the DevTools protocol, so the page's CSP stays as it is) finds no
    violation of the given impacts on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' '))})); }"
    )
    serious = [violation for violation in result if violation["impact"] in impacts]
    assert serious == [], json.dumps(serious, indent=2)


def has_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"))


def screenshots(page: Page, name: str, directory: Path) -> list[Path]:
    """The page at desktop size and at 360x740 (full page), as <name>-desktop.png and <name>-phone.png;
    the viewport is put back afterwards."""
    target = Path(os.environ.get(SCREENSHOTS_DIR) or directory)
    target.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    written = []
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        path = target / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        written.append(path)
    if before is not None:
        page.set_viewport_size(before)
    return written


def install_nip07_signer(page: Page, secret_key: str) -> str:
    """Gives the page a NIP-07 `window.nostr` whose key is `secret_key`: the browser extension's
    part, with the signing done in Python by the domain's BIP-340 code. Returns the pubkey."""
    pubkey = public_key_of(secret_key)

    def sign(template_json: str) -> str:
        template = json.loads(template_json)
        event = sign_event(
            secret_key,
            kind=template["kind"],
            tags=template["tags"],
            content=template["content"],
            created_at=template["created_at"],
        )
        return msgspec.json.encode(event).decode()

    page.expose_function("nostrIdTestSign", sign)
    page.add_init_script(
        "window.nostr = {"
        f" getPublicKey: async () => {json.dumps(pubkey)},"
        " signEvent: async (event) => JSON.parse(await window.nostrIdTestSign(JSON.stringify(event))),"
        " };"
    )
    return pubkey


def sign_in_with_extension(page: Page, base_url: str, secret_key: str | None = None) -> str:
    """Signs the page's browser in through /signin with a NIP-07 extension; lands on /account.
    Returns the secret key (a new one unless given)."""
    secret_key = secret_key or generate_secret_key()
    install_nip07_signer(page, secret_key)
    page.goto(base_url + "/signin")
    page.get_by_role("button", name="Sign in with a browser extension").click()
    page.wait_for_url(base_url + "/account")
    return secret_key
