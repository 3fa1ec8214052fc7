"""The sign-in page in a browser: its three ways in, accessibility, and a 360-pixel screen."""

import httpx
import pytest
from coincurve import PrivateKey
from playwright.sync_api import Page, expect

from client import NostrIdClient
from domain.nostr.signing import generate_secret_key
from tests.support.browser import assert_accessible, has_horizontal_scroll, screenshots
from tests.support.web import decode_lnurl

pytestmark = pytest.mark.integration


def wallet_signs(url: str, wallet: PrivateKey) -> dict:
    """What an LNURL-auth wallet does with the scanned URL (LUD-04): sign k1, call back."""
    k1 = httpx.URL(url).params["k1"]
    signature = wallet.sign(bytes.fromhex(k1), hasher=None).hex()
    key = wallet.public_key.format(compressed=True).hex()
    return httpx.get(f"{url}&sig={signature}&key={key}", timeout=10).json()


def linked_wallet(base_url: str) -> PrivateKey:
    """A wallet linked to a new account through the API (NIP-98 proves the account's key)."""
    wallet = PrivateKey()
    with NostrIdClient(base_url) as api:
        link = api.with_nostr_key(generate_secret_key()).lnurl_start("link")
        assert wallet_signs(link.callback_url, wallet) == {"status": "OK"}
    return wallet


def test_a_lightning_wallet_signs_and_the_page_moves_on_by_itself(web, page: Page, shots):
    wallet = linked_wallet(web.base_url)
    page.goto(web.url("/signin"))

    page.get_by_role("button", name="Sign in with a Lightning wallet").click()

    expect(page.get_by_role("img", name="LNURL-auth QR code")).to_be_visible()
    href = page.get_by_role("link", name="Open in a wallet on this device").get_attribute("href")
    assert href is not None and href.startswith("lightning:")
    assert_accessible(page)
    screenshots(page, "signin", shots)
    assert wallet_signs(decode_lnurl(href.removeprefix("lightning:")), wallet) == {"status": "OK"}
    page.wait_for_url(web.url("/account"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_without_an_extension_the_page_says_so(web, page: Page):
    page.goto(web.url("/signin"))

    page.get_by_role("button", name="Sign in with a browser extension").click()

    expect(page.get_by_role("status")).to_contain_text("No browser extension found")


def test_the_sign_in_page_fits_a_360_pixel_screen_in_the_dark_scheme(web, phone: Page):
    phone.emulate_media(color_scheme="dark")  # the light scheme is checked at desktop size
    phone.goto(web.url("/signin"))
    for way in ("Sign in with a remote signer", "Sign in with a Lightning wallet"):
        phone.get_by_role("button", name=way).click()

    assert not has_horizontal_scroll(phone)
    assert_accessible(phone)
