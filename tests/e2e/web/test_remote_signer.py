"""Sign-in with a NIP-46 remote signer in a browser: a bunker run in Node.js (tests/js, built on
nostr-tools) over the test relay, reached by its bunker:// URL or by answering the page's
nostrconnect:// QR code. The page's NIP-46 client is nostr-tools' own, vendored."""

import re

import pytest
from playwright.sync_api import Page, expect

from adapters.web.qr import qr_svg
from domain.nostr.nip19 import encode_npub
from domain.nostr.signing import generate_secret_key, public_key_of

pytestmark = pytest.mark.integration


def _modules(svg: str) -> list[str]:
    """The QR code's drawing: the paths' `d` attributes (the browser writes the markup its own way)."""
    return re.findall(r' d="([^"]+)"', svg)


def test_a_bunker_url_signs_the_browser_in(web, page: Page, bunker):
    user_secret = generate_secret_key()
    _, lines = bunker(web.relay_url, user_secret, "bunker")
    (bunker_url,) = [line for line in lines if line.startswith("bunker://")]
    page.goto(web.url("/signin"))

    page.get_by_role("button", name="Sign in with a remote signer").click()
    page.get_by_role("textbox", name="Bunker URL").fill(bunker_url)
    page.get_by_role("button", name="Connect").click()

    page.wait_for_url(web.url("/account"))
    expect(page.get_by_text(encode_npub(public_key_of(user_secret)))).to_be_visible()


def test_a_signer_app_answering_the_qr_code_signs_the_browser_in(web, page: Page, bunker):
    user_secret = generate_secret_key()
    page.goto(web.url("/signin"))
    page.get_by_role("button", name="Sign in with a remote signer").click()
    code = page.get_by_role("img", name="Remote signer QR code")
    expect(code).to_be_visible()
    uri = code.get_attribute("data-nostrconnect")
    assert uri is not None and uri.startswith("nostrconnect://")
    # What the signer app scans: the QR code drawn on the server holds exactly this URI.
    assert _modules(code.inner_html()) == _modules(str(qr_svg(uri)))

    bunker(web.relay_url, user_secret, "connect", uri)

    page.wait_for_url(web.url("/account"))
    expect(page.get_by_text(encode_npub(public_key_of(user_secret)))).to_be_visible()


def test_the_nip46_code_loads_on_the_sign_in_page_not_on_the_first_page(web, page: Page):
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))

    page.goto(web.url("/"), wait_until="networkidle")
    on_first_page = list(loaded)
    page.goto(web.url("/signin"), wait_until="networkidle")

    assert [url for url in on_first_page if "/nip46/" in url] == []
    assert web.url("/assets/nip46/nostr-tools-nip46.js") in loaded
